//! `headroom report`: the capacity report from any subset of results: DIR/index.html
//! (self-contained), DIR/report.md and DIR/*.svg.

use super::{read_json, OK};
use crate::cli::ReportArgs;
use crate::output::write_atomic;
use anyhow::{anyhow, Context};
use headroom::input::read_csv;
use headroom_forecast::ts::Summary;
use headroom_reports::document::{self, Inputs};
use headroom_reports::export::{Format, Html, Markdown};
use std::path::Path;

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let forecast = match &args.forecast {
        Some(dir) => {
            let mut summary: Summary = read_json(&dir.join("summary.json"), "--forecast")?;
            read_bands(&dir.join("forecast.csv"), &mut summary)?;
            let history = dir.join("history.csv");
            let histories = if history.exists() {
                read_csv(&history).map_err(|m| anyhow!(m))?
            } else {
                Vec::new()
            };
            let points = histories
                .into_iter()
                .map(|(name, samples)| (name, samples.into_iter().map(|(t, v)| (t as f64, v)).collect()))
                .collect();
            Some((summary, points))
        }
        None => None,
    };
    let inputs = Inputs {
        run: args.run.as_deref().map(|p| read_json(p, "--run")).transpose()?,
        limits: args.limits.as_deref().map(|p| read_json(p, "--limits")).transpose()?,
        forecast,
        rightsize: args
            .rightsize
            .as_deref()
            .map(|d| read_json(&d.join("rightsize.json"), "--rightsize"))
            .transpose()?,
        plan: args
            .plan
            .as_deref()
            .map(|d| read_json(&d.join("plan.json"), "--plan"))
            .transpose()?,
    };
    let doc = document::build(&inputs)?;
    for section in &doc.sections {
        for chart in &section.charts {
            write_atomic(&args.out.join(format!("{}.svg", chart.file)), chart.svg.as_bytes())?;
        }
    }
    let formats: [&dyn Format; 2] = [&Html, &Markdown];
    for format in formats {
        write_atomic(&args.out.join(format.file_name()), format.render(&doc).as_bytes())?;
    }
    println!(
        "report: {} (and report.md, {} charts)",
        args.out.join("index.html").display(),
        doc.sections.iter().map(|s| s.charts.len()).sum::<usize>()
    );
    Ok(OK)
}

/// Puts each series' forecast path and intervals back from forecast.csv (summary.json
/// holds the figures, not the path).
fn read_bands(path: &Path, summary: &mut Summary) -> anyhow::Result<()> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("--forecast: cannot read {}", path.display()))?;
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| anyhow!("{}:{}: {e}", path.display(), i + 2))?;
        let value = |c: usize| -> anyhow::Result<f64> {
            record
                .get(c)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    anyhow!(
                        "{}:{}: column {}: expected a finite number",
                        path.display(),
                        i + 2,
                        c + 1
                    )
                })
        };
        let Some(series) = summary
            .series
            .iter_mut()
            .find(|s| Some(s.series.as_str()) == record.get(1))
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
