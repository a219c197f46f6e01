//! limits.json: the saturation limits a fit found, with the points and the input they
//! came from (`schema_version` 1), and the rules that read a limit back for another
//! workflow (the runway's threshold, the right-sizer's safe share, the plan's objective).
//! The fitting itself is the parent module's.

use crate::capacity::instance::{InstanceModel, Quality};
use crate::capacity::point::{Model, Objective, Point};
use headroom_loadgen::slo::parse_percentile_name;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a figure was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    Measured,
    Interpolated,
    Extrapolated,
    Model,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub value: f64,
    pub unit: String,
    pub basis: Basis,
}

pub(crate) fn figure(value: f64, unit: &str, basis: Basis) -> Figure {
    Figure {
        value,
        unit: unit.to_string(),
        basis,
    }
}

/// A load and the throughput it gives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatingPoint {
    pub load: Figure,
    pub throughput: Figure,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UslSummary {
    pub sigma: f64,
    pub kappa: f64,
    pub lambda: f64,
    pub sigma_se: f64,
    pub kappa_se: f64,
    pub lambda_se: f64,
    pub r2: f64,
    pub peak_concurrency: Option<f64>,
    pub peak_concurrency_floor: Option<f64>,
    pub peak_throughput: Option<f64>,
    pub amdahl_ceiling: Option<f64>,
    pub residuals: Vec<f64>,
    pub efficiency: Vec<f64>,
    pub at_bound: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    pub throughput: Figure,
    pub load: Figure,
    /// Whether the tested range reached saturation.
    pub saturated: bool,
    /// The model's maximum beyond the tested range, when the run did not saturate.
    pub model_estimate: Option<Figure>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveLimit {
    pub objective: String,
    pub limit_ms: f64,
    /// None when the objective failed at the lowest tested load.
    pub at: Option<OperatingPoint>,
    pub note: Option<String>,
    /// The highest Poisson arrival rate one instance takes while meeting the objective,
    /// by the queueing model (what peak-event traffic, which is open, will see).
    pub poisson_rate: Option<Figure>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SafePoint {
    /// Fraction below the reference kept free (0.2 for 20%).
    pub headroom: f64,
    /// `slo_limit` or `peak`.
    pub based_on: String,
    pub at: OperatingPoint,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    #[serde(with = "crate::capacity::point::load_kind")]
    pub load_kind: Model,
    pub usl: Option<UslSummary>,
    /// The per-instance queueing model (None when the run gave no latency to build it).
    pub instance_model: Option<InstanceModel>,
    /// How well the queueing model reproduces the open-model steps.
    pub model_quality: Option<Quality>,
    pub peak: Peak,
    pub knee: Option<OperatingPoint>,
    pub knee_note: Option<String>,
    /// Per objective.
    pub objectives: Vec<ObjectiveLimit>,
    /// The lowest of the objectives' limits: the highest load meeting every one.
    pub slo_limit: Option<OperatingPoint>,
    pub safe_operating_point: Option<SafePoint>,
    pub warnings: Vec<String>,
}

pub const SCHEMA_VERSION: u32 = 1;

impl headroom_loadgen::schema::Schema for LimitsFile {
    const FILE: &'static str = "limits.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

/// limits.json: the limits with where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitsFile {
    pub schema_version: u32,
    /// The input file the points came from.
    pub source: String,
    /// The points fitted, sorted by load.
    pub points: Vec<PointRecord>,
    #[serde(flatten)]
    pub limits: Limits,
}

/// A fitted point as written to limits.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    pub load: f64,
    pub throughput_rps: f64,
    pub latency_ms: BTreeMap<String, f64>,
}

impl LimitsFile {
    pub fn new(source: &str, points: &[Point], limits: Limits) -> LimitsFile {
        let mut points: Vec<PointRecord> = points
            .iter()
            .map(|p| PointRecord {
                load: p.load,
                throughput_rps: p.throughput,
                latency_ms: p.latency_ms.clone(),
            })
            .collect();
        points.sort_by(|a, b| a.load.total_cmp(&b.load));
        LimitsFile {
            schema_version: SCHEMA_VERSION,
            source: source.to_string(),
            points,
            limits,
        }
    }
}

impl LimitsFile {
    /// The throughput demand on a fleet of `instances` must stay under, with what it is:
    /// `instances` x one instance's Poisson SLO limit (the lowest over the objectives: a
    /// peak's arrivals are open), else x the SLO limit as measured, else x the peak.
    pub fn runway_threshold(&self, instances: u32) -> (f64, String) {
        let n = instances.max(1);
        let (per_instance, what) = match (self.poisson_slo_limit(), &self.limits.slo_limit) {
            (Some((rate, o)), _) => (
                rate,
                format!(
                    "one instance's Poisson SLO limit ({} <= {} ms)",
                    o.objective, o.limit_ms
                ),
            ),
            (None, Some(limit)) => (limit.throughput.value, "one instance's SLO limit as measured".into()),
            (None, None) => (
                self.limits.peak.throughput.value,
                "one instance's peak throughput".into(),
            ),
        };
        (per_instance * n as f64, format!("{n} x {per_instance:.1} rps, {what}"))
    }

    /// One instance's Poisson SLO limit: the lowest over the objectives of the highest
    /// open arrival rate meeting each (what a peak's traffic sees), with its objective.
    pub fn poisson_slo_limit(&self) -> Option<(f64, &ObjectiveLimit)> {
        self.limits
            .objectives
            .iter()
            .filter_map(|o| o.poisson_rate.as_ref().map(|rate| (rate.value, o)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    }

    /// The safe operating point's share of the peak throughput (from 5% to 100%): the
    /// utilisation a right-sized fleet may run at. None without a safe point.
    pub fn safe_share(&self) -> Option<f64> {
        let safe = self.limits.safe_operating_point.as_ref()?;
        Some((safe.at.throughput.value / self.limits.peak.throughput.value).clamp(0.05, 1.0))
    }

    /// The highest-percentile latency objective the fit was made for.
    pub fn fitted_objective(&self) -> Option<Objective> {
        self.limits
            .objectives
            .iter()
            .filter_map(|o| {
                Some(Objective {
                    name: o.objective.clone(),
                    percentile: parse_percentile_name(&o.objective)?,
                    limit_ms: o.limit_ms,
                })
            })
            .max_by(|a, b| a.percentile.total_cmp(&b.percentile))
    }
}
