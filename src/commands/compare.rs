//! `headroom compare`: a regression verdict between two runs of one scenario.

use super::{FAILED, OK};
use crate::cli::CompareArgs;
use crate::output::write_atomic;
use crate::output::write_json;
use anyhow::anyhow;
use headroom::read::read_json;
use headroom_loadgen::compare::compare;
use headroom_loadgen::results::RunResult;
use headroom_loadgen::units::parse_percent;

/// The bootstrap's seed: the verdict on two files is the same every time.
const SEED: u64 = 1;

pub fn run(args: CompareArgs) -> anyhow::Result<u8> {
    let threshold = parse_percent(&args.threshold).map_err(|m| anyhow!("--threshold: {m}"))?;
    let base: RunResult = read_json(&args.base, "compare")?;
    let new: RunResult = read_json(&args.new, "compare")?;
    let name = |p: &std::path::Path| p.display().to_string();
    let comparison =
        compare((&name(&args.base), &base), (&name(&args.new), &new), threshold, SEED).map_err(|e| anyhow!("{e}"))?;
    let markdown = headroom_reports::compare::to_markdown(&comparison);
    write_json(&args.out.join("compare.json"), &comparison)?;
    write_atomic(&args.out.join("compare.md"), markdown.as_bytes())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        println!("{markdown}");
        println!("wrote {} and compare.md", args.out.join("compare.json").display());
    }
    Ok(if comparison.regressed { FAILED } else { OK })
}
