//! Forecast accuracy and calibration on real series against established forecasters:
//! every set of ../shared/data on the tasks of its README. nab/: 5-minute samples, train
//! on all but the last day, forecast 288 points, MASE against the in-sample seasonal
//! naive with season 288; weekly/: hourly counts, forecast the last 168 hours, MASE
//! against season 24; daily/: daily counts, 4 rolling origins 90 days apart, forecast 90
//! days from each, MASE against season 7; generated: 8 daily series of three years with a
//! known truth (a trend, weekly and yearly seasons, noise and a level shift), scored like
//! daily/ beside the truth itself and the seasonal naive. Per series (and origin) the MASE, the peak's relative error, the share of the
//! held-out points inside the 80% and 95% bands, whether the actual peak fell inside
//! the peak's own 80% and 95% bands, negative lower bounds on a series that
//! never went below 0, and the time of fit + forecast; per set the geometric-mean MASE,
//! the median |peak error| and the pooled coverage, beside the peers' figures from
//! peers.csv, peers_weekly.csv and peers_daily.csv. Reads the data at run time.
//! Usage: cargo bench --bench forecast_eval [DATA_DIR]

use headroom::read::history::read_csv;
use headroom_forecast::ts::{self, metrics, regular};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// One evaluation set: its directory, step, horizon, MASE season, the rolling origins
/// (the last `origins` windows of `horizon`, one after another) and the peers' file.
struct Set {
    dir: &'static str,
    step_s: i64,
    horizon: usize,
    season: usize,
    origins: usize,
    peers: &'static str,
}

const SETS: [Set; 4] = [
    Set {
        dir: "nab",
        step_s: 300,
        horizon: 288,
        season: 288,
        origins: 1,
        peers: "peers.csv",
    },
    Set {
        dir: "weekly",
        step_s: 3600,
        horizon: 168,
        season: 24,
        origins: 1,
        peers: "peers_weekly.csv",
    },
    Set {
        dir: "daily",
        step_s: 86_400,
        horizon: 90,
        season: 7,
        origins: 4,
        peers: "peers_daily.csv",
    },
    Set {
        dir: GENERATED,
        step_s: 86_400,
        horizon: 90,
        season: 7,
        origins: 4,
        peers: "",
    },
];

/// The set made here rather than read.
const GENERATED: &str = "generated";

/// The generated series: three years of days, each with its true mean.
fn generated() -> Vec<(String, regular::Regular, Vec<f64>)> {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal};
    let tau = std::f64::consts::TAU;
    (0..8u64)
        .map(|seed| {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let noise = Normal::new(0.0, 30.0 + 10.0 * seed as f64).unwrap();
            // A level shift of -150 to +200 somewhere in the second year.
            let (shift_at, shift) = (400 + 40 * seed as usize, -150.0 + 50.0 * seed as f64);
            let truth: Vec<f64> = (0..1095)
                .map(|d| {
                    let x = d as f64;
                    800.0
                        + (0.1 + 0.05 * seed as f64) * x
                        + 80.0 * (tau * x / 7.0).sin()
                        + 300.0 * (tau * (x + 30.0 * seed as f64) / 365.25).sin()
                        + 60.0 * (2.0 * tau * x / 365.25).cos()
                        + if d >= shift_at { shift } else { 0.0 }
                })
                .collect();
            let values = truth.iter().map(|m| m + noise.sample(&mut rng)).collect();
            let history = regular::Regular {
                start: 1_600_000_000 - 1_600_000_000 % 86_400,
                step: 86_400,
                values,
            };
            (format!("generated_{seed}"), history, truth)
        })
        .collect()
}

/// One forecaster's figures on one series.
#[derive(Default, Clone)]
struct Score {
    mase: f64,
    peak_error: f64,
    /// Held-out points inside the 80% and 95% bands, and the points.
    inside80: usize,
    inside95: usize,
    points: usize,
    /// Windows whose actual maximum fell inside the peak's 80% and 95% bands, and the
    /// windows (0 where not known).
    peak_inside80: usize,
    peak_inside95: usize,
    windows: usize,
    seconds: f64,
}

/// Summary of one forecaster over a set.
struct Summary {
    geometric_mase: f64,
    median_abs_peak: f64,
    cover80: Option<f64>,
    cover95: Option<f64>,
    peak_cover80: Option<f64>,
    peak_cover95: Option<f64>,
    seconds: (f64, f64),
    series: usize,
}

