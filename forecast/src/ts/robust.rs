//! Robust preparation of a history before it is fitted: spikes and level shifts.
//!
//! Spikes are a few points far from a rolling median (more than `SPIKE_MADS` robust
//! standard deviations, 1.4826 x MAD, of the residuals from it, and three times further
//! than all but the four furthest points, so recurring bursts stay): for the fit they are replaced by
//! the median, so they shape neither the seasonal profile nor the residuals that drive
//! the simulated peaks. A level shift is a single L1 changepoint near the end of the
//! deseasonalised series whose new level persists to the end (nearly every later point
//! on the new side): when enough history follows it the fit uses only that stretch,
//! otherwise the history before it is moved to the new level, so every model follows
//! the last level. A trend change is a hinge in the deseasonalised series' cycle means
//! (two joined lines fitted far better than one), reported with both slopes.

/// A spike is this many robust standard deviations from the rolling median ...
const SPIKE_MADS: f64 = 15.0;
/// ... and this many times further than any but the `MAX_SPIKES` furthest points.
const SPIKE_OVER_REST: f64 = 3.0;
const MAX_SPIKES: usize = 4;
/// A shift must exceed this many robust standard deviations of the noise ...
const SHIFT_MADS: f64 = 4.0;
/// ... with at least this share of the later points on its new side.
const SHIFT_PERSISTENCE: f64 = 0.9;
/// A hinge must leave at most this share of a straight line's squared misfit ...
const HINGE_MISFIT: f64 = 0.25;
/// ... and the two lines must part by this many residual standard deviations by the end.
const HINGE_SDS: f64 = 4.0;
/// Cycles at least on each side of a trend change.
const HINGE_CYCLES: usize = 3;
/// Robust standard deviation of a normal sample from its MAD.
const MAD_TO_SD: f64 = 1.4826;

/// A lasting change of level at step `at` by `delta` (new minus old).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub at: usize,
    pub delta: f64,
}

/// The median of the finite values (0 for none).
fn median(x: &[f64]) -> f64 {
    let finite: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    crate::stats::median(&finite)
}

/// The median of the `width` points centred on each point (fewer at the ends).
fn rolling_median(y: &[f64], width: usize) -> Vec<f64> {
    let half = width / 2;
    (0..y.len())
        .map(|t| median(&y[t.saturating_sub(half)..(t + half + 1).min(y.len())]))
        .collect()
}

/// Robust standard deviation: 1.4826 x the median absolute deviation from the median.
fn robust_sd(x: &[f64]) -> f64 {
    let m = median(x);
    let deviations: Vec<f64> = x.iter().map(|v| (v - m).abs()).collect();
    MAD_TO_SD * median(&deviations)
}

/// Indices of spikes, and the series with each replaced by its rolling median.
pub fn despike(y: &[f64], width: usize) -> (Vec<f64>, Vec<usize>) {
    let width = width.max(5) | 1;
    let centre = rolling_median(y, width);
    let residuals: Vec<f64> = y.iter().zip(&centre).map(|(v, c)| v - c).collect();
    // Most residuals exactly 0 (a flat or smooth series) leave the MAD at 0: the mean
    // absolute deviation (x 1.2533 for a normal) then gives the scale.
    let scale = match robust_sd(&residuals) {
        s if s > 0.0 => s,
        _ => 1.2533 * residuals.iter().map(|r| r.abs()).sum::<f64>() / residuals.len().max(1) as f64,
    };
    if scale.is_nan() || scale <= 0.0 {
        return (y.to_vec(), Vec::new());
    }
    // Bursts that recur are the series' normal behaviour, and its peaks: a spike is one
    // of at most `MAX_SPIKES` points, each beyond `SPIKE_OVER_REST` times every other
    // point's distance from the rolling median.
    let mut sizes: Vec<f64> = residuals.iter().map(|r| r.abs()).collect();
    sizes.sort_by(|a, b| b.total_cmp(a));
    let rest = sizes.get(MAX_SPIKES).copied().unwrap_or(f64::INFINITY);
    let limit = (SPIKE_MADS * scale).max(SPIKE_OVER_REST * rest);
    let spikes: Vec<usize> = (0..y.len()).filter(|&t| residuals[t].abs() > limit).collect();
    let mut cleaned = y.to_vec();
    for &t in &spikes {
        cleaned[t] = centre[t];
    }
    (cleaned, spikes)
}

