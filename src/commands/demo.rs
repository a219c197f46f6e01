//! `headroom demo`: the whole toolkit with one command and nothing to set up. Starts the
//! simulated target, runs the shipped stepped scenario against it, fits the limits,
//! forecasts a utilisation history generated with a fixed seed, right-sizes a generated
//! fleet with the example catalogue, plans a 3x peak event and writes the report.

use super::OK;
use crate::cli::{DemoArgs, FitArgs, ForecastArgs, PlanArgs, ReportArgs, RightsizeArgs, RunArgs};
use crate::output::write_atomic;
use anyhow::{anyhow, Context};
use headroom_loadgen::target::{self, ServiceDist, TargetConfig};
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const SCENARIO: &str = include_str!("../../scenarios/closed-steps.yaml");
const PRICES: &str = include_str!("../../examples/prices.csv");
const SEED: u64 = 20261127;
/// The demo's history starts here (2026-09-01T00:00:00Z) and runs eight weeks.
const HISTORY_START: i64 = 1_788_220_800;

pub fn run(args: DemoArgs) -> anyhow::Result<u8> {
    let out = &args.out;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let url = start_target(TargetConfig {
        workers: 4,
        service_time: Duration::from_millis(10),
        dist: ServiceDist::Const,
    })?;
    println!("== simulated target at {url}: 4 workers x 10 ms = 400 rps of capacity\n");

    let scenario_path = out.join("closed-steps.yaml");
    write_atomic(&scenario_path, SCENARIO.as_bytes())?;
    let mut scenario =
        headroom_loadgen::scenario::load_str(SCENARIO, &scenario_path, &|_| None).map_err(|e| anyhow!("{e}"))?;
    if args.quick {
        for phase in &mut scenario.load.phases {
            phase.hold = Duration::from_secs(1);
            phase.ramp = Duration::from_millis(200);
        }
    }
    println!("== load test: {} (stepped, closed model)", scenario_path.display());
    // A saturation search fails its SLO at the top steps by design: the exit code is not the demo's.
    let run_args = RunArgs {
        scenario: scenario_path.clone(),
        target: Some(url),
        out: Some(out.join("run")),
        json: false,
        by_request: false,
        shard: None,
        start_at: None,
        metrics_listen: None,
    };
    let _ = super::run::execute(&scenario, &run_args, &Default::default())?;

    println!("\n== saturation limits");
    super::fit::run(FitArgs {
        input: out.join("run/run.json"),
        slo: Vec::new(),
        headroom: "20%".into(),
        out: out.join("limits"),
        json: false,
    })?;

    println!("\n== forecast: eight weeks of generated demand (seed {SEED}), 90 days ahead");
    let history = out.join("history.csv");
    write_atomic(&history, generate_history().as_bytes())?;
    super::forecast::run(ForecastArgs {
        input: Some(history),
        horizon: "90d".into(),
        threshold: None,
        limits: Some(out.join("limits/limits.json")),
        backtest: None,
        step: None,
        aggregate: None,
        drop_outliers: false,
        keep_spikes: false,
        ceiling: None,
        prometheus: None,
        query: None,
        range: "90d".into(),
        out: out.join("forecast"),
        json: false,
    })?;

    println!("\n== right-sizing a generated fleet with examples/prices.csv");
    let prices = out.join("prices.csv");
    write_atomic(&prices, PRICES.as_bytes())?;
    let (fleet, placement) = generate_fleet();
    write_atomic(&out.join("fleet.csv"), fleet.as_bytes())?;
    write_atomic(&out.join("placement.csv"), placement.as_bytes())?;
    super::rightsize::run(RightsizeArgs {
        fleet: Some(out.join("fleet.csv")),
        catalog: Some(prices.clone()),
        current: Some(out.join("placement.csv")),
        policy: None,
        forecast_horizon: None,
        limits: None,
        prometheus: None,
        namespace: None,
        range: "14d".into(),
        step: "5m".into(),
        out: out.join("rightsize"),
        json: false,
    })?;

    println!("\n== peak-event plan: 3x the forecast peak of `checkout-rps`");
    super::plan::run(PlanArgs {
        limits: out.join("limits/limits.json"),
        demand: None,
        forecast: Some(out.join("forecast")),
        series: Some("checkout-rps".into()),
        use_mean: false,
        event_date: None,
        multiplier: 3.0,
        redundancy: "n+1".into(),
        current: Some(4),
        catalog: Some(prices),
        instance_type: Some("gp.medium".into()),
        event_hours: 24.0,
        slo: None,
        verify_scenario: None,
        verify_hold: "1m".into(),
        check: None,
        out: out.join("plan"),
        json: false,
    })?;

    println!("\n== report");
    super::report::run(ReportArgs {
        run: Some(out.join("run/run.json")),
        baseline: None,
        limits: Some(out.join("limits/limits.json")),
        forecast: Some(out.join("forecast")),
        rightsize: Some(out.join("rightsize")),
        plan: Some(out.join("plan")),
        out: report_dir(out),
    })?;
    println!(
        "\nheadroom demo done: open {}",
        report_dir(out).join("index.html").display()
    );
    Ok(OK)
}

