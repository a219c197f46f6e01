//! Utilisation forecasting: regularise a history, detect its seasons, choose a method
//! by rolling-origin backtest, forecast with 80% and 95% intervals, and answer the
//! capacity questions (the peak over the horizon and per week, the runway to a
//! threshold). Many series run in parallel with rayon. `workflow` joins them as the
//! forecast command and the review run them.
//!
//! Modules: `regular` (the regular grid, cleaning, aggregation), `robust` (spikes,
//! level shifts, trend changes), `models` (the methods), `yearly` (the yearly season),
//! `select` (the choice by backtest), `calibrate` (the intervals, on backtests as long
//! as the horizon), `metrics` (MASE, sMAPE, peak error), `capacity` (peaks and the
//! runway) and `workflow`.

pub mod calibrate;
pub mod capacity;
pub mod metrics;
pub mod models;
pub mod regular;
pub mod robust;
pub mod select;
pub mod workflow;
pub mod yearly;

pub use calibrate::Intervals;
use capacity::{first_crossing, peaks, peaks_with_spikes, Noise, PeakBand};
use regular::{Cleaning, Regular};
use select::Choice;
use serde::{Deserialize, Serialize};

pub const SCHEMA_VERSION: u32 = 1;
const WEEK_S: i64 = 7 * 86_400;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    #[error("found a horizon of 0; expected at least one step")]
    ZeroHorizon,
    #[error("found {0} points; expected at least 8 to forecast")]
    TooShort(usize),
}

