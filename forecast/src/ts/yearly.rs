//! The yearly season: a 365.25-day cycle as Fourier terms (Harvey & Shephard 1993;
//! Prophet's yearly seasonality, Taylor & Letham 2018), fitted on daily means (hourly
//! data aggregated to days) together with a line, by Huber's robust regression (iterated
//! reweighted least squares), so that a one-off event in last year's history is weighed
//! down instead of copied into next year. Owns the component only: the methods that
//! forecast what is left are in `models`.

use nalgebra::{DMatrix, DVector};
use std::f64::consts::TAU;

/// Days in a year, and the harmonics of its season: 6 keeps the shape smooth over
/// two months and longer (the shortest wave is 61 days), so a week's event cannot be
/// drawn by it.
pub const YEAR_DAYS: f64 = 365.25;
const HARMONICS: usize = 6;
/// Huber's tuning constant (95% efficiency under normal errors) and the reweighting passes.
const HUBER_K: f64 = 1.345;
const PASSES: usize = 8;

/// Steps a history needs before the yearly season is a candidate: two years.
pub fn needs(day: usize) -> usize {
    2 * 365 * day.max(1)
}

/// The fitted yearly component, evaluated at any step from the start of the series.
#[derive(Debug, Clone, PartialEq)]
pub struct Yearly {
    /// Steps per day.
    day: usize,
    /// cos and sin coefficients of harmonics 1..=HARMONICS.
    coefficients: Vec<(f64, f64)>,
}

impl Yearly {
    /// Fits the component to `y` (steps of 1/`day` day from index 0); None with under a
    /// year of whole days.
    pub fn fit(y: &[f64], day: usize) -> Option<Yearly> {
        let day = day.max(1);
        let z: Vec<f64> = y
            .chunks_exact(day)
            .map(|c| c.iter().sum::<f64>() / day as f64)
            .collect();
        if (z.len() as f64) < YEAR_DAYS || z.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let columns = 2 + 2 * HARMONICS;
        let x = DMatrix::from_fn(z.len(), columns, |d, c| regressor(d as f64, c));
        let beta = huber(&x, &DVector::from_vec(z))?;
        Some(Yearly {
            day,
            coefficients: (0..HARMONICS).map(|k| (beta[2 + 2 * k], beta[3 + 2 * k])).collect(),
        })
    }

    /// The component at step `t` (the middle of its day's share: day t / day).
    pub fn at(&self, t: usize) -> f64 {
        let d = (t as f64 + 0.5) / self.day as f64 - 0.5;
        self.coefficients
            .iter()
            .enumerate()
            .map(|(k, (a, b))| {
                let w = TAU * (k + 1) as f64 * d / YEAR_DAYS;
                a * w.cos() + b * w.sin()
            })
            .sum()
    }
}

/// Column `c` of the design at day `d`: 1, d, then cos and sin of each harmonic.
fn regressor(d: f64, c: usize) -> f64 {
    match c {
        0 => 1.0,
        1 => d / YEAR_DAYS,
        _ => {
            let k = ((c - 2) / 2 + 1) as f64;
            let w = TAU * k * d / YEAR_DAYS;
            if c % 2 == 0 {
                w.cos()
            } else {
                w.sin()
            }
        }
    }
}

/// Huber M-estimate by iterated reweighted least squares: weights min(1, k s / |r|),
/// with s the residuals' median absolute deviation / 0.6745.
fn huber(x: &DMatrix<f64>, z: &DVector<f64>) -> Option<DVector<f64>> {
    let mut w = DVector::from_element(z.len(), 1.0);
    let mut beta = DVector::zeros(x.ncols());
    for _ in 0..PASSES {
        let root: DVector<f64> = w.map(f64::sqrt);
        let xw = DMatrix::from_fn(x.nrows(), x.ncols(), |i, j| x[(i, j)] * root[i]);
        let zw = z.component_mul(&root);
        beta = xw.svd(true, true).solve(&zw, 1e-12).ok()?;
        let r = z - x * &beta;
        let abs: Vec<f64> = r.iter().map(|v| v.abs()).collect();
        let s = crate::stats::median(&abs) / 0.6745;
        if s <= 0.0 || !s.is_finite() {
            break;
        }
        w = r.map(|v| (HUBER_K * s / v.abs().max(f64::MIN_POSITIVE)).min(1.0));
    }
    Some(beta)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pure yearly wave with a line is recovered, and a one-off week of ten times the
    /// level in the first year moves the component there by a small share of it.
    #[test]
    fn recovers_a_yearly_wave_and_resists_an_event() {
        let truth = |d: f64| 50.0 * (TAU * d / YEAR_DAYS).sin() + 20.0 * (2.0 * TAU * d / YEAR_DAYS).cos();
        let y: Vec<f64> = (0..800).map(|d| 1000.0 + 0.5 * d as f64 + truth(d as f64)).collect();
        let fit = Yearly::fit(&y, 1).unwrap();
        for t in (0..900).step_by(37) {
            assert!(
                (fit.at(t) - truth(t as f64)).abs() < 1e-6,
                "day {t}: {} vs {}",
                fit.at(t),
                truth(t as f64)
            );
        }
        let mut event = y.clone();
        event[100..107].iter_mut().for_each(|v| *v *= 10.0);
        let fit = Yearly::fit(&event, 1).unwrap();
        let moved = (100..107)
            .map(|t| (fit.at(t + 365) - truth((t + 365) as f64)).abs())
            .fold(0.0, f64::max);
        assert!(
            moved < 0.01 * 9000.0,
            "a week of +9000 moved next year's component by {moved}"
        );
        assert!(Yearly::fit(&y[..300], 1).is_none());
    }
}
