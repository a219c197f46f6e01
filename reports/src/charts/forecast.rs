//! A series' history with its forecast. Long histories and forecasts are drawn per pixel
//! column as the range (minimum to maximum) of the points in it, so no peak is lost; the
//! 80% and 95% bands are drawn over the forecast's range as their edges (solid and
//! dashed), so they stay visible. The threshold is dashed, and both runway dates are
//! marked: when the mean reaches the threshold, and when the upper 95% bound does.

use super::style::{
    self,
    palette::{BLACK, BLUE, GREY, SKY, VERMILLION},
    Axes, Dash, Mark, PANEL, WIDTH,
};
use super::*;
use headroom_forecast::ts::SeriesForecast;

/// A series' history as (Unix seconds, value).
pub struct History<'a> {
    pub points: &'a [(f64, f64)],
}

/// Pixel columns the plot area spans, about.
const COLUMNS: usize = 600;
/// A cycle drawn narrower than this (pixels) reads as hatching: draw its range instead.
const MIN_CYCLE_PX: f64 = 12.0;

/// Columns to aggregate into, and what one column is: a pixel, or, when the shortest
/// season is too narrow to draw, one cycle of it (a day), so the picture is the range
/// per day rather than hatching.
fn columns(series: &SeriesForecast, span_s: f64) -> (usize, String) {
    let cycle_s = series.seasons.iter().min().map(|&k| k as f64 * series.step_s as f64);
    match cycle_s {
        Some(c) if c > 0.0 && COLUMNS as f64 / (span_s / c) < MIN_CYCLE_PX => {
            let what = if (c - 86_400.0).abs() < 1.0 {
                "day".to_string()
            } else {
                format!("{:.0} h cycle", c / 3600.0)
            };
            (((span_s / c).ceil() as usize).max(1), what)
        }
        _ => (COLUMNS, "pixel".to_string()),
    }
}

/// The upper edge of `hi` and the lower edge of `lo`, per column.
fn band_edges(at: &dyn Fn(usize) -> f64, lo: &[f64], hi: &[f64], columns: usize) -> (Vec<(f64, f64)>, Vec<(f64, f64)>) {
    let upper = envelope(&(0..hi.len()).map(|j| (at(j), hi[j])).collect::<Vec<_>>(), columns);
    let lower = envelope(&(0..lo.len()).map(|j| (at(j), lo[j])).collect::<Vec<_>>(), columns);
    (
        upper.iter().map(|&(x, _, max)| (x, max)).collect(),
        lower.iter().map(|&(x, min, _)| (x, min)).collect(),
    )
}

pub fn forecast(series: &SeriesForecast, history: History, threshold: Option<f64>) -> anyhow::Result<String> {
    let b = &series.bands;
    let at = |j: usize| (series.start + j as i64 * series.step_s) as f64;
    let x_min = history.points.first().map_or(at(0), |p| p.0);
    let x_max = at(b.mean.len().saturating_sub(1)).max(x_min + 1.0);
    let y_max = top(history
        .points
        .iter()
        .map(|p| p.1)
        .chain(b.hi95.iter().copied())
        .chain(threshold));
    let y_min = history
        .points
        .iter()
        .map(|p| p.1)
        .chain(b.lo95.iter().copied())
        .fold(0.0, f64::min);
    let (n, per) = columns(series, x_max - x_min);
    // Each part gets the columns its share of the time span deserves.
    let share = |from: f64, to: f64| ((n as f64 * (to - from) / (x_max - x_min)).round() as usize).max(1);
    let history_end = history.points.last().map_or(x_min, |p| p.0);
    let past = envelope(history.points, share(x_min, history_end));
    let ahead = share(at(0), x_max);
    let mean = envelope(
        &(0..b.mean.len()).map(|j| (at(j), b.mean[j])).collect::<Vec<_>>(),
        ahead,
    );
    let (hi80, lo80) = band_edges(&at, &b.lo80, &b.hi80, ahead);
    let (hi95, lo95) = band_edges(&at, &b.lo95, &b.hi95, ahead);
    let runway = series.runway.as_ref();
    let mean_date = runway.and_then(|r| r.mean_crosses_at);
    let upper_date = runway.and_then(|r| r.upper95_crosses_at);
    let mut keys = vec![
        style::key(format!("history, range per {per}"), Mark::Swatch(GREY)),
        style::key(
            format!("forecast mean, range per {per} ({})", series.model),
            Mark::Swatch(SKY),
        ),
        style::key("80% interval", Mark::Line(BLUE, Dash::Solid)),
        style::key("95% interval", Mark::Line(BLUE, Dash::Dashed)),
    ];
    if let Some(t) = threshold {
        keys.push(style::key(
            format!("threshold {}", style::number(t, 1)),
            Mark::Line(VERMILLION, Dash::Dashed),
        ));
    }
    if let Some(d) = mean_date {
        keys.push(style::key(
            format!("mean reaches it: {}", date(d as f64)),
            Mark::Line(BLACK, Dash::Dotted),
        ));
    }
    if let Some(d) = upper_date {
        keys.push(style::key(
            format!("upper 95% reaches it: {}", date(d as f64)),
            Mark::Line(GREY, Dash::Dotted),
        ));
    }
    let y_tick = style::ticks(y_max - y_min, "", "");
    svg(WIDTH, PANEL + 110, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = style::frame(
            &plot,
            &format!("Forecast: {}", series.series),
            x_min..x_max,
            y_min..y_max,
            &Axes {
                x_desc: "date (UTC)".into(),
                y_desc: format!("{} (as recorded)", super::super::safe::bounded(&series.series, 40)),
                x_tick: &|x| date(*x),
                y_tick: &y_tick,
            },
        )?;
        chart.draw_series([Polygon::new(envelope_polygon(&past), GREY.mix(0.8).filled())])?;
        chart.draw_series([Polygon::new(envelope_polygon(&mean), SKY.mix(0.7).filled())])?;
        for (edge, dash) in [
            (hi80, Dash::Solid),
            (lo80, Dash::Solid),
            (hi95, Dash::Dashed),
            (lo95, Dash::Dashed),
        ] {
            style::line(&mut chart, edge, BLUE, dash, 1)?;
        }
        if let Some(t) = threshold {
            style::line(&mut chart, vec![(x_min, t), (x_max, t)], VERMILLION, Dash::Dashed, 2)?;
        }
        for (when, colour) in [(mean_date, BLACK), (upper_date, GREY)] {
            if let Some(w) = when {
                let w = w as f64;
                style::line(&mut chart, vec![(w, y_min), (w, y_max)], colour, Dash::Dotted, 2)?;
            }
        }
        for &(x, lo, hi) in past.iter().step_by(4) {
            tips.add(&chart, (x, hi), format!("{}: {lo:.1} to {hi:.1}", date(x)));
        }
        let step = (b.mean.len() / 150).max(1);
        for j in (0..b.mean.len()).step_by(step) {
            tips.add(
                &chart,
                (at(j), b.mean[j]),
                format!(
                    "{}: mean {:.1}, 80% {:.1} to {:.1}, 95% {:.1} to {:.1}",
                    date(at(j)),
                    b.mean[j],
                    b.lo80[j],
                    b.hi80[j],
                    b.lo95[j],
                    b.hi95[j]
                ),
            );
        }
        style::legend(&strip, &keys)
    })
}

/// `2026-11-27` from Unix seconds on a chart's axis.
pub fn date(seconds: f64) -> String {
    headroom_loadgen::units::format_date((seconds / 86_400.0).floor() as i64 * 86_400)
}
