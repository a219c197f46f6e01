//! `headroom run --metrics-listen`: scraped during a real run and after it, the
//! exposition passes `promtool check metrics` and its counts are the run's own.

mod common;
use common::*;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// GET /metrics, the body (None while nothing answers).
fn scrape(port: u16) -> Option<String> {
    let answer = get(&format!("http://127.0.0.1:{port}"), "/metrics")?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.").then(|| body.to_string())
}

/// The value of the sample line `name{labels} value` (or `name value`).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn the_live_exposition_is_valid_and_agrees_with_run_json() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "m.yaml",
        "name: m\njourneys: [{name: shop, steps: [{name: cart, get: /cart}, {name: pay, get: /pay}]}]\n\
         load: {stages: [{rate: 150, ramp: 1s, hold: 4s}], pool: 200}\n",
    );
    let port = free_port();
    let out = dir.path().join("out");
    let mut child = Command::new(BIN)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--target",
            &target.url,
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // During the run: requests counted, the step and the offered rate shown.
    let mut during = String::new();
    assert!(
        wait_for(Duration::from_secs(20), || {
            during = scrape(port).unwrap_or_default();
            sample(&during, "headroom_step").is_some_and(|s| s >= 1.0)
                && sample(&during, "headroom_request_duration_seconds_count").is_some_and(|n| n > 0.0)
        }),
        "no live metrics during the run: {during}"
    );
    assert!(
        sample(&during, "headroom_offered_rate").is_some_and(|r| r > 0.0),
        "{during}"
    );
    // After the run (run.json written), the exposition still answers with the totals.
    assert!(wait_for(Duration::from_secs(30), || out.join("run.json").exists()));
    let after = scrape(port).expect("metrics stay up after the run");
    assert!(child.wait().unwrap().code().is_some_and(|c| c <= 1));
    let run = read_json(&out.join("run.json"));
    let overall = &run["overall"];
    for (name, step) in [("shop/cart", "cart"), ("shop/pay", "pay")] {
        let counted = sample(
            &after,
            &format!("headroom_requests_total{{journey=\"shop\",step=\"{step}\",outcome=\"ok\"}}"),
        )
        .unwrap_or(0.0);
        let r = &overall["by_request"][name];
        let ok = r["requests"].as_f64().unwrap() - r["errors"].as_f64().unwrap();
        assert_eq!(counted, ok, "{name}: exposition {counted}, run.json {ok}\n{after}");
    }
    assert_eq!(sample(&after, "headroom_dropped_total"), overall["dropped"].as_f64());
    assert_eq!(
        sample(&after, "headroom_request_duration_seconds_count"),
        overall["requests"].as_f64()
    );
    assert_eq!(sample(&after, "headroom_step"), Some(0.0), "the plan is over");
    // promtool agrees it is a valid exposition.
    let Ok(mut promtool) = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but promtool is not installed"
        );
        say_skipped("promtool not installed (Debian package `prometheus`)");
        return;
    };
    promtool.stdin.take().unwrap().write_all(after.as_bytes()).unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}{}",
        text(&checked.stdout),
        text(&checked.stderr)
    );
}
