//! The simulated target: an HTTP service of known capacity on loopback. `workers`
//! requests are served at once, each for a service time drawn from a distribution with
//! mean S; the rest wait FIFO. Capacity is exactly workers / S, which makes the whole
//! pipeline testable against the truth. `/metrics` reports it in Prometheus text format;
//! an optional access log writes every request (method, path and query, headers, body) as
//! a JSON line, so a test can see exactly what a scenario sent.

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use rand_distr::{Distribution, Exp, LogNormal};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Service-time distribution, all with mean S.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ServiceDist {
    /// Exponential: coefficient of variation 1 (M/M/c).
    Exp,
    /// Constant: every request takes exactly S (M/D/c).
    Const,
    /// Lognormal with shape sigma 0.5 (coefficient of variation about 0.53).
    Lognormal,
}

#[derive(Debug, Clone)]
pub struct TargetConfig {
    pub workers: usize,
    pub service_time: Duration,
    pub dist: ServiceDist,
}

impl TargetConfig {
    /// Requests per second the target can serve: workers / S (infinite for S = 0).
    pub fn capacity_rps(&self) -> f64 {
        self.workers as f64 / self.service_time.as_secs_f64()
    }

    fn sample(&self) -> Duration {
        let s = self.service_time.as_secs_f64();
        let seconds = match self.dist {
            ServiceDist::Const => s,
            ServiceDist::Exp => Exp::new(1.0 / s).expect("positive rate").sample(&mut rand::rng()),
            ServiceDist::Lognormal => {
                const SIGMA: f64 = 0.5;
                // E[X] = exp(mu + sigma^2 / 2) = S.
                let mu = s.ln() - SIGMA * SIGMA / 2.0;
                LogNormal::new(mu, SIGMA)
                    .expect("valid lognormal")
                    .sample(&mut rand::rng())
            }
        };
        Duration::from_secs_f64(seconds)
    }
}

/// A timer thread with sub-millisecond precision: tokio's timer wheel rounds every
/// deadline up to the next millisecond, which alone would add about 1 ms to a 10 ms
/// service time and take capacity 5-10% below C/S when workers are not queueing.
struct PreciseTimer {
    requests: std::sync::mpsc::Sender<(Instant, tokio::sync::oneshot::Sender<()>)>,
}

impl PreciseTimer {
    fn start() -> PreciseTimer {
        let (requests, incoming) = std::sync::mpsc::channel::<(Instant, tokio::sync::oneshot::Sender<()>)>();
        std::thread::spawn(move || {
            let mut due: std::collections::BinaryHeap<std::cmp::Reverse<(Instant, u64)>> = Default::default();
            let mut waiters = std::collections::HashMap::new();
            let mut next_id = 0u64;
            loop {
                let wait = due.peek().map(|r| r.0 .0.saturating_duration_since(Instant::now()));
                let received = match wait {
                    Some(w) => incoming.recv_timeout(w),
                    None => incoming
                        .recv()
                        .map_err(|_| std::sync::mpsc::RecvTimeoutError::Disconnected),
                };
                match received {
                    Ok((at, waiter)) => {
                        due.push(std::cmp::Reverse((at, next_id)));
                        waiters.insert(next_id, waiter);
                        next_id += 1;
                    }
                    Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                    Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                }
                let now = Instant::now();
                while due.peek().is_some_and(|r| r.0 .0 <= now) {
                    let std::cmp::Reverse((_, id)) = due.pop().expect("peeked");
                    if let Some(waiter) = waiters.remove(&id) {
                        let _ = waiter.send(());
                    }
                }
            }
        });
        PreciseTimer { requests }
    }

