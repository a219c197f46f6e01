//! The load generator end to end against the simulated target on loopback: measured
//! throughput and latency against queueing truths, the open model, failures mid-run,
//! Ctrl-C, and secrets kept out of every output.

mod common;
use common::*;

#[test]
fn closed_steps_follow_littles_law() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "closed.yaml", "name: closed\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [1, 2, 4, 8, 16], hold: 2s, ramp: 500ms}}\n");
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let result = read_json(&out.join("run.json"));
    let steps = result["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 5);
    for step in steps {
        let n = step["users"].as_f64().unwrap();
        // Capacity C/S = 4 / 10 ms = 400 rps; below it each user does 1 / 10 ms.
        let truth = (n / 0.010).min(400.0);
        let x = step["throughput_rps"].as_f64().unwrap();
        assert!(within(x, truth, 0.10), "{n} users: {x} rps, expected {truth}");
    }
    // Little's law at 16 users: R = N / X = 16 / 400 rps = 40 ms.
    let p50 = steps[4]["latency_ms"]["p50"].as_f64().unwrap();
    assert!(within(p50, 40.0, 0.15), "p50 at 16 users {p50} ms");
    let timeline = std::fs::read_to_string(out.join("timeline.csv")).unwrap();
    assert!(timeline.starts_with("t,step,rps,errors,dropped,p50,p95,p99,users\n"));
    assert!(timeline.lines().count() >= 12, "{timeline}");
}

#[test]
fn open_model_keeps_its_rate_and_counts_drops() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "open.yaml",
        "name: open\njourneys: [{name: w, steps: [{get: /}]}]\nload: {pool: 100, stages: [{rate: 200, hold: 3s}, {rate: 600, hold: 3s}]}\n",
    );
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let result = read_json(&out.join("run.json"));
    assert_eq!(result["model"], "open");
    let (low, high) = (&result["steps"][0], &result["steps"][1]);
    // Poisson arrivals at 200/s for 3 s: 600 expected, standard deviation sqrt(600);
    // every one served at the rate it arrived.
    let arrivals = low["arrivals"].as_f64().unwrap();
    assert!((arrivals - 600.0).abs() < 4.0 * 600f64.sqrt(), "{arrivals} arrivals");
    let x = low["throughput_rps"].as_f64().unwrap();
    assert!(
        within(x, arrivals / 3.0, 0.03),
        "{arrivals} arrivals in 3 s, {x} rps achieved"
    );
    assert_eq!(low["dropped"], 0);
    // 600/s against 400 rps of capacity: no fake 600, drops counted, latency rising.
    let x_high = high["throughput_rps"].as_f64().unwrap();
    assert!(x_high < 440.0, "{x_high} rps achieved above capacity");
    assert!(high["dropped"].as_u64().unwrap() > 300, "{}", high["dropped"]);
    let (p50_low, p50_high) = (
        low["latency_ms"]["p50"].as_f64().unwrap(),
        high["latency_ms"]["p50"].as_f64().unwrap(),
    );
    assert!(p50_high > 5.0 * p50_low, "p50 {p50_low} -> {p50_high} ms");
    // Latency from the scheduled arrival is never below latency from the send.
    for step in [low, high] {
        for q in ["p50", "p90", "p99", "max"] {
            let (corrected, uncorrected) = (
                step["latency_ms"][q].as_f64().unwrap(),
                step["latency_uncorrected_ms"][q].as_f64().unwrap(),
            );
            assert!(corrected >= uncorrected, "{q}: {corrected} < {uncorrected}");
        }
    }
}

/// Waits up to 30 s until the target has served more than `n` requests.
fn until_served(url: &str, n: f64) {
    let served = wait_for(std::time::Duration::from_secs(30), || {
        target_metric(url, "requests_total") > n
    });
    assert!(served, "the target never served {n} requests");
}

#[test]
fn refused_connections_are_errors_and_the_result_is_still_written() {
    let _serial = serial();
    let mut target = Target::start(2, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "refused.yaml",
        "name: refused\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 2, hold: 20s}]}\nguard: {abort_when: \"error_rate > 50% for 2s\"}\n",
    );
    let out = dir.path().join("out");
    let handle = spawn_scenario(&scenario, &target.url, &out);
    // The target goes away once the run is under way (2 users of 5 ms: 400 rps).
    until_served(&target.url, 300.0);
    target.kill();
    let status = handle.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(1), "a guard abort exits 1");
    let result = read_json(&out.join("run.json"));
    assert_eq!(result["status"], "aborted");
    assert!(result["end_reason"].as_str().unwrap().contains("error_rate > 50%"));
    assert!(result["overall"]["errors_by_kind"]["connect"].as_u64().unwrap() > 0);
    assert!(
        result["duration_s"].as_f64().unwrap() < 10.0,
        "the guard stopped the run early"
    );
}

