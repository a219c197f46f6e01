//! Regression tests for what probing found: signals that lost results, runs that passed
//! on nothing, storms against a dead target, panics on a closed pipe or far timestamps,
//! and header injection. Each waits on a condition, never on a fixed sleep alone.

mod common;
use common::*;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn requests_served(url: &str) -> f64 {
    target_metric(url, "requests_total")
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// Three closed steps of 2 s against a 5 ms constant target: 1 user serves about 400
/// requests in its step, 2 users about 800.
const THREE_STEPS: &str = "name: three\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 2s}, {users: 2, hold: 2s}, {users: 2, hold: 30s}]}\n";

/// Starts THREE_STEPS and waits until the third step has begun (more than the first
/// two steps' requests served).
fn into_the_third_step(dir: &std::path::Path, target: &Target) -> (Child, std::path::PathBuf) {
    let scenario = write(dir, "three.yaml", THREE_STEPS);
    let out = dir.join("out");
    let child = spawn_scenario(&scenario, &target.url, &out);
    assert!(
        wait_for(Duration::from_secs(30), || requests_served(&target.url) > 1300.0),
        "the load never reached step 3"
    );
    (child, out)
}

fn finished_within(child: &mut Child, limit: Duration) -> Option<i32> {
    let mut status = None;
    wait_for(limit, || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    status.map(|s| s.code().unwrap_or(-1))
}

#[test]
fn sigterm_and_sighup_mid_step_keep_the_completed_steps() {
    let _serial = serial();
    for name in ["TERM", "HUP"] {
        let target = Target::start(2, "5ms", "const");
        let dir = tempfile::tempdir().unwrap();
        let (mut child, out) = into_the_third_step(dir.path(), &target);
        signal(&child, name);
        // Within the stop grace (3 s) and the time to write.
        assert_eq!(
            finished_within(&mut child, Duration::from_secs(8)),
            Some(1),
            "SIG{name}: an interrupted run exits 1"
        );
        let result = read_json(&out.join("run.json"));
        assert_eq!(result["status"], "interrupted", "SIG{name}");
        let steps = result["steps"].as_array().unwrap();
        assert!(steps.len() >= 2, "SIG{name}: {} steps kept", steps.len());
        for (k, expected) in [(0, 400.0), (1, 800.0)] {
            assert!(
                within(steps[k]["duration_s"].as_f64().unwrap(), 2.0, 0.05),
                "SIG{name} step {k}"
            );
            let requests = steps[k]["requests"].as_f64().unwrap();
            assert!(
                within(requests, expected, 0.15),
                "SIG{name} step {k}: {requests} requests"
            );
        }
        assert!(out.join("timeline.csv").exists());
    }
}

#[test]
fn a_second_ctrl_c_still_writes_the_results() {
    let _serial = serial();
    let target = Target::start(2, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let (mut child, out) = into_the_third_step(dir.path(), &target);
    signal(&child, "INT");
    std::thread::sleep(Duration::from_millis(50));
    signal(&child, "INT");
    assert_eq!(finished_within(&mut child, Duration::from_secs(8)), Some(1));
    let result = read_json(&out.join("run.json"));
    assert_eq!(result["status"], "interrupted");
    assert!(result["steps"].as_array().unwrap().len() >= 2);
}

#[test]
fn ctrl_c_before_any_hold_is_no_pass_and_json_stays_json() {
    let _serial = serial();
    let target = Target::start(2, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "ramp.yaml",
        "name: ramp\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 2, ramp: 30s, hold: 5s}]}\nslo: {p99: 1s}\n",
    );
    let out = dir.path().join("out");
    let mut child = Command::new(BIN)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--target",
            &target.url,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_for(Duration::from_secs(30), || requests_served(&target.url) > 20.0));
    signal(&child, "INT");
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    assert_eq!(finished_within(&mut child, Duration::from_secs(8)), Some(1));
    let result: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(result["steps"].as_array().unwrap().len(), 0);
    assert_eq!(result["slo_passed"], false, "no measured step is not a pass");
}

#[test]
fn nothing_listening_stops_at_once_and_keeps_the_last_run() {
    let _serial = serial();
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "dead.yaml",
        "name: dead\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 2, hold: 30s}]}\n",
    );
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let last_good = write(&out, "run.json", "{\"the\": \"last good run\"}");
    let started = std::time::Instant::now();
    let run = run_scenario(&scenario, &format!("http://127.0.0.1:{port}"), &out);
    let took = started.elapsed().as_secs_f64();
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    assert!(took < 5.0, "{took} s");
    let stderr = text(&run.stderr);
    assert!(
        stderr.contains(&format!("nothing is listening on 127.0.0.1:{port}: connection refused")),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&last_good).unwrap(),
        "{\"the\": \"last good run\"}"
    );
}

