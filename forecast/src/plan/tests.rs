//! Plans against closed forms: the instance count for exponential service against
//! Erlang C computed here, the bounds of the search, and n+1.

use super::*;
use crate::limits::{LoadKind, Point};
use crate::queueing::erlang_c;

fn p99(limit_ms: f64) -> Objective {
    Objective {
        name: "p99".into(),
        percentile: 99.0,
        limit_ms,
    }
}

/// One instance of 4 workers with exponential service of 40 ms (capacity 100 rps), as a
/// saturated open run shows it.
fn model() -> InstanceModel {
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
        },
        Point {
            load: 200.0,
            throughput: 100.0,
            latency_ms: [("mean".to_string(), 5000.0)].into(),
            latency_quantiles_ms: Vec::new(),
            requests: None,
        },
    ];
    InstanceModel::from_points(&points, LoadKind::Rate, true).unwrap()
}

/// p99 of the response time of M/M/k (k = 4 n workers, mu = 25/s) at 750/s, from
/// P(T > t) = (1 - C) e^{-mu t} + C (theta e^{-mu t} - mu e^{-theta t}) / (theta - mu),
/// theta = k mu - lambda (the sum of the exponential wait and service).
fn exact_p99_ms(instances: u32) -> f64 {
    let (k, mu, lambda) = (4 * instances, 25.0, 750.0);
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
