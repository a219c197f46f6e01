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
        assert!(
            f.trend_change.is_none(),
            "seed {seed}: a straight trend changed: {:?}",
            f.trend_change
        );
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

fn history_of(values: &[f64]) -> Regular {
    Regular {
        start: 1_700_000_000,
        step: STEP,
        values: values.to_vec(),
    }
}

/// The same process 36 hours after a lasting jump of +40: the forecast follows the new
/// level, not the four weeks before it.
#[test]
fn a_level_shift_36_hours_before_the_end_is_followed() {
    let n = 4 * WEEK;
    for seed in 0..5 {
        let mut y = series(seed, n);
        for v in &mut y[n - 36..] {
            *v += 40.0;
        }
        let f = forecast_series("s", &history_of(&y[..n]), Cleaning::default(), DAY, None).unwrap();
        let shift = f
            .level_shift
            .as_ref()
            .unwrap_or_else(|| panic!("seed {seed}: no shift found"));
        assert_eq!(shift.at, 1_700_000_000 + (n as i64 - 36) * STEP, "seed {seed}");
        assert!((shift.delta - 40.0).abs() < 4.0, "seed {seed}: {shift:?}");
        // The truth for the next day is the process plus 40.
        let truth_mean: f64 = (n..n + DAY).map(|t| truth(t) + 40.0).sum::<f64>() / DAY as f64;
        let forecast_mean: f64 = f.bands.mean.iter().sum::<f64>() / DAY as f64;
        assert!(
            (forecast_mean - truth_mean).abs() / truth_mean < 0.05,
            "seed {seed}: forecast {forecast_mean} vs {truth_mean} with {}",
            f.model
        );
    }
    // Without a shift none is reported.
    let f = forecast_series("s", &history_of(&series(9, n)[..n]), Cleaning::default(), DAY, None).unwrap();
    assert!(f.level_shift.is_none(), "{:?}", f.level_shift);
}

/// The process, flat (no trend) for four weeks, then rising 3 a day for the last ten
/// days: the change is reported within a day of where it is, with both slopes.
#[test]
fn a_trend_change_is_reported() {
    const NEW_SLOPE: f64 = 3.0;
    let n = 4 * WEEK + 10 * DAY;
    let at = 4 * WEEK;
    for seed in 0..5 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let noise = Gaussian::new(0.0, 2.0).unwrap();
        let y: Vec<f64> = (0..n)
            .map(|t| {
                let flat = truth(t) - SLOPE_PER_DAY * t as f64 / DAY as f64;
                flat + NEW_SLOPE * t.saturating_sub(at) as f64 / DAY as f64 + noise.sample(&mut rng)
            })
            .collect();
        let f = forecast_series("s", &history_of(&y), Cleaning::default(), DAY, None).unwrap();
        let change = f
            .trend_change
            .as_ref()
            .unwrap_or_else(|| panic!("seed {seed}: no trend change found"));
        let found = (change.at - 1_700_000_000) / STEP;
        assert!(
            (found - at as i64).abs() <= DAY as i64,
            "seed {seed}: change at step {found}, truth {at}"
        );
        assert!(
            (change.after_per_day - NEW_SLOPE).abs() / NEW_SLOPE < 0.15,
            "seed {seed}: {change:?}"
        );
        assert!(change.before_per_day.abs() < 0.5, "seed {seed}: {change:?}");
    }
}

