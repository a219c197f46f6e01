//! Monthly cost per service, today against the recommendation, sorted by savings. The
//! chart grows with the number of services so 200 of them stay readable.

use super::*;
use headroom_forecast::rightsize::Report;

pub const ROW: u32 = 18;

pub fn cost(report: &Report) -> anyhow::Result<String> {
    let services = &report.services;
    let n = services.len().max(1);
    let x_max = top(services
        .iter()
        .flat_map(|s| [s.recommended_monthly_usd, s.current_monthly_usd.unwrap_or(0.0)]));
    let height = 140 + ROW * n as u32;
    svg(WIDTH, height, |root| {
        let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
        let mut chart = rows_frame(
            root,
            "Monthly cost per service: today vs recommended",
            x_max,
            &names,
            "USD per month",
            "service (largest savings first)",
        )?;
        chart
            .draw_series(services.iter().enumerate().filter_map(|(i, s)| {
                s.current_monthly_usd.map(|c| {
                    Rectangle::new(
                        [(0.0, row(n, i) + 0.02), (c, row(n, i) + 0.42)],
                        RGBColor(160, 160, 160).filled(),
                    )
                })
            }))?
            .label("today")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], RGBColor(160, 160, 160).filled()));
        chart
            .draw_series(services.iter().enumerate().map(|(i, s)| {
                Rectangle::new(
                    [(0.0, row(n, i) - 0.42), (s.recommended_monthly_usd, row(n, i) - 0.02)],
                    GREEN.filled(),
                )
            }))?
            .label("recommended")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], GREEN.filled()));
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}

/// A frame with one labelled row per name, top to bottom, and an x axis from 0.
pub fn rows_frame<'a, 'b>(
    root: &'a Area<'b>,
    caption: &str,
    x_max: f64,
    names: &[&str],
    x_desc: &str,
    y_desc: &str,
) -> Result<Frame<'a, 'b>, Box<dyn std::error::Error>> {
    let n = names.len().max(1);
    let mut chart = frame(root, caption, 0.0..x_max, -0.5..n as f64 - 0.5, 180)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&|y| label(names.iter().copied(), *y))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .draw()
        .map_err(|e| e.to_string())?;
    Ok(chart)
}

/// The centre of row `i` of `n`: rows run top to bottom in list order, one unit apart,
/// centred on whole numbers so that each axis label sits on its row.
pub fn row(n: usize, i: usize) -> f64 {
    (n - 1 - i) as f64
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
