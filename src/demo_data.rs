//! The demo's generated inputs, with a fixed seed: eight weeks of hourly demand for two
//! services, two weeks of a fleet of eight services with today's placement, and a
//! portfolio of 20 services with 90 days of hourly demand for the quarterly review.

use rand::{Rng, SeedableRng};
use std::fmt::Write as _;

pub const SEED: u64 = 20261127;
/// The demo's history starts here (2026-09-01T00:00:00Z) and runs eight weeks.
const HISTORY_START: i64 = 1_788_220_800;

/// Hourly requests per second for two services over eight weeks: a trend, a daily and
/// a weekly cycle and noise; checkout, on four instances of the load-tested kind, grows
/// towards their capacity.
pub fn history() -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let mut text = String::from("timestamp,series,value\n");
    let tau = std::f64::consts::TAU;
    for hour in 0..56 * 24 {
        let day = hour as f64 / 24.0;
        let daily = (tau * (day - 0.375)).sin();
        let weekly = (tau * day / 7.0).cos();
        for (name, base, growth) in [("checkout-rps", 560.0, 6.4), ("search-rps", 90.0, 0.3)] {
            let v = base
                + growth * day
                + 0.35 * base * daily
                + 0.08 * base * weekly
                + rng.random_range(-1.0..1.0) * 0.05 * base;
            let _ = writeln!(text, "{},{name},{:.2}", HISTORY_START + hour * 3600, v.max(0.0));
        }
    }
    text
}

/// Two weeks at 15 minutes for eight services, and today's placement of them.
pub fn fleet() -> (String, String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 1);
    let services = [
        ("checkout", "gp.large", 4, 2.0),
        ("search", "gp.xlarge", 3, 6.0),
        ("catalog", "gp.large", 3, 1.2),
        ("payments", "cpu.medium", 2, 2.8),
        ("recommendations", "mem.large", 4, 1.5),
        ("auth", "gp.medium", 3, 0.6),
        ("images", "cpu.large", 2, 5.5),
        ("notifications", "gp.small", 2, 0.3),
    ];
    let mut fleet = String::from("timestamp,service,instance,cpu_cores,mem_bytes\n");
    let mut placement = String::from("service,instance_type,count\n");
    let tau = std::f64::consts::TAU;
    for (name, kind, count, cores) in services {
        let _ = writeln!(placement, "{name},{kind},{count}");
        for sample in 0..14 * 96 {
            let day = sample as f64 / 96.0;
            let load = cores * (1.0 + 0.4 * (tau * (day - 0.375)).sin());
            for i in 0..count {
                let cpu = (load + rng.random_range(-0.1..0.1) * cores) / count as f64;
                let mem = 3.0e9 + 1.0e9 * cores + rng.random_range(0.0..2.0e8);
                let _ = writeln!(
                    fleet,
                    "{},{name},{name}-{i},{:.3},{mem:.0}",
                    HISTORY_START + sample * 900,
                    cpu.max(0.01)
                );
            }
        }
    }
    (fleet, placement)
}

/// The review's portfolio: 20 services, `checkout` sized by the demo's own load test
/// (limits/limits.json), the rest by a stated capacity per instance; and their 90 days
/// of hourly demand, each growing at its own rate under a daily cycle.
pub fn portfolio() -> (String, String) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED + 2);
    let tau = std::f64::consts::TAU;
    let names = [
        "checkout",
        "search",
        "catalog",
        "payments",
        "auth",
        "images",
        "notifications",
        "cart",
        "reviews",
        "pricing",
        "inventory",
        "shipping",
        "accounts",
        "sessions",
        "ads",
        "feeds",
        "media",
        "billing",
        "gateway",
        "export",
    ];
    let types = ["gp.medium", "gp.large", "cpu.large", "gp.xlarge"];
    let mut yaml = String::from(
        "name: demo quarterly review\nhorizon: 90d\nlead_time: 30d\nthresholds: {action: 70%, critical: 85%}\n\
         redundancy: n+1\nslo: p99=60ms\ncatalog: prices.csv\ndemand: {csv: portfolio-demand.csv}\nservices:\n",
    );
    let mut shapes = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let instances = 3 + (i % 5) as u32;
        let rps = 100.0 + 50.0 * (i % 4) as f64;
        // Today's peak between a quarter and three fifths of capacity, growing 0 to
        // 0.3% of it a day.
        let capacity = (instances - 1) as f64 * rps;
        let base = capacity * rng.random_range(0.2..0.45);
        let growth = capacity * rng.random_range(0.0..0.003);
        if i == 0 {
            let _ = writeln!(yaml, "  - {{name: {name}, limits: limits/limits.json, instances: 4, instance_type: gp.medium, lead_time: 45d}}");
            shapes.push((name, 100.0, 1.2));
        } else {
            let _ = writeln!(
                yaml,
                "  - {{name: {name}, capacity_rps: {rps}, instances: {instances}, instance_type: {}}}",
                types[i % types.len()]
            );
            shapes.push((name, base, growth));
        }
    }
    let mut demand = String::from("timestamp,series,value\n");
    for hour in 0..90 * 24 {
        let day = hour as f64 / 24.0;
        let daily = (tau * (day - 0.375)).sin();
        for (name, base, growth) in &shapes {
            let v = base + growth * day + 0.25 * base * daily + rng.random_range(-1.0..1.0) * 0.04 * base;
            let _ = writeln!(demand, "{},{name},{:.2}", HISTORY_START + hour * 3600, v.max(0.0));
        }
    }
    (demand, yaml)
}
