//! Peak-event readiness: the predicted SLO percentile against the instance count, with
//! the SLO line and the planned count.

use super::*;
use headroom_forecast::plan::PlanFile;

pub fn plan(p: &PlanFile) -> anyhow::Result<String> {
    let curve: Vec<(f64, f64)> = p
        .curve
        .iter()
        .filter_map(|c| c.objective_ms.map(|ms| (c.instances as f64, ms)))
        .collect();
    let x_min = p.curve.first().map_or(0.0, |c| c.instances as f64) - 0.5;
    let x_max = p.curve.last().map_or(1.0, |c| c.instances as f64) + 0.5;
    let y_max = (p.objective.limit_ms * 3.0)
        .min(top(curve.iter().map(|c| c.1)))
        .max(p.objective.limit_ms * 1.3);
    svg(WIDTH, HEIGHT, |root| {
        let mut chart = frame(
            root,
            &format!("Peak-event readiness at {:.0} rps", p.demand.rps),
            x_min..x_max,
            0.0..y_max,
            70,
        )?;
        chart
            .configure_mesh()
            .x_desc(format!("instances ({} spare lost)", p.redundancy))
            .y_desc(format!("predicted {} (ms)", p.objective.name))
            .draw()?;
        chart
            .draw_series(
                LineSeries::new(curve.iter().map(|&(n, ms)| (n, ms.min(y_max))), BLUE.stroke_width(2)).point_size(4),
            )?
            .label(format!("predicted {}", p.objective.name))
            .legend(line_key(BLUE));
        chart
            .draw_series(DashedLineSeries::new(
                [(x_min, p.objective.limit_ms), (x_max, p.objective.limit_ms)],
                8,
                5,
                RED.into(),
            ))?
            .label(format!("SLO {} <= {} ms", p.objective.name, p.objective.limit_ms))
            .legend(line_key(RED));
        let n = p.instances as f64;
        chart
            .draw_series(DashedLineSeries::new([(n, 0.0), (n, y_max)], 6, 4, BLACK.into()))?
            .label(format!("plan: {} instances", p.instances))
            .legend(line_key(BLACK));
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    })
}
