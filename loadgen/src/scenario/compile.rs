//! Validation: turns a `RawScenario` into a `Scenario`, checking every field, binding
//! every `${...}` and reading every feeder, and collecting all problems with their lines.

use super::raw::*;
use super::template::{Reference, Segment, Template};
use super::*;
use crate::error::{ScenarioError, ScenarioErrors};
use crate::plan::{Arrivals, LoadPlan, Model, Phase, Pool, Search};
use crate::slo::{Condition, Guard, Slo};
use crate::units::{parse_duration, parse_duration_range};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Bounds of an automatically sized open-model pool.
const AUTO_POOL_MIN: usize = 4;
const AUTO_POOL_MAX: usize = 10_000;
/// The most users a pool may have: each is a parked task, a few kilobytes.
const MAX_POOL: usize = 100_000;
const MAX_LEVELS: usize = 1000;

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario, ScenarioErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ScenarioErrors(vec![ScenarioError {
            file: path.to_path_buf(),
            line: None,
            field: String::new(),
            message: format!("cannot read the scenario file ({e})"),
        }])
    })?;
    load_str(&text, path, &|name| std::env::var(name).ok())
}

/// Validates scenario text; `path` names it in errors and anchors relative feeder paths;
/// `env` looks up `${NAME}` variables.
pub fn load_str(text: &str, path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Scenario, ScenarioErrors> {
    let mut cx = Context {
        file: path.to_path_buf(),
        errors: Vec::new(),
        secrets: Vec::new(),
        env,
    };
    let raw: RawScenario = match serde_saphyr::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.location().map(|l| l.line());
            cx.error(line, "", first_line(&e.to_string()));
            return Err(ScenarioErrors(cx.errors));
        }
    };
    let scenario = cx.scenario(raw);
    if cx.errors.is_empty() {
        Ok(scenario)
    } else {
        cx.errors.sort_by_key(|e| e.line.unwrap_or(u64::MAX));
        Err(ScenarioErrors(cx.errors))
    }
}

/// saphyr's messages may carry a rendered snippet after the first line and start with
/// `error: line N column M:`; keep the sentence (the line is reported on its own).
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = line.strip_prefix("error:").unwrap_or(line).trim();
    match line.split_once(": ") {
        Some((place, rest)) if place.starts_with("line ") => rest.to_string(),
        _ => line.to_string(),
    }
}

struct Context<'a> {
    file: PathBuf,
    errors: Vec<ScenarioError>,
    secrets: Vec<String>,
    env: &'a dyn Fn(&str) -> Option<String>,
}

