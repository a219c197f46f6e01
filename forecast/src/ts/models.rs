//! Forecasting methods on a regular series: seasonal naive, linear and damped trend,
//! Holt-Winters (additive and multiplicative), and a multi-seasonal decomposition
//! (MSTL-like) with a trend model on the deseasonalised series. Each returns the mean
//! forecast, the standard deviation of its error per step ahead, and its in-sample
//! residuals. Indices count steps from the start of the series.

use super::yearly;
use serde::{Deserialize, Serialize};

/// How the decomposition extrapolates the deseasonalised series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// The mean of the last cycle of the shortest season, held flat.
    Level,
    /// Ordinary least squares over the whole history.
    Linear,
    /// Holt's damped trend (phi 0.98).
    Damped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    SeasonalNaive {
        season: usize,
    },
    /// Per phase, the median of the last `cycles` cycles: the forecast that minimises
    /// absolute error on bursty series whose typical value is far from their mean.
    SeasonalMedian {
        season: usize,
        cycles: usize,
    },
    LinearTrend,
    DampedTrend,
    HoltWinters {
        season: usize,
        multiplicative: bool,
    },
    Decomposition {
        seasons: Vec<usize>,
        trend: Trend,
    },
    /// The yearly season (`yearly::Yearly`, on `day` steps a day) taken out, `base`
    /// forecast on what is left, and the season added back.
    Yearly {
        base: Box<Method>,
        day: usize,
    },
}

impl Method {
    pub fn label(&self) -> String {
        match self {
            Method::SeasonalNaive { season } => format!("seasonal_naive({season})"),
            Method::SeasonalMedian { season: 1, cycles } => format!("recent_median({cycles})"),
            Method::SeasonalMedian { season, cycles } => format!("seasonal_median({season}x{cycles})"),
            Method::LinearTrend => "linear_trend".into(),
            Method::DampedTrend => "damped_trend".into(),
            Method::HoltWinters { season, multiplicative } => {
                format!(
                    "holt_winters_{}({season})",
                    if *multiplicative { "multiplicative" } else { "additive" }
                )
            }
            Method::Decomposition { seasons, trend } => {
                let s: Vec<String> = seasons.iter().map(ToString::to_string).collect();
                format!("decomposition({})+{}", s.join(","), format!("{trend:?}").to_lowercase())
            }
            Method::Yearly { base, .. } => format!("yearly+{}", base.label()),
        }
    }

    /// The longest season the method needs two cycles of.
    pub fn longest_season(&self) -> usize {
        match self {
            Method::SeasonalNaive { season } | Method::HoltWinters { season, .. } => *season,
            // It takes as many cycles as there are, up to `cycles`.
            Method::SeasonalMedian { season: 1, cycles } => *cycles,
            Method::SeasonalMedian { season, .. } => *season,
            Method::Decomposition { seasons, .. } => seasons.iter().copied().max().unwrap_or(1),
            Method::Yearly { base, .. } => base.longest_season(),
            Method::LinearTrend | Method::DampedTrend => 1,
        }
    }

    /// Steps of history a fit needs: two cycles of the longest season, and a whole
    /// year for the yearly season (two years make it a candidate, `yearly::needs`; a
    /// backtest origin may have less).
    pub fn min_history(&self) -> usize {
        match self {
            Method::Yearly { base, day } => base.min_history().max((yearly::YEAR_DAYS.ceil() as usize) * day),
            _ => 2 * self.longest_season(),
        }
    }
}

/// A method's forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub mean: Vec<f64>,
    /// Standard deviation of the forecast error, per step ahead.
    pub sigma: Vec<f64>,
    /// In-sample residuals (for bootstrapping the noise of future paths).
    pub residuals: Vec<f64>,
    /// The trend's slope per step, where the method has one.
    pub slope: Option<f64>,
}

pub fn forecast(method: &Method, y: &[f64], h: usize) -> Fitted {
    match method {
        Method::SeasonalNaive { season } => seasonal_naive(y, *season, h),
        Method::SeasonalMedian { season, cycles } => seasonal_median(y, *season, *cycles, h),
        Method::LinearTrend => {
            let line = Line::fit(y);
            let residuals = y.iter().enumerate().map(|(t, v)| v - line.at(t as f64)).collect();
            line.forecast(y.len(), h, residuals)
        }
        Method::DampedTrend => holt_winters(y, 1, false, h, false),
        Method::HoltWinters { season, multiplicative } => holt_winters(y, *season, *multiplicative, h, true),
        Method::Decomposition { seasons, trend } => decomposition(y, seasons, *trend, h),
        Method::Yearly { base, day } => with_yearly(base, *day, y, h),
    }
}

