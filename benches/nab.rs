//! Forecast accuracy on real series, against established forecasters: the six NAB
//! CloudWatch series in ../shared/data/nab, on the task of ../shared/data/README.md
//! (5-minute grid, forward-filled; train on all but the last day; forecast the last
//! 288 points; MASE against the in-sample seasonal naive with season 288; the relative
//! error of the peak). Reads the data at run time. Usage: cargo bench --bench nab [DIR]

use headroom::input::read_csv;
use headroom_forecast::ts::{self, regular};
use std::time::Instant;

const HORIZON: usize = 288;

fn main() {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "../shared/data/nab".into());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    paths.sort();
    println!("series,model,mase,peak_rel_err,mean_path_peak_rel_err,seconds");
    let (mut log_mase, mut peak_errors) = (0.0, Vec::new());
    for path in &paths {
        let (name, samples) = read_csv(path).expect("readable").remove(0);
        let (history, _) = regular::regularise(&samples, Some(300)).expect("regular");
        let started = Instant::now();
        let (f, score) = ts::holdout(&name, &history, HORIZON).expect("forecast");
        let seconds = started.elapsed().as_secs_f64();
        let actual = &history.values[history.values.len() - HORIZON..];
        let mean_peak = f.bands.mean.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mase = score.mase.expect("scale");
        println!(
            "{name},{},{mase:.4},{:.4},{:.4},{seconds:.4}",
            f.model,
            score.peak_error,
            ts::metrics::peak_error(mean_peak, actual)
        );
        log_mase += mase.ln();
        peak_errors.push(score.peak_error.abs());
    }
    peak_errors.sort_by(f64::total_cmp);
    let n = peak_errors.len();
    let median = if n % 2 == 1 {
        peak_errors[n / 2]
    } else {
        (peak_errors[n / 2 - 1] + peak_errors[n / 2]) / 2.0
    };
    println!(
        "summary: geometric-mean MASE {:.3}, median |peak error| {:.1}%",
        (log_mase / n as f64).exp(),
        median * 100.0
    );
}
