//! SVG charts drawn with plotters, one chart per file, all in the one style of
//! `style.rs`. Each takes a result type and returns the SVG text; titles, axis names with
//! units, a legend drawn as the series are, the SLO or threshold lines and hover
//! tooltips are part of every chart. Text is escaped by plotters' SVG backend.

mod cost;
mod distribution;
mod forecast;
pub mod latency;
mod plan;
pub mod requests;
mod review;
pub mod style;
pub mod throughput;
pub mod timeline;
mod utilisation;

pub use cost::cost;
pub use distribution::distribution;
pub use forecast::{date, forecast, History};
pub use latency::latency;
pub use plan::plan;
pub use requests::{cpu_requests, memory_requests};
pub use review::{review_cost, review_runway, review_utilisation};
pub use throughput::throughput;
pub use timeline::timeline;
pub use utilisation::utilisation;

use plotters::coord::Shift;
use plotters::prelude::*;
pub use style::{Axes, Dash, Key, Mark, Tips};

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

pub type Frame<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// Draws on a fresh white canvas and returns the SVG text, with the tooltips the
/// drawing collected.
pub fn svg(width: u32, height: u32, draw: impl FnOnce(&Area, &mut Tips) -> DrawResult) -> anyhow::Result<String> {
    let mut text = String::new();
    let mut tips = Tips::default();
    {
        let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        draw(&root, &mut tips).map_err(|e| anyhow::anyhow!("drawing a chart: {e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    // Names from input (a scenario, a series) may carry control characters, which no
    // XML document may hold: one would make the whole chart unreadable.
    Ok(crate::safe::xml(&tips.attach(&text)))
}

/// Per pixel column, the minimum and maximum of the points falling in it, as
/// (column centre, min, max) in x order, so that a million points draw as a few hundred
/// columns and no peak is lost. Few points are returned as they are (min = max).
pub fn envelope(points: &[(f64, f64)], columns: usize) -> Vec<(f64, f64, f64)> {
    if points.len() <= 2 * columns || columns == 0 {
        return points.iter().map(|&(x, y)| (x, y, y)).collect();
    }
    let (x0, x1) = (points[0].0, points[points.len() - 1].0);
    let width = (x1 - x0).max(f64::MIN_POSITIVE) / columns as f64;
    let mut out: Vec<(f64, f64, f64)> = Vec::with_capacity(columns);
    let mut column = usize::MAX;
    for &(x, y) in points {
        let c = (((x - x0) / width) as usize).min(columns - 1);
        if c != column {
            column = c;
            out.push((x0 + (c as f64 + 0.5) * width, y, y));
        }
        let last = out.last_mut().expect("pushed above");
        last.1 = last.1.min(y);
        last.2 = last.2.max(y);
    }
    out
}

/// The envelope as a zigzag path (x, min), (x, max), ... for a line.
pub fn min_max_path(points: &[(f64, f64)], columns: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * columns || columns == 0 {
        return points.to_vec();
    }
    envelope(points, columns)
        .into_iter()
        .flat_map(|(x, lo, hi)| [(x, lo), (x, hi)])
        .collect()
}

/// The envelope as a closed polygon: the maxima left to right, the minima back.
pub fn envelope_polygon(columns: &[(f64, f64, f64)]) -> Vec<(f64, f64)> {
    columns
        .iter()
        .map(|&(x, _, hi)| (x, hi))
        .chain(columns.iter().rev().map(|&(x, lo, _)| (x, lo)))
        .collect()
}

/// Axis upper bound with a little room above the data.
pub fn top(values: impl Iterator<Item = f64>) -> f64 {
    let max = values.filter(|v| v.is_finite()).fold(0.0, f64::max);
    if max > 0.0 {
        max * 1.15
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_keeps_every_peak() {
        let mut points: Vec<(f64, f64)> = (0..1_000_000).map(|i| (i as f64, (i % 100) as f64)).collect();
        points[777_777].1 = 1e6;
        let path = min_max_path(&points, 800);
        assert!(path.len() <= 1600);
        assert!(path.iter().any(|p| p.1 == 1e6));
        assert!(path.iter().all(|p| p.1 >= 0.0));
    }
}
