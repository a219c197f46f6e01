//! The README's commands chain with their default output directories, run as written in
//! a fresh directory: run, fit, forecast with the limits, plan from the forecast, and
//! the report of all of them, each reading what the previous one wrote.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

fn in_dir(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run headroom")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = in_dir(dir, args);
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

#[test]
fn the_readme_chain_runs_with_its_defaults() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/closed-steps.yaml");
    ok(d, &["run", scenario, "--target", &target.url]);
    assert!(d.join("out/run.json").exists());
    ok(d, &["fit", "out/run.json"]);
    assert!(d.join("out/limits.json").exists(), "fit writes beside its input");
    let history: String = (0..28 * 24)
        .map(|h| {
            format!(
                "{},{}\n",
                1_700_000_000 + h * 3600,
                200.0 + 2.0 * (h / 24) as f64 + (h % 24) as f64
            )
        })
        .collect();
    write(d, "history.csv", &format!("timestamp,value\n{history}"));
    ok(d, &["forecast", "history.csv", "--limits", "out/limits.json"]);
    assert!(d.join("out/forecast/summary.json").exists());
    let plan = ok(
        d,
        &[
            "plan",
            "--limits",
            "out/limits.json",
            "--forecast",
            "out/forecast",
            "--slo",
            "p99=50ms",
        ],
    );
    assert!(plan.contains("demand from forecast peak"), "{plan}");
    assert!(d.join("out/plan/plan.json").exists());
    // fit of another tool's CSV writes beside that CSV, not over the run's limits.
    let limits_before = std::fs::read(d.join("out/limits.json")).unwrap();
    write(
        d,
        "other-tool.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n",
    );
    ok(d, &["fit", "other-tool.csv", "--slo", "p95=200ms"]);
    assert_eq!(std::fs::read(d.join("out/limits.json")).unwrap(), limits_before);
    assert!(d.join("limits.json").exists());
    ok(
        d,
        &[
            "report",
            "--run",
            "out/run.json",
            "--limits",
            "out/limits.json",
            "--forecast",
            "out/forecast",
            "--plan",
            "out/plan",
        ],
    );
    assert!(d.join("out/report/index.html").exists());
}