impl Context<'_> {
    fn error(&mut self, line: Option<u64>, field: &str, message: impl Into<String>) {
        self.errors.push(ScenarioError {
            file: self.file.clone(),
            line,
            field: field.to_string(),
            message: message.into(),
        });
    }

    fn duration(&mut self, text: &Text, field: &str) -> Option<Duration> {
        parse_duration(&text.value)
            .map_err(|m| self.error(Some(text.referenced.line()), field, m))
            .ok()
    }

    fn scenario(&mut self, raw: RawScenario) -> Scenario {
        if raw.name.trim().is_empty() {
            self.error(None, "name", "found an empty name; expected the scenario's name");
        }
        let target = raw.target.as_ref().and_then(|t| self.target(t));
        let feeders = self.feeders(&raw.data);
        let timeout = raw
            .defaults
            .timeout
            .as_ref()
            .and_then(|t| self.duration(t, "defaults.timeout"));
        let defaults = RequestDefaults {
            timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
            headers: &raw.defaults.headers,
        };
        if raw.journeys.is_empty() {
            self.error(None, "journeys", "found no journeys; expected at least one");
        }
        let journeys: Vec<Journey> = raw
            .journeys
            .iter()
            .enumerate()
            .map(|(j, journey)| self.journey(j, journey, &feeders, &defaults))
            .collect();
        let load = self.load(&raw.load, &journeys);
        let slo = raw.slo.as_ref().map(|s| self.slo(s)).unwrap_or_default();
        let guard = raw.guard.map(|g| self.guard(g)).unwrap_or_default();
        Scenario {
            name: raw.name,
            source: self.file.clone(),
            target,
            journeys,
            feeders,
            load,
            slo,
            guard,
            secrets: std::mem::take(&mut self.secrets),
        }
    }

    fn target(&mut self, text: &Text) -> Option<String> {
        let line = Some(text.referenced.line());
        let template = Template::parse(&text.value, |r| self.bind_env(r, "the target"))
            .map_err(|m| self.error(line, "target", m))
            .ok()?;
        let no_values: [Option<String>; 0] = [];
        Some(template.render(&template::Bindings {
            vars: &no_values,
            rows: &[],
        }))
    }

    /// Binds `${NAME}` to the environment only (for values outside a journey).
    fn bind_env(&mut self, reference: &Reference, place: &str) -> Result<Segment, String> {
        match reference {
            Reference::Plain(name) => self
                .env_value(name)
                .ok_or_else(|| format!("unknown variable `${{{name}}}`: not set in the environment")),
            Reference::Feeder { feeder, column } => Err(format!(
                "found `${{{feeder}.{column}}}`; feeder values are not available in {place}"
            )),
        }
    }

    fn env_value(&mut self, name: &str) -> Option<Segment> {
        let value = (self.env)(name)?;
        if !self.secrets.contains(&value) {
            self.secrets.push(value.clone());
        }
        Some(Segment::Literal(value))
    }

    fn feeders(&mut self, data: &BTreeMap<String, RawFeeder>) -> Vec<Feeder> {
        let base = self.file.parent().map(Path::to_path_buf).unwrap_or_default();
        data.iter()
            .filter_map(|(name, raw)| {
                let field = format!("data.{name}.csv");
                let line = Some(raw.csv.referenced.line());
                read_feeder(name, &base.join(&raw.csv.value))
                    .map_err(|m| self.error(line, &field, m))
                    .ok()
            })
            .collect()
    }

    fn journey(&mut self, j: usize, raw: &RawJourney, feeders: &[Feeder], defaults: &RequestDefaults) -> Journey {
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

    fn load(&mut self, raw: &RawLoad, journeys: &[Journey]) -> LoadPlan {
        let mut search = None;
        let (model, phases) = match (&raw.steps, &raw.stages, &raw.search) {
            (Some(steps), None, None) => self.steps(steps),
            (None, Some(stages), None) => self.stages(stages),
            (None, None, Some(s)) => {
                let (model, found) = self.search(s);
                search = found;
                let first = found.map(|s| Phase {
                    level: s.from,
                    ramp: s.ramp,
                    hold: s.hold,
                });
                (model, first.into_iter().collect())
            }
            _ => {
                self.error(None, "load", "expected exactly one of steps, stages or search");
                (Model::Closed, Vec::new())
            }
        };
        let open = model == Model::Open;
        if !open && (raw.arrivals.is_some() || raw.seed.is_some()) {
            self.error(
                None,
                "load",
                "found arrivals or seed with a users plan; expected them only with rate (open model)",
            );
        }
        let pool = match (&raw.pool, open) {
            (Some(pool), false) => {
                self.error(
                    Some(pool.referenced.line()),
                    "load.pool",
                    "found a pool with a users plan; expected pool only with rate (open model)",
                );
                None
            }
            (Some(pool), true) => self.pool(pool),
            (None, _) => None,
        };
        // A search's pool is sized for its highest level.
        let sized_for: Vec<Phase> = match search {
            Some(s) => vec![Phase {
                level: s.max,
                ramp: s.ramp,
                hold: s.hold,
            }],
            None => phases.clone(),
        };
        let pool = pool.unwrap_or_else(|| default_pool(model, &sized_for, journeys));
        LoadPlan {
            model,
            phases,
            pool,
            arrivals: raw.arrivals.unwrap_or(Arrivals::Poisson),
            seed: raw.seed,
            search,
        }
    }

    /// `search: {rate|users: {from, max}, hold, ramp, precision}`.
    fn search(&mut self, raw: &RawSearch) -> (Model, Option<Search>) {
        let line = Some(raw.hold.referenced.line());
        let (model, range, key) = match (&raw.users, &raw.rate) {
            (Some(r), None) => (Model::Closed, r, "load.search.users"),
            (None, Some(r)) => (Model::Open, r, "load.search.rate"),
            _ => {
                self.error(line, "load.search", "expected exactly one of users or rate");
                return (Model::Closed, None);
            }
        };
        let hold = self.duration(&raw.hold, "load.search.hold").unwrap_or_default();
        let ramp = raw
            .ramp
            .as_ref()
            .and_then(|r| self.duration(r, "load.search.ramp"))
            .unwrap_or_default();
        let precision = match &raw.precision {
            Some(p) => match crate::units::parse_percent(&p.value) {
                Ok(v) if v > 0.0 && v < 1.0 => v,
                Ok(v) => {
                    self.error(
                        line,
                        "load.search.precision",
                        format!("found {:.0}%; expected between 0% and 100%, such as 5%", v * 100.0),
                    );
                    return (model, None);
                }
                Err(m) => {
                    self.error(Some(p.referenced.line()), "load.search.precision", m);
                    return (model, None);
                }
            },
            None => DEFAULT_SEARCH_PRECISION,
        };
        for level in [range.from, range.max] {
            self.check_level(model, level, line, key);
        }
        if !(range.from > 0.0 && range.from <= range.max) {
            self.error(
                line,
                key,
                format!(
                    "found from {} and max {}; expected 0 < from <= max",
                    range.from, range.max
                ),
            );
            return (model, None);
        }
        if hold.is_zero() {
            self.error(line, "load.search.hold", "found 0s; expected a hold such as 10s");
            return (model, None);
        }
        (
            model,
            Some(Search {
                from: range.from,
                max: range.max,
                ramp,
                hold,
                precision,
            }),
        )
    }

    /// `pool: N` is a fixed pool; `{start, max}` grows from start to max, either
    /// defaulting as an automatically sized pool does.
    fn pool(&mut self, raw: &Spanned<RawPool>) -> Option<Pool> {
        let line = Some(raw.referenced.line());
        let (start, max) = match raw.value {
            RawPool::Fixed(n) => (n, n),
            RawPool::Growing(RawPoolRange { start, max }) => {
                let max = max.unwrap_or_else(|| start.unwrap_or(0).max(AUTO_POOL_MAX as i64));
                (start.unwrap_or_else(|| (AUTO_POOL_MIN as i64).min(max)), max)
            }
        };
        for (name, value) in [("max", max), ("start", start)] {
            if !(1..=MAX_POOL as i64).contains(&value) {
                let message = format!("found {name} {value}; expected from 1 to {MAX_POOL} users");
                self.error(line, "load.pool", message);
                return None;
            }
        }
        if start > max {
            self.error(
                line,
                "load.pool",
                format!("found start {start} above max {max}; expected start <= max"),
            );
            return None;
        }
        let (start, max) = (start as usize, max as usize);
        Some(Pool { start, max })
    }

    fn steps(&mut self, raw: &RawSteps) -> (Model, Vec<Phase>) {
        let (model, levels, key) = match (&raw.users, &raw.rate) {
            (Some(l), None) => (Model::Closed, l, "load.steps.users"),
            (None, Some(l)) => (Model::Open, l, "load.steps.rate"),
            _ => {
                self.error(
                    Some(raw.hold.referenced.line()),
                    "load.steps",
                    "expected exactly one of users or rate",
                );
                return (Model::Closed, Vec::new());
            }
        };
        let hold = self.duration(&raw.hold, "load.steps.hold").unwrap_or_default();
        let ramp = raw
            .ramp
            .as_ref()
            .and_then(|r| self.duration(r, "load.steps.ramp"))
            .unwrap_or_default();
        let line = Some(raw.hold.referenced.line());
        let levels = match expand_levels(levels) {
            Ok(l) => l,
            Err(m) => {
                self.error(line, key, m);
                return (model, Vec::new());
            }
        };
        for level in &levels {
            self.check_level(model, *level, line, key);
        }
        if hold.is_zero() {
            self.error(line, "load.steps.hold", "found 0s; expected a hold such as 20s");
        }
        (
            model,
            levels.into_iter().map(|level| Phase { level, ramp, hold }).collect(),
        )
    }

    fn stages(&mut self, raw: &[RawStage]) -> (Model, Vec<Phase>) {
        let mut model = None;
        let mut phases = Vec::new();
        if raw.is_empty() {
            self.error(None, "load.stages", "found no stages; expected at least one");
        }
        for (i, stage) in raw.iter().enumerate() {
            let field = format!("load.stages[{i}]");
            let line = stage.hold.as_ref().or(stage.ramp.as_ref()).map(|t| t.referenced.line());
            let (m, level) = match (stage.users, stage.rate) {
                (Some(u), None) => (Model::Closed, u as f64),
                (None, Some(r)) => (Model::Open, r),
                _ => {
                    self.error(line, &field, "expected exactly one of users or rate");
                    continue;
                }
            };
            if *model.get_or_insert(m) != m {
                self.error(
                    line,
                    &field,
                    "found users and rate stages in one plan; expected one model per run (all users or all rate)",
                );
            }
            self.check_level(m, level, line, &field);
            let ramp = stage
                .ramp
                .as_ref()
                .and_then(|r| self.duration(r, &format!("{field}.ramp")))
                .unwrap_or_default();
            let hold = stage
                .hold
                .as_ref()
                .and_then(|h| self.duration(h, &format!("{field}.hold")))
                .unwrap_or_default();
            if (ramp + hold).is_zero() {
                self.error(
                    line,
                    &field,
                    "found neither ramp nor hold; expected at least one of them",
                );
            }
            phases.push(Phase { level, ramp, hold });
        }
        (model.unwrap_or(Model::Closed), phases)
    }

    fn check_level(&mut self, model: Model, level: f64, line: Option<u64>, field: &str) {
        match model {
            Model::Closed if level < 0.0 || level.fract() != 0.0 => self.error(
                line,
                field,
                format!("found {level} users; expected a whole number of users"),
            ),
            Model::Open if !(level >= 0.0 && level.is_finite()) => self.error(
                line,
                field,
                format!("found rate {level}; expected arrivals per second, 0 or more"),
            ),
            _ => {}
        }
    }

    fn slo(&mut self, raw: &BTreeMap<String, Text>) -> Slo {
        let mut slo = Slo::default();
        for (key, value) in raw {
            if let Err(m) = slo.add(key, &value.value) {
                self.error(Some(value.referenced.line()), &format!("slo.{key}"), m);
            }
        }
        slo.percentiles.sort_by(|a, b| a.percentile.total_cmp(&b.percentile));
        slo
    }

    fn guard(&mut self, raw: RawGuard) -> Guard {
        let mut guard = Guard::default();
        for (i, text) in raw
            .abort_when
            .map(OneOrMany::into_vec)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match Condition::parse(text) {
                Ok(c) => guard.conditions.push(c),
                Err(m) => self.error(None, &format!("guard.abort_when[{i}]"), m),
            }
        }
        guard.max_duration = raw
            .max_duration
            .as_ref()
            .and_then(|d| self.duration(d, "guard.max_duration"));
        guard
    }
}

