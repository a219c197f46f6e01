//! Monthly cost per service, today against the recommendation, sorted by savings. The
//! chart grows with the number of services so 200 of them stay readable.

use super::*;
use headroom_forecast::rightsize::Report;

pub const ROW: u32 = 18;

pub fn cost(report: &Report) -> anyhow::Result<String> {
    let services = &report.services;
    let n = services.len().max(1);
    let x_max = top(services.iter().flat_map(|s| [s.recommended_monthly_usd, s.current_monthly_usd.unwrap_or(0.0)]));
    let height = 140 + ROW * n as u32;
    svg(WIDTH, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption("Monthly cost per service: today vs recommended", (FONT, 22))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(180)
            .build_cartesian_2d(0.0..x_max, 0.0..n as f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| label(services.iter().map(|s| s.service.as_str()), *y))
            .x_desc("USD per month")
            .y_desc("service (largest savings first)")
            .draw()?;
        let row = |i: usize| n as f64 - i as f64 - 1.0;
        chart
            .draw_series(services.iter().enumerate().filter_map(|(i, s)| {
                s.current_monthly_usd.map(|c| Rectangle::new([(0.0, row(i) + 0.52), (c, row(i) + 0.92)], RGBColor(160, 160, 160).filled()))
            }))?
            .label("today")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], RGBColor(160, 160, 160).filled()));
        chart
            .draw_series(services.iter().enumerate().map(|(i, s)| Rectangle::new([(0.0, row(i) + 0.08), (s.recommended_monthly_usd, row(i) + 0.48)], GREEN.filled())))?
            .label("recommended")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], GREEN.filled()));
        chart.configure_series_labels().position(SeriesLabelPosition::LowerRight).border_style(BLACK).background_style(WHITE.mix(0.9)).draw()?;
        Ok(())
    })
}

/// The name of the row at `y` (rows run top to bottom in list order).
pub fn label<'a>(names: impl ExactSizeIterator<Item = &'a str>, y: f64) -> String {
    let n = names.len();
    let index = n as i64 - 1 - y.floor() as i64;
    names.into_iter().nth(index.max(0) as usize).filter(|_| index >= 0 && (y.fract() - 0.5).abs() < 0.5).map(str::to_string).unwrap_or_default()
}
