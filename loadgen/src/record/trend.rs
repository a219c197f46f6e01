//! Steady state: whether a hold's latency was still climbing (Mann-Kendall with the
//! Theil-Sen slope).

/// Whether a step's latency was still climbing through its hold: the Mann-Kendall trend
/// test on the per-second means (Kendall 1975: S = sum of sign(x_j - x_i) over i < j,
/// Var S = n (n - 1) (2n + 5) / 18), with the Theil-Sen slope for the size of the rise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatencyTrend {
    /// Mann-Kendall's standard normal score (continuity-corrected).
    pub z: f64,
    /// The Theil-Sen rise over the hold, as a share of the median second.
    pub rise: f64,
}

impl LatencyTrend {
    /// Fewest whole seconds a hold needs before its trend is judged.
    pub const MIN_SECONDS: usize = 6;
    /// One-sided 1% level of the standard normal.
    const Z_CRITICAL: f64 = 2.326;
    /// A rise smaller than this share of the median is noise, whatever its z.
    const MATERIAL_RISE: f64 = 0.2;

    pub fn of(seconds: &[f64]) -> Option<LatencyTrend> {
        let n = seconds.len();
        if n < Self::MIN_SECONDS {
            return None;
        }
        let mut s = 0.0;
        let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
        for i in 0..n {
            for j in i + 1..n {
                let d = seconds[j] - seconds[i];
                s += d.signum() * f64::from(u8::from(d != 0.0));
                slopes.push(d / (j - i) as f64);
            }
        }
        let n_f = n as f64;
        let var_s = n_f * (n_f - 1.0) * (2.0 * n_f + 5.0) / 18.0;
        let z = (s - s.signum()) / var_s.sqrt();
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let slope = median(&mut slopes);
        let level = median(&mut seconds.to_vec());
        let rise = if level > 0.0 { slope * (n_f - 1.0) / level } else { 0.0 };
        Some(LatencyTrend { z, rise })
    }

    pub fn rising(&self) -> bool {
        self.z > Self::Z_CRITICAL && self.rise > Self::MATERIAL_RISE
    }

    pub(super) fn note(&self) -> String {
        format!(
            "not at steady state: latency rose {:.0}% through the hold (Mann-Kendall z {:.1}); \
             its percentiles understate the queue (hold longer, or the load is past capacity)",
            self.rise * 100.0,
            self.z
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_climbing_hold_is_not_at_steady_state() {
        // A queue past capacity: latency grows linearly, 10 ms more every second.
        let climbing: Vec<f64> = (0..10).map(|i| 20.0 + 10.0 * i as f64).collect();
        let t = LatencyTrend::of(&climbing).unwrap();
        // All 45 pairs rise: S = 45, Var S = 10 * 9 * 25 / 18 = 125, z = 44 / sqrt(125).
        assert!((t.z - 44.0 / 125f64.sqrt()).abs() < 1e-9, "z {}", t.z);
        // Slope 10 ms/s over 9 s against a median of 70 ms.
        assert!((t.rise - 90.0 / 70.0).abs() < 1e-9, "rise {}", t.rise);
        assert!(t.rising());
    }

    #[test]
    fn a_level_or_short_hold_is_not_called_rising() {
        // Noise around a level (alternating), and a small steady creep of 1%.
        let level: Vec<f64> = (0..20).map(|i| if i % 2 == 0 { 10.0 } else { 12.0 }).collect();
        assert!(!LatencyTrend::of(&level).unwrap().rising());
        let creep: Vec<f64> = (0..20).map(|i| 10.0 + 0.01 * i as f64).collect();
        let t = LatencyTrend::of(&creep).unwrap();
        assert!(t.z > 5.0 && !t.rising(), "{t:?}");
        assert_eq!(LatencyTrend::of(&[1.0, 2.0, 3.0, 4.0, 5.0]), None);
    }
}
