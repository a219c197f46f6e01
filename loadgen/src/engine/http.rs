//! One request sent and judged: the URL, headers and body rendered from the bindings,
//! the status, header and body checks, and the extractions into the user's variables.

use super::Shared;
use crate::scenario::template::Bindings;
use crate::scenario::{Body, Check, ExtractFrom, JsonTemplate, Request};

/// Sends one request and judges it; returns the error kind, if any.
pub(super) async fn send(
    shared: &Shared,
    client: &reqwest::Client,
    index: usize,
    rows: &[Option<&[String]>],
    vars: &mut [Option<String>],
) -> Option<String> {
    let request = shared.request(index);
    let bindings = Bindings { vars, rows };
    let method = reqwest::Method::from_bytes(request.method.as_str().as_bytes()).expect("valid method");
    let builder = match &shared.static_urls[index] {
        Some(url) => client.request(method, url.clone()),
        None => client.request(method, format!("{}{}", shared.base, request.path.render(&bindings))),
    };
    let mut builder = builder.timeout(request.timeout);
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.render(&bindings));
    }
    match &request.body {
        Some(Body::Raw(t)) => builder = builder.body(t.render(&bindings)),
        Some(Body::Json(j)) => {
            builder = builder
                .header("content-type", "application/json")
                .body(render_json(j, &bindings).to_string())
        }
        None => {}
    }
    let response = match builder.send().await {
        Ok(r) => r,
        Err(e) => return Some(transport_error(&e)),
    };
    let status = response.status().as_u16();
    let header_missing = request
        .check
        .header
        .as_ref()
        .is_some_and(|h| !response.headers().contains_key(h.as_str()));
    let body = match response.bytes().await {
        Ok(b) => b,
        Err(e) => return Some(transport_error(&e)),
    };
    if let Some(kind) = failed_check(request, status, header_missing, &body) {
        return Some(kind);
    }
    for extract in &request.extract {
        match extract_value(&extract.from, &body) {
            Some(v) => vars[extract.var] = Some(v),
            None => return Some(format!("extract {}", request.name)),
        }
    }
    None
}

fn transport_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect".into()
    } else {
        "transport".into()
    }
}

/// The error kind of the first failing check (`check <request> status`); without a
/// status check, 4xx and 5xx answers fail as `status NNN`.
fn failed_check(request: &Request, status: u16, header_missing: bool, body: &[u8]) -> Option<String> {
    let check: &Check = &request.check;
    let failed = |what: &str| Some(format!("check {} {what}", request.name));
    match &check.status {
        Some(allowed) if !allowed.contains(&status) => return failed("status"),
        None if status >= 400 => return Some(format!("status {status}")),
        _ => {}
    }
    if let Some(needle) = &check.body_contains {
        if !String::from_utf8_lossy(body).contains(needle.as_str()) {
            return failed("body_contains");
        }
    }
    if header_missing {
        return failed("header");
    }
    None
}

fn extract_value(from: &ExtractFrom, body: &[u8]) -> Option<String> {
    match from {
        ExtractFrom::JsonPointer(pointer) => {
            let value: serde_json::Value = serde_json::from_slice(body).ok()?;
            match value.pointer(pointer)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Null => None,
                other => Some(other.to_string()),
            }
        }
        ExtractFrom::Regex(re) => {
            let text = String::from_utf8_lossy(body);
            let captures = re.captures(&text)?;
            captures
                .get(1)
                .or_else(|| captures.get(0))
                .map(|m| m.as_str().to_string())
        }
    }
}

fn render_json(template: &JsonTemplate, bindings: &Bindings) -> serde_json::Value {
    use serde_json::Value;
    match template {
        JsonTemplate::Value(v) => v.clone(),
        JsonTemplate::Text(t) => Value::String(t.render(bindings)),
        JsonTemplate::Array(items) => Value::Array(items.iter().map(|i| render_json(i, bindings)).collect()),
        JsonTemplate::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), render_json(v, bindings)))
                .collect(),
        ),
    }
}
