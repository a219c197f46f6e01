//! Journeys and their requests: paths, headers, bodies, checks and extractions, with
//! every `${...}` bound to a variable, a feeder column or the environment.

use super::{first_line, Context};
use crate::scenario::raw::*;
use crate::scenario::template::{Reference, Segment, Template};
use crate::scenario::*;
use crate::units::parse_duration_range;
use std::collections::BTreeMap;

impl Context<'_> {
    pub(super) fn journey(
        &mut self,
        j: usize,
        raw: &RawJourney,
        feeders: &[Feeder],
        defaults: &RequestDefaults,
    ) -> Journey {
        let field = format!("journeys[{j}]");
        if raw.weight == 0 {
            self.error(
                None,
                &format!("{field}.weight"),
                "found 0; expected a weight of at least 1",
            );
        }
        if raw.steps.is_empty() {
            self.error(None, &format!("{field}.steps"), "found no steps; expected at least one");
        }
        // Every extracted name, with the index of the step that extracts it.
        let mut vars: Vec<String> = Vec::new();
        let mut extracted_by: BTreeMap<String, usize> = BTreeMap::new();
        for (s, step) in raw.steps.iter().enumerate() {
            for name in step.extract.keys() {
                extracted_by.entry(name.clone()).or_insert(s);
                if !vars.contains(name) {
                    vars.push(name.clone());
                }
            }
        }
        let mut names = Vec::new();
        let requests: Vec<Request> = raw
            .steps
            .iter()
            .enumerate()
            .filter_map(|(s, step)| {
                let scope = Scope {
                    journey: &raw.name,
                    step: s,
                    vars: &vars,
                    extracted_by: &extracted_by,
                    feeders,
                };
                let request = self.request(&format!("{field}.steps[{s}]"), step, &scope, defaults)?;
                if names.contains(&request.name) {
                    self.error(
                        None,
                        &format!("{field}.steps[{s}].name"),
                        format!(
                            "found `{}` twice; expected unique step names within a journey",
                            request.name
                        ),
                    );
                }
                names.push(request.name.clone());
                Some(request)
            })
            .collect();
        let mut used: Vec<usize> = requests.iter().flat_map(request_feeders).collect();
        used.sort_unstable();
        used.dedup();
        Journey {
            name: raw.name.clone(),
            weight: raw.weight.max(1),
            requests,
            vars,
            feeders: used,
        }
    }

    fn request(&mut self, field: &str, raw: &RawStep, scope: &Scope, defaults: &RequestDefaults) -> Option<Request> {
        let methods = [
            (Method::Get, &raw.get),
            (Method::Post, &raw.post),
            (Method::Put, &raw.put),
            (Method::Patch, &raw.patch),
            (Method::Delete, &raw.delete),
            (Method::Head, &raw.head),
        ];
        let given: Vec<(Method, &Text)> = methods
            .iter()
            .filter_map(|(m, t)| t.as_ref().map(|t| (*m, t)))
            .collect();
        let (method, path) = match given.as_slice() {
            [one] => *one,
            [] => {
                self.error(
                    None,
                    field,
                    "found no request; expected one of get, post, put, patch, delete, head",
                );
                return None;
            }
            [_, second, ..] => {
                self.error(
                    Some(second.1.referenced.line()),
                    field,
                    "found two methods in one step; expected exactly one of get, post, put, patch, delete, head",
                );
                return None;
            }
        };
        let line = Some(path.referenced.line());
        let name = raw
            .name
            .clone()
            .unwrap_or_else(|| format!("{} {}", method.as_str(), path.value));
        let path_field = format!("{field}.{}", method.as_str().to_lowercase());
        if !(path.value.starts_with('/') || path.value.starts_with("${")) {
            self.error(
                line,
                &path_field,
                format!("found `{}`; expected a path starting with /", path.value),
            );
        }
        let path_t = self.template(&path.value, line, &path_field, scope);
        let mut headers = Vec::new();
        for (key, value) in defaults.headers.iter().chain(raw.headers.iter()) {
            let hline = Some(value.referenced.line());
            if reqwest::header::HeaderName::from_bytes(key.as_bytes()).is_err() {
                self.error(
                    hline,
                    &format!("{field}.headers"),
                    format!("found header name `{key}`; expected a valid HTTP header name"),
                );
                continue;
            }
            if value.value.contains(['\r', '\n', '\0']) {
                self.error(
                    hline,
                    &format!("{field}.headers.{key}"),
                    "found a line break or NUL in the value; expected one line (it would split the request)",
                );
                continue;
            }
            let t = self.template(&value.value, hline, &format!("{field}.headers.{key}"), scope);
            headers.retain(|(k, _): &(String, Template)| !k.eq_ignore_ascii_case(key));
            headers.push((key.clone(), t));
        }
        let body = match (&raw.body, &raw.json) {
            (Some(_), Some(_)) => {
                self.error(line, field, "found both body and json; expected one of them");
                None
            }
            (Some(b), None) => Some(Body::Raw(self.template(
                &b.value,
                Some(b.referenced.line()),
                &format!("{field}.body"),
                scope,
            ))),
            (None, Some(j)) => Some(Body::Json(self.json_template(j, line, &format!("{field}.json"), scope))),
            (None, None) => None,
        };
        let extract = raw
            .extract
            .iter()
            .filter_map(|(var, e)| self.extract(&format!("{field}.extract.{var}"), line, scope.var_index(var), e))
            .collect();
        let check = raw
            .check
            .as_ref()
            .map(|c| self.check(c, line, field))
            .unwrap_or_default();
        let think = raw.think.as_ref().and_then(|t| {
            parse_duration_range(&t.value)
                .map_err(|m| self.error(Some(t.referenced.line()), &format!("{field}.think"), m))
                .ok()
        });
        let timeout = raw
            .timeout
            .as_ref()
            .and_then(|t| self.duration(t, &format!("{field}.timeout")))
            .unwrap_or(defaults.timeout);
        Some(Request {
            name: format!("{}/{}", scope.journey, name),
            method,
            path: path_t,
            headers,
            body,
            extract,
            check,
            think,
            timeout,
        })
    }

    fn template(&mut self, text: &str, line: Option<u64>, field: &str, scope: &Scope) -> Template {
        Template::parse(text, |r| self.bind(r, scope))
            .map_err(|m| self.error(line, field, m))
            .unwrap_or_else(|_| Template::literal(text))
    }

    fn json_template(
        &mut self,
        value: &serde_json::Value,
        line: Option<u64>,
        field: &str,
        scope: &Scope,
    ) -> JsonTemplate {
        use serde_json::Value;
        match value {
            Value::String(s) if s.contains('$') => JsonTemplate::Text(self.template(s, line, field, scope)),
            Value::Array(items) => JsonTemplate::Array(
                items
                    .iter()
                    .map(|v| self.json_template(v, line, field, scope))
                    .collect(),
            ),
            Value::Object(map) => JsonTemplate::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.json_template(v, line, &format!("{field}.{k}"), scope)))
                    .collect(),
            ),
            other => JsonTemplate::Value(other.clone()),
        }
    }

    /// Binds a reference inside a journey step: an extracted value from an earlier step,
    /// a feeder column, or else the environment.
    fn bind(&mut self, reference: &Reference, scope: &Scope) -> Result<Segment, String> {
        match reference {
            Reference::Plain(name) => match scope.extracted_by.get(name) {
                Some(&s) if s < scope.step => Ok(Segment::Var(scope.var_index(name))),
                Some(&s) => Err(format!(
                    "`${{{name}}}` is extracted by step {} of journey `{}`, which runs {}; expected a value extracted by an earlier step",
                    s + 1, scope.journey, if s == scope.step { "after this request" } else { "later" }
                )),
                None => self.env_value(name).ok_or_else(|| format!(
                    "unknown variable `${{{name}}}`: not set in the environment and not extracted by an earlier step of journey `{}`",
                    scope.journey
                )),
            },
            Reference::Feeder { feeder, column } => {
                let f = scope.feeders.iter().position(|x| &x.name == feeder).ok_or_else(|| {
                    format!("unknown feeder `{feeder}` in `${{{feeder}.{column}}}`; expected one declared under data:")
                })?;
                let c = scope.feeders[f].columns.iter().position(|x| x == column).ok_or_else(|| {
                    format!("feeder `{feeder}` has no column `{column}`; its columns are {}", scope.feeders[f].columns.join(", "))
                })?;
                Ok(Segment::Feed(f, c))
            }
        }
    }

    fn extract(&mut self, field: &str, line: Option<u64>, var: usize, raw: &RawExtract) -> Option<Extract> {
        let from = match (&raw.json, &raw.regex) {
            (Some(pointer), None) if pointer.is_empty() || pointer.starts_with('/') => {
                ExtractFrom::JsonPointer(pointer.clone())
            }
            (Some(pointer), None) => {
                self.error(
                    line,
                    field,
                    format!("found JSON pointer `{pointer}`; expected one starting with / such as /id"),
                );
                return None;
            }
            (None, Some(pattern)) => match regex::Regex::new(pattern) {
                Ok(re) => ExtractFrom::Regex(re),
                Err(e) => {
                    self.error(
                        line,
                        field,
                        format!("found an invalid regex `{pattern}` ({})", first_line(&e.to_string())),
                    );
                    return None;
                }
            },
            _ => {
                self.error(line, field, "expected exactly one of json (a JSON pointer) or regex");
                return None;
            }
        };
        Some(Extract { var, from })
    }

    fn check(&mut self, raw: &RawCheck, line: Option<u64>, field: &str) -> Check {
        let status = raw.status.as_ref().map(|s| match s {
            OneOrMany::One(code) => vec![*code],
            OneOrMany::Many(codes) => codes.clone(),
        });
        for code in status.iter().flatten() {
            if !(100..=599).contains(code) {
                self.error(
                    line,
                    &format!("{field}.check.status"),
                    format!("found {code}; expected an HTTP status from 100 to 599"),
                );
            }
        }
        Check {
            status,
            body_contains: raw.body_contains.clone(),
            header: raw.header.clone(),
        }
    }
}

