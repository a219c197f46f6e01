//! run.json: the result of a load test, defined once here (`schema_version` 1). Steps,
//! totals, latency summaries and the serialised histograms that make runs mergeable.

use crate::plan::{Level, Model};
use crate::slo::{Slo, Verdict};
use hdrhistogram::serialization::{Deserializer, Serializer, V2DeflateSerializer};
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;

impl crate::schema::Schema for RunResult {
    const FILE: &'static str = "run.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The whole plan ran.
    Completed,
    /// A guard condition held for its duration.
    Aborted,
    /// `guard.max_duration` was reached.
    MaxDuration,
    /// Ctrl-C (or SIGTERM) stopped the run; what was measured is kept.
    Interrupted,
    /// Something inside headroom failed (a user's task panicked): `end_reason` says what.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    pub schema_version: u32,
    pub scenario: String,
    pub target: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub ended_at: String,
    pub duration_s: f64,
    pub model: Model,
    /// Users started (closed: the highest level; open: the most the pool grew to).
    pub pool_users: usize,
    /// Open model: the most users the pool could grow to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_max: Option<usize>,
    /// Open model: how arrivals were spaced and the seed of their stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arrivals: Option<crate::plan::Arrivals>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub status: RunStatus,
    pub end_reason: Option<String>,
    pub slo: Slo,
    /// Whether every SLO held over the whole run (None without an SLO).
    pub slo_passed: Option<bool>,
    pub steps: Vec<StepResult>,
    pub overall: WindowResult,
    /// One row per second of the run.
    pub timeline: Vec<TimelineRow>,
    /// Set when this run is one shard of a sharded test.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<crate::shard::Shard>,
    /// The shared wall-clock start of the plan (Unix seconds), when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_start: Option<f64>,
    /// A fingerprint of the plan's timing (phase ramps and holds), for merging.
    #[serde(default)]
    pub plan_signature: String,
    /// In a merged run: the shards merged and those missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
    /// What the run did that a reader should know (users backing off, for one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A saturation search's answer (`load.search`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchResult>,
}

/// What a saturation search found: the bracket it narrowed, in the plan's unit (users
/// or arrivals per second).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub highest_passing: Option<f64>,
    pub lowest_failing: Option<f64>,
    /// The bracket's target width, as a fraction of the highest passing level.
    pub precision: f64,
    /// Steps run, repeats included.
    pub steps: usize,
    /// Why it stopped, in a sentence.
    pub stopped: String,
}

/// How a merged run was put together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Merged {
    pub shards: u32,
    pub merged: Vec<u32>,
    /// Shards absent or failed (only with --allow-partial).
    pub missing: Vec<u32>,
    pub notes: Vec<String>,
}

/// One load level, measured over its hold (the ramp is excluded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// Step number, from 1.
    pub step: usize,
    /// Offered load: users (closed model) ...
    pub users: Option<u32>,
    /// ... or arrivals per second (open model).
    pub rate: Option<f64>,
    /// Offset of the hold's start from the start of the run.
    pub start_s: f64,
    pub ramp_s: f64,
    /// Steady-state seconds actually measured (shorter if the run stopped early).
    pub duration_s: f64,
    /// Whether latency held level through the hold (None: too short to judge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steady_state: Option<bool>,
    /// What a reader must know beside the figures (not at steady state, generator late).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub window: WindowResult,
}

