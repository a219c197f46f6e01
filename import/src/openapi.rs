//! OpenAPI 3 descriptions: every operation headroom can send becomes a step, grouped
//! into one journey per tag (an untagged operation into one per path), in the file's
//! order. Parameters and bodies take the file's examples, else values made from their
//! schemas; security schemes become `${ENV}` headers or query parameters.

use crate::draft::{count, literal, literal_json, replay_seconds, slug, unique, Body, Draft, Journey, Step};
use crate::secrets::Secrets;
use headroom_loadgen::scenario::Method;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Map, Value};

/// The target when the description names no absolute server.
const LOCAL_TARGET: &str = "http://127.0.0.1:8080";

/// The pause after each step, so that a replay does not hammer the service.
const THINK_MS: u64 = 200;

/// What one step with its think time is assumed to take, for the replay's length.
const STEP_SECONDS: f64 = 0.3;

/// How deep a generated example follows nested schemas (and `$ref` cycles).
const MAX_DEPTH: usize = 6;

const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

const METHODS: &[(&str, Method)] = &[
    ("get", Method::Get),
    ("post", Method::Post),
    ("put", Method::Put),
    ("patch", Method::Patch),
    ("delete", Method::Delete),
    ("head", Method::Head),
];

pub fn draft(doc: &Value) -> Result<Draft, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("found no `paths` object; expected the operations to import under `paths:`")?;
    let (target, prefix, server_note) = server(doc);
    let mut secrets = Secrets::default();
    let mut journeys: Vec<Journey> = Vec::new();
    let mut dropped = Dropped::default();
    let mut names = Vec::new();
    for (path, item) in paths {
        let item = resolve(doc, item);
        for (key, operation) in item.as_object().into_iter().flatten() {
            let Some(method) = METHODS.iter().find(|(m, _)| m == key).map(|(_, m)| *m) else {
                if matches!(key.as_str(), "options" | "trace") {
                    dropped.methods.push(format!("{} {path}", key.to_ascii_uppercase()));
                }
                continue;
            };
            let security = operation.get("security").or(doc.get("security"));
            let credentials = credentials(doc, security, &mut secrets);
            let place = Place {
                path,
                item,
                prefix: &prefix,
            };
            let Some(step) = step(doc, &place, operation, method, credentials, &mut dropped) else {
                continue;
            };
            let group = operation
                .get("tags")
                .and_then(|t| t.get(0))
                .and_then(Value::as_str)
                .map(|t| slug(t, "api"))
                .unwrap_or_else(|| slug(path, "root"));
            let journey = match journeys.iter_mut().position(|j| j.name == group) {
                Some(i) => &mut journeys[i],
                None => {
                    journeys.push(Journey {
                        name: unique(group, &mut names),
                        steps: Vec::new(),
                    });
                    journeys.last_mut().expect("just pushed")
                }
            };
            let mut taken: Vec<String> = journey.steps.iter().map(|s| s.name.clone()).collect();
            let step = Step {
                name: unique(step.name, &mut taken),
                ..step
            };
            journey.steps.push(step);
        }
    }
    if journeys.is_empty() {
        return Err(format!(
            "found {} and no operation headroom can send; expected GET, POST, PUT, PATCH, DELETE or HEAD operations",
            count(paths.len(), "path")
        ));
    }
    let title = doc.pointer("/info/title").and_then(Value::as_str).unwrap_or("api");
    let operations: usize = journeys.iter().map(|j| j.steps.len()).sum();
    let kept = vec![format!(
        "{} as {} ({}), with the file's examples or values made from the schemas",
        count(operations, "operation"),
        count(journeys.len(), "journey"),
        if journeys.len() > 1 {
            "one per tag, or per path when untagged"
        } else {
            "in the file's order"
        },
    )];
    let mut notes: Vec<String> = server_note.into_iter().collect();
    notes.push(
        "steps are not chained: an id one response returns is not used by the next request (add `extract:`)".into(),
    );
    let users = journeys.len();
    let hold_seconds = replay_seconds(&journeys, users, STEP_SECONDS);
    let mut draft = Draft {
        name: slug(title, "api"),
        target,
        default_headers: Vec::new(),
        journeys,
        users,
        hold_seconds,
        kept,
        dropped: dropped.lines(),
        notes,
        secrets: secrets.found,
    };
    draft.hoist_common_headers();
    Ok(draft)
}

