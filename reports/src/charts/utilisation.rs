//! Each service's CPU use (p50 to p99 as a bar, p95 as a dot) against the capacity
//! recommended for it and the capacity it has today.

use super::cost::{recommended_and_today, row, rows_frame, ROW};
use super::style::{
    self,
    palette::{BLACK, BLUE, SKY, VERMILLION},
    Axes, Dash, Mark, WIDTH,
};
use super::*;
use headroom_forecast::rightsize::Report;

pub fn utilisation(report: &Report) -> anyhow::Result<String> {
    let services = &report.services;
    let n = services.len().max(1);
    let x_max = top(services.iter().flat_map(|s| {
        [
            s.cpu_p99_cores,
            s.cpu_sized_cores,
            s.recommended_cores,
            s.current_cores.unwrap_or(0.0),
        ]
    }));
    let mut keys = vec![
        style::key("CPU use, p50 to p99", Mark::Swatch(SKY)),
        style::key("p95", Mark::Dot(BLUE)),
        style::key("recommended capacity", Mark::Line(VERMILLION, Dash::Solid)),
    ];
    if services.iter().any(|s| s.current_cores.is_some()) {
        keys.push(style::key("today's capacity", Mark::Line(BLACK, Dash::Dotted)));
    }
    let cores = style::ticks(x_max, "", "");
    svg(WIDTH, 150 + ROW * n as u32, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let names: Vec<&str> = services.iter().map(|s| s.service.as_str()).collect();
        let mut chart = rows_frame(
            &plot,
            "CPU use per service against its capacity",
            x_max,
            &names,
            Axes {
                x_desc: "CPU cores (all instances)".into(),
                y_desc: "service".into(),
                x_tick: &cores,
                y_tick: &|_| String::new(),
            },
        )?;
        for (i, s) in services.iter().enumerate() {
            let y = row(n, i);
            chart.draw_series([Rectangle::new(
                [(s.cpu_p50_cores, y - 0.28), (s.cpu_p99_cores, y + 0.28)],
                SKY.filled(),
            )])?;
            chart.draw_series([Circle::new((s.cpu_p95_cores, y), 4, BLUE.filled())])?;
            let c = s.recommended_cores;
            recommended_and_today(&mut chart, y, c, s.current_cores)?;
            tips.add(
                &chart,
                (s.cpu_p95_cores, y),
                format!(
                    "{}: CPU p50 {:.2}, p95 {:.2}, p99 {:.2} cores; recommended {:.1} cores{}",
                    s.service,
                    s.cpu_p50_cores,
                    s.cpu_p95_cores,
                    s.cpu_p99_cores,
                    c,
                    s.current_cores.map_or(String::new(), |t| format!(", today {t:.1}"))
                ),
            );
        }
        style::legend(&strip, &keys)
    })
}
