//! `headroom forecast`'s output: each series' method, backtest, peak, runway, intervals
//! and what the cleaning did; and the backtest table of `--backtest`.

use headroom_forecast::ts::workflow::Backtest;
use headroom_forecast::ts::Summary;
use headroom_loadgen::units::format_timestamp;

/// The summary as the terminal shows it, a block per series.
pub fn render(summary: &Summary) -> String {
    let mut lines = Vec::new();
    if let Some(t) = &summary.threshold {
        lines.push(format!("threshold {:.1} (from {})", t.value, t.source));
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
                t.map_or(format!("does not reach {:.1} within the horizon", r.threshold), |t| {
                    format!("reaches {:.1} at {}", r.threshold, format_timestamp(t))
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

/// The backtest table: a row per series with its MASE, sMAPE, peak error and method.
pub fn backtest(backtest: &Backtest) -> String {
    let mut lines = vec![format!(
        "{:<40} {:>8} {:>8} {:>11}  model",
        "series", "MASE", "sMAPE", "peak error"
    )];
    for r in &backtest.series {
        let mase = r.mase.map_or("-".into(), |m| format!("{m:.3}"));
        lines.push(format!(
            "{:<40} {mase:>8} {:>7.1}% {:>+10.1}%  {}",
            r.series,
            r.smape * 100.0,
            r.peak_error * 100.0,
            r.model
        ));
    }
    lines.join("\n")
}
