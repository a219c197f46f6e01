//! `headroom rightsize` end to end: a generated fleet whose statistics are known gives
//! the hand-computed choice and savings; N+1 changes it; bad input names its row.

mod common;
use common::*;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const CATALOGUE: &str = "instance_type,vcpu,mem_gib,hourly_usd\nc2,2,4,0.10\nc4,4,8,0.19\nc8,8,16,0.40\n";

/// 100 five-minute samples of `api` on two instances: totals with p95 = 2.4 cores
/// (type 7, numpy's default) and a 5 GiB memory peak; `tiny` runs hot on one c2.
fn fleet() -> String {
    let mut text = String::from("timestamp,service,instance,cpu_cores,mem_bytes\n");
    for i in 0..100 {
        let t = 1_700_000_000 + i * 300;
        let total = if i < 94 { 1.0 + i as f64 * 0.01 } else { 2.4 };
        let mem = if i == 50 { 5.0 * GIB } else { 3.0 * GIB };
        for k in 0..2 {
            text.push_str(&format!("{t},api,api-{k},{},{}\n", total / 2.0, mem / 2.0));
        }
        text.push_str(&format!("{t},tiny,tiny-0,{},{}\n", 3.0, 3.5 * GIB));
    }
    text
}

fn rightsize(dir: &std::path::Path, policy: &str, extra: &[&str]) -> std::process::Output {
    let fleet = write(dir, "fleet.csv", &fleet());
    let catalogue = write(dir, "prices.csv", CATALOGUE);
    let placement = write(
        dir,
        "placement.csv",
        "service,instance_type,count\napi,c8,2\ntiny,c2,1\n",
    );
    let policy = write(dir, "policy.yaml", policy);
    let mut args = vec![
        "rightsize",
        fleet.to_str().unwrap(),
        "--catalog",
        catalogue.to_str().unwrap(),
        "--current",
        placement.to_str().unwrap(),
        "--policy",
        policy.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    headroom(&args)
}

fn service<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["services"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == name)
        .unwrap()
}

