//! The peak-event plan: how many instances a demand needs to meet a latency objective,
//! from the per-instance model a load test fitted (M/M/c or USL), with spare instances
//! for redundancy, the predicted latency, utilisation and headroom, and how the count
//! moves with demand.
//!
//! Instances behind a load balancer that sends each request to a free worker act as one
//! pooled queue: N instances of c workers at rate mu are modelled as M/M/(N c). (Round
//! robin over separate queues does worse; the plan then errs on the low side.) With the
//! USL, demand is split evenly and each instance runs at X = demand / N.

use crate::queueing::Mmc;
use crate::usl::Usl;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;
/// Demand multiples the sensitivity table shows.
pub const SENSITIVITY: [f64; 4] = [0.5, 1.0, 1.5, 2.0];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// plan.json.
pub struct PlanFile {
    pub schema_version: u32,
    pub demand: Demand,
    pub objective: Objective,
    pub model: String,
    pub per_instance_capacity_rps: f64,
    pub safe_operating_point_rps: Option<f64>,
    /// The recommended count, spares included.
    pub instances: u32,
    pub redundancy: String,
    /// The count that keeps every instance under the safe operating point (spares included).
    pub instances_at_safe_point: Option<u32>,
    pub plan: Sizing,
    pub current: Option<Sizing>,
    pub cost: Option<Cost>,
    pub sensitivity: Vec<Sensitivity>,
    /// The objective's predicted percentile by instance count (with the spares lost).
    pub curve: Vec<CurvePoint>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub instances: u32,
    pub objective_ms: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    pub rps: f64,
    pub base_rps: f64,
    pub multiplier: f64,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub instance_type: String,
    pub hourly_usd: f64,
    pub monthly_usd: f64,
    pub event_hours: f64,
    pub event_usd: f64,
    pub current_monthly_usd: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub multiplier: f64,
    pub demand_rps: f64,
    pub instances: Option<u32>,
}

/// One instance's behaviour, from limits.json.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceModel {
    /// `servers` workers, each taking `service_s` on average.
    Mmc { servers: u32, service_s: f64 },
    /// The USL, with measured percentile / mean latency ratios to turn its mean latency
    /// R(N) = N / X(N) into percentiles.
    Usl { usl: Usl, percentile_ratio: f64 },
}

impl InstanceModel {
    /// Highest throughput one instance sustains.
    pub fn capacity(&self) -> f64 {
        match self {
            InstanceModel::Mmc { servers, service_s } => *servers as f64 / service_s,
            InstanceModel::Usl { usl, .. } => usl.max_throughput().unwrap_or(f64::INFINITY),
        }
    }

    /// Predicted latency percentile `q` (0..1) in ms for `instances` serving `demand`
    /// per second; None when they cannot keep up.
    pub fn latency_ms(&self, instances: u32, demand: f64, q: f64) -> Option<f64> {
        if instances == 0 {
            return None;
        }
        match self {
            InstanceModel::Mmc { servers, service_s } => {
                let queue = Mmc {
                    lambda: demand,
                    mu: 1.0 / service_s,
                    c: servers * instances,
                };
                queue.stable().then(|| queue.response_percentile(q) * 1e3)
            }
            InstanceModel::Usl { usl, percentile_ratio } => {
                let x = demand / instances as f64;
                let n = usl.concurrency_at_throughput(x)?;
                // The ratio was measured for the objective's percentile; the median is
                // taken as the mean.
                let ratio = if q >= 0.9 { *percentile_ratio } else { 1.0 };
                Some(n / x * 1e3 * ratio)
            }
        }
    }
}

/// What the plan must meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub name: String,
    /// 0..1, e.g. 0.99.
    pub quantile: f64,
    pub limit_ms: f64,
}

/// The fewest instances, plus `spares`, that meet the objective at `demand`: with any
/// `spares` of them lost, the rest still do.
pub fn instances_needed(model: &InstanceModel, demand: f64, objective: &Objective, spares: u32) -> Option<u32> {
    let lowest = ((demand / model.capacity()).floor() as u32).max(1);
    (lowest..lowest.saturating_add(100_000))
        .find(|&n| {
            model
                .latency_ms(n, demand, objective.quantile)
                .is_some_and(|ms| ms <= objective.limit_ms)
        })
        .map(|n| n + spares)
}

/// The most demand `instances` (less `spares`) can take while meeting the objective.
pub fn max_demand(model: &InstanceModel, instances: u32, objective: &Objective, spares: u32) -> f64 {
    let active = instances.saturating_sub(spares);
    let meets = |d: f64| {
        model
            .latency_ms(active, d, objective.quantile)
            .is_some_and(|ms| ms <= objective.limit_ms)
    };
    let (mut lo, mut hi) = (0.0, model.capacity() * active as f64);
    if !hi.is_finite() {
        hi = 1e12;
    }
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if meets(mid) {
            lo = mid
        } else {
            hi = mid
        }
    }
    lo
}

