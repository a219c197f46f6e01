//! Service-level objectives and abort guards: parsing their textual form and judging a
//! window of measurements against them. No I/O and no clocks: callers pass the numbers.

use crate::units::{parse_duration, parse_percent};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Latency objectives per percentile and an error-rate objective.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    pub percentiles: Vec<Objective>,
    /// Highest acceptable fraction of failed requests.
    pub error_rate: Option<f64>,
}

/// A latency objective: percentile `name` (`p99`) at most `limit_ms`. The one objective
/// type of scenarios, fits and plans; `Objective::parse` reads `p99=250ms` from a flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// As written: `p95`, `p99.9`.
    pub name: String,
    /// The quantile in percent (95.0, 99.9).
    pub percentile: f64,
    pub limit_ms: f64,
}

impl Objective {
    /// The percentile as a quantile, 0..1.
    pub fn quantile(&self) -> f64 {
        self.percentile / 100.0
    }

    /// One latency objective from a flag: `p99=250ms`.
    pub fn parse(text: &str) -> Result<Objective, String> {
        let (key, value) = split_flag(text)?;
        if key == "error_rate" {
            return Err("expected a latency percentile such as p99=250ms".into());
        }
        Objective::new(key, value)
    }

    /// `p99` and `250ms` (a scenario's `slo:` key and value).
    pub fn new(key: &str, value: &str) -> Result<Objective, String> {
        let percentile = parse_percentile_name(key).ok_or_else(|| {
            format!("found key `{key}`; expected a percentile from p50 to p99.9 (p50, p95, p99.9) or error_rate")
        })?;
        let limit = parse_duration(value)?;
        Ok(Objective {
            name: key.to_string(),
            percentile,
            limit_ms: limit.as_secs_f64() * 1e3,
        })
    }
}

/// One objective judged over one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// `p95`, `error_rate`.
    pub objective: String,
    /// The limit: milliseconds for percentiles, a fraction for the error rate.
    pub limit: f64,
    pub observed: f64,
    pub passed: bool,
}

/// What a window of measurements offers to be judged on.
pub trait Window {
    fn percentile_ms(&self, percentile: f64) -> f64;
    fn error_rate(&self) -> f64;
    fn drop_rate(&self) -> f64;
}

/// `part / whole`, 0 for an empty window: the form of every rate a window reports.
pub fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Slo {
    pub fn is_empty(&self) -> bool {
        self.percentiles.is_empty() && self.error_rate.is_none()
    }

    /// Parses one `slo:` entry: `p95: 200ms` or `error_rate: 1%`.
    pub fn add(&mut self, key: &str, value: &str) -> Result<(), String> {
        if key == "error_rate" {
            self.error_rate = Some(parse_percent(value)?);
            return Ok(());
        }
        self.percentiles.push(Objective::new(key, value)?);
        Ok(())
    }

    /// Objectives from flags such as `p99=250ms` and `error_rate=1%`, read as a
    /// scenario's `slo:` keys are; an error starts with the flag at fault.
    pub fn from_flags(flags: &[String]) -> Result<Slo, String> {
        let mut slo = Slo::default();
        for flag in flags {
            let (key, value) = split_flag(flag).map_err(|m| format!("{flag}: {m}"))?;
            slo.add(key, value).map_err(|m| format!("{flag}: {m}"))?;
        }
        Ok(slo)
    }

    pub fn judge(&self, window: &impl Window) -> Vec<Verdict> {
        let latency = self.percentiles.iter().map(|o| {
            let observed = window.percentile_ms(o.percentile);
            Verdict {
                objective: o.name.clone(),
                limit: o.limit_ms,
                observed,
                passed: observed <= o.limit_ms,
            }
        });
        let errors = self.error_rate.map(|limit| {
            let observed = window.error_rate();
            Verdict {
                objective: "error_rate".into(),
                limit,
                observed,
                passed: observed <= limit,
            }
        });
        latency.chain(errors).collect()
    }
}

/// `p99=250ms` -> (`p99`, `250ms`).
fn split_flag(text: &str) -> Result<(&str, &str), String> {
    text.split_once('=')
        .map(|(key, value)| (key.trim(), value.trim()))
        .ok_or_else(|| "expected PERCENTILE=DURATION such as p99=250ms".to_string())
}

/// `p95` -> 95.0, `p99.9` -> 99.9; None unless 50 <= q < 100.
pub fn parse_percentile_name(key: &str) -> Option<f64> {
    let q: f64 = key.strip_prefix('p')?.parse().ok()?;
    (50.0..100.0).contains(&q).then_some(q)
}

