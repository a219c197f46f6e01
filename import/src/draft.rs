//! The scenario an importer builds, before it is written: journeys of steps whose
//! paths, headers and bodies are already scenario templates (a literal `$` written `$$`,
//! secrets as `${NAME}`), and the notes that become the file's header.

use crate::secrets::Secret;
use headroom_loadgen::scenario::Method;

#[derive(Debug, Default)]
pub struct Draft {
    pub name: String,
    pub target: String,
    /// Headers every step sends, moved out of the steps.
    pub default_headers: Vec<(String, String)>,
    pub journeys: Vec<Journey>,
    /// The generated load: this many users for this long, enough for every step to run.
    pub users: usize,
    pub hold_seconds: u64,
    /// What was kept and how, one line each.
    pub kept: Vec<String>,
    /// What was left out and why, one line each.
    pub dropped: Vec<String>,
    /// What a user should know before running it.
    pub notes: Vec<String>,
    /// `${NAME}` references to set before running.
    pub secrets: Vec<Secret>,
}

#[derive(Debug)]
pub struct Journey {
    pub name: String,
    pub steps: Vec<Step>,
}

#[derive(Debug)]
pub struct Step {
    pub name: String,
    pub method: Method,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
    /// The status the recording saw or the description declares, checked on replay.
    pub status: Option<u16>,
    pub think_ms: Option<u64>,
}

#[derive(Debug)]
pub enum Body {
    /// Sent as `json:`: string leaves are templates.
    Json(serde_json::Value),
    /// Sent as `body:`, a template.
    Text(String),
}

impl Draft {
    pub fn steps(&self) -> usize {
        self.journeys.iter().map(|j| j.steps.len()).sum()
    }

    /// Moves every header that all steps send with one value into `defaults.headers`.
    pub fn hoist_common_headers(&mut self) {
        let mut steps = self.journeys.iter().flat_map(|j| &j.steps);
        let Some(first) = steps.next() else { return };
        let common: Vec<(String, String)> = first
            .headers
            .iter()
            .filter(|h| steps.clone().all(|s| s.headers.contains(h)))
            .cloned()
            .collect();
        for step in self.journeys.iter_mut().flat_map(|j| &mut j.steps) {
            step.headers.retain(|h| !common.contains(h));
        }
        self.default_headers.extend(common);
    }
}

/// Seconds `users` users need for every journey to run at least once but with a chance
/// of one in a million, when each iteration picks one of the equally weighted journeys
/// at random and a step takes `step_seconds` with its think time: k iterations miss a
/// journey with probability J (1 - 1/J)^k.
pub fn replay_seconds(journeys: &[Journey], users: usize, step_seconds: f64) -> u64 {
    const MISS: f64 = 1e-6;
    let j = journeys.len() as f64;
    let iterations = if journeys.len() > 1 {
        ((MISS / j).ln() / (1.0 - 1.0 / j).ln()).ceil()
    } else {
        1.0
    };
    let longest = journeys.iter().map(|j| j.steps.len()).max().unwrap_or(1) as f64;
    let seconds = iterations * longest * step_seconds / users.max(1) as f64;
    ((seconds + 5.0).ceil() as u64).max(10)
}

/// Text as a template that renders to itself: `$` doubled.
pub fn literal(text: &str) -> String {
    text.replace('$', "$$")
}

/// A JSON value whose strings render to themselves.
pub fn literal_json(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(literal(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(literal_json).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, literal_json(v))).collect()),
        other => other,
    }
}

/// A scenario name from free text: lower case letters, digits and `-` (also between
/// camelCase words), at most 48.
pub fn slug(text: &str, fallback: &str) -> String {
    let mut out = String::new();
    let mut after_lower = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && after_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            after_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            after_lower = false;
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_string()
    } else {
        out.to_string()
    }
}

/// `name`, or `name-2`, `name-3`... so that it is not in `taken`; then taken.
pub fn unique(name: String, taken: &mut Vec<String>) -> String {
    let mut candidate = name.clone();
    let mut k = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}-{k}");
        k += 1;
    }
    taken.push(candidate.clone());
    candidate
}

pub use headroom_loadgen::units::count;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_unique_names() {
        assert_eq!(slug("GET /api/v1/items?x=1", "step"), "get-api-v1-items-x-1");
        assert_eq!(slug("/", "home"), "home");
        assert_eq!(slug("listPets", "step"), "list-pets");
        let mut taken = Vec::new();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a-2");
        assert_eq!(unique("a".into(), &mut taken), "a-3");
    }

    #[test]
    fn replay_time_covers_every_journey() {
        let journey = |n: usize| Journey {
            name: String::new(),
            steps: (0..n)
                .map(|i| Step {
                    name: i.to_string(),
                    method: Method::Get,
                    path: "/".into(),
                    headers: Vec::new(),
                    body: None,
                    status: None,
                    think_ms: None,
                })
                .collect(),
        };
        // Two journeys: 2 (1/2)^k < 1e-6 needs k = 21 iterations of 4 steps of 0.3 s,
        // shared by 2 users: 12.6 s, + 5 s.
        assert_eq!(replay_seconds(&[journey(4), journey(1)], 2, 0.3), 18);
        assert_eq!(replay_seconds(&[journey(3)], 1, 0.3), 10);
    }

    #[test]
    fn literals_double_the_dollar() {
        assert_eq!(literal("price=$5&${x}"), "price=$$5&$${x}");
        let v = literal_json(serde_json::json!({"a": ["$1", 2]}));
        assert_eq!(v, serde_json::json!({"a": ["$$1", 2]}));
    }
}