/// `y` less the seasonal profile of `season` measured on `y[..until]` (the median of
/// each phase there), or `y` itself when that part holds fewer than two cycles.
fn deseasonalise(y: &[f64], season: usize, until: usize) -> Vec<f64> {
    if season < 2 || until < 2 * season {
        return y.to_vec();
    }
    let profile: Vec<f64> = (0..season)
        .map(|p| median(&y[..until].iter().skip(p).step_by(season).copied().collect::<Vec<f64>>()))
        .collect();
    y.iter().enumerate().map(|(t, v)| v - profile[t % season]).collect()
}

/// Sum of absolute deviations from the median.
fn l1_cost(x: &[f64]) -> f64 {
    let m = median(x);
    x.iter().map(|v| (v - m).abs()).sum()
}

/// The most points the search for a shift looks back over.
const SEARCH_POINTS: usize = 2000;

/// The last lasting level shift, if one stands out. The search covers the last quarter
/// of the series (at least three of the shortest season, at most half the series), on
/// the series less the longest seasonal profile the part before the search holds
/// twice; the split is the one that minimises the absolute deviations of the two parts
/// from their medians (a single L1 changepoint). It counts when the later part's median
/// differs from the median of an equally long earlier window (at least one season) by
/// more than `SHIFT_MADS` robust standard deviations of that window, with nearly every
/// later point on the new side.
pub fn level_shift(y: &[f64], seasons: &[usize]) -> Option<Shift> {
    let n = y.len();
    let shortest = seasons.iter().copied().min().unwrap_or(1).max(1);
    let span = (3 * shortest).max(n / 4).min(n / 2).min(SEARCH_POINTS);
    let lo = n - span;
    let season = seasons.iter().copied().filter(|m| lo >= 2 * m).max().unwrap_or(1);
    let r = deseasonalise(y, season, lo);
    let shortest_after = (shortest / 12).max(6);
    let split = (lo + shortest_after..n.saturating_sub(shortest_after)).min_by(|&a, &b| {
        let cost = |t: usize| l1_cost(&r[lo..t]) + l1_cost(&r[t..]);
        cost(a).total_cmp(&cost(b))
    })?;
    let after = &r[split..];
    let before = &r[split.saturating_sub(after.len().max(shortest))..split];
    let (old, new) = (median(before), median(after));
    let delta = new - old;
    let noise = robust_sd(before);
    if noise.is_nan() || noise <= 0.0 || delta.abs() <= SHIFT_MADS * noise {
        return None;
    }
    let on_new_side = after.iter().filter(|v| (*v - old) * delta.signum() > 0.0).count();
    (on_new_side as f64 >= SHIFT_PERSISTENCE * after.len() as f64).then_some(Shift { at: split, delta })
}

/// A lasting change of slope at step `at`; slopes in units per step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeChange {
    pub at: usize,
    pub before: f64,
    pub after: f64,
}

/// The trend change that stands out, if one does: the series less its seasonal profile
/// (the longest season it holds twice) is averaged per cycle of its shortest season, and
/// a continuous two-piece line, y = a + b t + c (t - tau)+, is fitted by least squares
/// at every cycle tau with `HINGE_CYCLES` cycles on each side. It counts when the best
/// hinge leaves at most `HINGE_MISFIT` of one line's squared misfit and the two slopes
/// part by `HINGE_SDS` residual standard deviations by the end.
pub fn trend_change(y: &[f64], seasons: &[usize]) -> Option<SlopeChange> {
    let cycle = seasons.iter().copied().min().unwrap_or(1).max(1);
    let season = seasons.iter().copied().filter(|m| y.len() >= 2 * m).max().unwrap_or(1);
    let r = deseasonalise(y, season, y.len());
    let means: Vec<f64> = r
        .chunks_exact(cycle)
        .map(|c| c.iter().sum::<f64>() / cycle as f64)
        .collect();
    let m = means.len();
    if m < 2 * HINGE_CYCLES + 2 {
        return None;
    }
    let t: Vec<f64> = (0..m).map(|i| i as f64).collect();
    let (_, line_misfit) = least_squares(&means, |i| vec![1.0, t[i]]);
    let (tau, (hinge, misfit)) = (HINGE_CYCLES..=m - HINGE_CYCLES)
        .map(|k| {
            (
                k,
                least_squares(&means, |i| vec![1.0, t[i], (t[i] - k as f64).max(0.0)]),
            )
        })
        .min_by(|a, b| a.1 .1.total_cmp(&b.1 .1))?;
    // A line that fits exactly (no noise) has no change to find.
    let scale: f64 = means.iter().map(|v| v * v).sum();
    if line_misfit.is_nan() || line_misfit <= 1e-9 * scale {
        return None;
    }
    let residual_sd = (misfit / (m - 3) as f64).sqrt();
    let parted = hinge[2].abs() * (m - tau) as f64;
    (misfit <= HINGE_MISFIT * line_misfit && parted > HINGE_SDS * residual_sd).then(|| SlopeChange {
        at: tau * cycle,
        before: hinge[1] / cycle as f64,
        after: (hinge[1] + hinge[2]) / cycle as f64,
    })
}

