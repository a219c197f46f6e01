//! A run's timeline, one panel each: completed requests, errors and dropped arrivals per
//! second; p50, p95 and p99 latency per second; users (the closed plan's, or the open
//! pool's). Each step's hold is shaded and labelled with its load. Seconds the run did
//! not cover whole (the last, cut short) are not drawn: a partial second is not a zero.

use super::style::{
    self,
    palette::{BAND, BLUE, ORANGE, PURPLE, VERMILLION},
    Axes, Dash, Mark, PANEL, WIDTH,
};
use super::*;
use headroom_loadgen::results::{RunResult, TimelineRow};

/// Tick label width shared by the panels, so their plots line up.
const LABEL_CHARS: usize = 6;

pub fn timeline(run: &RunResult) -> anyhow::Result<String> {
    let rows = run.whole_seconds();
    let t_max = rows.last().map_or(1.0, |r| r.t as f64).max(1.0);
    let with_users = rows.iter().any(|r| r.users.is_some());
    let keys = panel_keys(run);
    let panels = if with_users { 3 } else { 2 };
    let height = (PANEL + 36) * panels as u32 + 40;
    let time = style::ticks(t_max, "", "");
    svg(WIDTH, height, |root, tips| {
        // Each panel has its own legend under it: a colour means one thing per panel.
        let areas = root.split_evenly((panels, 1));
        let mut legends = Vec::new();
        let mut plots = Vec::new();
        for (area, keys) in areas.iter().zip(&keys) {
            let (plot, strip) = style::with_legend(area, keys);
            plots.push(plot);
            legends.push(strip);
        }
        let areas = plots;
        let series =
            |f: fn(&TimelineRow) -> f64| -> Vec<(f64, f64)> { rows.iter().map(|r| (r.t as f64, f(r))).collect() };
        // Requests, errors, drops.
        let y_max = top(rows.iter().map(|r| r.rps.max(r.errors as f64).max(r.dropped as f64)));
        let per_second = style::ticks(y_max, "", "");
        let mut chart = style::frame_with(
            &areas[0],
            &format!("Run timeline: {}", run.scenario),
            0.0..t_max,
            0.0..y_max,
            &Axes {
                x_desc: "time since start (s)".into(),
                y_desc: "per second".into(),
                x_tick: &time,
                y_tick: &per_second,
            },
            LABEL_CHARS,
            6,
        )?;
        shade(&mut chart, run, true)?;
        style::line(&mut chart, series(|r| r.rps), BLUE, Dash::Solid, 2)?;
        style::line(&mut chart, series(|r| r.errors as f64), VERMILLION, Dash::Solid, 2)?;
        style::line(&mut chart, series(|r| r.dropped as f64), ORANGE, Dash::Dashed, 2)?;
        for r in &rows {
            tips.add(
                &chart,
                (r.t as f64, r.rps),
                format!(
                    "second {}: {:.0} completed/s, {} errors, {} dropped",
                    r.t, r.rps, r.errors, r.dropped
                ),
            );
        }
        // Latency.
        let y_max = top(rows.iter().map(|r| r.p99));
        let ms = style::ticks(y_max, "", "");
        let mut chart = style::frame_with(
            &areas[1],
            "",
            0.0..t_max,
            0.0..y_max,
            &Axes {
                x_desc: "time since start (s)".into(),
                y_desc: "latency (ms)".into(),
                x_tick: &time,
                y_tick: &ms,
            },
            LABEL_CHARS,
            6,
        )?;
        shade(&mut chart, run, false)?;
        // A second with no response has no latency (not 0 ms): it is left out.
        let answered: Vec<&&TimelineRow> = rows.iter().filter(|r| r.rps > 0.0 || r.errors > 0).collect();
        for (name, f) in [
            ("p50", (|r: &TimelineRow| r.p50) as fn(&TimelineRow) -> f64),
            ("p95", |r| r.p95),
            ("p99", |r| r.p99),
        ] {
            let points = answered.iter().map(|r| (r.t as f64, f(r))).collect();
            style::line(&mut chart, points, style::percentile_colour(name), Dash::Solid, 2)?;
        }
        for r in &answered {
            tips.add(
                &chart,
                (r.t as f64, r.p95),
                format!(
                    "second {}: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
                    r.t, r.p50, r.p95, r.p99
                ),
            );
        }
        if with_users {
            let users: Vec<(f64, f64)> = rows
                .iter()
                .filter_map(|r| r.users.map(|u| (r.t as f64, u as f64)))
                .collect();
            let y_max = top(users.iter().map(|u| u.1));
            let count = style::ticks(y_max.max(5.0), "", "");
            let mut chart = style::frame_with(
                &areas[2],
                "",
                0.0..t_max,
                0.0..y_max,
                &Axes {
                    x_desc: "time since start (s)".into(),
                    y_desc: users_name(run).into(),
                    x_tick: &time,
                    y_tick: &count,
                },
                LABEL_CHARS,
                6,
            )?;
            shade(&mut chart, run, false)?;
            style::line(&mut chart, users.clone(), PURPLE, Dash::Solid, 2)?;
            for (t, u) in users {
                tips.add(&chart, (t, u), format!("second {t:.0}: {u:.0} users"));
            }
        }
        for (strip, keys) in legends.iter().zip(&keys) {
            style::legend(strip, keys)?;
        }
        Ok(())
    })
}

/// Each panel's legend: per-second counts with the steps' shading, latency, users.
fn panel_keys(run: &RunResult) -> [Vec<style::Key>; 3] {
    [
        vec![
            style::key("completed requests/s", Mark::Line(BLUE, Dash::Solid)),
            style::key("errors/s", Mark::Line(VERMILLION, Dash::Solid)),
            style::key("dropped arrivals/s", Mark::Line(ORANGE, Dash::Dashed)),
            style::key("a step's hold, labelled with its load", Mark::Swatch(BAND)),
        ],
        Vec::from(["p50", "p95", "p99"].map(|p| style::key(p, Mark::Line(style::percentile_colour(p), Dash::Solid)))),
        vec![style::key(users_name(run), Mark::Line(PURPLE, Dash::Solid))],
    ]
}

fn users_name(run: &RunResult) -> &'static str {
    match run.model {
        headroom_loadgen::plan::Model::Closed => "users (the plan's)",
        headroom_loadgen::plan::Model::Open => "users in the pool",
    }
}

/// Each step's hold shaded, alternately; with `labels`, its load written at the top.
fn shade(chart: &mut Frame, run: &RunResult, labels: bool) -> DrawResult {
    let y = chart.y_range();
    for (i, s) in run.steps.iter().enumerate() {
        let (a, b) = (s.start_s, s.start_s + s.duration_s);
        let colour = if i % 2 == 0 { BAND } else { RGBColor(246, 248, 252) };
        chart.draw_series([Rectangle::new([(a, y.start), (b, y.end)], colour.filled())])?;
        if labels {
            chart.draw_series([Text::new(
                s.load_label(),
                ((a + b) / 2.0, y.end),
                style::anchored(style::TICK_PX, style::HPos::Center, style::VPos::Top),
            )])?;
        }
    }
    Ok(())
}
