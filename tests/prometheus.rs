//! `headroom forecast --prometheus` against a real Prometheus server: a generated series
//! with a known trend and daily cycle is backfilled with `promtool tsdb
//! create-blocks-from openmetrics`, served on loopback, queried live and forecast.
//! The README's live example runs word for word against the same server (its counter
//! `http_requests_total` is backfilled too, its URL replaced by the server's).
//! Without the binaries the test says it skipped; under CI=true it fails instead.

mod common;
use common::*;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

const STEP: u64 = 300;
const DAYS: u64 = 14;
const SLOPE_PER_DAY: f64 = 2.0;
/// The counter is sampled every minute so `rate(...[5m])` sees five samples.
const COUNTER_STEP: u64 = 60;

fn demand(t_days: f64) -> f64 {
    100.0 + SLOPE_PER_DAY * t_days + 20.0 * (std::f64::consts::TAU * t_days).sin()
}

/// The counter whose rate is `demand` per second: its integral from the start, in closed form.
fn requests_served(t_seconds: f64) -> f64 {
    let day = 86_400.0;
    let t_days = t_seconds / day;
    100.0 * t_seconds
        + SLOPE_PER_DAY * t_days * t_days / 2.0 * day
        + 20.0 * day / std::f64::consts::TAU * (1.0 - (std::f64::consts::TAU * t_days).cos())
}

/// The README's live example, a single line in the block after "against a live Prometheus".
fn readme_live_example() -> String {
    let readme = include_str!("../README.md");
    let line = readme
        .lines()
        .find(|l| l.starts_with("headroom forecast --prometheus "))
        .expect("the README has a live Prometheus example");
    line.to_string()
}

#[test]
fn forecasts_from_a_live_prometheus_query() {
    let Some(dir) = prometheus_or_skip() else { return };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / STEP * STEP;
    let start = now - DAYS * 86_400;
    let mut openmetrics = String::from("# HELP headroom_demand Generated demand.\n# TYPE headroom_demand gauge\n");
    for t in (start..now).step_by(STEP as usize) {
        openmetrics.push_str(&format!(
            "headroom_demand {:.4} {t}\n",
            demand((t - start) as f64 / 86_400.0)
        ));
    }
    openmetrics.push_str("# HELP http_requests Requests served.\n# TYPE http_requests counter\n");
    for t in (start..now).step_by(COUNTER_STEP as usize) {
        openmetrics.push_str(&format!(
            "http_requests_total {:.1} {t}\n",
            requests_served((t - start) as f64)
        ));
    }
    openmetrics.push_str("# EOF\n");
    let (_server, url) = Prometheus::start(dir.path(), &openmetrics);
    let threshold = demand(DAYS as f64 + 5.25); // crossed on the fifth day ahead, at the daily peak
    let out = dir.path().join("out");
    let run = headroom(&[
        "forecast",
        "--prometheus",
        &url,
        "--query",
        "headroom_demand",
        "--range",
        "14d",
        "--step",
        "5m",
        "--horizon",
        "10d",
        "--threshold",
        &threshold.to_string(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let series = &summary["series"][0];
    assert_eq!(series["series"], "headroom_demand");
    let slope = series["trend_per_day"].as_f64().unwrap();
    assert!(within(slope, SLOPE_PER_DAY, 0.10), "trend {slope} per day");
    let crossing = series["runway"]["mean_crosses_at"]
        .as_i64()
        .expect("crosses within 10 days");
    let truth = now as f64 + 5.25 * 86_400.0;
    assert!(
        (crossing as f64 - truth).abs() < 86_400.0,
        "crossing {crossing}, truth {truth}"
    );
    assert!(out.join("forecast.csv").exists());

    // The README's line as written (default step for 90 days: 15m), then with a 5m step
    // (25,921 points: three queries).
    let readme_line = readme_live_example().replace("http://127.0.0.1:9090", &url);
    for extra in ["", " --step 5m"] {
        let cwd = tempfile::tempdir().unwrap();
        let line = format!("{readme_line}{extra} --json");
        let run = Command::new("sh")
            .arg("-c")
            .arg(&line)
            .current_dir(cwd.path())
            .env("PATH", path_with_headroom())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{line}: {}", text(&run.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        let slope = summary["series"][0]["trend_per_day"].as_f64().unwrap();
        assert!(within(slope, SLOPE_PER_DAY, 0.15), "{line}: trend {slope} per day");
        assert!(cwd.path().join("out/forecast/forecast.csv").exists(), "{line}");
    }
}
