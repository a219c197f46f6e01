//! Regularising raw samples to a fixed step: sorting, dropping NaN and duplicates,
//! snapping off-grid samples to the nearest step and forward-filling gaps, and saying
//! what was done.

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
         a stray timestamp? Remove it, or fix its unit"
    )]
    StrayTimestamp { from: i64, to: i64 },
}

/// The most points a regular grid may have (35 days of 1 s samples; 47 years of 5 m).
pub const MAX_POINTS: u64 = 5_000_000;

/// Regularises `(timestamp, value)` samples. The step is `step` or, if None, the median
/// gap between distinct timestamps.
pub fn regularise(samples: &[(i64, f64)], step: Option<i64>) -> Result<(Regular, Cleaning), RegularError> {
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
    let start = points[0].0;
    let span = points.last().expect("two points").0.saturating_sub(start);
    // One gap longer than every other together is a stray sample far from the rest.
    let (gap_at, gap) = points
        .windows(2)
        .enumerate()
        .map(|(i, w)| (i, w[1].0.saturating_sub(w[0].0)))
        .max_by_key(|(_, g)| *g)
        .expect("two points");
    if points.len() > 2 && gap > span - gap {
        return Err(RegularError::StrayTimestamp {
            from: points[gap_at].0,
            to: points[gap_at + 1].0,
        });
    }
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
}
