//! `headroom forecast`: read utilisation history (CSV, a saved Prometheus response, or
//! a live Prometheus query), forecast every series, and write forecast.csv and
//! summary.json; or, with `--backtest`, score forecasts of a held-out tail.

use super::{read_json, OK};
use crate::cli::ForecastArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail, Context};
use headroom::input::{
    format_timestamp, no_series, parse_prometheus, parse_prometheus_piece, read_csv_with, Dropped, Histories,
};
use headroom_forecast::limits::LimitsFile;
use headroom_forecast::ts::{self, regular, Summary, Threshold, SCHEMA_VERSION};
use headroom_loadgen::units::parse_duration;
use std::time::Duration;

/// The longest horizon, in multiples of the history's length.
const MAX_HORIZON_RATIO: u64 = 10;

pub fn run(args: ForecastArgs) -> anyhow::Result<u8> {
    let horizon = parse_duration(&args.horizon).map_err(|m| anyhow!("--horizon: {m}"))?;
    if horizon.is_zero() {
        bail!(
            "--horizon: found {}; expected a duration above 0 such as 90d",
            args.horizon
        );
    }
    let step = args
        .step
        .as_deref()
        .map(|s| parse_duration(s).map_err(|m| anyhow!("--step: {m}")))
        .transpose()?;
    let threshold = threshold(&args)?;
    let mut jobs = Vec::new();
    let aggregate = args
        .aggregate
        .as_deref()
        .map(|a| regular::Aggregate::parse(a).map_err(|m| anyhow!("--aggregate: {m}")))
        .transpose()?;
    // Aggregated, the query keeps its own (finer) step and --step is the grid's.
    let query_step = if aggregate.is_some() { None } else { step };
    let (histories, dropped) = read_histories(&args, query_step)?;
    for (name, samples) in histories {
        let step_s = step.map(|s| s.as_secs() as i64);
        let regularised = match (aggregate, step_s) {
            (Some(how), Some(step_s)) => regular::aggregate_onto(&samples, step_s, how, args.drop_outliers),
            _ => regular::regularise_with(&samples, step_s, args.drop_outliers),
        };
        let (history, mut cleaning) = regularised.map_err(|e| anyhow!("{}: series `{name}`: {e}", source(&args)))?;
        cleaning.dropped_stray += dropped.get(&name).copied().unwrap_or(0);
        jobs.push((name, history, cleaning));
    }
    if let Some(holdout) = &args.backtest {
        return backtest(&args, jobs, holdout);
    }
    write_atomic(
        &args.out.join("history.csv"),
        &headroom_reports::forecast::history_csv(&jobs, format_timestamp)?,
    )?;
    let jobs: Vec<ts::Job> = jobs
        .into_iter()
        .map(|(name, history, cleaning)| {
            let steps = (horizon.as_secs() as i64 / history.step).max(1) as u64;
            let known = history.values.len() as u64;
            if steps > MAX_HORIZON_RATIO * known {
                bail!(
                    "--horizon {}: {steps} steps ahead of the {known} steps of history of `{name}`; expected at most \
                     {MAX_HORIZON_RATIO} times the history (a forecast further out extrapolates nothing the data \
                     shows: forecast a shorter horizon, or give a longer history)",
                    args.horizon
                );
            }
            if steps > ts::regular::MAX_POINTS {
                bail!(
                    "--horizon {}: {steps} steps of {} s for `{name}`; expected at most {} \
                     (forecast a shorter horizon, or resample the history to a coarser step)",
                    args.horizon,
                    history.step,
                    ts::regular::MAX_POINTS
                );
            }
            Ok((name, history, cleaning, steps as usize))
        })
        .collect::<anyhow::Result<_>>()?;
    let options = ts::Options {
        threshold: threshold.as_ref().map(|t| t.value),
        keep_spikes: args.keep_spikes,
        ceiling: args.ceiling,
    };
    let series = ts::forecast_many(jobs, &options)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{e}"))?;
    let summary = Summary {
        schema_version: SCHEMA_VERSION,
        horizon_s: horizon.as_secs() as i64,
        threshold,
        series,
    };
    write_atomic(
        &args.out.join("forecast.csv"),
        &headroom_reports::forecast::to_csv(&summary, format_timestamp)?,
    )?;
    write_json(&args.out.join("summary.json"), &summary)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!("{}", render(&summary));
        println!(
            "wrote {}, {} and {}",
            args.out.join("forecast.csv").display(),
            args.out.join("summary.json").display(),
            args.out.join("history.csv").display()
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
            let step = step.unwrap_or_else(|| super::prometheus::default_step(range));
            let mut merged: Histories = Vec::new();
            for text in super::prometheus::query_range(url, query, range, step)? {
                for (name, samples) in parse_prometheus_piece(&text, url).map_err(|m| anyhow!(m))? {
                    match merged.iter_mut().find(|(known, _)| *known == name) {
                        Some((_, all)) => all.extend(samples),
                        None => merged.push((name, samples)),
                    }
                }
            }
            if merged.is_empty() {
                bail!(no_series(url));
            }
            Ok((merged, Dropped::new()))
        }
    }
}

/// `--threshold X`, or from `--limits`: the SLO limit's throughput, else the peak's.
fn threshold(args: &ForecastArgs) -> anyhow::Result<Option<Threshold>> {
    match (args.threshold, &args.limits) {
        (Some(_), Some(_)) => bail!("give either --threshold or --limits, not both"),
        (Some(value), None) => Ok(Some(Threshold {
            value,
            source: "--threshold".into(),
        })),
        (None, Some(path)) => {
            let file: LimitsFile = read_json(path, "--limits")?;
            let (value, which) = match &file.limits.slo_limit {
                Some(limit) => (limit.throughput.value, "the SLO limit"),
                None => (file.limits.peak.throughput.value, "the peak"),
            };
            Ok(Some(Threshold {
                value,
                source: format!("{which} throughput (rps) in {}", path.display()),
            }))
        }
        (None, None) => Ok(None),
    }
}

