//! Peak-event readiness: the predicted SLO percentile (with the redundancy's spares
//! lost) by instance count, from the largest count that fails the SLO to a few past the
//! plan, so the crossing shows; the SLO dashed, the planned count and today's marked.
//! Counts that cannot keep up at all sit on the top edge as "overloaded".

use super::style::{
    self,
    palette::{BLACK, BLUE, GREY, VERMILLION},
    Axes, Dash, Mark, PANEL, WIDTH,
};
use super::*;
use headroom_forecast::capacity::plan::{CurvePoint, PlanFile};

/// Counts past the plan the chart shows.
const PAST_PLAN: u32 = 3;

/// The counts to draw: from the largest failing count below the plan (or today's, if
/// lower) to `PAST_PLAN` past the plan, within the curve.
pub fn shown_range(p: &PlanFile) -> (u32, u32) {
    let fails = |ms: Option<f64>| ms.is_none_or(|v| v > p.objective.limit_ms);
    let first_curve = p.curve.first().map_or(p.instances, |c| c.instances);
    let last_fail = p
        .curve
        .iter()
        .filter(|c| c.instances < p.instances && fails(c.objective_ms))
        .map(|c| c.instances)
        .max()
        .unwrap_or(p.instances.saturating_sub(1).max(first_curve));
    let today = p.current.as_ref().map_or(last_fail, |c| c.instances);
    (
        last_fail.min(today).max(first_curve.min(today)),
        p.instances + PAST_PLAN,
    )
}

pub fn plan(p: &PlanFile) -> anyhow::Result<String> {
    let (first, last) = shown_range(p);
    let shown: Vec<_> = p
        .curve
        .iter()
        .filter(|c| (first..=last).contains(&c.instances))
        .collect();
    let limit = p.objective.limit_ms;
    let y_max = top(shown
        .iter()
        .filter_map(|c| c.objective_ms)
        .filter(|v| *v < limit * 3.0)
        .chain([limit * 1.3]));
    let (x_min, x_max) = (first as f64 - 0.5, last as f64 + 0.5);
    let name = &p.objective.name;
    let mut keys = vec![
        style::key(
            format!("predicted {name}, {} lost", p.redundancy.spares()),
            Mark::Line(BLUE, Dash::Solid),
        ),
        style::key(
            format!("SLO {name} <= {} ms", style::number(limit, 0)),
            Mark::Line(style::percentile_colour(name), Dash::Dashed),
        ),
        style::key(
            format!("plan: {} instances", p.instances),
            Mark::Line(BLACK, Dash::Dashed),
        ),
    ];
    if let Some(c) = &p.current {
        keys.push(style::key(
            format!("today: {} instances", c.instances),
            Mark::Line(GREY, Dash::Dotted),
        ));
    }
    if shown.iter().any(|c| c.objective_ms.is_none_or(|v| v > y_max)) {
        keys.push(style::key("overloaded or off the scale", Mark::Dot(VERMILLION)));
    }
    let count = |x: &f64| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            String::new()
        }
    };
    let ms = style::ticks(y_max, "", "");
    svg(WIDTH, PANEL + 90, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = style::frame(
            &plot,
            &format!("Peak-event readiness at {} rps", style::number(p.demand.rps, 0)),
            x_min..x_max,
            0.0..y_max,
            &Axes {
                x_desc: format!("instances ({})", p.redundancy),
                y_desc: format!("predicted {name} (ms)"),
                x_tick: &count,
                y_tick: &ms,
            },
        )?;
        let colour = style::percentile_colour(name);
        style::line(
            &mut chart,
            vec![(x_min, limit), (x_max, limit)],
            colour,
            Dash::Dashed,
            2,
        )?;
        let n = p.instances as f64;
        style::line(&mut chart, vec![(n, 0.0), (n, y_max)], BLACK, Dash::Dashed, 1)?;
        if let Some(c) = &p.current {
            let t = c.instances as f64;
            style::line(&mut chart, vec![(t, 0.0), (t, y_max)], GREY, Dash::Dotted, 2)?;
        }
        let points: Vec<(f64, f64)> = shown
            .iter()
            .map(|c| (c.instances as f64, c.objective_ms.map_or(y_max, |v| v.min(y_max))))
            .collect();
        // The line joins only counts on the scale: one from an overloaded (off-scale)
        // count down to the next would draw a crossing the model never predicted.
        let on_scale = |c: &&CurvePoint| c.objective_ms.is_some_and(|v| v <= y_max);
        for run in shown
            .chunk_by(|a, b| on_scale(a) == on_scale(b))
            .filter(|run| on_scale(&run[0]))
        {
            let line: Vec<(f64, f64)> = run
                .iter()
                .map(|c| (c.instances as f64, c.objective_ms.unwrap_or(y_max)))
                .collect();
            style::line(&mut chart, line, BLUE, Dash::Solid, 2)?;
        }
        for (c, &(x, y)) in shown.iter().zip(&points) {
            let off = c.objective_ms.is_none_or(|v| v > y_max);
            let colour = if off { VERMILLION } else { BLUE };
            chart.draw_series([Circle::new((x, y), 4, colour.filled())])?;
            let what = c
                .objective_ms
                .map_or("overloaded".to_string(), |v| format!("{name} {v:.1} ms"));
            tips.add(&chart, (x, y), format!("{} instances: {what}", c.instances));
        }
        style::legend(&strip, &keys)
    })
}
