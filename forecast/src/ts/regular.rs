//! Regularising raw samples to a fixed step: sorting, dropping NaN and duplicates,
//! snapping off-grid samples to the nearest step and forward-filling gaps, and saying
//! what was done; optionally a stray timestamp dropped instead of refused, and samples
//! aggregated (summed, averaged or maxed) onto a coarser step first.

use serde::{Deserialize, Serialize};

/// A series on a regular grid: `values[i]` is at `start + i * step` (Unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Regular {
    pub start: i64,
    pub step: i64,
    pub values: Vec<f64>,
}

impl Regular {
    pub fn timestamp(&self, index: usize) -> i64 {
        self.start + index as i64 * self.step
    }

    pub fn end(&self) -> i64 {
        self.timestamp(self.values.len().saturating_sub(1))
    }
}

/// What regularising changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cleaning {
    pub step_s: i64,
    pub input_samples: usize,
    pub dropped_nan: usize,
    pub dropped_duplicates: usize,
    /// Grid points with no sample, filled with the last value before them.
    pub filled: usize,
    /// Samples far from the rest dropped (`--drop-outliers`).
    #[serde(default)]
    pub dropped_stray: usize,
    /// How the samples were aggregated onto the step, when they were.
    #[serde(default)]
    pub aggregated: Option<Aggregation>,
}

/// How the samples within one step of a coarser grid combine: counts are summed,
/// utilisation averaged or maxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Aggregate {
    Sum,
    Mean,
    Max,
}

impl Aggregate {
    pub fn parse(text: &str) -> Result<Aggregate, String> {
        match text.trim().to_lowercase().as_str() {
            "sum" => Ok(Aggregate::Sum),
            "mean" => Ok(Aggregate::Mean),
            "max" => Ok(Aggregate::Max),
            _ => Err(format!("found `{text}`; expected sum, mean or max")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Aggregate::Sum => "sum",
            Aggregate::Mean => "mean",
            Aggregate::Max => "max",
        }
    }
}

/// What aggregating did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregation {
    pub how: Aggregate,
    /// The samples' own step (their median gap) and the step aggregated to.
    pub from_step_s: i64,
    pub to_step_s: i64,
    /// Partial first and last steps left out (a sum over part of a step reads low).
    pub dropped_partial_edges: usize,
    /// Steps inside the series with fewer samples than the others.
    pub short_steps: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RegularError {
    #[error("no numeric values (all {0} samples are NaN or missing)")]
    NoValues(usize),
    #[error("found {0} distinct timestamps; expected at least 2 to infer a step")]
    TooFew(usize),
    #[error("found step {0} s; expected a step above 0")]
    BadStep(i64),
    #[error(
        "found {points} points from a span of {span_s} s at a step of {step_s} s; expected at most {MAX_POINTS} \
         (check the timestamps, or resample to a coarser step)"
    )]
    TooLong { points: u64, span_s: i64, step_s: i64 },
    #[error(
        "found a gap from {from} to {to} (Unix seconds) longer than the rest of the series together: \
         a stray timestamp? Remove it, fix its unit, or give --drop-outliers to drop it"
    )]
    StrayTimestamp { from: i64, to: i64 },
    #[error("--step {to_s} s is not coarser than the samples' own step of {from_s} s: nothing to aggregate")]
    NotCoarser { from_s: i64, to_s: i64 },
}

/// The most points a regular grid may have (35 days of 1 s samples; 47 years of 5 m).
pub const MAX_POINTS: u64 = 5_000_000;

/// Regularises `(timestamp, value)` samples. The step is `step` or, if None, the median
/// gap between distinct timestamps.
pub fn regularise(samples: &[(i64, f64)], step: Option<i64>) -> Result<(Regular, Cleaning), RegularError> {
    regularise_with(samples, step, false)
}

