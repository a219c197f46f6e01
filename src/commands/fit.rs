//! `headroom fit`: read a run.json (or a CSV of other tools' results), fit the model,
//! write limits.json and print the limits.

use super::OK;
use crate::cli::FitArgs;
use crate::output::write_json;
use anyhow::{anyhow, bail, Context};
use headroom::read::points::read_points;
use headroom_forecast::capacity::limits::{self, LimitsFile};
use headroom_loadgen::slo::Slo;
use headroom_loadgen::units::parse_fraction;
use std::path::Path;

pub fn run(args: FitArgs) -> anyhow::Result<u8> {
    let slo = match args.slo.is_empty() {
        true => None,
        false => Some(Slo::from_flags(&args.slo).map_err(|m| anyhow!("--slo {m}"))?),
    };
    let headroom = parse_headroom(&args.headroom)?;
    fit(&args.input, slo, headroom, &args.out, args.json)
}

/// Fits the points of `input` (a run.json or a CSV) against `slo` (else the run's own)
/// with `headroom` below the limit, and writes `out`/limits.json.
pub fn fit(input: &Path, slo: Option<Slo>, headroom: f64, out: &Path, json: bool) -> anyhow::Result<u8> {
    let (kind, points, run_slo) = read_points(input)?;
    let slo = slo.or(run_slo).unwrap_or_default();
    let limits =
        limits::limits(kind, &points, &slo.percentiles, headroom).map_err(|e| anyhow!("{}: {e}", input.display()))?;
    let file = LimitsFile::new(&input.display().to_string(), &points, limits);
    let path = out.join("limits.json");
    // Limits of another input are kept, not lost: moved aside before the new ones land.
    if let Some(source) = previous_source(&path).filter(|source| *source != file.source) {
        let kept = out.join("limits.previous.json");
        std::fs::rename(&path, &kept).with_context(|| format!("cannot move {} aside", path.display()))?;
        eprintln!(
            "headroom: {} held the limits of {source}: moved to {} (give --out DIR to keep each in its own place)",
            path.display(),
            kept.display()
        );
    }
    write_json(&path, &file)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&file)?);
    } else {
        println!(
            "{}\nwrote {}",
            headroom_reports::terminal::limits::render(&file),
            path.display()
        );
    }
    Ok(OK)
}

/// The input an existing limits.json was fitted to, if there is one.
fn previous_source(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["source"].as_str().map(str::to_string)
}

/// `20%` or `0.2`, below 100%.
fn parse_headroom(text: &str) -> anyhow::Result<f64> {
    let value = parse_fraction(text).map_err(|m| anyhow!("--headroom: {m}"))?;
    if value >= 1.0 && !text.trim().ends_with('%') {
        bail!(
            "--headroom: found {text}; expected a percentage such as {}% (or a fraction such as 0.2)",
            text.trim()
        );
    }
    if !(0.0..1.0).contains(&value) {
        bail!("--headroom: found {text}; expected from 0% up to (not including) 100%");
    }
    Ok(value)
}
