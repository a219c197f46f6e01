//! Two runs of one scenario compared, to tell a regression from noise: steps matched by
//! load level, the whole run and each `journey/step` request; for p50, p95 and p99 the
//! change with a 95% interval from the two latency histograms, and the error rate with a
//! two-proportion z-test. A percentile regressed when its change is past the threshold
//! and the interval lies wholly above zero; the error rate regressed when it rose
//! significantly (z > 1.96) by more than 0.1 points.
//!
//! The interval is the wider of two. A bootstrap done exactly for quantiles: the
//! q-quantile of a resample of n draws is its ceil(q n)-th order statistic, whose
//! quantile level is distributed Beta(k, n + 1 - k) (David and Nagaraja, Order
//! Statistics, 2.2), so each replicate is one Beta draw per run read back through the
//! histogram; it treats requests as independent. And sectioning (batch means over the
//! seconds of the window, Asmussen and Glynn, Stochastic Simulation, III.5): the
//! per-second percentiles' spread, with Student's t, which sees what independence
//! misses: a stall of the machine or the target slows a run of neighbouring requests
//! together. The whole run (whose seconds mix loads) takes the bootstrap widened by the
//! most any step's sectioning widened it, and a request's row (no per-second figures of
//! its own) the whole run's widening.

use crate::plan::Model;
use crate::results::{decode_histogram, RunResult, StepResult, TimelineRow, WindowResult};
use hdrhistogram::Histogram;
use rand::{rngs::StdRng, SeedableRng};
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Percentiles compared.
pub const PERCENTILES: [(&str, f64); 3] = [("p50", 0.50), ("p95", 0.95), ("p99", 0.99)];
/// Bootstrap replicates per percentile.
const REPLICATES: usize = 2000;
/// Two-sided 95%: the z an error-rate rise must exceed.
const Z_95: f64 = 1.96;
/// An error-rate rise smaller than this (a fraction) is not called a regression.
const ERROR_RATE_FLOOR: f64 = 0.001;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub name: String,
    pub base_ms: f64,
    pub new_ms: f64,
    /// new / base - 1, and its 95% interval.
    pub change: f64,
    pub low: f64,
    pub high: f64,
    pub regressed: bool,
    /// How many times wider sectioning made the bootstrap's interval (1: not at all).
    pub widening: f64,
}

impl Change {
    /// The interval widened `factor` times about the change, and the verdict again.
    fn widen(&mut self, factor: f64, threshold: f64) {
        let f = factor.max(1.0);
        self.low = self.change - (self.change - self.low) * f;
        self.high = self.change + (self.high - self.change) * f;
        self.widening = f;
        self.regressed = self.change > threshold && self.low > 0.0;
    }
}

fn per_second(r: &TimelineRow, name: &str) -> f64 {
    match name {
        "p50" => r.p50,
        "p95" => r.p95,
        _ => r.p99,
    }
}

/// The 95% interval of new / base - 1 by sectioning: each run's per-second values give
/// the standard error of its mean's logarithm, sd / (sqrt(k) mean); the two add, with
/// Student's t on the fewer seconds less one degree of freedom. None under two seconds.
fn sectioning(base: &[f64], new: &[f64], change: f64) -> Option<(f64, f64)> {
    let log_se = |v: &[f64]| -> Option<(f64, usize)> {
        let k = v.len();
        let mean = v.iter().sum::<f64>() / k as f64;
        if k < 2 || mean <= 0.0 {
            return None;
        }
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1) as f64;
        Some((var.sqrt() / ((k as f64).sqrt() * mean), k))
    };
    let ((se_b, k_b), (se_n, k_n)) = (log_se(base)?, log_se(new)?);
    let df = (k_b.min(k_n) - 1) as f64;
    let t = StudentsT::new(0.0, 1.0, df).ok()?.inverse_cdf(0.975);
    let half = t * (se_b * se_b + se_n * se_n).sqrt();
    let centre = (1.0 + change).max(1e-9).ln();
    Some(((centre - half).exp() - 1.0, (centre + half).exp() - 1.0))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// `step 3 (200/s)`, `whole run`, `request shop/cart`.
    pub what: String,
    pub base_requests: u64,
    pub new_requests: u64,
    pub base_rps: f64,
    pub new_rps: f64,
    pub percentiles: Vec<Change>,
    pub base_error_rate: f64,
    pub new_error_rate: f64,
    pub error_rate_regressed: bool,
}

