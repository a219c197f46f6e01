//! The load plan: phases of offered load over time (users for the closed model,
//! arrivals per second for the open model), each ramping from the previous level and
//! then holding. Pure functions of time; the engine asks it what to do at each instant.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::Exp1;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Closed: a fixed number of users loop through journeys. Open: journeys start at a
/// given arrival rate whatever the response time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    Closed,
    Open,
}

impl Model {
    /// What a level of this model counts, as limits.json's figures write it.
    pub fn unit(self) -> &'static str {
        match self {
            Model::Closed => "users",
            Model::Open => "arrivals/s",
        }
    }

    /// `value` of this model's load, which spells its own unit.
    pub fn level(self, value: f64) -> Level {
        Level { model: self, value }
    }
}

/// A load level that knows its unit: `1 user`, `16 users`, `200/s`. The one way a
/// level is written for people (progress, summaries, search notes, the report).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub model: Model,
    pub value: f64,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.model {
            Model::Closed if self.value == 1.0 => write!(f, "1 user"),
            Model::Closed => write!(f, "{} users", self.value),
            Model::Open => write!(f, "{}/s", self.value),
        }
    }
}

/// One load level: ramp to `level` over `ramp`, then hold it for `hold`. The hold is
/// the steady state a step's results are measured over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    pub level: f64,
    pub ramp: Duration,
    pub hold: Duration,
}

/// `load.search`: levels from `from` doubling up to `max`, then bisected until the
/// highest passing and lowest failing levels are within `precision` (a fraction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Search {
    pub from: f64,
    pub max: f64,
    pub ramp: Duration,
    pub hold: Duration,
    pub precision: f64,
}

/// How the open model spaces its arrivals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Arrivals {
    /// Exponential gaps: the traffic every queueing model assumes, and the least bursty
    /// that independent clients produce.
    Poisson,
    /// Evenly spaced, as k6's arrival-rate executors and wrk2 space them.
    Uniform,
}

/// The users that carry the load. Closed: one per unit of the highest level
/// (`start == max`). Open: `start` serve arrivals from the beginning, and one more joins
/// (up to `max`) whenever an arrival finds every user busy; an arrival is dropped only
/// when all `max` are busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pool {
    pub start: usize,
    pub max: usize,
}

impl std::fmt::Display for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.start == self.max {
            write!(f, "{} users", self.max)
        } else {
            write!(f, "{} users growing to {}", self.start, self.max)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlan {
    pub model: Model,
    pub phases: Vec<Phase>,
    pub pool: Pool,
    /// Open model: how arrivals are spaced.
    pub arrivals: Arrivals,
    /// Open model: the seed of the arrival stream (drawn at random when absent).
    pub seed: Option<u64>,
    /// A saturation search instead of a fixed plan; `phases` then holds its first level.
    pub search: Option<Search>,
}

/// Where an instant falls in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub phase: usize,
    /// True in the hold (steady state), false during the ramp.
    pub steady: bool,
}

impl LoadPlan {
    pub fn total(&self) -> Duration {
        self.phases.iter().map(|p| p.ramp + p.hold).sum()
    }

    /// Offset of each phase's start from the start of the run.
    pub fn phase_start(&self, index: usize) -> Duration {
        self.phases[..index].iter().map(|p| p.ramp + p.hold).sum()
    }

    pub fn max_level(&self) -> f64 {
        self.phases.iter().map(|p| p.level).fold(0.0, f64::max)
    }

    pub fn locate(&self, t: Duration) -> Option<Position> {
        let mut start = Duration::ZERO;
        for (phase, p) in self.phases.iter().enumerate() {
            let end = start + p.ramp + p.hold;
            if t < end {
                return Some(Position {
                    phase,
                    steady: t >= start + p.ramp,
                });
            }
            start = end;
        }
        None
    }

    /// Offered load at `t`: linear during a ramp from the previous phase's level (0 for
    /// the first), constant during the hold, 0 after the end.
    pub fn level_at(&self, t: Duration) -> f64 {
        let mut start = Duration::ZERO;
        let mut previous = 0.0;
        for p in &self.phases {
            let ramp_end = start + p.ramp;
            if t < ramp_end {
                let fraction = (t - start).as_secs_f64() / p.ramp.as_secs_f64();
                return previous + (p.level - previous) * fraction;
            }
            if t < ramp_end + p.hold {
                return p.level;
            }
            start = ramp_end + p.hold;
            previous = p.level;
        }
        0.0
    }

    /// Users active at `t` in the closed model (users numbered from 0 run while their
    /// number is below this).
    pub fn users_at(&self, t: Duration) -> usize {
        (self.level_at(t) + 1e-9).floor() as usize
    }

