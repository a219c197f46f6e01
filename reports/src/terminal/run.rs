//! A run's end-of-run summary table: one row per step with its load, throughput, latency
//! percentiles, errors and SLO verdict, then the whole run.

use headroom_loadgen::plan::Arrivals;
use headroom_loadgen::results::{RunResult, RunVerdict, WindowResult};
use headroom_loadgen::slo::Verdict;

/// The table; with `by_request` (or when the scenario has several requests) a row per
/// journey/step request after it.
pub fn render(run: &RunResult, by_request: bool) -> String {
    let header = [
        "step", "load", "rps", "p50 ms", "p95 ms", "p99 ms", "errors", "dropped", "SLO",
    ];
    let mut rows: Vec<Vec<String>> = run
        .steps
        .iter()
        .map(|s| row(s.step.to_string(), s.load_label(), &s.window))
        .collect();
    rows.push(row("all".into(), String::new(), &run.overall));
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut out = vec![line(header.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.into_iter().map(line));
    if by_request || run.overall.by_request.len() > 1 {
        out.push(String::new());
        out.extend(request_rows(run));
    }
    out.push(String::new());
    out.extend(errors_line(&run.overall));
    out.extend(open_model_line(run));
    out.extend(run.notes.iter().cloned());
    for step in &run.steps {
        out.extend(step.notes.iter().map(|note| format!("step {}: {note}", step.step)));
    }
    out.extend(search_line(run));
    out.push(verdict_line(run));
    out.join("\n")
}

/// A search's answer: the limit with its bracket, or why there is none.
fn search_line(run: &RunResult) -> Option<String> {
    let s = run.search.as_ref()?;
    let unit = |v: f64| run.model.level(v);
    let answer = match (s.highest_passing, s.lowest_failing) {
        (Some(pass), Some(fail)) => format!(
            "the highest load meeting the SLO is {} (the limit is between it and {}, which fails)",
            unit(pass),
            unit(fail)
        ),
        (Some(pass), None) => format!("{} met the SLO; the limit is higher", unit(pass)),
        (None, _) => "no level met the SLO".to_string(),
    };
    Some(format!("search: {answer}; {} steps; {}", s.steps, s.stopped))
}

/// The most characters of a request's name a table shows (run.json keeps it whole).
const NAME_CHARS: usize = 60;

/// One line per request over the whole run: requests, errors and latency percentiles.
fn request_rows(run: &RunResult) -> Vec<String> {
    let name = |n: &str| crate::safe::bounded(&crate::safe::terminal(n), NAME_CHARS);
    let name_width = run
        .overall
        .by_request
        .keys()
        .map(|k| name(k).chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut lines = vec![format!(
        "{:<name_width$}  {:>9}  {:>7}  {:>7}  {:>7}  {:>7}",
        "request", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"
    )];
    lines.extend(run.overall.by_request.iter().map(|(request, r)| {
        format!(
            "{:<name_width$}  {:>9}  {:>7}  {:>7.1}  {:>7.1}  {:>7.1}",
            name(request),
            r.requests,
            r.errors,
            r.latency_ms.p50,
            r.latency_ms.p95,
            r.latency_ms.p99
        )
    }));
    lines
}

fn row(step: String, load: String, w: &WindowResult) -> Vec<String> {
    vec![
        step,
        load,
        format!("{:.1}", w.throughput_rps),
        format!("{:.1}", w.latency_ms.p50),
        format!("{:.1}", w.latency_ms.p95),
        format!("{:.1}", w.latency_ms.p99),
        format!("{} ({:.2}%)", w.errors, w.error_rate * 100.0),
        w.dropped.to_string(),
        slo_cell(&w.slo),
    ]
}

/// How the open model's arrivals came and how far its pool grew.
fn open_model_line(run: &RunResult) -> Option<String> {
    let arrivals = match run.arrivals? {
        Arrivals::Poisson => "Poisson arrivals",
        Arrivals::Uniform => "evenly spaced arrivals",
    };
    let seed = run.seed.map(|s| format!(" (seed {s})")).unwrap_or_default();
    let pool = match run.pool_max {
        Some(max) => format!("the pool reached {} users (of at most {max})", run.pool_users),
        None => format!("the pool reached {} users", run.pool_users),
    };
    let dropped = if run.overall.dropped > 0 {
        "; an arrival is dropped only when every user of the full pool is busy"
    } else {
        ""
    };
    Some(format!("{arrivals}{seed}; {pool}{dropped}"))
}

fn slo_cell(verdicts: &[Verdict]) -> String {
    if verdicts.is_empty() {
        "-".into()
    } else if verdicts.iter().all(|v| v.passed) {
        "pass".into()
    } else {
        let failed: Vec<&str> = verdicts
            .iter()
            .filter(|v| !v.passed)
            .map(|v| v.objective.as_str())
            .collect();
        format!("FAIL {}", failed.join(","))
    }
}

/// Errors by kind over the run, most frequent first.
fn errors_line(w: &WindowResult) -> Option<String> {
    let mut kinds: Vec<(&String, &u64)> = w.errors_by_kind.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1));
    let listed: Vec<String> = kinds.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
    (!listed.is_empty()).then(|| format!("errors by kind: {}", listed.join(", ")))
}

fn verdict_line(run: &RunResult) -> String {
    let status = format!("{:?}", run.status).to_lowercase();
    let verdict = run.verdict();
    if let RunVerdict::NoData(reason) = &verdict {
        return format!("run {status}: FAILED: {reason}");
    }
    let reason = run.end_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    let best = run
        .steps
        .iter()
        .filter(|s| !s.window.slo.is_empty() && s.passes(run.model))
        .max_by(|a, b| a.window.throughput_rps.total_cmp(&b.window.throughput_rps))
        .map(|s| {
            format!(
                "; highest step meeting the SLO: step {} at {:.1} rps",
                s.step, s.window.throughput_rps
            )
        })
        .unwrap_or_default();
    let slo = match verdict {
        RunVerdict::Search { .. } => "a search (its answer above)",
        RunVerdict::Slo(Some(true)) => "SLO met over the run",
        RunVerdict::Slo(Some(false)) => "SLO FAILED over the run",
        RunVerdict::Slo(None) | RunVerdict::NoData(_) => "no SLO",
    };
    format!("run {status}{reason}: {slo}{best}")
}
