//! forecast.csv: `timestamp,series,mean,lo80,hi80,lo95,hi95`, one row per series and step;
//! history.csv: `timestamp,series,value`, the regularised history it was fitted on.

use headroom_forecast::ts::regular::{Cleaning, Regular};
use headroom_forecast::ts::{SeriesForecast, Summary};

/// `timestamp` formats Unix seconds (the CLI passes RFC 3339).
/// forecast.csv's columns.
pub const COLUMNS: [&str; 7] = ["timestamp", "series", "mean", "lo80", "hi80", "lo95", "hi95"];

pub fn to_csv(summary: &Summary, timestamp: impl Fn(i64) -> String) -> anyhow::Result<Vec<u8>> {
    series_csv(&summary.series, timestamp)
}

/// forecast.csv of any set of forecasts.
pub fn series_csv<'a>(
    series: impl IntoIterator<Item = &'a SeriesForecast>,
    timestamp: impl Fn(i64) -> String,
) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS)?;
    for s in series {
        let b = &s.bands;
        for j in 0..b.mean.len() {
            let at = timestamp(s.start + j as i64 * s.step_s);
            let cells = [b.mean[j], b.lo80[j], b.hi80[j], b.lo95[j], b.hi95[j]].map(|v| format!("{v:.6}"));
            writer.write_record([
                at.as_str(),
                s.series.as_str(),
                &cells[0],
                &cells[1],
                &cells[2],
                &cells[3],
                &cells[4],
            ])?;
        }
    }
    Ok(writer.into_inner()?)
}

pub fn history_csv(
    histories: &[(String, Regular, Cleaning)],
    timestamp: impl Fn(i64) -> String,
) -> anyhow::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(["timestamp", "series", "value"])?;
    for (name, history, _) in histories {
        for (i, v) in history.values.iter().enumerate() {
            writer.write_record([timestamp(history.timestamp(i)).as_str(), name.as_str(), &format!("{v}")])?;
        }
    }
    Ok(writer.into_inner()?)
}
