//! The capacity report as a document: its metadata, an executive summary and a section
//! per question, each with text, charts (with captions saying where a model and the
//! measurement disagree), tables and a plain sentence for each figure a planner may not
//! know, built from whichever results are given. Missing inputs leave their sections
//! out. No absolute path reaches the page: inputs are named by file name. Rendering to
//! HTML and Markdown is in `export`. One file per section: `review` (a portfolio's
//! quarterly review, first), `saturation` (the load test, its baseline and the limits),
//! `forecast`, `rightsize` (the fleet and Kubernetes containers) and `plan`.

mod forecast;
mod plan;
mod review;
mod rightsize;
mod saturation;

use forecast::forecast;
use plan::plan;
use review::review;
use rightsize::{containers, rightsize};
use saturation::saturation;

use crate::charts::{self, History};
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::PlanFile;
use headroom_forecast::review::Review;
use headroom_forecast::rightsize::containers::ContainersReport;
use headroom_forecast::rightsize::Report;
use headroom_forecast::ts::Summary;
use headroom_loadgen::results::{RunResult, RunVerdict};
use std::collections::BTreeMap;

/// Each series' history as (Unix seconds, value), by series name.
pub type Histories = BTreeMap<String, Vec<(f64, f64)>>;

/// Everything the report can draw on.
#[derive(Default)]
pub struct Inputs {
    /// A portfolio's quarterly review, drawn first.
    pub review: Option<Review>,
    pub run: Option<RunResult>,
    /// A baseline the run is compared against.
    pub baseline: Option<RunResult>,
    pub limits: Option<LimitsFile>,
    pub forecast: Option<(Summary, Histories)>,
    pub rightsize: Option<Report>,
    /// Kubernetes containers right-sized from Prometheus.
    pub containers: Option<ContainersReport>,
    pub plan: Option<PlanFile>,
    /// The input files as given (only their names are shown).
    pub files: Vec<std::path::PathBuf>,
    /// When the report is made, as the reader should see it (`2026-12-01 14:40 UTC`).
    pub made_at: String,
}

pub struct Chart {
    /// File stem for the SVG next to the report (`throughput`).
    pub file: String,
    pub title: String,
    /// What the picture needs said beside it (a model overshooting the measurement).
    pub notes: Vec<String>,
    pub svg: String,
}

pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub struct Section {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub charts: Vec<Chart>,
    pub tables: Vec<Table>,
    /// One plain sentence per figure a planner may not know.
    pub explanations: Vec<String>,
}

pub struct Document {
    pub title: String,
    /// Made when, by which headroom, from which files, of which run.
    pub meta: Vec<String>,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}

/// headroom's version, as the report names it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Forecast charts drawn at most (the table lists every series).
const MAX_FORECAST_CHARTS: usize = 12;
const MAX_RIGHTSIZE_ROWS: usize = 25;

pub fn build(inputs: &Inputs) -> anyhow::Result<Document> {
    let mut summary = Vec::new();
    let mut sections = Vec::new();
    if let Some(r) = &inputs.review {
        sections.push(review(r, &mut summary)?);
    }
    if inputs.run.is_some() || inputs.limits.is_some() {
        sections.push(saturation(inputs, &mut summary)?);
    }
    if let Some((s, histories)) = &inputs.forecast {
        sections.push(forecast(s, histories, &mut summary)?);
    }
    if let Some(r) = &inputs.rightsize {
        sections.push(rightsize(r, &mut summary)?);
    }
    if let Some(c) = &inputs.containers {
        sections.push(containers(c, &mut summary)?);
    }
    if let Some(p) = &inputs.plan {
        sections.push(plan(p, &mut summary)?);
    }
    if sections.is_empty() {
        anyhow::bail!(
            "nothing to report: give at least one of --review, --run, --limits, --forecast, --rightsize, --plan"
        );
    }
    let mut doc = Document {
        title: title(inputs),
        meta: meta(inputs),
        summary,
        sections,
    };
    doc.scrub_paths();
    Ok(doc)
}

/// "Capacity report: checkout" when a run names its scenario.
fn title(inputs: &Inputs) -> String {
    match (&inputs.review, &inputs.run) {
        (Some(r), _) => format!("Capacity review: {}", r.name),
        (None, Some(r)) => format!("Capacity report: {}", r.scenario),
        (None, None) => "Capacity report".into(),
    }
}

fn meta(inputs: &Inputs) -> Vec<String> {
    let names: Vec<String> = inputs
        .files
        .iter()
        .map(|p| crate::safe::file_name(&p.to_string_lossy()))
        .collect();
    let mut meta = vec![format!("Made {} by headroom {VERSION}.", inputs.made_at)];
    if !names.is_empty() {
        meta.push(format!("Inputs: {}.", names.join(", ")));
    }
    if let Some(r) = &inputs.run {
        meta.push(format!(
            "Load test `{}` against {}, started {}, {:.0} s, {} model.",
            r.scenario,
            r.target,
            to_the_second(&r.started_at),
            r.duration_s,
            format!("{:?}", r.model).to_lowercase()
        ));
    }
    meta
}

impl Document {
    /// Every absolute path in the text replaced by its file name: a report is handed on,
    /// and the machine it was made on is nobody's business.
    fn scrub_paths(&mut self) {
        let scrub = |t: &mut String| *t = crate::safe::without_paths(t);
        self.meta.iter_mut().for_each(scrub);
        self.summary.iter_mut().for_each(scrub);
        for s in &mut self.sections {
            s.paragraphs.iter_mut().for_each(scrub);
            s.explanations.iter_mut().for_each(scrub);
            for c in &mut s.charts {
                c.notes.iter_mut().for_each(scrub);
            }
            for t in &mut s.tables {
                t.rows.iter_mut().flatten().for_each(scrub);
            }
        }
    }
}

/// A chart titled `title` whose caption first says what to read from it (`read`).
fn chart(file: &str, title: &str, read: &str, svg: String) -> Chart {
    Chart {
        file: file.into(),
        title: title.into(),
        notes: vec![format!("{read}.")],
        svg,
    }
}

/// An RFC 3339 time to the second, as a reader wants it: `2026-12-01 14:40:12 UTC`
/// (a run's start is recorded to the nanosecond).
fn to_the_second(rfc3339: &str) -> String {
    match rfc3339.get(..19) {
        Some(seconds) if rfc3339.ends_with('Z') => format!("{} UTC", seconds.replace('T', " ")),
        _ => rfc3339.to_string(),
    }
}

fn ms(v: f64) -> String {
    format!("{v:.1}")
}
