//! The scenario: what a file declares, validated in full before any traffic is sent.
//! `raw` mirrors the YAML, `compile` checks it and builds the types below, `template`
//! handles `${...}` interpolation.

mod compile;
pub mod raw;
pub mod template;

pub use compile::{load, load_str};

use crate::plan::LoadPlan;
use crate::slo::{Guard, Slo};
use std::path::PathBuf;
use std::time::Duration;
use template::Template;

/// A validated scenario, ready to run.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub source: PathBuf,
    /// The target from the file, if it names one (`--target` and `HEADROOM_TARGET` win).
    pub target: Option<String>,
    pub journeys: Vec<Journey>,
    pub feeders: Vec<Feeder>,
    pub load: LoadPlan,
    pub slo: Slo,
    pub guard: Guard,
    /// Values taken from the environment; never written anywhere.
    pub secrets: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Journey {
    pub name: String,
    pub weight: u32,
    pub requests: Vec<Request>,
    /// Names of the values extracted along the journey, indexed by `Segment::Var`.
    pub vars: Vec<String>,
    /// Feeders this journey reads, so an iteration takes one row of each.
    pub feeders: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Request {
    /// `journey/step`, the name results are keyed by.
    pub name: String,
    pub method: Method,
    pub path: Template,
    pub headers: Vec<(String, Template)>,
    pub body: Option<Body>,
    pub extract: Vec<Extract>,
    pub check: Check,
    pub think: Option<(Duration, Duration)>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Raw(Template),
    Json(JsonTemplate),
}

/// A JSON body whose string leaves may hold `${...}`.
#[derive(Debug, Clone)]
pub enum JsonTemplate {
    Value(serde_json::Value),
    Text(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

#[derive(Debug, Clone)]
pub struct Extract {
    pub var: usize,
    pub from: ExtractFrom,
}

#[derive(Debug, Clone)]
pub enum ExtractFrom {
    JsonPointer(String),
    Regex(regex::Regex),
}

/// What a response must show; a failure is an error counted under the check's name.
#[derive(Debug, Clone, Default)]
pub struct Check {
    pub status: Option<Vec<u16>>,
    pub body_contains: Option<String>,
    pub header: Option<String>,
}

/// A CSV feeder: each iteration takes the next row, wrapping at the end.
#[derive(Debug, Clone)]
pub struct Feeder {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Scenario {
    /// Every request's `journey/step` name, by global request index.
    pub fn request_names(&self) -> Vec<String> {
        self.journeys
            .iter()
            .flat_map(|j| j.requests.iter().map(|r| r.name.clone()))
            .collect()
    }

    /// Replaces every secret value in `text` with `***`.
    pub fn redact(&self, text: &str) -> String {
        redact(&self.secrets, text)
    }
}

/// `text` with every one of `secrets` replaced by `***`.
pub(crate) fn redact(secrets: &[String], text: &str) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_string(), |acc, s| acc.replace(s.as_str(), "***"))
}

/// A target base URL's form, as `validate` and `run` judge it alike: http or https,
/// with a host. Resolves and sends nothing.
pub fn check_url(url: &str) -> Result<reqwest::Url, String> {
    if !url.contains("://") {
        return Err(format!(
            "found `{url}` without a scheme; expected a URL such as http://{}",
            url.trim_start_matches('/')
        ));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| format!("found `{url}` ({e}); expected a URL such as http://127.0.0.1:8080"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "found scheme `{}` in `{url}`; expected http or https",
            parsed.scheme()
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("found no host in `{url}`; expected http://HOST[:PORT]"));
    }
    Ok(parsed)
}
