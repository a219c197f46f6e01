//! Reviews of generated portfolios with a known truth: each service's demand grows
//! linearly under a daily cycle, so the day its peak reaches the action level is known
//! in closed form; statuses, planned counts and costs are recomputed here from the
//! README's definitions; the previous review's score is recomputed by hand.

use super::*;
use crate::ts::workflow::Horizon;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use std::f64::consts::TAU;

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;
const START: i64 = 1_790_000_000 - 1_790_000_000 % DAY;
/// 90 days of hourly history.
const HISTORY_H: usize = 90 * 24;

/// Hourly demand: `base` + `slope` a day, a daily swing of `swing` (peak at 18:00),
/// Gaussian noise of 2% of the base.
fn demand(seed: u64, base: f64, slope: f64, swing: f64, hours: usize) -> Regular {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 0.02 * base).unwrap();
    Regular {
        start: START,
        step: HOUR,
        values: (0..hours)
            .map(|h| truth_at(h, base, slope, swing) + noise.sample(&mut rng))
            .collect(),
    }
}

fn truth_at(h: usize, base: f64, slope: f64, swing: f64) -> f64 {
    let day = h as f64 / 24.0;
    base + slope * day + swing * (TAU * (h as f64 - 12.0) / 24.0).sin()
}

/// The first day (from the history's end) the true daily peak reaches `level`:
/// base + slope d + swing = level.
fn true_days_to(level: f64, base: f64, slope: f64, swing: f64) -> f64 {
    (level - swing - base) / slope - HISTORY_H as f64 / 24.0
}

fn settings() -> Settings {
    Settings {
        name: "test".into(),
        as_of: None,
        horizon: Horizon::parse("90d").unwrap(),
        action: 0.7,
        critical: 0.85,
        lead_time_s: 30 * DAY,
        redundancy: Redundancy(1),
        slo: None,
    }
}

fn price() -> InstanceType {
    InstanceType {
        name: "m1".into(),
        vcpu: 4.0,
        mem_gib: 16.0,
        hourly_usd: 0.192,
        spot_hourly_usd: None,
    }
}

fn service(name: &str, instances: u32, rps: f64, demand: Regular) -> ServiceInput {
    ServiceInput {
        name: name.into(),
        instances,
        instance_type: Some("m1".into()),
        lead_time_s: 30 * DAY,
        redundancy: Redundancy(1),
        capacity: Ok(Capacity::PerInstance(rps)),
        demand: Ok(demand),
        price: Ok(Some(price())),
    }
}

fn day_of(date: &str) -> i64 {
    headroom_loadgen::units::parse_timestamp(date).unwrap() / DAY
}

/// Five services whose runway to the action level runs from 10 to 200 days: every date
/// within max(4 days, 15% of the runway) of the truth, and every status, planned count
/// and cost as the definitions say.
#[test]
fn dates_statuses_counts_and_costs_follow_the_definitions() {
    // (name, instances, rps per instance, base, slope a day, swing)
    let cases = [
        ("soon", 4, 100.0, 150.0, 0.5, 20.0),
        ("quarter", 6, 100.0, 200.0, 1.0, 30.0),
        ("later", 5, 200.0, 300.0, 2.0, 50.0),
        ("flat", 10, 100.0, 200.0, 0.0, 20.0),
        ("idle", 8, 100.0, 60.0, 0.05, 10.0),
    ];
    let inputs: Vec<ServiceInput> = cases
        .iter()
        .enumerate()
        .map(|(i, &(name, n, rps, base, slope, swing))| {
            service(name, n, rps, demand(i as u64, base, slope, swing, HISTORY_H))
        })
        .collect();
    let s = settings();
    let review = review(&s, inputs, None);
    let as_of = START + (HISTORY_H as i64 - 1) * HOUR;
    assert_eq!(review.as_of_s, as_of);
    let mut usd_now = 0.0;
    for (&(name, n, rps, base, slope, swing), r) in cases.iter().zip(&review.services) {
        assert_eq!(r.service, name);
        let capacity = (n - 1) as f64 * rps;
        assert_eq!(r.capacity_rps, Some(capacity));
        let action = 0.7 * capacity;
        // The mean's action date against the closed form, where it falls in the horizon.
        let runway = true_days_to(action, base, slope, swing);
        let found = r.action_date.as_deref().map(|d| (day_of(d) - as_of / DAY) as f64);
        if runway > 0.0 && runway < 85.0 {
            let found = found.unwrap_or_else(|| panic!("{name}: no action date, truth {runway:.1} days"));
            assert!(
                (found - runway).abs() <= (0.15 * runway).max(4.0),
                "{name}: action in {found} days, truth {runway:.1}"
            );
        } else if runway > 100.0 {
            assert!(found.is_none(), "{name}: action in {found:?} days, truth {runway:.1}");
        }
        // Status and order-by from the hi95 date, exactly as defined.
        let hi95 = r.action_date_hi95.as_deref().map(|d| day_of(d) * DAY);
        let order_by = hi95.map(|d| d - 30 * DAY);
        assert_eq!(r.order_by.as_deref().map(day_of), order_by.map(|d| d / DAY), "{name}");
        let peak_hi95 = r.forecast_peak_hi95_rps.unwrap();
        let planned = 1 + (peak_hi95 / (0.7 * rps)).ceil().max(1.0) as u32;
        assert_eq!(r.planned_instances, Some(planned), "{name}: peak hi95 {peak_hi95}");
        let status = match order_by {
            Some(o) if o <= as_of / DAY * DAY => Status::OrderNow,
            Some(_) => Status::Plan,
            None if planned < n => Status::Over,
            None => Status::Ok,
        };
        assert_eq!(r.status, status, "{name}: {r:?}");
        // Costs to the cent: 0.192 an hour, 730 hours a month.
        assert_eq!(
            r.monthly_usd_now,
            Some((0.192 * 730.0 * n as f64 * 100.0).round() / 100.0)
        );
        assert_eq!(
            r.monthly_usd_planned,
            Some((0.192 * 730.0 * planned as f64 * 100.0).round() / 100.0)
        );
        usd_now += 0.192 * 730.0 * n as f64;
        // Demand now: the last week's peak, near the truth's.
        let truth_now = truth_at(HISTORY_H - 7, base, slope, swing);
        assert!(
            (r.demand_now_rps.unwrap() - truth_now).abs() < 0.1 * truth_now,
            "{name}"
        );
    }
    assert!((review.totals.monthly_usd_now - usd_now).abs() < 0.006);
    let statuses: Vec<Status> = review.services.iter().map(|r| r.status).collect();
    assert_eq!(statuses[0], Status::OrderNow, "{statuses:?}");
    assert_eq!(statuses[4], Status::Over, "{statuses:?}");
    assert_eq!(review.totals.by_status.values().sum::<usize>(), 5);
}

