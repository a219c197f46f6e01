//! Utilisation forecasting: regularise a history, detect its seasons, choose a method
//! by rolling-origin backtest, forecast with 80% and 95% intervals, and answer the
//! capacity questions (the peak over the horizon and per week, the runway to a
//! threshold). Many series run in parallel with rayon.

pub mod capacity;
pub mod metrics;
pub mod models;
pub mod regular;
pub mod select;

use capacity::{first_crossing, peaks, PeakBand};
use regular::{Cleaning, Regular};
use select::Choice;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

pub const SCHEMA_VERSION: u32 = 1;
const WEEK_S: i64 = 7 * 86_400;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("found a horizon of 0; expected at least one step")]
    ZeroHorizon,
    #[error("found {0} points; expected at least 8 to forecast")]
    TooShort(usize),
}

/// summary.json: every series' forecast summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub horizon_s: i64,
    pub threshold: Option<Threshold>,
    pub series: Vec<SeriesForecast>,
}

/// The runway's threshold and where it came from (`--threshold`, or a limits.json figure).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub value: f64,
    pub source: String,
}

/// A series' forecast and its capacity answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesForecast {
    pub series: String,
    pub model: String,
    pub choice: Choice,
    /// Seasons used, in steps.
    pub seasons: Vec<usize>,
    pub notes: Vec<String>,
    pub cleaning: Cleaning,
    /// Backtest of the chosen method on the last backtest horizon of the history.
    pub backtest: Accuracy,
    /// The fitted trend in units per day, where the method has one.
    pub trend_per_day: Option<f64>,
    /// Unix seconds of the first forecast step, and the step.
    pub start: i64,
    pub step_s: i64,
    #[serde(skip)]
    pub bands: Bands,
    pub peak: Peak,
    pub weekly_peaks: Vec<Peak>,
    pub runway: Option<Runway>,
}