fn summarise(scores: &[Score]) -> Summary {
    let n = scores.len() as f64;
    let mut peaks: Vec<f64> = scores.iter().map(|s| s.peak_error.abs()).collect();
    peaks.sort_by(f64::total_cmp);
    let k = peaks.len();
    let median = if k % 2 == 1 {
        peaks[k / 2]
    } else {
        (peaks[k / 2 - 1] + peaks[k / 2]) / 2.0
    };
    let points: usize = scores.iter().map(|s| s.points).sum();
    let share = |count: usize| (points > 0).then(|| count as f64 / points as f64);
    let windows: usize = scores.iter().map(|s| s.windows).sum();
    let peak_share = |count: usize| (windows > 0).then(|| count as f64 / windows as f64);
    let seconds = scores.iter().map(|s| s.seconds);
    Summary {
        geometric_mase: (scores.iter().map(|s| s.mase.ln()).sum::<f64>() / n).exp(),
        median_abs_peak: median,
        cover80: share(scores.iter().map(|s| s.inside80).sum()),
        cover95: share(scores.iter().map(|s| s.inside95).sum()),
        peak_cover80: peak_share(scores.iter().map(|s| s.peak_inside80).sum()),
        peak_cover95: peak_share(scores.iter().map(|s| s.peak_inside95).sum()),
        seconds: (
            seconds.clone().fold(f64::INFINITY, f64::min),
            seconds.fold(0.0, f64::max),
        ),
        series: scores.len(),
    }
}

/// headroom on one series from the origin `back` windows before the last (0: the last
/// window held out): the score, the model chosen, and its negative lower bounds.
fn headroom_on(name: &str, whole: &regular::Regular, set: &Set, back: usize) -> (String, Score, usize) {
    let end = whole.values.len() - back * set.horizon;
    let history = regular::Regular {
        values: whole.values[..end].to_vec(),
        ..whole.clone()
    };
    let started = Instant::now();
    let (f, _) = ts::holdout(name, &history, set.horizon).expect("forecast");
    let seconds = started.elapsed().as_secs_f64();
    let (train, actual) = history.values.split_at(history.values.len() - set.horizon);
    let b = &f.bands;
    let inside = |lo: &[f64], hi: &[f64]| {
        actual
            .iter()
            .enumerate()
            .filter(|(t, a)| lo[*t] <= **a && **a <= hi[*t])
            .count()
    };
    let non_negative = train.iter().all(|v| *v >= 0.0);
    let negative_bounds = if non_negative {
        b.lo95.iter().chain(&b.lo80).filter(|v| **v < 0.0).count()
    } else {
        0
    };
    let actual_peak = actual.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let peak_inside = |lo: f64, hi: f64| usize::from(lo <= actual_peak && actual_peak <= hi);
    let score = Score {
        mase: metrics::mase(actual, &b.mean, train, set.season).expect("scale"),
        peak_error: metrics::peak_error(f.peak.value, actual),
        inside80: inside(&b.lo80, &b.hi80),
        inside95: inside(&b.lo95, &b.hi95),
        points: actual.len(),
        peak_inside80: peak_inside(f.peak.lo80, f.peak.hi80),
        peak_inside95: peak_inside(f.peak.lo95, f.peak.hi95),
        windows: 1,
        seconds,
    };
    if std::env::var_os("EVAL_DEBUG").is_some() {
        let mut r: Vec<f64> = actual
            .iter()
            .enumerate()
            .filter(|(t, _)| b.hi80[*t] > b.mean[*t])
            .map(|(t, a)| (a - b.mean[t]).abs() / (b.hi80[t] - b.mean[t]))
            .collect();
        r.sort_by(f64::total_cmp);
        let need = r.get((0.8 * r.len() as f64) as usize).copied().unwrap_or(f64::NAN);
        let top = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        eprintln!(
            "{name}: band x{need:.2} would hold 80%; mean max {:.2}, peak {:.2}, actual max {:.2}, shift {:?}, trend change {:?}, {} spikes",
            top(&b.mean),
            f.peak.value,
            top(actual),
            f.level_shift,
            f.trend_change,
            f.spikes.len()
        );
    }
    (f.model, score, negative_bounds)
}

/// The peers' scores by model, from a peers CSV (series, model, horizon?, mase,
/// peak_rel_err, cover80?, cover95?, seconds); `horizon` where the file has no column.
fn peers(path: &Path, horizon: usize) -> BTreeMap<String, Vec<Score>> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (model, mase, peak, seconds) = (
        column("model").expect("model"),
        column("mase").expect("mase"),
        column("peak_rel_err").expect("peak_rel_err"),
        column("seconds").expect("seconds"),
    );
    let (cover80, cover95, horizon_column) = (column("cover80"), column("cover95"), column("horizon"));
    let mut by_model: BTreeMap<String, Vec<Score>> = BTreeMap::new();
    for row in reader.records() {
        let row = row.expect("row");
        let number = |i: usize| row[i].parse::<f64>().expect("number");
        let points = horizon_column.map_or(horizon, |h| number(h) as usize);
        let count = |c: Option<usize>| c.map_or(0, |i| (number(i) * points as f64).round() as usize);
        by_model.entry(row[model].to_string()).or_default().push(Score {
            mase: number(mase),
            peak_error: number(peak),
            inside80: count(cover80),
            inside95: count(cover95),
            points: if cover80.is_some() { points } else { 0 },
            seconds: number(seconds),
            ..Score::default()
        });
    }
    by_model
}