impl headroom_loadgen::schema::Schema for Summary {
    const FILE: &'static str = "summary.json";
    const VERSION: u32 = SCHEMA_VERSION;
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
    /// Unix seconds of the spikes kept out of the fit.
    #[serde(default)]
    pub spikes: Vec<i64>,
    /// The last lasting level shift, and how the fit followed it.
    #[serde(default)]
    pub level_shift: Option<LevelShift>,
    /// A lasting change of trend, and how the fit followed it.
    #[serde(default)]
    pub trend_change: Option<TrendChange>,
    /// How the intervals were sized, and how often the backtest fell inside them.
    #[serde(default)]
    pub intervals: Option<Intervals>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelShift {
    /// Unix seconds of the first step at the new level.
    pub at: i64,
    /// New level minus old, in the series' units.
    pub delta: f64,
    /// True when the fit used only the stretch after the shift; false when the history
    /// before it was moved to the new level (too little came after it to fit alone).
    pub fitted_after_only: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendChange {
    /// Unix seconds of the first step on the new trend.
    pub at: i64,
    /// The trend before and after, in the series' units per day.
    pub before_per_day: f64,
    pub after_per_day: f64,
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

/// What a forecast is asked for beyond the history and horizon.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Options {
    /// The runway's threshold.
    pub threshold: Option<f64>,
    /// Put spikes back into the noise the peaks are simulated from (they stay out of
    /// the seasonal shape), for a user who wants them sized for.
    pub keep_spikes: bool,
    /// A value the series cannot pass (100 for a percentage): the mean, bands and peaks
    /// stay at or under it. Without one, a series named as a percentage or a
    /// utilisation that never went above 100 is bounded at 100.
    pub ceiling: Option<f64>,
}

/// Names that say a series is a percentage.
const PERCENT_NAMES: &[&str] = &["percent", "pct", "utilization", "utilisation", "%"];

/// The bound a series stays under: the one given, or 100 for a percentage by name
/// whose history never passed it.
fn ceiling_of(name: &str, raw: &[f64], given: Option<f64>) -> Option<f64> {
    if given.is_some() {
        return given;
    }
    let lower = name.to_ascii_lowercase();
    let named = PERCENT_NAMES.iter().any(|w| lower.contains(w));
    let within = raw.iter().filter(|v| v.is_finite()).all(|v| *v <= 100.0);
    (named && within).then_some(100.0)
}

/// Forecasts `horizon` steps past the end of `history`; `threshold` gives the runway.
pub fn forecast_series(
    name: &str,
    history: &Regular,
    cleaning: Cleaning,
    horizon: usize,
    threshold: Option<f64>,
) -> Result<SeriesForecast, ForecastError> {
    let options = Options {
        threshold,
        ..Options::default()
    };
    forecast_series_with(name, history, cleaning, horizon, &options)
}

/// `forecast_series` with every option.
pub fn forecast_series_with(
    name: &str,
    history: &Regular,
    cleaning: Cleaning,
    horizon: usize,
    options: &Options,
) -> Result<SeriesForecast, ForecastError> {
    let threshold = options.threshold;
    let raw = &history.values;
    if horizon == 0 {
        return Err(ForecastError::ZeroHorizon);
    }
    if raw.len() < 8 {
        return Err(ForecastError::TooShort(raw.len()));
    }
    let day = steps_per_day(history.step, raw.len());
    // Spikes out (a two-hour rolling median), seasons from what is left, then the level.
    let (despiked, spike_steps) = robust::despike(raw, (day / 12).max(5));
    let (seasons, notes) = select::detect_seasons(&despiked, history.step);
    let (y, level_shift) = follow_level(&despiked, &seasons, day, history);
    let trend_change = match level_shift {
        None => trend_change(&y, &seasons, day, history),
        Some(_) => None,
    };
    let y = &y;
    // After a shift the fit may see a shorter stretch: only seasons it holds twice.
    let seasons: Vec<usize> = seasons.into_iter().filter(|m| y.len() >= 2 * m).collect();
    let candidates = select::candidates(y, &seasons, day);
    let backtest_horizon = horizon.min(y.len() / 4).max(1);
    let choice = select::choose(y, &candidates, backtest_horizon);
    let mut fit = choice.forecast(y, horizon);
    let kept_spikes = if options.keep_spikes {
        spikes_in_residuals(fit.residuals.len(), raw, &despiked, &spike_steps)
    } else {
        Vec::new()
    };
    let accuracy = accuracy(&choice, y, choice.backtest_horizon, day, &seasons);
    let min_history = choice
        .methods
        .iter()
        .map(models::Method::min_history)
        .max()
        .unwrap_or(2);
    let intervals = calibrate::calibrate(&choice, y, horizon, min_history);
    let non_negative = raw.iter().filter(|v| v.is_finite()).all(|v| *v >= 0.0);
    if non_negative {
        fit.mean.iter_mut().for_each(|m| *m = m.max(0.0));
    }
    let ceiling = ceiling_of(name, raw, options.ceiling);
    let mut notes = notes;
    if let Some(c) = ceiling {
        fit.mean.iter_mut().for_each(|m| *m = m.min(c));
        notes.push(format!("bounded at {c}: the mean, bands and peaks do not pass it"));
    }
    let (w80, w95) = intervals.half_widths(&fit, y);
    // The peaks' paths spread as the calibrated 80% band says: sigma = w80 / z(0.90).
    let z80 = calibrate::normal_z().0;
    fit.sigma = w80.iter().map(|w| w / z80).collect();
    let bands = bands(&fit, (w80, w95), non_negative, ceiling);
    let start = history.end() + history.step;
    let at = |step: usize| start + step as i64 * history.step;
    let window = |from: usize, to: usize| (from, to.min(horizon));
    let week = ((WEEK_S / history.step) as usize).max(1);
    let mut windows = vec![window(0, horizon)];
    windows.extend((0..horizon).step_by(week).map(|w| window(w, w + week)));
    let mut bands_of_peaks = peaks_with_spikes(&fit, &windows, Noise::recent(day, &seasons), &kept_spikes);
    let floor = if non_negative { 0.0 } else { f64::NEG_INFINITY };
    for b in &mut bands_of_peaks {
        for v in [&mut b.value, &mut b.lo80, &mut b.hi80, &mut b.lo95, &mut b.hi95] {
            *v = v.max(floor).min(ceiling.unwrap_or(f64::INFINITY));
        }
    }
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
        backtest: accuracy,
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
        spikes: spike_steps.iter().map(|&t| history.timestamp(t)).collect(),
        level_shift,
        trend_change,
        intervals: Some(intervals),
    })
}