    async fn sleep_until(&self, at: Instant) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.requests.send((at, tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

/// Live counters of the target.
struct Server {
    timer: PreciseTimer,
    config: TargetConfig,
    started: Instant,
    queue: Semaphore,
    /// When each idle worker finished its last request (virtual time, see `serve_one`).
    idle_workers: Mutex<Vec<Instant>>,
    requests: AtomicU64,
    waiting: AtomicU64,
    busy: AtomicU64,
    busy_micros: AtomicU64,
    access_log: Option<Mutex<std::fs::File>>,
}

/// Binds 127.0.0.1:`port` (0 picks a free port).
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serves the target on a free loopback port from a thread (and runtime) of its own,
/// for as long as the process lives; returns its base URL (`http://127.0.0.1:PORT`).
pub fn serve_in_background(config: TargetConfig) -> Result<String, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => return drop(tx.send(Err(e.to_string()))),
        };
        runtime.block_on(async move {
            match bind(0).await {
                Ok((listener, addr)) => {
                    let _ = tx.send(Ok(addr));
                    let _ = serve(listener, config, None).await;
                }
                Err(e) => drop(tx.send(Err(e.to_string()))),
            }
        });
    });
    let addr = rx
        .recv()
        .map_err(|e| format!("the target thread stopped: {e}"))?
        .map_err(|e| format!("cannot start the target: {e}"))?;
    Ok(format!("http://{addr}"))
}

/// Serves until the task is dropped, logging every request to `access_log` when given.
pub async fn serve(
    listener: TcpListener,
    config: TargetConfig,
    access_log: Option<std::fs::File>,
) -> std::io::Result<()> {
    let now = Instant::now();
    let server = Arc::new(Server {
        timer: PreciseTimer::start(),
        queue: Semaphore::new(config.workers),
        idle_workers: Mutex::new(vec![now; config.workers]),
        config,
        started: now,
        requests: AtomicU64::new(0),
        waiting: AtomicU64::new(0),
        busy: AtomicU64::new(0),
        busy_micros: AtomicU64::new(0),
        access_log: access_log.map(Mutex::new),
    });
    accept_loop(
        listener,
        Arc::new(move |req| {
            let server = server.clone();
            async move { server.handle(req).await }
        }),
    )
    .await
}

/// Accepts HTTP/1.1 connections forever, each on its own task, answering every request
/// with `handler` (the target's service and the run's metrics exposition share it).
pub(crate) async fn accept_loop<H, F>(listener: TcpListener, handler: Arc<H>) -> std::io::Result<()>
where
    H: Fn(Request<hyper::body::Incoming>) -> F + Send + Sync + 'static,
    F: std::future::Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let answer = handler(req);
                async move { Ok::<_, Infallible>(answer.await) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await;
        });
    }
}

impl Server {
    async fn handle(&self, req: Request<hyper::body::Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() == "/metrics" {
            return respond(StatusCode::OK, "text/plain; version=0.0.4", self.metrics());
        }
        let method = req.method().as_str().to_string();
        let path = req.uri().path().to_string();
        if let Some(log) = &self.access_log {
            log_request(log, req).await;
        }
        let id = self.serve_one().await;
        let status = requested_status(&path).unwrap_or(StatusCode::OK);
        let body = serde_json::json!({"id": id, "method": method, "path": path});
        respond(status, "application/json", body.to_string())
    }

    /// Waits FIFO for a worker, then holds it for one service time. Each worker keeps
    /// a virtual clock: a request that waited starts exactly when the previous one on
    /// that worker ended, so timer overshoot never accumulates and capacity stays C/S.
    /// A client that closes its connection cancels its request here; the guards still
    /// lower the gauges and give the worker back busy until the end of the service it
    /// was committed to, as a real server's would be.
    async fn serve_one(&self) -> u64 {
        // Service time 0: no worker to wait for, an answer at once (a fast server for
        // measuring the load generator itself).
        if self.config.service_time.is_zero() {
            return self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        }
        let arrived = Instant::now();
        let _permit = {
            let _waiting = Raised::new(&self.waiting);
            self.queue.acquire().await.expect("semaphore never closes")
        };
        let _busy = Raised::new(&self.busy);
        let mut worker = Worker::take(&self.idle_workers, arrived);
        let service = self.config.sample();
        worker.free_at = worker.free_at.max(arrived) + service;
        self.busy_micros
            .fetch_add(service.as_micros() as u64, Ordering::Relaxed);
        self.timer.sleep_until(worker.free_at).await;
        self.requests.fetch_add(1, Ordering::Relaxed) + 1
    }

