//! The goose driver: runs a scenario's plan with goose as the user scheduler. headroom
//! owns the clock: users are gated by the plan (closed model, sending with goose's
//! client), or one goose user releases arrivals inside the runtime (open model,
//! `arrivals`, timed by `timer`, handed to the pool's users by `handoff`), and every
//! response is measured here rather than by goose's whole-run aggregates. This module
//! holds the driver; `http` renders a request and judges its answer (checks,
//! extractions), `client` sends it (goose's pooled client, or an open-model user's own
//! connection), `signals` turns Ctrl-C, SIGTERM and SIGHUP into a stop that keeps what
//! was measured, and `probe` checks a target's URL and that something answers there
//! before the first request.

mod arrivals;
mod client;
mod handoff;
mod http;
mod probe;
mod signals;
mod timer;

use client::{Address, Client, Origin};
use http::send;
pub use probe::{check_target, probe_target};
use signals::{catch_signals, told_to_stop};

use crate::dispatch::Dispatcher;
use crate::plan::{LoadPlan, Model};
use crate::record::{Collector, Event, Live, Measured};
use crate::results::{RunResult, RunStatus, SCHEMA_VERSION};
use crate::scenario::{Journey, Request, Scenario};
use futures_util::FutureExt;
use goose::client::GooseClientBuilder;
use goose::prelude::{GooseAttack, GooseDefault, GooseDefaultType, GooseUser, Transaction, TransactionResult};
use rand::Rng;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// How long users may take to start before the plan starts anyway.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);
/// Longest a waiting user sleeps before looking again, so goose can stop it promptly.
const POLL: Duration = Duration::from_millis(100);
/// Once the load is told to stop, how long headroom waits for goose to wind its users
/// down (requests in flight may hang up to their timeout) before it stops waiting and
/// writes what was measured. A signal's grace period must exceed this plus writing.
pub const STOP_GRACE: Duration = Duration::from_secs(3);
/// A closed-model user whose connection is refused pauses before its next iteration:
/// the first pause, doubling on each further refusal up to the longest.
const BACKOFF_FIRST: Duration = Duration::from_millis(10);
const BACKOFF_MOST: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start the load: {0}")]
    Goose(String),
    #[error("cannot start the runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Why the plan's clock stopped (set once).
const RUNNING: u8 = 0;
const PLAN_DONE: u8 = 1;
const MAX_DURATION: u8 = 2;
const GUARD: u8 = 3;
const INTERRUPTED: u8 = 4;
const USER_PANICKED: u8 = 5;

/// State every user shares.
struct Shared {
    scenario: Scenario,
    base: String,
    t0: OnceLock<Instant>,
    started_users: AtomicUsize,
    events: crossbeam_channel::Sender<Event>,
    /// Open model: the pool of users arrivals are given to.
    dispatch: Dispatcher,
    /// Open model: the goose user that releases arrivals has started doing so.
    releasing: AtomicBool,
    /// Open model: the seed of the arrival stream.
    seed: u64,
    /// Next row of each feeder.
    cursors: Vec<AtomicUsize>,
    /// Global index of each journey's first request.
    first_request: Vec<usize>,
    /// Each request's address parsed once, when its path has no variables (by global index).
    static_addresses: Vec<Option<Address>>,
    /// Open model: the plain-HTTP target its users open their own connections to.
    origin: Option<Arc<Origin>>,
    cumulative_weights: Vec<u32>,
    stop: AtomicU8,
    /// Closed model: each user's refused connections in a row, and the pauses taken.
    refusals: Vec<AtomicU32>,
    backoffs: AtomicU64,
    /// The first panic of a user's task: the run stops and fails with it.
    panicked: OnceLock<String>,
}

/// How a run is placed: a shared wall-clock start, and the shard it is (if sharded; the
/// scenario is expected to carry its share already, see `Shard::apply`).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub start_at: Option<std::time::SystemTime>,
    pub shard: Option<crate::shard::Shard>,
    /// Live Prometheus metrics to keep up to date (`--metrics-listen`).
    pub metrics: Option<Arc<crate::metrics::LiveMetrics>>,
}