/// Guards: conditions that abort a run when they hold for long enough, and a hard stop.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Guard {
    pub conditions: Vec<Condition>,
    pub max_duration: Option<Duration>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    ErrorRate,
    DropRate,
    /// A latency percentile, compared in milliseconds.
    Percentile(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Comparison {
    Above,
    AtLeast,
    Below,
    AtMost,
}

/// `error_rate > 20% for 10s`: the metric, measured each second, breaches the
/// threshold for `sustain` in a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub text: String,
    pub metric: Metric,
    pub comparison: Comparison,
    pub threshold: f64,
    /// Whole seconds in a row (at least 1).
    pub sustain_seconds: u64,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        let expected =
            "expected `METRIC OP VALUE for DURATION`, such as `error_rate > 20% for 10s` or `p95 > 500ms for 30s`";
        let words: Vec<&str> = text.split_whitespace().collect();
        let (metric_word, op, value, sustain) = match words.as_slice() {
            [m, op, v] => (*m, *op, *v, None),
            [m, op, v, "for", d] => (*m, *op, *v, Some(*d)),
            _ => return Err(format!("found `{text}`; {expected}")),
        };
        let comparison = match op {
            ">" => Comparison::Above,
            ">=" => Comparison::AtLeast,
            "<" => Comparison::Below,
            "<=" => Comparison::AtMost,
            _ => return Err(format!("found operator `{op}` in `{text}`; expected >, >=, < or <=")),
        };
        let (metric, threshold) = match metric_word {
            "error_rate" => (Metric::ErrorRate, parse_percent(value)?),
            "drop_rate" => (Metric::DropRate, parse_percent(value)?),
            m => {
                let q = parse_percentile_name(m).ok_or_else(|| {
                    format!(
                        "found metric `{m}` in `{text}`; expected error_rate, drop_rate or a percentile such as p95"
                    )
                })?;
                (Metric::Percentile(q), parse_duration(value)?.as_secs_f64() * 1e3)
            }
        };
        let sustain = sustain
            .map(parse_duration)
            .transpose()?
            .unwrap_or(Duration::from_secs(1));
        Ok(Condition {
            text: text.to_string(),
            metric,
            comparison,
            threshold,
            sustain_seconds: sustain.as_secs_f64().ceil().max(1.0) as u64,
        })
    }

    /// Whether one second's window breaches the condition.
    pub fn breached(&self, window: &impl Window) -> bool {
        let value = match self.metric {
            Metric::ErrorRate => window.error_rate(),
            Metric::DropRate => window.drop_rate(),
            Metric::Percentile(q) => window.percentile_ms(q),
        };
        match self.comparison {
            Comparison::Above => value > self.threshold,
            Comparison::AtLeast => value >= self.threshold,
            Comparison::Below => value < self.threshold,
            Comparison::AtMost => value <= self.threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed {
        p95: f64,
        errors: f64,
    }

    impl Window for Fixed {
        fn percentile_ms(&self, _q: f64) -> f64 {
            self.p95
        }
        fn error_rate(&self) -> f64 {
            self.errors
        }
        fn drop_rate(&self) -> f64 {
            0.0
        }
    }

    #[test]
    fn slo_entries_parse_and_judge() {
        let mut slo = Slo::default();
        slo.add("p95", "200ms").unwrap();
        slo.add("error_rate", "1%").unwrap();
        assert!(slo.add("p10", "1s").is_err());
        assert!(slo.add("p99", "fast").is_err());
        let verdicts = slo.judge(&Fixed {
            p95: 250.0,
            errors: 0.005,
        });
        assert_eq!(verdicts.len(), 2);
        assert!(!verdicts[0].passed && verdicts[0].observed == 250.0);
        assert!(verdicts[1].passed);
    }

    #[test]
    fn guard_conditions_parse() {
        let c = Condition::parse("error_rate > 20% for 10s").unwrap();
        assert_eq!(
            (c.metric, c.comparison, c.sustain_seconds),
            (Metric::ErrorRate, Comparison::Above, 10)
        );
        assert!((c.threshold - 0.2).abs() < 1e-12);
        let p = Condition::parse("p99.9 >= 1s").unwrap();
        assert_eq!(
            (p.metric, p.threshold, p.sustain_seconds),
            (Metric::Percentile(99.9), 1000.0, 1)
        );
        assert!(p.breached(&Fixed {
            p95: 1000.0,
            errors: 0.0
        }));
        assert!(Condition::parse("error_rate = 5%").unwrap_err().contains("operator"));
        assert!(Condition::parse("cpu > 5% for 1s").unwrap_err().contains("metric"));
        assert!(Condition::parse("error_rate > 5%% for").is_err());
    }
}