/// Operations left out, by reason.
#[derive(Default)]
struct Dropped {
    methods: Vec<String>,
    bodies: Vec<String>,
    refs: Vec<String>,
    cookies: usize,
}

impl Dropped {
    fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if !self.methods.is_empty() {
            lines.push(format!("{} headroom does not send", self.methods.join(", ")));
        }
        if !self.bodies.is_empty() {
            lines.push(format!(
                "{} whose body is neither JSON, a form nor text",
                self.bodies.join(", ")
            ));
        }
        if !self.refs.is_empty() {
            lines.push(format!("{} with a `$ref` to another file", self.refs.join(", ")));
        }
        if self.cookies > 0 {
            lines.push(format!("{} in cookies", count(self.cookies, "parameter")));
        }
        lines
    }
}

/// The target (scheme, host, port), the path every operation is under, and a note when
/// the server was not absolute.
fn server(doc: &Value) -> (String, String, Option<String>) {
    let Some(server) = doc.pointer("/servers/0") else {
        return (
            LOCAL_TARGET.into(),
            String::new(),
            Some(format!("the file names no server: target {LOCAL_TARGET}")),
        );
    };
    let mut address = server.get("url").and_then(Value::as_str).unwrap_or("/").to_string();
    for (name, variable) in server.get("variables").and_then(Value::as_object).into_iter().flatten() {
        let default = variable.get("default").and_then(Value::as_str).unwrap_or_default();
        address = address.replace(&format!("{{{name}}}"), default);
    }
    match url::Url::parse(&address) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => {
            let prefix = url.path().trim_end_matches('/').to_string();
            (url.origin().ascii_serialization(), prefix, None)
        }
        _ => (
            LOCAL_TARGET.into(),
            address.trim_end_matches('/').to_string(),
            Some(format!("the server `{address}` is not absolute: target {LOCAL_TARGET}")),
        ),
    }
}

/// Where an operation sits: its path, the path item (shared parameters) and the
/// server's path prefix.
struct Place<'a> {
    path: &'a str,
    item: &'a Value,
    prefix: &'a str,
}

/// The step for one operation, or None when it is left out (and counted).
fn step(
    doc: &Value,
    place: &Place,
    operation: &Value,
    method: Method,
    credentials: Credentials,
    dropped: &mut Dropped,
) -> Option<Step> {
    let label = format!("{} {}", method.as_str(), place.path);
    if has_external_ref(operation) {
        dropped.refs.push(label);
        return None;
    }
    let mut rendered = literal(&format!("{}{}", place.prefix, place.path));
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for parameter in parameters(doc, place.item, operation) {
        let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default();
        let required = parameter.get("required").and_then(Value::as_bool).unwrap_or(false);
        let example = parameter_example(doc, parameter);
        match parameter.get("in").and_then(Value::as_str).unwrap_or_default() {
            "path" => {
                let value = utf8_percent_encode(&scalar_text(&example), PATH_SEGMENT).to_string();
                rendered = rendered.replace(&format!("{{{name}}}"), &literal(&value));
            }
            "query" if required || has_example(parameter) => query.push(format!(
                "{}={}",
                literal(&utf8_percent_encode(name, PATH_SEGMENT).to_string()),
                literal(&utf8_percent_encode(&scalar_text(&example), PATH_SEGMENT).to_string())
            )),
            "header" if required => headers.push((name.to_string(), literal(&scalar_text(&example)))),
            "cookie" => dropped.cookies += 1,
            _ => {}
        }
    }
    headers.extend(credentials.headers);
    query.extend(credentials.query);
    if !query.is_empty() {
        rendered = format!("{rendered}?{}", query.join("&"));
    }
    let body = match operation.get("requestBody").map(|b| resolve(doc, b)) {
        Some(request_body) => match body(doc, request_body) {
            Some((body, content_type)) => {
                headers.extend(content_type.map(|t| ("Content-Type".to_string(), t)));
                Some(body)
            }
            None if request_body.get("required").and_then(Value::as_bool).unwrap_or(false) => {
                dropped.bodies.push(label);
                return None;
            }
            None => None,
        },
        None => None,
    };
    let name = operation
        .get("operationId")
        .and_then(Value::as_str)
        .map(|id| slug(id, "operation"))
        .unwrap_or_else(|| slug(&label, "operation"));
    Some(Step {
        name,
        method,
        path: rendered,
        headers,
        body,
        status: success_status(operation),
        think_ms: Some(THINK_MS),
    })
}

