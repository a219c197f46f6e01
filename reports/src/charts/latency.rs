//! Latency percentiles against load, each SLO dashed in its percentile's colour and the
//! SLO limit dotted. When one step dwarfs the rest the axis is broken: it stops a little
//! above the others and the SLO lines, and the off-scale points sit on the top edge as
//! triangles with their value written beside them.

use super::style::{self, palette::BLACK, Axes, Dash, Mark, PANEL, WIDTH};
use super::*;
use headroom_forecast::capacity::limits::LimitsFile;

const DRAWN: [&str; 4] = ["p50", "p95", "p99", "*"];

/// The y axis' top: with room above every value, or, when the largest is more than
/// three times the rest (values and objectives alike), 1.6 times the rest. Returns
/// (top, whether the axis is broken).
pub fn latency_axis(values: &[f64], objectives: &[f64]) -> (f64, bool) {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let Some(&largest) = sorted.last() else {
        return (top(objectives.iter().copied()), false);
    };
    let rest = sorted[..sorted.len() - 1]
        .iter()
        .chain(objectives)
        .copied()
        .fold(0.0, f64::max);
    if rest > 0.0 && largest > 3.0 * rest {
        (rest * 1.6, true)
    } else {
        (top(sorted.iter().chain(objectives).copied()), false)
    }
}

pub fn latency(l: &LimitsFile) -> anyhow::Result<String> {
    let x_max = top(l.points.iter().map(|p| p.load));
    let values: Vec<f64> = l
        .points
        .iter()
        .flat_map(|p| DRAWN.iter().filter_map(|n| p.latency_ms.get(*n).copied()))
        .collect();
    let objectives: Vec<f64> = l.limits.objectives.iter().map(|o| o.limit_ms).collect();
    let (y_max, broken) = latency_axis(&values, &objectives);
    let unit = l.limits.load_kind.unit();
    let drawn: Vec<&str> = DRAWN
        .into_iter()
        .filter(|n| l.points.iter().any(|p| p.latency_ms.contains_key(*n)))
        .collect();
    let mut keys: Vec<_> = drawn
        .iter()
        .map(|n| {
            let label = if *n == "*" { "latency" } else { n };
            style::key(label, Mark::Line(style::percentile_colour(n), Dash::Solid))
        })
        .collect();
    for o in &l.limits.objectives {
        keys.push(style::key(
            format!("SLO {} <= {} ms", o.objective, style::number(o.limit_ms, 0)),
            Mark::Line(style::percentile_colour(&o.objective), Dash::Dashed),
        ));
    }
    if let Some(limit) = &l.limits.slo_limit {
        keys.push(style::key(
            format!(
                "SLO limit: {} {unit} ({} rps)",
                style::number(limit.load.value, 1),
                style::number(limit.throughput.value, 0)
            ),
            Mark::Line(BLACK, Dash::Dotted),
        ));
    }
    if broken {
        keys.push(style::key("off the scale (value written beside)", Mark::Dot(BLACK)));
    }
    let x_tick = style::ticks(x_max, "", "");
    let y_tick = style::ticks(y_max, "", "");
    svg(WIDTH, PANEL + 90, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = style::frame(
            &plot,
            "Latency vs load",
            0.0..x_max,
            0.0..y_max,
            &Axes {
                x_desc: format!("offered load ({unit})"),
                y_desc: if broken {
                    "latency (ms), axis cut"
                } else {
                    "latency (ms)"
                }
                .into(),
                x_tick: &x_tick,
                y_tick: &y_tick,
            },
        )?;
        for o in &l.limits.objectives {
            let colour = style::percentile_colour(&o.objective);
            style::line(
                &mut chart,
                vec![(0.0, o.limit_ms), (x_max, o.limit_ms)],
                colour,
                Dash::Dashed,
                2,
            )?;
        }
        if let Some(limit) = &l.limits.slo_limit {
            let n = limit.load.value;
            style::line(&mut chart, vec![(n, 0.0), (n, y_max)], BLACK, Dash::Dotted, 1)?;
        }
        for name in &drawn {
            let colour = style::percentile_colour(name);
            let line: Vec<(f64, f64)> = l
                .points
                .iter()
                .filter_map(|p| p.latency_ms.get(*name).map(|v| (p.load, *v)))
                .collect();
            let clipped: Vec<(f64, f64)> = line.iter().map(|&(x, y)| (x, y.min(y_max))).collect();
            style::line(&mut chart, clipped.clone(), colour, Dash::Solid, 2)?;
            for (&(x, y), &(_, shown)) in line.iter().zip(&clipped) {
                if y > y_max {
                    chart.draw_series([Polygon::new(
                        vec![
                            (x, y_max),
                            (x - x_max * 0.012, y_max * 0.96),
                            (x + x_max * 0.012, y_max * 0.96),
                        ],
                        colour.filled(),
                    )])?;
                    chart.draw_series([Text::new(
                        format!("{name} {} ms", style::number(y, 0)),
                        (x, y_max * 0.93),
                        style::anchored(style::TICK_PX, style::HPos::Right, style::VPos::Top),
                    )])?;
                } else {
                    chart.draw_series([Circle::new((x, shown), 3, colour.filled())])?;
                }
                tips.add(
                    &chart,
                    (x, shown),
                    format!("{} {unit}: {name} {:.1} ms", style::number(x, 1), y),
                );
            }
        }
        style::legend(&strip, &keys)
    })
}

#[cfg(test)]
mod tests {
    use super::latency_axis;

    #[test]
    fn one_overloaded_step_breaks_the_axis() {
        let (top, broken) = latency_axis(&[10.0, 11.0, 20.0, 40.0, 1260.0], &[50.0]);
        assert!(broken);
        assert!((top - 80.0).abs() < 1e-9, "{top}");
        let (top, broken) = latency_axis(&[10.0, 20.0, 40.0], &[50.0]);
        assert!(!broken && top > 50.0);
    }
}
