//! `headroom review`'s output: the services that must order now and why, one sentence
//! each; a row per service, most at risk first; the totals and the previous forecast's
//! accuracy.

use headroom_forecast::review::{Review, ServiceReview, Status};

/// Services most at risk first: by status, then the earliest order-by date, then the
/// highest utilisation at the peak.
pub fn by_risk(review: &Review) -> Vec<&ServiceReview> {
    let mut services: Vec<&ServiceReview> = review.services.iter().collect();
    services.sort_by(|a, b| {
        a.status
            .cmp(&b.status)
            .then_with(|| a.order_by.cmp(&b.order_by))
            .then_with(|| {
                b.utilisation_at_peak
                    .unwrap_or(0.0)
                    .total_cmp(&a.utilisation_at_peak.unwrap_or(0.0))
            })
    });
    services
}

/// One sentence on why a service must order now.
pub fn why_order_now(s: &ServiceReview) -> String {
    let name = crate::safe::terminal(&s.service);
    match (&s.action_date_hi95, s.action_level_rps, s.forecast_peak_hi95_rps) {
        (Some(date), Some(level), Some(hi95)) => format!(
            "{name}: demand may reach its action level ({level:.0} rps) by {date} (upper 95%; peak up to {hi95:.0} rps), \
             within its {:.0}-day lead time: order {} instances now (has {}).",
            s.lead_time_days,
            s.planned_instances.map_or("more".into(), |n| n.to_string()),
            s.instances
        ),
        _ => format!("{name}: over its action level now."),
    }
}

pub fn render(review: &Review) -> String {
    let mut lines = vec![format!(
        "{}: {} services as of {}, {} ahead (action at {:.0}%, critical at {:.0}% of capacity, {})",
        crate::safe::terminal(&review.name),
        review.services.len(),
        review.as_of,
        review.horizon,
        review.thresholds.action * 100.0,
        review.thresholds.critical * 100.0,
        review.redundancy
    )];
    for s in review.services.iter().filter(|s| s.status == Status::OrderNow) {
        lines.push(format!("  ORDER NOW  {}", why_order_now(s)));
    }
    let number = |v: Option<f64>, scale: f64| v.map_or("-".to_string(), |v| format!("{:.0}", v * scale));
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    lines.push(format!(
        "{:<24} {:<9} {:>9} {:>8} {:>8} {:>6} {:>6} {:<10} {:<10} {:>9} {:>11} {:>11}",
        "service",
        "status",
        "capacity",
        "now",
        "peak95",
        "now%",
        "peak%",
        "action95",
        "order by",
        "instances",
        "now $/mo",
        "plan $/mo"
    ));
    for s in by_risk(review) {
        lines.push(format!(
            "{:<24} {:<9} {:>9} {:>8} {:>8} {:>6} {:>6} {:<10} {:<10} {:>9} {:>11} {:>11}",
            crate::safe::terminal(&crate::safe::bounded(&s.service, 24)),
            s.status.as_str(),
            number(s.capacity_rps, 1.0),
            number(s.demand_now_rps, 1.0),
            number(s.forecast_peak_hi95_rps, 1.0),
            number(s.utilisation_now, 100.0),
            number(s.utilisation_at_peak, 100.0),
            text(&s.action_date_hi95),
            text(&s.order_by),
            format!(
                "{}->{}",
                s.instances,
                s.planned_instances.map_or("?".into(), |n| n.to_string())
            ),
            s.monthly_usd_now.map_or("-".into(), |v| format!("{v:.2}")),
            s.monthly_usd_planned.map_or("-".into(), |v| format!("{v:.2}")),
        ));
        if s.status == Status::Unknown {
            lines.push(format!("    unknown: {}", crate::safe::terminal(&s.notes.join("; "))));
        }
    }
    let t = &review.totals;
    let counts: Vec<String> = t.by_status.iter().map(|(k, v)| format!("{v} {k}")).collect();
    lines.push(format!(
        "portfolio: {}; ${:.2} a month now, ${:.2} planned ({:+.2})",
        counts.join(", "),
        t.monthly_usd_now,
        t.monthly_usd_planned,
        t.monthly_usd_planned - t.monthly_usd_now
    ));
    if let (Some(mape), Some(cover)) = (t.forecast_mape_previous, t.forecast_coverage80_previous) {
        lines.push(format!(
            "last review's forecast: mean absolute error {:.1}% (the yardstick is 10-20%), its 80% band held {:.0}%",
            mape * 100.0,
            cover * 100.0
        ));
    }
    lines.join("\n")
}
