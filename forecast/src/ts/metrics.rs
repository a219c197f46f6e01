//! Forecast accuracy: MASE against the in-sample seasonal naive forecast (Hyndman &
//! Koehler 2006), sMAPE, and the relative error of a peak.

/// Mean absolute error of `forecast` scaled by the in-sample mean absolute seasonal
/// difference with season `m`. None when the scale is 0 or there is no history for it.
pub fn mase(actual: &[f64], forecast: &[f64], insample: &[f64], m: usize) -> Option<f64> {
    if insample.len() <= m || actual.is_empty() {
        return None;
    }
    let scale = (m..insample.len())
        .map(|t| (insample[t] - insample[t - m]).abs())
        .sum::<f64>()
        / (insample.len() - m) as f64;
    (scale > 0.0).then(|| mae(actual, forecast) / scale)
}

pub fn mae(actual: &[f64], forecast: &[f64]) -> f64 {
    actual.iter().zip(forecast).map(|(a, f)| (a - f).abs()).sum::<f64>() / actual.len().max(1) as f64
}

/// Symmetric MAPE as a fraction: mean of 2 |F - A| / (|A| + |F|), terms with A = F = 0 as 0.
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    let terms = actual.iter().zip(forecast).map(|(a, f)| {
        let d = a.abs() + f.abs();
        if d == 0.0 {
            0.0
        } else {
            2.0 * (f - a).abs() / d
        }
    });
    terms.sum::<f64>() / actual.len().max(1) as f64
}

/// (predicted peak - actual peak) / actual peak.
pub fn peak_error(predicted_peak: f64, actual: &[f64]) -> f64 {
    let peak = actual.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (predicted_peak - peak) / peak
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let insample = [1.0, 2.0, 3.0, 4.0, 5.0];
        // Seasonal (m = 1) differences are all 1, so MASE equals MAE.
        assert_eq!(mase(&[6.0, 7.0], &[6.5, 6.0], &insample, 1), Some(0.75));
        assert!((smape(&[100.0], &[110.0]) - 20.0 / 210.0).abs() < 1e-12);
        assert!((peak_error(9.0, &[1.0, 10.0, 3.0]) + 0.1).abs() < 1e-12);
        assert_eq!(mase(&[1.0], &[1.0], &[2.0, 2.0, 2.0], 1), None);
    }
}
