//! Every input parser, end to end through the command that reads it, against arbitrary
//! and mutated bytes (a bounded, seeded property test on stable; the `fuzz/` targets run
//! the same parsers under libFuzzer): each input ends in exit 0, 1 or 2 within a time
//! bound, never a panic (101), an abort (134) or a hang.

mod common;
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Cases per parser, and the wall-clock budget each parser's cases share.
const CASES: usize = 200;
const BUDGET: Duration = Duration::from_secs(25);
/// Longest one command may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(20);

/// Flips, inserts, deletes, duplicates and splices bytes of `seed`, or (one case in
/// eight) draws bytes at random.
fn mutate(seed: &[u8], rng: &mut StdRng) -> Vec<u8> {
    if rng.random_ratio(1, 8) {
        let n = rng.random_range(0..512);
        return (0..n).map(|_| rng.random()).collect();
    }
    let mut bytes = seed.to_vec();
    const TOKENS: [&[u8]; 12] = [
        b"-1",
        b"1e30",
        b"1e18",
        b"NaN",
        b"-inf",
        b"0",
        b"\n",
        b",",
        b"\"",
        b"{",
        b"]",
        b"99999999999999999999",
    ];
    for _ in 0..rng.random_range(1..6) {
        let at = rng.random_range(0..=bytes.len());
        match rng.random_range(0..5) {
            0 if at < bytes.len() => bytes[at] ^= 1 << rng.random_range(0..8),
            1 => bytes
                .splice(at..at, TOKENS[rng.random_range(0..TOKENS.len())].iter().copied())
                .for_each(drop),
            2 if at < bytes.len() => {
                let end = (at + rng.random_range(1..16)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 if at < bytes.len() => {
                let end = (at + rng.random_range(1..64)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy).for_each(drop);
            }
            _ => bytes.insert(at, rng.random()),
        }
    }
    bytes
}

/// Runs headroom with `args`, killing it past `HANG`; its exit code.
fn exit_code(args: &[&str]) -> i32 {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > HANG {
            let _ = child.kill();
            panic!("headroom {args:?} hung past {HANG:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Writes mutations of `seed` to `file` and runs `args` (with `file` among them) on each.
fn holds(name: &str, dir: &Path, file: &Path, seed: &[u8], args: &[&str], seed_value: u64) {
    let mut rng = StdRng::seed_from_u64(seed_value);
    let started = Instant::now();
    for case in 0..CASES {
        if started.elapsed() > BUDGET {
            break;
        }
        let bytes = mutate(seed, &mut rng);
        std::fs::write(file, &bytes).unwrap();
        let code = exit_code(args);
        if !(0..=2).contains(&code) {
            let kept = dir.join(format!("crash-{name}-{case}"));
            std::fs::copy(file, &kept).unwrap();
            panic!(
                "{name}: exit {code} on case {case}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}

#[test]
fn scenario_and_history_parsers_hold() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/shop.yaml")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/shoppers.csv"),
        d.join("shoppers.csv"),
    )
    .unwrap();
    let yaml = d.join("s.yaml");
    holds(
        "scenario",
        d,
        &yaml,
        &scenario,
        &["validate", yaml.to_str().unwrap()],
        1,
    );
    let csv = d.join("h.csv");
    let out = d.join("out");
    let forecast = [
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "1d",
        "--out",
        out.to_str().unwrap(),
    ];
    holds("history", d, &csv, hourly_csv(48, 10).as_bytes(), &forecast, 2);
    let prometheus = format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"job":"api"}},"values":[{}]}}]}}}}"#,
        (0..48)
            .map(|h| format!("[{},\"{}\"]", 1_700_000_000 + h * 3600, 10 + h % 24))
            .collect::<Vec<_>>()
            .join(",")
    );
    let json = d.join("p.json");
    let from_file = [
        "forecast",
        json.to_str().unwrap(),
        "--horizon",
        "1d",
        "--out",
        out.to_str().unwrap(),
    ];
    holds("prometheus", d, &json, prometheus.as_bytes(), &from_file, 3);

    // `import` of a recording and of an OpenAPI file, written to stdout.
    let root = env!("CARGO_MANIFEST_DIR");
    for (name, example, seed_value) in [("har", "shop.har", 4), ("openapi", "petstore.yaml", 5)] {
        let seed = std::fs::read(format!("{root}/examples/{example}")).unwrap();
        let file = d.join(example);
        let import = ["import", file.to_str().unwrap(), "--out", "-"];
        holds(name, d, &file, &seed, &import, seed_value);
    }
}

#[test]
fn result_and_fleet_parsers_hold() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A real run.json, limits.json and forecast directory to mutate.
    let target = Target::start(2, "2ms", "const");
    let scenario = write(d, "r.yaml", "name: r\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}, {users: 2, hold: 1s}, {users: 4, hold: 1s}]}\n");
    let run_dir = d.join("run");
    assert_eq!(run_scenario(&scenario, &target.url, &run_dir).status.code(), Some(0));
    let run_json = std::fs::read(run_dir.join("run.json")).unwrap();
    let limits = std::fs::read(fit_run(&run_dir)).unwrap();
    let out = d.join("out");
    let mutated = d.join("m.json");
    holds(
        "run.json",
        d,
        &mutated,
        &run_json,
        &["fit", mutated.to_str().unwrap(), "--out", out.to_str().unwrap()],
        4,
    );
    let plan = [
        "plan",
        "--limits",
        mutated.to_str().unwrap(),
        "--demand",
        "500",
        "--slo",
        "p99=50ms",
        "--out",
        out.to_str().unwrap(),
    ];
    holds("limits.json", d, &mutated, &limits, &plan, 5);

    let catalogue = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/prices.csv")).unwrap();
    let fleet: String = (0..48)
        .flat_map(|h| {
            (0..2).map(move |i| {
                format!(
                    "{},api,i{i},{},{}\n",
                    1_700_000_000 + h * 3600,
                    1.0 + (h % 5) as f64 / 10.0,
                    2_000_000_000u64
                )
            })
        })
        .collect();
    let fleet = format!("timestamp,service,instance,cpu_cores,mem_bytes\n{fleet}");
    let fleet_file = d.join("fleet.csv");
    let catalogue_file = d.join("prices.csv");
    std::fs::write(&catalogue_file, &catalogue).unwrap();
    let rightsize = [
        "rightsize",
        fleet_file.to_str().unwrap(),
        "--catalog",
        catalogue_file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    holds("fleet", d, &fleet_file, fleet.as_bytes(), &rightsize, 6);
    std::fs::write(&fleet_file, &fleet).unwrap();
    holds("catalogue", d, &catalogue_file, &catalogue, &rightsize, 7);

    // The forecast directory the report reads: its forecast.csv mutated.
    let history = write(d, "h.csv", &hourly_csv(48, 10));
    let fc = forecast_into(&history, "1d", d.join("fc"));
    let bands = std::fs::read(fc.join("forecast.csv")).unwrap();
    let report_dir = d.join("report");
    let report = [
        "report",
        "--forecast",
        fc.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ];
    holds("forecast dir", d, &fc.join("forecast.csv"), &bands, &report, 8);
}
