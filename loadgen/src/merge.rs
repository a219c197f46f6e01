//! Merging the run.json files of a sharded test into one: counts add, latency comes from
//! the merged histograms (so percentiles are exact at the histogram's resolution, not
//! averages of percentiles), and a missing, failed or mismatched shard is refused unless
//! partial results are allowed, in which case the gap is recorded.

use crate::results::*;
use crate::slo::{share, Slo, Window};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("no run.json files to merge")]
    Nothing,
    #[error("{0}: not a shard (run it with --shard I/N)")]
    NotSharded(String),
    #[error("{file}: {what} differs from {first}'s ({found} against {expected}); shards of one test share scenario, model, plan and schedule")]
    Mismatch {
        file: String,
        first: String,
        what: String,
        found: String,
        expected: String,
    },
    #[error("{0} and {1} are both shard {2}")]
    Duplicate(String, String, String),
    #[error("{0}; merge what there is with --allow-partial")]
    Incomplete(String),
    #[error("{0}: {1}")]
    Histogram(String, String),
}

/// A scheduled start as the user gave it: Unix seconds to the millisecond, or none.
fn schedule(start: Option<f64>) -> String {
    start.map_or("no --start-at".into(), |s| format!("{s:.3} (Unix seconds)"))
}

/// Merges `runs` (each with the file it came from). With `allow_partial`, missing and
/// failed shards are left out and named in `merged.missing`.
pub fn merge(runs: Vec<(String, RunResult)>, allow_partial: bool) -> Result<RunResult, MergeError> {
    let (first_file, first) = runs.first().ok_or(MergeError::Nothing)?;
    let count = first
        .shard
        .ok_or_else(|| MergeError::NotSharded(first_file.clone()))?
        .count;
    let mut by_index: BTreeMap<u32, (&String, &RunResult)> = BTreeMap::new();
    for (file, run) in &runs {
        let shard = run.shard.ok_or_else(|| MergeError::NotSharded(file.clone()))?;
        let checks = [
            ("the shard count", shard.count.to_string(), count.to_string()),
            ("the scenario", run.scenario.clone(), first.scenario.clone()),
            ("the plan", run.plan_signature.clone(), first.plan_signature.clone()),
            (
                "the schedule (--start-at)",
                schedule(run.scheduled_start),
                schedule(first.scheduled_start),
            ),
        ];
        for (what, found, expected) in checks {
            if found != expected {
                return Err(MergeError::Mismatch {
                    file: file.clone(),
                    first: first_file.clone(),
                    what: what.into(),
                    found,
                    expected,
                });
            }
        }
        if let Some((other, _)) = by_index.insert(shard.index, (file, run)) {
            return Err(MergeError::Duplicate(
                other.clone(),
                file.clone(),
                format!("{}/{count}", shard.index),
            ));
        }
    }
    let mut problems = Vec::new();
    let mut missing = Vec::new();
    for index in 0..count {
        match by_index.get(&index) {
            None => problems.push(format!("shard {index}/{count} is missing (no run.json)")),
            Some((file, run)) if run.status != RunStatus::Completed => {
                problems.push(format!("shard {index}/{count} ({file}) ended {:?}", run.status).to_lowercase())
            }
            Some(_) => continue,
        }
        missing.push(index);
    }
    if !problems.is_empty() && !allow_partial {
        return Err(MergeError::Incomplete(problems.join("; ")));
    }
    let included: Vec<(&String, &RunResult)> = by_index
        .iter()
        .filter(|(i, _)| !missing.contains(i))
        .map(|(_, v)| *v)
        .collect();
    if included.is_empty() {
        return Err(MergeError::Incomplete(problems.join("; ")));
    }
    combine(&included, count, missing, problems)
}

