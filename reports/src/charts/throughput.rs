//! Throughput against load: the measured steps, the fitted model and the knee.

use super::*;
use headroom_forecast::limits::LimitsFile;

pub fn throughput(l: &LimitsFile) -> anyhow::Result<String> {
    let points: Vec<(f64, f64)> = l.points.iter().map(|p| (p.load, p.throughput_rps)).collect();
    let x_max = top(points.iter().map(|p| p.0));
    let y_max = top(points
        .iter()
        .map(|p| p.1)
        .chain(l.limits.usl.as_ref().and_then(|u| u.peak_throughput)));
    svg(WIDTH, HEIGHT, |root| {
        let mut chart = frame(root, "Throughput vs load", 0.0..x_max, 0.0..y_max, 70)?;
        chart
            .configure_mesh()
            .x_desc(format!("offered load ({})", l.limits.load_kind.unit()))
            .y_desc("throughput (requests/s)")
            .draw()?;
        if let Some(u) = &l.limits.usl {
            let model = headroom_forecast::usl::Usl {
                sigma: u.sigma,
                kappa: u.kappa,
                lambda: u.lambda,
            };
            chart
                .draw_series(LineSeries::new(
                    (1..=200)
                        .map(|i| x_max * i as f64 / 200.0)
                        .map(|n| (n, model.throughput(n))),
                    RED.stroke_width(2),
                ))?
                .label(format!("USL fit (sigma {:.4}, kappa {:.2e})", u.sigma, u.kappa))
                .legend(line_key(RED));
        }
        if let Some(m) = &l.limits.instance_model {
            let cap = m.capacity_rps;
            // Open runs: throughput follows the offered rate up to the capacity.
            let line = match l.limits.load_kind {
                headroom_forecast::limits::LoadKind::Rate => vec![(0.0, 0.0), (cap, cap), (x_max, cap)],
                headroom_forecast::limits::LoadKind::Users => vec![(0.0, cap), (x_max, cap)],
            };
            let measured = if m.capacity_measured { "measured" } else { "at least" };
            chart
                .draw_series(DashedLineSeries::new(line, 8, 4, MAGENTA.stroke_width(2)))?
                .label(format!(
                    "capacity c/S = {} x {:.2} ms: {cap:.1} rps ({measured})",
                    m.servers, m.service_time_ms
                ))
                .legend(line_key(MAGENTA));
        }
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 5, BLUE.filled())))?
            .label("measured steps")
            .legend(|(x, y)| Circle::new((x + 10, y), 5, BLUE.filled()));
        if let Some(k) = &l.limits.knee {
            let n = k.load.value;
            chart
                .draw_series(DashedLineSeries::new([(n, 0.0), (n, y_max)], 6, 4, BLACK.into()))?
                .label(format!("knee: {:.1} {}", n, k.load.unit))
                .legend(line_key(BLACK));
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    })
}
