//! HAR 1.2 recordings (a browser's or a proxy's): the entries to the recording's main
//! host, in the order they started, become one journey; the gap between one response
//! and the next request is the step's think time. Static assets, other hosts, methods
//! headroom does not send, cookies and caching headers are left out and counted;
//! credentials become `${ENV}` references.

use crate::draft::{count, literal, literal_json, slug, unique, Body, Draft, Journey, Step};
use crate::secrets::{is_secret_field, is_secret_header, Secrets};
use crate::Options;
use headroom_loadgen::scenario::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

#[derive(Deserialize)]
struct Har {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "startedDateTime")]
    started: String,
    /// Milliseconds from the request's start to the response's end.
    #[serde(default)]
    time: f64,
    request: Request,
    response: Option<Response>,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(rename = "mimeType", default)]
    mime_type: String,
    text: Option<String>,
    #[serde(default)]
    params: Vec<NameValue>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: i64,
    content: Option<Content>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(rename = "mimeType")]
    mime_type: Option<String>,
}

/// A request that is kept, with its place in time.
struct Kept<'a> {
    entry: &'a Entry,
    url: url::Url,
    method: Method,
    start_ms: f64,
}

/// Headers the client sets itself or that belong to one connection or one browser cache.
const LEFT_OUT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "te",
    "trailer",
    "accept-encoding",
    "if-none-match",
    "if-modified-since",
];

/// The think time after the last step, before the recording is replayed again.
const PAUSE_BETWEEN_REPLAYS_MS: u64 = 1000;

const ASSET_EXTENSIONS: &[&str] = &[
    "css", "js", "mjs", "map", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "avif", "woff", "woff2", "ttf",
    "otf", "eot", "mp4", "webm", "mp3",
];

/// What a query value or form field may hold unencoded: RFC 3986's unreserved characters.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The draft of a recording; `name` names the scenario.
pub fn draft(text: &str, name: &str, options: &Options) -> Result<Draft, String> {
    let har: Har = serde_json::from_str(text).map_err(|e| {
        format!(
            "line {}, column {}: {e}; expected a HAR 1.2 `log`",
            e.line(),
            e.column()
        )
    })?;
    let mut tally = Tally::default();
    let mut candidates = Vec::new();
    for (i, entry) in har.log.entries.iter().enumerate() {
        if let Some(kept) = tally.admit(i, entry, options)? {
            candidates.push(kept);
        }
    }
    candidates.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
    let origin = main_origin(&candidates).ok_or_else(|| {
        format!(
            "found {} and nothing to replay ({}); expected requests to an HTTP host",
            count(har.log.entries.len(), "entry"),
            tally.dropped().join("; ")
        )
    })?;
    let (kept, others): (Vec<Kept>, Vec<Kept>) = candidates
        .into_iter()
        .partition(|k| k.url.origin().ascii_serialization() == origin);
    tally.other_hosts(&others);
    let mut secrets = Secrets::default();
    let mut taken = Vec::new();
    let steps: Vec<Step> = kept
        .iter()
        .enumerate()
        .map(|(i, k)| step(k, kept.get(i + 1), &mut secrets, &mut taken, &mut tally))
        .collect();
    let span_ms = kept
        .iter()
        .map(|k| k.start_ms + k.entry.time.max(0.0))
        .fold(0.0, f64::max)
        - kept[0].start_ms;
    // Twice the recording, for a slower target, and a margin.
    let hold_seconds = ((2.0 * span_ms / 1000.0 + 5.0).ceil() as u64).max(10);
    let mut draft = Draft {
        name: slug(name, "recording"),
        target: origin.clone(),
        journeys: vec![Journey {
            name: "recording".into(),
            steps,
        }],
        users: 1,
        hold_seconds,
        kept: vec![format!(
            "{} to {origin}, as one journey in the order they started, the recorded gaps as think times ({:.1} s recorded)",
            count(kept.len(), "request"),
            span_ms / 1000.0
        )],
        dropped: tally.dropped(),
        secrets: secrets.found,
        ..Draft::default()
    };
    draft.hoist_common_headers();
    Ok(draft)
}

/// Counts of what was left out, by reason.
#[derive(Default)]
struct Tally {
    not_http: usize,
    no_response: usize,
    assets: usize,
    methods: Vec<String>,
    other_hosts: Vec<String>,
    other_host_requests: usize,
    cookies: usize,
    caching: usize,
}