#[test]
fn ctrl_c_stops_the_load_and_keeps_what_was_measured() {
    let _serial = serial();
    let target = Target::start(4, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "long.yaml",
        "name: long\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 2, hold: 60s}]}\n",
    );
    let out = dir.path().join("out");
    let child = spawn_scenario(&scenario, &target.url, &out);
    until_served(&target.url, 300.0);
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait_with_output().unwrap().status;
    assert_eq!(status.code(), Some(1), "an interrupted run is not a pass");
    let result = read_json(&out.join("run.json"));
    assert_eq!(result["status"], "interrupted");
    assert!(result["duration_s"].as_f64().unwrap() < 10.0);
    assert!(
        result["steps"][0]["requests"].as_u64().unwrap() > 100,
        "{}",
        result["steps"][0]["requests"]
    );
    assert!(out.join("timeline.csv").exists());
}

#[test]
fn secrets_never_reach_results_or_output() {
    let _serial = serial();
    let target = Target::start(2, "2ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "secret.yaml",
        r#"name: secret
defaults: {headers: {Authorization: "Bearer ${HR_TEST_TOKEN}", Cookie: "session=${HR_TEST_TOKEN}"}}
journeys:
  - name: w
    steps:
      - {name: first, get: "/status/201?token=${HR_TEST_TOKEN}", extract: {p: {json: /path}}, check: {status: 201}}
      - {name: second, get: "${p}", check: {status: 201}}
      - {name: fails, get: "/status/500?token=${HR_TEST_TOKEN}"}
load: {stages: [{users: 1, hold: 1s}]}
"#,
    );
    let out = dir.path().join("out");
    let run = std::process::Command::new(BIN)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--target",
            &target.url,
            "--out",
            out.to_str().unwrap(),
        ])
        .env("HR_TEST_TOKEN", "hunter2-very-secret")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let result = read_json(&out.join("run.json"));
    // The second step requests the path extracted from the first response; its 201
    // check passes only if the extracted value was used.
    assert_eq!(result["overall"]["by_request"]["w/second"]["errors"], 0);
    assert!(
        result["overall"]["by_request"]["w/second"]["requests"]
            .as_u64()
            .unwrap()
            > 10
    );
    assert!(result["overall"]["errors_by_kind"]["status 500"].as_u64().unwrap() > 10);
    let everything = [
        std::fs::read_to_string(out.join("run.json")).unwrap(),
        std::fs::read_to_string(out.join("timeline.csv")).unwrap(),
        text(&run.stdout),
        text(&run.stderr),
    ];
    for output in everything {
        assert!(!output.contains("hunter2"), "secret leaked: {output}");
    }
}

#[test]
fn shipped_shop_scenario_runs_and_the_target_counts_every_request() {
    let _serial = serial();
    let target = Target::start(8, "5ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/shop.yaml");
    let run = headroom(&["run", scenario, "--target", &target.url, "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}{}", text(&run.stdout), text(&run.stderr));
    let result = read_json(&out.join("run.json"));
    let by_request = &result["overall"]["by_request"];
    for name in ["browse/home", "browse/search", "buy/cart", "buy/checkout"] {
        assert!(by_request[name]["requests"].as_u64().unwrap() > 0, "{name}");
        assert_eq!(by_request[name]["errors"], 0, "{name}");
    }
    // Several requests: the summary has a row for each, with the run's counts.
    let stdout = text(&run.stdout);
    for name in ["browse/home", "browse/search", "buy/cart", "buy/checkout"] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name} in\n{stdout}"));
        let count: u64 = row.split_whitespace().nth(1).unwrap().parse().unwrap();
        assert_eq!(count, by_request[name]["requests"].as_u64().unwrap(), "{row}");
    }
    // Weights 4:1 between the journeys.
    let ratio =
        by_request["browse/home"]["requests"].as_f64().unwrap() / by_request["buy/cart"]["requests"].as_f64().unwrap();
    assert!((2.5..6.0).contains(&ratio), "browse:buy = {ratio}");
    // Every request the client counted reached the target; at most one per user (8)
    // was still in flight when the plan ended. Wait for the target to finish those.
    let client = result["overall"]["requests"].as_f64().unwrap();
    let served = || target_metric(&target.url, "requests_total");
    wait_for(std::time::Duration::from_secs(10), || served() >= client);
    assert!(
        served() >= client && served() - client <= 8.0,
        "target {} client {client}",
        served()
    );
    assert_eq!(target_metric(&target.url, "capacity_rps"), 1600.0);
    let utilisation = target_metric(&target.url, "utilisation");
    assert!(utilisation > 0.0 && utilisation < 1.0, "{utilisation}");
}

#[test]
fn max_duration_is_a_hard_stop() {
    let _serial = serial();
    let target = Target::start(2, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "cap.yaml", "name: cap\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 30s}]}\nguard: {max_duration: 2s}\n");
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(1));
    let result = read_json(&out.join("run.json"));
    assert_eq!(result["status"], "max_duration");
    let seconds = result["duration_s"].as_f64().unwrap();
    assert!((2.0..4.0).contains(&seconds), "{seconds}");
}
