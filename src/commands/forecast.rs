//! `headroom forecast`: read utilisation history (CSV, a saved Prometheus response, or
//! a live Prometheus query), forecast every series, and write forecast.csv and
//! summary.json; or, with `--backtest`, score forecasts of a held-out tail.

use super::OK;
use crate::cli::ForecastArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail, Context};
use headroom::read::history::{format_timestamp, parse_prometheus, read_csv_with, Dropped, Histories};
use headroom::read::{prometheus, read_json};
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::PlanFile;
use headroom_forecast::ts::workflow::{self, Grid, History, Horizon, WorkflowError};
use headroom_forecast::ts::{regular, Options, Threshold};
use headroom_loadgen::units::parse_duration;
use headroom_reports::terminal;
use std::path::Path;
use std::time::Duration;

pub fn run(args: ForecastArgs) -> anyhow::Result<u8> {
    let horizon = Horizon::parse(&args.horizon).map_err(|m| anyhow!("--horizon: {m}"))?;
    let step = args
        .step
        .as_deref()
        .map(|s| parse_duration(s).map_err(|m| anyhow!("--step: {m}")))
        .transpose()?;
    let threshold = threshold(&args)?;
    let aggregate = args
        .aggregate
        .as_deref()
        .map(|a| regular::Aggregate::parse(a).map_err(|m| anyhow!("--aggregate: {m}")))
        .transpose()?;
    // Aggregated, the query keeps its own (finer) step and --step is the grid's.
    let query_step = if aggregate.is_some() { None } else { step };
    let (raw, dropped) = read_histories(&args, query_step)?;
    let grid = Grid {
        step_s: step.map(|s| s.as_secs() as i64),
        aggregate,
        drop_outliers: args.drop_outliers,
    };
    let histories = workflow::regularise(raw, grid, &dropped)
        .map_err(|(name, e)| anyhow!("{}: series `{name}`: {e}", source(&args)))?;
    if let Some(holdout) = &args.backtest {
        let held = parse_duration(holdout).map_err(|m| anyhow!("--backtest: {m}"))?;
        let backtest =
            workflow::backtest(histories, held, holdout).map_err(|e| anyhow!("--backtest {holdout}: {e}"))?;
        let path = args.out.join("backtest.json");
        write_json(&path, &backtest)?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&backtest.series)?);
        } else {
            println!("{}\nwrote {}", terminal::forecast::backtest(&backtest), path.display());
        }
        return Ok(OK);
    }
    let options = Options {
        threshold: None,
        keep_spikes: args.keep_spikes,
        ceiling: args.ceiling,
    };
    forecast(histories, &horizon, threshold, &options, &args.out, args.json)
}

/// Forecasts `histories` over `horizon` and writes `out`/history.csv, forecast.csv and
/// summary.json.
pub fn forecast(
    histories: Vec<History>,
    horizon: &Horizon,
    threshold: Option<Threshold>,
    options: &Options,
    out: &Path,
    json: bool,
) -> anyhow::Result<u8> {
    write_atomic(
        &out.join("history.csv"),
        &headroom_reports::forecast::history_csv(&histories, format_timestamp)?,
    )?;
    let summary = workflow::forecast(histories, horizon.duration, threshold, options).map_err(|e| match e {
        e @ (WorkflowError::BeyondHistory { .. } | WorkflowError::TooManySteps { .. }) => {
            anyhow!("--horizon {}: {e}", horizon.text)
        }
        e => anyhow!("{e}"),
    })?;
    write_atomic(
        &out.join("forecast.csv"),
        &headroom_reports::forecast::to_csv(&summary, format_timestamp)?,
    )?;
    write_json(&out.join("summary.json"), &summary)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", terminal::forecast::render(&summary));
        println!(
            "wrote {}, {} and {}",
            out.join("forecast.csv").display(),
            out.join("summary.json").display(),
            out.join("history.csv").display()
        );
    }
    Ok(OK)
}

/// Where the histories came from, for messages: the file or the server.
fn source(args: &ForecastArgs) -> String {
    match (&args.input, &args.prometheus) {
        (Some(path), _) => path.display().to_string(),
        (None, Some(url)) => url.clone(),
        (None, None) => "input".into(),
    }
}

/// The histories, and the rows dropped from each for implausible times (--drop-outliers).
fn read_histories(args: &ForecastArgs, step: Option<Duration>) -> anyhow::Result<(Histories, Dropped)> {
    match (&args.input, &args.prometheus) {
        (Some(_), Some(_)) => bail!("give either INPUT or --prometheus, not both"),
        (None, None) => {
            bail!("no input: give a CSV or a saved Prometheus response, or --prometheus URL --query PROMQL")
        }
        (Some(path), None) if path.extension().is_some_and(|e| e == "json") => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            let histories = parse_prometheus(&text, &path.display().to_string()).map_err(|m| anyhow!(m))?;
            Ok((histories, Dropped::new()))
        }
        (Some(path), None) => read_csv_with(path, args.drop_outliers).map_err(|m| anyhow!(m)),
        (None, Some(url)) => {
            let query = args
                .query
                .as_deref()
                .ok_or_else(|| anyhow!("--prometheus needs --query PROMQL"))?;
            let range = parse_duration(&args.range).map_err(|m| anyhow!("--range: {m}"))?;
            let step = step.unwrap_or_else(|| prometheus::default_step(range));
            Ok((prometheus::read_histories(url, query, range, step)?, Dropped::new()))
        }
    }
}

/// `--threshold X`, or from `--limits` for the fleet's instance count.
fn threshold(args: &ForecastArgs) -> anyhow::Result<Option<Threshold>> {
    match (args.threshold, &args.limits) {
        (Some(_), Some(_)) => bail!("give either --threshold or --limits, not both"),
        (Some(value), None) => Ok(Some(Threshold {
            value,
            source: "--threshold".into(),
        })),
        (None, Some(path)) => limits_threshold(path, fleet_size(args.instances, &args.plan)?).map(Some),
        (None, None) => Ok(None),
    }
}

/// How many instances run today, and where that came from: `--instances`, else the
/// plan's `--current` in `plan` (when that file exists), else one.
pub fn fleet_size(instances: Option<u32>, plan: &Path) -> anyhow::Result<(u32, String)> {
    if let Some(n) = instances {
        return Ok((n, "--instances".into()));
    }
    if plan.exists() {
        let file: PlanFile = read_json(plan, "--plan")?;
        if let Some(current) = file.current {
            return Ok((current.instances, format!("today's count in {}", plan.display())));
        }
    }
    Ok((1, "one instance: give --instances N for a fleet".into()))
}

/// The runway's threshold from a limits.json, for `fleet` instances.
pub fn limits_threshold(path: &Path, fleet: (u32, String)) -> anyhow::Result<Threshold> {
    let file: LimitsFile = read_json(path, "--limits")?;
    let (value, basis) = file.runway_threshold(fleet.0);
    Ok(Threshold {
        value,
        source: format!("{basis} in {} ({})", path.display(), fleet.1),
    })
}