impl Tally {
    /// The entry as a request to keep, or None when it is left out (and counted).
    fn admit<'a>(&mut self, i: usize, entry: &'a Entry, options: &Options) -> Result<Option<Kept<'a>>, String> {
        let started = OffsetDateTime::parse(&entry.started, &Rfc3339).map_err(|e| {
            format!(
                "entry {i} ({}): startedDateTime `{}` {e}; expected an ISO 8601 time such as 2026-01-01T10:00:00.000Z",
                entry.request.url, entry.started
            )
        })?;
        let url = match url::Url::parse(&entry.request.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                self.not_http += 1;
                return Ok(None);
            }
        };
        if entry.response.as_ref().is_some_and(|r| r.status <= 0) {
            self.no_response += 1;
            return Ok(None);
        }
        if !options.keep_assets && is_asset(entry, &url) {
            self.assets += 1;
            return Ok(None);
        }
        let Some(method) = method(&entry.request.method) else {
            self.methods.push(entry.request.method.to_ascii_uppercase());
            return Ok(None);
        };
        Ok(Some(Kept {
            entry,
            url,
            method,
            start_ms: (started.unix_timestamp_nanos() / 1_000) as f64 / 1000.0,
        }))
    }

    fn other_hosts(&mut self, others: &[Kept]) {
        self.other_host_requests = others.len();
        for k in others {
            let host = k.url.host_str().unwrap_or_default().to_string();
            if !self.other_hosts.contains(&host) {
                self.other_hosts.push(host);
            }
        }
    }

    fn dropped(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if self.assets > 0 {
            lines.push(format!(
                "{} (images, scripts, styles, fonts, media); --keep-assets keeps them",
                count(self.assets, "static asset")
            ));
        }
        if self.other_host_requests > 0 {
            lines.push(format!(
                "{} to other hosts ({}); a scenario has one target",
                count(self.other_host_requests, "request"),
                self.other_hosts.join(", ")
            ));
        }
        if !self.methods.is_empty() {
            let mut methods = self.methods.clone();
            methods.sort();
            methods.dedup();
            lines.push(format!(
                "{} ({}); headroom sends GET, POST, PUT, PATCH, DELETE and HEAD",
                count(self.methods.len(), "request"),
                methods.join(", ")
            ));
        }
        if self.no_response > 0 {
            lines.push(format!(
                "{} the browser blocked or cancelled (no response)",
                count(self.no_response, "request")
            ));
        }
        if self.not_http > 0 {
            lines.push(format!(
                "{} that are not HTTP (data:, blob:...)",
                count(self.not_http, "entry")
            ));
        }
        if self.cookies > 0 {
            lines.push(format!(
                "Cookie headers on {}: headroom keeps no cookies; if the target needs a login cookie, add \
                 `Cookie: ${{HEADROOM_COOKIE}}` to defaults.headers and set HEADROOM_COOKIE",
                count(self.cookies, "request")
            ));
        }
        if self.caching > 0 {
            lines.push(format!(
                "If-None-Match/If-Modified-Since on {}, so that the target sends whole responses",
                count(self.caching, "request")
            ));
        }
        lines
    }
}

fn method(name: &str) -> Option<Method> {
    Some(match name.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "HEAD" => Method::Head,
        _ => return None,
    })
}

/// An image, script, style sheet, font or media file, by the response's type or the
/// path's extension.
fn is_asset(entry: &Entry, url: &url::Url) -> bool {
    let mime = entry
        .response
        .as_ref()
        .and_then(|r| r.content.as_ref())
        .and_then(|c| c.mime_type.as_deref())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let by_type = ["image/", "font/", "video/", "audio/", "text/css", "javascript"]
        .iter()
        .any(|t| mime.contains(t));
    let extension = url
        .path()
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    by_type || ASSET_EXTENSIONS.contains(&extension.as_str())
}

/// The origin most requests went to (the first of equals).
fn main_origin(kept: &[Kept]) -> Option<String> {
    let mut origins: Vec<(String, usize)> = Vec::new();
    for k in kept {
        let origin = k.url.origin().ascii_serialization();
        match origins.iter_mut().find(|(o, _)| *o == origin) {
            Some((_, n)) => *n += 1,
            None => origins.push((origin, 1)),
        }
    }
    let most = origins.iter().map(|(_, n)| *n).max()?;
    origins.into_iter().find(|(_, n)| *n == most).map(|(o, _)| o)
}

