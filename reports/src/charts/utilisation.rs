//! Each service's CPU use (p50 to p99, with p95 and the maximum marked) against the
//! capacity recommended for it.

use super::cost::{row, rows_frame, ROW};
use super::*;
use headroom_forecast::rightsize::Report;

pub fn utilisation(report: &Report) -> anyhow::Result<String> {
    let services = &report.services;
    let n = services.len().max(1);
    let x_max = top(services
        .iter()
        .flat_map(|s| [s.cpu_p99_cores, s.cpu_sized_cores, s.recommended_cores]));
    let height = 140 + ROW * n as u32;
    svg(WIDTH, height, |root| {
        let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
        let mut chart = rows_frame(
            root,
            "CPU use per service against the recommended capacity",
            x_max,
            &names,
            "CPU cores (all instances)",
            "service",
        )?;
        let row = |i: usize| row(n, i);
        chart
            .draw_series(services.iter().enumerate().map(|(i, s)| {
                Rectangle::new(
                    [(s.cpu_p50_cores, row(i) - 0.3), (s.cpu_p99_cores, row(i) + 0.3)],
                    RGBColor(150, 190, 230).filled(),
                )
            }))?
            .label("p50 to p99")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], RGBColor(150, 190, 230).filled()));
        chart
            .draw_series(
                services
                    .iter()
                    .enumerate()
                    .map(|(i, s)| Circle::new((s.cpu_p95_cores, row(i)), 4, BLUE.filled())),
            )?
            .label("p95")
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
        chart
            .draw_series(services.iter().enumerate().map(|(i, s)| {
                let c = s.recommended_cores;
                PathElement::new([(c, row(i) - 0.45), (c, row(i) + 0.45)], RED.stroke_width(3))
            }))?
            .label("recommended capacity")
            .legend(|(x, y)| PathElement::new([(x + 10, y - 6), (x + 10, y + 6)], RED.stroke_width(3)));
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}