/// `base` on `y` less its yearly season, the season added back to the forecast (`base`
/// alone on under a year of history).
fn with_yearly(base: &Method, day: usize, y: &[f64], h: usize) -> Fitted {
    let Some(year) = yearly::Yearly::fit(y, day) else {
        return forecast(base, y, h);
    };
    let adjusted: Vec<f64> = y.iter().enumerate().map(|(t, v)| v - year.at(t)).collect();
    let mut fit = forecast(base, &adjusted, h);
    let n = y.len();
    fit.mean.iter_mut().enumerate().for_each(|(j, m)| *m += year.at(n + j));
    fit
}

fn seasonal_naive(y: &[f64], m: usize, h: usize) -> Fitted {
    let n = y.len();
    let residuals: Vec<f64> = (m..n).map(|t| y[t] - y[t - m]).collect();
    let s = rms(&residuals);
    Fitted {
        mean: (0..h).map(|j| y[n - m + j % m]).collect(),
        // Each further cycle ahead adds one more seasonal difference of error.
        sigma: (0..h).map(|j| s * ((j / m + 1) as f64).sqrt()).collect(),
        residuals,
        slope: None,
    }
}

fn seasonal_median(y: &[f64], m: usize, cycles: usize, h: usize) -> Fitted {
    let n = y.len();
    let k = cycles.min(n / m).max(1);
    let profile: Vec<f64> = (0..m)
        .map(|p| {
            // Phase p of the forecast is step n + p; the same phase `i` cycles back.
            let values: Vec<f64> = (1..=k).map(|i| y[n + p - i * m]).collect();
            median(&values)
        })
        .collect();
    // Residuals over the whole history, so the noise has as many days to draw from as
    // the data: a recent median's, each block of k against the median of the block
    // before it (what the method forecast for it; against its own median a block of one
    // would have none); a seasonal one's, each cycle-group against its own medians.
    let residuals: Vec<f64> = if m == 1 {
        let blocks: Vec<&[f64]> = y.chunks(k).collect();
        blocks
            .windows(2)
            .flat_map(|w| {
                let med = median(w[0]);
                w[1].iter().map(move |v| v - med)
            })
            .collect()
    } else {
        (n - k * m..n).map(|t| y[t] - profile[(t + m - n % m) % m]).collect()
    };
    let s = rms(&residuals) * (1.0 + 1.0 / k as f64).sqrt();
    Fitted {
        mean: (0..h).map(|j| profile[j % m]).collect(),
        sigma: vec![s; h],
        residuals,
        slope: None,
    }
}

/// y = a + b t by least squares, with what its prediction interval needs.
struct Line {
    a: f64,
    b: f64,
    n: f64,
    t_mean: f64,
    sxx: f64,
}

impl Line {
    fn fit(y: &[f64]) -> Line {
        let n = y.len() as f64;
        let t_mean = (n - 1.0) / 2.0;
        let y_mean = y.iter().sum::<f64>() / n;
        let (mut sxy, mut sxx) = (0.0, 0.0);
        for (t, v) in y.iter().enumerate() {
            let dt = t as f64 - t_mean;
            sxy += dt * (v - y_mean);
            sxx += dt * dt;
        }
        let b = if sxx > 0.0 { sxy / sxx } else { 0.0 };
        Line {
            a: y_mean - b * t_mean,
            b,
            n,
            t_mean,
            sxx: sxx.max(1e-300),
        }
    }

    fn at(&self, t: f64) -> f64 {
        self.a + self.b * t
    }

    /// Regression prediction interval: s^2 (1 + 1/n + (t - t_mean)^2 / Sxx).
    fn forecast(&self, n: usize, h: usize, residuals: Vec<f64>) -> Fitted {
        let s2 = residuals.iter().map(|r| r * r).sum::<f64>() / (self.n - 2.0).max(1.0);
        let t = |j: usize| (n + j) as f64;
        Fitted {
            mean: (0..h).map(|j| self.at(t(j))).collect(),
            sigma: (0..h)
                .map(|j| (s2 * (1.0 + 1.0 / self.n + (t(j) - self.t_mean).powi(2) / self.sxx)).sqrt())
                .collect(),
            residuals,
            slope: Some(self.b),
        }
    }
}

