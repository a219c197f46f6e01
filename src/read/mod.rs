//! Every reader of input headroom does not write itself, and of its own result files
//! read back. Each turns bytes into the library crates' types and names the file, line
//! or field of any error; none holds a domain rule.
//!
//! - `history`: utilisation history, CSV or a saved Prometheus `query_range` response.
//! - `prometheus`: a live Prometheus `query_range`, split to stay under its point limit.
//! - `kubernetes`: containers' usage from cAdvisor and kube-state-metrics series,
//!   through any `Fetch` (a live server, or a fake in the tests).
//! - `fleet`: fleet utilisation CSV and the price catalogue.
//! - `placement`: today's placement CSV; `policy`: the right-sizing policy YAML.
//! - `points`: load-test points from a run.json or a CSV of another tool's results.
//! - `forecast_dir`: a `headroom forecast` directory read back.
//! - `read_json`: any result file another headroom command wrote.

pub mod fleet;
pub mod forecast_dir;
pub mod history;
pub mod kubernetes;
pub mod placement;
pub mod points;
pub mod policy;
pub mod portfolio;
pub mod prometheus;

use anyhow::{anyhow, Context};
use headroom_loadgen::schema::{check, Schema};
use serde::de::DeserializeOwned;
use std::path::Path;

/// Reads a JSON result file another headroom command wrote, of this headroom's schema
/// version; errors name the flag that gave it, the file and the line.
pub fn read_json<T: DeserializeOwned + Schema>(path: &Path, flag: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{flag}: cannot read {}", path.display()))?;
    parse_json(&text, path).map_err(|m| anyhow!("{flag} {m}"))
}

/// A result file's text, its schema version checked; `path` names it in errors.
pub fn parse_json<T: DeserializeOwned + Schema>(text: &str, path: &Path) -> Result<T, String> {
    check::<T>(text).map_err(|m| format!("{}: {m}", path.display()))?;
    serde_json::from_str(text).map_err(|e| format!("{}:{}: {e}", path.display(), e.line()))
}