#[test]
fn a_target_that_dies_mid_run_gets_a_trickle_and_a_clear_failure() {
    let _serial = serial();
    let mut target = Target::start(4, "1ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "dies.yaml",
        "name: dies\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 2, hold: 4s}]}\n",
    );
    let out = dir.path().join("out");
    let mut child = spawn_scenario(&scenario, &target.url, &out);
    let url = target.url.clone();
    assert!(wait_for(Duration::from_secs(10), || requests_served(&url) >= 50.0));
    target.kill();
    assert!(child.wait().unwrap().code().is_some_and(|c| c <= 1));
    let result = read_json(&out.join("run.json"));
    let errors = &result["overall"]["errors_by_kind"];
    let connect = errors["connect"].as_f64().unwrap_or(0.0);
    // Two users backing off from 10 ms doubling to 1 s: a few attempts a second each
    // for the rest of the run, not tens of thousands.
    assert!(
        (2.0..60.0).contains(&connect),
        "{connect} refused connections: {errors}"
    );
    assert!(
        result["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("paused")),
        "{}",
        result["notes"]
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "s.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n",
    );
    let mut child = Command::new(BIN)
        .args([
            "fit",
            csv.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
            "--json",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before a byte is written, as `| head -c 0` does.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(!text(&output.stderr).contains("panicked"), "{}", text(&output.stderr));
}

#[test]
fn far_and_stray_timestamps_are_errors_in_under_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let two_weeks = hourly_csv(14 * 24, 10);
    let two_weeks = two_weeks.trim_start_matches("timestamp,value\n");
    let cases = [
        (
            "neg.csv",
            "timestamp,value\n-1,1\n3600,2\n7200,3\n1e30,4\n".to_string(),
            "neg.csv:2: timestamp: found `-1`",
        ),
        (
            "big.csv",
            "timestamp,value\n1700000000,1\n1700003600,2\n1e18,4\n".to_string(),
            "big.csv:4: timestamp: found `1e18`",
        ),
        (
            "inf.csv",
            "timestamp,value\n1700000000,1\n1700003600,-inf\n".to_string(),
            "inf.csv:3: value: found `-inf`",
        ),
        (
            "stray.csv",
            format!("timestamp,value\n{two_weeks}2030-01-01 00:00:00,5\n"),
            "a stray timestamp",
        ),
    ];
    for (name, body, message) in cases {
        let path = write(dir.path(), name, &body);
        let started = Instant::now();
        let out = headroom(&[
            "forecast",
            path.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{name} took {:?}",
            started.elapsed()
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(text(&out.stderr).contains(message), "{name}: {}", text(&out.stderr));
    }
    // A horizon that would write millions of rows is refused, not written.
    let seconds: String = (0..75)
        .map(|s| format!("{},{}\n", 1_700_000_000 + s, 1 + s % 3))
        .collect();
    let short = write(dir.path(), "s.csv", &format!("timestamp,value\n{seconds}"));
    let out = headroom(&[
        "forecast",
        short.to_str().unwrap(),
        "--horizon",
        "30d",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stderr).contains("--horizon 30d"), "{}", text(&out.stderr));
}

#[test]
fn a_report_of_an_infinite_forecast_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "h.csv", &hourly_csv(14 * 24, 10));
    let fc = forecast_into(&csv, "1d", dir.path().join("fc"));
    let bands = std::fs::read_to_string(fc.join("forecast.csv")).unwrap();
    let mut lines: Vec<String> = bands.lines().map(String::from).collect();
    let mut cells: Vec<String> = lines[1].split(',').map(String::from).collect();
    cells[3] = "-inf".into();
    lines[1] = cells.join(",");
    std::fs::write(fc.join("forecast.csv"), lines.join("\n")).unwrap();
    let started = Instant::now();
    let out = headroom(&[
        "report",
        "--forecast",
        fc.to_str().unwrap(),
        "--out",
        dir.path().join("r").to_str().unwrap(),
    ]);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("forecast.csv:2: column 4: expected a finite number"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn header_values_cannot_split_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "h.yaml",
        "name: h\ntarget: http://127.0.0.1:9\njourneys:\n  - name: j\n    steps:\n      - {get: /, headers: {X-A: \"one\\r\\nX-Injected: two\"}}\nload: {stages: [{users: 1, hold: 1s}]}\n",
    );
    let out = headroom(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let message = text(&out.stderr);
    assert!(
        message.contains("h.yaml:6") && message.contains("line break"),
        "{message}"
    );
}

#[test]
fn errors_name_their_input_in_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fit_dir = headroom(&["fit", d.to_str().unwrap(), "--out", d.to_str().unwrap()]);
    assert_eq!(fit_dir.status.code(), Some(2));
    let stderr = text(&fit_dir.stderr);
    assert!(
        stderr.contains(d.to_str().unwrap()) && stderr.contains("found a directory"),
        "{stderr}"
    );
    let steps = write(
        d,
        "steps.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n",
    );
    let fit = headroom(&["fit", steps.to_str().unwrap(), "--out", d.to_str().unwrap()]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let limits = d.join("limits.json");
    let huge = headroom(&[
        "plan",
        "--limits",
        limits.to_str().unwrap(),
        "--demand",
        "1e308",
        "--slo",
        "p99=500ms",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(huge.status.code(), Some(2));
    let stderr = text(&huge.stderr);
    assert!(
        stderr.len() < 200 && stderr.contains("1.0000e308 rps needs more than"),
        "{stderr}"
    );
}
