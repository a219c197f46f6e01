//! Load-test points to fit: the steps of a run.json (by `Point::from_step`, with the
//! run's model and SLO), or a CSV `concurrency,throughput[,latency_ms]` of another
//! tool's results.

use anyhow::{anyhow, bail, Context};
use headroom_forecast::capacity::point::{Model, Point};
use headroom_loadgen::results::RunResult;
use headroom_loadgen::slo::Slo;
use std::collections::BTreeMap;
use std::path::Path;

/// The load axis, the points and, from a run.json, the run's SLO.
pub type Points = (Model, Vec<Point>, Option<Slo>);

pub fn read_points(path: &Path) -> anyhow::Result<Points> {
    if path.is_dir() {
        bail!(
            "{}: found a directory; expected a run.json from headroom run or a CSV concurrency,throughput[,latency_ms]",
            path.display()
        );
    }
    if path.extension().is_some_and(|e| e == "json") {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let run: RunResult = crate::read::parse_json(&text, path)
            .map_err(|m| anyhow!("{m}; expected a run.json written by headroom run"))?;
        let points = run.steps.iter().filter_map(Point::from_step).collect();
        Ok((run.model, points, Some(run.slo)))
    } else {
        Ok((Model::Closed, points_from_csv(path)?, None))
    }
}

/// `concurrency,throughput[,latency_ms]`, with a header row; errors name the row.
fn points_from_csv(path: &Path) -> anyhow::Result<Vec<Point>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", path.display()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(n_col), Some(x_col)) = (column("concurrency"), column("throughput")) else {
        bail!(
            "{}:1: found columns {}; expected concurrency,throughput[,latency_ms]",
            path.display(),
            headers.join(",")
        );
    };
    let latency_col = column("latency_ms");
    let mut points = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = record.map_err(|e| anyhow!("{}:{row}: {e}", path.display()))?;
        let cell = |c: usize, name: &str| -> anyhow::Result<f64> {
            let text = record.get(c).unwrap_or("").trim();
            let value: f64 = text
                .parse()
                .map_err(|_| anyhow!("{}:{row}: {name}: found `{text}`; expected a number", path.display()))?;
            if !(value > 0.0 && value.is_finite()) {
                bail!(
                    "{}:{row}: {name}: found {value}; expected a number above 0",
                    path.display()
                );
            }
            Ok(value)
        };
        let mut latency_ms = BTreeMap::new();
        if let Some(c) = latency_col {
            latency_ms.insert("*".to_string(), cell(c, "latency_ms")?);
        }
        points.push(Point {
            load: cell(n_col, "concurrency")?,
            throughput: cell(x_col, "throughput")?,
            latency_ms,
            latency_quantiles_ms: Vec::new(),
            requests: None,
            arrivals: None,
        });
    }
    if points.len() < 3 {
        bail!(
            "{}: found {} data rows; expected at least 3 to fit a model",
            path.display(),
            points.len()
        );
    }
    Ok(points)
}
