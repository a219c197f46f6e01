//! Monthly cost per service, today against the recommendation, each bar with its value,
//! in the order the report lists services (largest savings first). The chart grows with
//! the number of services so 200 of them stay readable.

use super::style::{
    self,
    palette::{BLUE, GREY},
    Axes, Mark, WIDTH,
};
use super::*;
use headroom_forecast::rightsize::Report;

/// Pixels per service row.
pub const ROW: u32 = 26;
/// Characters of a service name shown on the axis.
const NAME_CHARS: usize = 24;

pub fn cost(report: &Report) -> anyhow::Result<String> {
    let services = &report.services;
    let n = services.len().max(1);
    // Room on the right for the largest bar's value.
    let x_max = top(services
        .iter()
        .flat_map(|s| [s.recommended_monthly_usd, s.current_monthly_usd.unwrap_or(0.0)]))
        * 1.15;
    let keys = [
        style::key("today", Mark::Swatch(GREY)),
        style::key("recommended", Mark::Swatch(BLUE)),
    ];
    let money = style::ticks(x_max, "$", "");
    svg(WIDTH, 150 + ROW * n as u32, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
        let mut chart = rows_frame(
            &plot,
            "Monthly cost per service: today and recommended",
            x_max,
            &names,
            Axes {
                x_desc: "USD per month".into(),
                y_desc: "service (largest savings first)".into(),
                x_tick: &money,
                y_tick: &|_| String::new(),
            },
        )?;
        for (i, s) in services.iter().enumerate() {
            let y = row(n, i);
            let mut bar = |from: f64, to: f64, value: f64, colour: RGBColor, what: &str| -> DrawResult {
                chart.draw_series([Rectangle::new([(0.0, y + from), (value, y + to)], colour.filled())])?;
                chart.draw_series([Text::new(
                    style::money(value),
                    (value, y + (from + to) / 2.0),
                    style::anchored(style::TICK_PX - 1.0, style::HPos::Left, style::VPos::Center),
                )])?;
                tips.add(
                    &chart,
                    (value, y + (from + to) / 2.0),
                    format!("{} {what}: {} a month", s.service, style::money(value)),
                );
                Ok(())
            };
            if let Some(c) = s.current_monthly_usd {
                bar(0.02, 0.44, c, GREY, "today")?;
            }
            bar(-0.44, -0.02, s.recommended_monthly_usd, BLUE, "recommended")?;
        }
        style::legend(&strip, &keys)
    })
}

/// A frame with one labelled row per name (cut to `NAME_CHARS` on the axis), top to
/// bottom, and an x axis from 0.
pub fn rows_frame<'a, 'b>(
    root: &'a Area<'b>,
    caption: &str,
    x_max: f64,
    names: &[&str],
    axes: Axes,
) -> Result<Frame<'a, 'b>, Box<dyn std::error::Error>> {
    let names: Vec<String> = names
        .iter()
        .map(|s| crate::safe::bounded_middle(s, NAME_CHARS))
        .collect();
    let n = names.len().max(1);
    let widest = names.iter().map(|s| s.chars().count()).max().unwrap_or(4);
    let label_of = |y: &f64| label(names.iter().map(String::as_str), *y);
    let axes = Axes {
        y_tick: &label_of,
        ..axes
    };
    style::frame_with(root, caption, 0.0..x_max, -0.5..n as f64 - 0.5, &axes, widest, n)
}

/// The centre of row `i` of `n`: rows run top to bottom in list order, one unit apart,
/// centred on whole numbers so that each axis label sits on its row.
pub fn row(n: usize, i: usize) -> f64 {
    (n - 1 - i) as f64
}

/// On row `y`: the recommended figure as a solid vermillion mark and today's, when
/// known, as a dotted black one (the utilisation and requests charts' key).
pub fn recommended_and_today(chart: &mut Frame, y: f64, recommended: f64, today: Option<f64>) -> DrawResult {
    use style::palette::{BLACK, VERMILLION};
    chart.draw_series([PathElement::new(
        [(recommended, y - 0.42), (recommended, y + 0.42)],
        VERMILLION.stroke_width(3),
    )])?;
    if let Some(today) = today {
        style::line(
            chart,
            vec![(today, y - 0.45), (today, y + 0.45)],
            BLACK,
            style::Dash::Dotted,
            2,
        )?;
    }
    Ok(())
}

/// The name of the row centred at `y` (empty between rows).
pub fn label<'a>(mut names: impl ExactSizeIterator<Item = &'a str>, y: f64) -> String {
    let n = names.len() as f64;
    let centre = y.round();
    if (y - centre).abs() > 0.01 || centre < 0.0 || centre >= n {
        return String::new();
    }
    names.nth((n - 1.0 - centre) as usize).unwrap_or_default().to_string()
}