/// `regularise`, aggregating the samples onto `step` first.
pub fn aggregate_onto(
    samples: &[(i64, f64)],
    step: i64,
    how: Aggregate,
    drop_outliers: bool,
) -> Result<(Regular, Cleaning), RegularError> {
    if step <= 0 {
        return Err(RegularError::BadStep(step));
    }
    let mut points: Vec<(i64, f64)> = samples.iter().copied().filter(|(_, v)| v.is_finite()).collect();
    if points.is_empty() {
        return Err(RegularError::NoValues(samples.len()));
    }
    points.sort_by_key(|(t, _)| *t);
    points.reverse();
    points.dedup_by_key(|(t, _)| *t);
    points.reverse();
    if points.len() < 2 {
        return Err(RegularError::TooFew(points.len()));
    }
    let from_step = median_gap(&points);
    if from_step >= step {
        return Err(RegularError::NotCoarser {
            from_s: from_step,
            to_s: step,
        });
    }
    // Samples by the step they fall in: (start, sum, max, count).
    let mut bins: Vec<(i64, f64, f64, usize)> = Vec::new();
    for (t, v) in points {
        let at = t.div_euclid(step) * step;
        match bins.last_mut() {
            Some(b) if b.0 == at => {
                b.1 += v;
                b.2 = b.2.max(v);
                b.3 += 1;
            }
            _ => bins.push((at, v, v, 1)),
        }
    }
    let full = ((step / from_step.max(1)) as usize).max(1);
    let mut dropped_partial_edges = 0;
    while bins.len() > 2 && bins.last().is_some_and(|b| b.3 < full) {
        bins.pop();
        dropped_partial_edges += 1;
    }
    if bins.len() > 2 && bins[0].3 < full {
        bins.remove(0);
        dropped_partial_edges += 1;
    }
    let short_steps = bins.iter().filter(|b| b.3 < full).count();
    let combined: Vec<(i64, f64)> = bins
        .iter()
        .map(|&(at, sum, max, n)| {
            let v = match how {
                Aggregate::Sum => sum,
                Aggregate::Mean => sum / n as f64,
                Aggregate::Max => max,
            };
            (at, v)
        })
        .collect();
    let (regular, mut cleaning) = regularise_with(&combined, Some(step), drop_outliers)?;
    cleaning.input_samples = samples.len();
    cleaning.dropped_nan = samples.iter().filter(|(_, v)| !v.is_finite()).count();
    cleaning.aggregated = Some(Aggregation {
        how,
        from_step_s: from_step,
        to_step_s: step,
        dropped_partial_edges,
        short_steps,
    });
    Ok((regular, cleaning))
}

/// `regularise`; with `drop_outliers` a stray sample far from the rest (across a gap
/// longer than the rest of the series) is dropped and counted instead of refused.
pub fn regularise_with(
    samples: &[(i64, f64)],
    step: Option<i64>,
    drop_outliers: bool,
) -> Result<(Regular, Cleaning), RegularError> {
    let mut cleaning = Cleaning {
        input_samples: samples.len(),
        ..Cleaning::default()
    };
    // The step comes from every timestamp, NaN rows included: they still mark the grid.
    let mut stamps: Vec<(i64, f64)> = samples.iter().map(|(t, _)| (*t, 0.0)).collect();
    stamps.sort_by_key(|(t, _)| *t);
    stamps.dedup_by_key(|(t, _)| *t);
    let mut points: Vec<(i64, f64)> = samples.iter().copied().filter(|(_, v)| v.is_finite()).collect();
    cleaning.dropped_nan = samples.len() - points.len();
    if points.is_empty() {
        return Err(RegularError::NoValues(samples.len()));
    }
    points.sort_by_key(|(t, _)| *t);
    let before = points.len();
    // Of samples at one timestamp, the last one read wins.
    points.reverse();
    points.dedup_by_key(|(t, _)| *t);
    points.reverse();
    cleaning.dropped_duplicates = before - points.len();
    if points.len() < 2 {
        return Err(RegularError::TooFew(points.len()));
    }
    let step = match step {
        Some(s) => s,
        None => median_gap(&stamps),
    };
    if step <= 0 {
        return Err(RegularError::BadStep(step));
    }
    // One gap longer than every other together is a stray sample far from the rest:
    // refused, or with `drop_outliers` the smaller side of it dropped (and again).
    while let Some(gap_at) = stray_gap(&points) {
        if !drop_outliers {
            return Err(RegularError::StrayTimestamp {
                from: points[gap_at].0,
                to: points[gap_at + 1].0,
            });
        }
        let before = points.len();
        if gap_at < points.len() / 2 {
            points.drain(..=gap_at);
        } else {
            points.truncate(gap_at + 1);
        }
        cleaning.dropped_stray += before - points.len();
    }
    let start = points[0].0;
    let span = points.last().expect("two points").0.saturating_sub(start);
    let count = (span as f64 / step as f64).round() as u64 + 1;
    if count > MAX_POINTS {
        return Err(RegularError::TooLong {
            points: count,
            span_s: span,
            step_s: step,
        });
    }
    let count = count as usize;
    let mut values: Vec<Option<f64>> = vec![None; count];
    for (t, v) in &points {
        let index = ((((t - start) as f64) / step as f64).round() as usize).min(count - 1);
        if values[index].is_some() {
            cleaning.dropped_duplicates += 1;
        }
        values[index] = Some(*v);
    }
    let mut last = values[0].expect("the first sample sits on the grid");
    let filled: Vec<f64> = values
        .iter()
        .map(|v| match v {
            Some(v) => {
                last = *v;
                *v
            }
            None => {
                cleaning.filled += 1;
                last
            }
        })
        .collect();
    cleaning.step_s = step;
    Ok((
        Regular {
            start,
            step,
            values: filled,
        },
        cleaning,
    ))
}

