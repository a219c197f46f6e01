//! A live Prometheus query: `GET /api/v1/query_range` over the last `range` at `step`.

use anyhow::{anyhow, Context};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub fn query_range(base: &str, query: &str, range: Duration, step: Duration) -> anyhow::Result<String> {
    let end = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let start = end.saturating_sub(range.as_secs());
    let mut url = reqwest::Url::parse(base)
        .map_err(|e| anyhow!("--prometheus: found `{base}` ({e}); expected a URL such as http://127.0.0.1:9090"))?
        .join("api/v1/query_range")?;
    url.query_pairs_mut()
        .append_pair("query", query)
        .append_pair("start", &start.to_string())
        .append_pair("end", &end.to_string())
        .append_pair("step", &format!("{}s", step.as_secs().max(1)));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(url.clone())
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .with_context(|| format!("--prometheus: cannot reach {base}"))?;
        response
            .text()
            .await
            .with_context(|| format!("--prometheus: reading the answer from {base}"))
    })
}