fn backtest(
    args: &ForecastArgs,
    jobs: Vec<(String, regular::Regular, regular::Cleaning)>,
    holdout: &str,
) -> anyhow::Result<u8> {
    let held = parse_duration(holdout).map_err(|m| anyhow!("--backtest: {m}"))?;
    let mut rows = Vec::new();
    for (name, history, _) in jobs {
        let steps = (held.as_secs() as i64 / history.step) as usize;
        let (forecast, score) =
            ts::holdout(&name, &history, steps).map_err(|e| anyhow!("--backtest {holdout}: series `{name}`: {e}"))?;
        rows.push(serde_json::json!({
            "series": name, "model": forecast.model, "holdout_steps": steps,
            "mase": score.mase, "smape": score.smape, "peak_error": score.peak_error,
        }));
    }
    write_json(
        &args.out.join("backtest.json"),
        &serde_json::json!({"schema_version": SCHEMA_VERSION, "holdout": holdout, "series": rows}),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(OK);
    }
    println!(
        "{:<40} {:>8} {:>8} {:>11}  model",
        "series", "MASE", "sMAPE", "peak error"
    );
    for r in &rows {
        let mase = r["mase"].as_f64().map_or("-".into(), |m| format!("{m:.3}"));
        println!(
            "{:<40} {mase:>8} {:>7.1}% {:>+10.1}%  {}",
            r["series"].as_str().unwrap_or(""),
            r["smape"].as_f64().unwrap_or(0.0) * 100.0,
            r["peak_error"].as_f64().unwrap_or(0.0) * 100.0,
            r["model"].as_str().unwrap_or("")
        );
    }
    println!("wrote {}", args.out.join("backtest.json").display());
    Ok(OK)
}

fn render(summary: &Summary) -> String {
    let mut lines = Vec::new();
    if let Some(t) = &summary.threshold {
        lines.push(format!("threshold {} (from {})", t.value, t.source));
    }
    for s in &summary.series {
        let p = &s.peak;
        lines.push(format!("{}: {}", s.series, s.model));
        let mase = s.backtest.mase.map_or("-".into(), |m| format!("{m:.3}"));
        lines.push(format!(
            "  backtest  MASE {mase}, sMAPE {:.1}% over the last {} steps",
            s.backtest.smape * 100.0,
            s.backtest.horizon_steps
        ));
        if let Some(trend) = s.trend_per_day {
            lines.push(format!("  trend     {trend:+.4} per day"));
        }
        lines.push(format!(
            "  peak      {:.3} (80% {:.3}..{:.3}, 95% {:.3}..{:.3}) around {}",
            p.value,
            p.lo80,
            p.hi80,
            p.lo95,
            p.hi95,
            format_timestamp(p.at)
        ));
        if let Some(r) = &s.runway {
            let reaches = |t: Option<i64>| {
                t.map_or(format!("does not reach {} within the horizon", r.threshold), |t| {
                    format!("reaches {} at {}", r.threshold, format_timestamp(t))
                })
            };
            lines.push(format!(
                "  runway    the mean {}; the upper 95% bound {}",
                reaches(r.mean_crosses_at),
                reaches(r.upper95_crosses_at)
            ));
        }
        if let Some(i) = &s.intervals {
            let coverage = match (i.normal_coverage80, i.normal_coverage95) {
                (Some(c80), Some(c95)) => format!(
                    "; normal bands held {:.0}% and {:.0}% of the backtest",
                    c80 * 100.0,
                    c95 * 100.0
                ),
                _ => String::new(),
            };
            lines.push(format!(
                "  intervals {} (z {:.2} and {:.2}){coverage}",
                i.method, i.z80, i.z95
            ));
        }
        if let Some(shift) = &s.level_shift {
            lines.push(format!(
                "  shift     level {:+.3} from {}: {}",
                shift.delta,
                format_timestamp(shift.at),
                if shift.fitted_after_only {
                    "fitted on the stretch after it"
                } else {
                    "the history before it moved to the new level"
                }
            ));
        }
        if let Some(change) = &s.trend_change {
            lines.push(format!(
                "  trend     changed from {:+.3}/day to {:+.3}/day at {}: the models fit the whole history and may lag the new trend",
                change.before_per_day,
                change.after_per_day,
                format_timestamp(change.at)
            ));
        }
        if !s.spikes.is_empty() {
            let shown: Vec<String> = s.spikes.iter().take(5).map(|t| format_timestamp(*t)).collect();
            let more = s.spikes.len().saturating_sub(5);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            lines.push(format!("  spikes    kept out of the fit at {}{more}", shown.join(", ")));
        }
        let c = &s.cleaning;
        if c.filled + c.dropped_nan + c.dropped_duplicates + c.dropped_stray > 0 {
            let stray = match c.dropped_stray {
                0 => String::new(),
                n => format!(", {n} far from the rest (--drop-outliers)"),
            };
            lines.push(format!(
                "  cleaning  step {} s: filled {}, dropped {} NaN and {} duplicates{stray}",
                c.step_s, c.filled, c.dropped_nan, c.dropped_duplicates
            ));
        }
        if let Some(a) = &c.aggregated {
            lines.push(format!(
                "  aggregate {} of {} s samples onto {} s steps; {} partial step(s) at the ends left out, {} short step(s) inside",
                a.how.name(), a.from_step_s, a.to_step_s, a.dropped_partial_edges, a.short_steps
            ));
        }
        lines.extend(s.notes.iter().map(|n| format!("  note      {n}")));
    }
    lines.join("\n")
}