/// Runs `scenario` against `target` (a base URL); `on_tick` sees live figures each second.
/// Returns what was measured however the run ended.
pub fn run(
    scenario: &Scenario,
    target: &str,
    options: &RunOptions,
    on_tick: impl FnMut(&Live) + Send,
) -> Result<RunResult, EngineError> {
    catch_signals();
    // A previous run in this process (a search's last step) left it set.
    goose::reset_killswitch();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let names = scenario.request_names();
    let (events_tx, events_rx) = crossbeam_channel::unbounded();
    let shared = Arc::new(Shared::new(scenario, target, events_tx));
    let started_at = now_rfc3339();
    let plan = &scenario.load;

    let (measured, goose_result) = std::thread::scope(|scope| {
        let collector =
            Collector::new(plan, &scenario.slo, &scenario.guard, &names).with_metrics(options.metrics.clone());
        let abort_shared = shared.clone();
        let collecting = scope.spawn(move || {
            collector.run(events_rx, on_tick, |reason| {
                abort_shared.stop_with(GUARD);
                goose::trigger_killswitch(reason);
            })
        });
        let clock_shared = shared.clone();
        let start_at = options.start_at;
        let clock = scope.spawn(move || drive_clock(&clock_shared, start_at));
        let goose_result = runtime.block_on(async {
            tokio::select! {
                result = attack(shared.clone()) => result,
                () = stopped_then_grace(&shared) => Ok(()),
            }
        });
        // If goose failed to start, stop the clock thread too.
        goose::trigger_killswitch("load finished");
        let _ = clock.join();
        let _ = shared.events.send(Event::Finish);
        (collecting.join().expect("collector thread"), goose_result)
    });
    // Users still winding down past the grace time are abandoned, not waited for.
    runtime.shutdown_background();
    goose_result?;
    let mut result = assemble(scenario, &shared, measured, started_at);
    result.shard = options.shard;
    result.scheduled_start = options
        .start_at
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_secs_f64());
    Ok(result)
}

impl Shared {
    fn new(scenario: &Scenario, target: &str, events: crossbeam_channel::Sender<Event>) -> Shared {
        let mut first_request = Vec::new();
        let mut count = 0;
        for j in &scenario.journeys {
            first_request.push(count);
            count += j.requests.len();
        }
        let cumulative_weights = scenario
            .journeys
            .iter()
            .scan(0, |sum, j| {
                *sum += j.weight;
                Some(*sum)
            })
            .collect();
        let base = target.trim_end_matches('/').to_string();
        let static_addresses = scenario
            .journeys
            .iter()
            .flat_map(|j| &j.requests)
            .map(|r| r.path.as_literal().and_then(|path| Address::parse(&base, path)))
            .collect();
        let origin = match scenario.load.model {
            Model::Open => Origin::of(&base),
            Model::Closed => None,
        };
        Shared {
            scenario: scenario.clone(),
            static_addresses,
            origin,
            base,
            t0: OnceLock::new(),
            started_users: AtomicUsize::new(0),
            events,
            dispatch: Dispatcher::new(scenario.load.pool),
            releasing: AtomicBool::new(false),
            seed: scenario.load.seed.unwrap_or_else(rand::random),
            cursors: scenario.feeders.iter().map(|_| AtomicUsize::new(0)).collect(),
            first_request,
            cumulative_weights,
            stop: AtomicU8::new(RUNNING),
            refusals: (0..scenario.load.pool.max).map(|_| AtomicU32::new(0)).collect(),
            backoffs: AtomicU64::new(0),
            panicked: OnceLock::new(),
        }
    }

    fn plan(&self) -> &LoadPlan {
        &self.scenario.load
    }

    /// How many goose users run: the plan's users (closed), or the one that releases
    /// arrivals (open; the pool's users are tasks it starts, see `arrivals`).
    fn goose_users(&self) -> usize {
        match self.plan().model {
            Model::Closed => self.plan().pool.max.max(1),
            Model::Open => 1,
        }
    }

    /// When the plan's clock ends by itself (from its start), and why.
    fn end(&self) -> (Duration, u8) {
        let total = self.plan().total();
        match self.scenario.guard.max_duration {
            Some(max) if max < total => (max, MAX_DURATION),
            _ => (total, PLAN_DONE),
        }
    }

