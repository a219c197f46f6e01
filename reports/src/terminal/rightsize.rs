//! `headroom rightsize`'s output: a row per service with today's and the recommended
//! placement, their monthly cost, the saving and the flags, then the fleet's totals.

use headroom_forecast::rightsize::Report;

/// The recommendations table; `rows` and `instances` say how much the fleet file held.
pub fn render(report: &Report, rows: u64, instances: usize) -> String {
    let money = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut lines = vec![format!(
        "{:<24} {:>14} {:>14} {:>11} {:>11} {:>10} {:>8} {:>8}  flags",
        "service", "current", "recommended", "now $/mo", "new $/mo", "saves $/mo", "cpu p95", "mem GiB"
    )];
    for s in &report.services {
        let current = s
            .current
            .as_ref()
            .map_or("-".into(), |p| format!("{}x{}", p.count, p.instance_type));
        lines.push(format!(
            "{:<24} {:>14} {:>14} {:>11} {:>11.2} {:>10} {:>8.2} {:>8.2}  {}",
            crate::safe::terminal(&s.service),
            current,
            format!("{}x{}", s.recommended.count, s.recommended.instance_type),
            money(s.current_monthly_usd),
            s.recommended_monthly_usd,
            money(s.savings_monthly_usd),
            s.cpu_p95_cores,
            s.mem_peak_gib,
            s.flags.join(",")
        ));
    }
    let t = &report.total;
    let fleet = format!(
        "fleet: {} services, {instances} instances, {rows} rows; {}",
        t.services,
        t.describe()
    );
    lines.push(fleet);
    lines.join("\n")
}