fn report_dir(out: &Path) -> PathBuf {
    out.join("report")
}

/// Serves the simulated target on a free loopback port from a thread of its own.
fn start_target(config: TargetConfig) -> anyhow::Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => return drop(tx.send(Err(e.to_string()))),
        };
        runtime.block_on(async move {
            match target::bind(0).await {
                Ok((listener, addr)) => {
                    let _ = tx.send(Ok(addr));
                    let _ = target::serve(listener, config, None).await;
                }
                Err(e) => drop(tx.send(Err(e.to_string()))),
            }
        });
    });
    let addr = rx
        .recv()
        .map_err(|e| anyhow!("the target thread stopped: {e}"))?
        .map_err(|e| anyhow!("cannot start the target: {e}"))?;
    Ok(format!("http://{addr}"))
}

/// Hourly requests per second for two services over eight weeks: a trend, a daily and
/// a weekly cycle and noise; checkout grows towards the load test's limit.
fn generate_history() -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut text = String::from("timestamp,series,value\n");
    let tau = std::f64::consts::TAU;
    for hour in 0..56 * 24 {
        let day = hour as f64 / 24.0;
        let daily = (tau * (day - 0.375)).sin();
        let weekly = (tau * day / 7.0).cos();
        for (name, base, growth) in [("checkout-rps", 140.0, 1.6), ("search-rps", 90.0, 0.3)] {
            let v = base
                + growth * day
                + 0.35 * base * daily
                + 0.08 * base * weekly
                + rng.random_range(-1.0..1.0) * 0.05 * base;
            let _ = writeln!(text, "{},{name},{:.2}", HISTORY_START + hour * 3600, v.max(0.0));
        }
    }
    text
}

/// Two weeks at 15 minutes for eight services, and today's placement of them.
fn generate_fleet() -> (String, String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 1);
    let services = [
        ("checkout", "gp.large", 4, 2.0),
        ("search", "gp.xlarge", 3, 6.0),
        ("catalog", "gp.large", 3, 1.2),
        ("payments", "cpu.medium", 2, 2.8),
        ("recommendations", "mem.large", 4, 1.5),
        ("auth", "gp.medium", 3, 0.6),
        ("images", "cpu.large", 2, 5.5),
        ("notifications", "gp.small", 2, 0.3),
    ];
    let mut fleet = String::from("timestamp,service,instance,cpu_cores,mem_bytes\n");
    let mut placement = String::from("service,instance_type,count\n");
    let tau = std::f64::consts::TAU;
    for (name, kind, count, cores) in services {
        let _ = writeln!(placement, "{name},{kind},{count}");
        for sample in 0..14 * 96 {
            let day = sample as f64 / 96.0;
            let load = cores * (1.0 + 0.4 * (tau * (day - 0.375)).sin());
            for i in 0..count {
                let cpu = (load + rng.random_range(-0.1..0.1) * cores) / count as f64;
                let mem = 3.0e9 + 1.0e9 * cores + rng.random_range(0.0..2.0e8);
                let _ = writeln!(
                    fleet,
                    "{},{name},{name}-{i},{:.3},{mem:.0}",
                    HISTORY_START + sample * 900,
                    cpu.max(0.01)
                );
            }
        }
    }
    (fleet, placement)
}