    /// The earliest instant at or after `t` when user `index` is active, if any.
    pub fn next_activation(&self, index: usize, t: Duration) -> Option<Duration> {
        let needed = index as f64 + 1.0;
        let mut start = Duration::ZERO;
        let mut previous = 0.0;
        for p in &self.phases {
            let ramp_end = start + p.ramp;
            let end = ramp_end + p.hold;
            if t < end && p.level >= needed {
                let at = if previous >= needed || p.ramp.is_zero() {
                    start
                } else {
                    start + p.ramp.mul_f64((needed - previous) / (p.level - previous))
                };
                if at < end {
                    return Some(at.max(t));
                }
            }
            start = end;
            previous = p.level;
        }
        None
    }
}

/// The open model's arrival times, walked forward through the plan in O(1) per arrival.
/// Arrival k is due when the cumulative rate Lambda(t) (the integral of the offered rate)
/// reaches a target: k + 1/2 for uniform spacing, or a running sum of unit exponentials
/// for Poisson arrivals (a unit-rate Poisson process mapped through Lambda^-1 is a Poisson
/// process of the plan's rate: the time-change theorem, Cinlar 1975).
pub struct ArrivalClock<'a> {
    plan: &'a LoadPlan,
    rng: StdRng,
    /// Arrivals issued so far.
    k: u64,
    /// Lambda at the next arrival.
    target: f64,
    /// The segment being walked (phase * 2 for its ramp, + 1 for its hold), its start in
    /// seconds and Lambda at its start.
    segment: usize,
    segment_start: f64,
    lambda_before: f64,
}

impl<'a> ArrivalClock<'a> {
    pub fn new(plan: &'a LoadPlan, seed: u64) -> Self {
        ArrivalClock {
            plan,
            rng: StdRng::seed_from_u64(seed),
            k: 0,
            target: 0.0,
            segment: 0,
            segment_start: 0.0,
            lambda_before: 0.0,
        }
    }

    /// A segment's rate at its start and end, and its length in seconds.
    fn segment_shape(&self, segment: usize) -> Option<(f64, f64, f64)> {
        let index = segment / 2;
        let phase = self.plan.phases.get(index)?;
        let previous = if index == 0 {
            0.0
        } else {
            self.plan.phases[index - 1].level
        };
        Some(if segment % 2 == 0 {
            (previous, phase.level, phase.ramp.as_secs_f64())
        } else {
            (phase.level, phase.level, phase.hold.as_secs_f64())
        })
    }
}

