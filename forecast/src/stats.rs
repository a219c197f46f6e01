//! Sample quantiles, defined once for the crate: the interpolated quantile (Hyndman and
//! Fan's type 7, R's and numpy's default) for the small samples of utilisation and
//! forecasting, and the order statistic for the simulation's hundreds of thousands of
//! draws, where it is found in linear time and the two differ by less than the sampling
//! error.

/// Type 7 quantile of sorted data: linear between the order statistics around
/// (n - 1) q. 0 for no data.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// `x` sorted ascending.
pub fn sorted(x: &[f64]) -> Vec<f64> {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The type 7 median: the middle value, or the mean of the two middle values.
pub fn median(x: &[f64]) -> f64 {
    quantile_sorted(&sorted(x), 0.5)
}

/// The order statistic of rank floor(q n) (0-based), by selection in O(n).
pub fn order_statistic(mut v: Vec<f64>, q: f64) -> f64 {
    let k = ((q * v.len() as f64) as usize).min(v.len() - 1);
    *v.select_nth_unstable_by(k, f64::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// R: quantile(c(1, 2, 3, 4, 10), c(0.25, 0.9)) gives 2 and 7.6 (type 7).
    #[test]
    fn type_7_as_r_computes_it() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert!((quantile_sorted(&x, 0.25) - 2.0).abs() < 1e-12);
        assert!((quantile_sorted(&x, 0.9) - 7.6).abs() < 1e-12);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(order_statistic(vec![5.0, 1.0, 4.0, 2.0, 3.0], 0.5), 3.0);
    }
}
