//! `headroom review` end to end: generated portfolios whose demand grows linearly under
//! a daily cycle (each action date known in closed form), statuses, counts and costs
//! recomputed here from the README's definitions, the previous review's forecast scored
//! against a recomputation, services with bad data reviewed as `unknown`, bad portfolio
//! files, and one `sum by (service)` query against a real Prometheus.

mod common;
use common::*;
use std::collections::BTreeMap;
use std::f64::consts::TAU;
use std::path::Path;

const DAY: i64 = 86_400;
const START: i64 = 1_790_000_000 - 1_790_000_000 % DAY;
const DAYS: i64 = 90;

/// (name, instances, rps per instance, base, slope a day, daily swing)
type Case = (&'static str, u32, f64, f64, f64, f64);

const CASES: [Case; 5] = [
    ("checkout", 4, 100.0, 150.0, 0.5, 20.0),
    ("search", 6, 100.0, 200.0, 1.0, 30.0),
    ("images", 5, 200.0, 300.0, 2.0, 50.0),
    ("flat", 10, 100.0, 200.0, 0.0, 20.0),
    ("idle", 8, 100.0, 60.0, 0.05, 10.0),
];

/// Hourly demand at hour h: the daily peak (base + slope d + swing) falls at 18:00.
fn truth(case: &Case, h: i64) -> f64 {
    let (_, _, _, base, slope, swing) = *case;
    base + slope * h as f64 / 24.0 + swing * (TAU * (h as f64 - 12.0) / 24.0).sin()
}

/// Deterministic noise of about 2% of the base.
fn noise(case: &Case, h: i64) -> f64 {
    0.02 * case.3 * ((h as f64 * 12.9898).sin() * 43_758.545).fract()
}

fn demand_csv(cases: &[Case], days: i64) -> String {
    let mut csv = String::from("timestamp,series,value\n");
    for h in 0..days * 24 {
        for case in cases {
            csv.push_str(&format!(
                "{},{},{:.4}\n",
                START + h * 3600,
                case.0,
                truth(case, h) + noise(case, h)
            ));
        }
    }
    csv
}

const PRICES: &str = "instance_type,vcpu,mem_gib,hourly_usd\nm1,4,16,0.192\nc2,8,16,0.34\n";

fn portfolio(extra: &str, services: &str) -> String {
    format!(
        "name: test review\nhorizon: 90d\nlead_time: 30d\nthresholds: {{action: 70%, critical: 85%}}\nredundancy: n+1\ncatalog: prices.csv\ndemand: {{csv: demand.csv}}\n{extra}services:\n{services}"
    )
}

fn service_lines(cases: &[Case]) -> String {
    cases
        .iter()
        .map(|(name, n, rps, ..)| {
            format!("  - {{name: {name}, capacity_rps: {rps}, instances: {n}, instance_type: m1}}\n")
        })
        .collect()
}

/// review.csv as maps of column to cell, by service.
fn rows(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let row: BTreeMap<String, String> = headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (row["service"].clone(), row)
        })
        .collect()
}

