//! `headroom rightsize --prometheus`: Kubernetes containers right-sized from a live
//! Prometheus by the fleet's policy; writes containers.csv, containers.json and
//! patch.yaml.

use super::OK;
use crate::cli::RightsizeArgs;
use crate::output::{write_atomic, write_json};
use anyhow::anyhow;
use headroom::read::kubernetes::{read_containers, Queries};
use headroom::read::prometheus::query_range;
use headroom_forecast::rightsize::containers::{containers_report, resource_prices, PriceBasis, Source};
use headroom_forecast::rightsize::Policy;
use headroom_loadgen::units::parse_duration;
use std::path::Path;

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
    let prices = args.catalog.as_deref().map(price_basis).transpose()?;
    let queries = Queries::new(args.namespace.as_deref(), step);
    let fetch = |query: &str| query_range(url, query, range, step);
    let (usage, found) = read_containers(&queries, &fetch)?;
    let source = Source {
        prometheus: url.to_string(),
        namespace: args.namespace.clone(),
        range: args.range.clone(),
        step: args.step.clone(),
        data_days: None,
        pods: found.pods,
        owners_from_kube_state_metrics: found.owners,
        requests_from_kube_state_metrics: found.requests,
    };
    let report = containers_report(&usage, policy, prices, source);
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
        println!(
            "{}",
            headroom_reports::terminal::containers::render(&report, found.queries)
        );
        println!(
            "wrote {}, containers.json and patch.yaml",
            args.out.join("containers.csv").display()
        );
    }
    Ok(OK)
}

/// Prices per vCPU and GiB fitted to the catalogue at `path`.
fn price_basis(path: &Path) -> anyhow::Result<PriceBasis> {
    let catalogue = headroom::read::fleet::read_catalogue(path).map_err(|m| anyhow!(m))?;
    let (prices, r_squared) = resource_prices(&catalogue).ok_or_else(|| {
        anyhow!(
            "--catalog {}: its types do not tell a vCPU's price from a GiB's (every type has one \
             memory-per-vCPU ratio); expected types of at least two shapes",
            path.display()
        )
    })?;
    Ok(PriceBasis {
        prices,
        fitted_to: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        r_squared,
    })
}
