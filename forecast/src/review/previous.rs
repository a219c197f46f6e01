//! The previous review's forecast scored against the demand that followed: the mean
//! absolute percentage error of its mean, the share of actuals inside its 80% band, and
//! its peak against the actual peak, over the stretch both cover.

use crate::ts::regular::Regular;
use std::collections::BTreeMap;

/// One step of a forecast path: (Unix seconds, mean, lo80, hi80).
pub type PathStep = (i64, f64, f64, f64);

/// One service's forecast path from the previous review, and the peak it reported.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreviousPath {
    pub steps: Vec<PathStep>,
    pub peak: Option<f64>,
}

/// The previous review's forecasts, by service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Previous {
    pub paths: BTreeMap<String, PreviousPath>,
}

impl Previous {
    pub fn path(&self, service: &str) -> Option<&PreviousPath> {
        self.paths.get(service)
    }
}

/// A previous forecast's accuracy; None where the overlap has nothing to say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub mape: Option<f64>,
    pub coverage80: Option<f64>,
    pub peak_error: Option<f64>,
}

/// `previous` against `actual` at the timestamps both have: MAPE over the actuals that
/// are not 0, coverage over all, and (the reported peak - the actual maximum) / the
/// actual maximum.
pub fn score(previous: &PreviousPath, actual: &Regular) -> Score {
    let value_at = |t: i64| -> Option<f64> {
        let offset = t - actual.start;
        if offset < 0 || offset % actual.step != 0 {
            return None;
        }
        actual
            .values
            .get((offset / actual.step) as usize)
            .copied()
            .filter(|v| v.is_finite())
    };
    let pairs: Vec<(f64, f64, f64, f64)> = previous
        .steps
        .iter()
        .filter_map(|&(t, mean, lo, hi)| Some((value_at(t)?, mean, lo, hi)))
        .collect();
    if pairs.is_empty() {
        return Score {
            mape: None,
            coverage80: None,
            peak_error: None,
        };
    }
    let percentage: Vec<f64> = pairs
        .iter()
        .filter(|(a, ..)| *a != 0.0)
        .map(|(a, m, ..)| ((a - m) / a).abs())
        .collect();
    let inside = pairs.iter().filter(|(a, _, lo, hi)| lo <= a && a <= hi).count();
    let actual_peak = pairs.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    Score {
        mape: (!percentage.is_empty()).then(|| percentage.iter().sum::<f64>() / percentage.len() as f64),
        coverage80: Some(inside as f64 / pairs.len() as f64),
        peak_error: previous
            .peak
            .filter(|_| actual_peak > 0.0)
            .map(|p| (p - actual_peak) / actual_peak),
    }
}
