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
}

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
    let count = ((points.last().expect("two points").0 - start) as f64 / step as f64).round() as usize + 1;
    let mut values: Vec<Option<f64>> = vec![None; count];
    for (t, v) in &points {
        let index = (((t - start) as f64) / step as f64).round() as usize;
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
    fn rejects_series_without_values() {
        assert_eq!(
            regularise(&[(0, f64::NAN), (5, f64::NAN)], None),
            Err(RegularError::NoValues(2))
        );
        assert_eq!(regularise(&[(0, 1.0)], None), Err(RegularError::TooFew(1)));
    }
}