/// What was measured over a window (a step's hold, or the whole run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowResult {
    pub requests: u64,
    pub throughput_rps: f64,
    /// Open model: arrivals scheduled in the window, served or dropped.
    #[serde(default)]
    pub arrivals: u64,
    /// Open model: arrivals that found no free user.
    pub dropped: u64,
    /// Open model: arrivals the load generator started more than 1 ms after their
    /// scheduled time (its own lag, not the target's).
    #[serde(default)]
    pub late_arrivals: u64,
    /// Open model: users in the pool at the window's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<usize>,
    pub errors: u64,
    pub error_rate: f64,
    /// Errors by kind: `status 503`, `check <request> status`, `timeout`, `connect`.
    pub errors_by_kind: BTreeMap<String, u64>,
    /// Latency in milliseconds; in the open model measured from the scheduled arrival.
    pub latency_ms: LatencySummary,
    /// Open model only: latency from when the request was actually sent.
    pub latency_uncorrected_ms: Option<LatencySummary>,
    pub by_request: BTreeMap<String, RequestResult>,
    pub slo: Vec<Verdict>,
    /// The latency histogram (microseconds), HdrHistogram V2 deflate, base64.
    pub histogram: String,
    /// Open model: the uncorrected latency histogram.
    pub histogram_uncorrected: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestResult {
    pub requests: u64,
    pub errors: u64,
    pub latency_ms: LatencySummary,
    /// The request's latency histogram, like the window's.
    pub histogram: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    #[serde(rename = "p99.9")]
    pub p99_9: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineRow {
    /// Seconds since the start of the run (end of this one-second bucket).
    pub t: u64,
    /// Step number from 1 (None after the end of the plan).
    pub step: Option<usize>,
    pub rps: f64,
    pub errors: u64,
    pub dropped: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// Users at the end of the second: the closed plan's, or the open pool's size at the
    /// last arrival (the last known when none arrived). Absent in runs written before it.
    #[serde(default)]
    pub users: Option<u64>,
}

/// Above this share of arrivals dropped, an open-model step fails whatever its latency.
pub const MAX_DROP_SHARE: f64 = 0.01;

/// What a run shows, judged once for the summary, the report, the exit code and merges.
#[derive(Debug, Clone, PartialEq)]
pub enum RunVerdict {
    /// Nothing to judge: no step measured a request, or every request failed (why).
    NoData(String),
    /// A saturation search: whether it found a level meeting the SLO.
    Search { found: bool },
    /// Every objective held over the run (`Some(true)`), one failed (`Some(false)`),
    /// or the scenario has none (`None`).
    Slo(Option<bool>),
}

impl RunResult {
    pub fn verdict(&self) -> RunVerdict {
        if let Some(reason) = self.no_data() {
            return RunVerdict::NoData(reason);
        }
        match &self.search {
            Some(search) => RunVerdict::Search {
                found: search.highest_passing.is_some(),
            },
            None => RunVerdict::Slo(self.slo_passed),
        }
    }

    /// Whether the run passes, as its exit code says: it completed its plan (a search:
    /// found a level meeting the SLO) and no SLO failed.
    pub fn passed(&self) -> bool {
        let completed = self.status == RunStatus::Completed;
        match self.verdict() {
            RunVerdict::NoData(_) => false,
            RunVerdict::Search { found } => completed && found,
            RunVerdict::Slo(met) => completed && met != Some(false),
        }
    }

    /// Why nothing was judged: no step measured a request, or every request failed.
    fn no_data(&self) -> Option<String> {
        let w = &self.overall;
        if !self.steps.iter().any(|s| s.window.requests > 0) {
            return Some("no data: no step's hold measured a request, so nothing was judged".into());
        }
        if w.errors < w.requests {
            return None;
        }
        let kind = w
            .errors_by_kind
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(k, _)| k.as_str());
        let what = match kind {
            Some("connect") => format!("could not connect to {}", self.target),
            Some("timeout") => "requests timed out".to_string(),
            Some("transport") => "the connection failed mid-request".to_string(),
            Some(other) => other.to_string(),
            None => "no error kind recorded".to_string(),
        };
        let share = if w.errors_by_kind.len() == 1 { "all" } else { "mostly" };
        Some(format!(
            "every request failed: {} of {} requests, {share} `{}` ({what})",
            w.errors,
            w.requests,
            kind.unwrap_or("error")
        ))
    }

    /// The timeline rows covering a whole second of the run (a row's bucket ends at `t`).
    pub fn whole_seconds(&self) -> Vec<&TimelineRow> {
        self.timeline
            .iter()
            .filter(|r| r.t as f64 <= self.duration_s + 1e-6)
            .collect()
    }

    /// The whole seconds of `step`'s hold.
    pub fn hold_seconds(&self, step: &StepResult) -> Vec<&TimelineRow> {
        let (from, to) = (step.start_s, step.start_s + step.duration_s);
        self.timeline
            .iter()
            .filter(|r| r.t as f64 - 1.0 >= from - 1e-6 && r.t as f64 <= to + 1e-6)
            .collect()
    }
}