const ALPHAS: [f64; 5] = [0.02, 0.05, 0.1, 0.2, 0.4];
const BETAS: [f64; 3] = [0.0, 0.01, 0.05];
const GAMMAS: [f64; 4] = [0.01, 0.05, 0.1, 0.3];
const PHI: f64 = 0.98;

/// Holt-Winters with a damped trend, parameters by grid search on one-step squared
/// error (Hyndman & Athanasopoulos, FPP3 8.3). With `seasonal` false (m = 1) it is
/// Holt's damped trend.
fn holt_winters(y: &[f64], m: usize, multiplicative: bool, h: usize, seasonal: bool) -> Fitted {
    let gammas: &[f64] = if seasonal { &GAMMAS } else { &[0.0] };
    let mut best: Option<(f64, [f64; 3])> = None;
    for &alpha in &ALPHAS {
        for &beta in &BETAS {
            for &gamma in gammas {
                let sse = Smoother::run(y, m, multiplicative, seasonal, [alpha, beta, gamma]).sse;
                if best.is_none_or(|(b, _)| sse < b) {
                    best = Some((sse, [alpha, beta, gamma]));
                }
            }
        }
    }
    let params = best.map(|(_, p)| p).unwrap_or([0.1, 0.01, 0.05]);
    let state = Smoother::run(y, m, multiplicative, seasonal, params);
    let [alpha, beta, gamma] = params;
    let s2 = state.sse / (y.len().saturating_sub(m + 3).max(1)) as f64;
    // Class-1 variance: s^2 (1 + sum_{j<h} c_j^2), c_j = alpha (1 + beta phi_j) + gamma [j mod m = 0].
    let mut sum = 0.0;
    let mut damp = 0.0;
    let sigma = (0..h)
        .map(|j| {
            if j > 0 {
                damp += PHI.powi(j as i32);
                let c = alpha * (1.0 + beta * damp) + if seasonal && j % m == 0 { gamma } else { 0.0 };
                sum += c * c;
            }
            (s2 * (1.0 + sum)).sqrt()
        })
        .collect();
    Fitted {
        mean: state.project(h),
        sigma,
        residuals: state.residuals,
        slope: Some(state.trend),
    }
}

/// One pass of the Holt-Winters recursions.
struct Smoother {
    level: f64,
    trend: f64,
    season: Vec<f64>,
    multiplicative: bool,
    n: usize,
    sse: f64,
    residuals: Vec<f64>,
}

impl Smoother {
    fn run(y: &[f64], m: usize, multiplicative: bool, seasonal: bool, [alpha, beta, gamma]: [f64; 3]) -> Smoother {
        let m = if seasonal { m } else { 1 };
        let first: f64 = y[..m].iter().sum::<f64>() / m as f64;
        let second: f64 = if y.len() >= 2 * m {
            y[m..2 * m].iter().sum::<f64>() / m as f64
        } else {
            first
        };
        let neutral = if multiplicative { 1.0 } else { 0.0 };
        let season: Vec<f64> = if seasonal {
            y[..m]
                .iter()
                .map(|v| if multiplicative { v / first } else { v - first })
                .collect()
        } else {
            vec![neutral]
        };
        let mut s = Smoother {
            level: first,
            trend: (second - first) / m as f64,
            season,
            multiplicative,
            n: 0,
            sse: 0.0,
            residuals: Vec::with_capacity(y.len()),
        };
        for (t, &v) in y.iter().enumerate() {
            let p = t % m;
            let base = s.level + PHI * s.trend;
            if multiplicative && !(base > 0.0 && s.season[p] > 0.0) {
                // Multiplicative smoothing is undefined once the level or a factor
                // leaves the positive numbers: this parameter set has failed.
                s.sse = f64::INFINITY;
                break;
            }
            let predicted = if multiplicative {
                base * s.season[p]
            } else {
                base + s.season[p]
            };
            let error = v - predicted;
            s.sse += error * error;
            s.residuals.push(error);
            let deseasoned = if multiplicative {
                v / s.season[p]
            } else {
                v - s.season[p]
            };
            let level = alpha * deseasoned + (1.0 - alpha) * base;
            s.trend = beta * (level - s.level) + (1.0 - beta) * PHI * s.trend;
            if seasonal {
                let detrended = if multiplicative { v / base } else { v - base };
                s.season[p] = gamma * detrended + (1.0 - gamma) * s.season[p];
            }
            s.level = level;
            s.n = t + 1;
        }
        if !s.sse.is_finite() {
            s.sse = f64::INFINITY;
        }
        s
    }

