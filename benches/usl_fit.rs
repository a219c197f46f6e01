//! Fitting 10,000 USL curves (one per service) with rayon, against the same fits one by
//! one on a single thread, side by side. Curves are generated with known coefficients
//! and 2% multiplicative noise from a fixed seed. Prints the timings and the ratio.

use headroom_forecast::capacity::usl::{fit, fit_many, Usl};
use std::time::Instant;

fn main() {
    let curves = generate(10_000);
    // Warm up both paths once.
    let _ = fit_many(&curves[..100]);
    let started = Instant::now();
    let parallel = fit_many(&curves);
    let parallel_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let serial: Vec<_> = curves.iter().map(|(n, x)| fit(n, x)).collect();
    let serial_s = started.elapsed().as_secs_f64();
    assert_eq!(parallel, serial);
    let failed = parallel.iter().filter(|r| r.is_err()).count();
    println!(
        "curves,threads,parallel_s,serial_s,speedup,failed\n{},{},{parallel_s:.3},{serial_s:.3},{:.2},{failed}",
        curves.len(),
        rayon::current_num_threads(),
        serial_s / parallel_s
    );
}

/// 10 load levels per curve; sigma, kappa, lambda vary per service.
fn generate(count: usize) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut state = 0x9E3779B97F4A7C15u64;
    let mut uniform = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..count)
        .map(|_| {
            let truth = Usl {
                sigma: 0.005 + 0.1 * uniform(),
                kappa: 1e-5 + 1e-3 * uniform(),
                lambda: 10.0 + 990.0 * uniform(),
            };
            let n: Vec<f64> = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64].map(f64::from).to_vec();
            let x = n
                .iter()
                .map(|n| truth.throughput(*n) * (1.0 + 0.02 * (2.0 * uniform() - 1.0)))
                .collect();
            (n, x)
        })
        .collect()
}
