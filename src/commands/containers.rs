//! `headroom rightsize --prometheus`: Kubernetes containers right-sized from a live
//! Prometheus by the fleet's policy; writes containers.csv, containers.json and
//! patch.yaml.

use super::prometheus::query_range;
use super::OK;
use crate::cli::RightsizeArgs;
use crate::output::{write_atomic, write_json};
use anyhow::anyhow;
use headroom::kubernetes::{read_containers, Queries};
use headroom_forecast::rightsize::containers::{
    recommend_container, resource_prices, ContainerRecommendation, ContainersReport, PriceBasis, Source,
};
use headroom_forecast::rightsize::{Policy, SCHEMA_VERSION};
use headroom_loadgen::units::parse_duration;
use headroom_reports::safe::terminal;

const MIB: f64 = 1024.0 * 1024.0;

pub fn run(args: &RightsizeArgs, url: &str, policy: Policy) -> anyhow::Result<u8> {
    let range = parse_duration(&args.range).map_err(|m| anyhow!("--range: {m}"))?;
    let step = parse_duration(&args.step).map_err(|m| anyhow!("--step: {m}"))?;
    if step.as_secs() == 0 || range < step {
        anyhow::bail!(
            "--step {}: expected at least 1s and at most --range {}",
            args.step,
            args.range
        );
    }
    let prices = match &args.catalog {
        Some(path) => {
            let catalogue = headroom::fleet::read_catalogue(path).map_err(|m| anyhow!(m))?;
            let (prices, r_squared) = resource_prices(&catalogue).ok_or_else(|| {
                anyhow!(
                    "--catalog {}: its types do not tell a vCPU's price from a GiB's (every type has one \
                     memory-per-vCPU ratio); expected types of at least two shapes",
                    path.display()
                )
            })?;
            Some(PriceBasis {
                prices,
                fitted_to: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                r_squared,
            })
        }
        None => None,
    };
    let queries = Queries::new(args.namespace.as_deref(), step);
    let fetch = |query: &str| query_range(url, query, range, step);
    let (usage, found) = read_containers(&queries, &fetch)?;
    let mut containers: Vec<ContainerRecommendation> = usage
        .iter()
        .map(|u| recommend_container(u, &policy, prices.as_ref().map(|p| p.prices)))
        .collect();
    containers
        .sort_by(|a, b| (&a.namespace, &a.workload, &a.container).cmp(&(&b.namespace, &b.workload, &b.container)));
    let mut notes = Vec::new();
    if !found.owners {
        notes.push(
            "no kube_pod_owner series (kube-state-metrics): workloads named from pod names (NAME-HASH-SUFFIX a \
             Deployment, NAME-N a StatefulSet)"
                .to_string(),
        );
    }
    if !found.requests {
        notes.push(
            "no kube_pod_container_resource_requests series: today's requests and the cost change unknown".into(),
        );
    }
    if prices.is_none() {
        notes.push("no --catalog: no cost change".into());
    }
    let report = ContainersReport {
        schema_version: SCHEMA_VERSION,
        source: Source {
            prometheus: url.to_string(),
            namespace: args.namespace.clone(),
            range: args.range.clone(),
            step: args.step.clone(),
            pods: found.pods,
            owners_from_kube_state_metrics: found.owners,
            requests_from_kube_state_metrics: found.requests,
        },
        policy,
        monthly_usd_change: containers.iter().filter_map(|c| c.monthly_usd_change).sum(),
        prices,
        containers,
        notes,
    };
    write_atomic(
        &args.out.join("containers.csv"),
        &headroom_reports::rightsize::containers_csv(&report.containers)?,
    )?;
    write_json(&args.out.join("containers.json"), &report)?;
    write_atomic(
        &args.out.join("patch.yaml"),
        headroom_reports::kubernetes::patches(&report.containers).as_bytes(),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{}", render(&report, found.queries));
        println!(
            "wrote {}, containers.json and patch.yaml",
            args.out.join("containers.csv").display()
        );
    }
    Ok(OK)
}

fn render(report: &ContainersReport, queries: usize) -> String {
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
        source.range,
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
