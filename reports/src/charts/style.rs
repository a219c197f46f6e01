//! The one chart style every chart draws with: the size charts are shown at, text sizes,
//! the colour-blind-safe palette (Okabe and Ito, 2008) with a dash pattern per role, the
//! light major grid, tick numbers (thousands separators, no needless decimals, `$`),
//! the legend strip below the plot (keys drawn as their series are), and the `<title>`
//! tooltips attached to plotted points.

use super::{Area, DrawResult, Frame};
use crate::safe;
use plotters::prelude::*;
use plotters::style::text_anchor::Pos;
pub use plotters::style::text_anchor::{HPos, VPos};

/// Charts are drawn at the width the report shows them (its 190 mm column), so a font
/// size in the SVG is the size read on the page.
pub const WIDTH: u32 = 720;
/// One plotting panel's height.
pub const PANEL: u32 = 330;
pub const FONT: &str = "sans-serif";

/// Pixel sizes as read in the SVG: tick labels, axis names, legend, title.
pub const TICK_PX: f64 = 13.0;
pub const AXIS_PX: f64 = 14.0;
pub const LEGEND_PX: f64 = 13.0;
pub const TITLE_PX: f64 = 17.0;

/// plotters writes a font of size s as `font-size` s / 1.24 in SVG; this undoes it.
const PLOTTERS_SVG_SCALE: f64 = 1.24;

pub fn text(px: f64) -> TextStyle<'static> {
    (FONT, px * PLOTTERS_SVG_SCALE).into_font().into()
}

/// Text of `px` anchored at its (h, v) point.
pub fn anchored(px: f64, h: HPos, v: VPos) -> TextStyle<'static> {
    text(px).pos(Pos::new(h, v))
}

/// Okabe-Ito: distinguishable with every common colour-vision deficiency.
pub mod palette {
    use plotters::style::RGBColor;
    pub const BLACK: RGBColor = RGBColor(0, 0, 0);
    pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
    pub const SKY: RGBColor = RGBColor(86, 180, 233);
    pub const GREEN: RGBColor = RGBColor(0, 158, 115);
    pub const BLUE: RGBColor = RGBColor(0, 114, 178);
    pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
    pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
    pub const GREY: RGBColor = RGBColor(150, 150, 150);
    pub const GRID: RGBColor = RGBColor(225, 225, 225);
    pub const BAND: RGBColor = RGBColor(238, 242, 248);
}
use palette::{BLACK, BLUE, GREEN, GREY, GRID, ORANGE, PURPLE, VERMILLION};

/// A percentile's colour, the same in every chart (and its SLO line's).
pub fn percentile_colour(name: &str) -> RGBColor {
    match name {
        "p50" | "median" => BLUE,
        "p90" => GREEN,
        "p95" => ORANGE,
        "p99" => VERMILLION,
        "p99.9" => PURPLE,
        _ => BLACK,
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Dash {
    Solid,
    /// Models and objectives.
    Dashed,
    /// Markers: knees, limits, dates.
    Dotted,
}

impl Dash {
    /// (dash, gap) in pixels.
    fn pattern(self) -> Option<(u32, u32)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9, 5)),
            Dash::Dotted => Some((3, 4)),
        }
    }
}

/// A legend entry, drawn as its series is.
pub enum Mark {
    Line(RGBColor, Dash),
    Swatch(RGBColor),
    Dot(RGBColor),
}

pub struct Key {
    pub label: String,
    pub mark: Mark,
}

pub fn key(label: impl Into<String>, mark: Mark) -> Key {
    Key {
        label: label.into(),
        mark,
    }
}

/// A polyline in `colour` with `dash`, in data coordinates.
pub fn line(chart: &mut Frame, points: Vec<(f64, f64)>, colour: RGBColor, dash: Dash, width: u32) -> DrawResult {
    let style = colour.stroke_width(width);
    match dash.pattern() {
        None => chart.draw_series(LineSeries::new(points, style)).map(|_| ()),
        Some((size, gap)) => chart
            .draw_series(DashedLineSeries::new(points, size, gap, style))
            .map(|_| ()),
    }
    .map_err(|e| e.to_string().into())
}