/// Figures for one instance count at one demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sizing {
    pub instances: u32,
    pub demand_rps: f64,
    /// Demand over the capacity of all instances.
    pub utilisation: f64,
    /// Predicted p50 and objective percentile with every instance up (None: overloaded).
    pub p50_ms: Option<f64>,
    pub objective_ms: Option<f64>,
    /// The same with the spares lost.
    pub objective_ms_degraded: Option<f64>,
    /// How much more demand it takes (fraction) before the objective fails with the
    /// spares lost; negative when it already fails.
    pub headroom: f64,
    pub meets_objective: bool,
}

/// Predicted objective percentile for every count from the first that keeps up to twice
/// `instances`, with `spares` lost: the data behind the readiness chart.
pub fn curve(
    model: &InstanceModel,
    instances: u32,
    demand: f64,
    objective: &Objective,
    spares: u32,
) -> Vec<CurvePoint> {
    let first = ((demand / model.capacity()).floor() as u32).max(1) + spares;
    (first..=(2 * instances).max(first + 1))
        .map(|n| CurvePoint {
            instances: n,
            objective_ms: model.latency_ms(n.saturating_sub(spares), demand, objective.quantile),
        })
        .collect()
}

pub fn sizing(model: &InstanceModel, instances: u32, demand: f64, objective: &Objective, spares: u32) -> Sizing {
    let degraded = model.latency_ms(instances.saturating_sub(spares), demand, objective.quantile);
    let most = max_demand(model, instances, objective, spares);
    Sizing {
        instances,
        demand_rps: demand,
        utilisation: demand / (model.capacity() * instances as f64),
        p50_ms: model.latency_ms(instances, demand, 0.5),
        objective_ms: model.latency_ms(instances, demand, objective.quantile),
        objective_ms_degraded: degraded,
        headroom: most / demand - 1.0,
        meets_objective: degraded.is_some_and(|ms| ms <= objective.limit_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queueing::erlang_c;

    fn p99() -> Objective {
        Objective {
            name: "p99".into(),
            quantile: 0.99,
            limit_ms: 250.0,
        }
    }

    #[test]
    fn smallest_count_by_erlang_c_and_n_plus_one_adds_one() {
        // 100 rps per instance: 4 workers of 40 ms. Demand 750 rps.
        let model = InstanceModel::Mmc {
            servers: 4,
            service_s: 0.040,
        };
        let n = instances_needed(&model, 750.0, &p99(), 0).unwrap();
        // Check with Erlang C directly: P(T > t) for M/M/k with k = 4n.
        let p99_ms = |instances: u32| {
            let (k, mu, lambda) = (4 * instances, 25.0, 750.0);
            let c = erlang_c(k, lambda / mu);
            let theta = k as f64 * mu - lambda;
            let survival = |t: f64| {
                (1.0 - c) * (-mu * t).exp() + c * (theta * (-mu * t).exp() - mu * (-theta * t).exp()) / (theta - mu)
            };
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
        };
        assert!(p99_ms(n) <= 250.0, "{n} instances: {}", p99_ms(n));
        assert!(
            n == 8 || p99_ms(n - 1) > 250.0,
            "{} instances would do: {}",
            n - 1,
            p99_ms(n - 1)
        );
        assert_eq!(n, 8, "capacity 800 > 750 and p99 {} ms", p99_ms(8));
        assert_eq!(instances_needed(&model, 750.0, &p99(), 1), Some(n + 1));
        let s = sizing(&model, n + 1, 750.0, &p99(), 1);
        assert!(s.meets_objective && s.headroom >= 0.0 && s.utilisation < 1.0);
        let short = sizing(&model, n, 750.0, &p99(), 1);
        assert!(!short.meets_objective && short.headroom < 0.0);
    }

    #[test]
    fn usl_instances_split_demand() {
        let usl = Usl {
            sigma: 0.05,
            kappa: 0.0,
            lambda: 100.0,
        };
        let model = InstanceModel::Usl {
            usl,
            percentile_ratio: 2.0,
        };
        let objective = Objective {
            name: "p99".into(),
            quantile: 0.99,
            limit_ms: 40.0,
        };
        let n = instances_needed(&model, 3000.0, &objective, 0).unwrap();
        assert!(model.latency_ms(n, 3000.0, 0.99).unwrap() <= 40.0);
        assert!(model.latency_ms(n - 1, 3000.0, 0.99).is_none_or(|ms| ms > 40.0));
    }
}