#[test]
fn hand_computed_choice_savings_and_under_provisioning() {
    let dir = tempfile::tempdir().unwrap();
    let run = rightsize(
        dir.path(),
        "headroom: 20%\nmemory_headroom: 20%\nmin_instances: 1\nredundancy: n\n",
        &["--json"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let api = service(&report, "api");
    assert!((api["cpu_p95_cores"].as_f64().unwrap() - 2.4).abs() < 1e-9);
    assert!((api["mem_peak_gib"].as_f64().unwrap() - 5.0).abs() < 1e-9);
    // 2.88 cores and 6 GiB: c4 x 1 at $0.19/h against c8 x 2 at $0.80/h today.
    assert_eq!(api["recommended"]["instance_type"], "c4");
    assert_eq!(api["recommended"]["count"], 1);
    assert!((api["savings_monthly_usd"].as_f64().unwrap() - (0.80 - 0.19) * 730.0).abs() < 1e-6);
    // tiny: 3 cores on a 2-core c2 -> 3.6 cores needed: c4 x 1, $0.09/h more.
    let tiny = service(&report, "tiny");
    assert!(tiny["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f == "under_provisioned"));
    assert!((tiny["savings_monthly_usd"].as_f64().unwrap() + 0.09 * 730.0).abs() < 1e-6);
    // Sorted by savings, and the fleet total adds up.
    assert_eq!(report["services"][0]["service"], "api");
    let total = report["total"]["savings_monthly_usd"].as_f64().unwrap();
    assert!((total - (0.61 - 0.09) * 730.0).abs() < 1e-6);
    let csv = std::fs::read_to_string(dir.path().join("recommendations.csv")).unwrap();
    assert!(csv.starts_with("service,current_type,current_count,recommended_type,recommended_count,current_monthly_usd,recommended_monthly_usd,savings_monthly_usd,cpu_p95_cores,mem_peak_gib,flags\n"));
    assert!(
        csv.contains("\napi,c8,2,c4,1,584.00,138.70,445.30,2.400,5.000,"),
        "{csv}"
    );
}

#[test]
fn n_plus_one_changes_the_choice() {
    let dir = tempfile::tempdir().unwrap();
    let run = rightsize(
        dir.path(),
        "headroom: 20%\nmemory_headroom: 20%\nmin_instances: 1\nredundancy: n+1\n",
        &["--json"],
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let api = service(&report, "api");
    assert_eq!(
        (
            api["recommended"]["instance_type"].as_str(),
            api["recommended"]["count"].as_u64()
        ),
        (Some("c2"), Some(3))
    );
}

#[test]
fn bad_input_names_the_row() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let catalogue = write(d, "prices.csv", CATALOGUE);
    let good_fleet = write(d, "fleet.csv", &fleet());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                good_fleet.display().to_string(),
                "--current".into(),
                write(d, "p.csv", "service,instance_type,count\napi,c99,1\n")
                    .display()
                    .to_string(),
            ],
            "p.csv:2: instance_type: found `c99`",
        ),
        (
            vec![write(
                d,
                "neg.csv",
                "timestamp,service,instance,cpu_cores,mem_bytes\n1,a,a0,1,1\n2,a,a0,-1,1\n",
            )
            .display()
            .to_string()],
            "neg.csv:3: cpu_cores: found -1",
        ),
        (
            vec![write(d, "cols.csv", "timestamp,service,cpu_cores\n1,a,1\n")
                .display()
                .to_string()],
            "cols.csv:1: missing column `instance`",
        ),
        (
            vec![write(
                d,
                "huge.csv",
                "timestamp,service,instance,cpu_cores,mem_bytes\n1,big,b0,1,21474836480\n",
            )
            .display()
            .to_string()],
            "service `big`: no catalogue type is large enough",
        ),
        (
            vec![
                good_fleet.display().to_string(),
                "--policy".into(),
                write(d, "pol.yaml", "headroom: 20%\nredundnacy: n+1\n")
                    .display()
                    .to_string(),
            ],
            "pol.yaml:2",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["rightsize".to_string()];
        all.extend(args);
        all.extend([
            "--catalog".into(),
            catalogue.display().to_string(),
            "--out".into(),
            d.display().to_string(),
        ]);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let out = headroom(&refs);
        assert_eq!(out.status.code(), Some(2), "{message}");
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
}

#[test]
fn shipped_examples_work_with_a_forecast_horizon() {
    let dir = tempfile::tempdir().unwrap();
    // Two weeks of hourly samples for the services in examples/placement.csv.
    let mut rows = String::from("timestamp,service,instance,cpu_cores,mem_bytes\n");
    for i in 0..14 * 24 {
        let t = 1_700_000_000 + i * 3600;
        let daily = (std::f64::consts::TAU * i as f64 / 24.0).sin();
        for k in 0..4 {
            rows.push_str(&format!(
                "{t},checkout,c{k},{:.3},{}\n",
                2.0 + daily + i as f64 * 0.002,
                6.0 * GIB
            ));
        }
        for k in 0..3 {
            rows.push_str(&format!("{t},search,s{k},{:.3},{}\n", 9.0 + 2.0 * daily, 20.0 * GIB));
        }
    }
    let fleet = write(dir.path(), "fleet.csv", &rows);
    let root = env!("CARGO_MANIFEST_DIR");
    let run = headroom(&[
        "rightsize",
        fleet.to_str().unwrap(),
        "--catalog",
        &format!("{root}/examples/prices.csv"),
        "--current",
        &format!("{root}/examples/placement.csv"),
        "--policy",
        &format!("{root}/examples/policy.yaml"),
        "--forecast-horizon",
        "30d",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    assert!(
        out.contains("fleet: 2 services, 7 instances") && out.contains("saves $"),
        "{out}"
    );
    let report = read_json(&dir.path().join("rightsize.json"));
    assert_eq!(report["policy"]["size_for_forecast_peak"], true);
    let checkout = service(&report, "checkout");
    assert!(checkout["cpu_sized_cores"].as_f64().unwrap() > checkout["cpu_p95_cores"].as_f64().unwrap() * 0.95);
}

#[test]
fn cpu_percent_variant_uses_the_instance_type() {
    let dir = tempfile::tempdir().unwrap();
    let mut rows = String::from("timestamp,service,instance,instance_type,cpu_percent,mem_bytes\n");
    for i in 0..100 {
        // 60% of a 4-vCPU c4 on each of two instances: 4.8 cores in all.
        for k in 0..2 {
            rows.push_str(&format!(
                "{},web,web-{k},c4,60,{}\n",
                1_700_000_000 + i * 300,
                2.0 * GIB
            ));
        }
    }
    let fleet = write(dir.path(), "fleet.csv", &rows);
    let catalogue = write(dir.path(), "prices.csv", CATALOGUE);
    let run = headroom(&[
        "rightsize",
        fleet.to_str().unwrap(),
        "--catalog",
        catalogue.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!((service(&report, "web")["cpu_p95_cores"].as_f64().unwrap() - 4.8).abs() < 1e-9);
    let unknown = write(dir.path(), "bad.csv", &rows.replacen(",c4,", ",z9,", 1));
    let bad = headroom(&[
        "rightsize",
        unknown.to_str().unwrap(),
        "--catalog",
        catalogue.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("bad.csv:2: instance_type: found `z9`"),
        "{}",
        text(&bad.stderr)
    );
}

#[test]
fn totals_compare_the_same_services_on_both_sides() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fleet = write(d, "fleet.csv", &fleet());
    let catalogue = write(d, "prices.csv", CATALOGUE);
    // Only `api` is placed today (c8 x 2, $0.80/h); `tiny` needs a c4 ($0.19/h) too.
    let placement = write(d, "placement.csv", "service,instance_type,count\napi,c8,2\n");
    let policy = write(
        d,
        "policy.yaml",
        "headroom: 20%\nmemory_headroom: 20%\nmin_instances: 1\nredundancy: n\n",
    );
    let args = |extra: &[&str]| {
        let mut a = vec![
            "rightsize",
            fleet.to_str().unwrap(),
            "--catalog",
            catalogue.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--out",
            d.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        headroom(&a)
    };
    let placed = args(&["--current", placement.to_str().unwrap()]);
    assert_eq!(placed.status.code(), Some(0), "{}", text(&placed.stderr));
    let t = &read_json(&d.join("rightsize.json"))["total"];
    let hours = 730.0;
    let close = |v: &serde_json::Value, expected: f64| (v.as_f64().unwrap() - expected).abs() < 1e-6;
    assert!(close(&t["current_monthly_usd"], 0.80 * hours), "{t}");
    assert!(close(&t["recommended_compared_monthly_usd"], 0.19 * hours), "{t}");
    assert!(close(&t["savings_monthly_usd"], (0.80 - 0.19) * hours), "{t}");
    assert!(close(&t["recommended_monthly_usd"], 2.0 * 0.19 * hours), "{t}");
    let out = text(&placed.stdout);
    assert!(
        out.contains(
            "for the 1 of 2 services placed today: $584.00/month now, $138.70 recommended: saves $445.30/month"
        ),
        "{out}"
    );
    // Without a placement there is nothing to compare: no "$0.00 now".
    let unplaced = args(&[]);
    assert_eq!(unplaced.status.code(), Some(0), "{}", text(&unplaced.stderr));
    let out = text(&unplaced.stdout);
    assert!(
        out.contains("give --current") && !out.contains("$0.00/month now"),
        "{out}"
    );
}
