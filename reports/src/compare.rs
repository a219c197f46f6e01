//! compare.md: a comparison of two runs as a Markdown verdict and table, for a CI log
//! or a pull request (the terminal shows the same text).

use crate::safe::markdown as cell;
use headroom_loadgen::compare::Comparison;

pub fn to_markdown(c: &Comparison) -> String {
    let mut out = format!(
        "## {}\n\n`{}` against the baseline `{}`, threshold {:.0}%.\n\n",
        cell(&c.verdict),
        cell(&c.new),
        cell(&c.base),
        c.threshold * 100.0
    );
    out.push_str("| what | requests | rps | p50 ms | p95 ms | p99 ms | error rate |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- | --- |\n");
    for r in &c.rows {
        let percentiles: Vec<String> = r
            .percentiles
            .iter()
            .map(|p| {
                format!(
                    "{:.1} -> {:.1} ({:+.1}%, 95% {:+.1}..{:+.1}){}",
                    p.base_ms,
                    p.new_ms,
                    p.change * 100.0,
                    p.low * 100.0,
                    p.high * 100.0,
                    if p.regressed { " **worse**" } else { "" }
                )
            })
            .collect();
        let blank = || "-".to_string();
        out.push_str(&format!(
            "| {} | {} -> {} | {:.1} -> {:.1} | {} | {} | {} | {:.2}% -> {:.2}%{} |\n",
            cell(&r.what),
            r.base_requests,
            r.new_requests,
            r.base_rps,
            r.new_rps,
            percentiles.first().cloned().unwrap_or_else(blank),
            percentiles.get(1).cloned().unwrap_or_else(blank),
            percentiles.get(2).cloned().unwrap_or_else(blank),
            r.base_error_rate * 100.0,
            r.new_error_rate * 100.0,
            if r.error_rate_regressed { " **worse**" } else { "" }
        ));
    }
    if !c.unmatched.is_empty() {
        out.push_str(&format!(
            "\nNot compared (no step at the same load in the other run): {}.\n",
            cell(&c.unmatched.join(", "))
        ));
    }
    out.push_str(&format!("\nMethod: {}.\n", cell(&c.method)));
    out
}
