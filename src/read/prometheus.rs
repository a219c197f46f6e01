//! A live Prometheus query: `GET /api/v1/query_range` over the last `range` at `step`,
//! the step chosen from the range when not given, and split into several queries when
//! one would exceed the server's 11,000 points per series.

use crate::read::history::{no_series, parse_prometheus_piece, Histories};
use anyhow::{anyhow, Context};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Prometheus refuses a query_range of more points than this per series.
const SERVER_LIMIT: u64 = 11_000;
/// Points per query headroom asks for at most, safely under the limit.
const POINTS_PER_QUERY: u64 = 10_000;
/// Steps a default is chosen from, in seconds: the first that keeps a range in one query.
const NICE_STEPS: [u64; 14] = [
    1, 5, 15, 30, 60, 300, 600, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400,
];

/// The default step for `range`: the finest nice step that fits it in one query
/// (90 days: 15 minutes, 8,641 points; one hour: 1 second).
pub fn default_step(range: Duration) -> Duration {
    let needed = range.as_secs().div_ceil(POINTS_PER_QUERY);
    let step = NICE_STEPS
        .iter()
        .copied()
        .find(|s| *s >= needed)
        .unwrap_or(needed.max(1));
    Duration::from_secs(step)
}

/// `[start, end]` cut into consecutive windows of at most `POINTS_PER_QUERY` points at
/// `step` seconds, each starting one step after the last one ended.
pub fn windows(start: u64, end: u64, step: u64) -> Vec<(u64, u64)> {
    let step = step.max(1);
    let span = (POINTS_PER_QUERY - 1) * step;
    let mut out = Vec::new();
    let mut from = start;
    while from <= end {
        let to = from.saturating_add(span).min(end);
        out.push((from, to));
        from = to + step;
    }
    out
}

/// The responses of the queries covering the last `range` at `step`, in time order.
pub fn query_range(base: &str, query: &str, range: Duration, step: Duration) -> anyhow::Result<Vec<String>> {
    let end = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let start = end.saturating_sub(range.as_secs());
    let step = step.as_secs().max(1);
    let endpoint = reqwest::Url::parse(base)
        .map_err(|e| anyhow!("--prometheus: found `{base}` ({e}); expected a URL such as http://127.0.0.1:9090"))?
        .join("api/v1/query_range")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let client = reqwest::Client::new();
    let pieces = windows(start, end, step);
    debug_assert!(pieces.iter().all(|(a, b)| (b - a) / step < SERVER_LIMIT));
    pieces
        .into_iter()
        .map(|(from, to)| {
            let mut url = endpoint.clone();
            url.query_pairs_mut()
                .append_pair("query", query)
                .append_pair("start", &from.to_string())
                .append_pair("end", &to.to_string())
                .append_pair("step", &format!("{step}s"));
            runtime.block_on(async {
                let response = client
                    .get(url)
                    .timeout(Duration::from_secs(60))
                    .send()
                    .await
                    .with_context(|| format!("--prometheus: cannot reach {base}"))?;
                response
                    .text()
                    .await
                    .with_context(|| format!("--prometheus: reading the answer from {base}"))
            })
        })
        .collect()
}

/// The named series a live query returns over the last `range` at `step`, the pieces of
/// a split query joined in time order.
pub fn read_histories(base: &str, query: &str, range: Duration, step: Duration) -> anyhow::Result<Histories> {
    let mut merged: Histories = Vec::new();
    for text in query_range(base, query, range, step)? {
        for (name, samples) in parse_prometheus_piece(&text, base).map_err(|m| anyhow!(m))? {
            match merged.iter_mut().find(|(known, _)| *known == name) {
                Some((_, all)) => all.extend(samples),
                None => merged.push((name, samples)),
            }
        }
    }
    if merged.is_empty() {
        anyhow::bail!(no_series(base));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_days_fit_one_query_at_fifteen_minutes() {
        let range = Duration::from_secs(90 * 86_400);
        let step = default_step(range).as_secs();
        assert_eq!(step, 900);
        // Points Prometheus counts for [start, end] at step: span / step + 1.
        assert!(range.as_secs() / step < SERVER_LIMIT);
        // A minute of history still gets a useful step.
        assert_eq!(default_step(Duration::from_secs(60)).as_secs(), 1);
    }

    #[test]
    fn a_fine_step_is_split_into_queries_that_cover_the_range_once() {
        // 90 days at 5 minutes: 25,921 points, three queries.
        let (start, end, step) = (1_700_000_000, 1_700_000_000 + 90 * 86_400, 300);
        let w = windows(start, end, step);
        assert_eq!(w.len(), 3);
        assert_eq!((w[0].0, w.last().unwrap().1), (start, end));
        let points: u64 = w.iter().map(|(a, b)| (b - a) / step + 1).sum();
        assert_eq!(points, (end - start) / step + 1);
        for pair in w.windows(2) {
            assert_eq!(pair[1].0, pair[0].1 + step);
        }
        assert!(w.iter().all(|(a, b)| (b - a) / step < SERVER_LIMIT));
    }
}
