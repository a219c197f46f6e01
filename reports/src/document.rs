//! The capacity report as a document: its metadata, an executive summary and a section
//! per question, each with text, charts (with captions saying where a model and the
//! measurement disagree), tables and a plain sentence for each figure a planner may not
//! know, built from whichever results are given. Missing inputs leave their sections
//! out. No absolute path reaches the page: inputs are named by file name. Rendering to
//! HTML and Markdown is in `export`.

use crate::charts::{self, History};
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::PlanFile;
use headroom_forecast::rightsize::containers::ContainersReport;
use headroom_forecast::rightsize::Report;
use headroom_forecast::ts::Summary;
use headroom_loadgen::results::RunResult;
use std::collections::BTreeMap;

/// Each series' history as (Unix seconds, value), by series name.
pub type Histories = BTreeMap<String, Vec<(f64, f64)>>;

/// Everything the report can draw on.
#[derive(Default)]
pub struct Inputs {
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
        anyhow::bail!("nothing to report: give at least one of --run, --limits, --forecast, --rightsize, --plan");
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
    match &inputs.run {
        Some(r) => format!("Capacity report: {}", r.scenario),
        None => "Capacity report".into(),
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
            r.started_at,
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

fn chart(file: &str, title: &str, svg: String) -> Chart {
    Chart {
        file: file.into(),
        title: title.into(),
        notes: Vec::new(),
        svg,
    }
}

fn ms(v: f64) -> String {
    format!("{v:.1}")
}

fn saturation(inputs: &Inputs, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let (run, limits) = (inputs.run.as_ref(), inputs.limits.as_ref());
    let mut paragraphs = Vec::new();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    let mut explanations = Vec::new();
    if let Some(r) = run {
        let slo = match r.slo_passed {
            Some(true) => "every SLO held over the run",
            Some(false) => "an SLO failed over the run",
            None => "no SLO",
        };
        paragraphs.push(format!(
            "Load test `{}` against {}: {} steps, {} model, {}; {slo}.",
            r.scenario,
            r.target,
            r.steps.len(),
            format!("{:?}", r.model).to_lowercase(),
            format!("{:?}", r.status).to_lowercase()
        ));
        let mut timeline = chart("timeline", "Run timeline", charts::timeline(r)?);
        let whole = charts::timeline::whole_seconds(r).len();
        if whole < r.timeline.len() {
            timeline.notes.push(format!(
                "The last {} of the timeline, cut short when the run ended, is not drawn (a partial second is not a zero).",
                if r.timeline.len() - whole == 1 { "second".to_string() } else { format!("{} seconds", r.timeline.len() - whole) }
            ));
        }
        charts.push(timeline);
        let baseline = inputs.baseline.as_ref();
        let mut distribution = chart(
            "distribution",
            "Latency distribution",
            charts::distribution(r, baseline)?,
        );
        if let Some(b) = baseline {
            let verdict = against_baseline(b, r)?;
            summary.push(format!("Against the baseline: {}.", verdict.verdict));
            paragraphs.push(format!(
                "Against the baseline run of {}: {}.",
                b.started_at, verdict.verdict
            ));
            tables.push(baseline_table(&verdict));
        }
        if r.overall.histogram_uncorrected.is_some() {
            distribution.notes.push(
                "An open run's latency counts from when each request was due; the uncorrected curve counts from when \
                 the generator sent it. Where they part, requests waited in the generator, and the corrected curve is \
                 what users would see."
                    .into(),
            );
        }
        charts.push(distribution);
        tables.push(steps_table(r));
        if let Some(t) = requests_table(r) {
            tables.push(t);
        }
        if let Some(t) = errors_table(r) {
            tables.push(t);
        }
    }
    if let Some(l) = limits {
        let limits = &l.limits;
        let peak = &limits.peak;
        paragraphs.push(format!("Peak: {:.1} rps ({}).", peak.throughput.value, peak.note));
        match &limits.slo_limit {
            Some(s) => {
                let line = format!(
                    "SLO limit: {:.1} rps at {:.1} {} ({}); safe operating point {}.",
                    s.throughput.value,
                    s.load.value,
                    s.load.unit,
                    format!("{:?}", s.load.basis).to_lowercase(),
                    limits.safe_operating_point.as_ref().map_or("-".into(), |p| format!(
                        "{:.1} rps, {:.0}% below",
                        p.at.throughput.value,
                        p.headroom * 100.0
                    ))
                );
                summary.push(format!("How much it can take: {line}"));
                paragraphs.push(line);
            }
            None => summary.push(format!(
                "How much it can take: peak {:.1} rps ({}).",
                peak.throughput.value, peak.note
            )),
        }
        if let Some(k) = &limits.knee {
            paragraphs.push(format!("Knee: {:.1} {}.", k.load.value, k.load.unit));
        }
        paragraphs.extend(limits.warnings.iter().map(|w| format!("Warning: {w}")));
        let mut throughput = chart("throughput", "Throughput vs load", charts::throughput(l)?);
        throughput.notes = charts::throughput::model_disagreement(l);
        charts.push(throughput);
        let mut latency = chart("latency", "Latency vs load", charts::latency(l)?);
        let values: Vec<f64> = l.points.iter().flat_map(|p| p.latency_ms.values().copied()).collect();
        let objectives: Vec<f64> = limits.objectives.iter().map(|o| o.limit_ms).collect();
        if charts::latency::latency_axis(&values, &objectives).1 {
            latency.notes.push(
                "One step's latency dwarfs the rest, so the axis is cut: its value is written at the top edge.".into(),
            );
        }
        charts.push(latency);
        explanations.extend([
            "Peak: the most throughput the service gave at any tested load; past it, more load only adds waiting."
                .to_string(),
            "Knee: the load where throughput stops growing in proportion to load; beyond it extra load mostly adds queueing."
                .into(),
            "SLO limit: the highest load at which every latency objective still held.".into(),
            "Safe operating point: the SLO limit less the headroom kept for surprises; plan normal traffic to stay under it."
                .into(),
            "USL (Universal Scalability Law): a curve fitted to the measured steps; sigma is contention, kappa crosstalk. \
             The measured points are the truth; the curve only interpolates."
                .into(),
        ]);
    }
    Ok(Section {
        title: "How much can this service take?".into(),
        paragraphs,
        charts,
        tables,
        explanations,
    })
}

/// `headroom compare`'s verdict of the run against the baseline (10% threshold).
fn against_baseline(base: &RunResult, run: &RunResult) -> anyhow::Result<headroom_loadgen::compare::Comparison> {
    headroom_loadgen::compare::compare(("baseline", base), ("this run", run), 0.10, 1)
        .map_err(|e| anyhow::anyhow!("--baseline: {e}"))
}

fn baseline_table(c: &headroom_loadgen::compare::Comparison) -> Table {
    let mut header = vec!["what".to_string()];
    header.extend(
        headroom_loadgen::compare::PERCENTILES
            .iter()
            .map(|(name, _)| format!("{name} ms (change, 95% interval)")),
    );
    header.push("error rate".into());
    Table {
        caption: "Against the baseline".into(),
        header,
        rows: c
            .rows
            .iter()
            .map(|r| {
                let mut cells = vec![r.what.clone()];
                cells.extend(r.percentiles.iter().map(|p| {
                    format!(
                        "{:.1} -> {:.1} ({:+.1}%, {:+.1} to {:+.1}){}",
                        p.base_ms,
                        p.new_ms,
                        p.change * 100.0,
                        p.low * 100.0,
                        p.high * 100.0,
                        if p.regressed { " worse" } else { "" }
                    )
                }));
                cells.push(format!(
                    "{:.2}% -> {:.2}%",
                    r.base_error_rate * 100.0,
                    r.new_error_rate * 100.0
                ));
                cells
            })
            .collect(),
    }
}

fn steps_table(r: &RunResult) -> Table {
    Table {
        caption: "Each step's hold".into(),
        header: [
            "step", "load", "requests", "rps", "p50 ms", "p95 ms", "p99 ms", "errors", "dropped",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .steps
            .iter()
            .map(|s| {
                let l = &s.window.latency_ms;
                vec![
                    s.step.to_string(),
                    s.load_label(),
                    s.window.requests.to_string(),
                    format!("{:.1}", s.window.throughput_rps),
                    ms(l.p50),
                    ms(l.p95),
                    ms(l.p99),
                    s.window.errors.to_string(),
                    s.window.dropped.to_string(),
                ]
            })
            .collect(),
    }
}

/// Per `journey/step` over the whole run, when the scenario has requests to break down.
fn requests_table(r: &RunResult) -> Option<Table> {
    let by = &r.overall.by_request;
    if by.is_empty() {
        return None;
    }
    let duration = r.duration_s.max(1e-9);
    Some(Table {
        caption: "Each request over the whole run".into(),
        header: ["request", "requests", "rps", "p50 ms", "p95 ms", "p99 ms", "errors"]
            .map(String::from)
            .to_vec(),
        rows: by
            .iter()
            .map(|(name, q)| {
                let l = &q.latency_ms;
                vec![
                    name.clone(),
                    q.requests.to_string(),
                    format!("{:.1}", q.requests as f64 / duration),
                    ms(l.p50),
                    ms(l.p95),
                    ms(l.p99),
                    q.errors.to_string(),
                ]
            })
            .collect(),
    })
}

fn errors_table(r: &RunResult) -> Option<Table> {
    let kinds = &r.overall.errors_by_kind;
    if kinds.is_empty() {
        return None;
    }
    let total = r.overall.requests.max(1) as f64;
    Some(Table {
        caption: "Errors by kind".into(),
        header: ["kind", "errors", "share of requests"].map(String::from).to_vec(),
        rows: kinds
            .iter()
            .map(|(kind, n)| {
                vec![
                    kind.clone(),
                    n.to_string(),
                    format!("{:.2}%", *n as f64 / total * 100.0),
                ]
            })
            .collect(),
    })
}

fn forecast(s: &Summary, histories: &Histories, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let threshold = s.threshold.as_ref().map(|t| t.value);
    let mut charts = Vec::new();
    for (i, series) in s.series.iter().take(MAX_FORECAST_CHARTS).enumerate() {
        let points = histories.get(&series.series).map(Vec::as_slice).unwrap_or(&[]);
        charts.push(chart(
            &format!("forecast-{}", i + 1),
            &format!("Forecast: {}", series.series),
            charts::forecast(series, History { points }, threshold)?,
        ));
    }
    let when = |t: Option<i64>| t.map_or("not within the horizon".to_string(), |t| charts::date(t as f64));
    for series in &s.series {
        if let Some(r) = &series.runway {
            summary.push(match (r.mean_crosses_at, r.upper95_crosses_at) {
                (Some(mean), upper) => format!("Runway for {}: the forecast reaches {:.1} on {} (upper 95% bound: {}).", series.series, r.threshold, when(Some(mean)), when(upper)),
                (None, Some(upper)) => format!("Runway for {}: the mean stays under {:.1} within the horizon; the upper 95% bound reaches it on {}.", series.series, r.threshold, when(Some(upper))),
                (None, None) => format!("Runway for {}: stays under {:.1} within the horizon, upper 95% bound included.", series.series, r.threshold),
            });
        }
    }
    let rows = s
        .series
        .iter()
        .map(|x| {
            let runway = x.runway.as_ref();
            vec![
                x.series.clone(),
                x.model.clone(),
                x.backtest.mase.map_or("-".into(), |m| format!("{m:.2}")),
                format!("{:.1} ({:.1} to {:.1})", x.peak.value, x.peak.lo95, x.peak.hi95),
                runway.map_or("-".into(), |r| when(r.mean_crosses_at)),
                runway.map_or("-".into(), |r| when(r.upper95_crosses_at)),
            ]
        })
        .collect();
    let mut paragraphs = vec![format!(
        "{} forecast {} days ahead with 80% and 95% intervals.",
        if s.series.len() == 1 {
            "1 series".to_string()
        } else {
            format!("{} series", s.series.len())
        },
        s.horizon_s / 86_400
    )];
    if let Some(t) = &s.threshold {
        paragraphs.push(format!("Threshold {:.1}, from {}.", t.value, t.source));
    }
    Ok(Section {
        title: "When will we run out?".into(),
        paragraphs,
        charts,
        tables: vec![Table {
            caption: "Each series".into(),
            header: [
                "series",
                "model",
                "backtest MASE",
                "peak (95% interval)",
                "runway (mean)",
                "runway (upper 95%)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            "Runway: the date the forecast first reaches the threshold; the upper-95% date is the cautious one, the \
             mean's the central estimate."
                .into(),
            "Intervals: the band the actual values should fall in 80% (or 95%) of the time, if the future behaves like \
             the past."
                .into(),
            "MASE (mean absolute scaled error): the forecast's error on the held-out last stretch of history, divided \
             by the error of repeating the last cycle. Below 1 beats that naive forecast; above 1 does worse."
                .into(),
        ],
    })
}

fn rightsize(r: &Report, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let at_risk: Vec<&str> = r
        .services
        .iter()
        .filter(|s| !s.flags.is_empty())
        .map(|s| s.service.as_str())
        .collect();
    let dearer: Vec<&str> = r
        .services
        .iter()
        .filter(|s| s.savings_monthly_usd.is_some_and(|v| v < 0.0))
        .map(|s| s.service.as_str())
        .collect();
    let t = &r.total;
    let mut line = format!("{} services, {} flagged at risk", r.services.len(), at_risk.len());
    if !dearer.is_empty() {
        line.push_str(&format!(", {} need more than today (the table says why)", dearer.len()));
    }
    summary.push(format!("What to run: {line}; {}.", t.describe()));
    let mut paragraphs = vec![format!("Right-sizing: {}.", t.describe())];
    if !at_risk.is_empty() {
        paragraphs.push(format!(
            "At risk: {}.",
            at_risk.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    if !dearer.is_empty() {
        paragraphs.push(format!(
            "Cost more than today: {}.",
            dearer.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
    let money = |v: Option<f64>| v.map_or("-".into(), charts::style::money);
    let rows = r
        .services
        .iter()
        .take(MAX_RIGHTSIZE_ROWS)
        .map(|s| {
            vec![
                s.service.clone(),
                s.current
                    .as_ref()
                    .map_or("-".into(), |p| format!("{} x {}", p.count, p.instance_type)),
                format!("{} x {}", s.recommended.count, s.recommended.instance_type),
                money(s.savings_monthly_usd),
                s.reason.clone(),
                s.flags.join(", "),
                format!("{:.0}%", s.confidence * 100.0),
            ]
        })
        .collect();
    Ok(Section {
        title: "What should we run, and what does it cost?".into(),
        paragraphs,
        charts: vec![
            chart("cost", "Monthly cost per service", charts::cost(r)?),
            chart(
                "utilisation",
                "CPU use against capacity, today's and recommended",
                charts::utilisation(r)?,
            ),
        ],
        tables: vec![Table {
            caption: if r.services.len() > MAX_RIGHTSIZE_ROWS {
                format!(
                    "The first {MAX_RIGHTSIZE_ROWS} of {} services (all in recommendations.csv)",
                    r.services.len()
                )
            } else {
                "Each service".into()
            },
            header: [
                "service",
                "today",
                "recommended",
                "saves a month",
                "why this size",
                "flags",
                "confidence",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            "Saves a month: today's cost less the recommendation's; negative when the service needs more than it has."
                .into(),
            "Confidence: grows with the history's length (days / (days + 7)): a week of history gives 50%.".into(),
        ],
    })
}

fn containers(r: &ContainersReport, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    use headroom_loadgen::units::MIB;
    let flagged = r.containers.iter().filter(|c| !c.flags.is_empty()).count();
    let change = r.prices.as_ref().map_or(String::new(), |_| {
        format!(
            "; requests change the bill by {}/month",
            charts::style::money(r.monthly_usd_change)
        )
    });
    let line = format!(
        "{} containers of {} pods over {}{change}, {flagged} flagged",
        r.containers.len(),
        r.source.pods,
        r.source.range
    );
    summary.push(format!("Kubernetes requests: {line}."));
    let mut paragraphs = vec![format!(
        "Kubernetes containers from {} (namespace {}), {} at {}: {line}.",
        r.source.prometheus,
        r.source.namespace.as_deref().unwrap_or("all"),
        r.source.range,
        r.source.step
    )];
    if let Some(p) = &r.prices {
        paragraphs.push(format!(
            "Priced at ${:.4} per vCPU-hour and ${:.4} per GiB-hour, fitted to the instance types of {} (R² {:.2}).",
            p.prices.vcpu_hourly_usd, p.prices.gib_hourly_usd, p.fitted_to, p.r_squared
        ));
    }
    paragraphs.extend(r.notes.iter().map(|n| format!("Note: {n}.")));
    let cores = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.3}"));
    let mib = |v: Option<f64>| v.map_or("-".into(), |v| format!("{:.0}", v / MIB));
    let rows = r
        .containers
        .iter()
        .take(MAX_RIGHTSIZE_ROWS)
        .map(|c| {
            vec![
                format!("{}/{}/{}", c.namespace, c.workload, c.container),
                format!("{:.1}", c.pods),
                cores(Some(c.cpu_p95_cores)),
                cores(Some(c.cpu_request_cores)),
                cores(c.current_cpu_request_cores),
                mib(Some(c.memory_max_bytes)),
                mib(Some(c.memory_request_bytes)),
                mib(c.current_memory_request_bytes),
                c.monthly_usd_change.map_or("-".into(), charts::style::money),
                c.flags.join(", "),
            ]
        })
        .collect();
    let shown = r.containers.len().min(MAX_RIGHTSIZE_ROWS);
    let charted = &r.containers[..shown];
    Ok(Section {
        title: "What should each container request?".into(),
        paragraphs,
        charts: vec![
            chart(
                "container-cpu",
                "CPU requests per container",
                charts::cpu_requests(charted)?,
            ),
            chart(
                "container-memory",
                "Memory requests per container",
                charts::memory_requests(charted)?,
            ),
        ],
        tables: vec![Table {
            caption: if r.containers.len() > shown {
                format!(
                    "The first {shown} of {} containers (all in containers.csv)",
                    r.containers.len()
                )
            } else {
                "Each container (patch.yaml applies the requests)".into()
            },
            header: [
                "namespace/workload/container",
                "pods",
                "CPU p95",
                "CPU request",
                "today",
                "memory max MiB",
                "memory request MiB",
                "today",
                "$/month change",
                "flags",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            format!(
                "CPU request: the p{} of every pod's CPU use, with {:.0}% headroom; memory request and limit: the \
                 peak working set with {:.0}% headroom (a container over its memory limit is killed, so the limit \
                 is the peak, not an average).",
                r.policy.cpu_percentile,
                r.policy.headroom * 100.0,
                r.policy.memory_headroom * 100.0
            ),
            "$/month change: the requests' difference times the prices, over the workload's average pods; \
             negative saves."
                .into(),
        ],
    })
}

fn plan(p: &PlanFile, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let predicted = p
        .plan
        .objective_ms
        .map_or("overloaded".into(), |v| format!("{v:.0} ms"));
    let line = format!(
        "{} instances ({}) for {:.0} rps: predicted {} {predicted} against {} ms, utilisation {:.0}%.",
        p.instances,
        p.redundancy,
        p.demand.rps,
        p.objective.name,
        p.objective.limit_ms,
        p.plan.utilisation * 100.0
    );
    summary.push(format!("Peak event: {line}"));
    let mut paragraphs = vec![line, format!("Demand from {}.", p.demand.source)];
    if let Some(c) = &p.current {
        paragraphs.push(format!(
            "Today: {} instances, {}.",
            c.instances,
            if c.meets_objective {
                "meets the SLO"
            } else {
                "misses the SLO"
            }
        ));
    }
    if let Some(c) = &p.cost {
        paragraphs.push(format!(
            "Cost: {} a month, {} for the {}-hour event.",
            charts::style::money(c.monthly_usd),
            charts::style::money(c.event_usd),
            c.event_hours
        ));
    }
    paragraphs.extend(p.warnings.iter().map(|w| format!("Warning: {w}")));
    Ok(Section {
        title: "Peak-event readiness".into(),
        paragraphs,
        charts: vec![chart("plan", "Predicted latency by instance count", charts::plan(p)?)],
        tables: vec![Table {
            caption: "Instances needed at other demands".into(),
            header: ["demand", "instances"].map(String::from).to_vec(),
            rows: p
                .sensitivity
                .iter()
                .map(|s| {
                    vec![
                        format!("{}x ({:.0} rps)", s.multiplier, s.demand_rps),
                        s.instances.map_or("-".into(), |n| n.to_string()),
                    ]
                })
                .collect(),
        }],
        explanations: vec![
            format!(
                "The plan: the fewest instances whose predicted {} meets the SLO with {} lost, from a queueing model of \
                 one instance measured in the load test.",
                p.objective.name,
                if p.redundancy.spares() == 1 { "1 instance".to_string() } else { format!("the spares of {}", p.redundancy) }
            ),
            "Headroom: how much more demand the plan takes before the SLO fails.".into(),
        ],
    })
}