/// The path item's parameters overridden by the operation's (same name and place).
fn parameters<'a>(doc: &'a Value, item: &'a Value, operation: &'a Value) -> Vec<&'a Value> {
    let list = |v: &'a Value| -> Vec<&'a Value> {
        v.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(doc, p))
            .collect()
    };
    let key = |p: &Value| (p.get("name").cloned(), p.get("in").cloned());
    let own = list(operation);
    let mut all: Vec<&Value> = list(item)
        .into_iter()
        .filter(|p| !own.iter().any(|o| key(o) == key(p)))
        .collect();
    all.extend(own);
    all
}

fn has_example(parameter: &Value) -> bool {
    parameter.get("example").is_some()
        || parameter.get("examples").is_some()
        || parameter.pointer("/schema/example").is_some()
}

fn parameter_example(doc: &Value, parameter: &Value) -> Value {
    if let Some(example) = parameter.get("example") {
        return example.clone();
    }
    if let Some(example) = first_example(doc, parameter.get("examples")) {
        return example;
    }
    parameter
        .get("schema")
        .map(|schema| schema_example(doc, schema))
        .unwrap_or_else(|| json!("1"))
}

/// The value of the first entry of an `examples` map.
fn first_example(doc: &Value, examples: Option<&Value>) -> Option<Value> {
    let (_, first) = examples?.as_object()?.iter().next()?;
    resolve(doc, first).get("value").cloned()
}

/// A value that fits the schema: its example, default, const, first example or enum
/// value, else one made from its type and format. `expanding` holds the `$ref`s being
/// expanded: a schema that contains itself gives None there (the property is left out,
/// the array empty).
fn example_from_schema(doc: &Value, schema: &Value, expanding: &mut Vec<String>) -> Option<Value> {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if expanding.iter().any(|r| r == reference) || expanding.len() > MAX_DEPTH {
            return None;
        }
        expanding.push(reference.to_string());
        let value = example_from_schema(doc, resolve(doc, schema), expanding);
        expanding.pop();
        return value;
    }
    for key in ["example", "default", "const"] {
        if let Some(value) = schema.get(key) {
            return Some(value.clone());
        }
    }
    for key in ["examples", "enum"] {
        if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
            return Some(first.clone());
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Some(Value::Object(map)) = example_from_schema(doc, part, expanding) {
                merged.extend(map);
            }
        }
        return Some(Value::Object(merged));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = schema.get(key).and_then(|e| e.get(0)) {
            return example_from_schema(doc, first, expanding);
        }
    }
    let kind = match schema.get("type") {
        Some(Value::Array(kinds)) => kinds.iter().filter_map(Value::as_str).find(|k| *k != "null"),
        Some(kind) => kind.as_str(),
        None if schema.get("properties").is_some() => Some("object"),
        None => None,
    };
    Some(match kind.unwrap_or("string") {
        "object" => Value::Object(
            schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter_map(|(name, property)| Some((name.clone(), example_from_schema(doc, property, expanding)?)))
                .collect(),
        ),
        "array" => Value::Array(
            schema
                .get("items")
                .and_then(|items| example_from_schema(doc, items, expanding))
                .into_iter()
                .collect(),
        ),
        "integer" => schema.get("minimum").cloned().unwrap_or(json!(1)),
        "number" => schema.get("minimum").cloned().unwrap_or(json!(1.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        _ => json!(string_for_format(schema.get("format").and_then(Value::as_str))),
    })
}

/// An example made from a schema, from the top.
fn schema_example(doc: &Value, schema: &Value) -> Value {
    example_from_schema(doc, schema, &mut Vec::new()).unwrap_or(Value::Null)
}

fn string_for_format(format: Option<&str>) -> &'static str {
    match format.unwrap_or_default() {
        "date-time" => "2026-01-01T00:00:00Z",
        "date" => "2026-01-01",
        "time" => "12:00:00",
        "uuid" => "00000000-0000-4000-8000-000000000001",
        "email" => "user@example.com",
        "uri" | "url" => "https://example.com/",
        "hostname" => "example.com",
        "ipv4" => "192.0.2.1",
        "byte" => "ZXhhbXBsZQ==",
        _ => "example",
    }
}

