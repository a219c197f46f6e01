//! Reading a `headroom forecast` directory back, as `report` draws it: summary.json
//! (the figures), forecast.csv (each series' path and bands, which summary.json does not
//! hold) and history.csv when present; and a forecast.csv's paths alone, as a review
//! scores the last one.

use crate::read::history::{parse_csv, parse_timestamp, TIMESTAMP_FORMS};
use headroom_forecast::review::PathStep;
use headroom_forecast::ts::Summary;
use headroom_reports::forecast::COLUMNS;
use std::collections::BTreeMap;
use std::path::Path;

/// The summary with each series' bands filled in, and the histories by series.
pub type ForecastDir = (Summary, headroom_reports::document::Histories);

pub fn read_forecast_dir(dir: &Path) -> Result<ForecastDir, String> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| format!("--forecast: cannot read {}: {e}", path.display()))
    };
    let history = dir.join("history.csv");
    let history = if history.exists() {
        Some(read("history.csv")?)
    } else {
        None
    };
    parse_forecast_dir(&read("summary.json")?, &read("forecast.csv")?, history.as_deref(), dir)
}

/// The same from the files' bytes; `dir` names them in errors.
pub fn parse_forecast_dir(
    summary: &[u8],
    forecast: &[u8],
    history: Option<&[u8]>,
    dir: &Path,
) -> Result<ForecastDir, String> {
    let path = dir.join("summary.json");
    let text = String::from_utf8_lossy(summary);
    let mut summary: Summary = crate::read::parse_json(&text, &path).map_err(|m| format!("--forecast {m}"))?;
    read_bands(forecast, &dir.join("forecast.csv"), &mut summary)?;
    let histories = match history {
        Some(bytes) => parse_csv(bytes, &dir.join("history.csv"))?,
        None => Vec::new(),
    };
    let points = histories
        .into_iter()
        .map(|(name, samples)| (name, samples.into_iter().map(|(t, v)| (t as f64, v)).collect()))
        .collect();
    Ok((summary, points))
}

/// Puts each series' forecast path and intervals back from forecast.csv.
fn read_bands(bytes: &[u8], path: &Path, summary: &mut Summary) -> Result<(), String> {
    each_row(bytes, path, |series, _, [mean, lo80, hi80, lo95, hi95]| {
        if let Some(s) = summary.series.iter_mut().find(|s| s.series == series) {
            let b = &mut s.bands;
            b.mean.push(mean);
            b.lo80.push(lo80);
            b.hi80.push(hi80);
            b.lo95.push(lo95);
            b.hi95.push(hi95);
        }
    })
}

/// A forecast.csv's paths by series, as a later review scores them.
pub fn forecast_csv_paths(path: &Path) -> Result<BTreeMap<String, Vec<PathStep>>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut paths: BTreeMap<String, Vec<PathStep>> = BTreeMap::new();
    each_row(&bytes, path, |series, t, [mean, lo80, hi80, ..]| {
        paths.entry(series.to_string()).or_default().push((t, mean, lo80, hi80));
    })?;
    Ok(paths)
}

/// Every row of a forecast.csv, its columns found by name: the series, the time and
/// mean, lo80, hi80, lo95, hi95.
fn each_row(bytes: &[u8], path: &Path, mut row: impl FnMut(&str, i64, [f64; 5])) -> Result<(), String> {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("{}:1: {e}", path.display()))?
        .clone();
    let columns = COLUMNS
        .iter()
        .map(|name| {
            headers.iter().position(|h| h.trim() == *name).ok_or_else(|| {
                format!(
                    "{}:1: no column `{name}`; expected {}",
                    path.display(),
                    COLUMNS.join(",")
                )
            })
        })
        .collect::<Result<Vec<usize>, String>>()?;
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{}:{line}: {e}", path.display()))?;
        let value = |k: usize| -> Result<f64, String> {
            record
                .get(columns[k])
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{}:{line}: column {}: expected a finite number ({})",
                        path.display(),
                        columns[k] + 1,
                        COLUMNS[k]
                    )
                })
        };
        let t = record
            .get(columns[0])
            .and_then(parse_timestamp)
            .ok_or_else(|| format!("{}:{line}: timestamp: expected {}", path.display(), TIMESTAMP_FORMS))?;
        row(
            record.get(columns[1]).unwrap_or_default(),
            t,
            [value(2)?, value(3)?, value(4)?, value(5)?, value(6)?],
        );
    }
    Ok(())
}
