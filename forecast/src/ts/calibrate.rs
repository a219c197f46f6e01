//! Interval calibration on backtests as long as the forecast (split conformal
//! prediction over rolling origins, Vovk et al. 2005; Stankeviciute et al. 2021 for
//! multi-step horizons). The chosen method is refitted at up to `FOLDS` origins spread
//! evenly over the last third of the history (each fold's model sees at least two thirds
//! of what the final fit sees, so it is nearly the same model; further back when the
//! third would not hold four origins), each forecasting as many steps as asked;
//! its errors, standardised by the method's own sigma at the same step ahead, are pooled
//! per quarter of the lead time with equal weights (the folds are taken as
//! exchangeable), and each quarter's 80% and 95% quantiles multiply sigma there. (The
//! median over folds of each fold's own quantiles, robust to one window with an
//! incident, under-covered the quarter-ahead bike series, 70.6% for 80%, where the
//! windows differ with the season; BENCHMARKS.md has both.) Does not choose the method (`select`) or simulate peaks
//! (`capacity`).

use super::models::Fitted;
use super::select::Choice;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// Most rolling origins the calibration refits at.
pub const FOLDS: usize = 12;
/// Stretches of lead time with their own multipliers.
const LEAD_STRETCHES: usize = 4;
/// Fewest standardised errors a stretch's quantiles may come from.
const MIN_POINTS: usize = 20;

/// How the intervals were sized: the multipliers of the forecast's sigma per stretch of
/// lead time, the backtest they come from, and how often the normal bands held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intervals {
    pub method: String,
    /// The multipliers at the horizon's last step.
    pub z80: f64,
    pub z95: f64,
    /// Rolling origins, and the steps ahead each forecast (the horizon, or what the
    /// history allows).
    #[serde(default)]
    pub folds: usize,
    #[serde(default)]
    pub fold_steps: usize,
    /// Per stretch of lead time: the last step (from 1) it covers and its multipliers.
    #[serde(default)]
    pub by_lead: Vec<LeadMultiplier>,
    /// Share of the backtest's held-out points inside the normal 80% and 95% bands.
    pub normal_coverage80: Option<f64>,
    pub normal_coverage95: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LeadMultiplier {
    pub until_step: usize,
    pub z80: f64,
    pub z95: f64,
}

/// The normal quantiles of the 80% and 95% two-sided bands.
pub fn normal_z() -> (f64, f64) {
    let normal = Normal::standard();
    (normal.inverse_cdf(0.90), normal.inverse_cdf(0.975))
}

/// Calibrates the intervals of `choice` on `y` for `h` steps ahead; a fold holds at
/// least `min_history` steps (`Method::min_history`) before its origin. A history too short for
/// folds of `h` steps calibrates on the longest folds it holds and widens the band past
/// them as the square root of the lead time (a random walk's growth); one too short for
/// any keeps the normal quantiles of the method's sigma, and says so.
pub fn calibrate(choice: &Choice, y: &[f64], h: usize, min_history: usize) -> Intervals {
    let (z80, z95) = normal_z();
    // The last third, reaching further back (not past `min_history`) where that would
    // not hold four origins a quarter of the horizon apart.
    let four_origins = y.len().saturating_sub(h + 3 * (h / 4).max(1));
    let min_train = (y.len() * 2 / 3).min(four_origins).max(min_history).max(8);
    let steps = h.min(y.len().saturating_sub(min_train));
    let origins = origins(y.len(), steps, min_train);
    // errors[fold][j]: the standardised absolute error at j + 1 steps ahead.
    let floor = sigma_floor(y);
    let errors: Vec<Vec<f64>> = origins
        .iter()
        .map(|&o| {
            let fit = choice.forecast(&y[..o], steps);
            y[o..o + steps]
                .iter()
                .enumerate()
                .map(|(j, a)| (a - fit.mean[j]).abs() / fit.sigma[j].max(floor))
                .collect()
        })
        .collect();
    let all: Vec<f64> = errors.iter().flatten().copied().filter(|z| z.is_finite()).collect();
    let inside = |limit: f64| all.iter().filter(|v| **v <= limit).count() as f64 / all.len().max(1) as f64;
    let (normal_coverage80, normal_coverage95) = if all.is_empty() {
        (None, None)
    } else {
        (Some(inside(z80)), Some(inside(z95)))
    };
    let by_lead = multipliers(&errors, steps);
    let (method, by_lead) = if by_lead.is_empty() {
        (
            format!(
                "normal: the history holds {} steps past what a fold needs, too few for a backtest of {h}; \
                 the normal quantiles of the method's own sigma",
                y.len().saturating_sub(min_train)
            ),
            vec![LeadMultiplier {
                until_step: h,
                z80,
                z95,
            }],
        )
    } else if steps < h {
        (
            format!(
                "conformal on {} backtests of {steps} steps (the history is too short for {h}); \
                 beyond step {steps} the band widens as the square root of the lead time",
                origins.len()
            ),
            by_lead,
        )
    } else {
        (
            format!("conformal on {} backtests of {h} steps, equal weights", origins.len()),
            by_lead,
        )
    };
    let last = by_lead[by_lead.len() - 1];
    Intervals {
        method,
        z80: last.z80,
        z95: last.z95,
        folds: origins.len(),
        fold_steps: steps,
        by_lead,
        normal_coverage80,
        normal_coverage95,
    }
}

