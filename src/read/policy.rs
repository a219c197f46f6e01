//! The right-sizing policy, a YAML file of `Policy`'s fields; errors carry the line.

use anyhow::{anyhow, Context};
use headroom_forecast::rightsize::Policy;
use std::path::Path;

pub fn read_policy(path: &Path) -> anyhow::Result<Policy> {
    let text = std::fs::read_to_string(path).with_context(|| format!("--policy: cannot read {}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| {
        let line = e.location().map(|l| format!(":{}", l.line())).unwrap_or_default();
        anyhow!(
            "{}{line}: {}",
            path.display(),
            e.to_string().lines().next().unwrap_or_default()
        )
    })
}