/// Legend rows needed for `keys` across the chart's width.
fn legend_rows(keys: &[Key], width: u32) -> u32 {
    let mut rows = 1;
    let mut x = 0;
    for k in keys {
        let w = key_width(k);
        if x + w > width && x > 0 {
            rows += 1;
            x = 0;
        }
        x += w;
    }
    rows
}

/// The width a key takes: its mark, the label (about 0.55 em a character) and a gap.
fn key_width(k: &Key) -> u32 {
    34 + (k.label.chars().count() as f64 * LEGEND_PX * 0.55) as u32 + 18
}

const LEGEND_ROW: u32 = 22;

/// Splits off a strip at the bottom for the legend; returns (plot, strip).
pub fn with_legend<'a>(root: &Area<'a>, keys: &[Key]) -> (Area<'a>, Area<'a>) {
    let (w, h) = root.dim_in_pixel();
    let strip = if keys.is_empty() {
        0
    } else {
        legend_rows(keys, w - 20) * LEGEND_ROW + 10
    };
    root.split_vertically(h - strip)
}

/// The keys, left to right, wrapping, each mark drawn as its series is.
pub fn legend(strip: &Area, keys: &[Key]) -> DrawResult {
    let (w, _) = strip.dim_in_pixel();
    let (mut x, mut y) = (16i32, LEGEND_ROW as i32 / 2 + 4);
    for k in keys {
        let kw = key_width(k) as i32;
        if x + kw > w as i32 - 4 && x > 16 {
            x = 16;
            y += LEGEND_ROW as i32;
        }
        match k.mark {
            Mark::Line(colour, dash) => {
                let style = colour.stroke_width(2);
                let points = vec![(x, y), (x + 26, y)];
                match dash.pattern() {
                    None => strip.draw(&PathElement::new(points, style))?,
                    Some((size, gap)) => {
                        strip.draw(&plotters::element::DashedPathElement::new(points, size, gap, style))?
                    }
                }
            }
            Mark::Swatch(colour) => strip.draw(&Rectangle::new([(x, y - 6), (x + 26, y + 6)], colour.filled()))?,
            Mark::Dot(colour) => strip.draw(&Circle::new((x + 13, y), 5, colour.filled()))?,
        }
        strip.draw(&Text::new(
            k.label.clone(),
            (x + 34, y),
            anchored(LEGEND_PX, HPos::Left, VPos::Center),
        ))?;
        x += kw;
    }
    Ok(())
}

/// A titled frame: the light major grid only, tick labels from `x_tick`/`y_tick`, axis
/// names with units.
pub struct Axes<'f> {
    pub x_desc: String,
    pub y_desc: String,
    pub x_tick: &'f dyn Fn(&f64) -> String,
    pub y_tick: &'f dyn Fn(&f64) -> String,
}

pub fn frame<'a, 'b>(
    area: &'a Area<'b>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    axes: &Axes,
) -> Result<Frame<'a, 'b>, Box<dyn std::error::Error>> {
    let y_labels = [y.start, y.end, (y.start + y.end) / 2.0]
        .iter()
        .map(|v| (axes.y_tick)(v).chars().count())
        .max()
        .unwrap_or(4);
    frame_with(area, title, x, y, axes, y_labels, 6)
}

/// The width of a tick label of `chars` characters, in pixels.
fn label_width(chars: usize) -> u32 {
    (chars as f64 * TICK_PX * 0.6) as u32
}