impl Iterator for ArrivalClock<'_> {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        self.target = match self.plan.arrivals {
            Arrivals::Uniform => self.k as f64 + 0.5,
            Arrivals::Poisson => self.target + self.rng.sample::<f64, _>(Exp1),
        };
        self.k += 1;
        loop {
            let (r0, r1, length) = self.segment_shape(self.segment)?;
            let mass = (r0 + r1) / 2.0 * length;
            let d = self.target - self.lambda_before;
            if mass > 0.0 && d <= mass {
                // Solve r0 tau + (r1 - r0) tau^2 / (2 length) = d for tau in [0, length],
                // in the form that stays exact when r1 = r0.
                let root = (r0 * r0 + 2.0 * (r1 - r0) * d / length).max(0.0).sqrt();
                let tau = if r0 + root > 0.0 { 2.0 * d / (r0 + root) } else { 0.0 };
                return Some(Duration::from_secs_f64(self.segment_start + tau.clamp(0.0, length)));
            }
            self.lambda_before += mass;
            self.segment_start += length;
            self.segment += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    fn plan(model: Model) -> LoadPlan {
        LoadPlan {
            model,
            phases: vec![
                Phase {
                    level: 10.0,
                    ramp: secs(10.0),
                    hold: secs(10.0),
                },
                Phase {
                    level: 20.0,
                    ramp: secs(0.0),
                    hold: secs(5.0),
                },
            ],
            pool: Pool { start: 20, max: 20 },
            arrivals: Arrivals::Uniform,
            seed: None,
            search: None,
        }
    }

    #[test]
    fn levels_ramp_then_hold() {
        let p = plan(Model::Closed);
        assert_eq!(p.total(), secs(25.0));
        assert!((p.level_at(secs(5.0)) - 5.0).abs() < 1e-9);
        assert_eq!(p.users_at(secs(15.0)), 10);
        assert_eq!(p.users_at(secs(21.0)), 20);
        assert_eq!(p.users_at(secs(26.0)), 0);
        assert_eq!(
            p.locate(secs(9.9)),
            Some(Position {
                phase: 0,
                steady: false
            })
        );
        assert_eq!(p.locate(secs(10.0)), Some(Position { phase: 0, steady: true }));
        assert_eq!(p.locate(secs(20.0)), Some(Position { phase: 1, steady: true }));
        assert_eq!(p.locate(secs(25.0)), None);
    }

    #[test]
    fn activation_follows_the_ramp() {
        let p = plan(Model::Closed);
        // User 4 (the fifth) starts when the ramp reaches 5 users: at 5 s.
        assert!((p.next_activation(4, secs(0.0)).unwrap().as_secs_f64() - 5.0).abs() < 1e-9);
        assert_eq!(p.next_activation(15, secs(0.0)), Some(secs(20.0)));
        assert_eq!(p.next_activation(3, secs(12.0)), Some(secs(12.0)));
        assert_eq!(p.next_activation(25, secs(0.0)), None);
    }

    /// Arrivals of `clock` in [from, to) seconds.
    fn count(times: &[f64], from: f64, to: f64) -> usize {
        times.iter().filter(|&&t| t >= from && t < to).count()
    }

    fn times(plan: &LoadPlan, seed: u64) -> Vec<f64> {
        ArrivalClock::new(plan, seed).map(|t| t.as_secs_f64()).collect()
    }

    #[test]
    fn uniform_arrivals_follow_the_ramp_and_the_hold() {
        let p = plan(Model::Open);
        let t = times(&p, 1);
        // Ramp 0 -> 10/s over 10 s: Lambda(t) = t^2 / 2, so arrival k is due at
        // sqrt(2 (k + 1/2)); 50 arrivals in the ramp, 100 in the hold, 100 at 20/s for 5 s.
        assert_eq!(t.len(), 250);
        assert_eq!(count(&t, 0.0, 10.0), 50);
        assert_eq!(count(&t, 10.0, 20.0), 100);
        for k in [0usize, 7, 49] {
            let truth = (2.0 * (k as f64 + 0.5)).sqrt();
            assert!(
                (t[k] - truth).abs() < 1e-9,
                "arrival {k} at {} s, expected {truth}",
                t[k]
            );
        }
        // In the hold at 10/s: evenly spaced by 100 ms.
        assert!((t[50] - 10.05).abs() < 1e-9 && (t[51] - t[50] - 0.1).abs() < 1e-9);
        assert!((t[150] - 20.025).abs() < 1e-9);
    }

    #[test]
    fn poisson_arrivals_are_poisson() {
        let p = LoadPlan {
            phases: vec![Phase {
                level: 1000.0,
                ramp: Duration::ZERO,
                hold: secs(60.0),
            }],
            arrivals: Arrivals::Poisson,
            ..plan(Model::Open)
        };
        let t = times(&p, 7);
        // N(60 s) ~ Poisson(60000): within 4 standard deviations.
        let n = t.len() as f64;
        assert!((n - 60_000.0).abs() < 4.0 * 60_000f64.sqrt(), "{n} arrivals");
        // Gaps are exponential with mean 1 ms: coefficient of variation 1.
        let gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let var = gaps.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / gaps.len() as f64;
        assert!((mean - 0.001).abs() < 0.00003, "mean gap {mean}");
        assert!((var.sqrt() / mean - 1.0).abs() < 0.03, "cv {}", var.sqrt() / mean);
        // Counts per 100 ms: index of dispersion (variance / mean) 1.
        let bins: Vec<f64> = (0..600)
            .map(|b| count(&t, b as f64 / 10.0, (b + 1) as f64 / 10.0) as f64)
            .collect();
        let m = bins.iter().sum::<f64>() / 600.0;
        let v = bins.iter().map(|c| (c - m).powi(2)).sum::<f64>() / 599.0;
        assert!((v / m - 1.0).abs() < 0.2, "dispersion {}", v / m);
        // P(no arrival in 1 ms) = e^-1.
        let mut per_ms = vec![0u32; 60_000];
        for x in &t {
            per_ms[((x * 1000.0) as usize).min(59_999)] += 1;
        }
        let share = per_ms.iter().filter(|&&c| c == 0).count() as f64 / 60_000.0;
        assert!((share - (-1f64).exp()).abs() < 0.01, "empty share {share}");
    }

    #[test]
    fn poisson_arrivals_follow_a_ramp_and_repeat_with_their_seed() {
        let p = LoadPlan {
            arrivals: Arrivals::Poisson,
            ..plan(Model::Open)
        };
        let t = times(&p, 42);
        // Means 50 (ramp), 100 (hold) and 100 (20/s for 5 s), each within 4 sigma.
        for (from, to, mean) in [(0.0, 10.0, 50.0), (10.0, 20.0, 100.0), (20.0, 25.0, 100.0)] {
            let n = count(&t, from, to) as f64;
            assert!(
                (n - mean).abs() < 4.0 * f64::sqrt(mean),
                "{n} arrivals in [{from}, {to})"
            );
        }
        // Late in the ramp arrivals come faster than early: 0-5 s holds a quarter of its 50.
        assert!(count(&t, 0.0, 5.0) < count(&t, 5.0, 10.0));
        assert_eq!(t, times(&p, 42));
        assert_ne!(t, times(&p, 43));
        assert!(t.windows(2).all(|w| w[0] <= w[1]));
    }
}
