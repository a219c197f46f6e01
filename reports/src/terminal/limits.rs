//! `headroom fit`'s output: the model, peak, knee, SLO limits and safe point of a
//! limits.json.

use headroom_forecast::capacity::limits::{Basis, Figure, LimitsFile, OperatingPoint};

/// The limits as the terminal shows them, a line per figure.
pub fn render(file: &LimitsFile) -> String {
    let l = &file.limits;
    let mut lines = Vec::new();
    if let Some(u) = &l.usl {
        lines.push(format!(
            "model        USL: sigma {:.5} ± {:.5}, kappa {:.3e} ± {:.1e}, lambda {:.2} ± {:.2}, R² {:.4}",
            u.sigma, u.sigma_se, u.kappa, u.kappa_se, u.lambda, u.lambda_se, u.r2
        ));
        let peak = match (u.peak_concurrency, u.peak_throughput) {
            (Some(n), Some(x)) => format!("N* {n:.1} (floor {:.0}), X(N*) {x:.1} rps", n.floor()),
            _ => "no peak (kappa = 0)".into(),
        };
        let ceiling = u.amdahl_ceiling.map_or("no ceiling (sigma = 0)".into(), |c| {
            format!("Amdahl ceiling {c:.1} rps")
        });
        lines.push(format!("             {peak}; {ceiling}"));
    }
    if let Some(m) = &l.instance_model {
        lines.push(format!("queue        {}", m.describe()));
        lines.push(format!("             assumes {}", m.assumptions));
        lines.push(format!("             {}", m.basis));
        if let Some(q) = &l.model_quality {
            lines.push(format!(
                "             against the {} measured steps: rms log error {:.3}, worst {:+.0}%",
                q.steps,
                q.rms_log_error,
                q.worst_error * 100.0
            ));
        }
    }
    lines.push(format!(
        "peak         {} ({})",
        operating(&l.peak.throughput, &l.peak.load),
        l.peak.note
    ));
    lines.push(format!(
        "knee         {}",
        l.knee
            .as_ref()
            .map_or_else(|| l.knee_note.clone().unwrap_or_default(), point)
    ));
    for o in &l.objectives {
        let at = o.at.as_ref().map_or_else(String::new, point);
        let note = o.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        lines.push(format!(
            "SLO {:<8} {at}{note}",
            format!("{}≤{}ms", o.objective, o.limit_ms)
        ));
        if let Some(rate) = &o.poisson_rate {
            lines.push(format!(
                "             under Poisson traffic: {:.1} rps per instance [queueing model]",
                rate.value
            ));
        }
    }
    if let Some(s) = &l.safe_operating_point {
        lines.push(format!(
            "safe point   {} ({:.0}% below the {})",
            point(&s.at),
            s.headroom * 100.0,
            s.based_on.replace('_', " ")
        ));
    }
    lines.extend(l.warnings.iter().map(|w| format!("warning: {w}")));
    lines.join("\n")
}

fn point(p: &OperatingPoint) -> String {
    operating(&p.throughput, &p.load)
}

fn operating(throughput: &Figure, load: &Figure) -> String {
    format!(
        "{:.1} rps at {:.1} {} [{}]",
        throughput.value,
        load.value,
        load.unit,
        basis(load.basis)
    )
}

fn basis(b: Basis) -> &'static str {
    match b {
        Basis::Measured => "measured",
        Basis::Interpolated => "interpolated",
        Basis::Extrapolated => "extrapolated",
        Basis::Model => "model",
    }
}
