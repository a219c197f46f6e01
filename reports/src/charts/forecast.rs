//! A series' history with its forecast, drawn as planners read forecasts elsewhere: the
//! history and the forecast mean as lines, or as their range (minimum to maximum) per
//! pixel column where points are denser than pixels, outlined so that a thin range never
//! vanishes; the 95% and 80% intervals as shaded bands around the mean, the legend
//! saying which is which; the threshold dashed, and both runway dates marked (when the
//! mean reaches the threshold, and when the upper 95% bound does).

use super::style::{
    self,
    palette::{BLACK, BLUE, GREY, VERMILLION},
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
/// The bands' shades: the 95% band pale, the 80% band inside it deeper (Okabe-Ito blue
/// mixed with white).
const BAND95: RGBColor = RGBColor(204, 227, 240);
const BAND80: RGBColor = RGBColor(140, 190, 220);

/// One line of points, or its range per column when there are more points than columns.
enum Trace {
    Line(Vec<(f64, f64)>),
    Range(Vec<(f64, f64, f64)>),
}

impl Trace {
    fn of(points: &[(f64, f64)], columns: usize) -> Trace {
        if points.len() <= columns {
            Trace::Line(points.to_vec())
        } else {
            Trace::Range(envelope(points, columns))
        }
    }

    fn is_range(&self) -> bool {
        matches!(self, Trace::Range(_))
    }

    /// The line, or the range filled and outlined in `colour`.
    fn draw(self, chart: &mut Frame, colour: RGBColor, width: u32) -> DrawResult {
        match self {
            Trace::Line(points) => style::line(chart, points, colour, Dash::Solid, width),
            Trace::Range(columns) => {
                chart.draw_series([Polygon::new(envelope_polygon(&columns), colour.mix(0.6).filled())])?;
                for edge in [
                    columns.iter().map(|&(x, _, hi)| (x, hi)).collect(),
                    columns.iter().map(|&(x, lo, _)| (x, lo)).collect(),
                ] {
                    style::line(chart, edge, colour, Dash::Solid, 1)?;
                }
                Ok(())
            }
        }
    }
}

/// A band as a polygon: the upper edge of `hi` per column, then the lower edge of `lo`
/// back.
fn band(at: &dyn Fn(usize) -> f64, lo: &[f64], hi: &[f64], columns: usize) -> Vec<(f64, f64)> {
    let upper = envelope(&(0..hi.len()).map(|j| (at(j), hi[j])).collect::<Vec<_>>(), columns);
    let lower = envelope(&(0..lo.len()).map(|j| (at(j), lo[j])).collect::<Vec<_>>(), columns);
    upper
        .iter()
        .map(|&(x, _, max)| (x, max))
        .chain(lower.iter().rev().map(|&(x, min, _)| (x, min)))
        .collect()
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
    // Each part gets the columns its share of the time span deserves.
    let share = |from: f64, to: f64| ((COLUMNS as f64 * (to - from) / (x_max - x_min)).round() as usize).max(1);
    let history_end = history.points.last().map_or(x_min, |p| p.0);
    let past = Trace::of(history.points, share(x_min, history_end));
    let ahead = share(at(0), x_max);
    let mean = Trace::of(
        &(0..b.mean.len()).map(|j| (at(j), b.mean[j])).collect::<Vec<_>>(),
        ahead,
    );
    let band95 = band(&at, &b.lo95, &b.hi95, ahead);
    let band80 = band(&at, &b.lo80, &b.hi80, ahead);
    let runway = series.runway.as_ref();
    let mean_date = runway.and_then(|r| r.mean_crosses_at);
    let upper_date = runway.and_then(|r| r.upper95_crosses_at);
    let drawn = |trace: &Trace, colour| {
        if trace.is_range() {
            (", range per pixel", Mark::Swatch(colour))
        } else {
            ("", Mark::Line(colour, Dash::Solid))
        }
    };
    let (past_note, past_mark) = drawn(&past, GREY);
    let (mean_note, mean_mark) = drawn(&mean, BLUE);
    let mut keys = vec![
        style::key(format!("history{past_note}"), past_mark),
        style::key(format!("forecast mean{mean_note} ({})", series.model), mean_mark),
        style::key("80% interval (deeper shade)", Mark::Swatch(BAND80)),
        style::key("95% interval (paler shade)", Mark::Swatch(BAND95)),
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
    let tip_points: Vec<(f64, f64)> = history
        .points
        .iter()
        .step_by((history.points.len() / 150).max(1))
        .copied()
        .collect();
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
        chart.draw_series([Polygon::new(band95, BAND95.filled())])?;
        chart.draw_series([Polygon::new(band80, BAND80.filled())])?;
        past.draw(&mut chart, GREY, 1)?;
        mean.draw(&mut chart, BLUE, 2)?;
        if let Some(t) = threshold {
            style::line(&mut chart, vec![(x_min, t), (x_max, t)], VERMILLION, Dash::Dashed, 2)?;
        }
        for (when, colour) in [(mean_date, BLACK), (upper_date, GREY)] {
            if let Some(w) = when {
                let w = w as f64;
                style::line(&mut chart, vec![(w, y_min), (w, y_max)], colour, Dash::Dotted, 2)?;
            }
        }
        for &(x, y) in &tip_points {
            tips.add(&chart, (x, y), format!("{}: {y:.1}", date(x)));
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
