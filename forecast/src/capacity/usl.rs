//! The Universal Scalability Law (Gunther): X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)),
//! its derived figures, and its fit by bounded nonlinear least squares.

use crate::linalg::{invert3, solve3};
use serde::{Deserialize, Serialize};

/// USL coefficients: contention `sigma`, coherency `kappa`, single-unit throughput `lambda`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Usl {
    pub sigma: f64,
    pub kappa: f64,
    pub lambda: f64,
}

impl Usl {
    /// X(N) = lambda N / (1 + sigma (N - 1) + kappa N (N - 1)).
    pub fn throughput(&self, n: f64) -> f64 {
        self.lambda * n / self.denominator(n)
    }

    fn denominator(&self, n: f64) -> f64 {
        1.0 + self.sigma * (n - 1.0) + self.kappa * n * (n - 1.0)
    }

    /// R(N) = N / X(N), Little's law with no think time, in the unit of 1 / lambda.
    pub fn latency(&self, n: f64) -> f64 {
        self.denominator(n) / self.lambda
    }

    /// N* = sqrt((1 - sigma) / kappa); None when kappa = 0 (throughput never falls).
    pub fn peak_concurrency(&self) -> Option<f64> {
        (self.kappa > 0.0).then(|| ((1.0 - self.sigma) / self.kappa).sqrt())
    }

    /// X(N*), or None without a peak.
    pub fn peak_throughput(&self) -> Option<f64> {
        self.peak_concurrency().map(|n| self.throughput(n))
    }

    /// Amdahl's ceiling lambda / sigma; None when sigma = 0.
    pub fn amdahl_ceiling(&self) -> Option<f64> {
        (self.sigma > 0.0).then(|| self.lambda / self.sigma)
    }

    /// Highest throughput the model reaches: X(N*), else the Amdahl ceiling, else None
    /// (linear scaling).
    pub fn max_throughput(&self) -> Option<f64> {
        self.peak_throughput().or_else(|| self.amdahl_ceiling())
    }

    /// Efficiency X(N) / (N lambda) of a measurement.
    pub fn efficiency(&self, n: f64, x: f64) -> f64 {
        x / (n * self.lambda)
    }

    /// The concurrency at which latency reaches `r`: R(N) = r solved on the full model,
    /// kappa N^2 + (sigma - kappa) N + (1 - sigma) - lambda r = 0 (positive root).
    pub fn concurrency_at_latency(&self, r: f64) -> Option<f64> {
        let (a, b, c) = (self.kappa, self.sigma - self.kappa, 1.0 - self.sigma - self.lambda * r);
        let n = if a > 0.0 {
            (-b + (b * b - 4.0 * a * c).sqrt()) / (2.0 * a)
        } else if b > 0.0 {
            -c / b
        } else {
            return None;
        };
        (n.is_finite() && n > 0.0).then_some(n)
    }

    /// The throughput at which latency reaches `r`: X(N) at that concurrency.
    pub fn throughput_at_latency(&self, r: f64) -> Option<f64> {
        self.concurrency_at_latency(r).map(|n| self.throughput(n))
    }

    /// The lowest concurrency achieving throughput `x` on the full model (kappa included):
    /// kappa x N^2 + (x (sigma - kappa) - lambda) N + x (1 - sigma) = 0, smaller root.
    /// None when `x` is above the model's maximum.
    pub fn concurrency_at_throughput(&self, x: f64) -> Option<f64> {
        let (a, b, c) = (
            self.kappa * x,
            x * (self.sigma - self.kappa) - self.lambda,
            x * (1.0 - self.sigma),
        );
        if a == 0.0 {
            return (b < 0.0).then(|| -c / b);
        }
        let disc = b * b - 4.0 * a * c;
        (disc >= 0.0).then(|| (-b - disc.sqrt()) / (2.0 * a))
    }
}

