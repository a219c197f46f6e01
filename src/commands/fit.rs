//! `headroom fit`: read a run.json (or a CSV of other tools' results), fit the model,
//! write limits.json and print the limits.

use super::OK;
use crate::cli::FitArgs;
use crate::output::write_json;
use anyhow::{anyhow, bail, Context};
use headroom_forecast::limits::{self, Basis, Figure, LimitsFile, LoadKind, Objective, OperatingPoint, Point};
use headroom_loadgen::plan::Model;
use headroom_loadgen::results::{decode_histogram, quantiles_ms, LatencySummary, RunResult};
use headroom_loadgen::slo::Slo;
use std::collections::BTreeMap;
use std::path::Path;

pub fn run(args: FitArgs) -> anyhow::Result<u8> {
    let (kind, points, run_slo) = read_input(&args.input)?;
    let objectives = objectives(&args.slo, run_slo)?;
    let headroom = parse_headroom(&args.headroom)?;
    let limits =
        limits::limits(kind, &points, &objectives, headroom).map_err(|e| anyhow!("{}: {e}", args.input.display()))?;
    let file = LimitsFile::new(&args.input.display().to_string(), &points, limits);
    let path = args.out.join("limits.json");
    let replaced = previous_source(&path).filter(|source| *source != file.source);
    write_json(&path, &file)?;
    if let Some(source) = replaced {
        eprintln!(
            "headroom: replaced {} (it held the limits of {source}); give --out DIR to keep both",
            path.display()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&file)?);
    } else {
        println!("{}\nwrote {}", render(&file), path.display());
    }
    Ok(OK)
}

/// The input an existing limits.json was fitted to, if there is one.
fn previous_source(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    value["source"].as_str().map(str::to_string)
}

fn read_input(path: &Path) -> anyhow::Result<(LoadKind, Vec<Point>, Option<Slo>)> {
    if path.is_dir() {
        bail!(
            "{}: found a directory; expected a run.json from headroom run or a CSV concurrency,throughput[,latency_ms]",
            path.display()
        );
    }
    if path.extension().is_some_and(|e| e == "json") {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let run: RunResult = serde_json::from_str(&text).map_err(|e| {
            anyhow!(
                "{}:{}: {e}; expected a run.json written by headroom run",
                path.display(),
                e.line()
            )
        })?;
        Ok(points_from_run(&run))
    } else {
        Ok((LoadKind::Users, points_from_csv(path)?, None))
    }
}

fn points_from_run(run: &RunResult) -> (LoadKind, Vec<Point>, Option<Slo>) {
    let kind = match run.model {
        Model::Closed => LoadKind::Users,
        Model::Open => LoadKind::Rate,
    };
    let points = run
        .steps
        .iter()
        .filter(|s| s.window.requests > 0)
        .map(|s| Point {
            load: s.users.map(f64::from).or(s.rate).unwrap_or(0.0),
            throughput: s.window.throughput_rps,
            latency_ms: latency_map(&s.window.latency_ms),
            latency_quantiles_ms: decode_histogram(&s.window.histogram)
                .map(|h| quantiles_ms(&h, 500))
                .unwrap_or_default(),
            requests: Some(s.window.requests),
        })
        .collect();
    (kind, points, Some(run.slo.clone()))
}

fn latency_map(l: &LatencySummary) -> BTreeMap<String, f64> {
    [
        ("mean", l.mean),
        ("p50", l.p50),
        ("p90", l.p90),
        ("p95", l.p95),
        ("p99", l.p99),
        ("p99.9", l.p99_9),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
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

/// `--slo p99=250ms` flags, else the run's own SLO.
fn objectives(flags: &[String], run_slo: Option<Slo>) -> anyhow::Result<Vec<Objective>> {
    let slo = if flags.is_empty() {
        run_slo.unwrap_or_default()
    } else {
        super::slo_flags(flags)?
    };
    Ok(super::latency_objectives(&slo))
}

/// `20%` or `0.2`.
fn parse_headroom(text: &str) -> anyhow::Result<f64> {
    let value = if text.trim().ends_with('%') {
        headroom_loadgen::units::parse_percent(text).map_err(|m| anyhow!("--headroom: {m}"))?
    } else {
        text.trim()
            .parse()
            .map_err(|_| anyhow!("--headroom: found `{text}`; expected a percentage such as 20%"))?
    };
    if !(0.0..1.0).contains(&value) {
        bail!("--headroom: found {text}; expected from 0% up to (not including) 100%");
    }
    Ok(value)
}

fn render(file: &LimitsFile) -> String {
    let l = &file.limits;
    let mut lines = Vec::new();
    if let Some(u) = &l.usl {
        lines.push(format!(
            "model        USL: sigma {:.5} ± {:.5}, kappa {:.3e} ± {:.1e}, lambda {:.2} ± {:.2}, R² {:.4}",
            u.sigma, u.sigma_se, u.kappa, u.kappa_se, u.lambda, u.lambda_se, u.r2
        ));
        let peak = match (u.peak_concurrency, u.peak_throughput) {
            (Some(n), Some(x)) => format!("N* {n:.1} (floor {:.0}), X(N*) {x:.1} rps", n.floor()),
            _ => "no peak (kappa = 0)".into(),
        };
        let ceiling = u.amdahl_ceiling.map_or("no ceiling (sigma = 0)".into(), |c| {
            format!("Amdahl ceiling {c:.1} rps")
        });
        lines.push(format!("             {peak}; {ceiling}"));
    }
    if let Some(m) = &l.instance_model {
        lines.push(format!("queue        {}", m.describe()));
        lines.push(format!("             assumes {}", m.assumptions));
        lines.push(format!("             {}", m.basis));
        if let Some(q) = &l.model_quality {
            lines.push(format!(
                "             against the {} measured steps: rms log error {:.3}, worst {:+.0}%",
                q.steps,
                q.rms_log_error,
                q.worst_error * 100.0
            ));
        }
    }
    lines.push(format!(
        "peak         {} ({})",
        operating(&l.peak.throughput, &l.peak.load),
        l.peak.note
    ));
    lines.push(format!(
        "knee         {}",
        l.knee
            .as_ref()
            .map_or_else(|| l.knee_note.clone().unwrap_or_default(), point)
    ));
    for o in &l.objectives {
        let at = o.at.as_ref().map_or_else(String::new, point);
        let note = o.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
        lines.push(format!(
            "SLO {:<8} {at}{note}",
            format!("{}≤{}ms", o.objective, o.limit_ms)
        ));
        if let Some(rate) = &o.poisson_rate {
            lines.push(format!(
                "             under Poisson traffic: {:.1} rps per instance [queueing model]",
                rate.value
            ));
        }
    }
    if let Some(s) = &l.safe_operating_point {
        lines.push(format!(
            "safe point   {} ({:.0}% below the {})",
            point(&s.at),
            s.headroom * 100.0,
            s.based_on.replace('_', " ")
        ));
    }
    lines.extend(l.warnings.iter().map(|w| format!("warning: {w}")));
    lines.join("\n")
}

fn point(p: &OperatingPoint) -> String {
    operating(&p.throughput, &p.load)
}

fn operating(throughput: &Figure, load: &Figure) -> String {
    format!(
        "{:.1} rps at {:.1} {} [{}]",
        throughput.value,
        load.value,
        load.unit,
        basis(load.basis)
    )
}

fn basis(b: Basis) -> &'static str {
    match b {
        Basis::Measured => "measured",
        Basis::Interpolated => "interpolated",
        Basis::Extrapolated => "extrapolated",
        Basis::Model => "model",
    }
}
