//! The input of every capacity fit: one measured step (`Point`) of a load test whose
//! load axis is users or an arrival rate (loadgen's `Model`), and the latency
//! `Objective` the fits are judged by (loadgen's, the one objective type). `from_step`
//! is the one bridge from a run.json step to a point.

pub use headroom_loadgen::plan::Model;
use headroom_loadgen::results::{decode_histogram, quantiles_ms, LatencySummary, StepResult};
pub use headroom_loadgen::slo::Objective;
use std::collections::BTreeMap;

/// Quantiles kept of a step's latency distribution, and so of the service time.
pub const QUANTILES: usize = 500;

/// One measured step.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub load: f64,
    pub throughput: f64,
    /// Latency in ms by statistic (`mean`, `p50`, `p95`, `p99.9`); `*` stands for any
    /// percentile (a CSV's single latency column).
    pub latency_ms: BTreeMap<String, f64>,
    /// The step's latency distribution: quantiles at (i + 1/2) / K in ms, from its
    /// histogram (empty when the input has none).
    pub latency_quantiles_ms: Vec<f64>,
    /// Requests measured in the step, when known.
    pub requests: Option<u64>,
    /// Open model: the arrivals (journeys started) the step served, when known; a
    /// journey of several requests makes requests outnumber them.
    pub arrivals: Option<u64>,
}

impl Point {
    /// A run.json step as a point: its users or rate, throughput, latency summary and
    /// the quantiles of its histogram. None for a step that measured nothing.
    pub fn from_step(step: &StepResult) -> Option<Point> {
        let window = &step.window;
        (window.requests > 0).then(|| Point {
            load: step.level().map_or(0.0, |l| l.value),
            throughput: window.throughput_rps,
            latency_ms: latency_map(&window.latency_ms),
            latency_quantiles_ms: decode_histogram(&window.histogram)
                .map(|h| quantiles_ms(&h, QUANTILES))
                .unwrap_or_default(),
            requests: Some(window.requests),
            arrivals: (step.rate.is_some() && window.arrivals > 0).then_some(window.arrivals),
        })
    }

    pub(crate) fn latency(&self, statistic: &str) -> Option<f64> {
        self.latency_ms
            .get(statistic)
            .or_else(|| self.latency_ms.get("*"))
            .copied()
    }
}

fn latency_map(l: &LatencySummary) -> BTreeMap<String, f64> {
    [
        ("mean", l.mean),
        ("p50", l.p50),
        ("p90", l.p90),
        ("p95", l.p95),
        ("p99", l.p99),
        ("p99.9", l.p99_9),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// limits.json writes the load axis as `users` or `rate` (run.json's `model` says
/// `closed` or `open`): the same concept, spelt as each file always has.
pub(crate) mod load_kind {
    use super::Model;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    enum Spelt {
        Users,
        Rate,
    }

    pub fn serialize<S: Serializer>(model: &Model, s: S) -> Result<S::Ok, S::Error> {
        match model {
            Model::Closed => Spelt::Users,
            Model::Open => Spelt::Rate,
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Model, D::Error> {
        Ok(match Spelt::deserialize(d)? {
            Spelt::Users => Model::Closed,
            Spelt::Rate => Model::Open,
        })
    }
}
