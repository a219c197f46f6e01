//! Automatic choice: which seasons the history shows (autocorrelation at a day and a
//! week, given two cycles of each), which methods are candidates, and the one (or the
//! mean of the best few) with the least error in a rolling-origin backtest.

use super::metrics::mae;
use super::models::{forecast, Fitted, Method, Trend};
use super::yearly;
use serde::{Deserialize, Serialize};

/// Autocorrelation at a season's lag must reach this for the season to be used.
const SEASON_ACF: f64 = 0.1;
const MAX_FOLDS: usize = 4;
const MIN_FOLDS: usize = 2;
/// Cycles a seasonal median looks back over.
const MEDIAN_CYCLES: usize = 7;

/// The chosen forecaster: one method or the mean of several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub methods: Vec<Method>,
    /// Mean absolute error per backtest step, averaged over the folds.
    pub backtest_mae: f64,
    /// Steps ahead each fold forecast.
    pub backtest_horizon: usize,
}

impl Choice {
    pub fn label(&self) -> String {
        let labels: Vec<String> = self.methods.iter().map(Method::label).collect();
        if labels.len() == 1 {
            labels[0].clone()
        } else {
            format!("mean({})", labels.join(", "))
        }
    }

    pub fn forecast(&self, y: &[f64], h: usize) -> Fitted {
        combine(self.methods.iter().map(|m| forecast(m, y, h)).collect())
    }
}

/// The mean of several forecasts; its sigma is the mean of theirs (the errors of
/// similar methods are strongly correlated, so averaging does not shrink them much),
/// and its noise the residuals of the member that explains the history best.
fn combine(mut fits: Vec<Fitted>) -> Fitted {
    if fits.len() == 1 {
        return fits.pop().expect("one");
    }
    let k = fits.len() as f64;
    let h = fits[0].mean.len();
    let avg = |f: &dyn Fn(&Fitted, usize) -> f64| -> Vec<f64> {
        (0..h).map(|j| fits.iter().map(|x| f(x, j)).sum::<f64>() / k).collect()
    };
    Fitted {
        mean: avg(&|x, j| x.mean[j]),
        sigma: avg(&|x, j| x.sigma[j]),
        residuals: fits
            .iter()
            .map(|f| &f.residuals)
            .min_by(|a, b| mean_square(a).total_cmp(&mean_square(b)))
            .cloned()
            .unwrap_or_default(),
        slope: fits[0].slope,
    }
}

fn mean_square(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64
}

/// Seasons (in steps) found in the history, and notes on those left out.
pub fn detect_seasons(y: &[f64], step_s: i64) -> (Vec<usize>, Vec<String>) {
    let mut seasons = Vec::new();
    let mut notes = Vec::new();
    for (name, seconds) in [("daily", 86_400i64), ("weekly", 7 * 86_400)] {
        if seconds % step_s != 0 || seconds / step_s < 2 {
            continue;
        }
        let m = (seconds / step_s) as usize;
        if y.len() < 2 * m {
            let fallback = seasons
                .first()
                .map_or("no seasonality".to_string(), |_| "using daily".to_string());
            notes.push(format!(
                "too short for {name} seasonality (needs {} points, has {}); {fallback}",
                2 * m,
                y.len()
            ));
            continue;
        }
        let r = acf(y, m);
        if r >= SEASON_ACF {
            seasons.push(m);
        } else {
            notes.push(format!(
                "no {name} seasonality found (autocorrelation {r:.2} at lag {m})"
            ));
        }
    }
    (seasons, notes)
}

/// Sample autocorrelation at `lag`.
fn acf(y: &[f64], lag: usize) -> f64 {
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let var: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    if var == 0.0 {
        return 0.0;
    }
    (lag..n).map(|t| (y[t] - mean) * (y[t - lag] - mean)).sum::<f64>() / var
}