fn step(k: &Kept, next: Option<&Kept>, secrets: &mut Secrets, taken: &mut Vec<String>, tally: &mut Tally) -> Step {
    let request = &k.entry.request;
    let body = request.post_data.as_ref().and_then(|p| body(p, secrets));
    let mut headers = Vec::new();
    let mut had_cookie = false;
    let mut had_caching = false;
    for h in &request.headers {
        let name = h.name.to_ascii_lowercase();
        if name.starts_with(':') || LEFT_OUT_HEADERS.contains(&name.as_str()) {
            had_caching |= name.starts_with("if-");
            continue;
        }
        if name == "cookie" {
            had_cookie = true;
            continue;
        }
        if name == "content-type" && matches!(body, Some(Body::Json(_))) {
            continue; // `json:` sends its own
        }
        let value = if is_secret_header(&name) {
            secrets.reference(&h.value, &h.name, &format!("the {} header", h.name))
        } else {
            literal(&h.value)
        };
        headers.push((h.name.clone(), value));
    }
    tally.cookies += usize::from(had_cookie);
    tally.caching += usize::from(had_caching);
    let status = k
        .entry
        .response
        .as_ref()
        .map(|r| r.status)
        .filter(|s| (200..300).contains(s))
        .map(|s| s as u16);
    let end_ms = k.start_ms + k.entry.time.max(0.0);
    let think_ms = match next {
        Some(n) => Some((n.start_ms - end_ms).round())
            .filter(|gap| *gap >= 10.0)
            .map(|gap| gap as u64),
        None => Some(PAUSE_BETWEEN_REPLAYS_MS),
    };
    let page = if k.url.path() == "/" { "home" } else { k.url.path() };
    let name = format!("{} {page}", k.method.as_str());
    Step {
        name: unique(slug(&name, "request"), taken),
        method: k.method,
        path: path(&k.url, secrets),
        headers,
        body,
        status,
        think_ms,
    }
}

/// The path and query as recorded, with credentials in the query as `${ENV}`.
fn path(url: &url::Url, secrets: &mut Secrets) -> String {
    let path = literal(url.path());
    let Some(query) = url.query() else { return path };
    if !url.query_pairs().any(|(name, _)| is_secret_field(&name)) {
        return format!("{path}?{}", literal(query));
    }
    let pairs: Vec<String> = url
        .query_pairs()
        .map(|(name, value)| field(&name, &value, "query parameter", secrets))
        .collect();
    format!("{path}?{}", pairs.join("&"))
}

/// `name=value` URL-encoded, the value a `${ENV}` reference when it is a credential.
fn field(name: &str, value: &str, kind: &str, secrets: &mut Secrets) -> String {
    let value = if is_secret_field(name) {
        secrets.reference(value, name, &format!("the {kind} {name}"))
    } else {
        literal(&utf8_percent_encode(value, COMPONENT).to_string())
    };
    format!("{}={value}", literal(&utf8_percent_encode(name, COMPONENT).to_string()))
}

fn body(post: &PostData, secrets: &mut Secrets) -> Option<Body> {
    if let Some(text) = post.text.as_deref().filter(|t| !t.is_empty()) {
        if post.mime_type.contains("json") {
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
                return Some(Body::Json(json_with_secrets(value, None, secrets)));
            }
        }
        if post.mime_type.contains("x-www-form-urlencoded") {
            let pairs: Vec<(String, String)> = url::form_urlencoded::parse(text.as_bytes()).into_owned().collect();
            return Some(Body::Text(form(&pairs, secrets)));
        }
        return Some(Body::Text(literal(text)));
    }
    if post.params.is_empty() {
        return None;
    }
    let pairs: Vec<(String, String)> = post.params.iter().map(|p| (p.name.clone(), p.value.clone())).collect();
    Some(Body::Text(form(&pairs, secrets)))
}

fn form(pairs: &[(String, String)], secrets: &mut Secrets) -> String {
    let fields: Vec<String> = pairs
        .iter()
        .map(|(name, value)| field(name, value, "form field", secrets))
        .collect();
    fields.join("&")
}

/// A JSON body with `$` doubled and credential fields (`password`, `token`...) as `${ENV}`.
fn json_with_secrets(value: serde_json::Value, key: Option<&str>, secrets: &mut Secrets) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) if key.is_some_and(is_secret_field) => {
            let key = key.unwrap_or_default();
            Value::String(secrets.reference(&s, key, &format!("the JSON field {key}")))
        }
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = json_with_secrets(v, Some(&k), secrets);
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| json_with_secrets(v, key, secrets)).collect()),
        other => literal_json(other),
    }
}