fn combine(
    runs: &[(&String, &RunResult)],
    count: u32,
    missing: Vec<u32>,
    notes: Vec<String>,
) -> Result<RunResult, MergeError> {
    let first = runs[0].1;
    let steps = (0..first.steps.len())
        .map(|k| {
            let parts: Vec<&StepResult> = runs.iter().filter_map(|(_, r)| r.steps.get(k)).collect();
            let windows: Vec<(&String, &WindowResult)> =
                runs.iter().zip(&parts).map(|((f, _), s)| (*f, &s.window)).collect();
            Ok(StepResult {
                step: parts[0].step,
                users: parts.iter().map(|s| s.users).sum(),
                rate: parts.iter().map(|s| s.rate).sum(),
                start_s: parts[0].start_s,
                ramp_s: parts[0].ramp_s,
                duration_s: parts.iter().map(|s| s.duration_s).fold(f64::INFINITY, f64::min),
                steady_state: parts
                    .iter()
                    .map(|s| s.steady_state)
                    .collect::<Option<Vec<bool>>>()
                    .map(|all| all.iter().all(|&steady| steady)),
                notes: shard_notes(runs, k),
                window: merge_windows(&windows, &first.slo)?,
            })
        })
        .collect::<Result<Vec<_>, MergeError>>()?;
    let overall: Vec<(&String, &WindowResult)> = runs.iter().map(|(f, r)| (*f, &r.overall)).collect();
    let overall = merge_windows(&overall, &first.slo)?;
    let targets: Vec<&str> = runs.iter().map(|(_, r)| r.target.as_str()).collect();
    Ok(RunResult {
        schema_version: SCHEMA_VERSION,
        scenario: first.scenario.clone(),
        target: if targets.iter().all(|t| *t == targets[0]) {
            targets[0].to_string()
        } else {
            targets.join(", ")
        },
        started_at: runs.iter().map(|(_, r)| r.started_at.clone()).min().unwrap_or_default(),
        ended_at: runs.iter().map(|(_, r)| r.ended_at.clone()).max().unwrap_or_default(),
        duration_s: runs.iter().map(|(_, r)| r.duration_s).fold(0.0, f64::max),
        model: first.model,
        pool_users: runs.iter().map(|(_, r)| r.pool_users).sum(),
        pool_max: runs.iter().map(|(_, r)| r.pool_max).sum(),
        arrivals: first.arrivals,
        // Each shard drew its own stream.
        seed: None,
        status: if missing.is_empty() {
            RunStatus::Completed
        } else {
            RunStatus::Interrupted
        },
        end_reason: (!missing.is_empty()).then(|| format!("partial merge: shards {missing:?} of {count} missing")),
        slo: first.slo.clone(),
        slo_passed: crate::results::slo_passed(&overall, &steps),
        steps,
        overall,
        timeline: merge_timelines(runs),
        shard: None,
        scheduled_start: first.scheduled_start,
        plan_signature: first.plan_signature.clone(),
        notes: runs.iter().flat_map(|(_, r)| r.notes.clone()).collect(),
        merged: Some(Merged {
            shards: count,
            merged: runs.iter().filter_map(|(_, r)| r.shard.map(|s| s.index)).collect(),
            missing,
            notes,
        }),
        search: None,
    })
}

/// Each shard's notes on step `k`, named by shard.
fn shard_notes(runs: &[(&String, &RunResult)], k: usize) -> Vec<String> {
    runs.iter()
        .filter_map(|(_, r)| Some((r.shard?, r.steps.get(k)?)))
        .flat_map(|(shard, step)| step.notes.iter().map(move |n| format!("shard {}: {n}", shard.index)))
        .collect()
}