struct RequestDefaults<'a> {
    timeout: Duration,
    headers: &'a BTreeMap<String, Text>,
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

fn read_feeder(name: &str, path: &Path) -> Result<Feeder, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        format!(
            "cannot read feeder file {} ({e}); expected a CSV file with a header row",
            path.display()
        )
    })?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            r.map(|rec| rec.iter().map(str::to_string).collect())
                .map_err(|e| format!("{}:{}: {e}", path.display(), i + 2))
        })
        .collect::<Result<Vec<Vec<String>>, String>>()?;
    if rows.is_empty() {
        return Err(format!(
            "feeder file {} has no rows; expected a header row and at least one data row",
            path.display()
        ));
    }
    Ok(Feeder {
        name: name.to_string(),
        columns,
        rows,
    })
}

/// `{from, to, by}` or `{from, to, factor}` or an explicit list, ascending.
fn expand_levels(raw: &RawLevels) -> Result<Vec<f64>, String> {
    let levels = match raw {
        RawLevels::List(list) => list.clone(),
        RawLevels::Range(RawRange { from, to, by, factor }) => {
            if !(from.is_finite() && to.is_finite()) || from > to || *from <= 0.0 {
                return Err(format!("found from {from} to {to}; expected 0 < from <= to"));
            }
            let next: Box<dyn Fn(f64) -> f64> = match (by, factor) {
                (Some(by), None) if *by > 0.0 => Box::new(move |x| x + by),
                (None, Some(f)) if *f > 1.0 => Box::new(move |x| x * f),
                _ => return Err("expected exactly one of by (> 0) or factor (> 1)".into()),
            };
            let mut levels = vec![*from];
            while let Some(&last) = levels.last() {
                let n = next(last);
                if n > to + 1e-9 || levels.len() > MAX_LEVELS {
                    break;
                }
                levels.push(n);
            }
            levels
        }
    };
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(format!("found {} levels; expected 1 to {MAX_LEVELS}", levels.len()));
    }
    Ok(levels)
}

