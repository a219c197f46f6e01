//! M/G/c by simulation: a FIFO queue of c servers with Poisson arrivals and service times
//! drawn from a measured distribution (its quantile function). M/G/c has no closed form
//! for percentiles (M/M/c does: `queueing::Mmc`); the simulation is exact for the model
//! up to sampling error, which it estimates by batch means. It is deterministic for a
//! seed, and uses common random numbers: the same unit draws at every rate and server
//! count, so curves over either are smooth and searches over them are stable.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A service-time distribution by its quantiles at (i + 1/2) / K, i = 0..K, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceDistribution {
    pub quantiles_s: Vec<f64>,
}

impl ServiceDistribution {
    /// Checks the quantiles: at least two, finite, non-negative, non-decreasing, mean > 0.
    pub fn new(quantiles_s: Vec<f64>) -> Result<ServiceDistribution, String> {
        if quantiles_s.len() < 2 {
            return Err(format!(
                "found {} service-time quantiles; expected at least 2",
                quantiles_s.len()
            ));
        }
        if quantiles_s.iter().any(|q| !q.is_finite() || *q < 0.0) {
            return Err("found a service-time quantile that is negative or not finite".into());
        }
        if quantiles_s.windows(2).any(|w| w[1] < w[0]) {
            return Err("found service-time quantiles out of order; expected them non-decreasing".into());
        }
        let d = ServiceDistribution { quantiles_s };
        if d.mean() <= 0.0 {
            return Err("found a service time of 0; expected a positive mean".into());
        }
        Ok(d)
    }

    /// The mean: the average of equally spaced quantiles.
    pub fn mean(&self) -> f64 {
        self.quantiles_s.iter().sum::<f64>() / self.quantiles_s.len() as f64
    }

    /// The coefficient of variation, standard deviation / mean.
    pub fn cv(&self) -> f64 {
        let mean = self.mean();
        let var = self.quantiles_s.iter().map(|q| (q - mean).powi(2)).sum::<f64>() / self.quantiles_s.len() as f64;
        var.sqrt() / mean
    }

    /// The quantile at `u` in (0, 1), interpolated linearly between the stored ones.
    pub fn quantile(&self, u: f64) -> f64 {
        let q = &self.quantiles_s;
        let x = u * q.len() as f64 - 0.5;
        if x <= 0.0 {
            return q[0];
        }
        let i = x.floor() as usize;
        if i + 1 >= q.len() {
            return q[q.len() - 1];
        }
        q[i] + (x - i as f64) * (q[i + 1] - q[i])
    }

    /// Every quantile as `f(q)`.
    pub fn map(&self, f: impl Fn(f64) -> f64) -> ServiceDistribution {
        ServiceDistribution {
            quantiles_s: self.quantiles_s.iter().map(|q| f(*q).max(0.0)).collect(),
        }
    }
}

/// How many customers a simulation follows, and its seed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub arrivals: usize,
    pub seed: u64,
}

impl Simulation {
    pub const DEFAULT: Simulation = Simulation {
        arrivals: 200_000,
        seed: 1,
    };
    /// Batches for the batch-means error estimate.
    const BATCHES: usize = 20;

    pub fn describe(&self) -> String {
        format!(
            "simulated FIFO queue: {} Poisson arrivals after a warm-up of {}, seed {}; \
             standard errors by {} batch means",
            self.arrivals,
            self.arrivals / 10,
            self.seed,
            Self::BATCHES
        )
    }
}

/// A figure with its sampling error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub value: f64,
    pub standard_error: f64,
}

/// The response times of a simulation's customers, in arrival order, in seconds.
pub struct ResponseTimes {
    samples: Vec<f64>,
}

impl ResponseTimes {
    /// Simulates `c` servers at Poisson rate `lambda` with `service`; None when the queue
    /// is unstable (lambda E[S] >= c) or the arguments are not positive.
    pub fn simulate(c: u32, lambda: f64, service: &ServiceDistribution, sim: &Simulation) -> Option<ResponseTimes> {
        let rho = lambda * service.mean() / c as f64;
        if c == 0
            || lambda.is_nan()
            || lambda <= 0.0
            || rho.is_nan()
            || rho >= 1.0
            || sim.arrivals < Simulation::BATCHES
        {
            return None;
        }
        let warm_up = sim.arrivals / 10;
        let mut rng = StdRng::seed_from_u64(sim.seed);
        // When each server next falls free, as the bits of a non-negative f64 (which
        // order as the numbers do); FIFO: the next customer takes the earliest.
        let mut free_at: BinaryHeap<Reverse<u64>> = (0..c).map(|_| Reverse(0f64.to_bits())).collect();
        let mut t = 0.0;
        let mut samples = Vec::with_capacity(sim.arrivals);
        for i in 0..warm_up + sim.arrivals {
            let (e, u): (f64, f64) = (rng.sample(rand_distr::Exp1), rng.random());
            t += e / lambda;
            let Reverse(bits) = free_at.pop().expect("c > 0 servers");
            let end = t.max(f64::from_bits(bits)) + service.quantile(u);
            free_at.push(Reverse(end.to_bits()));
            if i >= warm_up {
                samples.push(end - t);
            }
        }
        Some(ResponseTimes { samples })
    }

