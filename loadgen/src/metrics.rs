//! A run's live Prometheus metrics (`headroom run --metrics-listen ADDR`): what the
//! collector sees, as counters, gauges and a latency histogram, rendered in the
//! Prometheus text exposition format (0.0.4) on `GET /metrics` by a small HTTP server
//! that lives for the run and a few seconds after it. The collector is the only writer.

use crate::target::respond;
use hyper::StatusCode;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};

/// Upper bounds (seconds) of the latency histogram's buckets, as Prometheus' client
/// libraries default to, with 1 ms and 2.5 ms added for fast services.
pub const BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Default)]
struct State {
    /// Successful responses by request index (no allocation on the hot path).
    ok: Vec<u64>,
    /// (request index, error kind) -> responses.
    errors: BTreeMap<(usize, String), u64>,
    /// Per bucket, responses at or under its bound (not cumulative until rendered).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_seconds: f64,
    dropped: u64,
    users: Option<u64>,
    offered_rate: Option<f64>,
    step: usize,
}

/// The metrics of one run (or one search: its steps add up).
#[derive(Debug)]
pub struct LiveMetrics {
    /// `journey/step` by request index.
    names: Vec<String>,
    state: Mutex<State>,
}

impl LiveMetrics {
    pub fn new(names: Vec<String>) -> Arc<LiveMetrics> {
        Arc::new(LiveMetrics {
            names,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A response: its outcome (`ok` or the error kind) and, unless the connection was
    /// refused, its latency.
    pub fn response(&self, request: usize, latency_us: u64, error: Option<&str>) {
        let mut s = self.state();
        match error {
            None => {
                if s.ok.len() <= request {
                    s.ok.resize(request + 1, 0);
                }
                s.ok[request] += 1;
            }
            Some(kind) => *s.errors.entry((request, kind.to_string())).or_insert(0) += 1,
        }
        if error != Some("connect") {
            let seconds = latency_us as f64 / 1e6;
            if let Some(i) = BUCKETS.iter().position(|le| seconds <= *le) {
                s.buckets[i] += 1;
            }
            s.count += 1;
            s.sum_seconds += seconds;
        }
    }

    pub fn dropped(&self) {
        self.state().dropped += 1;
    }

    /// Once a second: users now, the open model's planned arrival rate, the step.
    pub fn second(&self, users: Option<u64>, offered_rate: Option<f64>, step: Option<usize>) {
        let mut s = self.state();
        s.users = users;
        s.offered_rate = offered_rate;
        s.step = step.unwrap_or(0);
    }

    /// The plan is over: no step, nothing offered (the totals stay).
    pub fn plan_over(&self) {
        let mut s = self.state();
        s.offered_rate = None;
        s.step = 0;
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let s = self.state();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP headroom_requests_total Responses, by journey, step and outcome (ok or the error kind).\n\
             # TYPE headroom_requests_total counter"
        );
        let ok =
            s.ok.iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(i, n)| ((i, "ok"), *n));
        let failed = s.errors.iter().map(|((i, kind), n)| ((*i, kind.as_str()), *n));
        let mut counts: Vec<((usize, &str), u64)> = ok.chain(failed).collect();
        counts.sort();
        for ((request, outcome), n) in counts {
            let name = self.names.get(request).map_or("?", String::as_str);
            let (journey, step) = name.split_once('/').unwrap_or((name, ""));
            let _ = writeln!(
                out,
                "headroom_requests_total{{journey=\"{}\",step=\"{}\",outcome=\"{}\"}} {n}",
                label(journey),
                label(step),
                label(outcome)
            );
        }
        let _ = writeln!(
            out,
            "# HELP headroom_request_duration_seconds Response latency (open model: from the scheduled arrival).\n\
             # TYPE headroom_request_duration_seconds histogram"
        );
        let mut cumulative = 0;
        for (le, n) in BUCKETS.iter().zip(&s.buckets) {
            cumulative += n;
            let _ = writeln!(
                out,
                "headroom_request_duration_seconds_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "headroom_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n\
             headroom_request_duration_seconds_sum {}\n\
             headroom_request_duration_seconds_count {}",
            s.count, s.sum_seconds, s.count
        );
        let _ = writeln!(
            out,
            "# HELP headroom_dropped_total Open model: arrivals that found every user of the full pool busy.\n\
             # TYPE headroom_dropped_total counter\nheadroom_dropped_total {}",
            s.dropped
        );
        if let Some(users) = s.users {
            let _ = writeln!(
                out,
                "# HELP headroom_users Users: the closed plan's, or the open pool's size.\n\
                 # TYPE headroom_users gauge\nheadroom_users {users}"
            );
        }
        if let Some(rate) = s.offered_rate {
            let _ = writeln!(
                out,
                "# HELP headroom_offered_rate Open model: the planned arrivals per second now.\n\
                 # TYPE headroom_offered_rate gauge\nheadroom_offered_rate {rate}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP headroom_step The plan's step now, from 1 (0 before and after).\n\
             # TYPE headroom_step gauge\nheadroom_step {}",
            s.step
        );
        out
    }
}

/// A label value escaped as the text format asks: backslash, double quote, line feed.
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The exposition server: bound at once (so a bad address fails before the run), served
/// on its own thread until dropped.
pub struct MetricsServer {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Binds `addr` (`127.0.0.1:9464`, `:9464` for every interface) and serves `/metrics`.
pub fn serve(addr: &str, metrics: Arc<LiveMetrics>) -> Result<MetricsServer, String> {
    let full = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_string()
    };
    let listener = std::net::TcpListener::bind(&full).map_err(|e| {
        format!("--metrics-listen: cannot listen on `{addr}` ({e}); expected HOST:PORT such as 127.0.0.1:9464")
    })?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        runtime.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            let handler = Arc::new(move |req: hyper::Request<hyper::body::Incoming>| {
                let answer = match req.uri().path() {
                    "/metrics" => respond(StatusCode::OK, "text/plain; version=0.0.4", metrics.render()),
                    _ => respond(StatusCode::NOT_FOUND, "text/plain", "see /metrics\n".into()),
                };
                std::future::ready(answer)
            });
            tokio::select! {
                _ = crate::target::accept_loop(listener, handler) => {}
                _ = stopped => {}
            }
        });
    });
    Ok(MetricsServer {
        addr: bound,
        stop: Some(stop),
        thread: Some(thread),
    })
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exposition_counts_what_it_was_told() {
        let m = LiveMetrics::new(vec!["shop/cart".into(), "shop/pay \"now\"".into()]);
        m.response(0, 3_000, None);
        m.response(0, 30_000, None);
        m.response(1, 1_000, Some("status 503"));
        m.response(1, 0, Some("connect"));
        m.dropped();
        m.second(Some(4), Some(200.0), Some(2));
        let text = m.render();
        for line in [
            "headroom_requests_total{journey=\"shop\",step=\"cart\",outcome=\"ok\"} 2",
            "headroom_requests_total{journey=\"shop\",step=\"pay \\\"now\\\"\",outcome=\"status 503\"} 1",
            "headroom_requests_total{journey=\"shop\",step=\"pay \\\"now\\\"\",outcome=\"connect\"} 1",
            "headroom_request_duration_seconds_bucket{le=\"0.001\"} 1",
            "headroom_request_duration_seconds_bucket{le=\"0.005\"} 2",
            "headroom_request_duration_seconds_bucket{le=\"0.05\"} 3",
            "headroom_request_duration_seconds_bucket{le=\"+Inf\"} 3",
            "headroom_request_duration_seconds_sum 0.034",
            "headroom_request_duration_seconds_count 3",
            "headroom_dropped_total 1",
            "headroom_users 4",
            "headroom_offered_rate 200",
            "headroom_step 2",
        ] {
            assert!(text.lines().any(|l| l == line), "no `{line}` in\n{text}");
        }
    }
}