/// Where a gap longer than the rest of the series together starts, if there is one.
fn stray_gap(points: &[(i64, f64)]) -> Option<usize> {
    if points.len() <= 2 {
        return None;
    }
    let span = points.last()?.0.saturating_sub(points[0].0);
    let (at, gap) = points
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, w[1].0.saturating_sub(w[0].0)))
        .max_by_key(|(_, g)| *g)?;
    (gap > span - gap).then_some(at)
}

fn median_gap(points: &[(i64, f64)]) -> i64 {
    let mut gaps: Vec<i64> = points.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_unstable();
    gaps[gaps.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_gaps_drops_nan_and_duplicates_and_snaps() {
        let samples = [
            (0, 1.0),
            (300, 2.0),
            (300, 2.5),
            (601, f64::NAN),
            (900, 4.0),
            (1497, 5.0),
            (1200, f64::NAN),
        ];
        let (r, c) = regularise(&samples, None).unwrap();
        assert_eq!(r.step, 300);
        assert_eq!(r.values, vec![1.0, 2.5, 2.5, 4.0, 4.0, 5.0]);
        assert_eq!((c.dropped_nan, c.dropped_duplicates, c.filled), (2, 1, 2));
        assert_eq!(r.end(), 1500);
    }

    #[test]
    fn stray_and_far_timestamps_are_errors_not_grids() {
        // Two weeks of hourly samples and one a year later.
        let mut samples: Vec<(i64, f64)> = (0..336).map(|i| (1_700_000_000 + i * 3600, 1.0)).collect();
        samples.push((1_700_000_000 + 365 * 86_400, 2.0));
        assert!(matches!(
            regularise(&samples, None),
            Err(RegularError::StrayTimestamp { .. })
        ));
        // A grid of 10 million 1 s points.
        let long = [(0, 1.0), (5_000_000, 1.0), (10_000_000, 1.0)];
        assert!(matches!(regularise(&long, Some(1)), Err(RegularError::TooLong { .. })));
    }

    #[test]
    fn rejects_series_without_values() {
        assert_eq!(
            regularise(&[(0, f64::NAN), (5, f64::NAN)], None),
            Err(RegularError::NoValues(2))
        );
        assert_eq!(regularise(&[(0, 1.0)], None), Err(RegularError::TooFew(1)));
    }

    #[test]
    fn five_minute_counts_sum_to_hours_and_partial_edges_go() {
        // 5-minute counts of 1 from 00:10 to 03:55: the first hour holds 10 of its 12
        // samples and is dropped; three whole hours sum to 12 each.
        let samples: Vec<(i64, f64)> = (2..48).map(|i| (1_700_006_400 + i * 300, 1.0)).collect();
        let (r, c) = aggregate_onto(&samples, 3600, Aggregate::Sum, false).unwrap();
        assert_eq!(r.values, vec![12.0, 12.0, 12.0]);
        assert_eq!(r.start, 1_700_006_400 + 3600);
        let a = c.aggregated.unwrap();
        assert_eq!((a.from_step_s, a.dropped_partial_edges, a.short_steps), (300, 1, 0));
        // Utilisation 0..11 within each hour: mean 5.5, max 11.
        let util: Vec<(i64, f64)> = (0..36).map(|i| (1_700_006_400 + i * 300, (i % 12) as f64)).collect();
        let (mean, _) = aggregate_onto(&util, 3600, Aggregate::Mean, false).unwrap();
        let (max, _) = aggregate_onto(&util, 3600, Aggregate::Max, false).unwrap();
        assert_eq!((mean.values, max.values), (vec![5.5; 3], vec![11.0; 3]));
        assert_eq!(
            aggregate_onto(&util, 300, Aggregate::Sum, false).unwrap_err(),
            RegularError::NotCoarser { from_s: 300, to_s: 300 }
        );
    }

    #[test]
    fn a_stray_sample_is_dropped_and_counted_when_asked() {
        let mut samples: Vec<(i64, f64)> = (0..336).map(|i| (1_700_000_000 + i * 3600, 1.0)).collect();
        samples.push((0, 9.0));
        let (r, c) = regularise_with(&samples, None, true).unwrap();
        assert_eq!((r.values.len(), r.start, c.dropped_stray), (336, 1_700_000_000, 1));
    }
}
