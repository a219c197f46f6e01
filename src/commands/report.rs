//! `headroom report`: the capacity report from any subset of results: DIR/index.html
//! (self-contained), DIR/report.md and DIR/*.svg.

use super::OK;
use crate::cli::ReportArgs;
use crate::output::{tree, write_atomic};
use anyhow::{anyhow, bail};
use headroom::read::read_json;
use headroom_reports::document::{self, Inputs};
use headroom_reports::export::{Format, Html, Markdown};
use std::path::{Path, PathBuf};

/// With no input flag, every input that exists in the default output tree.
fn discovered(mut args: Sources) -> anyhow::Result<Sources> {
    if args.any_input() {
        return Ok(args);
    }
    let existing = |path: &str, marker: &str| {
        let path = PathBuf::from(path);
        path.join(marker).exists().then_some(path)
    };
    args.review = existing(tree::REVIEW, "review.json");
    args.run = existing(tree::RUN, "run.json").map(|d| d.join("run.json"));
    args.limits = existing(tree::LIMITS, "limits.json").map(|d| d.join("limits.json"));
    args.forecast = existing(tree::FORECAST, "summary.json");
    args.rightsize =
        existing(tree::RIGHTSIZE, "rightsize.json").or_else(|| existing(tree::RIGHTSIZE, "containers.json"));
    args.plan = existing(tree::PLAN, "plan.json");
    if !args.any_input() {
        bail!(
            "nothing to report: no input flag, and none of {}/, {}, {}, {}/, {}/ or {}/ exists; \
             run `headroom run` (or give --review, --run, --limits, --forecast, --rightsize or --plan)",
            tree::REVIEW,
            tree::RUN_JSON,
            tree::LIMITS_JSON,
            tree::FORECAST,
            tree::RIGHTSIZE,
            tree::PLAN
        );
    }
    Ok(args)
}

/// Now, as the report's reader wants it: `2026-12-01 14:40 UTC`.
fn made_at() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let stamp = headroom::read::history::format_timestamp(now);
    format!("{} UTC", stamp.get(..16).unwrap_or(&stamp).replace('T', " "))
}

/// `name` in the --rightsize directory, when it is there: the fleet's rightsize.json,
/// the containers' containers.json, or both.
fn rightsize_file<T: serde::de::DeserializeOwned + headroom_loadgen::schema::Schema>(
    dir: &Option<PathBuf>,
    name: &str,
) -> anyhow::Result<Option<T>> {
    let Some(dir) = dir else { return Ok(None) };
    if !dir.join("rightsize.json").exists() && !dir.join("containers.json").exists() {
        bail!(
            "--rightsize {}: neither rightsize.json nor containers.json is there",
            dir.display()
        );
    }
    let path = dir.join(name);
    path.exists().then(|| read_json(&path, "--rightsize")).transpose()
}

/// The results a report is made from; each is optional.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A `headroom review` directory.
    pub review: Option<PathBuf>,
    pub run: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub limits: Option<PathBuf>,
    pub forecast: Option<PathBuf>,
    pub rightsize: Option<PathBuf>,
    pub plan: Option<PathBuf>,
}

impl Sources {
    /// Whether any section's input is given (a baseline alone is not one).
    fn any_input(&self) -> bool {
        [
            &self.review,
            &self.run,
            &self.limits,
            &self.forecast,
            &self.rightsize,
            &self.plan,
        ]
        .iter()
        .any(|a| a.is_some())
    }
}

pub fn run(args: ReportArgs) -> anyhow::Result<u8> {
    let sources = Sources {
        review: args.review,
        run: args.run,
        baseline: args.baseline,
        limits: args.limits,
        forecast: args.forecast,
        rightsize: args.rightsize,
        plan: args.plan,
    };
    write(sources, &args.out)
}

/// The report of `sources` (with none, those in the default output tree) into `out`.
pub fn write(sources: Sources, out: &Path) -> anyhow::Result<u8> {
    let args = discovered(sources)?;
    let forecast = args
        .forecast
        .as_deref()
        .map(headroom::read::forecast_dir::read_forecast_dir)
        .transpose()
        .map_err(|m| anyhow!(m))?;
    let inputs = Inputs {
        review: args
            .review
            .as_deref()
            .map(|d| read_json(&d.join("review.json"), "--review"))
            .transpose()?,
        run: args.run.as_deref().map(|p| read_json(p, "--run")).transpose()?,
        baseline: args
            .baseline
            .as_deref()
            .map(|p| read_json(p, "--baseline"))
            .transpose()?,
        limits: args.limits.as_deref().map(|p| read_json(p, "--limits")).transpose()?,
        forecast,
        rightsize: rightsize_file(&args.rightsize, "rightsize.json")?,
        containers: rightsize_file(&args.rightsize, "containers.json")?,
        plan: args
            .plan
            .as_deref()
            .map(|d| read_json(&d.join("plan.json"), "--plan"))
            .transpose()?,
        files: [
            &args.review,
            &args.run,
            &args.baseline,
            &args.limits,
            &args.forecast,
            &args.rightsize,
            &args.plan,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect(),
        made_at: made_at(),
    };
    let doc = document::build(&inputs)?;
    for section in &doc.sections {
        for chart in &section.charts {
            write_atomic(&out.join(format!("{}.svg", chart.file)), chart.svg.as_bytes())?;
        }
    }
    let formats: [&dyn Format; 2] = [&Html, &Markdown];
    for format in formats {
        write_atomic(&out.join(format.file_name()), format.render(&doc).as_bytes())?;
    }
    println!(
        "report: {} (and report.md, {} charts)",
        out.join("index.html").display(),
        doc.sections.iter().map(|s| s.charts.len()).sum::<usize>()
    );
    Ok(OK)
}
