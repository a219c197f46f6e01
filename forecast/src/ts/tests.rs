//! Forecasts of synthetic series generated with a known trend, daily and weekly
//! seasonality and Gaussian noise, over many seeds.

use super::*;
use rand::SeedableRng;
use rand_distr::{Distribution, Normal as Gaussian};

const STEP: i64 = 3600;
const DAY: usize = 24;
const WEEK: usize = 168;
const SLOPE_PER_DAY: f64 = 0.5;

fn truth(t: usize) -> f64 {
    let tau = std::f64::consts::TAU;
    50.0 + SLOPE_PER_DAY * t as f64 / DAY as f64
        + 8.0 * (tau * t as f64 / DAY as f64).sin()
        + 4.0 * (tau * t as f64 / WEEK as f64).cos()
}

fn series(seed: u64, n: usize) -> Vec<f64> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let noise = Gaussian::new(0.0, 2.0).unwrap();
    (0..n + WEEK).map(|t| truth(t) + noise.sample(&mut rng)).collect()
}

#[test]
fn recovers_trend_and_covers_with_its_intervals() {
    let n = 6 * WEEK;
    let (mut inside, mut total) = (0usize, 0usize);
    for seed in 0..20 {
        let y = series(seed, n);
        let history = Regular {
            start: 0,
            step: STEP,
            values: y[..n].to_vec(),
        };
        let f = forecast_series("s", &history, Cleaning::default(), WEEK, None).unwrap();
        assert_eq!(f.seasons, vec![DAY, WEEK], "seed {seed}");
        let slope = f.trend_per_day.unwrap();
        assert!(
            (slope - SLOPE_PER_DAY).abs() / SLOPE_PER_DAY < 0.05,
            "seed {seed}: slope {slope} with {}",
            f.model
        );
        let actual = &y[n..];
        let mase = metrics::mase(actual, &f.bands.mean, &history.values, DAY).unwrap();
        assert!(mase < 1.0, "seed {seed}: MASE {mase} with {}", f.model);
        for (j, a) in actual.iter().enumerate() {
            inside += usize::from(f.bands.lo95[j] <= *a && *a <= f.bands.hi95[j]);
            total += 1;
        }
    }
    let coverage = inside as f64 / total as f64;
    assert!((0.90..=0.99).contains(&coverage), "95% interval coverage {coverage}");
}

#[test]
fn runway_finds_the_crossing_and_says_when_there_is_none() {
    let n = 4 * WEEK;
    let y = series(1, n);
    let history = Regular {
        start: 0,
        step: STEP,
        values: y[..n].to_vec(),
    };
    // The daily peak of the truth climbs 0.5 a day: 50 + 8 + 4 + 0.5 d. A threshold a
    // few days past the history's end is crossed within a 30-day horizon.
    let f = forecast_series("s", &history, Cleaning::default(), 30 * DAY, Some(82.0)).unwrap();
    let runway = f.runway.clone().unwrap();
    let mean_at = runway.mean_crosses_at.expect("crosses within the horizon");
    let upper_at = runway.upper95_crosses_at.unwrap();
    assert!(upper_at <= mean_at, "the upper bound crosses first");
    let first_true = (n..n + 30 * DAY).find(|&t| truth(t) >= 82.0).unwrap() as i64 * STEP;
    assert!(
        (mean_at - first_true).abs() <= 2 * 86_400,
        "mean crosses at {mean_at}, truth at {first_true}"
    );
    let far = forecast_series("s", &history, Cleaning::default(), 30 * DAY, Some(1e6)).unwrap();
    assert_eq!(far.runway.unwrap().mean_crosses_at, None);
    assert_eq!(f.weekly_peaks.len(), 5);
    assert!(f.peak.value >= f.weekly_peaks[0].value);
}

#[test]
fn short_history_falls_back_with_a_note() {
    let y = series(3, 10 * DAY);
    let history = Regular {
        start: 0,
        step: STEP,
        values: y[..10 * DAY].to_vec(),
    };
    let f = forecast_series("s", &history, Cleaning::default(), DAY, None).unwrap();
    assert_eq!(f.seasons, vec![DAY]);
    assert!(
        f.notes
            .iter()
            .any(|n| n.contains("too short for weekly seasonality") && n.contains("using daily")),
        "{:?}",
        f.notes
    );
    assert_eq!(
        forecast_series("s", &history, Cleaning::default(), 0, None).unwrap_err(),
        ForecastError::ZeroHorizon
    );
}
