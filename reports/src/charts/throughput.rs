//! Throughput against load: the measured steps (the truth, drawn solid), the fitted USL
//! and the capacity c/S (models, drawn dashed) and the knee (dotted). Where the model
//! and the measurement disagree, `model_disagreement` says how much, for the caption.

use super::style::{
    self,
    palette::{BLACK, BLUE, GREEN, ORANGE},
    Axes, Dash, Mark, PANEL, WIDTH,
};
use super::*;
use headroom_forecast::capacity::limits::{LimitsFile, Model};
use headroom_forecast::capacity::usl::Usl;

fn usl(l: &LimitsFile) -> Option<Usl> {
    l.limits.usl.as_ref().map(|u| Usl {
        sigma: u.sigma,
        kappa: u.kappa,
        lambda: u.lambda,
    })
}

/// How the USL curve departs from the measured points: its peak above the highest
/// measured throughput, and the largest gap at a measured load, as sentences.
pub fn model_disagreement(l: &LimitsFile) -> Vec<String> {
    let Some(model) = usl(l) else { return Vec::new() };
    let measured_max = l.points.iter().map(|p| p.throughput_rps).fold(0.0, f64::max);
    let mut notes = Vec::new();
    if let Some(peak) = l.limits.usl.as_ref().and_then(|u| u.peak_throughput) {
        if peak > measured_max * 1.02 {
            notes.push(format!(
                "The USL curve peaks at {} rps, above every measured step (highest {} rps): \
                 believe the measured points; the curve is a fit between them.",
                style::number(peak, 0),
                style::number(measured_max, 0)
            ));
        }
    }
    let worst = l
        .points
        .iter()
        .filter(|p| p.throughput_rps > 0.0)
        .map(|p| (p, model.throughput(p.load) / p.throughput_rps - 1.0))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    if let Some((p, gap)) = worst.filter(|(_, gap)| gap.abs() > 0.05) {
        notes.push(format!(
            "At {} {} the curve is {:.0}% {} the measurement ({} against {} rps).",
            style::number(p.load, if p.load.fract() == 0.0 { 0 } else { 1 }),
            l.limits.load_kind.unit(),
            gap.abs() * 100.0,
            if gap > 0.0 { "above" } else { "below" },
            style::number(model.throughput(p.load), 0),
            style::number(p.throughput_rps, 0)
        ));
    }
    notes
}

pub fn throughput(l: &LimitsFile) -> anyhow::Result<String> {
    let points: Vec<(f64, f64)> = l.points.iter().map(|p| (p.load, p.throughput_rps)).collect();
    let x_max = top(points.iter().map(|p| p.0));
    let y_max = top(points
        .iter()
        .map(|p| p.1)
        .chain(l.limits.usl.as_ref().and_then(|u| u.peak_throughput)));
    let unit = l.limits.load_kind.unit();
    let mut keys = vec![style::key("measured steps", Mark::Dot(BLUE))];
    if let Some(u) = &l.limits.usl {
        keys.push(style::key(
            format!("USL fit, a model (sigma {:.3}, kappa {:.1e})", u.sigma, u.kappa),
            Mark::Line(ORANGE, Dash::Dashed),
        ));
    }
    let capacity = l.limits.instance_model.as_ref();
    if let Some(m) = capacity {
        let measured = if m.capacity_measured { "measured" } else { "at least" };
        keys.push(style::key(
            format!(
                "capacity c/S = {} / {:.2} ms = {} rps ({measured})",
                m.servers,
                m.service_time_ms,
                style::number(m.capacity_rps, 0)
            ),
            Mark::Line(GREEN, Dash::Dashed),
        ));
    }
    if let Some(k) = &l.limits.knee {
        keys.push(style::key(
            format!("knee: {} {unit}", style::number(k.load.value, 1)),
            Mark::Line(BLACK, Dash::Dotted),
        ));
    }
    let x_tick = style::ticks(x_max, "", "");
    let y_tick = style::ticks(y_max, "", "");
    svg(WIDTH, PANEL + 90, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = style::frame(
            &plot,
            "Throughput vs load",
            0.0..x_max,
            0.0..y_max,
            &Axes {
                x_desc: format!("offered load ({unit})"),
                y_desc: "throughput (requests/s)".into(),
                x_tick: &x_tick,
                y_tick: &y_tick,
            },
        )?;
        if let Some(model) = usl(l) {
            let curve = (0..=200)
                .map(|i| x_max * i as f64 / 200.0)
                .map(|n| (n, model.throughput(n)));
            style::line(&mut chart, curve.collect(), ORANGE, Dash::Dashed, 2)?;
        }
        if let Some(m) = capacity {
            let cap = m.capacity_rps;
            // Open runs: throughput follows the offered rate up to the capacity.
            let line = match l.limits.load_kind {
                Model::Open => vec![(0.0, 0.0), (cap, cap), (x_max, cap)],
                Model::Closed => vec![(0.0, cap), (x_max, cap)],
            };
            style::line(&mut chart, line, GREEN, Dash::Dashed, 2)?;
        }
        if let Some(k) = &l.limits.knee {
            let n = k.load.value;
            style::line(&mut chart, vec![(n, 0.0), (n, y_max)], BLACK, Dash::Dotted, 1)?;
        }
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 5, BLUE.filled())))?;
        for (p, record) in points.iter().zip(&l.points) {
            let latency: Vec<String> = record
                .latency_ms
                .iter()
                .map(|(name, ms)| format!("{name} {ms:.1} ms"))
                .collect();
            tips.add(
                &chart,
                *p,
                format!(
                    "{} {unit}: {} rps measured; {}",
                    style::number(p.0, 1),
                    style::number(p.1, 1),
                    latency.join(", ")
                ),
            );
        }
        style::legend(&strip, &keys)
    })
}
