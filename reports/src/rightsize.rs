//! recommendations.csv (one row per service) and containers.csv (one row per
//! Kubernetes workload container): the columns the README names.

use headroom_forecast::rightsize::containers::ContainerRecommendation;
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

/// containers.csv: one row per workload container, the columns `kubectl` users read.
pub fn containers_csv(containers: &[ContainerRecommendation]) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "namespace",
        "workload",
        "container",
        "pods",
        "cpu_p95_cores",
        "cpu_request_cores",
        "memory_max_bytes",
        "memory_request_bytes",
        "memory_limit_bytes",
        "current_cpu_request_cores",
        "current_memory_request_bytes",
        "monthly_usd_change",
    ])?;
    let cores = |v: f64| format!("{v:.3}");
    let bytes = |v: f64| format!("{:.0}", v.ceil());
    for c in containers {
        writer.write_record([
            c.namespace.clone(),
            c.workload.clone(),
            c.container.clone(),
            format!("{:.1}", c.pods),
            cores(c.cpu_p95_cores),
            cores(c.cpu_request_cores),
            bytes(c.memory_max_bytes),
            bytes(c.memory_request_bytes),
            bytes(c.memory_limit_bytes),
            c.current_cpu_request_cores.map_or(String::new(), cores),
            c.current_memory_request_bytes.map_or(String::new(), bytes),
            c.monthly_usd_change.map_or(String::new(), |v| format!("{v:.2}")),
        ])?;
    }
    Ok(writer.into_inner()?)
}
