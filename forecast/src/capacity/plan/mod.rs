//! The peak-event plan: how many instances a demand needs to meet a latency objective,
//! from the per-instance queueing model a load test gave (`instance`), with spare
//! instances for redundancy, the predicted latency (and its sampling error), utilisation
//! and headroom, and how the count moves with demand. The count must meet the objective
//! even at the capacity's lower bound: a saturated step's throughput is a sample, and
//! near saturation a few percent of capacity is the difference between meeting a p99
//! and missing it by double.
//!
//! Instances behind a load balancer that sends each request to a free worker act as one
//! pooled queue: N instances of c workers are one M/G/(N c) queue with the measured
//! service distribution and Poisson arrivals. (Round robin over separate queues does
//! worse; the plan then errs on the low side.)

mod build;
pub use crate::capacity::instance::InstanceModel;
use crate::capacity::mgc::Estimate;
pub use crate::capacity::point::Objective;
use crate::rightsize::Redundancy;
pub use build::{build, check, with_lost, Check, Pricing, Request};
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 2;
/// Demand multiples the sensitivity table shows.
pub const SENSITIVITY: [f64; 4] = [0.5, 1.0, 1.5, 2.0];
/// The most instances a plan considers.
pub const MAX_INSTANCES: u32 = 100_000;
/// Points of the readiness curve at most.
const CURVE_POINTS: u32 = 40;

impl headroom_loadgen::schema::Schema for PlanFile {
    const FILE: &'static str = "plan.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// plan.json.
pub struct PlanFile {
    pub schema_version: u32,
    pub demand: Demand,
    pub objective: Objective,
    /// One line: c, S, the distribution, the capacity.
    pub model: String,
    pub assumptions: String,
    /// How the percentiles were computed, and their precision.
    pub method: String,
    pub per_instance_capacity_rps: f64,
    /// `CAPACITY_Z` standard errors below it: the count is chosen to meet the objective
    /// even there.
    pub per_instance_capacity_low_rps: f64,
    pub safe_operating_point_rps: Option<f64>,
    /// The recommended count, spares included.
    pub instances: u32,
    #[serde(with = "crate::rightsize::redundancy_text")]
    pub redundancy: Redundancy,
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

/// Why no count meets the objective.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "no instance count meets {objective} <= {limit_ms} ms: one request's {objective} with no queue at all is \
         {floor_ms:.1} ms (the measured service time)"
    )]
    Unreachable {
        objective: String,
        limit_ms: f64,
        floor_ms: f64,
    },
    #[error("{demand:.4e} rps needs more than {MAX_INSTANCES} instances of {capacity:.1} rps each")]
    TooMany { demand: f64, capacity: f64 },
    #[error("found a demand of {0}; expected a rate above 0")]
    Demand(f64),
    #[error("no latency objective: give --slo p99=250ms (the limits.json has none)")]
    NoObjective,
    #[error("no queueing model (the run gave no latency to measure the service time); fit a run.json of headroom run")]
    NoModel,
    #[error("{0}")]
    BadModel(String),
}

/// True when `active` instances meet the objective even at the capacity's lower bound:
/// a plan must not hang on a load test's lucky sample.
fn meets(model: &InstanceModel, active: u32, demand: f64, objective: &Objective) -> bool {
    model
        .latency_at_low_capacity_ms(active, demand, objective.quantile())
        .is_some_and(|ms| ms <= objective.limit_ms)
}

/// The fewest instances, plus `spares`, that meet the objective at `demand` at the
/// capacity's lower bound: with any `spares` of them lost, the rest still do. Bounded: an objective below what an idle
/// instance gives fails at once, and the count is searched by doubling then bisection
/// from the fewest that keep up (demand / capacity).
pub fn instances_needed(
    model: &InstanceModel,
    demand: f64,
    objective: &Objective,
    spares: u32,
) -> Result<u32, PlanError> {
    if !(demand > 0.0 && demand.is_finite()) {
        return Err(PlanError::Demand(demand));
    }
    let floor_ms = model.floor_at_low_capacity_ms(objective.quantile());
    if floor_ms > objective.limit_ms {
        return Err(PlanError::Unreachable {
            objective: objective.name.clone(),
            limit_ms: objective.limit_ms,
            floor_ms,
        });
    }
    let too_many = PlanError::TooMany {
        demand,
        capacity: model.capacity(),
    };
    let lowest = demand / model.capacity();
    if lowest >= MAX_INSTANCES as f64 {
        return Err(too_many);
    }
    let lowest = (lowest.floor() as u32 + 1).max(1);
    // Doubling: the first count that meets it lies in (failing, meeting].
    let (mut failing, mut step) = (lowest - 1, 1u32);
    let mut meeting = lowest;
    while !meets(model, meeting, demand, objective) {
        failing = meeting;
        meeting = lowest.saturating_add(step);
        step = step.saturating_mul(2);
        if meeting > MAX_INSTANCES {
            return Err(too_many);
        }
    }
    while meeting - failing > 1 {
        let mid = failing + (meeting - failing) / 2;
        if meets(model, mid, demand, objective) {
            meeting = mid
        } else {
            failing = mid
        }
    }
    Ok(meeting.saturating_add(spares))
}

