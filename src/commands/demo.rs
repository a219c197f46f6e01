//! `headroom demo`: the whole toolkit with one command and nothing to set up. Starts the
//! simulated target, runs the shipped stepped scenario against it, fits the limits,
//! forecasts a utilisation history generated with a fixed seed, right-sizes a generated
//! fleet with the example catalogue, plans a 3x peak event, reviews a generated
//! portfolio of 20 services for the quarter and writes the report. Each step calls the
//! same function its command does.

use super::{fit, forecast, plan, report, review, rightsize, run, OK};
use crate::cli::DemoArgs;
use crate::demo_data;
use crate::output::write_atomic;
use anyhow::{anyhow, Context};
use headroom::read::fleet::{read_catalogue, read_fleet};
use headroom::read::history::read_csv;
use headroom::read::placement::read_placement;
use headroom::read::read_json;
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::{Demand, Pricing, Request};
use headroom_forecast::rightsize::{fleet_report, Policy, Redundancy};
use headroom_forecast::ts::workflow::{self, Grid, Horizon};
use headroom_forecast::ts::Options;
use headroom_loadgen::target::{serve_in_background, ServiceDist, TargetConfig};
use std::path::Path;
use std::time::Duration;

const SCENARIO: &str = include_str!("../../scenarios/closed-steps.yaml");
const PRICES: &str = include_str!("../../examples/prices.csv");
/// How many instances the demo's checkout runs on today (its forecast's runway and its plan).
const CHECKOUT_INSTANCES: u32 = 4;

pub fn run(args: DemoArgs) -> anyhow::Result<u8> {
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let url = serve_in_background(TargetConfig {
        workers: 4,
        service_time: Duration::from_millis(10),
        dist: ServiceDist::Const,
    })
    .map_err(|m| anyhow!(m))?;
    println!("== simulated target at {url}: 4 workers x 10 ms = 400 rps of capacity\n");
    load_test(out, url, args.quick)?;

    println!("\n== saturation limits");
    let limits_json = out.join("limits/limits.json");
    fit::fit(&out.join("run/run.json"), None, 0.2, &out.join("limits"), false)?;

    println!(
        "\n== forecast: eight weeks of generated demand (seed {}), 90 days ahead",
        demo_data::SEED
    );
    let history = out.join("history.csv");
    write_atomic(&history, demo_data::history().as_bytes())?;
    let raw = read_csv(&history).map_err(|m| anyhow!(m))?;
    let histories = workflow::regularise(raw, Grid::default(), &Default::default())
        .map_err(|(name, e)| anyhow!("{}: series `{name}`: {e}", history.display()))?;
    // The demo's checkout runs on four instances of the load-tested kind today.
    let threshold =
        forecast::limits_threshold(&limits_json, (CHECKOUT_INSTANCES, "checkout's instances today".into()))?;
    let horizon = Horizon::parse("90d").map_err(|m| anyhow!(m))?;
    let options = Options::default();
    forecast::forecast(
        histories,
        &horizon,
        Some(threshold),
        &options,
        &out.join("forecast"),
        false,
    )?;

    println!("\n== right-sizing a generated fleet with examples/prices.csv");
    let prices = out.join("prices.csv");
    write_atomic(&prices, PRICES.as_bytes())?;
    let catalogue = read_catalogue(&prices).map_err(|m| anyhow!(m))?;
    let (fleet, placement) = demo_data::fleet();
    write_atomic(&out.join("fleet.csv"), fleet.as_bytes())?;
    write_atomic(&out.join("placement.csv"), placement.as_bytes())?;
    let placement = read_placement(&out.join("placement.csv"), &catalogue)?;
    let fleet = read_fleet(&out.join("fleet.csv"), &catalogue).map_err(|m| anyhow!(m))?;
    let report = fleet_report(&fleet.usage, &catalogue, &placement, Policy::default(), None, None)
        .map_err(|e| anyhow!("{e}"))?;
    rightsize::write(&report, (fleet.rows, fleet.instances), &out.join("rightsize"), false)?;

    println!("\n== peak-event plan: 3x the forecast peak of `checkout-rps`");
    let limits: LimitsFile = read_json(&limits_json, "--limits")?;
    let (base_rps, source) = plan::forecast_demand(&out.join("forecast"), Some("checkout-rps"), false, None)?;
    let instance_type = catalogue
        .iter()
        .find(|t| t.name == "gp.medium")
        .ok_or_else(|| anyhow!("examples/prices.csv has no gp.medium"))?;
    let request = Request {
        limits: &limits,
        demand: Demand {
            rps: base_rps * 3.0,
            base_rps,
            multiplier: 3.0,
            source,
        },
        objective: None,
        redundancy: Redundancy(1),
        current: Some(CHECKOUT_INSTANCES),
        pricing: Some(Pricing {
            instance_type,
            event_hours: 24.0,
        }),
    };
    let file = plan::build(request, &limits_json)?;
    let workers = limits.limits.instance_model.as_ref().map_or(1, |m| m.servers);
    plan::write(&file, &out.join("plan"), None, workers, false)?;

    println!("\n== quarterly review of a generated portfolio of 20 services");
    let (demand, portfolio) = demo_data::portfolio();
    write_atomic(&out.join("portfolio-demand.csv"), demand.as_bytes())?;
    write_atomic(&out.join("portfolio.yaml"), portfolio.as_bytes())?;
    review::review_portfolio(&out.join("portfolio.yaml"), None, &out.join("review"), false)?;

    println!("\n== report");
    let sources = report::Sources {
        review: Some(out.join("review")),
        run: Some(out.join("run/run.json")),
        baseline: None,
        limits: Some(limits_json),
        forecast: Some(out.join("forecast")),
        rightsize: Some(out.join("rightsize")),
        plan: Some(out.join("plan")),
    };
    report::write(sources, &out.join("report"))?;
    println!("\nheadroom demo done: open {}", out.join("report/index.html").display());
    Ok(OK)
}

/// The shipped stepped scenario against the target (each step held 1 s with `quick`).
fn load_test(out: &Path, url: String, quick: bool) -> anyhow::Result<()> {
    let scenario_path = out.join("closed-steps.yaml");
    write_atomic(&scenario_path, SCENARIO.as_bytes())?;
    let mut scenario =
        headroom_loadgen::scenario::load_str(SCENARIO, &scenario_path, &|_| None).map_err(|e| anyhow!("{e}"))?;
    if quick {
        for phase in &mut scenario.load.phases {
            phase.hold = Duration::from_secs(1);
            phase.ramp = Duration::from_millis(200);
        }
    }
    println!("== load test: {} (stepped, closed model)", scenario_path.display());
    let job = run::Job {
        scenario: scenario_path,
        target: Some(url),
        target_from: "--target",
        out: Some(out.join("run")),
        ..Default::default()
    };
    // A saturation search fails its SLO at the top steps by design: the exit code is not the demo's.
    let _ = run::execute(&scenario, &job, &Default::default())?;
    Ok(())
}