/// Candidates for a history with these seasons; `day` (steps per day) sizes the window
/// of the recent median, which is a candidate whatever the seasons. With two years of
/// history the trend and decomposition methods are candidates again with the yearly
/// season taken out first.
pub fn candidates(y: &[f64], seasons: &[usize], day: usize) -> Vec<Method> {
    let mut methods = vec![Method::LinearTrend, Method::DampedTrend];
    if y.len() >= 2 * day {
        methods.push(Method::SeasonalMedian { season: 1, cycles: day });
    }
    for (i, &m) in seasons.iter().enumerate() {
        methods.push(Method::SeasonalNaive { season: m });
        methods.push(Method::SeasonalMedian {
            season: m,
            cycles: MEDIAN_CYCLES,
        });
        for trend in [Trend::Level, Trend::Linear, Trend::Damped] {
            methods.push(Method::Decomposition {
                seasons: seasons[..=i].to_vec(),
                trend,
            });
        }
    }
    if y.len() >= yearly::needs(day) {
        // The yearly season under the methods that extrapolate a level or a trend.
        let mut under: Vec<Method> = vec![Method::LinearTrend, Method::DampedTrend];
        if !seasons.is_empty() {
            under.extend(
                [Trend::Level, Trend::Linear, Trend::Damped].map(|trend| Method::Decomposition {
                    seasons: seasons.to_vec(),
                    trend,
                }),
            );
        }
        methods.extend(under.into_iter().map(|base| Method::Yearly {
            base: Box::new(base),
            day,
        }));
    }
    if let Some(&daily) = seasons.first() {
        methods.push(Method::HoltWinters {
            season: daily,
            multiplicative: false,
        });
        if y.iter().all(|v| *v > 0.0) {
            methods.push(Method::HoltWinters {
                season: daily,
                multiplicative: true,
            });
        }
    }
    methods
}

/// Rolling-origin backtest over 2 to 4 origins `horizon` apart (as many as leave two
/// cycles of the longest season before the first); methods that cannot have two cycles
/// of their longest season before the first origin are left out. The best single
/// method wins unless the mean of the best two or three does better.
pub fn choose(y: &[f64], methods: &[Method], horizon: usize) -> Choice {
    let n = y.len();
    let longest = methods.iter().map(Method::longest_season).max().unwrap_or(1);
    let folds = (MIN_FOLDS..=MAX_FOLDS)
        .rev()
        .find(|&f| n >= f * horizon + 2 * longest)
        .unwrap_or(MIN_FOLDS);
    let horizon = horizon.clamp(1, (n / (folds + 2)).max(1));
    let origins: Vec<usize> = (1..=folds).map(|k| n - k * horizon).collect();
    let first_origin = *origins.last().expect("folds");
    let scored: Vec<(Method, Vec<Vec<f64>>)> = methods
        .iter()
        .filter(|m| first_origin >= m.min_history())
        .map(|m| {
            (
                m.clone(),
                origins.iter().map(|&o| forecast(m, &y[..o], horizon).mean).collect(),
            )
        })
        .collect();
    if scored.is_empty() {
        return Choice {
            methods: vec![Method::DampedTrend],
            backtest_mae: f64::NAN,
            backtest_horizon: horizon,
        };
    }
    // A method whose forecast leaves the finite numbers has failed, whatever its score.
    let error = |forecasts: &[Vec<f64>]| -> f64 {
        let e = origins
            .iter()
            .zip(forecasts)
            .map(|(&o, f)| mae(&y[o..o + horizon], f))
            .sum::<f64>()
            / origins.len() as f64;
        if e.is_finite() {
            e
        } else {
            f64::INFINITY
        }
    };
    let mut ranked: Vec<(f64, usize)> = scored.iter().enumerate().map(|(i, (_, f))| (error(f), i)).collect();
    ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut best = Choice {
        methods: vec![scored[ranked[0].1].0.clone()],
        backtest_mae: ranked[0].0,
        backtest_horizon: horizon,
    };
    for k in 2..=3.min(ranked.len()) {
        let members: Vec<usize> = ranked[..k].iter().map(|(_, i)| *i).collect();
        let averaged: Vec<Vec<f64>> = (0..origins.len())
            .map(|fold| {
                (0..horizon)
                    .map(|j| members.iter().map(|&i| scored[i].1[fold][j]).sum::<f64>() / k as f64)
                    .collect()
            })
            .collect();
        let e = error(&averaged);
        if e < best.backtest_mae {
            best = Choice {
                methods: members.iter().map(|&i| scored[i].0.clone()).collect(),
                backtest_mae: e,
                backtest_horizon: horizon,
            };
        }
    }
    best
}
