//! Latency percentiles against load, with each SLO line and the SLO limit marked.

use super::*;
use headroom_forecast::limits::LimitsFile;

const SERIES: [(&str, RGBColor); 4] = [("p50", BLUE), ("p95", RGBColor(230, 140, 0)), ("p99", RED), ("*", BLUE)];

pub fn latency(l: &LimitsFile) -> anyhow::Result<String> {
    let x_max = top(l.points.iter().map(|p| p.load));
    let y_max = top(l
        .points
        .iter()
        .flat_map(|p| p.latency_ms.values().copied())
        .chain(l.limits.objectives.iter().map(|o| o.limit_ms)));
    svg(WIDTH, HEIGHT, |root| {
        let mut chart = frame(root, "Latency vs load", 0.0..x_max, 0.0..y_max, 70)?;
        chart
            .configure_mesh()
            .x_desc(format!("offered load ({})", l.limits.load_kind.unit()))
            .y_desc("latency (ms)")
            .draw()?;
        for (name, color) in SERIES {
            let line: Vec<(f64, f64)> = l
                .points
                .iter()
                .filter_map(|p| p.latency_ms.get(name).map(|v| (p.load, *v)))
                .collect();
            if line.is_empty() {
                continue;
            }
            let label = if name == "*" { "latency" } else { name };
            chart
                .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)).point_size(4))?
                .label(label.to_string())
                .legend(line_key(color));
        }
        for o in &l.limits.objectives {
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, o.limit_ms), (x_max, o.limit_ms)],
                    8,
                    5,
                    RED.into(),
                ))?
                .label(format!("SLO {} <= {} ms", o.objective, o.limit_ms))
                .legend(line_key(RED));
        }
        if let Some(limit) = &l.limits.slo_limit {
            let n = limit.load.value;
            chart
                .draw_series(DashedLineSeries::new([(n, 0.0), (n, y_max)], 6, 4, BLACK.into()))?
                .label(format!(
                    "SLO limit: {:.1} {} ({:.0} rps)",
                    n, limit.load.unit, limit.throughput.value
                ))
                .legend(line_key(BLACK));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}
