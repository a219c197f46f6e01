//! Limits against synthetic runs with known truth: a closed system of C servers with
//! service time S (capacity C / S), and an M/M/c queue for the open model.

use super::*;
use crate::capacity::queueing::Mmc;
use crate::capacity::usl::Usl;

fn point(load: f64, throughput: f64, latency: &[(&str, f64)]) -> Point {
    Point {
        load,
        throughput,
        latency_ms: latency.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        latency_quantiles_ms: Vec::new(),
        requests: None,
        arrivals: None,
    }
}

/// Quantiles at (i + 1/2) / 1000 of an exponential with `mean_ms`.
fn exponential_ms(mean_ms: f64) -> Vec<f64> {
    (0..1000)
        .map(|i| -mean_ms * (1.0 - (i as f64 + 0.5) / 1000.0).ln())
        .collect()
}

/// A closed run against C = 4 servers of S = 10 ms, constant service: X = min(N / S, C / S),
/// R = max(S, N / X).
fn closed_run(levels: &[f64]) -> Vec<Point> {
    levels
        .iter()
        .map(|&n| {
            let x = (n / 0.010).min(400.0);
            let r_ms = n / x * 1e3;
            point(n, x, &[("mean", r_ms), ("p95", r_ms * 1.02)])
        })
        .collect()
}

#[test]
fn closed_run_finds_peak_knee_and_slo_limit() {
    let objectives = [Objective {
        name: "p95".into(),
        percentile: 95.0,
        limit_ms: 25.5,
    }];
    let l = limits(
        Model::Closed,
        &closed_run(&[1.0, 2.0, 4.0, 8.0, 16.0, 32.0]),
        &objectives,
        0.2,
    )
    .unwrap();
    assert!(l.peak.saturated);
    assert_eq!(l.peak.throughput.value, 400.0);
    let knee = l.knee.unwrap().load.value;
    assert!((knee - 4.0).abs() / 4.0 < 0.10, "knee {knee}");
    // p95 = 1.02 N / 400 s reaches 25.5 ms at N = 10 (between the 8 and 16 steps).
    let slo = l.slo_limit.unwrap();
    assert!((slo.load.value - 10.0).abs() < 1e-9, "{slo:?}");
    assert_eq!(slo.load.basis, Basis::Interpolated);
    let safe = l.safe_operating_point.unwrap();
    assert!((safe.at.throughput.value - 320.0).abs() < 1e-9);
    assert_eq!(safe.based_on, "slo_limit");
}

#[test]
fn unsaturated_run_says_so_and_extrapolates() {
    let objectives = [
        Objective {
            name: "p95".into(),
            percentile: 95.0,
            limit_ms: 25.0,
        },
        Objective {
            name: "p99".into(),
            percentile: 99.0,
            limit_ms: 100.0,
        },
    ];
    let truth = Usl {
        sigma: 0.02,
        kappa: 0.0005,
        lambda: 100.0,
    };
    let points: Vec<Point> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .map(|&n| {
            point(
                n,
                truth.throughput(n),
                &[("p95", truth.latency(n) * 1e3), ("p99", truth.latency(n) * 2e3)],
            )
        })
        .collect();
    let l = limits(Model::Closed, &points, &objectives, 0.2).unwrap();
    assert!(!l.peak.saturated);
    assert!(
        l.peak.note.starts_with("no knee in the tested range; peak at least"),
        "{}",
        l.peak.note
    );
    assert!(l.knee.is_none());
    let estimate = l.peak.model_estimate.unwrap().value;
    assert!((estimate - truth.peak_throughput().unwrap()).abs() / estimate < 1e-6);
    let p95 = l.objectives[0].at.clone().unwrap();
    assert_eq!(p95.load.basis, Basis::Extrapolated);
    let n = truth.concurrency_at_latency(0.025).unwrap();
    assert!((p95.load.value - n).abs() / n < 1e-6, "{} vs {n}", p95.load.value);
    // p99 (twice the mean here) would hold up to 72 users, past the peak at N* = 44.3 where throughput only
    // falls: the limit stops at the peak.
    let p99 = l.objectives[1].at.clone().unwrap();
    let peak = truth.peak_concurrency().unwrap();
    assert!(
        (p99.load.value - peak).abs() / peak < 1e-6,
        "{} vs {peak}",
        p99.load.value
    );
    assert_eq!(l.slo_limit.unwrap(), p95);
}

#[test]
fn slo_failing_at_the_lowest_load_is_reported() {
    let objectives = [Objective {
        name: "p95".into(),
        percentile: 95.0,
        limit_ms: 5.0,
    }];
    let l = limits(Model::Closed, &closed_run(&[1.0, 2.0, 4.0, 8.0]), &objectives, 0.2).unwrap();
    assert!(l.slo_limit.is_none());
    assert!(l.objectives[0].note.as_ref().unwrap().contains("lowest tested load"));
    assert!(l.safe_operating_point.is_none());
    assert!(l.warnings[0].contains("fewer than 6"));
}

