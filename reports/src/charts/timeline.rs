//! A run's timeline: throughput and errors per second above, p95 latency below, each
//! step shaded.

use super::*;
use headroom_loadgen::results::RunResult;

pub fn timeline(run: &RunResult) -> anyhow::Result<String> {
    let rows = &run.timeline;
    let t_max = rows.last().map_or(1.0, |r| r.t as f64).max(1.0);
    let spans = step_spans(run);
    svg(WIDTH, HEIGHT + 120, |root| {
        let (upper, lower) = root.split_vertically((HEIGHT + 120) / 2);
        let mut top_chart = frame(
            &upper,
            &format!("Run timeline: {}", run.scenario),
            0.0..t_max,
            0.0..top(rows.iter().map(|r| r.rps + r.errors as f64)),
            70,
        )?;
        top_chart
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc("per second")
            .draw()?;
        shade(&mut top_chart, &spans)?;
        top_chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.t as f64, r.rps)),
                BLUE.stroke_width(2),
            ))?
            .label("throughput (requests/s)")
            .legend(line_key(BLUE));
        top_chart
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.t as f64, r.errors as f64)),
                RED.stroke_width(2),
            ))?
            .label("errors/s")
            .legend(line_key(RED));
        legend(&mut top_chart, SeriesLabelPosition::UpperLeft)?;
        let mut bottom = frame(&lower, "", 0.0..t_max, 0.0..top(rows.iter().map(|r| r.p95)), 70)?;
        bottom
            .configure_mesh()
            .x_desc("time (s)")
            .y_desc("p95 latency (ms)")
            .draw()?;
        shade(&mut bottom, &spans)?;
        bottom
            .draw_series(LineSeries::new(
                rows.iter().map(|r| (r.t as f64, r.p95)),
                RGBColor(230, 140, 0).stroke_width(2),
            ))?
            .label("p95 latency (ms); shaded bands are steps")
            .legend(line_key(RGBColor(230, 140, 0)));
        legend(&mut bottom, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// Each step's hold as (start, end) seconds.
fn step_spans(run: &RunResult) -> Vec<(f64, f64)> {
    run.steps
        .iter()
        .map(|s| (s.start_s, s.start_s + s.duration_s))
        .collect()
}

fn shade<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    spans: &[(f64, f64)],
) -> DrawResult {
    let y = chart.y_range();
    chart
        .draw_series(spans.iter().enumerate().map(|(i, &(a, b))| {
            let color = if i % 2 == 0 {
                RGBColor(220, 230, 245)
            } else {
                RGBColor(235, 240, 250)
            };
            Rectangle::new([(a, y.start), (b, y.end)], color.filled())
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}
