//! review.csv: one row per service of a portfolio review, in the columns the README
//! names (dates `YYYY-MM-DD`, fractions as fractions, empty where unknown); and the
//! review's forecast.csv, every service's path in forecast.csv's columns.

use headroom_forecast::review::{Review, ServiceReview};

/// review.csv's columns.
pub const COLUMNS: [&str; 21] = [
    "service",
    "instances",
    "instance_type",
    "capacity_rps",
    "demand_now_rps",
    "forecast_peak_rps",
    "forecast_peak_hi95_rps",
    "utilisation_now",
    "utilisation_at_peak",
    "action_date",
    "action_date_hi95",
    "critical_date",
    "critical_date_hi95",
    "order_by",
    "lead_time_days",
    "status",
    "planned_instances",
    "monthly_usd_now",
    "monthly_usd_planned",
    "forecast_mape_previous",
    "forecast_coverage80_previous",
];

fn cells(s: &ServiceReview) -> [String; 21] {
    let number = |v: Option<f64>, digits: usize| v.map_or(String::new(), |v| format!("{v:.digits$}"));
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        s.service.clone(),
        s.instances.to_string(),
        text(&s.instance_type),
        number(s.capacity_rps, 3),
        number(s.demand_now_rps, 3),
        number(s.forecast_peak_rps, 3),
        number(s.forecast_peak_hi95_rps, 3),
        number(s.utilisation_now, 4),
        number(s.utilisation_at_peak, 4),
        text(&s.action_date),
        text(&s.action_date_hi95),
        text(&s.critical_date),
        text(&s.critical_date_hi95),
        text(&s.order_by),
        format!("{}", s.lead_time_days),
        s.status.as_str().to_string(),
        s.planned_instances.map_or(String::new(), |n| n.to_string()),
        number(s.monthly_usd_now, 2),
        number(s.monthly_usd_planned, 2),
        number(s.forecast_mape_previous, 4),
        number(s.forecast_coverage80_previous, 4),
    ]
}

pub fn to_csv(review: &Review) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for s in &review.services {
        writer.write_record(cells(s))?;
    }
    Ok(writer.into_inner()?)
}

/// Every reviewed service's forecast path, as forecast.csv has it.
pub fn forecast_csv(review: &Review, timestamp: impl Fn(i64) -> String) -> anyhow::Result<Vec<u8>> {
    crate::forecast::series_csv(review.services.iter().filter_map(|s| s.forecast.as_ref()), timestamp)
}