fn percent(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
}

fn row(name: &str, s: &Summary) -> String {
    format!(
        "| {name} | {} | {:.3} | {:.1}% | {} | {} | {} | {} | {:.3}-{:.3} |",
        s.series,
        s.geometric_mase,
        s.median_abs_peak * 100.0,
        percent(s.cover80),
        percent(s.cover95),
        percent(s.peak_cover80),
        percent(s.peak_cover95),
        s.seconds.0,
        s.seconds.1
    )
}

/// Every CSV series of a set's directory, on its grid.
fn read_set(dir: &Path, step_s: i64) -> Vec<(String, regular::Regular, Option<Vec<f64>>)> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let (name, samples) = read_csv(path).expect("readable").remove(0);
            let (whole, _) = regular::regularise(&samples, Some(step_s)).expect("regular");
            (name, whole, None)
        })
        .collect()
}

/// The references on a generated series: its true mean, and the seasonal naive.
fn references_on(whole: &regular::Regular, truth: &[f64], set: &Set, back: usize) -> Vec<(String, Score)> {
    let end = whole.values.len() - back * set.horizon;
    let (train, actual) = whole.values[..end].split_at(end - set.horizon);
    let naive: Vec<f64> = (0..set.horizon)
        .map(|j| train[train.len() - set.season + j % set.season])
        .collect();
    [
        ("truth (the generating mean)", truth[end - set.horizon..end].to_vec()),
        ("seasonal_naive_7", naive),
    ]
    .into_iter()
    .map(|(label, mean)| {
        let score = Score {
            mase: metrics::mase(actual, &mean, train, set.season).expect("scale"),
            peak_error: metrics::peak_error(mean.iter().copied().fold(f64::NEG_INFINITY, f64::max), actual),
            ..Score::default()
        };
        (label.to_string(), score)
    })
    .collect()
}

fn main() {
    let data = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "../shared/data".into());
    let data = Path::new(&data);
    let mut pooled: Vec<Score> = Vec::new();
    for set in &SETS {
        let series: Vec<(String, regular::Regular, Option<Vec<f64>>)> = if set.dir == GENERATED {
            generated().into_iter().map(|(n, h, t)| (n, h, Some(t))).collect()
        } else {
            read_set(&data.join(set.dir), set.step_s)
        };
        println!("\n## {} ({} steps ahead)\n", set.dir, set.horizon);
        println!("| series | origin | model chosen | MASE | peak error | in 80% | in 95% | peak in 80% | peak in 95% | negative bounds | seconds |");
        println!("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        let mut ours = Vec::new();
        let mut references: BTreeMap<String, Vec<Score>> = BTreeMap::new();
        for (name, whole, truth) in &series {
            for back in (0..set.origins).rev() {
                let (model, s, negative) = headroom_on(name, whole, set, back);
                let yes = |inside: usize| if inside == 1 { "yes" } else { "no" };
                println!(
                    "| {name} | {} | {model} | {:.3} | {:+.1}% | {:.0}% | {:.0}% | {} | {} | {negative} | {:.3} |",
                    set.origins - back,
                    s.mase,
                    s.peak_error * 100.0,
                    100.0 * s.inside80 as f64 / s.points as f64,
                    100.0 * s.inside95 as f64 / s.points as f64,
                    yes(s.peak_inside80),
                    yes(s.peak_inside95),
                    s.seconds
                );
                ours.push(s);
                if let Some(truth) = truth {
                    for (label, score) in references_on(whole, truth, set, back) {
                        references.entry(label).or_default().push(score);
                    }
                }
            }
        }
        pooled.extend(ours.iter().cloned());
        println!("\n| forecaster | series-origins | geometric-mean MASE | median abs peak error | 80% coverage | 95% coverage | peak in its 80% | peak in its 95% | seconds per series |");
        println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        println!("{}", row("**headroom**", &summarise(&ours)));
        if set.peers.is_empty() {
            for (label, scores) in references {
                println!("{}", row(&label, &summarise(&scores)));
            }
            continue;
        }
        // Peers on the series they were run on (Prophet only on some).
        for (model, scores) in peers(&data.join(set.peers), set.horizon) {
            let summary = summarise(&scores);
            let label = if summary.series == series.len() * set.origins {
                model
            } else {
                format!("{model} ({} series)", summary.series)
            };
            println!("{}", row(&label, &summary));
        }
    }
    let p = summarise(&pooled);
    println!(
        "\npooled over {} series: 80% band holds {}, 95% band holds {}",
        p.series,
        percent(p.cover80),
        percent(p.cover95)
    );
}
