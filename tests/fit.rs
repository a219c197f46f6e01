//! `headroom fit` end to end: stepped runs against targets of known capacity give the
//! peak and the SLO limit within 10% of the truth; CSV input from other tools; bad input.

mod common;
use common::*;
use headroom_forecast::capacity::queueing::Mmc;

fn run_and_fit(target: &Target, scenario_text: &str, slo: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", scenario_text);
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let fit = headroom(&[
        "fit",
        out.join("run.json").to_str().unwrap(),
        "--slo",
        slo,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    assert!(text(&fit.stdout).contains("safe point"), "{}", text(&fit.stdout));
    read_json(&out.join("limits.json"))
}

fn closed_truth(workers: f64, service_s: f64, slo_ms: f64, limits: &serde_json::Value) {
    let capacity = workers / service_s;
    let peak = limits["peak"]["throughput"]["value"].as_f64().unwrap();
    assert!(within(peak, capacity, 0.10), "peak {peak} vs {capacity}");
    assert_eq!(limits["peak"]["saturated"], true);
    // Past saturation a closed FIFO system answers in N / capacity: the SLO holds up to
    // N = limit x capacity users.
    let users = slo_ms / 1e3 * capacity;
    let slo = &limits["slo_limit"];
    let (n, x) = (
        slo["load"]["value"].as_f64().unwrap(),
        slo["throughput"]["value"].as_f64().unwrap(),
    );
    assert!(within(n, users, 0.10), "SLO limit {n} users vs {users}");
    assert!(within(x, capacity, 0.10), "SLO limit {x} rps vs {capacity}");
    assert_eq!(slo["load"]["basis"], "interpolated");
    assert_eq!(limits["schema_version"], 1);
    assert!(limits["usl"]["sigma"].as_f64().is_some() && limits["usl"]["r2"].as_f64().is_some());
    let safe = limits["safe_operating_point"]["at"]["throughput"]["value"]
        .as_f64()
        .unwrap();
    assert!(within(safe, 0.8 * x, 1e-9));
}

const CLOSED: &str = "name: c\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [1, 2, 4, 8, 16], hold: 2s, ramp: 500ms}}\n";

#[test]
fn closed_limits_match_four_workers_of_10ms() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "const");
    closed_truth(4.0, 0.010, 25.0, &run_and_fit(&target, CLOSED, "p95=25ms"));
}

#[test]
fn closed_limits_match_two_workers_of_20ms() {
    let _serial = serial();
    let target = Target::start(2, "20ms", "const");
    closed_truth(2.0, 0.020, 100.0, &run_and_fit(&target, CLOSED, "p95=100ms"));
}

#[test]
fn open_limits_match_an_mmc_queue() {
    let _serial = serial();
    measure_twice(open_limits_against_mmc);
}

fn open_limits_against_mmc() {
    let target = Target::start(4, "10ms", "exp");
    let scenario = "name: o\njourneys: [{name: w, steps: [{get: /}]}]\nload: {pool: 150, steps: {rate: [100, 200, 250, 300, 350, 500], hold: 3s}}\n";
    let limits = run_and_fit(&target, scenario, "p99=80ms");
    let peak = limits["peak"]["throughput"]["value"].as_f64().unwrap();
    assert!(within(peak, 400.0, 0.10), "peak {peak}");
    // The truth: the arrival rate at which M/M/4 with S = 10 ms has p99 = 80 ms (utilisation about 0.8, where a 3 s hold nears steady state; nearer capacity the queue takes longer to settle than a short hold).
    let p99 = |rate: f64| {
        Mmc {
            lambda: rate,
            mu: 100.0,
            c: 4,
        }
        .response_percentile(0.99)
    };
    let (mut lo, mut hi) = (0.0, 399.99);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if p99(mid) < 0.080 {
            lo = mid
        } else {
            hi = mid
        }
    }
    let rate = limits["slo_limit"]["load"]["value"].as_f64().unwrap();
    assert!(within(rate, lo, 0.10), "SLO limit {rate}/s vs {lo}/s");
    assert_eq!(
        limits["instance_model"]["capacity_rps"]
            .as_f64()
            .map(|c| within(c, 400.0, 0.10)),
        Some(true)
    );
}

#[test]
fn a_run_that_never_saturated_says_so() {
    let _serial = serial();
    let target = Target::start(16, "10ms", "const");
    let scenario =
        "name: u\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [1, 2, 3, 4], hold: 1s}}\n";
    let limits = run_and_fit(&target, scenario, "p95=50ms");
    assert_eq!(limits["peak"]["saturated"], false);
    assert!(limits["peak"]["note"]
        .as_str()
        .unwrap()
        .starts_with("no knee in the tested range; peak at least"));
    assert!(limits["knee"].is_null());
}

