//! The right-sizing policy: which statistic to size for, how much headroom, how many
//! spare instances, and the bounds behind the risk flags. Defaults sit beside what the
//! well-known recommenders do (README has the table).

use headroom_loadgen::slo::parse_percentile_name;
use headroom_loadgen::units::parse_fraction;
use serde::{Deserialize, Deserializer, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// CPU percentile sized for (VPA: 90, KRR: 95); read as `95` or `p95`.
    #[serde(deserialize_with = "cpu_percentile")]
    pub cpu_percentile: f64,
    /// Memory statistic: `max` (KRR) or a percentile such as `p99`.
    #[serde(deserialize_with = "memory_statistic", serialize_with = "memory_text")]
    pub memory: MemoryStatistic,
    /// CPU headroom above the sized statistic, as a fraction (0.2: size so that the
    /// statistic uses 1 / 1.2 = 83% of the cores).
    #[serde(deserialize_with = "fraction")]
    pub headroom: f64,
    /// Memory headroom above the memory statistic (KRR: 15%).
    #[serde(deserialize_with = "fraction")]
    pub memory_headroom: f64,
    pub min_instances: u32,
    /// Spare instances: `n` (none), `n+1`, `n+2`.
    #[serde(with = "redundancy_text")]
    pub redundancy: Redundancy,
    /// Size for the forecast peak of CPU over the horizon rather than the past percentile.
    pub size_for_forecast_peak: bool,
    /// A cap on utilisation, e.g. the safe operating point's share of the peak from a
    /// limits.json (set by --limits).
    pub max_utilisation: Option<f64>,
    /// Flag when the forecast peak would use more than this share of the recommendation.
    #[serde(deserialize_with = "fraction")]
    pub peak_utilisation_bound: f64,
    /// Flag when the memory peak exceeds this share of today's memory.
    #[serde(deserialize_with = "fraction")]
    pub memory_near_limit: f64,
    /// Flag CPU as spiky when p99 / p50 exceeds this.
    pub spiky_ratio: f64,
    /// Flag histories shorter than this many days.
    pub min_history_days: f64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            cpu_percentile: 95.0,
            memory: MemoryStatistic::Max,
            headroom: 0.20,
            memory_headroom: 0.15,
            min_instances: 2,
            redundancy: Redundancy(1),
            size_for_forecast_peak: false,
            max_utilisation: None,
            peak_utilisation_bound: 0.90,
            memory_near_limit: 0.90,
            spiky_ratio: 3.0,
            min_history_days: 7.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MemoryStatistic {
    Max,
    Percentile(f64),
}

/// Spare instances beyond what the load needs: n+1 is `Redundancy(1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Redundancy(pub u32);

impl Redundancy {
    pub fn spares(self) -> u32 {
        self.0
    }

    pub fn parse(text: &str) -> Result<Redundancy, String> {
        let t = text.trim().to_lowercase();
        match t.strip_prefix('n') {
            Some("") => Ok(Redundancy(0)),
            Some(rest) => rest
                .strip_prefix('+')
                .and_then(|k| k.parse().ok())
                .map(Redundancy)
                .ok_or_else(|| format!("found `{text}`; expected n, n+1 or n+2")),
            None => Err(format!("found `{text}`; expected n, n+1 or n+2")),
        }
    }
}

/// `n+1` in files, as `Redundancy::parse` reads it.
pub(crate) mod redundancy_text {
    use super::Redundancy;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Redundancy, D::Error> {
        Redundancy::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }

    pub fn serialize<S: Serializer>(r: &Redundancy, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&r.to_string())
    }
}

impl std::fmt::Display for Redundancy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            0 => write!(f, "n"),
            k => write!(f, "n+{k}"),
        }
    }
}

fn memory_statistic<'de, D: Deserializer<'de>>(d: D) -> Result<MemoryStatistic, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim() == "max" {
        return Ok(MemoryStatistic::Max);
    }
    parse_percentile_name(text.trim())
        .map(MemoryStatistic::Percentile)
        .ok_or_else(|| serde::de::Error::custom(format!("found `{text}`; expected max or a percentile such as p99")))
}

/// `95` or `p95`, by the one percentile parser (from p50 to p99.9).
fn cpu_percentile<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let text = match NumberOrText::deserialize(d)? {
        NumberOrText::Number(x) => format!("p{x}"),
        NumberOrText::Text(t) => t,
    };
    parse_percentile_name(text.trim())
        .ok_or_else(|| serde::de::Error::custom(format!("found `{text}`; expected a percentile such as p95 or 95")))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

fn memory_text<S: serde::Serializer>(m: &MemoryStatistic, s: S) -> Result<S::Ok, S::Error> {
    match m {
        MemoryStatistic::Max => s.serialize_str("max"),
        MemoryStatistic::Percentile(q) => s.serialize_str(&format!("p{q}")),
    }
}

/// `20%` or `0.2`, by the one fraction parser.
fn fraction<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let text = match NumberOrText::deserialize(d)? {
        NumberOrText::Number(x) => x.to_string(),
        NumberOrText::Text(t) => t,
    };
    parse_fraction(&text).map_err(serde::de::Error::custom)
}