    /// Users read only this atomic: goose's killswitch sits behind a lock that every
    /// user taking it on every request would contend for. The clock thread turns a
    /// killswitch (Ctrl-C) into `INTERRUPTED` within one poll.
    fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed) != RUNNING
    }

    fn user_panicked(&self, message: String) {
        let _ = self.panicked.set(message);
        self.stop_with(USER_PANICKED);
        goose::trigger_killswitch("a user's task panicked");
    }

    /// Records why the run stops (the first reason wins).
    fn stop_with(&self, reason: u8) {
        let _ = self
            .stop
            .compare_exchange(RUNNING, reason, Ordering::SeqCst, Ordering::SeqCst);
    }

    fn pick_journey(&self) -> &Journey {
        let total = *self.cumulative_weights.last().unwrap_or(&1);
        let draw = rand::rng().random_range(0..total);
        let j = self.cumulative_weights.iter().position(|&w| draw < w).unwrap_or(0);
        &self.scenario.journeys[j]
    }

    /// A request by its global index.
    fn request(&self, index: usize) -> &Request {
        let j = self.first_request.partition_point(|&first| first <= index) - 1;
        &self.scenario.journeys[j].requests[index - self.first_request[j]]
    }

    fn next_row(&self, feeder: usize) -> &[String] {
        let rows = &self.scenario.feeders[feeder].rows;
        &rows[self.cursors[feeder].fetch_add(1, Ordering::Relaxed) % rows.len()]
    }
}

/// Starts the plan's clock once every goose user is up, then ends it on schedule (or at
/// a stop).
fn drive_clock(shared: &Shared, start_at: Option<std::time::SystemTime>) {
    let waiting_since = Instant::now();
    while shared.started_users.load(Ordering::SeqCst) < shared.goose_users() && waiting_since.elapsed() < STARTUP_LIMIT
    {
        if told_to_stop() {
            shared.stop_with(INTERRUPTED);
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // Shards step up together: wait for the shared wall-clock start.
    if let Some(at) = start_at {
        while let Ok(left) = at.duration_since(std::time::SystemTime::now()) {
            if told_to_stop() {
                shared.stop_with(INTERRUPTED);
                return;
            }
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
    }
    let t0 = Instant::now();
    let _ = shared.events.send(Event::Start(t0));
    let _ = shared.t0.set(t0);
    let (end, reason) = shared.end();
    loop {
        if told_to_stop() {
            shared.stop_with(INTERRUPTED);
        }
        if shared.stopping() {
            // A signal before goose armed its killswitch is passed on now.
            goose::trigger_killswitch("stopping");
            return;
        }
        let now = t0.elapsed();
        if now >= end {
            break;
        }
        std::thread::sleep((end - now).min(POLL));
    }
    shared.stop_with(reason);
    goose::trigger_killswitch("plan complete");
}

type Boxed<'r> = Pin<Box<dyn Future<Output = TransactionResult> + Send + 'r>>;

async fn attack(shared: Arc<Shared>) -> Result<(), EngineError> {
    let users = shared.goose_users();
    let on_start = {
        let shared = shared.clone();
        Transaction::new(Arc::new(move |_user: &mut GooseUser| -> Boxed<'_> {
            shared.started_users.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Ok(()) })
        }))
        .set_name("start")
        .set_on_start()
    };
    let iterate = {
        let shared = shared.clone();
        Transaction::new(Arc::new(move |user: &mut GooseUser| -> Boxed<'_> {
            let shared = shared.clone();
            Box::pin(async move {
                if guarded(&shared, user_turn(&shared, user)).await.is_none() {
                    tokio::time::sleep(POLL).await;
                }
                Ok(())
            })
        }))
        .set_name("iteration")
    };
    let goose_error = |e: goose::GooseError| EngineError::Goose(e.to_string());
    let launch_rate = format!("{}", (users as f64 * 20.0).max(100.0));
    GooseAttack::initialize_with_config(goose::config::GooseConfiguration::default())
        .map_err(goose_error)?
        .register_scenario(
            goose::prelude::Scenario::new("headroom")
                .register_transaction(on_start)
                .register_transaction(iterate),
        )
        .set_client_builder_without_cookies(GooseClientBuilder::new().without_cookies().user_agent(client::AGENT))
        .map_err(goose_error)?
        .set_default(GooseDefault::Host, shared.base.as_str())
        .and_then(|a| a.set_default(GooseDefault::Users, users))
        .and_then(|a| a.set_default(GooseDefault::IncreaseRate, launch_rate.as_str()))
        .and_then(|a| a.set_default(GooseDefault::NoTelnet, true))
        .and_then(|a| a.set_default(GooseDefault::NoMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::NoPrintMetrics, true))
        .and_then(|a| a.set_default(GooseDefault::Quiet, 1usize))
        .map_err(goose_error)?
        .execute()
        .await
        .map_err(goose_error)?;
    Ok(())
}