    fn project(&self, h: usize) -> Vec<f64> {
        let m = self.season.len();
        let mut damp = 0.0;
        (0..h)
            .map(|j| {
                damp += PHI.powi(j as i32 + 1);
                let base = self.level + damp * self.trend;
                let s = self.season[(self.n + j) % m];
                if self.multiplicative {
                    base * s
                } else {
                    base + s
                }
            })
            .collect()
    }
}

/// MSTL-like: seasonal components by phase means of the detrended series, refined by
/// backfitting; a trend model on what remains. (Bandara, Hyndman & Bergmeir 2021,
/// with phase means in place of loess.)
fn decomposition(y: &[f64], seasons: &[usize], trend: Trend, h: usize) -> Fitted {
    let n = y.len();
    let mut seasons: Vec<usize> = seasons.to_vec();
    seasons.sort_unstable();
    let window = *seasons.last().unwrap_or(&1);
    let mut smooth = moving_average(y, window);
    let mut components: Vec<Vec<f64>> = seasons.iter().map(|&m| vec![0.0; m]).collect();
    for _ in 0..2 {
        for i in 0..seasons.len() {
            let others = |t: usize| -> f64 {
                (0..seasons.len())
                    .filter(|&k| k != i)
                    .map(|k| components[k][t % seasons[k]])
                    .sum()
            };
            let detrended: Vec<f64> = (0..n).map(|t| y[t] - smooth[t] - others(t)).collect();
            components[i] = phase_means(&detrended, seasons[i]);
        }
        let deseasoned: Vec<f64> = (0..n).map(|t| y[t] - seasonal_at(&components, &seasons, t)).collect();
        smooth = moving_average(&deseasoned, seasons[0]);
    }
    let deseasoned: Vec<f64> = (0..n).map(|t| y[t] - seasonal_at(&components, &seasons, t)).collect();
    let noise: Vec<f64> = (0..n).map(|t| deseasoned[t] - smooth[t]).collect();
    // Seasonal estimates average this many cycles; their error adds to every forecast.
    let cycles = (n / window).max(1) as f64;
    let base = match trend {
        Trend::Linear => {
            let line = Line::fit(&deseasoned);
            line.forecast(n, h, noise.clone())
        }
        Trend::Damped => holt_winters(&deseasoned, 1, false, h, false),
        Trend::Level => level_forecast(&deseasoned, &noise, seasons[0], h),
    };
    let mean = (0..h)
        .map(|j| base.mean[j] + seasonal_at(&components, &seasons, n + j))
        .collect();
    let s2 = variance(&noise);
    let sigma = base.sigma.iter().map(|s| (s * s + s2 / cycles).sqrt()).collect();
    Fitted {
        mean,
        sigma,
        residuals: noise,
        slope: base.slope,
    }
}

/// The mean of the last cycle, held flat; its error grows as the level wanders from
/// cycle to cycle (the variance of the change between consecutive cycle means).
fn level_forecast(z: &[f64], noise: &[f64], m: usize, h: usize) -> Fitted {
    let n = z.len();
    let last = &z[n.saturating_sub(m)..];
    let level = last.iter().sum::<f64>() / last.len() as f64;
    let cycle_means: Vec<f64> = z
        .chunks(m)
        .filter(|c| c.len() == m)
        .map(|c| c.iter().sum::<f64>() / m as f64)
        .collect();
    let drift: Vec<f64> = cycle_means.windows(2).map(|w| w[1] - w[0]).collect();
    let drift_var = if drift.is_empty() {
        0.0
    } else {
        drift.iter().map(|d| d * d).sum::<f64>() / drift.len() as f64
    };
    let s2 = variance(noise);
    Fitted {
        mean: vec![level; h],
        sigma: (0..h)
            .map(|j| (s2 * (1.0 + 1.0 / m as f64) + drift_var * (j as f64 + 1.0) / m as f64).sqrt())
            .collect(),
        residuals: noise.to_vec(),
        slope: Some(0.0),
    }
}

fn seasonal_at(components: &[Vec<f64>], seasons: &[usize], t: usize) -> f64 {
    components.iter().zip(seasons).map(|(c, m)| c[t % m]).sum()
}

/// Mean of each phase over all cycles, centred to sum to zero.
fn phase_means(x: &[f64], m: usize) -> Vec<f64> {
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (t, v) in x.iter().enumerate() {
        sums[t % m] += v;
        counts[t % m] += 1;
    }
    let means: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, c)| if *c > 0 { s / *c as f64 } else { 0.0 })
        .collect();
    let centre = means.iter().sum::<f64>() / m as f64;
    means.iter().map(|v| v - centre).collect()
}

