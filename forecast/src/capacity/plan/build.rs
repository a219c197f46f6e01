//! The plan workflow, as `headroom plan` and the review run it: a limits.json, a demand
//! and an objective to plan.json (the count with spares, the safe point's count,
//! sizing today and planned, cost, sensitivity, the readiness curve, warnings); and a
//! plan checked against the run of its verification scenario.

use super::{close_call, curve, instances_needed, sizing, Cost, Demand, PlanError, PlanFile, Sensitivity};
use super::{SCHEMA_VERSION, SENSITIVITY};
use crate::capacity::limits::LimitsFile;
use crate::capacity::point::{Model, Objective};
use crate::rightsize::{InstanceType, Redundancy};
use headroom_loadgen::results::{decode_histogram, RunResult, StepResult};
use headroom_loadgen::units::count;

/// What a plan is asked.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub limits: &'a LimitsFile,
    pub demand: Demand,
    /// The objective to meet; None: the highest-percentile one the fit was made for.
    pub objective: Option<Objective>,
    pub redundancy: Redundancy,
    /// Instances running today, to compare with.
    pub current: Option<u32>,
    pub pricing: Option<Pricing<'a>>,
}

/// The instance type the plan is priced at, and the event's length.
#[derive(Debug, Clone, Copy)]
pub struct Pricing<'a> {
    pub instance_type: &'a InstanceType,
    pub event_hours: f64,
}

/// The plan for `request`.
pub fn build(request: Request) -> Result<PlanFile, PlanError> {
    let limits = &request.limits.limits;
    let objective = match request.objective {
        Some(objective) => objective,
        None => request.limits.fitted_objective().ok_or(PlanError::NoObjective)?,
    };
    let model = limits.instance_model.clone().ok_or(PlanError::NoModel)?;
    let model = model
        .checked()
        .map_err(|m| PlanError::BadModel(format!("instance_model.{m}")))?;
    let spares = request.redundancy.spares();
    let rps = request.demand.rps;
    let instances = instances_needed(&model, rps, &objective, spares)?;
    let safe = limits.safe_operating_point.as_ref().map(|s| s.at.throughput.value);
    let at_safe = safe.map(|s| (rps / s).ceil() as u32 + spares);
    let mut warnings: Vec<String> = limits.warnings.iter().map(|w| format!("from the fit: {w}")).collect();
    if let (Some(n), Some(safe)) = (at_safe.filter(|n| *n > instances), safe) {
        let who = match spares {
            0 => "the instances run".to_string(),
            k => format!("{} the rest run", with_lost(k)),
        };
        warnings.push(format!(
            "the SLO holds, but {who} above the load test's safe operating point ({safe:.1} rps each); \
             {n} instances would keep them under it"
        ));
    }
    warnings.extend(close_call(&model, instances, rps, &objective, spares));
    let cost = request.pricing.map(|p| Cost {
        instance_type: p.instance_type.name.clone(),
        hourly_usd: p.instance_type.hourly_usd,
        monthly_usd: p.instance_type.monthly_usd(instances),
        event_hours: p.event_hours,
        event_usd: p.instance_type.hourly_usd * p.event_hours * instances as f64,
        current_monthly_usd: request.current.map(|n| p.instance_type.monthly_usd(n)),
    });
    Ok(PlanFile {
        schema_version: SCHEMA_VERSION,
        model: model.describe(),
        assumptions: model.assumptions.clone(),
        method: model.method.clone(),
        per_instance_capacity_rps: model.capacity(),
        per_instance_capacity_low_rps: model.capacity() / model.slowdown_at_low_capacity(),
        safe_operating_point_rps: safe,
        instances,
        redundancy: request.redundancy,
        instances_at_safe_point: at_safe,
        plan: sizing(&model, instances, rps, &objective, spares),
        current: request.current.map(|n| sizing(&model, n, rps, &objective, spares)),
        cost,
        sensitivity: SENSITIVITY
            .iter()
            .map(|&m| Sensitivity {
                multiplier: m,
                demand_rps: rps * m,
                instances: instances_needed(&model, rps * m, &objective, spares).ok(),
            })
            .collect(),
        curve: curve(&model, instances, rps, &objective, spares),
        warnings,
        objective,
        demand: request.demand,
    })
}

/// "with 1 instance lost", "with 2 instances lost".
pub fn with_lost(spares: u32) -> String {
    format!("with {} lost", count(spares as usize, "instance"))
}

/// A plan's prediction against what its verification run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Check<'a> {
    /// The last step that measured anything: the verification's hold.
    pub step: &'a StepResult,
    /// The objective's percentile measured there, from the step's histogram.
    pub observed_ms: f64,
    /// The run offered another rate than the plan's demand (more than 2% off).
    pub other_rate: Option<f64>,
    /// A closed run, while the plan predicts open (Poisson) traffic.
    pub closed: bool,
    pub met: bool,
}

/// Checks `plan` against `run`; None when the run measured no step.
pub fn check<'a>(plan: &PlanFile, run: &'a RunResult) -> Option<Check<'a>> {
    let step = run.steps.iter().rev().find(|s| s.window.requests > 0)?;
    let observed_ms = decode_histogram(&step.window.histogram)
        .map(|h| h.value_at_quantile(plan.objective.quantile()) as f64 / 1e3)
        .unwrap_or(step.window.latency_ms.p99);
    Some(Check {
        step,
        observed_ms,
        other_rate: step.rate.filter(|r| (r / plan.demand.rps - 1.0).abs() > 0.02),
        closed: run.model != Model::Open,
        met: observed_ms <= plan.objective.limit_ms,
    })
}
