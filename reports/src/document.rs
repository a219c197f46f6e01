//! The capacity report as a document: an executive summary and a section per question,
//! each with text, charts and a table, built from whichever results are given. Missing
//! inputs leave their sections out. Rendering to HTML and Markdown is in `export`.

use crate::charts::{self, History};
use headroom_forecast::limits::LimitsFile;
use headroom_forecast::plan::PlanFile;
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
    pub limits: Option<LimitsFile>,
    pub forecast: Option<(Summary, Histories)>,
    pub rightsize: Option<Report>,
    pub plan: Option<PlanFile>,
}

pub struct Chart {
    /// File stem for the SVG next to the report (`throughput`).
    pub file: String,
    pub title: String,
    pub svg: String,
}

pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

pub struct Section {
    pub title: String,
    pub paragraphs: Vec<String>,
    pub charts: Vec<Chart>,
    pub table: Option<Table>,
}

pub struct Document {
    pub title: String,
    pub summary: Vec<String>,
    pub sections: Vec<Section>,
}

/// Forecast charts drawn at most (the table lists every series).
const MAX_FORECAST_CHARTS: usize = 12;
const MAX_RIGHTSIZE_ROWS: usize = 25;

pub fn build(inputs: &Inputs) -> anyhow::Result<Document> {
    let mut summary = Vec::new();
    let mut sections = Vec::new();
    if inputs.run.is_some() || inputs.limits.is_some() {
        sections.push(saturation(inputs.run.as_ref(), inputs.limits.as_ref(), &mut summary)?);
    }
    if let Some((s, histories)) = &inputs.forecast {
        sections.push(forecast(s, histories, &mut summary)?);
    }
    if let Some(r) = &inputs.rightsize {
        sections.push(rightsize(r, &mut summary)?);
    }
    if let Some(p) = &inputs.plan {
        sections.push(plan(p, &mut summary)?);
    }
    if sections.is_empty() {
        anyhow::bail!("nothing to report: give at least one of --run, --limits, --forecast, --rightsize, --plan");
    }
    Ok(Document {
        title: "Capacity report".into(),
        summary,
        sections,
    })
}

fn chart(file: &str, title: &str, svg: String) -> Chart {
    Chart {
        file: file.into(),
        title: title.into(),
        svg,
    }
}

fn saturation(
    run: Option<&RunResult>,
    limits: Option<&LimitsFile>,
    summary: &mut Vec<String>,
) -> anyhow::Result<Section> {
    let mut paragraphs = Vec::new();
    let mut charts = Vec::new();
    let mut table = None;
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
        charts.push(chart("timeline", "Run timeline", charts::timeline(r)?));
        table = Some(Table {
            header: ["step", "load", "rps", "p50 ms", "p95 ms", "p99 ms", "errors", "dropped"]
                .map(String::from)
                .to_vec(),
            rows: r
                .steps
                .iter()
                .map(|s| {
                    let load = s
                        .users
                        .map(|u| format!("{u} users"))
                        .or(s.rate.map(|r| format!("{r}/s")))
                        .unwrap_or_default();
                    let l = &s.window.latency_ms;
                    vec![
                        s.step.to_string(),
                        load,
                        format!("{:.1}", s.window.throughput_rps),
                        format!("{:.1}", l.p50),
                        format!("{:.1}", l.p95),
                        format!("{:.1}", l.p99),
                        s.window.errors.to_string(),
                        s.window.dropped.to_string(),
                    ]
                })
                .collect(),
        });
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
            paragraphs.push(format!(
                "Knee: {:.1} {} — beyond it extra load mostly adds queueing.",
                k.load.value, k.load.unit
            ));
        }
        paragraphs.extend(limits.warnings.iter().map(|w| format!("Warning: {w}")));
        charts.push(chart("throughput", "Throughput vs load", charts::throughput(l)?));
        charts.push(chart("latency", "Latency vs load", charts::latency(l)?));
    }
    Ok(Section {
        title: "How much can this service take?".into(),
        paragraphs,
        charts,
        table,
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
            vec![
                x.series.clone(),
                x.model.clone(),
                x.backtest.mase.map_or("-".into(), |m| format!("{m:.3}")),
                format!("{:.2} ({:.2}..{:.2})", x.peak.value, x.peak.lo95, x.peak.hi95),
                x.runway.as_ref().map_or("-".into(), |r| when(r.mean_crosses_at)),
            ]
        })
        .collect();
    let mut paragraphs = vec![format!(
        "{} series forecast {} days ahead with 80% and 95% intervals.",
        s.series.len(),
        s.horizon_s / 86_400
    )];
    if let Some(t) = &s.threshold {
        paragraphs.push(format!("Threshold {:.1} (from {}).", t.value, t.source));
    }
    Ok(Section {
        title: "When will we run out?".into(),
        paragraphs,
        charts,
        table: Some(Table {
            header: ["series", "model", "backtest MASE", "peak (95%)", "runway (mean)"]
                .map(String::from)
                .to_vec(),
            rows,
        }),
    })
}

fn rightsize(r: &Report, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let at_risk: Vec<&str> = r
        .services
        .iter()
        .filter(|s| !s.flags.is_empty())
        .map(|s| s.service.as_str())
        .collect();
    let t = &r.total;
    summary.push(format!(
        "What to run: {} services, {} flagged at risk; {}.",
        r.services.len(),
        at_risk.len(),
        t.describe()
    ));
    let mut paragraphs = vec![format!("Right-sizing: {}.", t.describe())];
    if !at_risk.is_empty() {
        paragraphs.push(format!(
            "At risk: {}.",
            at_risk.iter().take(20).copied().collect::<Vec<_>>().join(", ")
        ));
    }
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
                s.savings_monthly_usd.map_or("-".into(), |v| format!("{v:.2}")),
                s.flags.join(", "),
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
                "CPU use against recommended capacity",
                charts::utilisation(r)?,
            ),
        ],
        table: Some(Table {
            header: ["service", "today", "recommended", "saves $/month", "flags"]
                .map(String::from)
                .to_vec(),
            rows,
        }),
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
            "Cost: ${:.2} a month, ${:.2} for the {}-hour event.",
            c.monthly_usd, c.event_usd, c.event_hours
        ));
    }
    paragraphs.extend(p.warnings.iter().map(|w| format!("Warning: {w}")));
    Ok(Section {
        title: "Peak-event readiness".into(),
        paragraphs,
        charts: vec![chart("plan", "Predicted latency by instance count", charts::plan(p)?)],
        table: Some(Table {
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
        }),
    })
}