/// A run's `slo_passed`: every objective judged over the whole run held, and some step
/// measured a request (no measurement is no pass); None without objectives.
pub fn slo_passed(overall: &WindowResult, steps: &[StepResult]) -> Option<bool> {
    let measured_any = steps.iter().any(|s| s.window.requests > 0);
    (!overall.slo.is_empty()).then(|| measured_any && overall.slo.iter().all(|v| v.passed))
}

impl StepResult {
    /// Whether the step meets every objective, with requests measured and (open model)
    /// at most `MAX_DROP_SHARE` of arrivals dropped.
    pub fn passes(&self, model: Model) -> bool {
        let w = &self.window;
        let offered = w.arrivals + w.dropped;
        let drops_ok = model == Model::Closed || offered == 0 || (w.dropped as f64) <= MAX_DROP_SHARE * offered as f64;
        w.requests > 0 && drops_ok && w.slo.iter().all(|v| v.passed)
    }

    /// The step's load as people say it: `1 user`, `16 users`, `200/s`.
    pub fn load_label(&self) -> String {
        self.level().map_or_else(String::new, |l| l.to_string())
    }

    /// The step's load level: its users (closed) or offered rate (open).
    pub fn level(&self) -> Option<Level> {
        match (self.users, self.rate) {
            (Some(u), _) => Some(Model::Closed.level(u as f64)),
            (_, Some(r)) => Some(Model::Open.level(r)),
            _ => None,
        }
    }
}

/// Microsecond latency histogram with 3 significant figures, up to one hour.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("valid histogram bounds")
}

/// Milliseconds at a percentile (0 when empty).
pub fn percentile_ms(h: &Histogram<u64>, percentile: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(percentile / 100.0) as f64 / 1e3
    }
}

/// The histogram's quantiles at (i + 1/2) / k, in milliseconds (empty when it is).
pub fn quantiles_ms(h: &Histogram<u64>, k: usize) -> Vec<f64> {
    if h.is_empty() {
        return Vec::new();
    }
    (0..k)
        .map(|i| h.value_at_quantile((i as f64 + 0.5) / k as f64) as f64 / 1e3)
        .collect()
}

impl LatencySummary {
    pub fn of(h: &Histogram<u64>) -> LatencySummary {
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            mean: h.mean() / 1e3,
            p50: percentile_ms(h, 50.0),
            p90: percentile_ms(h, 90.0),
            p95: percentile_ms(h, 95.0),
            p99: percentile_ms(h, 99.0),
            p99_9: percentile_ms(h, 99.9),
            max: h.max() as f64 / 1e3,
        }
    }
}

pub fn encode_histogram(h: &Histogram<u64>) -> String {
    use base64::Engine;
    let mut bytes = Vec::new();
    V2DeflateSerializer::new()
        .serialize(h, &mut bytes)
        .expect("serialising to memory cannot fail");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn decode_histogram(text: &str) -> Result<Histogram<u64>, String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|e| format!("histogram is not base64 ({e})"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|e| format!("histogram does not decode ({e:?})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_round_trip_exactly() {
        let mut h = new_histogram();
        for v in 1..=10_000u64 {
            h.record(v * 10).unwrap();
        }
        let back = decode_histogram(&encode_histogram(&h)).unwrap();
        assert_eq!(back.len(), h.len());
        assert_eq!(back.value_at_quantile(0.99), h.value_at_quantile(0.99));
        let s = LatencySummary::of(&back);
        assert!((s.p50 - 50.0).abs() / 50.0 < 0.002, "p50 {}", s.p50);
        assert!((s.max - 100.0).abs() / 100.0 < 0.002);
        assert!(decode_histogram("not base64!").is_err());
    }
}