/// Centred moving average over `w` points, the window shrinking at the ends.
fn moving_average(x: &[f64], w: usize) -> Vec<f64> {
    let n = x.len();
    let mut prefix = vec![0.0; n + 1];
    for (i, v) in x.iter().enumerate() {
        prefix[i + 1] = prefix[i] + v;
    }
    let half = w / 2;
    (0..n)
        .map(|t| {
            let (lo, hi) = (t.saturating_sub(half), (t + w - half).min(n));
            (prefix[hi] - prefix[lo]) / (hi - lo) as f64
        })
        .collect()
}

use crate::stats::median;

fn variance(x: &[f64]) -> f64 {
    let mean = x.iter().sum::<f64>() / x.len().max(1) as f64;
    x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (x.len().max(2) - 1) as f64
}

fn rms(x: &[f64]) -> f64 {
    (x.iter().map(|v| v * v).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seasonal_series(n: usize) -> Vec<f64> {
        (0..n)
            .map(|t| 10.0 + 0.01 * t as f64 + 3.0 * (2.0 * std::f64::consts::PI * t as f64 / 24.0).sin())
            .collect()
    }

    #[test]
    fn noiseless_series_are_forecast_exactly() {
        let y = seasonal_series(24 * 20);
        let truth = seasonal_series(24 * 21);
        // Holt-Winters' grid of smoothing parameters leaves it a little behind the truth.
        for (method, tolerance) in [
            (
                Method::Decomposition {
                    seasons: vec![24],
                    trend: Trend::Linear,
                },
                0.15,
            ),
            (
                Method::HoltWinters {
                    season: 24,
                    multiplicative: false,
                },
                0.3,
            ),
        ] {
            let f = forecast(&method, &y, 24);
            for j in 0..24 {
                let error = (f.mean[j] - truth[y.len() + j]).abs();
                assert!(error < tolerance, "{}: step {j} off by {error}", method.label());
            }
        }
        let linear = forecast(
            &Method::Decomposition {
                seasons: vec![24],
                trend: Trend::Linear,
            },
            &y,
            1,
        );
        assert!((linear.slope.unwrap() - 0.01).abs() < 1e-4);
    }

    #[test]
    fn seasonal_naive_repeats_the_last_cycle() {
        let y: Vec<f64> = (0..10).map(f64::from).collect();
        let f = forecast(&Method::SeasonalNaive { season: 4 }, &y, 6);
        assert_eq!(f.mean, vec![6.0, 7.0, 8.0, 9.0, 6.0, 7.0]);
        assert!(f.sigma[4] > f.sigma[3]);
    }

    #[test]
    fn seasonal_median_ignores_bursts() {
        // Phase 1 of a 3-step cycle bursts to 100 once in 5 cycles.
        let y = [
            1.0, 2.0, 3.0, 1.0, 100.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0, 3.0,
        ];
        let f = forecast(&Method::SeasonalMedian { season: 3, cycles: 5 }, &y, 4);
        assert_eq!(f.mean, vec![1.0, 2.0, 3.0, 1.0]);
        assert_eq!(f.residuals.len(), 15);
        assert_eq!(f.residuals[4], 98.0);
        let flat = forecast(&Method::SeasonalMedian { season: 1, cycles: 5 }, &y, 2);
        assert_eq!(flat.mean, vec![2.0, 2.0]);
        // Each block of 5 against the median of the one before: 10 residuals, the
        // second block (3, 1, 2, 3, 1) against the first's median 2.
        assert_eq!(flat.residuals.len(), y.len() - 5);
        assert_eq!(flat.residuals[..5], [1.0, -1.0, 0.0, 1.0, -1.0]);
        // The last value held (a block of 1) has the naive method's errors, not none.
        let last = forecast(&Method::SeasonalMedian { season: 1, cycles: 1 }, &y, 2);
        assert_eq!(last.residuals[3], 100.0 - 1.0);
        assert!(last.sigma[0] > 0.0);
    }

    #[test]
    fn sigma_never_shrinks_with_the_horizon() {
        let y = seasonal_series(24 * 10);
        for method in [
            Method::LinearTrend,
            Method::DampedTrend,
            Method::Decomposition {
                seasons: vec![24],
                trend: Trend::Level,
            },
        ] {
            let f = forecast(&method, &y, 48);
            assert!(f.sigma.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{}", method.label());
        }
    }
}
