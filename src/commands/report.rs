//! `headroom report`: the capacity report from any subset of results: DIR/index.html
//! (self-contained), DIR/report.md and DIR/*.svg.

use super::{read_json, OK};
use crate::cli::ReportArgs;
use crate::output::write_atomic;
use anyhow::anyhow;
use headroom_reports::document::{self, Inputs};
use headroom_reports::export::{Format, Html, Markdown};

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let forecast = args
        .forecast
        .as_deref()
        .map(headroom::forecast_dir::read_forecast_dir)
        .transpose()
        .map_err(|m| anyhow!(m))?;
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
