//! `headroom compare` on runs of `headroom target`: runs of one target pass (every pair
//! of four), a target 15% slower fails, one 3% slower passes at --threshold 10%, and
//! runs of different scenarios cannot be compared (exit 2).

mod common;
use common::*;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "name: cmp\njourneys: [{name: w, steps: [{name: a, get: /a}, {name: b, get: /b}]}]\n\
load: {steps: {users: [2, 4], hold: 3s}}\n";

/// A run of SCENARIO (named `name`) against a target of 8 workers at `service_time`.
fn run_against(dir: &Path, tag: &str, service_time: &str, name: &str) -> PathBuf {
    let target = Target::start(8, service_time, "const");
    let scenario = write(
        dir,
        &format!("{tag}.yaml"),
        &SCENARIO.replace("name: cmp", &format!("name: {name}")),
    );
    let out = dir.join(tag);
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    out.join("run.json")
}

fn compare(base: &Path, new: &Path, dir: &Path) -> (Option<i32>, String) {
    let out = headroom(&[
        "compare",
        base.to_str().unwrap(),
        new.to_str().unwrap(),
        "--threshold",
        "10%",
        "--out",
        dir.join("cmp").to_str().unwrap(),
    ]);
    (out.status.code(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn noise_passes_a_slower_target_fails_and_other_scenarios_are_refused() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Runs of one target pass; measured once more when another job on this shared
    // machine moved one run's tail (`measure_twice`).
    let same = std::cell::RefCell::new(Vec::new());
    measure_twice(|| {
        *same.borrow_mut() = (0..4)
            .map(|i| run_against(d, &format!("same{i}"), "10ms", "cmp"))
            .collect();
        let same = same.borrow();
        for (i, base) in same.iter().enumerate() {
            for new in &same[i + 1..] {
                let (code, out) = compare(base, new, d);
                assert_eq!(code, Some(0), "runs of one target called a regression:\n{out}");
                assert!(out.contains("no regression beyond 10%"), "{out}");
            }
        }
    });
    let same: Vec<PathBuf> = same.into_inner();
    // 15% slower service: 11.5 ms against 10 ms.
    let slower = run_against(d, "slower", "11500us", "cmp");
    let (code, out) = compare(&same[0], &slower, d);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("REGRESSION") && out.contains("p50"), "{out}");
    let verdict = read_json(&d.join("cmp/compare.json"));
    assert_eq!(verdict["regressed"], true);
    assert!(std::fs::read_to_string(d.join("cmp/compare.md"))
        .unwrap()
        .contains("REGRESSION"));
    // The report shows both runs' latency distributions and the verdict.
    let report = d.join("report");
    let rp = headroom(&[
        "report",
        "--run",
        slower.to_str().unwrap(),
        "--baseline",
        same[0].to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(rp.status.code(), Some(0), "{}", text(&rp.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("Against the baseline") && html.contains("REGRESSION"),
        "no verdict in the report"
    );
    let distribution = std::fs::read_to_string(report.join("distribution.svg")).unwrap();
    assert!(distribution.contains("baseline, started"), "no baseline curve");
    // 3% slower: real, under the threshold.
    measure_twice(|| {
        let slightly = run_against(d, "slightly", "10300us", "cmp");
        let (code, out) = compare(&same[0], &slightly, d);
        assert_eq!(code, Some(0), "{out}");
    });
    // Another scenario: no verdict.
    let other = run_against(d, "other", "10ms", "other");
    let (code, out) = compare(&same[0], &other, d);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("cannot be compared"), "{out}");
}
