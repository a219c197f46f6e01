//! The forecast workflow, as `headroom forecast` and the review run it: every history
//! forecast to one horizon (with the rules on how far a horizon may reach) into a
//! summary.json `Summary`, or scored on a held-out tail into a backtest.json
//! `Backtest`; and a series' demand read back for a plan.

use super::regular::{aggregate_onto, regularise_with, Aggregate, Cleaning, Regular, RegularError, MAX_POINTS};
use super::{forecast_many, holdout, ForecastError, Options, SeriesForecast, Summary, Threshold, SCHEMA_VERSION};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The longest horizon, in multiples of the history's length.
pub const MAX_HORIZON_RATIO: u64 = 10;

/// How far ahead, as written (`90d`) and as a duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Horizon {
    pub text: String,
    pub duration: Duration,
}

impl Horizon {
    /// `90d`, `2w`, `12h`: a duration above 0.
    pub fn parse(text: &str) -> Result<Horizon, String> {
        let duration = headroom_loadgen::units::parse_duration(text)?;
        if duration.is_zero() {
            return Err(format!("found {text}; expected a duration above 0 such as 90d"));
        }
        Ok(Horizon {
            text: text.to_string(),
            duration,
        })
    }
}

/// One series' regular history and what cleaning it took.
pub type History = (String, Regular, Cleaning);

/// Why a workflow stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WorkflowError {
    #[error(
        "{steps} steps ahead of the {known} steps of history of `{series}`; expected at most \
         {MAX_HORIZON_RATIO} times the history (a forecast further out extrapolates nothing the data \
         shows: forecast a shorter horizon, or give a longer history)"
    )]
    BeyondHistory { steps: u64, known: u64, series: String },
    #[error(
        "{steps} steps of {step_s} s for `{series}`; expected at most {MAX_POINTS} \
         (forecast a shorter horizon, or resample the history to a coarser step)"
    )]
    TooManySteps { steps: u64, step_s: i64, series: String },
    #[error("series `{series}`: {error}")]
    Series { series: String, error: ForecastError },
    #[error(transparent)]
    Forecast(#[from] ForecastError),
}

impl WorkflowError {
    /// True when the horizon asked for is at fault (the message then names it).
    pub fn is_horizon(&self) -> bool {
        matches!(
            self,
            WorkflowError::BeyondHistory { .. } | WorkflowError::TooManySteps { .. }
        )
    }
}

/// How raw samples are put on a regular grid.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Grid {
    /// The grid's step in seconds; None: inferred from the samples.
    pub step_s: Option<i64>,
    /// Several samples per step combined this way (with a step).
    pub aggregate: Option<Aggregate>,
    /// Drop samples far from the rest in time instead of refusing them.
    pub drop_outliers: bool,
}

/// Raw (time, value) samples by series, regularised onto `grid`; `dropped` counts the
/// rows a reader already dropped for implausible times, by series.
pub fn regularise(
    raw: Vec<(String, Vec<(i64, f64)>)>,
    grid: Grid,
    dropped: &BTreeMap<String, usize>,
) -> Result<Vec<History>, (String, RegularError)> {
    raw.into_iter()
        .map(|(name, samples)| {
            let regularised = match (grid.aggregate, grid.step_s) {
                (Some(how), Some(step_s)) => aggregate_onto(&samples, step_s, how, grid.drop_outliers),
                _ => regularise_with(&samples, grid.step_s, grid.drop_outliers),
            };
            let (history, mut cleaning) = match regularised {
                Ok(regular) => regular,
                Err(e) => return Err((name, e)),
            };
            cleaning.dropped_stray += dropped.get(&name).copied().unwrap_or(0);
            Ok((name, history, cleaning))
        })
        .collect()
}

/// Every history forecast `horizon` ahead, in parallel, with the runway to `threshold`.
pub fn forecast(
    histories: Vec<History>,
    horizon: Duration,
    threshold: Option<Threshold>,
    options: &Options,
) -> Result<Summary, WorkflowError> {
    let jobs = histories
        .into_iter()
        .map(|(name, history, cleaning)| {
            let steps = horizon_steps(&name, &history, horizon)?;
            Ok((name, history, cleaning, steps))
        })
        .collect::<Result<Vec<_>, WorkflowError>>()?;
    let options = Options {
        threshold: threshold.as_ref().map(|t| t.value),
        ..*options
    };
    let series = forecast_many(jobs, &options)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()
        .map_err(WorkflowError::Forecast)?;
    Ok(Summary {
        schema_version: SCHEMA_VERSION,
        horizon_s: horizon.as_secs() as i64,
        threshold,
        series,
    })
}

/// Steps of `history`'s step in `horizon` (at least one), within the rules.
pub fn horizon_steps(name: &str, history: &Regular, horizon: Duration) -> Result<usize, WorkflowError> {
    let steps = (horizon.as_secs() as i64 / history.step).max(1) as u64;
    let known = history.values.len() as u64;
    if steps > MAX_HORIZON_RATIO * known {
        return Err(WorkflowError::BeyondHistory {
            steps,
            known,
            series: name.to_string(),
        });
    }
    if steps > MAX_POINTS {
        return Err(WorkflowError::TooManySteps {
            steps,
            step_s: history.step,
            series: name.to_string(),
        });
    }
    Ok(steps as usize)
}

/// backtest.json: each series forecast from all but its last `holdout` and scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    pub schema_version: u32,
    /// As asked: `7d`.
    pub holdout: String,
    pub series: Vec<BacktestRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRow {
    pub series: String,
    pub model: String,
    pub holdout_steps: usize,
    pub mase: Option<f64>,
    pub smape: f64,
    pub peak_error: f64,
}

/// Every history's last `held` forecast from the rest and scored; `holdout` is how the
/// user wrote it.
pub fn backtest(histories: Vec<History>, held: Duration, holdout_text: &str) -> Result<Backtest, WorkflowError> {
    let series = histories
        .into_iter()
        .map(|(name, history, _)| {
            let steps = (held.as_secs() as i64 / history.step) as usize;
            let (forecast, score) = holdout(&name, &history, steps).map_err(|error| WorkflowError::Series {
                series: name.clone(),
                error,
            })?;
            Ok(BacktestRow {
                series: name,
                model: forecast.model,
                holdout_steps: steps,
                mase: score.mase,
                smape: score.smape,
                peak_error: score.peak_error,
            })
        })
        .collect::<Result<_, WorkflowError>>()?;
    Ok(Backtest {
        schema_version: SCHEMA_VERSION,
        holdout: holdout_text.to_string(),
        series,
    })
}

impl SeriesForecast {
    /// The peak over the horizon: its mean, or its upper 95% bound.
    pub fn peak_demand(&self, use_mean: bool) -> f64 {
        if use_mean {
            self.peak.value
        } else {
            self.peak.hi95
        }
    }

    /// The highest mean (or upper 95% bound) over the UTC day starting at `day_start`;
    /// None when the forecast does not cover it (the bands must be filled).
    pub fn day_peak(&self, day_start: i64, use_mean: bool) -> Option<f64> {
        let path = if use_mean { &self.bands.mean } else { &self.bands.hi95 };
        path.iter()
            .enumerate()
            .filter(|(i, _)| (day_start..day_start + 86_400).contains(&(self.start + self.step_s * *i as i64)))
            .map(|(_, v)| *v)
            .reduce(f64::max)
    }

    /// The time of the last forecast step.
    pub fn last(&self) -> i64 {
        self.start + self.step_s * (self.bands.mean.len() as i64).max(0)
    }
}