/// compare.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub base: String,
    pub new: String,
    pub threshold: f64,
    pub method: String,
    pub rows: Vec<Row>,
    /// Steps of either run with no step at the same load in the other.
    pub unmatched: Vec<String>,
    pub regressed: bool,
    pub verdict: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error("the runs cannot be compared: {0}")]
    Incomparable(String),
    #[error("a histogram does not decode: {0}")]
    Histogram(String),
}

fn level(s: &StepResult) -> Option<f64> {
    s.users.map(f64::from).or(s.rate)
}

/// Compares `new` against `base` (named for the output); `threshold` is a fraction.
pub fn compare(
    base: (&str, &RunResult),
    new: (&str, &RunResult),
    threshold: f64,
    seed: u64,
) -> Result<Comparison, CompareError> {
    let (b, n) = (base.1, new.1);
    if b.scenario != n.scenario {
        return Err(CompareError::Incomparable(format!(
            "scenario `{}` against `{}`; compare runs of one scenario",
            b.scenario, n.scenario
        )));
    }
    if b.model != n.model {
        let name = |m: Model| format!("{m:?}").to_lowercase();
        return Err(CompareError::Incomparable(format!(
            "a {} run against a {} one; compare runs of one model",
            name(b.model),
            name(n.model)
        )));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for s in &b.steps {
        match n.steps.iter().find(|t| level(t) == level(s)) {
            Some(t) => rows.push(row(
                format!("step {} ({})", s.step, s.load_label()),
                (&s.window, &hold_seconds(b, s)),
                (&t.window, &hold_seconds(n, t)),
                threshold,
                &mut rng,
            )?),
            None => unmatched.push(format!("base step {} ({})", s.step, s.load_label())),
        }
    }
    unmatched.extend(
        n.steps
            .iter()
            .filter(|t| !b.steps.iter().any(|s| level(s) == level(t)))
            .map(|t| format!("new step {} ({})", t.step, t.load_label())),
    );
    // The whole run's seconds mix steps of different loads: it takes the widest of its
    // steps' widenings instead (sectioning over every second when no step matched).
    let whole = if rows.is_empty() {
        let answered = |r: &RunResult| -> Vec<TimelineRow> {
            r.whole_seconds().into_iter().filter(|t| t.rps > 0.0).cloned().collect()
        };
        row(
            "whole run".into(),
            (&b.overall, &answered(b)),
            (&n.overall, &answered(n)),
            threshold,
            &mut rng,
        )?
    } else {
        let mut whole = row(
            "whole run".into(),
            (&b.overall, &[]),
            (&n.overall, &[]),
            threshold,
            &mut rng,
        )?;
        for (i, c) in whole.percentiles.iter_mut().enumerate() {
            let widest = rows
                .iter()
                .filter_map(|r| r.percentiles.get(i).map(|p| p.widening))
                .fold(1.0, f64::max);
            c.widen(widest, threshold);
        }
        whole
    };
    let inflation: Vec<f64> = whole.percentiles.iter().map(|c| c.widening).collect();
    rows.push(whole);
    for (name, r) in &b.overall.by_request {
        if let Some(q) = n.overall.by_request.get(name) {
            let window = |requests: u64, errors: u64, histogram: &str, rps: f64| WindowResult {
                requests,
                errors,
                throughput_rps: rps,
                error_rate: if requests > 0 {
                    errors as f64 / requests as f64
                } else {
                    0.0
                },
                histogram: histogram.to_string(),
                ..b.overall.clone()
            };
            let rate = |run: &RunResult, requests: u64| requests as f64 / run.duration_s.max(1e-9);
            let mut request = row(
                format!("request {name}"),
                (&window(r.requests, r.errors, &r.histogram, rate(b, r.requests)), &[]),
                (&window(q.requests, q.errors, &q.histogram, rate(n, q.requests)), &[]),
                threshold,
                &mut rng,
            )?;
            for (c, f) in request.percentiles.iter_mut().zip(&inflation) {
                c.widen(*f, threshold);
            }
            rows.push(request);
        }
    }
    let regressed = rows
        .iter()
        .any(|r| r.error_rate_regressed || r.percentiles.iter().any(|c| c.regressed));
    let verdict = verdict(&rows, threshold, regressed);
    Ok(Comparison {
        base: base.0.to_string(),
        new: new.0.to_string(),
        threshold,
        method: format!(
            "95% intervals: the wider of an exact order-statistic bootstrap of each histogram ({REPLICATES} \
             replicates) and sectioning over the window's seconds (Student's t); a percentile regresses when it worsens by more than {:.0}% with \
             its interval above 0; the error rate when it rises by more than 0.1 points with z above {Z_95}",
            threshold * 100.0
        ),
        rows,
        unmatched,
        regressed,
        verdict,
    })
}

fn verdict(rows: &[Row], threshold: f64, regressed: bool) -> String {
    if !regressed {
        return format!("no regression beyond {:.0}% with 95% confidence", threshold * 100.0);
    }
    let what: Vec<String> = rows
        .iter()
        .flat_map(|r| {
            let percentiles = r
                .percentiles
                .iter()
                .filter(|c| c.regressed)
                .map(move |c| format!("{} {} {:+.1}%", r.what, c.name, c.change * 100.0));
            let errors = r.error_rate_regressed.then(|| {
                format!(
                    "{} error rate {:.2}% -> {:.2}%",
                    r.what,
                    r.base_error_rate * 100.0,
                    r.new_error_rate * 100.0
                )
            });
            percentiles.chain(errors)
        })
        .collect();
    format!("REGRESSION: {}", what.join("; "))
}

/// The whole seconds of a step's hold in which something was answered.
fn hold_seconds(run: &RunResult, s: &StepResult) -> Vec<TimelineRow> {
    run.hold_seconds(s)
        .into_iter()
        .filter(|r| r.rps > 0.0)
        .cloned()
        .collect()
}

/// A window and the timeline seconds it spans (empty when it has none of its own).
type Measured<'a> = (&'a WindowResult, &'a [TimelineRow]);

fn row(
    what: String,
    (b, b_seconds): Measured,
    (n, n_seconds): Measured,
    threshold: f64,
    rng: &mut StdRng,
) -> Result<Row, CompareError> {
    let hb = decode_histogram(&b.histogram).map_err(CompareError::Histogram)?;
    let hn = decode_histogram(&n.histogram).map_err(CompareError::Histogram)?;
    let percentiles = if hb.is_empty() || hn.is_empty() {
        Vec::new()
    } else {
        PERCENTILES
            .iter()
            .map(|&(name, q)| {
                let mut c = percentile_change(name, q, &hb, &hn, threshold, rng);
                let pick = |rows: &[TimelineRow]| -> Vec<f64> { rows.iter().map(|r| per_second(r, name)).collect() };
                if let Some((low, high)) = sectioning(&pick(b_seconds), &pick(n_seconds), c.change) {
                    let before = c.high - c.low;
                    c.low = c.low.min(low);
                    c.high = c.high.max(high);
                    c.widening = if before > 0.0 {
                        ((c.high - c.low) / before).max(1.0)
                    } else {
                        1.0
                    };
                    c.regressed = c.change > threshold && c.low > 0.0;
                }
                c
            })
            .collect()
    };
    Ok(Row {
        what,
        base_requests: b.requests,
        new_requests: n.requests,
        base_rps: b.throughput_rps,
        new_rps: n.throughput_rps,
        percentiles,
        base_error_rate: b.error_rate,
        new_error_rate: n.error_rate,
        error_rate_regressed: error_rate_rose(b.errors, b.requests, n.errors, n.requests),
    })
}

/// The q-quantile (ms) of a resample of the histogram's n values: the k-th order
/// statistic, k = ceil(q n), at quantile level U ~ Beta(k, n + 1 - k).
fn resampled_quantile_ms(h: &Histogram<u64>, q: f64, rng: &mut StdRng) -> f64 {
    let n = h.len() as f64;
    let k = (q * n).ceil().clamp(1.0, n);
    let level = Beta::new(k, n + 1.0 - k).map_or(q, |beta| beta.sample(rng));
    h.value_at_quantile(level) as f64 / 1e3
}

fn percentile_change(
    name: &str,
    q: f64,
    hb: &Histogram<u64>,
    hn: &Histogram<u64>,
    threshold: f64,
    rng: &mut StdRng,
) -> Change {
    let base_ms = hb.value_at_quantile(q) as f64 / 1e3;
    let new_ms = hn.value_at_quantile(q) as f64 / 1e3;
    let mut ratios: Vec<f64> = (0..REPLICATES)
        .map(|_| resampled_quantile_ms(hn, q, rng) / resampled_quantile_ms(hb, q, rng).max(1e-9) - 1.0)
        .collect();
    ratios.sort_by(f64::total_cmp);
    let at = |p: f64| ratios[((p * REPLICATES as f64) as usize).min(REPLICATES - 1)];
    let (low, high) = (at(0.025), at(0.975));
    let change = new_ms / base_ms.max(1e-9) - 1.0;
    Change {
        name: name.to_string(),
        base_ms,
        new_ms,
        change,
        low,
        high,
        regressed: change > threshold && low > 0.0,
        widening: 1.0,
    }
}

/// Whether the error rate rose significantly: a two-proportion z-test with the pooled
/// rate, and a rise of more than 0.1 points.
pub fn error_rate_rose(base_errors: u64, base_requests: u64, new_errors: u64, new_requests: u64) -> bool {
    if base_requests == 0 || new_requests == 0 {
        return false;
    }
    let (n1, n2) = (base_requests as f64, new_requests as f64);
    let (p1, p2) = (base_errors as f64 / n1, new_errors as f64 / n2);
    let pooled = (base_errors + new_errors) as f64 / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    p2 - p1 > ERROR_RATE_FLOOR && se > 0.0 && (p2 - p1) / se > Z_95
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::new_histogram;

    /// A histogram of n exponential latencies with mean `mean_ms`, by their quantiles.
    fn exponential(n: u64, mean_ms: f64) -> Histogram<u64> {
        let mut h = new_histogram();
        for i in 0..n {
            let u = (i as f64 + 0.5) / n as f64;
            h.record((-(1.0 - u).ln() * mean_ms * 1e3) as u64 + 1).unwrap();
        }
        h
    }

    #[test]
    fn the_interval_covers_the_sampling_error_of_a_percentile() {
        // The p99 of n = 10,000 exponential draws has a standard error of
        // sqrt(q (1 - q) / n) / f(x_q) = sqrt(0.0099 / 10^4) / (0.01 / mean) = 0.0995 mean
        // (the asymptotic variance of a sample quantile), 2.16% of p99 = 4.605 mean; the
        // ratio of two has about sqrt(2) x that, so a 95% interval of +-6.0%.
        let mut rng = StdRng::seed_from_u64(7);
        let h = exponential(10_000, 10.0);
        let c = percentile_change("p99", 0.99, &h, &h, 0.10, &mut rng);
        let half_width = (c.high - c.low) / 2.0;
        let truth = 1.96 * 2f64.sqrt() * (0.0099f64 / 1e4).sqrt() / 0.01 / 100f64.ln();
        assert!((half_width - truth).abs() < 0.25 * truth, "{half_width} vs {truth}");
        assert!(!c.regressed && c.change.abs() < 1e-9);
        // 15% slower everywhere: past a 10% threshold with the interval above 0.
        let slow = exponential(10_000, 11.5);
        let c = percentile_change("p99", 0.99, &h, &slow, 0.10, &mut rng);
        assert!(c.regressed && c.low > 0.0, "{c:?}");
        // 3% slower: real, but under the threshold.
        let c = percentile_change("p99", 0.99, &h, &exponential(10_000, 10.3), 0.10, &mut rng);
        assert!(!c.regressed, "{c:?}");
    }

    #[test]
    fn sectioning_follows_the_spread_of_the_seconds() {
        // Base seconds 10, 12, 10, 12 (mean 11, sd 1.155): se of the log mean
        // 1.155 / (2 x 11) = 0.0525; the same for new at 22, 24, 22, 24 (sd / (2 x 23)
        // = 0.0251). t(0.975, 3) = 3.182: half-width 3.182 x 0.0582 = 0.185 about ln 2.
        let (low, high) = sectioning(&[10.0, 12.0, 10.0, 12.0], &[22.0, 24.0, 22.0, 24.0], 1.0).unwrap();
        let half = 3.182_446 * (0.052_486f64.powi(2) + 0.025_101f64.powi(2)).sqrt();
        assert!((low - (2f64.ln() - half).exp() + 1.0).abs() < 1e-3, "{low}");
        assert!((high - (2f64.ln() + half).exp() + 1.0).abs() < 1e-3, "{high}");
        assert!(sectioning(&[10.0], &[20.0, 21.0], 1.0).is_none());
    }

    #[test]
    fn error_rates_rise_only_significantly() {
        // 1.0% -> 1.5% on 10,000 each: z = 0.005 / sqrt(0.0125 x 0.9875 x 2e-4) = 3.2.
        assert!(error_rate_rose(100, 10_000, 150, 10_000));
        // 1.0% -> 1.2% on 1,000 each: z = 0.43.
        assert!(!error_rate_rose(10, 1_000, 12, 1_000));
        assert!(!error_rate_rose(0, 10, 0, 10));
    }
}
