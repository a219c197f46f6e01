//! Writes a `Draft` as a scenario file: a comment header (source, what was kept and
//! dropped, the secrets to set, how to run it), then the scenario with every value a
//! JSON scalar or flow collection, which YAML reads as written whatever it contains.

use crate::draft::{Body, Draft, Step};
use serde_json::Value;
use std::fmt::Write;

pub fn write(draft: &Draft, source: &str, format: &str) -> String {
    let mut out = header(draft, source, format);
    let _ = writeln!(out, "name: {}", string(&draft.name));
    let _ = writeln!(out, "target: {}", string(&draft.target));
    if !draft.default_headers.is_empty() {
        let _ = writeln!(out, "defaults:\n  headers: {}", pairs(&draft.default_headers));
    }
    out.push_str("journeys:\n");
    for journey in &draft.journeys {
        let _ = writeln!(out, "  - name: {}\n    steps:", string(&journey.name));
        for step in &journey.steps {
            write_step(&mut out, step);
        }
    }
    let _ = writeln!(
        out,
        "load:\n  stages: [{{users: {}, hold: {}}}]",
        draft.users,
        string(&format!("{}s", draft.hold_seconds))
    );
    out.push_str("slo: {error_rate: \"1%\"}\n");
    out
}

fn header(draft: &Draft, source: &str, format: &str) -> String {
    let mut lines = vec![format!("Imported by `headroom import` from {source} ({format}).")];
    lines.extend(draft.kept.iter().map(|k| format!("Kept: {k}.")));
    lines.extend(draft.dropped.iter().map(|d| format!("Dropped: {d}.")));
    lines.extend(draft.notes.iter().map(|n| format!("Note: {n}.")));
    if !draft.secrets.is_empty() {
        lines.push("Secrets: set these in the environment before running (the file holds none):".into());
        let width = draft.secrets.iter().map(|s| s.var.len()).max().unwrap_or(0);
        for secret in &draft.secrets {
            lines.push(format!(
                "  {:width$}  {} ({})",
                secret.var,
                secret.what,
                crate::draft::count(secret.uses, "request")
            ));
        }
    }
    lines.push(format!(
        "Load: {} repeating the journeys for {} s, enough to send every request; edit `load:` for a load test.",
        crate::draft::count(draft.users, "user"),
        draft.hold_seconds
    ));
    lines.iter().map(|l| format!("# {}\n", l.replace('\n', " "))).collect()
}

fn write_step(out: &mut String, step: &Step) {
    let _ = writeln!(out, "      - name: {}", string(&step.name));
    let _ = writeln!(
        out,
        "        {}: {}",
        step.method.as_str().to_ascii_lowercase(),
        string(&step.path)
    );
    if !step.headers.is_empty() {
        let _ = writeln!(out, "        headers: {}", pairs(&step.headers));
    }
    match &step.body {
        Some(Body::Json(value)) => {
            let _ = writeln!(out, "        json: {}", flow(value));
        }
        Some(Body::Text(text)) => {
            let _ = writeln!(out, "        body: {}", string(text));
        }
        None => {}
    }
    if let Some(status) = step.status {
        let _ = writeln!(out, "        check: {{status: {status}}}");
    }
    if let Some(ms) = step.think_ms {
        let _ = writeln!(out, "        think: {}", string(&format!("{ms}ms")));
    }
}

/// A double-quoted scalar: JSON's escapes are YAML's.
fn string(text: &str) -> String {
    Value::String(text.to_string()).to_string()
}

fn pairs(pairs: &[(String, String)]) -> String {
    let items: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}: {}", string(k), string(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

/// A JSON value as a YAML flow collection, with the space after `:` and `,` YAML wants.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let items: Vec<String> = map.iter().map(|(k, v)| format!("{}: {}", string(k), flow(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        scalar => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flow text reads back as the same value through the scenario's YAML parser.
    #[test]
    fn flow_values_read_back_as_written() {
        let value = serde_json::json!({"a": [1, 2.5, true, null], "b": {"c": "x: \"y\", #z\n"}, "": "é"});
        let back: Value = serde_saphyr::from_str(&flow(&value)).unwrap();
        assert_eq!(back, value);
    }
}
