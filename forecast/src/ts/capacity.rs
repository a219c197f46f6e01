//! Capacity answers from a forecast: the peak over a window estimated as the maximum of
//! simulated future paths (not read off the mean path), and the runway, the first time
//! the forecast crosses a threshold.

use super::models::Fitted;
use rand::{Rng, SeedableRng};
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

/// A peak: the median of the simulated maxima with 80% and 95% intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeakBand {
    pub value: f64,
    pub lo80: f64,
    pub hi80: f64,
    pub lo95: f64,
    pub hi95: f64,
    /// Step (from the forecast start) where the mean path is highest in the window.
    pub at_step: usize,
}

const PATHS: usize = 400;
const SEED: u64 = 0x5EED;

/// Where a path's noise comes from: whole blocks of `block` steps (a day), drawn from
/// the last `recent_blocks` of the history's residuals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Noise {
    pub block: usize,
    pub recent_blocks: usize,
}

impl Noise {
    /// Days of noise, the most recent: a week, or two of the longest season's cycles
    /// when that is longer, so that each kind of day is drawn from at least twice and a
    /// burst or regime long past does not set the next peak. (On ../shared/data: nab's
    /// median |peak error| 11.3% with all history, 6.3% with this; weekly's 45.6% and
    /// 14.6%; BENCHMARKS.md has the sensitivity.)
    pub fn recent(day: usize, seasons: &[usize]) -> Noise {
        let longest = seasons.iter().copied().max().unwrap_or(1);
        let day = day.max(1);
        Noise {
            block: day,
            recent_blocks: 7.max((2 * longest).div_ceil(day)),
        }
    }
}

/// Peaks over each `[start, end)` window of steps. A path is the mean plus a shared
/// drift term (the part of sigma the residuals do not explain) plus residuals drawn from
/// the recent history in whole blocks (`noise`: a day each), each taken from the same
/// time of day as the steps it fills (a seasonal block bootstrap). The spread matches sigma
/// and the noise keeps the data's bursts, their clustering and their time of day: a
/// day's peak is drawn like a past day's, not as the worst of independent draws.
pub fn peaks(fit: &Fitted, windows: &[(usize, usize)], noise: Noise) -> Vec<PeakBand> {
    peaks_with_spikes(fit, windows, noise, &[])
}

/// `peaks`, with `spikes` (residual index, size) added back to the noise after it is
/// centred and measured: a block that holds a spike's step carries the spike.
pub fn peaks_with_spikes(
    fit: &Fitted,
    windows: &[(usize, usize)],
    noise: Noise,
    spikes: &[(usize, f64)],
) -> Vec<PeakBand> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let centre = fit.residuals.iter().sum::<f64>() / fit.residuals.len().max(1) as f64;
    let residuals: Vec<f64> = fit.residuals.iter().map(|r| r - centre).collect();
    let noise_var = residuals.iter().map(|r| r * r).sum::<f64>() / residuals.len().max(1) as f64;
    let drift: Vec<f64> = fit.sigma.iter().map(|s| (s * s - noise_var).max(0.0).sqrt()).collect();
    let horizon = windows.iter().map(|w| w.1).max().unwrap_or(0);
    let block = noise.block.clamp(1, residuals.len().max(1));
    let mut path_noise = vec![0.0; horizon];
    let mut maxima = vec![Vec::with_capacity(PATHS); windows.len()];
    for _ in 0..PATHS {
        let z: f64 = rng.sample(StandardNormal);
        if !residuals.is_empty() {
            // Residuals end where the history ends: a block a whole number of blocks
            // back starts at the same time of day as the forecast chunk it fills.
            let whole_blocks = (residuals.len() / block).min(noise.recent_blocks).max(1);
            for chunk in path_noise.chunks_mut(block) {
                let from = residuals.len() - rng.random_range(1..=whole_blocks) * block;
                let len = chunk.len();
                chunk.copy_from_slice(&residuals[from..from + len]);
                for &(at, size) in spikes {
                    if (from..from + len).contains(&at) {
                        chunk[at - from] += size;
                    }
                }
            }
        }
        for (w, &(start, end)) in windows.iter().enumerate() {
            let max = (start..end)
                .map(|t| fit.mean[t] + drift[t] * z + path_noise[t])
                .fold(f64::NEG_INFINITY, f64::max);
            maxima[w].push(max);
        }
    }
    windows
        .iter()
        .zip(maxima.iter_mut())
        .map(|(&(start, end), m)| {
            m.sort_by(f64::total_cmp);
            let q = |p: f64| m[((p * (m.len() - 1) as f64).round() as usize).min(m.len() - 1)];
            let at_step = (start..end)
                .max_by(|&a, &b| fit.mean[a].total_cmp(&fit.mean[b]))
                .unwrap_or(start);
            PeakBand {
                value: q(0.5),
                lo80: q(0.1),
                hi80: q(0.9),
                lo95: q(0.025),
                hi95: q(0.975),
                at_step,
            }
        })
        .collect()
}

/// First step at which `path` reaches `threshold`.
pub fn first_crossing(path: &[f64], threshold: f64) -> Option<usize> {
    path.iter().position(|v| *v >= threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_of_pure_noise_is_above_the_mean() {
        // Mean 10, residuals +-1: the maximum of 100 steps is almost surely 11.
        let fit = Fitted {
            mean: vec![10.0; 100],
            sigma: vec![1.0; 100],
            residuals: vec![-1.0, 1.0],
            slope: None,
        };
        let p = &peaks(
            &fit,
            &[(0, 100)],
            Noise {
                block: 1,
                recent_blocks: usize::MAX,
            },
        )[0];
        assert!((p.value - 11.0).abs() < 1e-9, "{p:?}");
        assert!(p.lo95 <= p.value && p.value <= p.hi95);
        // Blocks keep a burst's neighbourhood: with one burst in a long quiet history,
        // a one-step window rarely sees it, but its block always holds it whole.
        let bursty = Fitted {
            mean: vec![0.0; 4],
            sigma: vec![0.0; 4],
            residuals: (0..40).map(|t| if t == 20 { 10.0 } else { 0.0 }).collect(),
            slope: None,
        };
        let p = &peaks(
            &bursty,
            &[(0, 4)],
            Noise {
                block: 4,
                recent_blocks: usize::MAX,
            },
        )[0];
        assert!(p.value < 1.0 && p.hi95 > 5.0, "{p:?}");
        assert_eq!(first_crossing(&[1.0, 2.0, 3.0], 2.5), Some(2));
        assert_eq!(first_crossing(&[1.0], 2.5), None);
    }
}
