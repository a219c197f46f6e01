//! `headroom merge`: one run.json for a sharded test from its shards' run.json files.

use super::OK;
use crate::cli::MergeArgs;
use crate::output::{write_atomic, write_json};
use anyhow::anyhow;
use headroom::read::read_json;
use headroom_loadgen::results::RunResult;

pub fn run(args: MergeArgs) -> anyhow::Result<u8> {
    let runs = args
        .runs
        .iter()
        .map(|path| Ok((path.display().to_string(), read_json::<RunResult>(path, "merge")?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let merged = headroom_loadgen::merge::merge(runs, args.allow_partial).map_err(|e| anyhow!("{e}"))?;
    write_json(&args.out.join("run.json"), &merged)?;
    write_atomic(
        &args.out.join("timeline.csv"),
        &headroom_reports::timeline::to_csv(&merged.timeline)?,
    )?;
    println!("{}", headroom_reports::terminal::run::render(&merged, false));
    if let Some(m) = merged.merged.as_ref().filter(|m| !m.missing.is_empty()) {
        println!(
            "partial: shards {:?} of {} missing ({})",
            m.missing,
            m.shards,
            m.notes.join("; ")
        );
    }
    println!("wrote {}", args.out.join("run.json").display());
    Ok(OK)
}