/// Ordinary least squares of `y` on the regressors `x(i)` (2 or 3 of them), by the
/// normal equations: the coefficients and the residual sum of squares.
fn least_squares(y: &[f64], x: impl Fn(usize) -> Vec<f64>) -> (Vec<f64>, f64) {
    let rows: Vec<Vec<f64>> = (0..y.len()).map(&x).collect();
    let p = rows[0].len();
    let mut a = [[0.0; 3]; 3];
    let mut b = [0.0; 3];
    for (row, yi) in rows.iter().zip(y) {
        for j in 0..p {
            b[j] += row[j] * yi;
            for k in 0..p {
                a[j][k] += row[j] * row[k];
            }
        }
    }
    // A 2-parameter fit: the third regressor is absent, pinned to 0 by an identity row.
    for (j, row) in a.iter_mut().enumerate().skip(p) {
        row[j] = 1.0;
    }
    let Some(beta) = crate::linalg::solve3(a, b) else {
        return (vec![0.0; p], f64::INFINITY);
    };
    let misfit = rows
        .iter()
        .zip(y)
        .map(|(row, yi)| (yi - (0..p).map(|j| row[j] * beta[j]).sum::<f64>()).powi(2))
        .sum();
    (beta[..p].to_vec(), misfit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A daily cycle of 24 steps with noise that repeats every 7 steps.
    fn cycle(t: usize) -> f64 {
        100.0 + 20.0 * (t as f64 * std::f64::consts::TAU / 24.0).sin() + [0.0, 1.5, -1.0, 0.5, -2.0, 1.0, 0.0][t % 7]
    }

    #[test]
    fn a_spike_is_replaced_and_named() {
        let mut y: Vec<f64> = (0..24 * 10).map(cycle).collect();
        y[100] *= 1000.0;
        let (clean, spikes) = despike(&y, 5);
        assert_eq!(spikes, vec![100]);
        assert!(
            (clean[100] - cycle(100)).abs() < 6.0,
            "{} vs {}",
            clean[100],
            cycle(100)
        );
        // The ordinary cycle has none.
        let (_, none) = despike(&(0..240).map(cycle).collect::<Vec<f64>>(), 5);
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn a_lasting_shift_near_the_end_is_found_and_noise_is_not() {
        // Ten days, then +50 for the last 36 hours.
        let y: Vec<f64> = (0..24 * 10)
            .map(|t| cycle(t) + if t >= 24 * 10 - 36 { 50.0 } else { 0.0 })
            .collect();
        let shift = level_shift(&y, &[24]).unwrap();
        assert_eq!(shift.at, 24 * 10 - 36);
        assert!((shift.delta - 50.0).abs() < 3.0, "{shift:?}");
        assert_eq!(level_shift(&(0..240).map(cycle).collect::<Vec<f64>>(), &[24]), None);
        // A burst that returns to the old level is no lasting shift.
        let burst: Vec<f64> = (0..240)
            .map(|t| cycle(t) + if (200..210).contains(&t) { 50.0 } else { 0.0 })
            .collect();
        assert_eq!(level_shift(&burst, &[24]), None);
    }

    #[test]
    fn a_trend_change_is_found_and_a_straight_trend_is_not() {
        // Flat for 20 days, then rising 2 a day for the last 8.
        let y: Vec<f64> = (0..24 * 28)
            .map(|t| {
                cycle(t)
                    + if t >= 24 * 20 {
                        2.0 * (t - 24 * 20) as f64 / 24.0
                    } else {
                        0.0
                    }
            })
            .collect();
        let change = trend_change(&y, &[24]).unwrap();
        assert!((change.at as i64 - 24 * 20).abs() <= 24, "{change:?}");
        assert!(change.before.abs() * 24.0 < 0.3, "{change:?}");
        assert!((change.after * 24.0 - 2.0).abs() < 0.3, "{change:?}");
        let straight: Vec<f64> = (0..24 * 28).map(|t| cycle(t) + t as f64 / 24.0).collect();
        assert_eq!(trend_change(&straight, &[24]), None);
        assert_eq!(
            trend_change(&(0..24 * 28).map(cycle).collect::<Vec<f64>>(), &[24]),
            None
        );
    }
}
