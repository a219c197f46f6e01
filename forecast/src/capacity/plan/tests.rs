//! Plans against closed forms: the instance count for exponential service against
//! Erlang C computed here, the bounds of the search, and n+1.

use super::*;
use crate::capacity::point::{Model, Point};
use crate::capacity::queueing::erlang_c;

fn p99(limit_ms: f64) -> Objective {
    Objective {
        name: "p99".into(),
        percentile: 99.0,
        limit_ms,
    }
}

/// One instance of 4 workers with exponential service of 40 ms (capacity 100 rps), as a
/// saturated open run shows it, its saturated step's size unknown.
fn model() -> InstanceModel {
    model_with(None)
}

/// The same, the saturated step having served `requests`.
fn model_with(requests: Option<u64>) -> InstanceModel {
    let quantiles: Vec<f64> = (0..2000)
        .map(|i| -40.0 * (1.0 - (i as f64 + 0.5) / 2000.0).ln())
        .collect();
    let points = [
        Point {
            load: 5.0,
            throughput: 5.0,
            latency_ms: [("mean".to_string(), 40.0)].into(),
            latency_quantiles_ms: quantiles,
            requests: Some(10_000),
            arrivals: None,
        },
        Point {
            load: 200.0,
            throughput: 100.0,
            latency_ms: [("mean".to_string(), 5000.0)].into(),
            latency_quantiles_ms: Vec::new(),
            requests,
            arrivals: None,
        },
    ];
    InstanceModel::from_points(&points, Model::Open, true).unwrap()
}

/// p99 of the response time of M/M/k (k = 4 n workers, mu = 25/s) at 750/s.
fn exact_p99_ms(instances: u32) -> f64 {
    exact_p99_ms_at(instances, 25.0)
}

/// The same at service rate `mu`, from
/// P(T > t) = (1 - C) e^{-mu t} + C (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu),
/// theta = k mu - lambda (the sum of the exponential wait and service).
fn exact_p99_ms_at(instances: u32, mu: f64) -> f64 {
    let (k, lambda) = (4 * instances, 750.0);
    let c = erlang_c(k, lambda / mu);
    let theta = k as f64 * mu - lambda;
    let survival =
        |t: f64| (1.0 - c) * (-mu * t).exp() + c * (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu);
    let (mut lo, mut hi) = (0.0, 10.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if survival(mid) > 0.01 {
            lo = mid
        } else {
            hi = mid
        }
    }
    hi * 1e3
}

#[test]
fn smallest_count_by_erlang_c_and_n_plus_one_adds_one() {
    let m = model();
    assert_eq!((m.servers, m.capacity_rps), (4, 100.0));
    let limit = 250.0;
    // The exact answer: the fewest instances that keep up (8: 800 > 750) whose p99 meets it.
    let exact = (8..).find(|&n| exact_p99_ms(n) <= limit).unwrap();
    let n = instances_needed(&m, 750.0, &p99(limit), 0).unwrap();
    assert_eq!(n, exact, "exact p99 at {exact}: {} ms", exact_p99_ms(exact));
    // The simulated figure agrees with the closed form where it matters.
    let predicted = m.latency_ms(n, 750.0, 0.99).unwrap();
    assert!(
        (predicted - exact_p99_ms(n)).abs() < 0.05 * exact_p99_ms(n),
        "{predicted} ms"
    );
    assert_eq!(instances_needed(&m, 750.0, &p99(limit), 1), Ok(n + 1));
    let s = sizing(&m, n + 1, 750.0, &p99(limit), 1);
    assert!(s.meets_objective && s.headroom >= 0.0 && s.utilisation < 1.0, "{s:?}");
    let short = sizing(&m, n, 750.0, &p99(limit), 1);
    assert!(!short.meets_objective && short.headroom < 0.0, "{short:?}");
}

#[test]
fn unreachable_objectives_and_absurd_demand_fail_at_once() {
    let m = model();
    let started = std::time::Instant::now();
    // One request's p99 alone is 40 ms x ln 100 = 184 ms.
    match instances_needed(&m, 100.0, &p99(20.0), 0) {
        Err(PlanError::Unreachable { floor_ms, .. }) => assert!((floor_ms - 184.2).abs() < 2.0, "{floor_ms}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        instances_needed(&m, 1e9, &p99(250.0), 0),
        Err(PlanError::TooMany { .. })
    ));
    assert!(matches!(
        instances_needed(&m, f64::NAN, &p99(250.0), 0),
        Err(PlanError::Demand(_))
    ));
    assert!(started.elapsed().as_secs_f64() < 1.0);
}

#[test]
fn the_curve_crosses_the_objective() {
    let m = model();
    let n = instances_needed(&m, 750.0, &p99(250.0), 0).unwrap();
    let curve = curve(&m, n, 750.0, &p99(250.0), 0);
    assert!(curve.first().unwrap().instances < n && curve.last().unwrap().instances >= 2 * n);
    assert!(curve.iter().any(|c| c.objective_ms.is_none_or(|ms| ms > 250.0)));
    assert!(curve.iter().any(|c| c.objective_ms.is_some_and(|ms| ms <= 250.0)));
}

#[test]
fn the_count_meets_the_objective_at_the_capacitys_lower_bound() {
    // 2500 completions of exponential service: the capacity's standard error is
    // 1 / sqrt(2500) = 2% (the renewal count's variance n cv^2), so the plan must hold
    // at mu = 25 x (1 - 2 x 2%) = 24/s.
    let m = model_with(Some(2500));
    let cv = m.service_cv;
    assert!(
        (m.capacity_relative_error - cv / 50.0).abs() < 1e-12 && (cv - 1.0).abs() < 0.05,
        "{m:?}"
    );
    let mu_low = 25.0 * (1.0 - 2.0 * m.capacity_relative_error);
    // A limit that 8 instances meet at the measured capacity and miss at its bound.
    let limit = (exact_p99_ms(8) + exact_p99_ms_at(8, mu_low)) / 2.0;
    assert_eq!(instances_needed(&model(), 750.0, &p99(limit), 0), Ok(8));
    let exact = (8..).find(|&n| exact_p99_ms_at(n, mu_low) <= limit).unwrap();
    assert_eq!(instances_needed(&m, 750.0, &p99(limit), 0), Ok(exact));
    let s = sizing(&m, exact, 750.0, &p99(limit), 0);
    let bound = s.objective_ms_at_low_capacity.unwrap();
    assert!((bound - exact_p99_ms_at(exact, mu_low)).abs() < 0.05 * bound, "{s:?}");
    assert!(s.objective_ms.unwrap() < bound && s.meets_objective, "{s:?}");
    // One fewer would do at the measured capacity: the plan says the call is close.
    let fewer = format!("{} instances would meet", exact - 1);
    assert!(close_call(&m, exact, 750.0, &p99(limit), 0).is_some_and(|w| w.contains(&fewer)));
    assert_eq!(close_call(&model(), 8, 750.0, &p99(limit), 0), None);
}
