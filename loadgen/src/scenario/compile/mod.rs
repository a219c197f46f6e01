//! Validation: turns a `RawScenario` into a `Scenario`, checking every field, binding
//! every `${...}` and reading every feeder, and collecting all problems with their lines.
//! This module holds the scenario as a whole, its target and environment; `journeys`
//! the journeys and their requests, `load` the load plan, `slo` the SLO and guard,
//! `feeders` the data files.

mod feeders;
mod journeys;
mod load;
mod slo;

use journeys::RequestDefaults;

use super::raw::*;
use super::template::{Reference, Segment, Template};
use super::*;
use crate::error::{ScenarioError, ScenarioErrors};
use crate::units::parse_scenario_duration;
use std::path::Path;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

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
        parse_scenario_duration(&text.value)
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
        let url = template.render(&template::Bindings {
            vars: &no_values,
            rows: &[],
        });
        if let Err(m) = check_url(&url) {
            let redacted = redact(&self.secrets, &m);
            self.error(line, "target", redacted);
            return None;
        }
        Some(url)
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
}

#[cfg(test)]
mod tests;
