//! The load plan: phases of offered load over time (users for the closed model,
//! arrivals per second for the open model), each ramping from the previous level and
//! then holding. Pure functions of time; the engine asks it what to do at each instant.

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

/// One load level: ramp to `level` over `ramp`, then hold it for `hold`. The hold is
/// the steady state a step's results are measured over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Phase {
    pub level: f64,
    pub ramp: Duration,
    pub hold: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlan {
    pub model: Model,
    pub phases: Vec<Phase>,
    /// Users started; in the open model they serve arrivals, and an arrival that finds
    /// none free is dropped.
    pub pool: usize,
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

    /// Expected arrivals in [0, t): the integral of the rate (open model).
    pub fn arrivals_before(&self, t: Duration) -> f64 {
        let mut start = Duration::ZERO;
        let mut previous = 0.0;
        let mut total = 0.0;
        for p in &self.phases {
            let ramp = p.ramp.as_secs_f64();
            let in_ramp = t.saturating_sub(start).as_secs_f64().min(ramp);
            if ramp > 0.0 {
                // Trapezoid of a linear ramp from `previous` to `level` over `in_ramp`.
                let reached = previous + (p.level - previous) * in_ramp / ramp;
                total += (previous + reached) / 2.0 * in_ramp;
            }
            let hold_start = start + p.ramp;
            let in_hold = t.saturating_sub(hold_start).as_secs_f64().min(p.hold.as_secs_f64());
            total += p.level * in_hold;
            start = hold_start + p.hold;
            previous = p.level;
            if t <= start {
                break;
            }
        }
        total
    }

    /// When arrival number `k` (from 0) is due: the first t with arrivals_before(t) > k.
    /// Arrivals are evenly spaced, as k6's arrival-rate executors space them.
    pub fn arrival_time(&self, k: u64) -> Option<Duration> {
        let target = k as f64 + 0.5;
        let total = self.total();
        if self.arrivals_before(total) < target {
            return None;
        }
        let (mut lo, mut hi) = (0.0, total.as_secs_f64());
        for _ in 0..60 {
            let mid = (lo + hi) / 2.0;
            if self.arrivals_before(Duration::from_secs_f64(mid)) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(Duration::from_secs_f64(hi))
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
            pool: 20,
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

    #[test]
    fn arrivals_integrate_the_rate() {
        let p = plan(Model::Open);
        // Ramp 0->10 over 10 s gives 50 arrivals, hold 100, then 20/s for 5 s gives 100.
        assert!((p.arrivals_before(secs(10.0)) - 50.0).abs() < 1e-9);
        assert!((p.arrivals_before(secs(25.0)) - 250.0).abs() < 1e-9);
        let t = p.arrival_time(149).unwrap().as_secs_f64();
        assert!((p.arrivals_before(secs(t)) - 149.5).abs() < 1e-6);
        assert!(p.arrival_time(250).is_none());
    }
}
