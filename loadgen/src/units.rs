//! Humane units, written and read once for every crate: durations (`30s`, `5m`,
//! `250ms`), duration ranges (`200ms..1s`), percentages (`1%`) and fractions (`20%` or
//! `0.2`), timestamps and dates (RFC 3339, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]`, Unix seconds), bytes
//! (`MIB`, `GIB`) and counted nouns ("3 requests"). No I/O.

use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

pub const MIB: f64 = 1024.0 * 1024.0;
pub const GIB: f64 = 1024.0 * MIB;

/// Parses a humane duration such as `250ms`, `30s`, `5m` or `1h 30m`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    if trimmed.chars().all(|c| c.is_ascii_digit() || c == '.') && !trimmed.is_empty() {
        return Err(format!(
            "found `{trimmed}` without a unit; expected a duration such as 250ms, 30s or 5m"
        ));
    }
    humantime::parse_duration(trimmed)
        .map_err(|e| format!("found `{trimmed}` ({e}); expected a duration such as 250ms, 30s or 5m"))
}

/// The longest duration a scenario may give anything (a step's ramp or hold, a think
/// time, a timeout, a guard): a year. No load test runs longer, and bounded durations
/// keep every sum and every instant built from them far from overflow.
pub const LONGEST: Duration = Duration::from_secs(365 * 86_400);

/// `parse_duration`, refusing more than `LONGEST`.
pub fn parse_scenario_duration(text: &str) -> Result<Duration, String> {
    let d = parse_duration(text)?;
    if d > LONGEST {
        return Err(format!("found `{}`; expected at most 365d (a year)", text.trim()));
    }
    Ok(d)
}

/// Formats a duration the way scenario files write it (`1m30s`, `250ms`).
pub fn format_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

/// Parses a think-time range `200ms..1s`, or a single duration meaning a fixed pause;
/// each at most `LONGEST`.
pub fn parse_duration_range(text: &str) -> Result<(Duration, Duration), String> {
    match text.split_once("..") {
        Some((lo, hi)) => {
            let (lo, hi) = (parse_scenario_duration(lo)?, parse_scenario_duration(hi)?);
            if lo > hi {
                return Err(format!("found `{text}`; expected the lower bound first (lo..hi)"));
            }
            Ok((lo, hi))
        }
        None => parse_scenario_duration(text).map(|d| (d, d)),
    }
}

/// Parses a percentage `1%` or `0.5%` into a fraction (0.01, 0.005).
pub fn parse_percent(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let number = trimmed
        .strip_suffix('%')
        .ok_or_else(|| format!("found `{trimmed}`; expected a percentage such as 1% or 0.5%"))?;
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("found `{trimmed}`; expected a percentage such as 1% or 0.5%"))?;
    if !(0.0..=100.0).contains(&value) {
        return Err(format!("found `{trimmed}`; expected a percentage from 0% to 100%"));
    }
    Ok(value / 100.0)
}

/// A fraction written as a percentage (`20%`) or as a number (`0.2`), 0 or more.
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let value = match trimmed.strip_suffix('%') {
        Some(number) => number.trim().parse::<f64>().ok().map(|p| p / 100.0),
        None => trimmed.parse::<f64>().ok(),
    }
    .filter(|v| v.is_finite())
    .ok_or_else(|| format!("found `{trimmed}`; expected a percentage such as 20%"))?;
    if value < 0.0 {
        return Err(format!("found {value}; expected 0 or more"));
    }
    Ok(value)
}

/// The timestamp forms `parse_timestamp` reads, as error messages name them.
pub const TIMESTAMP_FORMS: &str = "RFC 3339, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] or Unix seconds";

/// Unix seconds from RFC 3339; `YYYY-MM-DD` (midnight), `YYYY-MM-DD HH:MM` or
/// `YYYY-MM-DD HH:MM:SS` (a space or a `T` between, an optional `Z`), all UTC; or Unix
/// seconds.
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return seconds.is_finite().then_some(seconds.round() as i64);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp());
    }
    let plain = text.strip_suffix('Z').unwrap_or(text).replacen('T', " ", 1);
    if let Ok(day) = Date::parse(&plain, format_description!("[year]-[month]-[day]")) {
        return Some(day.midnight().assume_utc().unix_timestamp());
    }
    let seconds = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let minutes = format_description!("[year]-[month]-[day] [hour]:[minute]");
    PrimitiveDateTime::parse(&plain, seconds)
        .or_else(|_| PrimitiveDateTime::parse(&plain, minutes))
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

/// Unix seconds as RFC 3339 (`2026-11-27T00:00:00Z`).
pub fn format_timestamp(seconds: i64) -> String {
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| seconds.to_string())
}

/// The UTC day of Unix seconds: `2026-11-27`.
pub fn format_date(seconds: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(seconds.clamp(-377_705_116_800, 253_402_300_799))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

/// `n` and the noun, plural unless n is 1: "1 journey", "3 requests".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_humane_units() {
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("5m").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h 30m").unwrap(), Duration::from_secs(5400));
        assert!(parse_duration("30").unwrap_err().contains("without a unit"));
        assert!(parse_duration("fast").is_err());
    }

    #[test]
    fn ranges_and_percentages() {
        let (lo, hi) = parse_duration_range("200ms..1s").unwrap();
        assert_eq!((lo.as_millis(), hi.as_millis()), (200, 1000));
        assert!(parse_duration_range("1s..200ms").is_err());
        assert!((parse_percent("1%").unwrap() - 0.01).abs() < 1e-12);
        assert!((parse_percent("0.5%").unwrap() - 0.005).abs() < 1e-12);
        assert!(parse_percent("150%").is_err());
        assert!(parse_percent("0.01").is_err());
        assert_eq!(format_duration(Duration::from_millis(90_000)), "1m30s");
    }

    #[test]
    fn dates() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_392_388_200), "2014-02-14");
        assert_eq!(format_date(1_795_737_600), "2026-11-27");
    }

    #[test]
    fn fractions_as_percentages_or_numbers() {
        assert!((parse_fraction("20%").unwrap() - 0.2).abs() < 1e-12);
        assert!((parse_fraction("0.2").unwrap() - 0.2).abs() < 1e-12);
        assert!(parse_fraction("-5%").is_err());
        assert!(parse_fraction("twenty").unwrap_err().contains("expected a percentage"));
    }
}
