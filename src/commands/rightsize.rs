//! `headroom rightsize`: fleet utilisation + price catalogue (+ today's placement, a
//! policy, a forecast horizon, a limits.json) to per-service recommendations, savings
//! and risk flags; writes recommendations.csv and rightsize.json.

use super::OK;
use crate::cli::RightsizeArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail};
use headroom::read::fleet::{read_catalogue, read_fleet};
use headroom::read::placement::read_placement;
use headroom::read::policy::read_policy;
use headroom::read::read_json;
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::rightsize::{fleet_report, Policy, Report};
use headroom_forecast::ts::workflow::Horizon;
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(args: RightsizeArgs) -> anyhow::Result<u8> {
    let policy = match &args.policy {
        Some(path) => read_policy(path)?,
        None => Policy::default(),
    };
    if let Some(url) = &args.prometheus {
        return super::containers::run(&args, url, policy);
    }
    let (Some(fleet_path), Some(catalog)) = (&args.fleet, &args.catalog) else {
        bail!("expected FLEET.csv and --catalog (or --prometheus URL)");
    };
    let catalogue = read_catalogue(catalog).map_err(|m| anyhow!(m))?;
    let safe_share = match &args.limits {
        Some(path) => {
            let file: LimitsFile = read_json(path, "--limits")?;
            let share = file.safe_share();
            Some(share.ok_or_else(|| anyhow!("--limits {}: no safe_operating_point", path.display()))?)
        }
        None => None,
    };
    let horizon = args
        .forecast_horizon
        .as_deref()
        .map(|text| Horizon::parse(text).map_err(|m| anyhow!("--forecast-horizon: {m}")))
        .transpose()?;
    let placement = match &args.current {
        Some(path) => read_placement(path, &catalogue)?,
        None => BTreeMap::new(),
    };
    let fleet = read_fleet(fleet_path, &catalogue).map_err(|m| anyhow!(m))?;
    if fleet.usage.is_empty() {
        bail!("{}: no usage rows", fleet_path.display());
    }
    let report =
        fleet_report(&fleet.usage, &catalogue, &placement, policy, horizon, safe_share).map_err(|e| anyhow!("{e}"))?;
    write(&report, (fleet.rows, fleet.instances), &args.out, args.json)
}

/// Writes `out`/recommendations.csv and rightsize.json and prints the table; `read` is
/// how many rows and instances the fleet file held.
pub fn write(report: &Report, read: (u64, usize), out: &Path, json: bool) -> anyhow::Result<u8> {
    write_atomic(
        &out.join("recommendations.csv"),
        &headroom_reports::rightsize::to_csv(&report.services)?,
    )?;
    write_json(&out.join("rightsize.json"), report)?;
    if json {
        println!("{}", serde_json::to_string_pretty(report)?);
    } else {
        println!(
            "{}",
            headroom_reports::terminal::rightsize::render(report, read.0, read.1)
        );
        println!(
            "wrote {} and {}",
            out.join("recommendations.csv").display(),
            out.join("rightsize.json").display()
        );
    }
    Ok(OK)
}