/// One sample 1000 times its neighbours: the peak forecast stays that of the normal
/// process plus its noise.
#[test]
fn one_spike_does_not_inflate_the_peak() {
    let n = 4 * WEEK;
    let y = series(3, n);
    let clean = forecast_series("s", &history_of(&y[..n]), Cleaning::default(), DAY, None).unwrap();
    let mut spiked = y[..n].to_vec();
    spiked[n - 100] *= 1000.0;
    let f = forecast_series("s", &history_of(&spiked), Cleaning::default(), DAY, None).unwrap();
    assert_eq!(f.spikes, vec![1_700_000_000 + (n as i64 - 100) * STEP]);
    // The true peak of the next day: the process's maximum plus about two noise sd.
    let true_peak = (n..n + DAY).map(truth).fold(f64::MIN, f64::max) + 2.0 * 2.0;
    assert!(
        (f.peak.value - true_peak).abs() / true_peak < 0.2,
        "peak {} vs {true_peak}",
        f.peak.value
    );
    assert!((f.peak.value - clean.peak.value).abs() / clean.peak.value < 0.05);
}

/// A series near zero that never goes below it: no band, mean or peak below zero.
#[test]
fn non_negative_series_stay_non_negative() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(4);
    let exp = rand_distr::Exp::new(1.0).unwrap();
    let y: Vec<f64> = (0..3 * WEEK).map(|_| exp.sample(&mut rng)).collect();
    let f = forecast_series("s", &history_of(&y), Cleaning::default(), WEEK, None).unwrap();
    for band in [&f.bands.mean, &f.bands.lo80, &f.bands.lo95] {
        assert!(band.iter().all(|v| *v >= 0.0), "{band:?}");
    }
    assert!(f.peak.lo95 >= 0.0);
}

/// On a known process the calibrated 80% and 95% bands hold about 80% and 95% of what
/// follows, over many seeds.
#[test]
fn calibrated_intervals_cover_as_stated() {
    let n = 4 * WEEK;
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    for seed in 100..130 {
        let y = series(seed, n);
        let f = forecast_series("s", &history_of(&y[..n]), Cleaning::default(), DAY, None).unwrap();
        assert!(
            f.intervals.as_ref().unwrap().method.starts_with("conformal"),
            "{:?}",
            f.intervals
        );
        for (j, a) in y[n..n + DAY].iter().enumerate() {
            in80 += usize::from(f.bands.lo80[j] <= *a && *a <= f.bands.hi80[j]);
            in95 += usize::from(f.bands.lo95[j] <= *a && *a <= f.bands.hi95[j]);
            total += 1;
        }
    }
    let (c80, c95) = (in80 as f64 / total as f64, in95 as f64 / total as f64);
    // Within 3 points of nominal.
    assert!((0.77..=0.83).contains(&c80), "80% band holds {c80}");
    assert!((0.92..=0.98).contains(&c95), "95% band holds {c95}");
}

/// A quarter ahead on daily data: two years of a trend of 0.1 a day, a weekly cycle and
/// noise; over 10 seeds the forecast beats the seasonal naive (MASE below 1), follows
/// the trend, and its bands hold about what they say over the 90 days.
#[test]
fn a_quarter_ahead_on_daily_data() {
    const DAYS: usize = 730;
    const QUARTER: usize = 90;
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    for seed in 0..10 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(200 + seed);
        let noise = Gaussian::new(0.0, 3.0).unwrap();
        let y: Vec<f64> = (0..DAYS + QUARTER)
            .map(|t| {
                100.0 + 0.1 * t as f64 + 10.0 * (std::f64::consts::TAU * t as f64 / 7.0).sin() + noise.sample(&mut rng)
            })
            .collect();
        let history = Regular {
            start: 1_600_000_000,
            step: 86_400,
            values: y[..DAYS].to_vec(),
        };
        let f = forecast_series("s", &history, Cleaning::default(), QUARTER, None).unwrap();
        let actual = &y[DAYS..];
        let mase = metrics::mase(actual, &f.bands.mean, &history.values, 7).unwrap();
        assert!(mase < 1.0, "seed {seed}: MASE {mase} with {}", f.model);
        let truth_end = 100.0 + 0.1 * (DAYS + QUARTER - 1) as f64;
        let end = f.bands.mean[QUARTER - 7..].iter().sum::<f64>() / 7.0;
        assert!(
            (end - truth_end).abs() / truth_end < 0.05,
            "seed {seed}: last week {end} vs {truth_end} with {}",
            f.model
        );
        for (j, a) in actual.iter().enumerate() {
            in80 += usize::from(f.bands.lo80[j] <= *a && *a <= f.bands.hi80[j]);
            in95 += usize::from(f.bands.lo95[j] <= *a && *a <= f.bands.hi95[j]);
            total += 1;
        }
    }
    let (c80, c95) = (in80 as f64 / total as f64, in95 as f64 / total as f64);
    assert!(
        (0.75..=0.85).contains(&c80) && (0.91..=0.98).contains(&c95),
        "quarter ahead: 80% band holds {c80}, 95% {c95}"
    );
}

