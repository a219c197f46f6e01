//! Utilisation history readers: CSV `timestamp,value` or `timestamp,series,value`, and a
//! Prometheus `query_range` response. Timestamps are RFC 3339, `YYYY-MM-DD`, `YYYY-MM-DD
//! HH:MM[:SS]` (UTC) or Unix seconds; a value of `NaN` or an empty cell is kept as NaN for the
//! regulariser to report. Errors name the file and line.

pub use headroom_loadgen::units::{format_timestamp, parse_timestamp, TIMESTAMP_FORMS};
use std::collections::BTreeMap;
use std::path::Path;

/// Named series of (Unix seconds, value) samples, in input order of first appearance.
pub type Histories = Vec<(String, Vec<(i64, f64)>)>;

/// Timestamps outside 1990-01-01 .. 2200-01-01 are taken as mistakes (a stray 0, a
/// time in milliseconds), not as history.
const EARLIEST: i64 = 631_152_000;
const LATEST: i64 = 7_258_118_400;

/// `Err` with what was expected when `t` lies outside 1990..2200.
fn plausible(t: i64) -> Result<i64, String> {
    if (EARLIEST..LATEST).contains(&t) {
        Ok(t)
    } else {
        Err("expected a time between 1990 and 2200 (Unix seconds, not milliseconds)".into())
    }
}

/// Reads a history CSV; the name of a single series is the file's stem.
pub fn read_csv(path: &Path) -> Result<Histories, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read ({e})", path.display()))?;
    parse_csv(&bytes, path)
}

/// Parses history CSV text; `path` names it in errors and gives a single series its name.
pub fn parse_csv(bytes: &[u8], path: &Path) -> Result<Histories, String> {
    parse_csv_with(bytes, path, false).map(|(histories, _)| histories)
}

/// Rows dropped for a timestamp outside 1990..2200, by series.
pub type Dropped = BTreeMap<String, usize>;

/// Reads a history CSV; with `drop_outliers` a row whose time lies outside 1990..2200 is
/// dropped and counted instead of refused.
pub fn read_csv_with(path: &Path, drop_outliers: bool) -> Result<(Histories, Dropped), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read ({e})", path.display()))?;
    parse_csv_with(&bytes, path, drop_outliers)
}

/// `parse_csv`, with `drop_outliers` as in `read_csv_with`.
pub fn parse_csv_with(bytes: &[u8], path: &Path, drop_outliers: bool) -> Result<(Histories, Dropped), String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}:1: {e}", path.display()))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(t_col), Some(v_col)) = (column("timestamp"), column("value")) else {
        return Err(format!(
            "{}:1: found columns {}; expected timestamp,value or timestamp,series,value",
            path.display(),
            headers.join(",")
        ));
    };
    let s_col = column("series");
    let default_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "series".into());
    let mut order: Vec<String> = Vec::new();
    let mut series: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    let mut dropped = Dropped::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| format!("{}:{line}: {e}", path.display()))?;
        let cell = |c: usize| record.get(c).unwrap_or("").trim();
        let t = parse_timestamp(cell(t_col)).ok_or_else(|| {
            format!(
                "{}:{line}: timestamp: found `{}`; expected {TIMESTAMP_FORMS}",
                path.display(),
                cell(t_col)
            )
        })?;
        let name = s_col.map_or_else(|| default_name.clone(), |c| cell(c).to_string());
        let t = match plausible(t) {
            Ok(t) => t,
            Err(_) if drop_outliers => {
                *dropped.entry(name).or_default() += 1;
                continue;
            }
            Err(expected) => {
                return Err(format!(
                    "{}:{line}: timestamp: found `{}`; {expected} (or give --drop-outliers to drop such rows)",
                    path.display(),
                    cell(t_col)
                ))
            }
        };
        let v = match cell(v_col) {
            "" => f64::NAN,
            text => text.parse::<f64>().ok().filter(|v| !v.is_infinite()).ok_or_else(|| {
                format!(
                    "{}:{line}: value: found `{text}`; expected a finite number (or NaN)",
                    path.display()
                )
            })?,
        };
        if !series.contains_key(&name) {
            order.push(name.clone());
        }
        series.entry(name).or_default().push((t, v));
    }
    if order.is_empty() {
        return Err(format!(
            "{}: no data rows; expected a header and samples",
            path.display()
        ));
    }
    let histories = order
        .into_iter()
        .map(|name| {
            let samples = series.remove(&name).unwrap_or_default();
            (name, samples)
        })
        .collect();
    Ok((histories, dropped))
}

