//! Test harness: the headroom binary, a simulated target it serves on loopback, and
//! scenario files written to a temporary directory.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

pub const BIN: &str = env!("CARGO_BIN_EXE_headroom");

/// Load tests measure time; one at a time keeps them from competing for the 2 cores.
static SERIAL: Mutex<()> = Mutex::new(());

pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// A check of measured latency against a model, made once more when the first
/// measurement misses: the CI machines are shared, and another job's burst of CPU can
/// inflate one run's tail (seen: p99 above 60 ms at a quarter of capacity with a 10 ms
/// service). A real fault misses both times; the second attempt's panic is the verdict.
pub fn measure_twice(check: impl Fn()) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(&check)).is_err() {
        eprintln!("the first measurement missed (above); measuring once more");
        check();
    }
}

/// `headroom target` on a free loopback port, killed when dropped.
pub struct Target {
    child: Child,
    pub url: String,
}

impl Target {
    pub fn start(workers: usize, service_time: &str, dist: &str) -> Target {
        Target::start_with(workers, service_time, dist, &[])
    }

    /// The same with more `headroom target` flags (`--access-log FILE`).
    pub fn start_with(workers: usize, service_time: &str, dist: &str, flags: &[&str]) -> Target {
        let mut child = Command::new(BIN)
            .args([
                "target",
                "--workers",
                &workers.to_string(),
                "--service-time",
                service_time,
                "--dist",
                dist,
                "--port",
                "0",
            ])
            .args(flags)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start headroom target");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("url in banner")
            .to_string();
        Target { child, url }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn headroom(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("run headroom")
}

/// `headroom run SCENARIO --target URL --out OUT`, ready to add to and run.
pub fn run_command(scenario: &Path, url: &str, out: &Path) -> Command {
    let mut command = Command::new(BIN);
    command.args([
        "run",
        scenario.to_str().unwrap(),
        "--target",
        url,
        "--out",
        out.to_str().unwrap(),
    ]);
    command
}

/// The run, to completion.
pub fn run_scenario(scenario: &Path, url: &str, out: &Path) -> Output {
    run_command(scenario, url, out).output().expect("run headroom")
}

/// The same, started in the background (stdout discarded) for tests that interrupt it.
pub fn spawn_scenario(scenario: &Path, url: &str, out: &Path) -> Child {
    run_command(scenario, url, out)
        .stdout(Stdio::null())
        .spawn()
        .expect("start headroom run")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn within(value: f64, expected: f64, tolerance: f64) -> bool {
    (value - expected).abs() <= tolerance * expected
}

/// Sends `GET path` to `url` (`http://HOST:PORT`) on a connection of its own, returned
/// open (reads give up after 5 s); with `close` the request asks the server to close it
/// after answering.
pub fn send_get(url: &str, path: &str, close: bool) -> std::io::Result<std::net::TcpStream> {
    use std::io::Write;
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let connection = if close { "close" } else { "keep-alive" };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: {connection}\r\n\r\n"
    )?;
    Ok(stream)
}

/// The whole answer to `GET path` (status line, headers, body); None while `url`
/// cannot be reached.
pub fn get(url: &str, path: &str) -> Option<String> {
    use std::io::Read;
    let mut answer = String::new();
    send_get(url, path, true).ok()?.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// A figure from `headroom target`'s /metrics (`headroom_target_NAME`); 0 while the
/// target cannot be reached.
pub fn target_metric(url: &str, name: &str) -> f64 {
    let Some(response) = get(url, "/metrics") else {
        return 0.0;
    };
    let prefix = format!("headroom_target_{name} ");
    response
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Waits up to `limit` for `condition`, polling every 20 ms; its last answer.
pub fn wait_for(limit: std::time::Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    condition()
}

/// Says a test skipped, past the harness's capture of `eprintln!` (which would hide it
/// unless the test failed): straight to the process's stderr.
pub fn say_skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
}

/// `timestamp,value` CSV text of `hours` hourly samples from 2023-11-14, a daily sawtooth
/// from `base` to `base + 23`.
pub fn hourly_csv(hours: i64, base: i64) -> String {
    let rows: String = (0..hours)
        .map(|h| format!("{},{}\n", 1_700_000_000 + h * 3600, base + h % 24))
        .collect();
    format!("timestamp,value\n{rows}")
}

/// `headroom forecast CSV --horizon H --out DIR`, which must succeed; DIR.
pub fn forecast_into(csv: &Path, horizon: &str, dir: PathBuf) -> PathBuf {
    let run = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        horizon,
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    dir
}

/// `headroom fit RUN_DIR/run.json --out RUN_DIR`, which must succeed; limits.json's path.
pub fn fit_run(run_dir: &Path) -> PathBuf {
    let fit = headroom(&[
        "fit",
        run_dir.join("run.json").to_str().unwrap(),
        "--out",
        run_dir.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    run_dir.join("limits.json")
}

/// Erlang C: the probability an arrival waits in an M/M/c queue with offered load a = λ/μ.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..c {
        term *= a / k as f64;
        sum += term;
    }
    let last = term * a / c as f64 * c as f64 / (c as f64 - a);
    last / (sum + last)
}

/// The p99 response time (ms) of a FIFO M/M/c queue: P(T > t) = e^(-μt) [1 + C μ /
/// (cμ - λ - μ) (1 - e^(-(cμ - λ - μ) t))] (wait plus service), solved by bisection.
pub fn mmc_p99_ms(lambda: f64, mu: f64, c: u32) -> f64 {
    let wait_c = erlang_c(c, lambda / mu);
    let d = c as f64 * mu - lambda - mu;
    let tail = |t: f64| {
        let queued = if d.abs() < 1e-9 {
            mu * t
        } else {
            mu / d * (1.0 - (-d * t).exp())
        };
        (-mu * t).exp() * (1.0 + wait_c * queued)
    };
    let (mut lo, mut hi) = (0.0, 60.0);
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if tail(mid) > 0.01 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo * 1e3
}

/// A loopback port nothing listens on (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether `binary --version` runs.
pub fn installed(binary: &str) -> bool {
    Command::new(binary)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A directory for a Prometheus test, or None (said) when prometheus and promtool are
/// not installed; under CI=true their absence fails the test instead.
pub fn prometheus_or_skip() -> Option<tempfile::TempDir> {
    if installed("prometheus") && installed("promtool") {
        return Some(tempfile::tempdir().unwrap());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but prometheus/promtool are not installed"
    );
    say_skipped("prometheus and promtool not installed (Debian package `prometheus`)");
    None
}

/// A real Prometheus on a free loopback port, serving a TSDB backfilled from OpenMetrics
/// text with `promtool tsdb create-blocks-from openmetrics`; killed when dropped.
pub struct Prometheus(Child);

impl Prometheus {
    pub fn start(dir: &Path, openmetrics: &str) -> (Prometheus, String) {
        let om = write(dir, "data.om", openmetrics);
        let data = dir.join("data");
        let backfill = Command::new("promtool")
            .args(["tsdb", "create-blocks-from", "openmetrics"])
            .arg(&om)
            .arg(&data)
            .output()
            .unwrap();
        assert!(backfill.status.success(), "{}", text(&backfill.stderr));
        let config = write(dir, "prometheus.yml", "global:\n  scrape_interval: 1h\n");
        let port = free_port();
        let server = Prometheus(
            Command::new("prometheus")
                .arg(format!("--config.file={}", config.display()))
                .arg(format!("--storage.tsdb.path={}", data.display()))
                .arg(format!("--web.listen-address=127.0.0.1:{port}"))
                .arg("--storage.tsdb.retention.time=60d")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        wait_ready(port);
        (server, format!("http://127.0.0.1:{port}"))
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_ready(port: u16) {
    let ready = wait_for(std::time::Duration::from_secs(60), || {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
            return false;
        };
        let _ = write!(s, "GET /-/ready HTTP/1.0\r\n\r\n");
        let mut answer = String::new();
        let _ = s.read_to_string(&mut answer);
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200")
    });
    assert!(ready, "prometheus did not become ready on port {port}");
}

/// PATH with the directory of the headroom binary under test first, for README lines
/// run through `sh`.
pub fn path_with_headroom() -> String {
    let bin_dir = Path::new(BIN).parent().unwrap();
    format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default())
}