/// The forecast path and its intervals, one value per step.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bands {
    pub mean: Vec<f64>,
    pub lo80: Vec<f64>,
    pub hi80: Vec<f64>,
    pub lo95: Vec<f64>,
    pub hi95: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Accuracy {
    pub horizon_steps: usize,
    pub mase: Option<f64>,
    pub smape: f64,
    pub peak_error: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peak {
    /// Unix seconds where the window starts and ends.
    pub from: i64,
    pub to: i64,
    pub value: f64,
    pub lo80: f64,
    pub hi80: f64,
    pub lo95: f64,
    pub hi95: f64,
    /// When the mean forecast is highest in the window.
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Runway {
    pub threshold: f64,
    /// First time the mean forecast reaches the threshold (None: not within the horizon).
    pub mean_crosses_at: Option<i64>,
    /// First time the upper 95% bound reaches it.
    pub upper95_crosses_at: Option<i64>,
}

/// Forecasts `horizon` steps past the end of `history`; `threshold` gives the runway.
pub fn forecast_series(
    name: &str,
    history: &Regular,
    cleaning: Cleaning,
    horizon: usize,
    threshold: Option<f64>,
) -> Result<SeriesForecast, ForecastError> {
    let y = &history.values;
    if horizon == 0 {
        return Err(ForecastError::ZeroHorizon);
    }
    if y.len() < 8 {
        return Err(ForecastError::TooShort(y.len()));
    }
    let (seasons, notes) = select::detect_seasons(y, history.step);
    let day = steps_per_day(history.step, y.len());
    let candidates = select::candidates(y, &seasons, day);
    let backtest_horizon = horizon.min(y.len() / 4).max(1);
    let choice = select::choose(y, &candidates, backtest_horizon);
    let fit = choice.forecast(y, horizon);
    let bands = bands(&fit);
    let start = history.end() + history.step;
    let at = |step: usize| start + step as i64 * history.step;
    let window = |from: usize, to: usize| (from, to.min(horizon));
    let week = ((WEEK_S / history.step) as usize).max(1);
    let mut windows = vec![window(0, horizon)];
    windows.extend((0..horizon).step_by(week).map(|w| window(w, w + week)));
    let bands_of_peaks = peaks(&fit, &windows, day);
    let to_peak = |(w, b): (&(usize, usize), &PeakBand)| Peak {
        from: at(w.0),
        to: at(w.1 - 1),
        value: b.value,
        lo80: b.lo80,
        hi80: b.hi80,
        lo95: b.lo95,
        hi95: b.hi95,
        at: at(b.at_step),
    };
    let mut all: Vec<Peak> = windows.iter().zip(&bands_of_peaks).map(to_peak).collect();
    let peak = all.remove(0);
    let runway = threshold.map(|t| Runway {
        threshold: t,
        mean_crosses_at: first_crossing(&bands.mean, t).map(at),
        upper95_crosses_at: first_crossing(&bands.hi95, t).map(at),
    });
    Ok(SeriesForecast {
        series: name.to_string(),
        model: choice.label(),
        backtest: accuracy(&choice, y, choice.backtest_horizon, day),
        trend_per_day: fit.slope.map(|s| s * 86_400.0 / history.step as f64),
        choice,
        seasons,
        notes,
        cleaning,
        start,
        step_s: history.step,
        bands,
        peak,
        weekly_peaks: all,
        runway,
    })
}

/// One series to forecast: its name, history, what cleaning did, and the horizon in steps.
pub type Job = (String, Regular, Cleaning, usize);

/// Many series at once, in parallel.
pub fn forecast_many(jobs: Vec<Job>, threshold: Option<f64>) -> Vec<Result<SeriesForecast, ForecastError>> {
    use rayon::prelude::*;
    jobs.into_par_iter()
        .map(|(name, history, cleaning, horizon)| forecast_series(&name, &history, cleaning, horizon, threshold))
        .collect()
}

fn bands(fit: &models::Fitted) -> Bands {
    let normal = Normal::standard();
    let (z80, z95) = (normal.inverse_cdf(0.90), normal.inverse_cdf(0.975));
    let band = |z: f64| -> Vec<f64> { fit.mean.iter().zip(&fit.sigma).map(|(m, s)| m + z * s).collect() };
    Bands {
        mean: fit.mean.clone(),
        lo80: band(-z80),
        hi80: band(z80),
        lo95: band(-z95),
        hi95: band(z95),
    }
}

/// The chosen method fitted without the last `h` points and scored on them; MASE is
/// scaled by the in-sample seasonal naive error with a one-day season of `day` steps.
fn accuracy(choice: &Choice, y: &[f64], h: usize, day: usize) -> Accuracy {
    let (train, test) = y.split_at(y.len() - h);
    let fit = choice.forecast(train, h);
    let peak = peaks(&fit, &[(0, h)], day)[0].value;
    let m = if train.len() > day { day } else { 1 };
    Accuracy {
        horizon_steps: h,
        mase: metrics::mase(test, &fit.mean, train, m),
        smape: metrics::smape(test, &fit.mean),
        peak_error: metrics::peak_error(peak, test),
    }
}

/// Steps in a day, at most a quarter of the history (and at least 1).
fn steps_per_day(step_s: i64, len: usize) -> usize {
    ((86_400 / step_s.max(1)) as usize).clamp(1, (len / 4).max(1))
}

/// Holds out the last `holdout` steps, forecasts them from the rest, and scores the
/// forecast: the evaluation behind `--backtest`.
pub fn holdout(name: &str, history: &Regular, holdout: usize) -> Result<(SeriesForecast, Accuracy), ForecastError> {
    if holdout == 0 {
        return Err(ForecastError::ZeroHorizon);
    }
    if history.values.len() < holdout + 8 {
        return Err(ForecastError::TooShort(history.values.len().saturating_sub(holdout)));
    }
    let (train, test) = history.values.split_at(history.values.len() - holdout);
    let train = Regular {
        start: history.start,
        step: history.step,
        values: train.to_vec(),
    };
    let f = forecast_series(name, &train, Cleaning::default(), holdout, None)?;
    let day = steps_per_day(history.step, train.values.len());
    let m = if train.values.len() > day { day } else { 1 };
    let score = Accuracy {
        horizon_steps: holdout,
        mase: metrics::mase(test, &f.bands.mean, &train.values, m),
        smape: metrics::smape(test, &f.bands.mean),
        peak_error: metrics::peak_error(f.peak.value, test),
    };
    Ok((f, score))
}

#[cfg(test)]
mod tests;
