//! The scenario file exactly as written: serde types mirroring the YAML, with source
//! spans on the values whose errors need a line number. Validation lives in `compile`.

use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

pub type Text = Spanned<String>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: String,
    pub target: Option<Text>,
    #[serde(default)]
    pub defaults: RawDefaults,
    #[serde(default)]
    pub data: BTreeMap<String, RawFeeder>,
    pub journeys: Vec<RawJourney>,
    pub load: RawLoad,
    pub slo: Option<BTreeMap<String, Text>>,
    pub guard: Option<RawGuard>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDefaults {
    #[serde(default)]
    pub headers: BTreeMap<String, Text>,
    pub timeout: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeeder {
    pub csv: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJourney {
    pub name: String,
    #[serde(default = "one")]
    pub weight: u32,
    pub steps: Vec<RawStep>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStep {
    pub name: Option<String>,
    pub get: Option<Text>,
    pub post: Option<Text>,
    pub put: Option<Text>,
    pub patch: Option<Text>,
    pub delete: Option<Text>,
    pub head: Option<Text>,
    #[serde(default)]
    pub headers: BTreeMap<String, Text>,
    pub body: Option<Text>,
    pub json: Option<serde_json::Value>,
    #[serde(default)]
    pub extract: BTreeMap<String, RawExtract>,
    pub check: Option<RawCheck>,
    pub think: Option<Text>,
    pub timeout: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExtract {
    pub json: Option<String>,
    pub regex: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    pub fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(x) => vec![x],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCheck {
    pub status: Option<OneOrMany<u16>>,
    pub body_contains: Option<String>,
    pub header: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLoad {
    pub steps: Option<RawSteps>,
    pub search: Option<RawSearch>,
    pub stages: Option<Vec<RawStage>>,
    /// Open model only: the users serving arrivals, fixed (`pool: 200`) or growing
    /// (`pool: {start: 20, max: 2000}`); sized from the plan when absent.
    pub pool: Option<Spanned<RawPool>>,
    /// Open model only: `poisson` (the default) or `uniform`.
    pub arrivals: Option<crate::plan::Arrivals>,
    /// Open model only: the seed of the arrival stream, to repeat a run.
    pub seed: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawPool {
    Fixed(i64),
    Growing(RawPoolRange),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPoolRange {
    pub start: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSteps {
    pub users: Option<RawLevels>,
    pub rate: Option<RawLevels>,
    pub hold: Text,
    pub ramp: Option<Text>,
}

/// `search: {rate: {from: 25, max: 5000}, hold: 10s, precision: 5%}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearch {
    pub users: Option<RawSearchRange>,
    pub rate: Option<RawSearchRange>,
    pub hold: Text,
    pub ramp: Option<Text>,
    pub precision: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSearchRange {
    pub from: f64,
    pub max: f64,
}

/// Levels: a list `[1, 2, 4]` or a range `{from, to, by | factor}`.
#[derive(Debug)]
pub enum RawLevels {
    List(Vec<f64>),
    Range(RawRange),
}

/// By the form written, so that a typo in a range (`factr`) is named as one, not as a
/// value that matched neither form.
impl<'de> Deserialize<'de> for RawLevels {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<RawLevels, D::Error> {
        use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
        struct Levels;
        impl<'de> serde::de::Visitor<'de> for Levels {
            type Value = RawLevels;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of levels such as [1, 2, 4] or a range {from, to, by or factor}")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<RawLevels, A::Error> {
                Vec::deserialize(SeqAccessDeserializer::new(seq)).map(RawLevels::List)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawLevels, A::Error> {
                RawRange::deserialize(MapAccessDeserializer::new(map)).map(RawLevels::Range)
            }
        }
        d.deserialize_any(Levels)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRange {
    pub from: f64,
    pub to: f64,
    pub by: Option<f64>,
    pub factor: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStage {
    pub users: Option<u32>,
    pub rate: Option<f64>,
    pub ramp: Option<Text>,
    pub hold: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGuard {
    pub abort_when: Option<OneOrMany<String>>,
    pub max_duration: Option<Text>,
}
