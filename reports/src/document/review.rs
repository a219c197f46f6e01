//! The portfolio section of a quarterly review, first in the report: the services that
//! must order now and why, utilisation now and at the peak against the action and
//! critical levels, the runway against the lead time, cost now against planned (the 30
//! most at risk drawn, and said so), every service in a table, and the previous
//! forecast's accuracy against the 10-20% yardstick.

use super::*;
use crate::terminal::review::{by_risk, why_order_now};
use headroom_forecast::review::{Review, Status};

/// Services drawn at most; the table lists every one.
const MAX_REVIEW_ROWS: usize = 30;

pub(super) fn review(r: &Review, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let ranked = by_risk(r);
    let order_now: Vec<_> = ranked.iter().filter(|s| s.status == Status::OrderNow).collect();
    let t = &r.totals;
    let counts: Vec<String> = t.by_status.iter().map(|(k, v)| format!("{v} {k}")).collect();
    summary.push(format!(
        "Portfolio ({} services, {} ahead from {}): {}; {} a month now, {} planned.",
        r.services.len(),
        r.horizon,
        r.as_of,
        counts.join(", "),
        charts::style::money(t.monthly_usd_now),
        charts::style::money(t.monthly_usd_planned)
    ));
    let mut paragraphs = vec![format!(
        "{}: {} services reviewed as of {} for the {} ahead; action at {:.0}% and critical at {:.0}% of capacity, {} redundancy.",
        r.name,
        r.services.len(),
        r.as_of,
        r.horizon,
        r.thresholds.action * 100.0,
        r.thresholds.critical * 100.0,
        r.redundancy
    )];
    if order_now.is_empty() {
        paragraphs.push("No service needs to order capacity now.".into());
    } else {
        paragraphs.push(format!("{} must order now:", order_now.len()));
        paragraphs.extend(order_now.iter().map(|s| why_order_now(s)));
    }
    let drawn: Vec<_> = ranked.iter().take(MAX_REVIEW_ROWS).copied().collect();
    let horizon_days = headroom_loadgen::units::parse_duration(&r.horizon).map_or(90.0, |d| d.as_secs_f64() / 86_400.0);
    let mut charts = vec![
        chart(
            "review-utilisation",
            "Utilisation now and at the forecast peak",
            "A service whose forecast peak passes the action level needs capacity this quarter; past the critical level, before its peak",
            charts::review_utilisation(&drawn, r.thresholds.action, r.thresholds.critical)?,
        ),
        chart(
            "review-runway",
            "Runway to the action level against the lead time",
            "A runway shorter than its lead time means capacity ordered today arrives after the service reaches its action level",
            charts::review_runway(&drawn, r.as_of_s, horizon_days)?,
        ),
    ];
    if drawn.iter().any(|s| s.monthly_usd_now.is_some()) {
        charts.push(chart(
            "review-cost",
            "Monthly cost now and planned",
            "Planned above now is next quarter's growth in cost; below it, instances that can go",
            charts::review_cost(&drawn)?,
        ));
    }
    if ranked.len() > MAX_REVIEW_ROWS {
        for c in &mut charts {
            c.notes.push(format!(
                "The {MAX_REVIEW_ROWS} services most at risk of {}; the table has them all.",
                ranked.len()
            ));
        }
    }
    let number = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.0}"));
    let percent = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}%", v * 100.0));
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    let money = |v: Option<f64>| v.map_or("-".into(), charts::style::money);
    let mut tables = vec![Table {
        caption: format!("Every service, most at risk first ({} in review.csv)", r.services.len()),
        header: [
            "service",
            "status",
            "capacity rps",
            "now",
            "peak (95%)",
            "at peak",
            "action (95%)",
            "order by",
            "instances",
            "a month",
        ]
        .map(String::from)
        .to_vec(),
        rows: ranked
            .iter()
            .map(|s| {
                vec![
                    s.service.clone(),
                    s.status.as_str().into(),
                    number(s.capacity_rps),
                    percent(s.utilisation_now),
                    number(s.forecast_peak_hi95_rps),
                    percent(s.utilisation_at_peak),
                    text(&s.action_date_hi95),
                    text(&s.order_by),
                    format!(
                        "{} → {}",
                        s.instances,
                        s.planned_instances.map_or("?".into(), |n| n.to_string())
                    ),
                    format!("{} → {}", money(s.monthly_usd_now), money(s.monthly_usd_planned)),
                ]
            })
            .collect(),
    }];
    if let (Some(mape), Some(cover)) = (t.forecast_mape_previous, t.forecast_coverage80_previous) {
        let verdict = match mape {
            m if m <= 0.10 => "within the 10% a capacity forecast is usually held to",
            m if m <= 0.20 => "within the 10-20% yardstick, at its loose end",
            _ => "outside the 10-20% yardstick",
        };
        paragraphs.push(format!(
            "Last review's forecast: mean absolute percentage error {:.1}% over the demand since ({verdict}); its 80% band held {:.0}% of it.",
            mape * 100.0,
            cover * 100.0
        ));
        tables.push(Table {
            caption: "Last review's forecast against the demand since".into(),
            header: ["service", "error (MAPE)", "in its 80% band", "peak error"]
                .map(String::from)
                .to_vec(),
            rows: ranked
                .iter()
                .filter(|s| s.forecast_mape_previous.is_some())
                .map(|s| {
                    vec![
                        s.service.clone(),
                        percent(s.forecast_mape_previous),
                        percent(s.forecast_coverage80_previous),
                        s.forecast_peak_error_previous
                            .map_or("-".into(), |e| format!("{:+.0}%", e * 100.0)),
                    ]
                })
                .collect(),
        });
    }
    let unknown: Vec<String> = ranked
        .iter()
        .filter(|s| s.status == Status::Unknown)
        .map(|s| format!("{}: {}", s.service, s.notes.first().map_or("no data", String::as_str)))
        .collect();
    if !unknown.is_empty() {
        paragraphs.push(format!("Not reviewed (status unknown): {}.", unknown.join("; ")));
    }
    Ok(Section {
        title: "Portfolio: who must order capacity, and when?".into(),
        paragraphs,
        charts,
        tables,
        explanations: vec![
            "Capacity: the demand today's instances take with the redundancy's spares lost and the latency objective met.".into(),
            "Action date (95%): the first day the forecast's upper 95% bound reaches the action level; order by is that day less the lead time for new capacity.".into(),
            "Status: order-now when the order-by date has passed, plan when it falls inside the horizon, over when fewer instances would cover the peak, ok otherwise, unknown when the data could not say.".into(),
            "Planned: the fewest instances whose capacity at the action level covers the forecast peak's upper 95% bound, spares included.".into(),
        ],
    })
}