fn day_of(date: &str) -> i64 {
    let (y, rest) = date.split_once('-').unwrap();
    let (m, d) = rest.split_once('-').unwrap();
    // Days from civil (Howard Hinnant's algorithm), written here apart from the code.
    let (y, m, d): (i64, i64, i64) = (y.parse().unwrap(), m.parse().unwrap(), d.parse().unwrap());
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[test]
fn a_portfolio_is_reviewed_by_the_definitions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "demand.csv", &demand_csv(&CASES, DAYS));
    write(d, "prices.csv", PRICES);
    let mut services = service_lines(&CASES);
    services.push_str("  - {name: ghost, capacity_rps: 100, instances: 2, instance_type: m1}\n");
    services.push_str("  - {name: odd, capacity_rps: 100, instances: 2, instance_type: z9, demand: {csv: odd.csv}}\n");
    write(d, "odd.csv", &demand_csv(&[("odd", 2, 100.0, 50.0, 0.1, 5.0)], DAYS));
    let file = write(d, "portfolio.yaml", &portfolio("", &services));
    let out = d.join("out");
    let run = headroom(&["review", file.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("ORDER NOW  checkout"),
        "{}",
        text(&run.stdout)
    );
    let rows = rows(&out.join("review.csv"));
    let as_of_day = (START + (DAYS * 24 - 1) * 3600) / DAY;
    for case in &CASES {
        let (name, n, rps, base, slope, swing) = *case;
        let row = &rows[name];
        let number = |c: &str| {
            row[c]
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("{name}: {c} = `{}`", row[c]))
        };
        let capacity = (n - 1) as f64 * rps;
        assert_eq!(number("capacity_rps"), capacity);
        // The mean reaches 70% of capacity when the daily peak does: closed form.
        let runway = (0.7 * capacity - swing - base) / slope - DAYS as f64 + 1.0 / 24.0;
        let found = (!row["action_date"].is_empty()).then(|| (day_of(&row["action_date"]) - as_of_day) as f64);
        if runway > 0.0 && runway < 85.0 {
            let found = found.unwrap_or_else(|| panic!("{name}: no action date, truth {runway:.1} days"));
            assert!(
                (found - runway).abs() <= (0.15 * runway).max(4.0),
                "{name}: {found} vs {runway:.1}"
            );
        } else if runway > 100.0 {
            assert!(found.is_none(), "{name}: {found:?} vs {runway:.1}");
        }
        // Status, order-by, planned count and costs by the definitions.
        let order_by = (!row["action_date_hi95"].is_empty()).then(|| day_of(&row["action_date_hi95"]) - 30);
        assert_eq!(
            order_by,
            (!row["order_by"].is_empty()).then(|| day_of(&row["order_by"])),
            "{name}"
        );
        let planned = 1 + (number("forecast_peak_hi95_rps") / (0.7 * rps) - 1e-9).ceil().max(1.0) as u32;
        assert_eq!(row["planned_instances"], planned.to_string(), "{name}");
        let status = match order_by {
            Some(o) if o <= as_of_day => "order-now",
            Some(_) => "plan",
            None if planned < n => "over",
            None => "ok",
        };
        assert_eq!(row["status"], status, "{name}");
        assert_eq!(row["monthly_usd_now"], format!("{:.2}", 0.192 * 730.0 * n as f64));
        assert_eq!(
            row["monthly_usd_planned"],
            format!("{:.2}", 0.192 * 730.0 * planned as f64)
        );
    }
    assert_eq!(rows["checkout"]["status"], "order-now");
    assert_eq!(rows["idle"]["status"], "over");
    assert_eq!(rows["ghost"]["status"], "unknown");
    assert_eq!(rows["odd"]["status"], "unknown");
    let review = read_json(&out.join("review.json"));
    let notes = |i: usize| review["services"][i]["notes"].to_string();
    assert!(notes(5).contains("no demand series named `ghost`"), "{}", notes(5));
    assert!(notes(6).contains("`z9` is not in the catalogue"), "{}", notes(6));
    // The odd service's own file was read: its forecast is there though its price is not.
    assert!(review["services"][6]["forecast_peak_rps"].as_f64().is_some());
    assert_eq!(review["totals"]["by_status"]["unknown"], 2);
    let forecast = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    assert!(forecast.starts_with("timestamp,series,mean,lo80,hi80,lo95,hi95\n") && forecast.contains(",images,"));
}