/// Up to `FOLDS` origins spread evenly from `min_train` to the last that leaves `steps`
/// held out, newest first; none when nothing fits.
fn origins(n: usize, steps: usize, min_train: usize) -> Vec<usize> {
    if steps == 0 || n < min_train + steps {
        return Vec::new();
    }
    let (first, last) = (min_train, n - steps);
    let folds = FOLDS.min(last - first + 1);
    if folds == 1 {
        return vec![last];
    }
    (0..folds).map(|k| last - ((last - first) * k) / (folds - 1)).collect()
}

/// The smallest sigma errors are standardised by: a hundredth of the series' mean
/// absolute step-to-step change, so that a method whose sigma is 0 (a flat history)
/// neither divides by zero nor collapses its band to the mean.
fn sigma_floor(y: &[f64]) -> f64 {
    let changes = y.windows(2).map(|w| (w[1] - w[0]).abs()).filter(|d| d.is_finite());
    let (sum, count) = changes.fold((0.0, 0usize), |(s, c), d| (s + d, c + 1));
    (0.01 * sum / count.max(1) as f64).max(f64::MIN_POSITIVE)
}

/// The 80% and 95% conformal quantiles of each stretch of lead time (with the
/// finite-sample correction: the ceil((n + 1) p)-th smallest of n); empty when a stretch
/// would have fewer than `MIN_POINTS` errors.
fn multipliers(errors: &[Vec<f64>], steps: usize) -> Vec<LeadMultiplier> {
    let total = errors.len() * steps;
    let stretches = LEAD_STRETCHES.min(steps).min(total / MIN_POINTS);
    if stretches == 0 {
        return Vec::new();
    }
    (0..stretches)
        .map(|k| {
            let (from, to) = (k * steps / stretches, (k + 1) * steps / stretches);
            let z: Vec<f64> = errors
                .iter()
                .flat_map(|fold| fold[from..to].iter().copied().filter(|z| z.is_finite()))
                .collect();
            let (z80, z95) = (conformal(z.clone(), 0.80), conformal(z, 0.95));
            LeadMultiplier {
                until_step: to,
                z80,
                z95,
            }
        })
        .collect()
}

/// The conformal p-quantile of `z`: its ceil((n + 1) p)-th smallest.
fn conformal(mut z: Vec<f64>, p: f64) -> f64 {
    z.sort_by(f64::total_cmp);
    z[((p * (z.len() + 1) as f64).ceil() as usize).clamp(1, z.len()) - 1]
}

impl Intervals {
    /// The multipliers at `step` steps ahead (from 0).
    fn at(&self, step: usize) -> LeadMultiplier {
        *self
            .by_lead
            .iter()
            .find(|m| step < m.until_step)
            .unwrap_or(&self.by_lead[self.by_lead.len() - 1])
    }

    /// The 80% and 95% half-widths per step ahead of `fit`: its sigma (at least the
    /// floor) times the multipliers, widened as the square root of the lead time past
    /// the calibrated steps; the 95% band never inside the 80%, and neither narrower
    /// than the normal band of the floor (on a series that mostly repeats most
    /// backtest errors are 0, and a band of width 0 would say nothing).
    pub fn half_widths(&self, fit: &Fitted, y: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let floor = sigma_floor(y);
        let (narrowest80, narrowest95) = normal_z();
        let calibrated = self.fold_steps.max(1);
        fit.sigma
            .iter()
            .enumerate()
            .map(|(j, s)| {
                let m = self.at(j);
                let beyond = if j >= calibrated && self.folds > 0 {
                    ((j + 1) as f64 / calibrated as f64).sqrt()
                } else {
                    1.0
                };
                let s = s.max(floor) * beyond;
                let w80 = (m.z80 * s).max(narrowest80 * floor);
                (w80, (m.z95 * s).max(narrowest95 * floor).max(w80))
            })
            .unzip()
    }
}
