//! `load.search` against `headroom target` of known capacity: an open search finds the
//! highest Poisson rate meeting a p99 objective within 8% of the M/M/c value computed
//! here, a users search the closed-model limit, and a search whose first level fails
//! says so and exits 1.

mod common;
use common::*;

/// Runs `load` (a `search:` mapping) with `slo` against the target; (exit code, run.json).
fn search(target: &Target, load: &str, slo: &str) -> (Option<i32>, serde_json::Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "search.yaml",
        &format!("name: search\njourneys: [{{name: w, steps: [{{get: /}}]}}]\nload:\n  search: {load}\nslo: {slo}\n"),
    );
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    (run.status.code(), read_json(&out.join("run.json")), text(&run.stdout))
}

/// The highest rate whose M/M/c p99 meets `objective_ms`, by bisection on λ.
fn mmc_limit(mu: f64, c: u32, objective_ms: f64) -> f64 {
    let (mut lo, mut hi) = (1.0, c as f64 * mu * 0.999);
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if mmc_p99_ms(mid, mu, c) <= objective_ms {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[test]
fn an_open_search_finds_the_mmc_limit() {
    let _serial = serial();
    // 16 workers, exponential 10 ms: M/M/16 with mu = 100/s; p99 <= 60 ms near 1488/s
    // (93% busy). At a given load a queue's relaxation time shrinks about as 1/c (M/M/16
    // settles here in half a second), so a 5 s hold measures the queue theory describes; a search of
    // an ideal M/M/16 simulated with these holds lands within 8% 99% of the time
    // (`benches/search_sim.py 16 100 60 200 5 1000`: 99.3%). (The
    // M/M/4 this test used, its limit 87% busy and the levels above it taking up to 11 s
    // to relax, missed by more than 8% 15% of the time, mostly by passing 387.5/s.)
    let target = Target::start(16, "10ms", "exp");
    let truth = mmc_limit(100.0, 16, 60.0);
    measure_twice(|| open_search_near(&target, truth));
}

fn open_search_near(target: &Target, truth: f64) {
    let (code, run, stdout) = search(
        target,
        "{rate: {from: 200, max: 4000}, hold: 5s, precision: 5%}",
        "{p99: 60ms}",
    );
    assert_eq!(code, Some(0), "{stdout}");
    let s = &run["search"];
    let found = s["highest_passing"].as_f64().unwrap();
    let failing = s["lowest_failing"].as_f64().unwrap();
    assert!(within(found, truth, 0.08), "found {found}/s, M/M/16 says {truth:.1}/s");
    assert!(
        failing > found && failing / found - 1.0 <= 0.05 + 1e-9,
        "{found} .. {failing}"
    );
    let steps = run["steps"].as_array().unwrap().len();
    assert!(steps <= 10, "{steps} steps");
    assert_eq!(s["steps"].as_u64(), Some(steps as u64));
    assert!(
        stdout.contains("search: the highest load meeting the SLO is"),
        "{stdout}"
    );
    // 5 s holds are shorter than the 6 s a step's steadiness needs: said, in both outputs.
    let short = "holds of 5s are too short to judge whether a step settled";
    assert!(stdout.contains(short), "{stdout}");
    assert!(run["notes"].to_string().contains(short), "{}", run["notes"]);
}

#[test]
fn a_users_search_finds_the_closed_limit_and_a_failing_start_says_so() {
    let _serial = serial();
    // 4 workers, constant 10 ms: past 4 users latency is N x 2.5 ms (Little's law), so
    // p99 <= 41 ms holds up to 16 users.
    let target = Target::start(4, "10ms", "const");
    let truth = (41.0f64 / 2.5).floor();
    let (code, run, stdout) = search(&target, "{users: {from: 1, max: 256}, hold: 2s}", "{p99: 41ms}");
    assert_eq!(code, Some(0), "{stdout}");
    let found = run["search"]["highest_passing"].as_f64().unwrap();
    assert!(within(found, truth, 0.08), "found {found} users, truth {truth}");
    assert_eq!(run["search"]["lowest_failing"].as_f64().unwrap(), found + 1.0);
    // Already failing at the first level: said, exit 1, the step kept.
    let (code, run, stdout) = search(&target, "{rate: {from: 1000, max: 5000}, hold: 2s}", "{p99: 100ms}");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(run["search"]["highest_passing"].is_null());
    assert_eq!(run["steps"].as_array().unwrap().len(), 1);
    assert!(
        stdout.contains("the first level (1000/s) already fails the SLO"),
        "{stdout}"
    );
}