/// Closed: one user per unit of the highest level. Open: a pool that starts with enough
/// users for the first step's arrivals while a short iteration (100 ms plus the longest
/// journey's think time) completes, and may grow until iterations of two seconds plus
/// think time at the plan's top rate (Little's law: users in use = rate x time), so that
/// a pool this size runs out only when the target has saturated.
/// A search stops when its bracket is this narrow, unless the file says otherwise.
const DEFAULT_SEARCH_PRECISION: f64 = 0.05;

fn default_pool(model: Model, phases: &[Phase], journeys: &[Journey]) -> Pool {
    let top = phases.iter().map(|p| p.level).fold(0.0, f64::max);
    if model == Model::Closed {
        let users = top.ceil() as usize;
        return Pool {
            start: users,
            max: users,
        };
    }
    let think: Duration = journeys
        .iter()
        .map(|j| j.requests.iter().filter_map(|r| r.think.map(|(_, hi)| hi)).sum())
        .max()
        .unwrap_or_default();
    let think = think.as_secs_f64();
    let first = phases.first().map_or(0.0, |p| p.level);
    // Whole users, rounding up all but floating-point noise (100/s x 120 ms is 12).
    let users = |x: f64| (x - 1e-9).ceil().max(0.0) as usize;
    let max = users(top * (2.0 + think)).clamp(AUTO_POOL_MIN, AUTO_POOL_MAX);
    let start = users(first * (0.1 + think)).clamp(AUTO_POOL_MIN.min(max), max);
    Pool { start, max }
}

#[cfg(test)]
mod tests;
