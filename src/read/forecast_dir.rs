//! Reading a `headroom forecast` directory back, as `report` draws it: summary.json
//! (the figures), forecast.csv (each series' path and bands, which summary.json does not
//! hold) and history.csv when present.

use crate::read::history::parse_csv;
use headroom_forecast::ts::Summary;
use headroom_reports::forecast::COLUMNS;
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

/// Puts each series' forecast path and intervals back from forecast.csv, its columns
/// found by name.
fn read_bands(bytes: &[u8], path: &Path, summary: &mut Summary) -> Result<(), String> {
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
        let Some(series) = summary
            .series
            .iter_mut()
            .find(|s| Some(s.series.as_str()) == record.get(columns[1]))
        else {
            continue;
        };
        let b = &mut series.bands;
        b.mean.push(value(2)?);
        b.lo80.push(value(3)?);
        b.hi80.push(value(4)?);
        b.lo95.push(value(5)?);
        b.hi95.push(value(6)?);
    }
    Ok(())
}