/// Sums of counts; latency from the added histograms. Throughputs add (shards run side
/// by side; a caller joining windows one after another sets its own).
pub(crate) fn merge_windows(parts: &[(&String, &WindowResult)], slo: &Slo) -> Result<WindowResult, MergeError> {
    let sum = |f: fn(&WindowResult) -> u64| parts.iter().map(|(_, w)| f(w)).sum::<u64>();
    let latency = add_histograms(parts.iter().map(|(file, w)| (*file, w.histogram.as_str())))?;
    let uncorrected = parts
        .iter()
        .map(|(file, w)| w.histogram_uncorrected.as_deref().map(|h| (*file, h)))
        .collect::<Option<Vec<_>>>()
        .map(|hs| add_histograms(hs.into_iter()))
        .transpose()?;
    let mut errors_by_kind: BTreeMap<String, u64> = BTreeMap::new();
    let mut requests: BTreeMap<String, Vec<(&String, &RequestResult)>> = BTreeMap::new();
    for (file, w) in parts {
        for (kind, n) in &w.errors_by_kind {
            *errors_by_kind.entry(kind.clone()).or_insert(0) += n;
        }
        for (name, r) in &w.by_request {
            requests.entry(name.clone()).or_default().push((file, r));
        }
    }
    let by_request = requests
        .into_iter()
        .map(|(name, rs)| {
            let h = add_histograms(rs.iter().map(|(f, r)| (*f, r.histogram.as_str())))?;
            let result = RequestResult {
                requests: rs.iter().map(|(_, r)| r.requests).sum(),
                errors: rs.iter().map(|(_, r)| r.errors).sum(),
                latency_ms: LatencySummary::of(&h),
                histogram: encode_histogram(&h),
            };
            Ok((name, result))
        })
        .collect::<Result<BTreeMap<_, _>, MergeError>>()?;
    let (requests, errors, dropped) = (sum(|w| w.requests), sum(|w| w.errors), sum(|w| w.dropped));
    let arrivals = sum(|w| w.arrivals);
    let judged = Judged {
        latency: &latency,
        errors,
        // Results written before arrivals were kept: one request stands for each served
        // arrival (exact for single-request journeys).
        arrivals: if arrivals > 0 { arrivals } else { requests + dropped },
        requests,
        dropped,
    };
    Ok(WindowResult {
        requests,
        throughput_rps: parts.iter().map(|(_, w)| w.throughput_rps).sum(),
        arrivals,
        dropped,
        late_arrivals: sum(|w| w.late_arrivals),
        pool: parts.iter().map(|(_, w)| w.pool).sum(),
        errors,
        error_rate: judged.error_rate(),
        errors_by_kind,
        latency_ms: LatencySummary::of(&latency),
        latency_uncorrected_ms: uncorrected.as_ref().map(LatencySummary::of),
        by_request,
        slo: slo.judge(&judged),
        histogram: encode_histogram(&latency),
        histogram_uncorrected: uncorrected.as_ref().map(encode_histogram),
    })
}

fn add_histograms<'a>(parts: impl Iterator<Item = (&'a String, &'a str)>) -> Result<Histogram<u64>, MergeError> {
    let mut total = new_histogram();
    for (file, text) in parts {
        let h = decode_histogram(text).map_err(|m| MergeError::Histogram(file.clone(), m))?;
        total
            .add(&h)
            .map_err(|e| MergeError::Histogram(file.clone(), format!("{e:?}")))?;
    }
    Ok(total)
}

/// Per second: counts add; the percentiles are the highest shard's (per-second
/// histograms are not kept, so these are an upper bound, not exact).
fn merge_timelines(runs: &[(&String, &RunResult)]) -> Vec<TimelineRow> {
    let mut rows: BTreeMap<u64, TimelineRow> = BTreeMap::new();
    for (_, run) in runs {
        for r in &run.timeline {
            let row = rows.entry(r.t).or_insert(TimelineRow {
                t: r.t,
                step: r.step,
                rps: 0.0,
                errors: 0,
                dropped: 0,
                p50: 0.0,
                p95: 0.0,
                p99: 0.0,
                users: None,
            });
            row.rps += r.rps;
            row.errors += r.errors;
            row.dropped += r.dropped;
            row.p50 = row.p50.max(r.p50);
            row.p95 = row.p95.max(r.p95);
            row.p99 = row.p99.max(r.p99);
            row.users = match (row.users, r.users) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
        }
    }
    rows.into_values().collect()
}

/// A merged window, as the SLO judges it.
struct Judged<'a> {
    latency: &'a Histogram<u64>,
    errors: u64,
    arrivals: u64,
    requests: u64,
    dropped: u64,
}

impl Window for Judged<'_> {
    fn percentile_ms(&self, percentile: f64) -> f64 {
        percentile_ms(self.latency, percentile)
    }
    fn error_rate(&self) -> f64 {
        share(self.errors, self.requests)
    }
    fn drop_rate(&self) -> f64 {
        share(self.dropped, self.arrivals)
    }
}
