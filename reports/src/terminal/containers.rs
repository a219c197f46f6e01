//! `headroom rightsize --prometheus`'s output: a row per container with its usage,
//! recommended and current requests and the cost change, then the prices and notes.

use crate::safe::terminal;
use headroom_forecast::rightsize::containers::ContainersReport;
use headroom_loadgen::units::MIB;

/// The containers table; `queries` is how many Prometheus queries it took.
pub fn render(report: &ContainersReport, queries: usize) -> String {
    let now = |v: Option<f64>, f: &dyn Fn(f64) -> String| v.map_or("-".to_string(), f);
    let cores = |v: f64| format!("{v:.3}");
    let mib = |v: f64| format!("{:.0}", v / MIB);
    let mut lines = vec![format!(
        "{:<40} {:>5} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}  flags",
        "namespace/workload/container", "pods", "cpu p95", "request", "now", "mem MiB", "request", "now", "$/mo"
    )];
    for c in &report.containers {
        lines.push(format!(
            "{:<40} {:>5.1} {:>8.3} {:>8.3} {:>8} {:>9} {:>9} {:>9} {:>9}  {}",
            terminal(&format!("{}/{}/{}", c.namespace, c.workload, c.container)),
            c.pods,
            c.cpu_p95_cores,
            c.cpu_request_cores,
            now(c.current_cpu_request_cores, &cores),
            mib(c.memory_max_bytes),
            mib(c.memory_request_bytes),
            now(c.current_memory_request_bytes, &mib),
            now(c.monthly_usd_change, &|v| format!("{v:+.2}")),
            c.flags.join(",")
        ));
    }
    let source = &report.source;
    let mut summary = format!(
        "{} containers of {} pods over {} at {} ({queries} queries)",
        report.containers.len(),
        source.pods,
        source.period(),
        source.step
    );
    if let Some(p) = &report.prices {
        summary.push_str(&format!(
            "; ${:.4} per vCPU-hour and ${:.4} per GiB-hour fitted to {} (R² {:.2}); change {:+.2} $/month",
            p.prices.vcpu_hourly_usd, p.prices.gib_hourly_usd, p.fitted_to, p.r_squared, report.monthly_usd_change
        ));
    }
    lines.push(summary);
    lines.extend(report.notes.iter().map(|n| format!("note: {n}")));
    lines.join("\n")
}
