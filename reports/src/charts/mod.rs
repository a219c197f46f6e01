//! SVG charts drawn with plotters, one chart per file. Each takes a result type and
//! returns the SVG text; titles, axis labels with units, legends and the SLO or
//! threshold lines are part of every chart. Text is escaped by plotters' SVG backend.

mod cost;
mod forecast;
mod latency;
mod plan;
mod throughput;
mod timeline;
mod utilisation;

pub use cost::cost;
pub use forecast::{date, forecast, History};
pub use latency::latency;
pub use plan::plan;
pub use throughput::throughput;
pub use timeline::timeline;
pub use utilisation::utilisation;

use plotters::coord::Shift;
use plotters::prelude::*;

pub type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub type DrawResult = Result<(), Box<dyn std::error::Error>>;

pub const WIDTH: u32 = 900;
pub const HEIGHT: u32 = 480;
pub const FONT: &str = "sans-serif";

pub type Frame<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
>;

/// A titled chart frame with room for axis labels; `y_label_area` widens for long names.
pub fn frame<'a, 'b>(
    root: &'a Area<'b>,
    caption: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    y_label_area: u32,
) -> Result<Frame<'a, 'b>, Box<dyn std::error::Error>> {
    Ok(ChartBuilder::on(root)
        .caption(caption, (FONT, 22))
        .margin(12)
        .x_label_area_size(45)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())?)
}

/// The legend every chart draws: boxed, on a light background, at `position`.
pub fn legend<'a, 'b: 'a>(chart: &mut Frame<'a, 'b>, position: SeriesLabelPosition) -> DrawResult {
    chart
        .configure_series_labels()
        .position(position)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.9))
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A legend key drawn as a short line in `color`.
pub fn line_key<S: Into<ShapeStyle> + Clone + 'static>(style: S) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style.clone())
}

/// Draws on a fresh white canvas and returns the SVG text.
pub fn svg(width: u32, height: u32, draw: impl FnOnce(&Area) -> DrawResult) -> anyhow::Result<String> {
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        draw(&root).map_err(|e| anyhow::anyhow!("drawing a chart: {e}"))?;
        root.present().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(text)
}

/// Per pixel column, the minimum and maximum of the points falling in it, so that a
/// million points draw as a few hundred segments and no peak is lost. Returns a zigzag
/// path (x, min), (x, max), ... in x order.
pub fn min_max_path(points: &[(f64, f64)], columns: usize) -> Vec<(f64, f64)> {
    if points.len() <= 2 * columns || columns == 0 {
        return points.to_vec();
    }
    let (x0, x1) = (points[0].0, points[points.len() - 1].0);
    let width = (x1 - x0).max(f64::MIN_POSITIVE) / columns as f64;
    let mut path = Vec::with_capacity(2 * columns);
    let mut column = usize::MAX;
    let (mut lo, mut hi, mut at) = (f64::INFINITY, f64::NEG_INFINITY, x0);
    for &(x, y) in points {
        let c = (((x - x0) / width) as usize).min(columns - 1);
        if c != column && column != usize::MAX {
            path.push((at, lo));
            path.push((at, hi));
            lo = f64::INFINITY;
            hi = f64::NEG_INFINITY;
        }
        if c != column {
            column = c;
            at = x0 + (c as f64 + 0.5) * width;
        }
        lo = lo.min(y);
        hi = hi.max(y);
    }
    path.push((at, lo));
    path.push((at, hi));
    path
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
