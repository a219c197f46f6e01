//! The peak-event plan section.

use super::*;

pub(super) fn plan(p: &PlanFile, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let predicted = p
        .plan
        .objective_ms
        .map_or("overloaded".into(), |v| format!("{v:.0} ms"));
    let line = format!(
        "{} instances ({}) for {:.0} rps: predicted {} {predicted} against {} ms, utilisation {:.0}%.",
        p.instances,
        p.redundancy,
        p.demand.rps,
        p.objective.name,
        p.objective.limit_ms,
        p.plan.utilisation * 100.0
    );
    summary.push(format!("Peak event: {line}"));
    let mut paragraphs = vec![line, format!("Demand from {}.", p.demand.source)];
    if let Some(c) = &p.current {
        paragraphs.push(format!(
            "Today: {} instances, {}.",
            c.instances,
            if c.meets_objective {
                "meets the SLO"
            } else {
                "misses the SLO"
            }
        ));
    }
    if let Some(c) = &p.cost {
        paragraphs.push(format!(
            "Cost: {} a month, {} for the {}-hour event.",
            charts::style::money(c.monthly_usd),
            charts::style::money(c.event_usd),
            c.event_hours
        ));
    }
    paragraphs.extend(p.warnings.iter().map(|w| format!("Warning: {w}")));
    Ok(Section {
        title: "Peak-event readiness".into(),
        paragraphs,
        charts: vec![chart("plan", "Predicted latency by instance count", "The fewest instances whose predicted percentile sits under the objective's line is the plan; fewer overload or miss it", charts::plan(p)?)],
        tables: vec![Table {
            caption: "Instances needed at other demands".into(),
            header: ["demand", "instances"].map(String::from).to_vec(),
            rows: p
                .sensitivity
                .iter()
                .map(|s| {
                    vec![
                        format!("{}x ({:.0} rps)", s.multiplier, s.demand_rps),
                        s.instances.map_or("-".into(), |n| n.to_string()),
                    ]
                })
                .collect(),
        }],
        explanations: vec![
            format!(
                "The plan: the fewest instances whose predicted {} meets the SLO with {} lost, from a queueing model of \
                 one instance measured in the load test.",
                p.objective.name,
                if p.redundancy.spares() == 1 { "1 instance".to_string() } else { format!("the spares of {}", p.redundancy) }
            ),
            "Headroom: how much more demand the plan takes before the SLO fails.".into(),
        ],
    })
}