/// The series the models fit after a lasting level shift: only the stretch after it
/// when that holds two seasons (and 16 points), else the whole series with the part
/// before the shift moved to the new level.
fn follow_level(y: &[f64], seasons: &[usize], day: usize, history: &Regular) -> (Vec<f64>, Option<LevelShift>) {
    let searched = if seasons.is_empty() {
        vec![day]
    } else {
        seasons.to_vec()
    };
    let Some(shift) = robust::level_shift(y, &searched) else {
        return (y.to_vec(), None);
    };
    let after = y.len() - shift.at;
    let season = searched.iter().copied().min().unwrap_or(1);
    // The stretch after the shift is fitted alone when it holds two cycles, unless
    // that would lose two years of history the yearly season needs.
    let year = yearly::needs(day);
    let fitted_after_only = after >= (2 * season).max(16) && (y.len() < year || after >= year);
    let adjusted = if fitted_after_only {
        y[shift.at..].to_vec()
    } else {
        y.iter()
            .enumerate()
            .map(|(t, v)| if t < shift.at { v + shift.delta } else { *v })
            .collect()
    };
    let note = LevelShift {
        at: history.timestamp(shift.at),
        delta: shift.delta,
        fitted_after_only,
    };
    (adjusted, Some(note))
}

/// A lasting trend change in what the models fit, reported but not acted on: refitting
/// on the stretch after it chose damped trends that projected a week ahead worse than
/// the whole history did (78 against 85, truth 90, in `a_trend_change_is_reported`'s
/// series), so the models see everything and the note tells the user. Searched only
/// without a level shift (a shift is itself a break in the trend line).
fn trend_change(y: &[f64], seasons: &[usize], day: usize, history: &Regular) -> Option<TrendChange> {
    let searched = if seasons.is_empty() {
        vec![day]
    } else {
        seasons.to_vec()
    };
    let change = robust::trend_change(y, &searched)?;
    let per_day = 86_400.0 / history.step as f64;
    Some(TrendChange {
        at: history.timestamp(change.at),
        before_per_day: change.before * per_day,
        after_per_day: change.after * per_day,
    })
}

/// Each spike's residual index (residuals end where the history ends) and size, to go
/// back into the noise the peaks are simulated from: the seasonal shape stays that of
/// normal behaviour, and the peak's upper bands size for spikes as often as the
/// history had them.
fn spikes_in_residuals(residuals: usize, raw: &[f64], despiked: &[f64], spikes: &[usize]) -> Vec<(usize, f64)> {
    let offset = raw.len().saturating_sub(residuals);
    spikes
        .iter()
        .filter_map(|&t| Some((t.checked_sub(offset)?, raw[t] - despiked[t])))
        .collect()
}

/// One series to forecast: its name, history, what cleaning did, and the horizon in steps.
pub type Job = (String, Regular, Cleaning, usize);

/// Many series at once, in parallel.
pub fn forecast_many(jobs: Vec<Job>, options: &Options) -> Vec<Result<SeriesForecast, ForecastError>> {
    use rayon::prelude::*;
    jobs.into_par_iter()
        .map(|(name, history, cleaning, horizon)| forecast_series_with(&name, &history, cleaning, horizon, options))
        .collect()
}

/// The mean and its bands at the calibrated half-widths, kept at or above 0 for a
/// series that never went below it and at or under its ceiling.
fn bands(fit: &models::Fitted, (w80, w95): (Vec<f64>, Vec<f64>), non_negative: bool, ceiling: Option<f64>) -> Bands {
    let floor = if non_negative { 0.0 } else { f64::NEG_INFINITY };
    let ceiling = ceiling.unwrap_or(f64::INFINITY);
    let band = |sign: f64, w: &[f64]| -> Vec<f64> {
        fit.mean
            .iter()
            .zip(w)
            .map(|(m, w)| (m + sign * w).max(floor).min(ceiling))
            .collect()
    };
    Bands {
        mean: fit.mean.clone(),
        lo80: band(-1.0, &w80),
        hi80: band(1.0, &w80),
        lo95: band(-1.0, &w95),
        hi95: band(1.0, &w95),
    }
}

/// The chosen method fitted without the last `h` points and scored on them; MASE is
/// scaled by the in-sample seasonal naive error with a one-day season of `day` steps.
fn accuracy(choice: &Choice, y: &[f64], h: usize, day: usize, seasons: &[usize]) -> Accuracy {
    let (train, test) = y.split_at(y.len() - h);
    let fit = choice.forecast(train, h);
    let peak = peaks(&fit, &[(0, h)], Noise::recent(day, seasons))[0].value;
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
