//! Drawing a large input: the forecast chart of a history of one million points, which
//! is drawn per pixel column with its minimum and maximum. Prints the milliseconds.

use headroom_forecast::ts::forecast_series;
use headroom_forecast::ts::regular::{Cleaning, Regular};
use headroom_reports::charts::{self, History};
use std::time::Instant;

fn main() {
    let n = 1_000_000usize;
    let values: Vec<f64> = (0..n)
        .map(|t| 100.0 + 20.0 * (t as f64 / 288.0 * std::f64::consts::TAU).sin() + ((t * 7919) % 97) as f64 * 0.1)
        .collect();
    let history = Regular {
        start: 1_700_000_000,
        step: 300,
        values,
    };
    let forecast = forecast_series("big", &history, Cleaning::default(), 2016, Some(150.0)).expect("forecast");
    let points: Vec<(f64, f64)> = history
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| (history.timestamp(i) as f64, *v))
        .collect();
    let started = Instant::now();
    let svg = charts::forecast(&forecast, History { points: &points }, Some(150.0)).expect("chart");
    let forecast_ms = started.elapsed().as_secs_f64() * 1e3;
    println!("chart,points,ms,svg_kb");
    println!("forecast,{n},{forecast_ms:.1},{}", svg.len() / 1024);
}