/// The most demand `instances` (less `spares`) can take while meeting the objective, to
/// a thousandth of their capacity.
pub fn max_demand(model: &InstanceModel, instances: u32, objective: &Objective, spares: u32) -> f64 {
    let active = instances.saturating_sub(spares);
    let (mut lo, mut hi) = (0.0, model.capacity() * active as f64);
    while hi - lo > 1e-3 * model.capacity() * active.max(1) as f64 {
        let mid = (lo + hi) / 2.0;
        if meets(model, active, mid, objective) {
            lo = mid
        } else {
            hi = mid
        }
    }
    lo
}

/// A warning when one instance fewer would meet the objective at the measured capacity
/// but not at its lower bound: the count then hangs on the load test's sampling error.
pub fn close_call(
    model: &InstanceModel,
    instances: u32,
    demand: f64,
    objective: &Objective,
    spares: u32,
) -> Option<String> {
    let active = instances.checked_sub(spares)?.checked_sub(1).filter(|n| *n > 0)?;
    let fewer = model.latency_ms(active, demand, objective.quantile())?;
    (fewer <= objective.limit_ms).then(|| {
        format!(
            "a close call: {} instances would meet {} <= {} ms at the measured capacity ({fewer:.1} ms) but not \
             {} standard errors below it (capacity ± {:.1}%); a longer saturated step narrows that",
            instances - 1,
            objective.name,
            objective.limit_ms,
            crate::capacity::instance::CAPACITY_Z,
            model.capacity_relative_error * 100.0
        )
    })
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
    /// The objective percentile's sampling error (simulation), ms.
    pub objective_error_ms: Option<f64>,
    /// The objective percentile had the capacity been its lower bound (`CAPACITY_Z`
    /// standard errors below the measured one), with the spares lost: what the count
    /// is chosen by.
    pub objective_ms_at_low_capacity: Option<f64>,
    /// The same with the spares lost.
    pub objective_ms_degraded: Option<f64>,
    /// How much more demand it takes (fraction) before the objective fails with the
    /// spares lost; negative when it already fails.
    pub headroom: f64,
    pub meets_objective: bool,
}

/// Predicted objective percentile (with the spares lost) for counts around the plan:
/// from half the planned count (or the fewest that keep up) to twice it, at most
/// `CURVE_POINTS` points: the readiness chart shows the objective being crossed.
pub fn curve(
    model: &InstanceModel,
    instances: u32,
    demand: f64,
    objective: &Objective,
    spares: u32,
) -> Vec<CurvePoint> {
    let first = (instances / 2).max(spares + 1);
    let last = (2 * instances).max(first + 1);
    let stride = ((last - first) / CURVE_POINTS).max(1);
    (first..=last)
        .step_by(stride as usize)
        .map(|n| CurvePoint {
            instances: n,
            objective_ms: model.latency_ms(n.saturating_sub(spares), demand, objective.quantile()),
        })
        .collect()
}

pub fn sizing(model: &InstanceModel, instances: u32, demand: f64, objective: &Objective, spares: u32) -> Sizing {
    let q = objective.quantile();
    let full: Option<Estimate> = model.latency_estimate_ms(instances, demand, q);
    let active = instances.saturating_sub(spares);
    let degraded = model.latency_ms(active, demand, q);
    let cautious = model.latency_at_low_capacity_ms(active, demand, q);
    let most = max_demand(model, instances, objective, spares);
    Sizing {
        instances,
        demand_rps: demand,
        utilisation: demand / (model.capacity() * instances as f64),
        p50_ms: model.latency_ms(instances, demand, 0.5),
        objective_ms: full.map(|e| e.value),
        objective_error_ms: full.map(|e| e.standard_error),
        objective_ms_degraded: degraded,
        objective_ms_at_low_capacity: cautious,
        headroom: most / demand - 1.0,
        meets_objective: cautious.is_some_and(|ms| ms <= objective.limit_ms),
    }
}

#[cfg(test)]
mod tests;
