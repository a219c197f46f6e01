//! One request sent and judged: the URL, headers and body rendered from the bindings
//! (sent by `client`), the status, header and body checks, and the extractions into
//! the user's variables.

use super::client::{Address, Answer, Client, Outgoing, TRANSPORT};
use super::Shared;
use crate::scenario::template::Bindings;
use crate::scenario::{Body, Check, ExtractFrom, JsonTemplate, Request};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Method;
use std::borrow::Cow;

/// Sends one request and judges it; returns the error kind, if any.
pub(super) async fn send(
    shared: &Shared,
    client: &mut Client<'_>,
    index: usize,
    rows: &[Option<&[String]>],
    vars: &mut [Option<String>],
) -> Option<String> {
    let request = shared.request(index);
    let outgoing = match render(shared, index, &Bindings { vars, rows }) {
        Some(outgoing) => outgoing,
        // A URL or header the bindings made invalid: nothing was sent.
        None => return Some(TRANSPORT.into()),
    };
    let answer = match client.exchange(outgoing).await {
        Ok(answer) => answer,
        Err(kind) => return Some(kind.into()),
    };
    if let Some(kind) = failed_check(request, &answer) {
        return Some(kind);
    }
    for extract in &request.extract {
        match extract_value(&extract.from, &answer.body) {
            Some(v) => vars[extract.var] = Some(v),
            None => return Some(format!("extract {}", request.name)),
        }
    }
    None
}

/// The request at `index` rendered with the user's bindings; None if its URL or a
/// header is not valid once rendered.
fn render<'s>(shared: &'s Shared, index: usize, bindings: &Bindings) -> Option<Outgoing<'s>> {
    let request = shared.request(index);
    let address = match &shared.static_addresses[index] {
        Some(address) => Cow::Borrowed(address),
        None => Cow::Owned(Address::parse(&shared.base, &request.path.render(bindings))?),
    };
    let mut headers = HeaderMap::with_capacity(request.headers.len() + 1);
    for (name, value) in &request.headers {
        let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
        headers.append(name, HeaderValue::from_str(&value.render(bindings)).ok()?);
    }
    let body = match &request.body {
        Some(Body::Raw(t)) => Some(t.render(bindings).into()),
        Some(Body::Json(j)) => {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            Some(render_json(j, bindings).to_string().into())
        }
        None => None,
    };
    let method = Method::from_bytes(request.method.as_str().as_bytes()).expect("valid method");
    Some(Outgoing {
        method,
        address,
        headers,
        body,
        timeout: request.timeout,
    })
}

/// The error kind of the first failing check (`check <request> status`); without a
/// status check, 4xx and 5xx answers fail as `status NNN`.
fn failed_check(request: &Request, answer: &Answer) -> Option<String> {
    let check: &Check = &request.check;
    let status = answer.status;
    let failed = |what: &str| Some(format!("check {} {what}", request.name));
    match &check.status {
        Some(allowed) if !allowed.contains(&status) => return failed("status"),
        None if status >= 400 => return Some(format!("status {status}")),
        _ => {}
    }
    if let Some(needle) = &check.body_contains {
        if !String::from_utf8_lossy(&answer.body).contains(needle.as_str()) {
            return failed("body_contains");
        }
    }
    if check
        .header
        .as_ref()
        .is_some_and(|h| !answer.headers.contains_key(h.as_str()))
    {
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
