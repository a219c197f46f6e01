//! `headroom rightsize`: fleet utilisation + price catalogue (+ today's placement, a
//! policy, a forecast horizon, a limits.json) to per-service recommendations, savings
//! and risk flags; writes recommendations.csv and rightsize.json.

use super::{read_json, OK};
use crate::cli::RightsizeArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail, Context};
use headroom::fleet::read_fleet;
use headroom_forecast::limits::LimitsFile;
use headroom_forecast::rightsize::{self, InstanceType, Placement, Policy, Report, Totals};
use headroom_forecast::ts::{
    self,
    regular::{Cleaning, Regular},
};
use headroom_loadgen::units::parse_duration;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(args: RightsizeArgs) -> anyhow::Result<u8> {
    let mut policy = match &args.policy {
        Some(path) => read_policy(path)?,
        None => Policy::default(),
    };
    if let Some(url) = &args.prometheus {
        return super::containers::run(&args, url, policy);
    }
    let (Some(fleet_path), Some(catalog)) = (&args.fleet, &args.catalog) else {
        bail!("expected FLEET.csv and --catalog (or --prometheus URL)");
    };
    let catalogue = headroom::fleet::read_catalogue(catalog).map_err(|m| anyhow!(m))?;
    if let Some(path) = &args.limits {
        policy.max_utilisation = Some(safe_share(path)?);
    }
    let horizon = args
        .forecast_horizon
        .as_deref()
        .map(|h| parse_duration(h).map_err(|m| anyhow!("--forecast-horizon: {m}")))
        .transpose()?;
    policy.size_for_forecast_peak |= horizon.is_some();
    let placement = match &args.current {
        Some(path) => read_placement(path, &catalogue)?,
        None => BTreeMap::new(),
    };
    let fleet = read_fleet(fleet_path, &catalogue).map_err(|m| anyhow!(m))?;
    if fleet.usage.is_empty() {
        bail!("{}: no usage rows", fleet_path.display());
    }
    let peaks = forecast_peaks(&fleet.usage, horizon)?;
    let mut services = Vec::new();
    for (usage, peak) in fleet.usage.iter().zip(peaks) {
        let current = placement.get(&usage.service);
        services.push(rightsize::recommend(usage, &catalogue, current, &policy, peak).map_err(|e| anyhow!("{e}"))?);
    }
    services.sort_by(|a, b| {
        b.savings_monthly_usd
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.savings_monthly_usd.unwrap_or(f64::NEG_INFINITY))
    });
    let total = Totals::over(&services);
    let report = Report {
        schema_version: rightsize::SCHEMA_VERSION,
        policy,
        forecast_horizon: args.forecast_horizon.clone(),
        services,
        total,
    };
    write_atomic(
        &args.out.join("recommendations.csv"),
        &headroom_reports::rightsize::to_csv(&report.services)?,
    )?;
    write_json(&args.out.join("rightsize.json"), &report)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", render(&report, fleet.rows, fleet.instances));
        println!(
            "wrote {} and {}",
            args.out.join("recommendations.csv").display(),
            args.out.join("rightsize.json").display()
        );
    }
    Ok(OK)
}

/// The forecast peak of each service's total CPU over the horizon, in parallel.
fn forecast_peaks(
    usage: &[rightsize::Usage],
    horizon: Option<std::time::Duration>,
) -> anyhow::Result<Vec<Option<f64>>> {
    let Some(horizon) = horizon else {
        return Ok(vec![None; usage.len()]);
    };
    let jobs: Vec<ts::Job> = usage
        .iter()
        .map(|u| {
            let history = Regular {
                start: u.start,
                step: u.step_s,
                values: u.cpu_cores.clone(),
            };
            let steps = (horizon.as_secs() as i64 / u.step_s).max(1) as usize;
            (u.service.clone(), history, Cleaning::default(), steps)
        })
        .collect();
    ts::forecast_many(jobs, &ts::Options::default())
        .into_iter()
        .zip(usage)
        .map(|(r, u)| match r {
            Ok(f) => Ok(Some(f.peak.value)),
            // Too little history to forecast: size on the past, the flag says why.
            Err(ts::ForecastError::TooShort(_)) => Ok(None),
            Err(e) => Err(anyhow!("service `{}`: {e}", u.service)),
        })
        .collect()
}

#[derive(Deserialize)]
struct PlacementRow {
    service: String,
    instance_type: String,
    count: u32,
}

fn read_placement(path: &Path, catalogue: &[InstanceType]) -> anyhow::Result<BTreeMap<String, Placement>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("--current: cannot read {}", path.display()))?;
    let mut placement = BTreeMap::new();
    for (i, row) in reader.deserialize::<PlacementRow>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| anyhow!("{}:{line}: {e}; expected service,instance_type,count", path.display()))?;
        if !catalogue.iter().any(|t| t.name == row.instance_type) {
            bail!(
                "{}:{line}: instance_type: found `{}`; expected a type from the catalogue",
                path.display(),
                row.instance_type
            );
        }
        placement.insert(
            row.service,
            Placement {
                instance_type: row.instance_type,
                count: row.count,
            },
        );
    }
    Ok(placement)
}

fn read_policy(path: &Path) -> anyhow::Result<Policy> {
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

/// The safe operating point's share of the peak throughput in a limits.json.
fn safe_share(path: &Path) -> anyhow::Result<f64> {
    let file: LimitsFile = read_json(path, "--limits")?;
    let safe = file
        .limits
        .safe_operating_point
        .as_ref()
        .ok_or_else(|| anyhow!("--limits {}: no safe_operating_point", path.display()))?;
    Ok((safe.at.throughput.value / file.limits.peak.throughput.value).clamp(0.05, 1.0))
}

fn render(report: &Report, rows: u64, instances: usize) -> String {
    let money = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut lines = vec![format!(
        "{:<24} {:>14} {:>14} {:>11} {:>11} {:>10} {:>8} {:>8}  flags",
        "service", "current", "recommended", "now $/mo", "new $/mo", "saves $/mo", "cpu p95", "mem GiB"
    )];
    for s in &report.services {
        let current = s
            .current
            .as_ref()
            .map_or("-".into(), |p| format!("{}x{}", p.count, p.instance_type));
        lines.push(format!(
            "{:<24} {:>14} {:>14} {:>11} {:>11.2} {:>10} {:>8.2} {:>8.2}  {}",
            headroom_reports::safe::terminal(&s.service),
            current,
            format!("{}x{}", s.recommended.count, s.recommended.instance_type),
            money(s.current_monthly_usd),
            s.recommended_monthly_usd,
            money(s.savings_monthly_usd),
            s.cpu_p95_cores,
            s.mem_peak_gib,
            s.flags.join(",")
        ));
    }
    let t = &report.total;
    let fleet = format!(
        "fleet: {} services, {instances} instances, {rows} rows; {}",
        t.services,
        t.describe()
    );
    lines.push(fleet);
    lines.join("\n")
}
