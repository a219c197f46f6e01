//! `headroom plan`: instances for a peak event from limits.json and a demand (a rate, or
//! a forecast's peak), with redundancy, predicted latency, cost and sensitivity; or,
//! with `--check`, the plan against the run that verified it.

use super::{FAILED, OK};
use crate::cli::PlanArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail};
use headroom::read::forecast_dir::read_forecast_dir;
use headroom::read::history::{format_timestamp, parse_timestamp};
use headroom::read::read_json;
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::{self, Demand, PlanError, PlanFile, Pricing, Request};
use headroom_forecast::rightsize::Redundancy;
use headroom_loadgen::results::RunResult;
use headroom_loadgen::slo::Objective;
use headroom_loadgen::units::parse_duration;
use headroom_reports::terminal;
use std::path::Path;
use std::time::Duration;

pub fn run(args: PlanArgs) -> anyhow::Result<u8> {
    if !(args.multiplier > 0.0 && args.multiplier.is_finite()) {
        bail!("--multiplier: found {}; expected a number above 0", args.multiplier);
    }
    if !args.limits.exists() {
        bail!(
            "--limits {}: no such file; run `headroom fit` first (it fits a run.json and writes limits.json), \
             or give --limits PATH",
            args.limits.display()
        );
    }
    let limits: LimitsFile = read_json(&args.limits, "--limits")?;
    let objective = match &args.slo {
        Some(text) => Some(Objective::parse(text).map_err(|m| anyhow!("--slo {text}: {m}"))?),
        None => None,
    };
    let redundancy = Redundancy::parse(&args.redundancy).map_err(|m| anyhow!("--redundancy: {m}"))?;
    let (base_rps, source) = demand(&args)?;
    let catalogue = match (&args.catalog, &args.instance_type) {
        (Some(catalog), Some(_)) => headroom::read::fleet::read_catalogue(catalog).map_err(|m| anyhow!(m))?,
        (None, None) => Vec::new(),
        _ => bail!("--catalog and --instance-type go together"),
    };
    let pricing = match (&args.catalog, &args.instance_type) {
        (Some(catalog), Some(kind)) => Some(Pricing {
            instance_type: catalogue.iter().find(|t| &t.name == kind).ok_or_else(|| {
                anyhow!(
                    "--instance-type: found `{kind}`; expected a type from {}",
                    catalog.display()
                )
            })?,
            event_hours: args.event_hours,
        }),
        _ => None,
    };
    let request = Request {
        limits: &limits,
        demand: Demand {
            rps: base_rps * args.multiplier,
            base_rps,
            multiplier: args.multiplier,
            source,
        },
        objective,
        redundancy,
        current: args.current,
        pricing,
    };
    let file = build(request, &args.limits)?;
    if let Some(run) = &args.check {
        return check(&file, run);
    }
    let verify = match &args.verify_scenario {
        Some(path) => {
            let hold = parse_duration(&args.verify_hold).map_err(|m| anyhow!("--verify-hold: {m}"))?;
            Some((path.as_path(), hold))
        }
        None => None,
    };
    let workers = limits.limits.instance_model.as_ref().map_or(1, |m| m.servers);
    write(&file, &args.out, verify, workers, args.json)
}

/// The plan, its errors naming the limits.json at `limits` where it is at fault.
pub fn build(request: Request, limits: &Path) -> anyhow::Result<PlanFile> {
    plan::build(request).map_err(|e| match e {
        PlanError::NoModel | PlanError::BadModel(_) => anyhow!("--limits {}: {e}", limits.display()),
        e => anyhow!("{e}"),
    })
}

/// Writes `out`/plan.json (and the verification scenario, held `verify.1`) and prints
/// the plan; `workers` is one instance's, as the limits measured them.
pub fn write(
    file: &PlanFile,
    out: &Path,
    verify: Option<(&Path, Duration)>,
    workers: u32,
    json: bool,
) -> anyhow::Result<u8> {
    let path = out.join("plan.json");
    write_json(&path, file)?;
    if let Some((scenario, hold)) = verify {
        write_atomic(
            scenario,
            headroom_reports::verify::verify_scenario(file, hold).as_bytes(),
        )?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(file)?);
        return Ok(OK);
    }
    println!("{}\nwrote {}", terminal::plan::render(file), path.display());
    if let Some((scenario, _)) = verify {
        println!(
            "wrote {}: run it against {} instances (or one target of {} workers) with --out out/verify, \
             then repeat this command with --check out/verify/run.json",
            scenario.display(),
            file.instances,
            file.instances as u64 * u64::from(workers)
        );
    }
    Ok(OK)
}

/// Predicted against measured, from the run of a verification scenario.
fn check(p: &PlanFile, path: &Path) -> anyhow::Result<u8> {
    let run: RunResult = read_json(path, "--check")?;
    let c = plan::check(p, &run).ok_or_else(|| anyhow!("--check {}: the run measured no step", path.display()))?;
    println!("{}", terminal::plan::check(p, &c, &path.display().to_string()));
    Ok(if c.met { OK } else { FAILED })
}

/// The base demand and where it came from.
fn demand(args: &PlanArgs) -> anyhow::Result<(f64, String)> {
    match (args.demand, &args.forecast) {
        (Some(_), Some(_)) => bail!("give either --demand or --forecast, not both"),
        (None, None) => bail!("no demand: give --demand RATE or --forecast DIR"),
        (Some(rate), None) if rate > 0.0 => Ok((rate, "--demand".into())),
        (Some(rate), None) => bail!("--demand: found {rate}; expected a rate above 0"),
        (None, Some(dir)) => forecast_demand(dir, args.series.as_deref(), args.use_mean, args.event_date.as_deref()),
    }
}

/// The demand a forecast directory gives `series` (else its first): the peak over the
/// horizon, or the day's maximum on `event_date`; its mean, or its upper 95% bound.
pub fn forecast_demand(
    dir: &Path,
    series: Option<&str>,
    use_mean: bool,
    event_date: Option<&str>,
) -> anyhow::Result<(f64, String)> {
    let path = dir.join("summary.json");
    let (summary, _) = read_forecast_dir(dir).map_err(|m| anyhow!(m))?;
    let series = match series {
        Some(name) => summary
            .series
            .iter()
            .find(|s| s.series == name)
            .ok_or_else(|| anyhow!("--series: no series `{name}` in {}", path.display()))?,
        None => summary
            .series
            .first()
            .ok_or_else(|| anyhow!("--forecast {}: no series", path.display()))?,
    };
    let statistic = if use_mean { "mean" } else { "upper 95%" };
    let name = &series.series;
    let Some(date) = event_date else {
        let source = format!("forecast peak of `{name}` over the horizon ({statistic})");
        return Ok((series.peak_demand(use_mean), source));
    };
    let day_start = parse_timestamp(&format!("{date} 00:00:00"))
        .ok_or_else(|| anyhow!("--event-date: found `{date}`; expected YYYY-MM-DD"))?;
    let value = series.day_peak(day_start, use_mean).ok_or_else(|| {
        anyhow!(
            "--event-date {date}: outside the forecast of `{name}`, which covers {} to {}",
            format_timestamp(series.start),
            format_timestamp(series.last())
        )
    })?;
    let source = format!("forecast of `{name}` on {date} ({statistic}, the day's maximum)");
    Ok((value, source))
}