pub(super) struct RequestDefaults<'a> {
    pub(super) timeout: Duration,
    pub(super) headers: &'a BTreeMap<String, Text>,
}

/// What a step can refer to.
struct Scope<'a> {
    journey: &'a str,
    step: usize,
    vars: &'a [String],
    extracted_by: &'a BTreeMap<String, usize>,
    feeders: &'a [Feeder],
}

impl Scope<'_> {
    fn var_index(&self, name: &str) -> usize {
        self.vars.iter().position(|v| v == name).unwrap_or(0)
    }
}

fn request_feeders(request: &Request) -> Vec<usize> {
    let mut templates: Vec<&Template> = vec![&request.path];
    templates.extend(request.headers.iter().map(|(_, t)| t));
    match &request.body {
        Some(Body::Raw(t)) => templates.push(t),
        Some(Body::Json(j)) => collect_json_templates(j, &mut templates),
        None => {}
    }
    templates.iter().flat_map(|t| t.feeders()).collect()
}

fn collect_json_templates<'a>(json: &'a JsonTemplate, out: &mut Vec<&'a Template>) {
    match json {
        JsonTemplate::Text(t) => out.push(t),
        JsonTemplate::Array(items) => items.iter().for_each(|j| collect_json_templates(j, out)),
        JsonTemplate::Object(fields) => fields.iter().for_each(|(_, j)| collect_json_templates(j, out)),
        JsonTemplate::Value(_) => {}
    }
}
