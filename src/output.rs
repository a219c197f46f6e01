//! Writing result files safely: each is written to a temporary name beside its final
//! one and renamed, so an interrupted write never leaves a half-written result. And the
//! output tree every command writes under by default, and reads the others' from.

use anyhow::Context;
use std::path::Path;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes).with_context(|| format!("cannot write {}", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("cannot rename into {}", path.display()))
}

pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_vec_pretty(value)?;
    text.push(b'\n');
    write_atomic(path, &text)
}

/// The default output tree: each command writes its own directory under `out/`, and a
/// command that reads another's output defaults to that directory.
pub mod tree {
    /// The latest run that measured something.
    pub const RUN: &str = "out/run";
    /// Every run, by its start time, kept whatever it measured.
    pub const RUNS: &str = "out/runs";
    pub const MERGED: &str = "out/merged";
    pub const COMPARE: &str = "out/compare";
    pub const LIMITS: &str = "out/limits";
    pub const FORECAST: &str = "out/forecast";
    pub const RIGHTSIZE: &str = "out/rightsize";
    pub const PLAN: &str = "out/plan";
    pub const REVIEW: &str = "out/review";
    pub const REPORT: &str = "out/report";
    pub const RUN_JSON: &str = "out/run/run.json";
    pub const LIMITS_JSON: &str = "out/limits/limits.json";
}