#[test]
fn csv_from_other_tools_fits_the_usl() {
    let dir = tempfile::tempdir().unwrap();
    let rows = "concurrency,throughput\n1,64.9\n18,995.9\n36,1652.4\n72,1853.2\n108,1828.9\n144,1775.0\n216,1702.2\n";
    let csv = write(dir.path(), "specsdm91.csv", rows);
    let out = headroom(&[
        "fit",
        csv.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let limits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(within(limits["usl"]["sigma"].as_f64().unwrap(), 0.0277285, 1e-3));
    assert!(within(
        limits["usl"]["peak_concurrency"].as_f64().unwrap(),
        96.51956,
        1e-3
    ));
    assert_eq!(read_json(&dir.path().join("limits.json")), limits);
    // Limits of another input in the same place are moved aside, not lost.
    let other = write(
        dir.path(),
        "other.csv",
        "concurrency,throughput\n1,10\n2,19\n4,35\n8,50\n",
    );
    let again = headroom(&["fit", other.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(text(&again.stderr).contains("moved to"), "{}", text(&again.stderr));
    assert_eq!(read_json(&dir.path().join("limits.previous.json")), limits);
    assert!(read_json(&dir.path().join("limits.json"))["source"]
        .as_str()
        .unwrap()
        .ends_with("other.csv"));
}

#[test]
fn bad_csv_exits_2_naming_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("concurrency,throughput\n1,10\n2,20\n", "expected at least 3"),
        (
            "concurrency,throughput\n1,10\n2,twenty\n4,40\n",
            ":3: throughput: found `twenty`",
        ),
        ("concurrency,throughput\n1,10\n2,0\n4,40\n", ":3: throughput: found 0"),
        ("concurrency,throughput\n1,10\n2,-5\n4,40\n", ":3: throughput: found -5"),
        ("users,rps\n1,10\n", ":1: found columns users,rps"),
    ];
    for (rows, message) in cases {
        let csv = write(dir.path(), "bad.csv", rows);
        let out = headroom(&["fit", csv.to_str().unwrap(), "--out", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
    let good = write(dir.path(), "good.csv", "concurrency,throughput\n1,10\n2,20\n4,40\n");
    for flag in [["--headroom", "120%"], ["--slo", "p99"], ["--slo", "p10=5ms"]] {
        let out = headroom(&[
            "fit",
            good.to_str().unwrap(),
            flag[0],
            flag[1],
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "{flag:?}");
        assert!(text(&out.stderr).contains(flag[0]), "{}", text(&out.stderr));
    }
}

/// An arrival of the open model is a journey: with two requests each, requests come at
/// twice the arrival rate. Every modelled figure's load and throughput must keep that
/// ratio (the safe point used to put its load equal to its throughput); a figure
/// interpolated between measured steps keeps theirs (a loaded step may serve a little
/// less than twice what it offered).
#[test]
fn open_limits_count_arrivals_as_journeys_of_two_requests() {
    let _serial = serial();
    measure_twice(open_limits_of_two_request_journeys);
}

fn open_limits_of_two_request_journeys() {
    let target = Target::start(4, "10ms", "exp");
    let scenario = "name: two\njourneys: [{name: w, steps: [{name: fast, get: /fast}, {name: slow, get: /slow}]}]\n\
                    load: {pool: 150, steps: {rate: [50, 100, 150, 190, 230], hold: 3s}}\n";
    let limits = run_and_fit(&target, scenario, "p99=80ms");
    let measured: Vec<(f64, f64)> = limits["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["load"].as_f64().unwrap(), p["throughput_rps"].as_f64().unwrap()))
        .collect();
    let mut checked = Vec::new();
    for (figure, at) in [
        ("slo_limit", &limits["slo_limit"]),
        ("safe_operating_point", &limits["safe_operating_point"]["at"]),
        ("knee", &limits["knee"]),
    ] {
        let (Some(load), Some(throughput)) = (at["load"]["value"].as_f64(), at["throughput"]["value"].as_f64()) else {
            continue;
        };
        let ratio = throughput / load;
        if at["load"]["basis"] == "model" {
            assert!(
                within(ratio, 2.0, 0.05),
                "{figure}: {throughput:.1} rps at {load:.1} arrivals/s"
            );
        } else {
            let bracket: Vec<f64> = measured
                .windows(2)
                .find(|w| w[0].0 <= load && load <= w[1].0)
                .map_or_else(
                    || measured.iter().map(|(l, x)| x / l).collect(),
                    |w| w.iter().map(|(l, x)| x / l).collect(),
                );
            let (lo, hi) = bracket
                .iter()
                .fold((f64::MAX, f64::MIN), |(a, b), r| (a.min(*r), b.max(*r)));
            assert!(
                ratio >= lo * 0.99 && ratio <= hi * 1.01,
                "{figure}: {throughput:.1} rps at {load:.1} arrivals/s, outside its steps' {lo:.2}..{hi:.2}"
            );
            assert!(lo > 1.5, "{figure}'s steps served {lo:.2} requests per arrival");
        }
        checked.push(figure);
    }
    assert!(
        checked.contains(&"slo_limit") && checked.contains(&"safe_operating_point"),
        "only {checked:?}: {limits}"
    );
}