/// Parses a Prometheus `query_range` response (`resultType: matrix`); each result is a
/// series named by its labels. A response with no series is an error.
pub fn parse_prometheus(text: &str, source: &str) -> Result<Histories, String> {
    let histories = parse_prometheus_piece(text, source)?;
    if histories.is_empty() {
        return Err(no_series(source));
    }
    Ok(histories)
}

/// What a query that matched nothing says.
pub fn no_series(source: &str) -> String {
    format!("{source}: the query returned no series")
}

/// One of several consecutive responses: it may hold no series (a window before the
/// data begins).
pub fn parse_prometheus_piece(text: &str, source: &str) -> Result<Histories, String> {
    Ok(parse_matrix_piece(text, source)?
        .into_iter()
        .enumerate()
        .map(|(i, (labels, samples))| (series_name(&labels, i), samples))
        .collect())
}

/// A query_range result: each series' labels and samples.
pub type Matrix = Vec<(serde_json::Map<String, serde_json::Value>, Vec<(i64, f64)>)>;

/// A `query_range` response's series with their labels; it may hold none.
pub fn parse_matrix_piece(text: &str, source: &str) -> Result<Matrix, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("{source}:{}: {e}; expected a Prometheus query_range response", e.line()))?;
    if value["status"] != "success" {
        return Err(format!(
            "{source}: status `{}`: {}",
            value["status"],
            value["error"].as_str().unwrap_or("no error message")
        ));
    }
    let results = value["data"]["result"]
        .as_array()
        .ok_or_else(|| format!("{source}: data.result: expected an array (resultType matrix)"))?;
    results
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let labels = r["metric"].as_object().cloned().unwrap_or_default();
            let values = r["values"]
                .as_array()
                .ok_or_else(|| format!("{source}: data.result[{i}].values: expected [[time, \"value\"], ...]"))?;
            let samples = values
                .iter()
                .map(|pair| {
                    let t = pair[0].as_f64().ok_or_else(|| {
                        format!("{source}: data.result[{i}]: found time {}; expected a number", pair[0])
                    })?;
                    let t = plausible(t.round() as i64).map_err(|expected| {
                        format!("{source}: data.result[{i}]: found time {}; {expected}", pair[0])
                    })?;
                    let v = pair[1]
                        .as_str()
                        .and_then(|s| s.parse::<f64>().ok())
                        .filter(|v| !v.is_infinite())
                        .unwrap_or(f64::NAN);
                    Ok((t, v))
                })
                .collect::<Result<Vec<_>, String>>()?;
            Ok((labels, samples))
        })
        .collect()
}

fn series_name(labels: &serde_json::Map<String, serde_json::Value>, index: usize) -> String {
    if labels.is_empty() {
        return format!("series{index}");
    }
    let name = labels.get("__name__").and_then(|v| v.as_str()).unwrap_or("");
    let rest: Vec<String> = labels
        .iter()
        .filter(|(k, _)| *k != "__name__")
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
        .collect();
    if rest.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", rest.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_three_forms() {
        assert_eq!(parse_timestamp("2014-02-14 14:30:00"), Some(1_392_388_200));
        assert_eq!(parse_timestamp("2014-02-14T14:30:00Z"), Some(1_392_388_200));
        assert_eq!(parse_timestamp("1392388200"), Some(1_392_388_200));
        assert_eq!(parse_timestamp("2014-02-14"), Some(1_392_336_000));
        assert_eq!(parse_timestamp("2014-02-14T14:30"), Some(1_392_388_200));
        assert_eq!(parse_timestamp("2014-02-14 14:30Z"), Some(1_392_388_200));
        assert_eq!(parse_timestamp("2014-02-30"), None);
        assert_eq!(parse_timestamp("yesterday"), None);
        assert_eq!(format_timestamp(1_392_388_200), "2014-02-14T14:30:00Z");
    }

    #[test]
    fn prometheus_matrix() {
        let text = r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"__name__":"cpu","instance":"a"},"values":[[1700000000,"1.5"],[1700000060,"NaN"]]}]}}"#;
        let h = parse_prometheus(text, "q.json").unwrap();
        assert_eq!(h[0].0, "cpu{instance=a}");
        assert_eq!(h[0].1[0], (1_700_000_000, 1.5));
        assert!(h[0].1[1].1.is_nan());
        assert!(parse_prometheus(r#"{"status":"error","error":"bad query"}"#, "q")
            .unwrap_err()
            .contains("bad query"));
    }
}