/// A CPU percentage near its top: the bands and peak stay at or under 100, and a series
/// given a ceiling of 60 stays under 60.
#[test]
fn a_percentage_stays_under_100() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let noise = Gaussian::new(0.0, 4.0).unwrap();
    let y: Vec<f64> = (0..3 * WEEK)
        .map(|t| {
            (92.0 + 6.0 * (std::f64::consts::TAU * t as f64 / DAY as f64).sin() + noise.sample(&mut rng)).min(100.0)
        })
        .collect();
    let f = forecast_series("cpu_utilization", &history_of(&y), Cleaning::default(), WEEK, None).unwrap();
    for band in [&f.bands.mean, &f.bands.hi80, &f.bands.hi95] {
        assert!(band.iter().all(|v| *v <= 100.0), "{band:?}");
    }
    assert!(f.peak.hi95 <= 100.0 && f.peak.value <= 100.0, "{:?}", f.peak);
    assert!(f.notes.iter().any(|n| n.contains("bounded at 100")), "{:?}", f.notes);
    // The same values under another name are not bounded: nothing says they cannot pass 100.
    let free = forecast_series("requests", &history_of(&y), Cleaning::default(), WEEK, None).unwrap();
    assert!(free.bands.hi95.iter().any(|v| *v > 100.0));
    let options = Options {
        ceiling: Some(60.0),
        ..Options::default()
    };
    let capped = forecast_series_with("requests", &history_of(&y), Cleaning::default(), WEEK, &options).unwrap();
    assert!(capped.bands.hi95.iter().chain(&capped.bands.mean).all(|v| *v <= 60.0));
}

/// A day's true mean on the generated daily series with a yearly season: a trend of 0.3
/// a day, a weekly cycle and a yearly wave with a summer peak.
fn daily_truth(d: usize) -> f64 {
    let tau = std::f64::consts::TAU;
    let d = d as f64;
    1000.0
        + 0.3 * d
        + 60.0 * (tau * d / 7.0).sin()
        + 250.0 * (tau * d / 365.25).sin()
        + 80.0 * (2.0 * tau * d / 365.25).cos()
}