/// A frame whose y tick labels are up to `y_label_chars` long, with `y_labels` of them.
pub fn frame_with<'a, 'b>(
    area: &'a Area<'b>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    axes: &Axes,
    y_label_chars: usize,
    y_labels: usize,
) -> Result<Frame<'a, 'b>, Box<dyn std::error::Error>> {
    let mut builder = ChartBuilder::on(area);
    if !title.is_empty() {
        builder.caption(title, text(TITLE_PX));
    }
    let mut chart = builder
        .margin(10)
        .margin_right(22)
        .x_label_area_size(48)
        .y_label_area_size(34 + label_width(y_label_chars))
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(GREY.stroke_width(1))
        .label_style(text(TICK_PX))
        .axis_desc_style(text(AXIS_PX))
        .x_labels(7)
        .y_labels(y_labels)
        .x_label_formatter(axes.x_tick)
        .y_label_formatter(axes.y_tick)
        .x_desc(axes.x_desc.as_str())
        .y_desc(axes.y_desc.as_str())
        .draw()?;
    Ok(chart)
}

/// `1,234,567`: digits grouped by thousands.
pub fn thousands(integer: u64) -> String {
    let digits = integer.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `v` with `decimals` places and thousands separators: `1,600`, `-2.5`.
pub fn number(v: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, v.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    let grouped = thousands(whole.parse().unwrap_or(0));
    match fraction {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

/// Decimals a tick needs on an axis spanning `span`: none for a span of 5 or more.
pub fn tick_decimals(span: f64) -> usize {
    if !(span.is_finite() && span > 0.0) {
        return 0;
    }
    (-(span / 5.0).log10()).ceil().max(0.0) as usize
}

/// A tick formatter for an axis spanning `span`, with `prefix` (`$`) and `suffix` (`%`).
pub fn ticks(span: f64, prefix: &'static str, suffix: &'static str) -> impl Fn(&f64) -> String {
    let decimals = tick_decimals(span);
    move |v| {
        let n = number(*v, decimals);
        match n.strip_prefix('-') {
            Some(positive) => format!("-{prefix}{positive}{suffix}"),
            None => format!("{prefix}{n}{suffix}"),
        }
    }
}

/// `$1,234`: whole dollars past 100, cents below.
pub fn money(v: f64) -> String {
    let decimals = if v.abs() >= 100.0 { 0 } else { 2 };
    let n = number(v, decimals);
    match n.strip_prefix('-') {
        Some(positive) => format!("-${positive}"),
        None => format!("${n}"),
    }
}

/// Hover text for plotted points, written as `<title>`s of invisible circles over them
/// (SVG's own tooltips, no script).
#[derive(Default)]
pub struct Tips(Vec<(i32, i32, String)>);

/// Tooltips kept at most per chart (every k-th point beyond).
const MAX_TIPS: usize = 1500;

impl Tips {
    pub fn add(&mut self, chart: &Frame, at: (f64, f64), text: String) {
        if at.0.is_finite() && at.1.is_finite() {
            let (x, y) = chart.backend_coord(&at);
            self.0.push((x, y, text));
        }
    }

    /// The SVG with the tooltip circles added last (on top).
    pub fn attach(self, svg: &str) -> String {
        let stride = self.0.len().div_ceil(MAX_TIPS).max(1);
        let circles: String = self
            .0
            .iter()
            .step_by(stride)
            .map(|(x, y, t)| {
                format!(
                    "<circle cx=\"{x}\" cy=\"{y}\" r=\"7\" fill=\"#000\" fill-opacity=\"0\"><title>{}</title></circle>\n",
                    safe::html(t)
                )
            })
            .collect();
        match svg.rfind("</svg>") {
            Some(end) => format!("{}<g class=\"tips\">\n{circles}</g>\n{}", &svg[..end], &svg[end..]),
            None => svg.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(number(1600.0, 0), "1,600");
        assert_eq!(number(1234567.891, 2), "1,234,567.89");
        assert_eq!(number(-2.5, 1), "-2.5");
        assert_eq!(number(-0.01, 0), "0");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(money(41172.0), "$41,172");
        assert_eq!(money(12.5), "$12.50");
        assert_eq!(tick_decimals(450.0), 0);
        assert_eq!(tick_decimals(7.0), 0);
        assert_eq!(tick_decimals(0.5), 1);
        assert_eq!(tick_decimals(0.04), 3);
        assert_eq!(ticks(2000.0, "$", "")(&1600.0), "$1,600");
        assert_eq!(ticks(2.0, "", "%")(&1.5), "1.5%");
    }
}