/// One turn of a user: run an iteration if the plan gives it work now, else wait briefly.
async fn user_turn(shared: &Arc<Shared>, user: &mut GooseUser) {
    let Some(t0) = shared.t0.get().copied() else {
        tokio::time::sleep(Duration::from_millis(5)).await;
        return;
    };
    if shared.stopping() {
        tokio::time::sleep(POLL).await;
        return;
    }
    match shared.plan().model {
        Model::Closed => {
            let now = t0.elapsed();
            let index = user.weighted_users_index;
            if index < shared.plan().users_at(now) {
                let client = &mut Client::Pooled(&user.client);
                let refused = iteration(shared, client, None).await.as_deref() == Some("connect");
                back_off(shared, index, refused).await;
            } else {
                let wake = shared
                    .plan()
                    .next_activation(index, now)
                    .map(|at| at - now)
                    .unwrap_or(POLL);
                tokio::time::sleep(wake.min(POLL)).await;
            }
        }
        Model::Open if !shared.releasing.swap(true, Ordering::SeqCst) => {
            arrivals::release(shared.clone(), user.client.clone(), t0).await;
        }
        // The arrivals were all released; the clock ends the run.
        Model::Open => tokio::time::sleep(POLL).await,
    }
}

/// One pass through a journey. In the open model the first request's latency counts
/// from the scheduled arrival (coordinated-omission correct), with the uncorrected
/// figure beside it. A failed request ends the iteration: later steps depend on it.
/// Returns the kind of the error that ended it, if one did.
async fn iteration(shared: &Shared, client: &mut Client<'_>, scheduled: Option<Instant>) -> Option<String> {
    #[cfg(test)]
    tests::fault(shared);
    let journey = shared.pick_journey();
    let j = shared
        .scenario
        .journeys
        .iter()
        .position(|x| std::ptr::eq(x, journey))
        .unwrap_or(0);
    let rows: Vec<Option<&[String]>> = (0..shared.scenario.feeders.len())
        .map(|f| journey.feeders.contains(&f).then(|| shared.next_row(f)))
        .collect();
    let mut vars: Vec<Option<String>> = vec![None; journey.vars.len()];
    for (k, request) in journey.requests.iter().enumerate() {
        let sent = Instant::now();
        let error = send(shared, client, shared.first_request[j] + k, &rows, &mut vars).await;
        let done = Instant::now();
        let start = if k == 0 { scheduled.unwrap_or(sent) } else { sent };
        // How late the generator started this arrival: its own lag, not the target's.
        let lag_us = scheduled
            .filter(|_| k == 0)
            .map(|at| micros(sent.saturating_duration_since(at)));
        let _ = shared.events.send(Event::Response {
            request: shared.first_request[j] + k,
            done,
            latency_us: micros(done - start),
            uncorrected_us: scheduled.map(|_| micros(done - sent)),
            lag_us,
            error: error.clone(),
        });
        if error.is_some() {
            return error;
        }
        if let Some((lo, hi)) = request.think {
            let pause = if hi > lo { rand::rng().random_range(lo..=hi) } else { lo };
            think(shared, pause).await;
        }
    }
    None
}

/// Runs a user's turn; a turn that panics would die silently under goose and leave a
/// run that looks complete: it stops the run, which fails with the panic (None).
async fn guarded<T>(shared: &Shared, turn: impl Future<Output = T>) -> Option<T> {
    match AssertUnwindSafe(turn).catch_unwind().await {
        Ok(done) => Some(done),
        Err(panic) => {
            shared.user_panicked(panic_message(panic.as_ref()));
            None
        }
    }
}