/// A quarter ahead on 2.5 years of daily data with a yearly season, over 20 seeds: the
/// yearly season is chosen, the forecast's MASE is within 10% of the true mean's (the
/// best any forecaster can do, by geometric mean over seeds), and the bands hold within
/// 5 points of what they say. No band collapses to the mean, and every interval comes
/// from a backtest at the horizon asked for.
#[test]
fn a_quarter_ahead_with_a_yearly_season() {
    const DAYS: usize = 900;
    const QUARTER: usize = 90;
    let (mut in80, mut in95, mut total) = (0usize, 0usize, 0usize);
    let (mut log_ours, mut log_truth) = (0.0, 0.0);
    let mut yearly_chosen = 0;
    for seed in 0..20u64 {
        let mut rng = rand::rngs::StdRng::seed_from_u64(900 + seed);
        let noise = Gaussian::new(0.0, 40.0).unwrap();
        let y: Vec<f64> = (0..DAYS + QUARTER)
            .map(|d| daily_truth(d) + noise.sample(&mut rng))
            .collect();
        let history = Regular {
            start: 1_600_000_000,
            step: 86_400,
            values: y[..DAYS].to_vec(),
        };
        let f = forecast_series("s", &history, Cleaning::default(), QUARTER, None).unwrap();
        yearly_chosen += usize::from(f.model.contains("yearly"));
        let actual = &y[DAYS..];
        let truth: Vec<f64> = (DAYS..DAYS + QUARTER).map(daily_truth).collect();
        log_ours += metrics::mase(actual, &f.bands.mean, &history.values, 7).unwrap().ln();
        log_truth += metrics::mase(actual, &truth, &history.values, 7).unwrap().ln();
        let intervals = f.intervals.as_ref().unwrap();
        assert!(
            intervals.method.starts_with("conformal") && intervals.fold_steps == QUARTER,
            "{intervals:?}"
        );
        for (j, a) in actual.iter().enumerate() {
            assert!(f.bands.hi80[j] > f.bands.mean[j] && f.bands.lo80[j] < f.bands.mean[j]);
            in80 += usize::from(f.bands.lo80[j] <= *a && *a <= f.bands.hi80[j]);
            in95 += usize::from(f.bands.lo95[j] <= *a && *a <= f.bands.hi95[j]);
            total += 1;
        }
    }
    let (ours, truth) = ((log_ours / 20.0).exp(), (log_truth / 20.0).exp());
    let (c80, c95) = (in80 as f64 / total as f64, in95 as f64 / total as f64);
    eprintln!("yearly on {yearly_chosen} of 20; MASE {ours:.3} (truth {truth:.3}); bands hold {c80:.3} and {c95:.3}");
    assert!(yearly_chosen >= 18, "the yearly season chosen on {yearly_chosen} of 20");
    assert!(ours <= 1.10 * truth, "MASE {ours:.3} against the truth's {truth:.3}");
    assert!(
        (0.75..=0.85).contains(&c80) && (0.90..=1.0).contains(&c95),
        "80% band holds {c80}, 95% {c95}"
    );
}

/// Short, flat, stepped and wandering histories, at horizons up to twice their length:
/// the chosen method always has a backtest score, its intervals say how they were
/// sized, and no band collapses onto the mean of a series that varies.
#[test]
fn every_choice_is_backtested_and_no_band_collapses() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let noise = Gaussian::new(0.0, 1.0).unwrap();
    let mut walk = 100.0;
    let shapes: Vec<(&str, Vec<f64>)> = vec![
        (
            "mostly flat",
            (0..40).map(|t| if t % 13 == 0 { 6.0 } else { 5.0 }).collect(),
        ),
        ("a step", (0..60).map(|t| if t < 45 { 10.0 } else { 20.0 }).collect()),
        (
            "a walk",
            (0..120)
                .map(|_| {
                    walk += noise.sample(&mut rng);
                    walk
                })
                .collect(),
        ),
        ("eight points", vec![3.0, 4.0, 3.0, 5.0, 4.0, 6.0, 5.0, 7.0]),
    ];
    for (name, y) in &shapes {
        for horizon in [1, 7, y.len() / 2, 2 * y.len()] {
            let f = forecast_series(name, &history_of(y), Cleaning::default(), horizon, None).unwrap();
            assert!(
                f.choice.backtest_mae.is_finite(),
                "{name} at {horizon}: {} has no backtest",
                f.model
            );
            let intervals = f.intervals.as_ref().unwrap();
            assert!(!intervals.by_lead.is_empty(), "{name} at {horizon}: {intervals:?}");
            for j in 0..horizon {
                assert!(
                    f.bands.hi80[j] > f.bands.mean[j] && f.bands.hi95[j] >= f.bands.hi80[j],
                    "{name} at {horizon}, step {j}: {} collapsed its band ({})",
                    f.model,
                    intervals.method
                );
            }
        }
    }
}