/// A parameter value as text: strings as they are, the rest as JSON.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The body and the Content-Type to send with it (None for JSON, which `json:` sets).
fn body(doc: &Value, request_body: &Value) -> Option<(Body, Option<String>)> {
    let content = request_body.get("content")?.as_object()?;
    let example = |media: &Value| {
        media
            .get("example")
            .cloned()
            .or_else(|| first_example(doc, media.get("examples")))
            .unwrap_or_else(|| {
                media
                    .get("schema")
                    .map(|s| schema_example(doc, s))
                    .unwrap_or(Value::Null)
            })
    };
    if let Some((_, media)) = content.iter().find(|(t, _)| t.contains("json")) {
        return Some((Body::Json(literal_json(example(media))), None));
    }
    if let Some((kind, media)) = content.iter().find(|(t, _)| t.contains("x-www-form-urlencoded")) {
        let fields: Vec<String> = example(media)
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, value)| {
                let encode = |s: &str| literal(&utf8_percent_encode(s, PATH_SEGMENT).to_string());
                format!("{}={}", encode(name), encode(&scalar_text(value)))
            })
            .collect();
        return Some((Body::Text(fields.join("&")), Some(kind.clone())));
    }
    let (kind, media) = content.iter().find(|(t, _)| t.starts_with("text/"))?;
    Some((Body::Text(literal(&scalar_text(&example(media)))), Some(kind.clone())))
}

/// The lowest 2xx status the operation declares.
fn success_status(operation: &Value) -> Option<u16> {
    operation
        .get("responses")?
        .as_object()?
        .keys()
        .filter_map(|code| code.parse::<u16>().ok())
        .filter(|code| (200..300).contains(code))
        .min()
}

/// What a security requirement adds to a request, values as `${ENV}` references.
#[derive(Default)]
struct Credentials {
    headers: Vec<(String, String)>,
    query: Vec<String>,
}

/// The credentials of the first alternative of a `security` list.
fn credentials(doc: &Value, security: Option<&Value>, secrets: &mut Secrets) -> Credentials {
    let schemes = doc.pointer("/components/securitySchemes");
    let requirement = security
        .and_then(Value::as_array)
        .and_then(|alternatives| alternatives.first())
        .and_then(Value::as_object);
    let mut credentials = Credentials::default();
    for name in requirement.into_iter().flat_map(|r| r.keys()) {
        let Some(scheme) = schemes.and_then(|s| s.get(name)).map(|s| resolve(doc, s)) else {
            continue;
        };
        let what = format!("the {name} security scheme");
        match scheme.get("type").and_then(Value::as_str).unwrap_or_default() {
            "apiKey" => {
                let key = scheme.get("name").and_then(Value::as_str).unwrap_or(name);
                let reference = secrets.reference(name, key, &what);
                match scheme.get("in").and_then(Value::as_str) {
                    Some("header") => credentials.headers.push((key.to_string(), reference)),
                    Some("query") => credentials.query.push(format!("{}={reference}", literal(key))),
                    _ => {}
                }
            }
            "http" if scheme.get("scheme").and_then(Value::as_str) == Some("basic") => {
                let reference = secrets.reference(name, "basic_auth", &format!("{what} (base64 of user:password)"));
                credentials
                    .headers
                    .push(("Authorization".into(), format!("Basic {reference}")));
            }
            "http" | "oauth2" | "openIdConnect" => {
                let reference = secrets.reference(name, "token", &format!("{what} (a bearer token)"));
                credentials
                    .headers
                    .push(("Authorization".into(), format!("Bearer {reference}")));
            }
            _ => {}
        }
    }
    credentials
}

/// Follows local `$ref`s (`#/components/...`), at most a few deep.
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_DEPTH {
        let Some(target) = value.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match target.strip_prefix('#').and_then(|pointer| doc.pointer(pointer)) {
            Some(found) => value = found,
            None => break,
        }
    }
    value
}

/// Whether the operation refers to another file (which this import cannot read).
fn has_external_ref(value: &Value) -> bool {
    match value {
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| (k == "$ref" && v.as_str().is_some_and(|r| !r.starts_with('#'))) || has_external_ref(v)),
        Value::Array(items) => items.iter().any(has_external_ref),
        _ => false,
    }
}