/// A service already over its action level orders now, with today as its action date.
#[test]
fn a_service_over_its_action_level_orders_now() {
    let r = review(
        &settings(),
        vec![service("hot", 3, 100.0, demand(9, 160.0, 0.0, 10.0, HISTORY_H))],
        None,
    );
    let s = &r.services[0];
    assert_eq!(s.status, Status::OrderNow);
    assert_eq!(s.action_date.as_deref(), Some(r.as_of.as_str()));
}

/// Missing demand, a forecast that cannot be made, an unknown instance type and a bad
/// limits file each make their service `unknown` with a note; the rest are reviewed.
#[test]
fn bad_data_makes_a_service_unknown_and_the_rest_are_reviewed() {
    let good = service("good", 4, 100.0, demand(1, 100.0, 0.5, 10.0, HISTORY_H));
    let mut missing = service("missing", 4, 100.0, demand(2, 100.0, 0.5, 10.0, HISTORY_H));
    missing.demand = Err("no demand series named `missing`".into());
    let short = service("short", 4, 100.0, demand(3, 100.0, 0.5, 10.0, 5));
    let mut unpriced = service("unpriced", 4, 100.0, demand(4, 100.0, 0.5, 10.0, HISTORY_H));
    unpriced.price = Err("instance type `z9` is not in the catalogue".into());
    let mut untested = service("untested", 4, 100.0, demand(5, 100.0, 0.5, 10.0, HISTORY_H));
    untested.capacity = Err("limits.json: cannot read".into());
    let r = review(&settings(), vec![good, missing, short, unpriced, untested], None);
    assert_ne!(r.services[0].status, Status::Unknown);
    for s in &r.services[1..] {
        assert_eq!(s.status, Status::Unknown, "{}", s.service);
        assert!(!s.notes.is_empty(), "{}", s.service);
    }
    assert!(r.services[1].notes[0].contains("no demand series"));
    assert!(
        r.services[2].notes.iter().any(|n| n.contains("5 steps of history")),
        "{:?}",
        r.services[2].notes
    );
    assert_eq!(r.totals.by_status["unknown"], 4);
}

/// The previous review's forecast scored against the demand since, recomputed here:
/// MAPE over the overlap, the share inside its 80% band, and its peak error.
#[test]
fn the_previous_forecast_is_scored_against_what_followed() {
    let actual = demand(7, 100.0, 1.0, 10.0, HISTORY_H);
    // A previous forecast of the last 30 days, 5% high, with a band of +-8.
    let from = HISTORY_H - 30 * 24;
    let steps: Vec<PathStep> = (from..HISTORY_H)
        .map(|h| {
            let m = 1.05 * truth_at(h, 100.0, 1.0, 10.0);
            (START + h as i64 * HOUR, m, m - 8.0, m + 8.0)
        })
        .collect();
    let mut previous = Previous::default();
    previous.paths.insert(
        "svc".into(),
        PreviousPath {
            steps: steps.clone(),
            peak: Some(250.0),
        },
    );
    let r = review(
        &settings(),
        vec![service("svc", 6, 100.0, actual.clone())],
        Some(&previous),
    );
    let s = &r.services[0];
    let pairs: Vec<(f64, f64, f64, f64)> = steps
        .iter()
        .map(|&(t, m, lo, hi)| (actual.values[((t - START) / HOUR) as usize], m, lo, hi))
        .collect();
    let mape = pairs.iter().map(|(a, m, ..)| ((a - m) / a).abs()).sum::<f64>() / pairs.len() as f64;
    let inside = pairs.iter().filter(|(a, _, lo, hi)| lo <= a && a <= hi).count() as f64 / pairs.len() as f64;
    let max = pairs.iter().map(|p| p.0).fold(f64::MIN, f64::max);
    assert!((s.forecast_mape_previous.unwrap() - mape).abs() < 1e-12);
    assert!((s.forecast_coverage80_previous.unwrap() - inside).abs() < 1e-12);
    assert!((s.forecast_peak_error_previous.unwrap() - (250.0 - max) / max).abs() < 1e-12);
    assert!(mape > 0.02 && mape < 0.08, "{mape}");
    assert_eq!(r.totals.forecast_mape_previous, s.forecast_mape_previous);
}
