//! One module per subcommand: each wires crate functions to files and the terminal.

pub mod compare;
pub mod containers;
pub mod demo;
pub mod fit;
pub mod forecast;
pub mod import;
pub mod merge;
pub mod plan;
pub mod prometheus;
pub mod report;
pub mod rightsize;
pub mod run;
pub mod target;
pub mod validate;

/// Exit codes.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const BAD_INPUT: u8 = 2;

use anyhow::{anyhow, Context};
use headroom_loadgen::Scenario;
use serde::de::DeserializeOwned;
use std::path::Path;

/// Reads a JSON result file another headroom command wrote; errors name the flag that
/// gave it, the file and the line.
pub fn read_json<T: DeserializeOwned>(path: &Path, flag: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{flag}: cannot read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow!("{flag} {}:{}: {e}", path.display(), e.line()))
}

pub use headroom_loadgen::units::count;

/// Latency objectives from `--slo p99=250ms` flags, parsed as a scenario's `slo:` keys
/// are (one parser for files and flags); `error_rate=1%` is accepted and has no latency.
pub fn slo_flags(flags: &[String]) -> anyhow::Result<headroom_loadgen::slo::Slo> {
    let mut slo = headroom_loadgen::slo::Slo::default();
    for flag in flags {
        let (key, value) = flag
            .split_once('=')
            .ok_or_else(|| anyhow!("--slo {flag}: expected PERCENTILE=DURATION such as p99=250ms"))?;
        slo.add(key.trim(), value.trim())
            .map_err(|m| anyhow!("--slo {flag}: {m}"))?;
    }
    Ok(slo)
}

/// A scenario's latency objectives as the models take them.
pub fn latency_objectives(slo: &headroom_loadgen::slo::Slo) -> Vec<headroom_forecast::limits::Objective> {
    slo.percentiles
        .iter()
        .map(|o| headroom_forecast::limits::Objective {
            name: o.name.clone(),
            percentile: o.percentile,
            limit_ms: o.limit_ms,
        })
        .collect()
}

/// Loads and validates a scenario, turning its errors into one message.
pub fn load_scenario(path: &Path) -> anyhow::Result<Scenario> {
    headroom_loadgen::scenario::load(path).map_err(|e| anyhow!("{e}"))
}