    pub fn mean(&self) -> f64 {
        self.samples.iter().sum::<f64>() / self.samples.len() as f64
    }

    /// The `q` quantile (0..1) over all customers, with a batch-means standard error.
    pub fn percentile(&self, q: f64) -> Estimate {
        let size = self.samples.len() / Simulation::BATCHES;
        let batches: Vec<f64> = self
            .samples
            .chunks_exact(size)
            .map(|b| quantile_of(b.to_vec(), q))
            .collect();
        let mean = batches.iter().sum::<f64>() / batches.len() as f64;
        let var = batches.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / (batches.len() - 1) as f64;
        Estimate {
            value: quantile_of(self.samples.clone(), q),
            standard_error: (var / batches.len() as f64).sqrt(),
        }
    }
}

use crate::stats::order_statistic as quantile_of;

#[cfg(test)]
mod tests {
    use super::*;

    fn quantiles(k: usize, inverse_cdf: impl Fn(f64) -> f64) -> ServiceDistribution {
        ServiceDistribution::new((0..k).map(|i| inverse_cdf((i as f64 + 0.5) / k as f64)).collect()).unwrap()
    }

    fn exponential(mean: f64) -> ServiceDistribution {
        quantiles(2000, |u| -mean * (1.0 - u).ln())
    }

    /// M/M/c against Erlang C's closed form (P(W > t) = C e^{-(c mu - lambda) t}).
    #[test]
    fn exponential_service_matches_erlang_c() {
        let (c, s, lambda) = (4u32, 0.010, 340.0);
        let sim = ResponseTimes::simulate(c, lambda, &exponential(s), &Simulation::DEFAULT).unwrap();
        let exact = crate::capacity::queueing::Mmc { lambda, mu: 1.0 / s, c };
        for q in [0.5, 0.9, 0.99] {
            let e = sim.percentile(q);
            let truth = exact.response_percentile(q);
            assert!(
                (e.value - truth).abs() < 0.05 * truth,
                "p{q}: {} against {truth}",
                e.value
            );
            assert!(e.standard_error < 0.05 * truth, "p{q} error {}", e.standard_error);
        }
        assert!((sim.mean() - exact.mean_response()).abs() < 0.05 * exact.mean_response());
    }

    /// M/D/1 and M/G/1 against Pollaczek-Khinchine: W = S + lambda E[S^2] / (2 (1 - rho)).
    #[test]
    fn single_server_mean_matches_pollaczek_khinchine() {
        let s: f64 = 0.010;
        // Lognormal with sigma 0.5 and mean S: E[S^2] = S^2 e^{sigma^2}.
        let sigma: f64 = 0.5;
        let mu = s.ln() - sigma * sigma / 2.0;
        let normal = statrs::distribution::Normal::new(0.0, 1.0).unwrap();
        let lognormal = quantiles(4000, |u| {
            use statrs::distribution::ContinuousCDF;
            (mu + sigma * normal.inverse_cdf(u)).exp()
        });
        let constant = ServiceDistribution::new(vec![s, s]).unwrap();
        for (service, second_moment) in [(constant, s * s), (lognormal, s * s * (sigma * sigma).exp())] {
            let lambda = 70.0;
            let rho = lambda * s;
            let truth = s + lambda * second_moment / (2.0 * (1.0 - rho));
            let sim = ResponseTimes::simulate(
                1,
                lambda,
                &service,
                &Simulation {
                    arrivals: 1_000_000,
                    seed: 3,
                },
            )
            .unwrap();
            assert!(
                (sim.mean() - truth).abs() < 0.04 * truth,
                "{} against {truth}",
                sim.mean()
            );
        }
    }

    #[test]
    fn unstable_or_empty_queues_have_no_figures() {
        let d = exponential(0.01);
        assert!(ResponseTimes::simulate(4, 4.0 / d.mean(), &d, &Simulation::DEFAULT).is_none());
        assert!(ResponseTimes::simulate(0, 1.0, &d, &Simulation::DEFAULT).is_none());
        assert!(ServiceDistribution::new(vec![0.0, 0.0]).is_err());
        assert!(ServiceDistribution::new(vec![0.2, 0.1]).is_err());
        let q = ServiceDistribution::new(vec![1.0, 3.0]).unwrap();
        assert_eq!((q.quantile(0.25), q.quantile(0.5), q.quantile(0.99)), (1.0, 2.0, 3.0));
    }
}