/// An open run against M/M/4 with S = 10 ms (capacity 400/s): mean and p99 from the
/// queueing formulas, saturated steps delivering only the capacity.
#[test]
fn open_run_fits_mmc_and_recovers_capacity() {
    let truth = |rate: f64| Mmc {
        lambda: rate,
        mu: 100.0,
        c: 4,
    };
    let mut points: Vec<Point> = [50.0, 100.0, 200.0, 300.0, 350.0, 380.0]
        .iter()
        .map(|&r| {
            point(
                r,
                r,
                &[
                    ("mean", truth(r).mean_response() * 1e3),
                    ("p99", truth(r).response_percentile(0.99) * 1e3),
                ],
            )
        })
        .collect();
    points.push(point(500.0, 400.0, &[("mean", 500.0), ("p99", 600.0)]));
    let objectives = [Objective {
        name: "p99".into(),
        percentile: 99.0,
        limit_ms: 80.0,
    }];
    // At 50/s (12.5% utilisation) the response time is the exponential service time.
    points[0].latency_quantiles_ms = exponential_ms(10.0);
    let l = limits(Model::Open, &points, &objectives, 0.2).unwrap();
    let model = l.instance_model.clone().unwrap();
    assert_eq!(model.servers, 4);
    assert!((model.service_time_ms - 10.0).abs() < 0.05, "{model:?}");
    assert!((model.service_cv - 1.0).abs() < 0.05, "{model:?}");
    assert_eq!(model.capacity_rps, 400.0, "the measured saturated throughput");
    assert!(l.peak.saturated);
    // p99 = 80 ms is reached between 350 and 380/s: the interpolation is close to the
    // exact M/M/4 answer, and so is the model's own Poisson limit.
    let exact = bisect(0.0, 399.999, |r| truth(r).response_percentile(0.99) * 1e3 - 80.0);
    let slo = l.slo_limit.unwrap();
    assert!(
        (slo.load.value - exact).abs() / exact < 0.02,
        "{} vs {exact}",
        slo.load.value
    );
    let poisson = l.objectives[0].poisson_rate.clone().unwrap().value;
    assert!((poisson - exact).abs() / exact < 0.02, "{poisson} vs {exact}");
    let knee = l.knee.unwrap().load.value;
    assert!(knee > 200.0 && knee < 400.0, "{knee}");
    let quality = l.model_quality.unwrap();
    assert!(quality.steps == 6 && quality.rms_log_error < 0.05, "{quality:?}");
}

/// Every stable step above the saturated step's throughput: no fitted default passes in
/// silence; the model's misfit is a warning beside its figures.
#[test]
fn a_degenerate_open_run_is_flagged() {
    let mut points = vec![
        point(50.0, 50.0, &[("mean", 10.0), ("p50", 7.0), ("p99", 46.0)]),
        point(90.0, 90.0, &[("mean", 11.0), ("p50", 8.0), ("p99", 50.0)]),
        point(150.0, 94.5, &[("mean", 900.0), ("p50", 800.0), ("p99", 1500.0)]),
    ];
    points[0].latency_quantiles_ms = exponential_ms(10.0);
    // The 150/s step saturated at 94.5 rps, yet 90/s had barely any queue: a capacity
    // of 94.5 rps (c = 1) cannot explain 90/s at 11 ms.
    let l = limits(Model::Open, &points, &[], 0.2).unwrap();
    let quality = l.model_quality.unwrap();
    assert!(quality.rms_log_error > 0.26, "{quality:?}");
    assert!(
        l.warnings
            .iter()
            .any(|w| w.contains("reproduces the measured steps poorly")),
        "{:?}",
        l.warnings
    );
    // No latency at all: the model cannot be built, and says why.
    let bare: Vec<Point> = points.iter().map(|p| point(p.load, p.throughput, &[])).collect();
    assert!(matches!(
        limits(Model::Open, &bare, &[], 0.2),
        Err(LimitsError::Model(_))
    ));
}

/// A closed run of a saturating target: the queueing model's capacity is the measured
/// peak, never the USL's overshoot.
#[test]
fn closed_capacity_never_exceeds_the_measured_peak() {
    let mut points = closed_run(&[1.0, 2.0, 4.0, 8.0, 16.0]);
    points[0].latency_quantiles_ms = vec![10.0; 100];
    let l = limits(Model::Closed, &points, &[], 0.2).unwrap();
    let model = l.instance_model.unwrap();
    assert!(
        model.capacity_rps <= 400.0 + 1e-9 && model.capacity_measured,
        "{model:?}"
    );
    assert_eq!(model.servers, 4);
    assert!(model.service_cv < 1e-9);
}

#[test]
fn bad_headroom_is_rejected() {
    assert!(matches!(
        limits(Model::Closed, &closed_run(&[1.0, 2.0, 4.0]), &[], 1.5),
        Err(LimitsError::Headroom(_))
    ));
}
