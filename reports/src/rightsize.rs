//! recommendations.csv: one row per service, the columns the issue and the README name.

use headroom_forecast::rightsize::Recommendation;

pub fn to_csv(services: &[Recommendation]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "service",
        "current_type",
        "current_count",
        "recommended_type",
        "recommended_count",
        "current_monthly_usd",
        "recommended_monthly_usd",
        "savings_monthly_usd",
        "cpu_p95_cores",
        "mem_peak_gib",
        "flags",
    ])?;
    let money = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.2}"));
    for s in services {
        writer.write_record([
            s.service.clone(),
            s.current.as_ref().map_or(String::new(), |p| p.instance_type.clone()),
            s.current.as_ref().map_or(String::new(), |p| p.count.to_string()),
            s.recommended.instance_type.clone(),
            s.recommended.count.to_string(),
            money(s.current_monthly_usd),
            format!("{:.2}", s.recommended_monthly_usd),
            money(s.savings_monthly_usd),
            format!("{:.3}", s.cpu_p95_cores),
            format!("{:.3}", s.mem_peak_gib),
            s.flags.join(";"),
        ])?;
    }
    Ok(writer.into_inner()?)
}
