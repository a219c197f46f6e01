//! The right-sizing sections: the fleet's recommendations and Kubernetes containers'.

use super::*;

pub(super) fn rightsize(r: &Report, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let at_risk: Vec<&str> = r
        .services
        .iter()
        .filter(|s| !s.flags.is_empty())
        .map(|s| s.service.as_str())
        .collect();
    let dearer: Vec<&str> = r
        .services
        .iter()
        .filter(|s| s.savings_monthly_usd.is_some_and(|v| v < 0.0))
        .map(|s| s.service.as_str())
        .collect();
    let t = &r.total;
    let mut line = format!("{} services, {} flagged at risk", r.services.len(), at_risk.len());
    if !dearer.is_empty() {
        line.push_str(&format!(", {} need more than today (the table says why)", dearer.len()));
    }
    summary.push(format!("What to run: {line}; {}.", t.describe()));
    let mut paragraphs = vec![format!("Right-sizing: {}.", t.describe())];
    if !at_risk.is_empty() {
        paragraphs.push(format!(
            "At risk: {}.",
            at_risk.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    if !dearer.is_empty() {
        paragraphs.push(format!(
            "Cost more than today: {}.",
            dearer.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    let money = |v: Option<f64>| v.map_or("-".into(), charts::style::money);
    let rows = r
        .services
        .iter()
        .take(MAX_RIGHTSIZE_ROWS)
        .map(|s| {
            vec![
                s.service.clone(),
                s.current
                    .as_ref()
                    .map_or("-".into(), |p| format!("{} x {}", p.count, p.instance_type)),
                format!("{} x {}", s.recommended.count, s.recommended.instance_type),
                money(s.savings_monthly_usd),
                s.reason.clone(),
                s.flags.join(", "),
                format!("{:.0}%", s.confidence * 100.0),
            ]
        })
        .collect();
    Ok(Section {
        title: "What should we run, and what does it cost?".into(),
        paragraphs,
        charts: vec![
            chart("cost", "Monthly cost per service", "A shorter recommended bar is a saving; a longer one, a service short of capacity (or of its spare) today", charts::cost(r)?),
            chart(
                "utilisation",
                "CPU use against capacity, today's and recommended",
                "Services far under the target utilisation pay for idle capacity; those over it risk their latency",
                charts::utilisation(r)?,
            ),
        ],
        tables: vec![Table {
            caption: if r.services.len() > MAX_RIGHTSIZE_ROWS {
                format!(
                    "The first {MAX_RIGHTSIZE_ROWS} of {} services (all in recommendations.csv)",
                    r.services.len()
                )
            } else {
                "Each service".into()
            },
            header: [
                "service",
                "today",
                "recommended",
                "saves a month",
                "why this size",
                "flags",
                "confidence",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            "Saves a month: today's cost less the recommendation's; negative when the service needs more than it has."
                .into(),
            "Confidence: grows with the history's length (days / (days + 7)): a week of history gives 50%.".into(),
        ],
    })
}

pub(super) fn containers(r: &ContainersReport, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    use headroom_loadgen::units::MIB;
    let flagged = r.containers.iter().filter(|c| !c.flags.is_empty()).count();
    let change = r.prices.as_ref().map_or(String::new(), |_| {
        format!(
            "; requests change the bill by {}/month",
            charts::style::money(r.monthly_usd_change)
        )
    });
    let line = format!(
        "{} containers of {} pods over {}{change}, {flagged} flagged",
        r.containers.len(),
        r.source.pods,
        r.source.period()
    );
    summary.push(format!("Kubernetes requests: {line}."));
    let mut paragraphs = vec![format!(
        "Kubernetes containers from {} (namespace {}), {} at {}: {line}.",
        r.source.prometheus,
        r.source.namespace.as_deref().unwrap_or("all"),
        r.source.range,
        r.source.step
    )];
    if let Some(p) = &r.prices {
        paragraphs.push(format!(
            "Priced at ${:.4} per vCPU-hour and ${:.4} per GiB-hour, fitted to the instance types of {} (R² {:.2}).",
            p.prices.vcpu_hourly_usd, p.prices.gib_hourly_usd, p.fitted_to, p.r_squared
        ));
    }
    paragraphs.extend(r.notes.iter().map(|n| format!("Note: {n}.")));
    let cores = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
    let mib = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}", v / MIB));
    let rows = r
        .containers
        .iter()
        .take(MAX_RIGHTSIZE_ROWS)
        .map(|c| {
            vec![
                format!("{}/{}/{}", c.namespace, c.workload, c.container),
                format!("{:.1}", c.pods),
                cores(Some(c.cpu_p95_cores)),
                cores(Some(c.cpu_request_cores)),
                cores(c.current_cpu_request_cores),
                mib(Some(c.memory_max_bytes)),
                mib(Some(c.memory_request_bytes)),
                mib(c.current_memory_request_bytes),
                c.monthly_usd_change.map_or("-".into(), charts::style::money),
                c.flags.join(", "),
            ]
        })
        .collect();
    let shown = r.containers.len().min(MAX_RIGHTSIZE_ROWS);
    let charted = &r.containers[..shown];
    Ok(Section {
        title: "What should each container request?".into(),
        paragraphs,
        charts: vec![
            chart(
                "container-cpu",
                "CPU requests per container",
                "Today's request against the recommended one: far above is idle money, below is throttling risk",
                charts::cpu_requests(charted)?,
            ),
            chart(
                "container-memory",
                "Memory requests per container",
                "Today's request against the recommended one: below the recommendation risks an out-of-memory kill",
                charts::memory_requests(charted)?,
            ),
        ],
        tables: vec![Table {
            caption: if r.containers.len() > shown {
                format!(
                    "The first {shown} of {} containers (all in containers.csv)",
                    r.containers.len()
                )
            } else {
                "Each container (patch.yaml applies the requests)".into()
            },
            header: [
                "namespace/workload/container",
                "pods",
                "CPU p95",
                "CPU request",
                "today",
                "memory max MiB",
                "memory request MiB",
                "today",
                "$/month change",
                "flags",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            format!(
                "CPU request: the p{} of every pod's CPU use, with {:.0}% headroom; memory request and limit: the \
                 peak working set with {:.0}% headroom (a container over its memory limit is killed, so the limit \
                 is the peak, not an average).",
                r.policy.cpu_percentile,
                r.policy.headroom * 100.0,
                r.policy.memory_headroom * 100.0
            ),
            "$/month change: the requests' difference times the prices, over the workload's average pods; \
             negative saves."
                .into(),
        ],
    })
}
