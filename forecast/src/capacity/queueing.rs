//! Queueing closed forms: M/M/1, M/M/c (Erlang B by recursion, Erlang C, waiting and
//! response-time distributions) and M/G/1 (Pollaczek-Khinchine), checked against the
//! published figures. The plan does not use them for latency (measured service times
//! are not exponential, so it simulates M/G/c, `mgc`); the per-instance model asks
//! Erlang C which open steps met no queue; and they are the independent truths the
//! simulation, the per-instance model and the fits are tested against. Rates are per
//! second, times in seconds.

use serde::{Deserialize, Serialize};

/// M/M/1 figures: utilisation rho, mean number in system L, mean response time W.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mm1 {
    pub rho: f64,
    pub l: f64,
    pub w: f64,
    pub lq: f64,
    pub wq: f64,
}

/// M/M/1 with arrival rate lambda and service rate mu; None when unstable (rho >= 1).
pub fn mm1(lambda: f64, mu: f64) -> Option<Mm1> {
    let rho = lambda / mu;
    (rho < 1.0 && lambda >= 0.0).then(|| {
        let l = rho / (1.0 - rho);
        let w = 1.0 / (mu - lambda);
        Mm1 {
            rho,
            l,
            w,
            lq: rho * l,
            wq: rho * w,
        }
    })
}

/// Erlang B blocking probability for offered load `a` Erlangs on `c` servers, by the
/// recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (k as f64 + a * b))
}

/// Erlang C: the probability that an arrival waits, C = B / (1 - rho (1 - B)), rho = a / c.
/// 1 when the system is unstable (a >= c).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let rho = a / c as f64;
    if rho >= 1.0 {
        return 1.0;
    }
    let b = erlang_b(c, a);
    b / (1.0 - rho * (1.0 - b))
}

/// An M/M/c queue: Poisson arrivals at `lambda`, `c` servers each serving at rate `mu`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Mmc {
    pub lambda: f64,
    pub mu: f64,
    pub c: u32,
}

impl Mmc {
    /// Offered load in Erlangs, a = lambda / mu.
    pub fn offered(&self) -> f64 {
        self.lambda / self.mu
    }

    /// Utilisation per server, rho = a / c.
    pub fn rho(&self) -> f64 {
        self.offered() / self.c as f64
    }

    pub fn stable(&self) -> bool {
        self.rho() < 1.0
    }

    pub fn p_wait(&self) -> f64 {
        erlang_c(self.c, self.offered())
    }

    /// Rate at which a waiting customer's wait ends: theta = c mu - lambda.
    fn theta(&self) -> f64 {
        self.c as f64 * self.mu - self.lambda
    }

    /// Mean wait in queue, Wq = C / (c mu - lambda); infinite when unstable.
    pub fn mean_wait(&self) -> f64 {
        if self.stable() {
            self.p_wait() / self.theta()
        } else {
            f64::INFINITY
        }
    }

    /// Mean response time W = Wq + 1 / mu.
    pub fn mean_response(&self) -> f64 {
        self.mean_wait() + 1.0 / self.mu
    }

    /// P(Wq <= t) = 1 - C exp(-(c mu - lambda) t).
    pub fn wait_cdf(&self, t: f64) -> f64 {
        if !self.stable() {
            return 0.0;
        }
        1.0 - self.p_wait() * (-self.theta() * t).exp()
    }

    /// P(T <= t) for the response time T = Wq + S, S ~ Exp(mu): the wait is 0 with
    /// probability 1 - C and else Exp(theta), and Exp(theta) + Exp(mu) is hypoexponential.
    pub fn response_cdf(&self, t: f64) -> f64 {
        if !self.stable() {
            return 0.0;
        }
        let (c, mu, theta) = (self.p_wait(), self.mu, self.theta());
        let sum_survival = if (theta - mu).abs() < 1e-9 * mu {
            (-mu * t).exp() * (1.0 + mu * t)
        } else {
            (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
        };
        1.0 - ((1.0 - c) * (-mu * t).exp() + c * sum_survival)
    }

    /// The response-time percentile (q in (0, 1)); infinite when unstable.
    pub fn response_percentile(&self, q: f64) -> f64 {
        if !self.stable() {
            return f64::INFINITY;
        }
        invert_cdf(|t| self.response_cdf(t), q, self.mean_response())
    }

    /// The waiting-time percentile (0 when at least a fraction q never waits).
    pub fn wait_percentile(&self, q: f64) -> f64 {
        if !self.stable() {
            return f64::INFINITY;
        }
        let c = self.p_wait();
        if 1.0 - c >= q {
            0.0
        } else {
            (c / (1.0 - q)).ln() / self.theta()
        }
    }
}

/// Smallest t with cdf(t) >= q, by doubling then bisection (cdf increasing from 0).
fn invert_cdf(cdf: impl Fn(f64) -> f64, q: f64, scale: f64) -> f64 {
    let mut hi = scale.max(1e-12);
    while cdf(hi) < q {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if cdf(mid) < q {
            lo = mid
        } else {
            hi = mid
        }
    }
    hi
}

/// M/G/1 by Pollaczek-Khinchine: arrivals at `lambda`, mean service `s`, service-time
/// coefficient of variation `cv`. Wq = rho s (1 + cv^2) / (2 (1 - rho)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mg1 {
    pub rho: f64,
    pub wq: f64,
    pub w: f64,
    pub lq: f64,
    pub l: f64,
}