/// A fitted model with its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    pub model: Usl,
    pub sigma_se: f64,
    pub kappa_se: f64,
    pub lambda_se: f64,
    pub r2: f64,
    pub residuals: Vec<f64>,
    /// Coefficients that ended on a bound of [0, 1].
    pub at_bound: Vec<String>,
    pub iterations: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    #[error("found {0} points; expected at least 3 to fit three coefficients")]
    TooFewPoints(usize),
    #[error("point {0}: found concurrency {1} and throughput {2}; expected both above 0")]
    NotPositive(usize, f64, f64),
}

const MAX_ITERATIONS: usize = 500;

/// Fits X(N) by Levenberg-Marquardt least squares on throughput, with sigma and kappa
/// kept in [0, 1] and lambda above 0 by projection. Start values as R's `usl`:
/// lambda = max X/N, sigma = 0.01, kappa = 0.0001.
pub fn fit(n: &[f64], x: &[f64]) -> Result<UslFit, FitError> {
    if n.len() < 3 {
        return Err(FitError::TooFewPoints(n.len()));
    }
    if let Some(i) = (0..n.len()).find(|&i| !(n[i] > 0.0 && x[i] > 0.0)) {
        return Err(FitError::NotPositive(i + 1, n[i], x[i]));
    }
    let lambda0 = n.iter().zip(x).map(|(n, x)| x / n).fold(0.0, f64::max);
    let mut theta = [0.01, 0.0001, lambda0];
    let mut rss = residual_sum(&theta, n, x);
    let mut mu = 1e-3;
    let mut iterations = 0;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let (jtj, jtr) = normal_equations(&theta, n, x);
        let mut improved = false;
        while mu < 1e16 {
            let mut damped = jtj;
            for d in 0..3 {
                damped[d][d] += mu * jtj[d][d].max(1e-300);
            }
            let Some(step) = solve3(damped, jtr) else {
                mu *= 10.0;
                continue;
            };
            let candidate = project([theta[0] + step[0], theta[1] + step[1], theta[2] + step[2]]);
            let candidate_rss = residual_sum(&candidate, n, x);
            if candidate_rss < rss {
                let relative = (rss - candidate_rss) / rss.max(1e-300);
                theta = candidate;
                rss = candidate_rss;
                mu = (mu / 10.0).max(1e-12);
                improved = relative > 1e-15;
                break;
            }
            mu *= 10.0;
        }
        if !improved {
            break;
        }
    }
    Ok(diagnose(theta, rss, n, x, iterations))
}

/// Fits many curves at once (one per service), in parallel with rayon.
pub fn fit_many(curves: &[(Vec<f64>, Vec<f64>)]) -> Vec<Result<UslFit, FitError>> {
    use rayon::prelude::*;
    curves.par_iter().map(|(n, x)| fit(n, x)).collect()
}

fn project(theta: [f64; 3]) -> [f64; 3] {
    [
        theta[0].clamp(0.0, 1.0),
        theta[1].clamp(0.0, 1.0),
        theta[2].max(f64::MIN_POSITIVE),
    ]
}

fn model(theta: &[f64; 3]) -> Usl {
    Usl {
        sigma: theta[0],
        kappa: theta[1],
        lambda: theta[2],
    }
}

fn residual_sum(theta: &[f64; 3], n: &[f64], x: &[f64]) -> f64 {
    let m = model(theta);
    n.iter().zip(x).map(|(n, x)| (x - m.throughput(*n)).powi(2)).sum()
}

/// J^T J and J^T r for r = X - X(N; theta), J = dX/dtheta.
fn normal_equations(theta: &[f64; 3], n: &[f64], x: &[f64]) -> ([[f64; 3]; 3], [f64; 3]) {
    let m = model(theta);
    let mut jtj = [[0.0; 3]; 3];
    let mut jtr = [0.0; 3];
    for (n, x) in n.iter().zip(x) {
        let j = gradient(&m, *n);
        let r = x - m.throughput(*n);
        for a in 0..3 {
            jtr[a] += j[a] * r;
            for b in 0..3 {
                jtj[a][b] += j[a] * j[b];
            }
        }
    }
    (jtj, jtr)
}

