//! The saturation section: the load test (steps, requests, errors, its baseline) and
//! the limits fitted to it.

use super::*;

pub(super) fn saturation(inputs: &Inputs, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let (run, limits) = (inputs.run.as_ref(), inputs.limits.as_ref());
    let mut paragraphs = Vec::new();
    let mut charts = Vec::new();
    let mut tables = Vec::new();
    let mut explanations = Vec::new();
    if let Some(r) = run {
        let slo = match r.verdict() {
            RunVerdict::NoData(reason) => reason,
            RunVerdict::Search { found: true } => "a saturation search found the highest load meeting the SLO".into(),
            RunVerdict::Search { found: false } => "a saturation search found no load meeting the SLO".into(),
            RunVerdict::Slo(Some(true)) => "every SLO held over the run".into(),
            RunVerdict::Slo(Some(false)) => "an SLO failed over the run".into(),
            RunVerdict::Slo(None) => "no SLO".into(),
        };
        paragraphs.push(format!(
            "Load test `{}` against {}: {} steps, {} model, {}; {slo}.",
            r.scenario,
            r.target,
            r.steps.len(),
            format!("{:?}", r.model).to_lowercase(),
            format!("{:?}", r.status).to_lowercase()
        ));
        let mut timeline = chart("timeline", "Run timeline", "Read each shaded hold: completed requests should run flat through it; latency climbing within a hold, or errors and dropped arrivals above zero, mark the step where the target stopped keeping up", charts::timeline(r)?);
        let whole = r.whole_seconds().len();
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
            "Read across at 99% or 99.9% for how slow the slowest requests were; a curve that bends up sharply has a queue in its tail",
            charts::distribution(r, baseline)?,
        );
        if let Some(b) = baseline {
            let verdict = against_baseline(b, r)?;
            summary.push(format!("Against the baseline: {}.", verdict.verdict));
            paragraphs.push(format!(
                "Against the baseline run of {}: {}.",
                to_the_second(&b.started_at),
                verdict.verdict
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
                paragraphs.push(line.clone());
                match l.poisson_slo_limit() {
                    // What a peak event's (open) traffic sees leads; the run's own figure follows.
                    Some((rate, o)) => {
                        let open = format!(
                            "{rate:.1} rps per instance with Poisson arrivals (as a peak's traffic comes) meeting {} <= {} ms",
                            o.objective, o.limit_ms
                        );
                        paragraphs.push(format!("Poisson SLO limit: {open}, by the queueing model."));
                        summary.push(format!("How much it can take: {open}. As tested: {line}"));
                    }
                    None => summary.push(format!("How much it can take: {line}")),
                }
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
        let mut throughput = chart("throughput", "Throughput vs load", "Where the measured points stop rising is the peak; the model's line past the last step is extrapolated, not measured", charts::throughput(l)?);
        throughput.notes.extend(charts::throughput::model_disagreement(l));
        charts.push(throughput);
        let mut latency = chart("latency", "Latency vs load", "Where a percentile crosses its objective's line is the SLO limit; past the knee, latency grows faster than the load", charts::latency(l)?);
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
            "Poisson SLO limit: the highest rate of independent (Poisson) arrivals, as real traffic and a peak event \
             bring them, at which one instance meets the objective by the fitted queueing model; lower than a closed \
             loop's, whose users wait for each answer. Plans, runways and reviews use it."
                .into(),
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
