//! `headroom plan`'s output: the plan (demand, model, sizing planned and today, cost,
//! sensitivity, warnings) and a plan checked against its verifying run.

use headroom_forecast::capacity::instance::CAPACITY_Z;
use headroom_forecast::capacity::plan::{with_lost, Check, PlanFile, Sizing};

/// The plan as the terminal shows it.
pub fn render(p: &PlanFile) -> String {
    let spares = p.redundancy.spares();
    let lost = |what: Option<f64>| match spares {
        0 => String::new(),
        k => format!("  ({} {})", ms(what), with_lost(k)),
    };
    let line = |label: &str, s: &Sizing| {
        format!(
            "{label:<9} {:>4} instances  utilisation {:>5.1}%  p50 {}  {} {}{}  headroom {:+.0}%  {}",
            s.instances,
            s.utilisation * 100.0,
            ms(s.p50_ms),
            p.objective.name,
            ms(s.objective_ms),
            lost(s.objective_ms_degraded),
            s.headroom * 100.0,
            if s.meets_objective {
                "meets the SLO"
            } else {
                "MISSES the SLO"
            }
        )
    };
    let mut lines = vec![
        format!(
            "Peak-event plan: {:.1} rps ({:.1} x {}), {} <= {} ms, {}",
            p.demand.rps, p.demand.base_rps, p.demand.multiplier, p.objective.name, p.objective.limit_ms, p.redundancy
        ),
        format!("  demand from {}", p.demand.source),
        format!("  model: {}", p.model),
        format!("  assumes {}", p.assumptions),
        format!("  method: {}", p.method),
        line("plan", &p.plan),
        format!(
            "  at the capacity's lower bound ({:.1} rps, {} standard errors below the measured one){}: {} {}",
            p.per_instance_capacity_low_rps,
            CAPACITY_Z,
            match spares {
                0 => String::new(),
                k => format!(" {}", with_lost(k)),
            },
            p.objective.name,
            ms(p.plan.objective_ms_at_low_capacity),
        ),
    ];
    if let Some(c) = &p.current {
        lines.push(line("today", c));
        lines.push(format!("  gap: {}", gap(p.instances as i64 - c.instances as i64)));
    }
    if let Some(c) = &p.cost {
        let today = c
            .current_monthly_usd
            .map(|m| format!(" (today ${m:.2})"))
            .unwrap_or_default();
        lines.push(format!(
            "  cost: {} x {} at ${:.3}/h: ${:.2}/month{today}, ${:.2} for a {}-hour event",
            p.instances, c.instance_type, c.hourly_usd, c.monthly_usd, c.event_usd, c.event_hours
        ));
    }
    let sensitivity: Vec<String> = p
        .sensitivity
        .iter()
        .map(|s| {
            format!(
                "{}x: {}",
                s.multiplier,
                s.instances.map_or("-".into(), |n| n.to_string())
            )
        })
        .collect();
    lines.push(format!(
        "  sensitivity (instances at demand multiples): {}",
        sensitivity.join(", ")
    ));
    lines.extend(p.warnings.iter().map(|w| format!("  warning: {w}")));
    lines.join("\n")
}

/// The check's lines: predicted against measured, warnings, and the verdict.
pub fn check(p: &PlanFile, c: &Check, source: &str) -> String {
    let step = c.step;
    let measured = &step.window.latency_ms;
    let compare = |label: &str, predicted: Option<f64>, measured: f64| match predicted {
        Some(v) => format!(
            "  {label:<6} predicted {v:>8.1} ms  measured {measured:>8.1} ms  ({:+.1}%)",
            (v / measured - 1.0) * 100.0
        ),
        None => format!("  {label:<6} predicted overloaded  measured {measured:.1} ms"),
    };
    let rate = step.rate.map_or(String::new(), |r| format!(" at {r}/s"));
    let mut lines = vec![
        format!(
            "Plan check: {} instances at {:.1} rps against {source} (step {}{rate}, {:.0} s)",
            p.instances, p.demand.rps, step.step, step.duration_s
        ),
        compare("p50", p.plan.p50_ms, measured.p50),
        compare(&p.objective.name, p.plan.objective_ms, c.observed_ms),
    ];
    if let Some(rate) = c.other_rate {
        lines.push(format!(
            "  warning: the run offered {rate}/s, not the planned {:.1}/s",
            p.demand.rps
        ));
    }
    if c.closed {
        lines.push("  warning: a closed run: the plan predicts open (Poisson) traffic".into());
    }
    lines.extend(step.notes.iter().map(|n| format!("  note: {n}")));
    lines.push(format!(
        "  {} <= {} ms {} under load",
        p.objective.name,
        p.objective.limit_ms,
        if c.met { "held" } else { "FAILED" }
    ));
    lines.join("\n")
}

/// "2 more instances", "1 fewer instance", "none".
fn gap(more: i64) -> String {
    let noun = |n: i64| if n == 1 { "instance" } else { "instances" };
    match more {
        0 => "none: today's count is the plan".into(),
        n if n > 0 => format!("{n} more {}", noun(n)),
        n => format!("{} fewer {}", -n, noun(-n)),
    }
}

pub fn ms(v: Option<f64>) -> String {
    v.map_or("overloaded".to_string(), |v| format!("{v:.1} ms"))
}