/// dX/dsigma, dX/dkappa, dX/dlambda at N.
fn gradient(m: &Usl, n: f64) -> [f64; 3] {
    let d = m.denominator(n);
    let x = m.lambda * n / d;
    [-x * (n - 1.0) / d, -x * n * (n - 1.0) / d, n / d]
}

fn diagnose(theta: [f64; 3], rss: f64, n: &[f64], x: &[f64], iterations: usize) -> UslFit {
    let m = model(&theta);
    let residuals: Vec<f64> = n.iter().zip(x).map(|(n, x)| x - m.throughput(*n)).collect();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    let tss: f64 = x.iter().map(|x| (x - mean).powi(2)).sum();
    // Covariance s^2 (J^T J)^-1 with s^2 = RSS / (n - p), as nls reports.
    let dof = (n.len() as f64 - 3.0).max(1.0);
    let (jtj, _) = normal_equations(&theta, n, x);
    let se = invert3(jtj)
        .map(|inv| [0, 1, 2].map(|i| (inv[i][i] * rss / dof).max(0.0).sqrt()))
        .unwrap_or([f64::NAN; 3]);
    let mut at_bound = Vec::new();
    for (name, value) in [("sigma", theta[0]), ("kappa", theta[1])] {
        if value <= 0.0 || value >= 1.0 {
            at_bound.push(name.to_string());
        }
    }
    UslFit {
        model: m,
        sigma_se: se[0],
        kappa_se: se[1],
        lambda_se: se[2],
        r2: if tss > 0.0 { 1.0 - rss / tss } else { 1.0 },
        residuals,
        at_bound,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, relative: f64) -> bool {
        (actual - expected).abs() <= relative * expected.abs()
    }

    /// R package `usl`, data set specsdm91.
    #[test]
    fn specsdm91_matches_the_r_package() {
        let n = [1.0, 18.0, 36.0, 72.0, 108.0, 144.0, 216.0];
        let x = [64.9, 995.9, 1652.4, 1853.2, 1828.9, 1775.0, 1702.2];
        let fit = fit(&n, &x).unwrap();
        let m = fit.model;
        assert!(close(m.sigma, 0.0277285, 1e-3), "sigma {}", m.sigma);
        assert!(close(m.kappa, 0.0001044, 1e-3), "kappa {}", m.kappa);
        assert!(close(m.lambda, 89.9952330, 1e-3), "lambda {}", m.lambda);
        assert!(close(m.peak_concurrency().unwrap(), 96.51956, 1e-3));
        assert!(fit.r2 > 0.95, "r2 {}", fit.r2);
    }

    /// The Cisco benchmark from Schwartz's "Practical Scalability Analysis with the USL",
    /// as usl4j tests it.
    #[test]
    fn cisco_matches_the_book() {
        let x = [
            955.16, 1878.91, 2688.01, 3548.68, 4315.54, 5130.43, 5931.37, 6531.08, 7219.8, 7867.61, 8278.71, 8646.7,
            9047.84, 9426.55, 9645.37, 9897.24, 10097.6, 10240.5, 10532.39, 10798.52, 11151.43, 11518.63, 11806.0,
            12089.37, 12075.41, 12177.29, 12211.41, 12158.93, 12155.27, 12118.04, 12140.4, 12074.39,
        ];
        let n: Vec<f64> = (1..=32).map(f64::from).collect();
        let m = fit(&n, &x).unwrap().model;
        assert!(close(m.sigma, 0.02671591, 1e-3), "sigma {}", m.sigma);
        assert!(close(m.kappa, 7.690945e-4, 1e-3), "kappa {}", m.kappa);
        assert!(close(m.lambda, 995.6486, 1e-3), "lambda {}", m.lambda);
        assert_eq!(m.peak_concurrency().unwrap().floor(), 35.0);
        assert!(close(m.peak_throughput().unwrap(), 12341.0, 1e-3));
    }

    /// The raytracer benchmark (Gunther): kappa wants to go negative and stays at 0.
    #[test]
    fn raytracer_holds_kappa_at_its_bound() {
        let n = [1.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0, 28.0, 32.0, 48.0, 64.0];
        let x = [
            20.0, 78.0, 130.0, 170.0, 190.0, 200.0, 210.0, 230.0, 260.0, 280.0, 310.0,
        ];
        let fit = fit(&n, &x).unwrap();
        assert_eq!(fit.model.kappa, 0.0);
        assert_eq!(fit.at_bound, vec!["kappa".to_string()]);
        assert!(fit.model.sigma > 0.0 && fit.model.sigma < 1.0);
        assert_eq!(fit.model.peak_concurrency(), None);
        assert!(fit.model.amdahl_ceiling().unwrap().is_finite());
    }

    #[test]
    fn recovers_synthetic_coefficients() {
        let truth = Usl {
            sigma: 0.05,
            kappa: 0.002,
            lambda: 250.0,
        };
        let n: Vec<f64> = [1, 2, 4, 8, 16, 32, 64].map(f64::from).to_vec();
        let x: Vec<f64> = n.iter().map(|n| truth.throughput(*n)).collect();
        let m = fit(&n, &x).unwrap().model;
        assert!(
            close(m.sigma, 0.05, 1e-6) && close(m.kappa, 0.002, 1e-6) && close(m.lambda, 250.0, 1e-6),
            "{m:?}"
        );
    }

    /// Solved on the full model, not the kappa = 0 shortcut: R(N) = N / X(N) round-trips.
    #[test]
    fn inverse_functions_use_the_full_model() {
        let m = Usl {
            sigma: 0.06,
            kappa: 0.06,
            lambda: 40.0,
        };
        for n in [1.0, 2.5, 6.0] {
            let r = n / m.throughput(n);
            assert!(close(m.latency(n), r, 1e-12));
            assert!(close(m.concurrency_at_latency(r).unwrap(), n, 1e-9));
            assert!(close(m.throughput_at_latency(r).unwrap(), m.throughput(n), 1e-9));
        }
        // Below the peak (N* = 3.96) the lowest concurrency for a throughput is N itself.
        for n in [1.0, 2.5, 3.5] {
            assert!(close(m.concurrency_at_throughput(m.throughput(n)).unwrap(), n, 1e-9));
        }
        assert_eq!(m.concurrency_at_throughput(1e9), None);
    }

    #[test]
    fn no_peak_and_no_ceiling_are_none_not_infinity() {
        let linear = Usl {
            sigma: 0.0,
            kappa: 0.0,
            lambda: 10.0,
        };
        assert_eq!(linear.peak_concurrency(), None);
        assert_eq!(linear.amdahl_ceiling(), None);
        assert_eq!(linear.max_throughput(), None);
    }

    #[test]
    fn fitting_many_in_parallel_matches_one_by_one() {
        let curves: Vec<(Vec<f64>, Vec<f64>)> = (1..=50)
            .map(|k| {
                let truth = Usl {
                    sigma: 0.001 * k as f64,
                    kappa: 1e-5 * k as f64,
                    lambda: 10.0 * k as f64,
                };
                let n: Vec<f64> = [1, 2, 4, 8, 16, 32, 64, 128].map(f64::from).to_vec();
                let x = n.iter().map(|n| truth.throughput(*n)).collect();
                (n, x)
            })
            .collect();
        let parallel = fit_many(&curves);
        for (k, (curve, fitted)) in curves.iter().zip(&parallel).enumerate() {
            assert_eq!(fitted, &fit(&curve.0, &curve.1));
            let m = fitted.as_ref().unwrap().model;
            assert!(close(m.sigma, 0.001 * (k + 1) as f64, 1e-6), "{k}: {m:?}");
        }
    }

    #[test]
    fn rejects_bad_points() {
        assert_eq!(fit(&[1.0, 2.0], &[1.0, 2.0]), Err(FitError::TooFewPoints(2)));
        assert_eq!(
            fit(&[1.0, 2.0, 3.0], &[1.0, 0.0, 2.0]),
            Err(FitError::NotPositive(2, 2.0, 0.0))
        );
    }
}