pub fn mg1(lambda: f64, s: f64, cv: f64) -> Option<Mg1> {
    let rho = lambda * s;
    (rho < 1.0).then(|| {
        let wq = rho * s * (1.0 + cv * cv) / (2.0 * (1.0 - rho));
        let w = wq + s;
        Mg1 {
            rho,
            wq,
            w,
            lq: lambda * wq,
            l: lambda * w,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn mm1_textbook() {
        let q = mm1(8.0, 10.0).unwrap();
        assert!(close(q.rho, 0.8, 1e-12) && close(q.l, 4.0, 1e-12) && close(q.w, 0.5, 1e-12));
        assert!(mm1(10.0, 10.0).is_none());
    }

    #[test]
    fn erlang_c_published_vectors() {
        assert!(close(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12));
        // 48 Erlangs on 55 agents, 240 s handle time.
        let q = Mmc {
            lambda: 48.0 / 240.0,
            mu: 1.0 / 240.0,
            c: 55,
        };
        assert!(close(q.p_wait(), 0.2387009, 1e-6), "{}", q.p_wait());
        assert!(close(q.mean_wait(), 8.184032, 1e-6), "{}", q.mean_wait());
    }

    #[test]
    fn mmc_with_one_server_is_mm1() {
        let q = Mmc {
            lambda: 8.0,
            mu: 10.0,
            c: 1,
        };
        assert!(close(q.mean_response(), 0.5, 1e-12));
        // M/M/1 response time is Exp(mu - lambda): its 95th percentile is ln(20) / 2.
        assert!(close(q.response_percentile(0.95), 20f64.ln() / 2.0, 1e-9));
        assert!(close(q.wait_cdf(0.0), 0.2, 1e-12));
    }

    #[test]
    fn response_cdf_matches_simulation() {
        // Monte Carlo of M/M/2 with a simple FIFO two-server simulation.
        use rand::{Rng, SeedableRng};
        let q = Mmc {
            lambda: 150.0,
            mu: 100.0,
            c: 2,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let mut exp = |rate: f64| -(1.0 - rng.random::<f64>()).ln() / rate;
        let (mut t, mut free) = (0.0, [0.0f64; 2]);
        let mut responses = Vec::new();
        for _ in 0..200_000 {
            t += exp(q.lambda);
            let k = if free[0] <= free[1] { 0 } else { 1 };
            let start = t.max(free[k]);
            free[k] = start + exp(q.mu);
            responses.push(free[k] - t);
        }
        responses.sort_by(f64::total_cmp);
        let simulated_p99 = responses[(responses.len() as f64 * 0.99) as usize];
        assert!(
            close(q.response_percentile(0.99), simulated_p99, 0.03),
            "{} vs {simulated_p99}",
            q.response_percentile(0.99)
        );
        let simulated_mean = responses.iter().sum::<f64>() / responses.len() as f64;
        assert!(close(q.mean_response(), simulated_mean, 0.03));
    }

    #[test]
    fn pollaczek_khinchine() {
        // Exponential service (cv 1) gives M/M/1: Wq = rho / (mu - lambda).
        let g = mg1(8.0, 0.1, 1.0).unwrap();
        assert!(close(g.wq, 0.4, 1e-12) && close(g.w, 0.5, 1e-12) && close(g.l, 4.0, 1e-12));
        // Deterministic service halves the wait.
        assert!(close(mg1(8.0, 0.1, 0.0).unwrap().wq, 0.2, 1e-12));
    }
}