/// After a refused connection a closed-model user pauses, 10 ms doubling to 1 s while
/// refusals continue, so a dead target gets a trickle of attempts, not a storm.
async fn back_off(shared: &Shared, user: usize, refused: bool) {
    let Some(count) = shared.refusals.get(user) else { return };
    if !refused {
        count.store(0, Ordering::Relaxed);
        return;
    }
    let k = count.fetch_add(1, Ordering::Relaxed).min(20);
    shared.backoffs.fetch_add(1, Ordering::Relaxed);
    think(shared, (BACKOFF_FIRST * 2u32.pow(k)).min(BACKOFF_MOST)).await;
}

/// Resolves `STOP_GRACE` after the load was told to stop.
async fn stopped_then_grace(shared: &Shared) {
    while !(shared.stopping() || told_to_stop()) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(STOP_GRACE).await;
}

async fn think(shared: &Shared, pause: Duration) {
    let until = Instant::now() + pause;
    while !shared.stopping() {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        tokio::time::sleep(left.min(POLL)).await;
    }
}

fn micros(d: Duration) -> u64 {
    d.as_micros().min(u64::MAX as u128) as u64
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A panic's message, when it carries one.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

fn assemble(scenario: &Scenario, shared: &Shared, measured: Measured, started_at: String) -> RunResult {
    let (status, reason) = match shared.stop.load(Ordering::SeqCst) {
        PLAN_DONE => (RunStatus::Completed, None),
        MAX_DURATION => (RunStatus::MaxDuration, Some("guard: max_duration reached".to_string())),
        GUARD => (RunStatus::Aborted, measured.aborted_by.clone()),
        USER_PANICKED => (
            RunStatus::Failed,
            Some(format!(
                "a user's task panicked: {}",
                shared.panicked.get().map_or("(no message)", String::as_str)
            )),
        ),
        _ => (
            RunStatus::Interrupted,
            Some("interrupted by a signal (Ctrl-C, SIGTERM or SIGHUP)".to_string()),
        ),
    };
    let backoffs = shared.backoffs.load(Ordering::Relaxed);
    let notes = (backoffs > 0)
        .then(|| {
            format!(
                "users paused {backoffs} times after refused connections (10 ms, doubling to 1 s while refusals \
                 continued)"
            )
        })
        .into_iter()
        .collect();
    let duration_s = shared.t0.get().map(|t0| t0.elapsed().as_secs_f64()).unwrap_or(0.0);
    let slo_passed = crate::results::slo_passed(&measured.overall, &measured.steps);
    RunResult {
        schema_version: SCHEMA_VERSION,
        scenario: scenario.name.clone(),
        target: scenario.redact(&shared.base),
        started_at,
        ended_at: now_rfc3339(),
        duration_s,
        model: scenario.load.model,
        pool_users: measured.pool_reached.unwrap_or(scenario.load.pool.max),
        pool_max: (scenario.load.model == Model::Open).then_some(scenario.load.pool.max),
        seed: (scenario.load.model == Model::Open).then_some(shared.seed),
        arrivals: (scenario.load.model == Model::Open).then_some(scenario.load.arrivals),
        status,
        end_reason: reason,
        slo: scenario.slo.clone(),
        slo_passed,
        steps: measured
            .steps
            .into_iter()
            .filter(|s| s.duration_s > 0.0 || s.window.requests > 0)
            .collect(),
        overall: measured.overall,
        timeline: measured.timeline,
        shard: None,
        scheduled_start: None,
        plan_signature: plan_signature(&scenario.load),
        merged: None,
        notes,
        search: None,
    }
}

/// The plan's model and timing: shards of one test share it whatever their shares.
pub fn plan_signature(plan: &LoadPlan) -> String {
    let phases: Vec<String> = plan
        .phases
        .iter()
        .map(|p| format!("{}+{}", p.ramp.as_millis(), p.hold.as_millis()))
        .collect();
    format!("{:?}:{}", plan.model, phases.join(",")).to_lowercase()
}

#[cfg(test)]
mod tests;