    fn metrics(&self) -> String {
        let elapsed = self.started.elapsed().as_secs_f64().max(1e-9);
        let busy_seconds = self.busy_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let rows = [
            (
                "requests_total",
                "counter",
                "Requests served (excluding /metrics).",
                self.requests.load(Ordering::Relaxed) as f64,
            ),
            (
                "busy_workers",
                "gauge",
                "Workers serving a request now.",
                self.busy.load(Ordering::Relaxed) as f64,
            ),
            (
                "queue_length",
                "gauge",
                "Requests waiting for a worker.",
                self.waiting.load(Ordering::Relaxed) as f64,
            ),
            ("workers", "gauge", "Workers (C).", self.config.workers as f64),
            (
                "service_time_seconds",
                "gauge",
                "Mean service time (S).",
                self.config.service_time.as_secs_f64(),
            ),
            (
                "capacity_rps",
                "gauge",
                "Capacity C/S in requests per second.",
                self.config.capacity_rps(),
            ),
            (
                "utilisation",
                "gauge",
                "Busy worker-seconds over worker-seconds since start.",
                busy_seconds / (elapsed * self.config.workers as f64),
            ),
        ];
        rows.iter()
            .map(|(name, kind, help, value)| {
                format!("# HELP headroom_target_{name} {help}\n# TYPE headroom_target_{name} {kind}\nheadroom_target_{name} {value}\n")
            })
            .collect()
    }
}

/// A gauge raised while its guard lives, lowered however the guarded wait ends.
struct Raised<'a>(&'a AtomicU64);

impl<'a> Raised<'a> {
    fn new(gauge: &'a AtomicU64) -> Raised<'a> {
        gauge.fetch_add(1, Ordering::Relaxed);
        Raised(gauge)
    }
}

impl Drop for Raised<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One worker's virtual clock, taken from the idle ones for a request and put back, at
/// `free_at`, when the request ends or is cancelled (before its permit is released).
struct Worker<'a> {
    idle: &'a Mutex<Vec<Instant>>,
    free_at: Instant,
}

impl<'a> Worker<'a> {
    fn take(idle: &'a Mutex<Vec<Instant>>, arrived: Instant) -> Worker<'a> {
        let free_at = idle.lock().expect("lock").pop().unwrap_or(arrived);
        Worker { idle, free_at }
    }
}

impl Drop for Worker<'_> {
    fn drop(&mut self) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push(self.free_at);
    }
}

/// One JSON line per request: `{"method", "path" (with the query), "headers", "body"}`.
async fn log_request(log: &Mutex<std::fs::File>, req: Request<hyper::body::Incoming>) {
    use http_body_util::BodyExt;
    use std::io::Write;
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let headers: serde_json::Map<String, serde_json::Value> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into()))
        .collect();
    let line = serde_json::json!({
        "method": parts.method.as_str(),
        "path": parts.uri.path_and_query().map_or("/", |p| p.as_str()),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    });
    let mut file = log.lock().expect("access log lock");
    let _ = writeln!(file, "{line}");
}

/// `/status/503` answers 503, for tests of error handling.
fn requested_status(path: &str) -> Option<StatusCode> {
    let code: u16 = path.strip_prefix("/status/")?.split('/').next()?.parse().ok()?;
    StatusCode::from_u16(code).ok()
}

/// A whole response with its content type.
pub(crate) fn respond(status: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(Bytes::from(body)))
        .expect("valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_is_workers_over_service_time() {
        let c = TargetConfig {
            workers: 4,
            service_time: Duration::from_millis(10),
            dist: ServiceDist::Const,
        };
        assert!((c.capacity_rps() - 400.0).abs() < 1e-9);
    }

    #[test]
    fn sampled_service_times_have_mean_s() {
        for dist in [ServiceDist::Exp, ServiceDist::Lognormal, ServiceDist::Const] {
            let c = TargetConfig {
                workers: 1,
                service_time: Duration::from_millis(10),
                dist,
            };
            let n = 20_000;
            let mean: f64 = (0..n).map(|_| c.sample().as_secs_f64()).sum::<f64>() / n as f64;
            assert!((mean - 0.010).abs() < 0.0004, "{dist:?} mean {mean}");
        }
    }

    #[test]
    fn status_paths() {
        assert_eq!(requested_status("/status/503"), Some(StatusCode::SERVICE_UNAVAILABLE));
        assert_eq!(requested_status("/cart"), None);
    }
}
