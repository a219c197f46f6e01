//! `headroom plan` comes true: plans made from a closed run and from an open run of one
//! instance of `headroom target` (exponential, constant and lognormal service) predict
//! the p99 that an open Poisson run at the planned size then measures (one target of
//! N x c workers stands in for N pooled instances), one instance fewer misses the SLO,
//! `--check` compares the two, and bad input exits 2.

mod common;
use common::*;
use std::path::{Path, PathBuf};

/// One instance: 2 workers of 5 ms (capacity 400 rps).
const WORKERS: usize = 2;
const SERVICE: &str = "5ms";

/// Runs `load` against one instance and fits it: limits.json's path. The lowest step is
/// held longest: it measures the service-time distribution.
fn limits_from(dir: &Path, name: &str, dist: &str, load: &str) -> PathBuf {
    let target = Target::start(WORKERS, SERVICE, dist);
    let scenario = write(
        dir,
        &format!("{name}.yaml"),
        &format!("name: {name}\njourneys: [{{name: w, steps: [{{get: /}}]}}]\nload: {load}\n"),
    );
    let out = dir.join(name);
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    fit_run(&out)
}

fn plan(limits: &Path, extra: &[&str]) -> serde_json::Value {
    let dir = limits.parent().unwrap().to_str().unwrap().to_string();
    let mut args = vec!["plan", "--limits", limits.to_str().unwrap(), "--out", &dir, "--json"];
    args.extend_from_slice(extra);
    let run = headroom(&args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

/// An open Poisson run of `instances` pooled instances at `rate`: its `percentile`
/// (`p99`) in ms, and the run's directory.
fn measured(dir: &Path, dist: &str, instances: usize, rate: f64, percentile: &str) -> (f64, PathBuf) {
    let target = Target::start(WORKERS * instances, SERVICE, dist);
    let scenario = write(dir, "event.yaml", &format!("name: event\njourneys: [{{name: w, steps: [{{get: /}}]}}]\nload: {{stages: [{{rate: {rate}, ramp: 2s, hold: 10s}}]}}\n"));
    let out = dir.join(format!("event-{dist}-{instances}"));
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let value = read_json(&out.join("run.json"))["steps"][0]["latency_ms"][percentile]
        .as_f64()
        .unwrap();
    (value, out)
}

#[test]
fn plans_from_closed_and_open_runs_come_true() {
    let _serial = serial();
    // 1500 rps of demand on instances of 400 rps: 5 instances run 75% busy, 4 run 94%.
    // Each objective lies well between the two (by a FIFO simulation written apart
    // from headroom's, p99: exponential 24.0 and 59.7 ms, lognormal 14.8 and 34.4 ms;
    // constant p95 11.5 and 23.2 ms), so only 5 or more meet it, whatever a short run's
    // sampling error in the capacity. The constant service is judged at p95: with 20
    // constant servers at 75% its p99 (13.1 ms) is set by this shared machine's stalls
    // of a few milliseconds, which moved the measured p99 from 9.9 to 14.5 ms between
    // two CI runs of the same commit and failed the 20% check once each way.
    for (dist, slo) in [("exp", "p99=35ms"), ("const", "p95=16ms"), ("lognormal", "p99=20ms")] {
        measure_twice(|| plan_comes_true(dist, slo));
    }
}

/// Plans from a closed and an open run of one target, each checked by a run at the
/// planned count.
fn plan_comes_true(dist: &str, slo: &str) {
    let (percentile, limit) = slo.split_once('=').unwrap();
    let dir = tempfile::tempdir().unwrap();
    let closed = limits_from(
        dir.path(),
        "closed",
        dist,
        "{stages: [{users: 1, hold: 6s}, {users: 2, ramp: 500ms, hold: 2s}, {users: 4, ramp: 500ms, hold: 2s}, {users: 8, ramp: 500ms, hold: 6s}]}",
    );
    let open = limits_from(
        dir.path(),
        "open",
        dist,
        "{stages: [{rate: 60, hold: 20s}, {rate: 200, hold: 3s}, {rate: 320, hold: 3s}, {rate: 520, hold: 6s}]}",
    );
    // A closed run of a saturating target never claims more than it measured.
    let closed_limits = read_json(&closed);
    let capacity = closed_limits["instance_model"]["capacity_rps"].as_f64().unwrap();
    assert!(capacity <= closed_limits["peak"]["throughput"]["value"].as_f64().unwrap() + 1e-9);
    let mut counts = Vec::new();
    for limits in [&closed, &open] {
        let p = plan(limits, &["--demand", "1500", "--slo", slo, "--redundancy", "n"]);
        let instances = p["instances"].as_u64().unwrap() as usize;
        let predicted = p["plan"]["objective_ms"].as_f64().unwrap();
        let (measured, run) = measured(dir.path(), dist, instances, 1500.0, percentile);
        assert!(
            within(predicted, measured, 0.20),
            "{dist}, plan from {}: {instances} instances, predicted {percentile} {predicted} ms, measured {measured} ms",
            limits.display()
        );
        let limit: f64 = limit.trim_end_matches("ms").parse().unwrap();
        assert!(
            measured <= limit,
            "{dist}: {instances} instances measured {percentile} {measured} ms"
        );
        counts.push((instances, limit, run));
    }
    // Both kinds of run give the same model of the same target, within one instance.
    assert!(counts[0].0.abs_diff(counts[1].0) <= 1, "{dist}: {:?}", counts);
    if dist == "exp" {
        // The count is the smallest: one instance fewer misses the SLO under real load.
        let (instances, limit, run) = &counts[1];
        let (fewer, _) = measured(dir.path(), dist, instances - 1, 1500.0, percentile);
        assert!(fewer > *limit, "{} instances: p99 {fewer} ms", instances - 1);
        // --check prints predicted against measured and exits 0 when the SLO held.
        let check = headroom(&[
            "plan",
            "--limits",
            open.to_str().unwrap(),
            "--demand",
            "1500",
            "--slo",
            slo,
            "--redundancy",
            "n",
            "--check",
            run.join("run.json").to_str().unwrap(),
        ]);
        assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
        let out = text(&check.stdout);
        assert!(
            out.contains("predicted") && out.contains("measured") && out.contains("held"),
            "{out}"
        );
    }
}

#[test]
fn verify_scenario_runs_as_written() {
    // Plans simulate on every core: never beside a measurement.
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let steps = write(
        d,
        "steps.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n32,425,75\n",
    );
    let fit = headroom(&["fit", steps.to_str().unwrap(), "--out", d.to_str().unwrap()]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let scenario = d.join("verify.yaml");
    let p = headroom(&[
        "plan",
        "--limits",
        d.join("limits.json").to_str().unwrap(),
        "--demand",
        "1000",
        "--slo",
        "p99=150ms",
        "--verify-scenario",
        scenario.to_str().unwrap(),
        "--verify-hold",
        "20s",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(p.status.code(), Some(0), "{}", text(&p.stderr));
    let validate = headroom(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(validate.status.code(), Some(0), "{}", text(&validate.stderr));
    let text_out = text(&validate.stdout);
    assert!(
        text_out.contains("open model") && text_out.contains("poisson arrivals"),
        "{text_out}"
    );
    let written = std::fs::read_to_string(&scenario).unwrap();
    assert!(
        written.contains("rate: 1000") && written.contains("hold: 20s") && written.contains("p99: 150ms"),
        "{written}"
    );
}

#[test]
fn bad_input_exits_2() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let steps = write(
        d,
        "steps.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n32,425,75\n",
    );
    let fit = headroom(&[
        "fit",
        steps.to_str().unwrap(),
        "--slo",
        "p99=50ms",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let limits = d.join("limits.json");
    let mut stripped = read_json(&limits);
    stripped["instance_model"] = serde_json::Value::Null;
    let no_capacity = write(d, "none.json", &stripped.to_string());
    let mut broken = read_json(&limits);
    broken["instance_model"]["service_quantiles_ms"] = serde_json::json!([]);
    let broken = write(d, "broken.json", &broken.to_string());
    let csv = write(d, "h.csv", &hourly_csv(14 * 24, 100));
    let forecast = forecast_into(&csv, "7d", d.join("fc"));
    let cases: [(Vec<&str>, &str); 8] = [
        (
            vec!["--limits", broken.to_str().unwrap(), "--demand", "100"],
            "instance_model.service_quantiles_ms: found 0 service-time quantiles",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--demand",
                "100",
                "--slo",
                "error_rate=1%",
            ],
            "expected a latency percentile",
        ),
        (
            vec!["--limits", no_capacity.to_str().unwrap(), "--demand", "100"],
            "no queueing model",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--demand",
                "100",
                "--slo",
                "p99=10ms",
            ],
            "no instance count meets p99 <= 10 ms",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--demand",
                "1e12",
                "--slo",
                "p99=500ms",
            ],
            "needs more than 100000 instances",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--demand",
                "100",
                "--multiplier",
                "0",
            ],
            "--multiplier: found 0",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--demand",
                "100",
                "--multiplier=-2",
            ],
            "--multiplier: found -2",
        ),
        (
            vec![
                "--limits",
                limits.to_str().unwrap(),
                "--forecast",
                forecast.to_str().unwrap(),
                "--event-date",
                "2031-01-01",
            ],
            "--event-date 2031-01-01: outside the forecast",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["plan"];
        all.extend(args);
        all.extend(["--out", d.to_str().unwrap()]);
        let out = headroom(&all);
        assert_eq!(out.status.code(), Some(2), "{message}: {}", text(&out.stderr));
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
    // The same forecast on a day it covers works, with the multiplier applied.
    let inside = headroom(&[
        "plan",
        "--limits",
        limits.to_str().unwrap(),
        "--forecast",
        forecast.to_str().unwrap(),
        "--event-date",
        "2023-11-30",
        "--multiplier",
        "3",
        "--slo",
        "p99=250ms",
        "--json",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(inside.status.code(), Some(0), "{}", text(&inside.stderr));
    let p: serde_json::Value = serde_json::from_slice(&inside.stdout).unwrap();
    assert!((p["demand"]["rps"].as_f64().unwrap() - 3.0 * p["demand"]["base_rps"].as_f64().unwrap()).abs() < 1e-9);
}

/// A short lowest step alone holds too few requests for a p99: every step with no more
/// users than the 4 workers met no queue and measures the service time. Exponential
/// 30 ms service: its p99 is 30 ms x ln(100) = 138.2 ms, and a p99 of 200 ms is met.
#[test]
fn the_service_time_pools_every_step_without_a_queue() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let target = Target::start(4, "30ms", "exp");
    let scenario = write(
        dir.path(),
        "short.yaml",
        "name: short\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [1, 2, 4, 8], hold: 5s}}\n",
    );
    let out = dir.path().join("short");
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let limits = fit_run(&out);
    let model = &read_json(&limits)["instance_model"];
    let basis = model["basis"].as_str().unwrap();
    assert!(
        basis.contains("3 steps without a queue (1 user, 2 users, 4 users"),
        "{basis}"
    );
    let quantiles: Vec<f64> = model["service_quantiles_ms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q.as_f64().unwrap())
        .collect();
    let p99 = quantiles[(0.99 * quantiles.len() as f64) as usize];
    let truth = 30.0 * 100f64.ln();
    assert!(
        within(p99, truth, 0.25),
        "service p99 {p99:.1} ms against {truth:.1} ms"
    );
    let planned = plan(&limits, &["--demand", "200", "--slo", "p99=200ms"]);
    assert!(planned["instances"].as_u64().is_some_and(|n| n >= 2), "{planned}");
}
