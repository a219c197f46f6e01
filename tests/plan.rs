//! `headroom plan` against queues of known capacity: the count is the smallest meeting
//! the SLO by Erlang C; a target sized as planned meets it under real load and one
//! instance fewer misses it; bad input exits 2.

mod common;
use common::*;
use headroom_forecast::queueing::erlang_c;

/// An open stepped run against one instance and the fit of it: limits.json's path.
fn limits_for_one_instance(
    dir: &std::path::Path,
    workers: usize,
    service_time: &str,
    rates: &str,
) -> std::path::PathBuf {
    let target = Target::start(workers, service_time, "exp");
    let scenario = write(dir, "one.yaml", &format!("name: one\njourneys: [{{name: w, steps: [{{get: /}}]}}]\nload: {{pool: 100, steps: {{rate: {rates}, hold: 3s}}}}\nslo: {{p99: 250ms}}\n"));
    let out = dir.join("one");
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let fit = headroom(&[
        "fit",
        out.join("run.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    out.join("limits.json")
}

fn plan(limits: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let dir = limits.parent().unwrap().to_str().unwrap().to_string();
    let mut args = vec!["plan", "--limits", limits.to_str().unwrap(), "--out", &dir, "--json"];
    args.extend_from_slice(extra);
    let run = headroom(&args);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    serde_json::from_slice(&run.stdout).unwrap()
}

/// p99 of the response time of M/M/k at arrival rate lambda, service rate mu, in ms,
/// straight from Erlang C and the hypoexponential tail.
fn erlang_p99_ms(k: u32, lambda: f64, mu: f64) -> f64 {
    if lambda >= k as f64 * mu {
        return f64::INFINITY;
    }
    let c = erlang_c(k, lambda / mu);
    let theta = k as f64 * mu - lambda;
    let survival =
        |t: f64| (1.0 - c) * (-mu * t).exp() + c * (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu);
    let (mut lo, mut hi) = (0.0, 60.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if survival(mid) > 0.01 {
            lo = mid
        } else {
            hi = mid
        }
    }
    hi * 1e3
}

#[test]
fn count_is_the_smallest_meeting_the_slo_by_erlang_c() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    // One instance: 4 workers of 40 ms, capacity 100 rps.
    let limits = limits_for_one_instance(dir.path(), 4, "40ms", "[20, 40, 60, 75, 85, 130]");
    let fitted = read_json(&limits);
    let (c, s_ms) = (
        fitted["mmc"]["servers"].as_u64().unwrap() as u32,
        fitted["mmc"]["service_time_ms"].as_f64().unwrap(),
    );
    // The capacity is the saturated step's throughput: about 300 exponential service
    // times in a 3 s hold, whose mean has a standard deviation of 6%.
    assert!(
        within(c as f64 * 1e3 / s_ms, 100.0, 0.15),
        "capacity {} rps",
        c as f64 * 1e3 / s_ms
    );
    let mu = 1e3 / s_ms;
    let n = plan(&limits, &["--demand", "750", "--slo", "p99=250ms", "--redundancy", "n"]);
    let instances = n["instances"].as_u64().unwrap() as u32;
    assert!(erlang_p99_ms(c * instances, 750.0, mu) <= 250.0);
    assert!(
        erlang_p99_ms(c * (instances - 1), 750.0, mu) > 250.0,
        "{} instances would do",
        instances - 1
    );
    let n1 = plan(
        &limits,
        &["--demand", "750", "--slo", "p99=250ms", "--redundancy", "n+1"],
    );
    assert_eq!(n1["instances"].as_u64().unwrap() as u32, instances + 1);
    assert_eq!(n1["plan"]["meets_objective"], true);
    assert_eq!(n["sensitivity"].as_array().unwrap().len(), 4);
}

#[test]
fn a_target_sized_as_planned_meets_the_slo_and_one_fewer_misses() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    // One instance: 2 workers of 20 ms (100 rps).
    let limits = limits_for_one_instance(dir.path(), 2, "20ms", "[20, 40, 60, 75, 85, 130]");
    let p = plan(&limits, &["--demand", "350", "--slo", "p99=250ms", "--redundancy", "n"]);
    let instances = p["instances"].as_u64().unwrap() as usize;
    let scenario = write(dir.path(), "event.yaml", "name: event\njourneys: [{name: w, steps: [{get: /}]}]\nload: {pool: 400, stages: [{rate: 350, hold: 6s}]}\nslo: {p99: 250ms}\n");
    let p99_with = |n: usize| {
        let target = Target::start(2 * n, "20ms", "exp");
        let out = dir.path().join(format!("event{n}"));
        let _ = run_scenario(&scenario, &target.url, &out);
        read_json(&out.join("run.json"))["overall"]["latency_ms"]["p99"]
            .as_f64()
            .unwrap()
    };
    let planned = p99_with(instances);
    assert!(planned <= 250.0, "{instances} instances: p99 {planned} ms");
    let fewer = p99_with(instances - 1);
    assert!(fewer > 250.0, "{} instances: p99 {fewer} ms", instances - 1);
}

#[test]
fn bad_input_exits_2() {
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
    stripped["usl"] = serde_json::Value::Null;
    let no_capacity = write(d, "none.json", &stripped.to_string());
    let history: String = (0..14 * 24)
        .map(|t| format!("{},{}\n", 1_700_000_000 + t * 3600, 100 + t % 24))
        .collect();
    let csv = write(d, "h.csv", &format!("timestamp,value\n{history}"));
    let forecast = d.join("fc");
    let f = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "7d",
        "--out",
        forecast.to_str().unwrap(),
    ]);
    assert_eq!(f.status.code(), Some(0), "{}", text(&f.stderr));
    let cases: [(Vec<&str>, &str); 4] = [
        (
            vec!["--limits", no_capacity.to_str().unwrap(), "--demand", "100"],
            "no capacity figure",
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
        "--json",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(inside.status.code(), Some(0), "{}", text(&inside.stderr));
    let p: serde_json::Value = serde_json::from_slice(&inside.stdout).unwrap();
    assert!((p["demand"]["rps"].as_f64().unwrap() - 3.0 * p["demand"]["base_rps"].as_f64().unwrap()).abs() < 1e-9);
}