/// A review as of day 60, then one at day 90 with it as --previous: the MAPE and the
/// 80% coverage of the old forecast over days 60-90, recomputed here from its
/// forecast.csv and the demand.
#[test]
fn the_previous_review_is_scored_against_the_demand_since() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases = &CASES[..3];
    write(d, "demand.csv", &demand_csv(cases, DAYS));
    write(d, "prices.csv", PRICES);
    let as_of = START + 60 * DAY - 3600;
    let old = write(
        d,
        "old.yaml",
        &portfolio(&format!("as_of: \"{as_of}\"\n"), &service_lines(cases)),
    );
    let run = headroom(&["review", old.to_str().unwrap(), "--out", d.join("q1").to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let new = write(d, "new.yaml", &portfolio("", &service_lines(cases)));
    let previous = d.join("q1/review.json");
    let run = headroom(&[
        "review",
        new.to_str().unwrap(),
        "--previous",
        previous.to_str().unwrap(),
        "--out",
        d.join("q2").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("last review's forecast"),
        "{}",
        text(&run.stdout)
    );
    let rows = rows(&d.join("q2/review.csv"));
    let mut reader = csv::Reader::from_path(d.join("q1/forecast.csv")).unwrap();
    let mut errors: BTreeMap<String, (f64, usize, usize)> = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let t = chrono_free_seconds(&r[0]);
        let h = (t - START) / 3600;
        if h >= DAYS * 24 {
            continue;
        }
        let case = cases.iter().find(|c| c.0 == &r[1]).unwrap();
        let actual: f64 = format!("{:.4}", truth(case, h) + noise(case, h)).parse().unwrap();
        let (mean, lo, hi): (f64, f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap(), r[4].parse().unwrap());
        let e = errors.entry(r[1].to_string()).or_default();
        e.0 += ((actual - mean) / actual).abs();
        e.1 += usize::from(lo <= actual && actual <= hi);
        e.2 += 1;
    }
    for (name, (sum, inside, count)) in &errors {
        assert_eq!(*count, 30 * 24, "{name}");
        let mape: f64 = rows[name]["forecast_mape_previous"].parse().unwrap();
        let coverage: f64 = rows[name]["forecast_coverage80_previous"].parse().unwrap();
        assert!(
            (mape - sum / *count as f64).abs() < 1e-4,
            "{name}: {mape} vs {}",
            sum / *count as f64
        );
        assert!((coverage - *inside as f64 / *count as f64).abs() < 1e-4, "{name}");
        assert!(
            mape < 0.2,
            "{name}: a month-old forecast of a straight trend off by {mape}"
        );
    }
}

/// RFC 3339 `2026-09-20T01:00:00Z` to Unix seconds, by the civil-day arithmetic above.
fn chrono_free_seconds(text: &str) -> i64 {
    let (date, time) = text.trim_end_matches('Z').split_once('T').unwrap();
    let parts: Vec<i64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    day_of(date) * DAY + parts[0] * 3600 + parts[1] * 60 + parts[2]
}

#[test]
fn bad_portfolio_files_exit_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "demand.csv", &demand_csv(&CASES[..1], 10));
    write(d, "prices.csv", PRICES);
    for (services, expect) in [
        ("  - {name: a, instances: 2}\n", "portfolio.yaml:9: `a`: no capacity"),
        (
            "  - {name: a, instances: 2, capacity_rps: 10, lead_time: soon}\n",
            "portfolio.yaml:9: lead_time",
        ),
        ("  - {name: a, instance: 2, capacity_rps: 10}\n", "portfolio.yaml:9"),
        (
            "  - {name: a, instances: 2, capacity_rps: -1}\n",
            "capacity_rps: found -1",
        ),
    ] {
        let file = write(d, "portfolio.yaml", &portfolio("", services));
        let run = headroom(&[
            "review",
            file.to_str().unwrap(),
            "--out",
            d.join("out").to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(2), "{services}: {}", text(&run.stderr));
        assert!(text(&run.stderr).contains(expect), "{services}: {}", text(&run.stderr));
    }
    // A demand file that is not there stops the review: nothing can be reviewed.
    let file = write(
        d,
        "portfolio.yaml",
        &portfolio("", &service_lines(&CASES[..1])).replace("demand.csv", "gone.csv"),
    );
    let run = headroom(&[
        "review",
        file.to_str().unwrap(),
        "--out",
        d.join("out").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2), "{}", text(&run.stderr));
    assert!(text(&run.stderr).contains("gone.csv"), "{}", text(&run.stderr));
}

/// One `sum by (service)` query against a real Prometheus gives every service's demand.
#[test]
fn one_prometheus_query_gives_every_service() {
    let Some(dir) = prometheus_or_skip() else { return };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 3600
        * 3600;
    let days = 30;
    let start = now - days * DAY;
    let cases = &CASES[..3];
    let mut om = String::from("# HELP demand Requests per second by instance.\n# TYPE demand gauge\n");
    for h in 0..days * 24 {
        for case in cases {
            // Two instances per service, each half the demand: the query sums them.
            for instance in ["a", "b"] {
                om.push_str(&format!(
                    "demand{{service=\"{}\",instance=\"{instance}\"}} {:.4} {}\n",
                    case.0,
                    (truth(case, h) + noise(case, h)) / 2.0,
                    start + h * 3600
                ));
            }
        }
    }
    om.push_str("# EOF\n");
    let (_server, url) = Prometheus::start(dir.path(), &om);
    let d = dir.path();
    write(d, "prices.csv", PRICES);
    let text_ = portfolio("", &service_lines(cases)).replace(
        "demand: {csv: demand.csv}",
        &format!("demand: {{prometheus: \"{url}\", query: \"sum by (service) (demand)\", label: service, range: 30d}}"),
    );
    let file = write(d, "portfolio.yaml", &text_);
    let out = d.join("out");
    let run = headroom(&[
        "review",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let review: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    for (i, case) in cases.iter().enumerate() {
        let s = &review["services"][i];
        assert_eq!(s["service"], case.0);
        assert_ne!(s["status"], "unknown", "{s}");
        // Demand now: the last week's highest hour, the sum of both instances.
        let truth_now = (days * 24 - 7 * 24..days * 24)
            .map(|h| truth(case, h) + noise(case, h))
            .fold(f64::MIN, f64::max);
        let now_rps = s["demand_now_rps"].as_f64().unwrap();
        assert!(within(now_rps, truth_now, 0.03), "{}: {now_rps} vs {truth_now}", case.0);
    }
}
