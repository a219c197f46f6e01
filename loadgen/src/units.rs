//! Humane units used in scenario files and results: durations (`30s`, `5m`, `250ms`),
//! duration ranges (`200ms..1s`) and percentages (`1%`), and counted nouns ("3 requests").
//! No I/O.

use std::time::Duration;

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

/// Formats a duration the way scenario files write it (`1m30s`, `250ms`).
pub fn format_duration(d: Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

/// Parses a think-time range `200ms..1s`, or a single duration meaning a fixed pause.
pub fn parse_duration_range(text: &str) -> Result<(Duration, Duration), String> {
    match text.split_once("..") {
        Some((lo, hi)) => {
            let (lo, hi) = (parse_duration(lo)?, parse_duration(hi)?);
            if lo > hi {
                return Err(format!("found `{text}`; expected the lower bound first (lo..hi)"));
            }
            Ok((lo, hi))
        }
        None => parse_duration(text).map(|d| (d, d)),
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
}
