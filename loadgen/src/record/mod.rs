//! Measurement: one collector thread receives every response and dropped arrival over a
//! channel and files it into the step it fell in (hold only), the whole run, and a
//! one-second timeline; each second it judges the guards and reports live figures.
//! Whether a hold reached steady state is `trend`'s test; where the CPU went in a step
//! whose arrivals ran late is `cpu`'s.

mod cpu;
mod trend;
pub use trend::LatencyTrend;

use crate::metrics::LiveMetrics;
use crate::plan::{LoadPlan, Model};
use crate::results::*;
use crate::slo::{share, Guard, Slo, Window};
use hdrhistogram::Histogram;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the collector drains its channel.
const DRAIN_EVERY: Duration = Duration::from_millis(5);
/// An arrival the generator sends later than this after its schedule counts as late.
pub const LATE: Duration = Duration::from_millis(1);
/// Steps whose late arrivals exceed this share get a note: the generator, not the
/// target, limited them.
const LATE_NOTE_SHARE: f64 = 0.01;

/// What users tell the collector.
#[derive(Debug)]
pub enum Event {
    /// The plan's clock started.
    Start(Instant),
    Response {
        request: usize,
        done: Instant,
        /// From the scheduled arrival in the open model, else from the send.
        latency_us: u64,
        /// Open model: from the actual send.
        uncorrected_us: Option<u64>,
        /// Open model, first request of an iteration: how long after its scheduled
        /// arrival the generator sent it.
        lag_us: Option<u64>,
        error: Option<String>,
    },
    /// Open model: an arrival was given to a user; the pool's size after it.
    Arrival { at: Instant, pool: usize },
    /// Open model: an arrival found every user of the full pool busy.
    Dropped { at: Instant, pool: usize },
    /// The load has stopped; nothing more will come.
    Finish,
}

/// Live figures, reported once a second.
#[derive(Debug, Clone, Default)]
pub struct Live {
    pub elapsed: Duration,
    pub total: Duration,
    /// Step number from 1.
    pub step: Option<usize>,
    pub steps: usize,
    pub level: f64,
    pub rps: f64,
    pub p95_ms: f64,
    /// Requests so far; errors and drops in the last second, as rps and p95 are.
    pub requests: u64,
    pub errors: u64,
    pub dropped: u64,
}

/// Counts and histograms over one window.
#[derive(Clone)]
struct Acc {
    latency: Histogram<u64>,
    uncorrected: Option<Histogram<u64>>,
    requests: u64,
    errors: u64,
    /// Arrivals given to a user (open model).
    arrivals: u64,
    dropped: u64,
    late: u64,
    /// Users in the pool at the last arrival (open model).
    pool: Option<usize>,
    errors_by_kind: BTreeMap<String, u64>,
    /// Per request (by global index): latency, requests, errors.
    by_request: Vec<Option<(Histogram<u64>, u64, u64)>>,
    /// False for the one-second window, which needs no per-request breakdown.
    detailed: bool,
}

impl Acc {
    fn new(model: Model) -> Acc {
        Acc {
            latency: new_histogram(),
            uncorrected: (model == Model::Open).then(new_histogram),
            requests: 0,
            errors: 0,
            arrivals: 0,
            dropped: 0,
            late: 0,
            pool: None,
            errors_by_kind: BTreeMap::new(),
            by_request: Vec::new(),
            detailed: true,
        }
    }

    /// A window for the timeline and guards: totals and overall latency only.
    fn light(model: Model) -> Acc {
        Acc {
            uncorrected: None,
            detailed: false,
            ..Acc::new(model)
        }
    }

    fn add(&mut self, event: &Event) {
        match event {
            Event::Response {
                request,
                latency_us,
                uncorrected_us,
                lag_us,
                error,
                ..
            } => {
                self.requests += 1;
                self.late += u64::from(lag_us.is_some_and(|lag| u128::from(lag) > LATE.as_micros()));
                // A refused connection did no work: it has no latency to report.
                let latency = (error.as_deref() != Some("connect")).then_some((*latency_us).max(1));
                if let Some(kind) = error {
                    self.errors += 1;
                    *self.errors_by_kind.entry(kind.clone()).or_insert(0) += 1;
                }
                if let Some(v) = latency {
                    self.latency.saturating_record(v);
                    if let (Some(h), Some(u)) = (&mut self.uncorrected, uncorrected_us) {
                        h.saturating_record((*u).max(1));
                    }
                }
                if self.detailed {
                    self.add_to_request(*request, latency, error.is_some());
                }
            }
            Event::Arrival { pool, .. } => {
                self.arrivals += 1;
                self.pool = Some(*pool);
            }
            Event::Dropped { pool, .. } => {
                self.dropped += 1;
                self.pool = Some(*pool);
            }
            Event::Start(_) | Event::Finish => {}
        }
    }

    fn add_to_request(&mut self, request: usize, latency: Option<u64>, failed: bool) {
        if self.by_request.len() <= request {
            self.by_request.resize(request + 1, None);
        }
        let (histogram, requests, errors) = self.by_request[request].get_or_insert_with(|| (new_histogram(), 0, 0));
        *requests += 1;
        *errors += u64::from(failed);
        if let Some(v) = latency {
            histogram.saturating_record(v);
        }
    }

    fn result(&self, seconds: f64, names: &[String], slo: &Slo) -> WindowResult {
        let by_request = self
            .by_request
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.as_ref().map(|r| (i, r)))
            .map(|(i, (h, n, e))| {
                (
                    names[i].clone(),
                    RequestResult {
                        requests: *n,
                        errors: *e,
                        latency_ms: LatencySummary::of(h),
                        histogram: encode_histogram(h),
                    },
                )
            })
            .collect();
        WindowResult {
            requests: self.requests,
            throughput_rps: if seconds > 0.0 {
                (self.requests - self.errors) as f64 / seconds
            } else {
                0.0
            },
            arrivals: self.arrivals + self.dropped,
            dropped: self.dropped,
            late_arrivals: self.late,
            pool: self.pool,
            errors: self.errors,
            error_rate: self.error_rate(),
            errors_by_kind: self.errors_by_kind.clone(),
            latency_ms: LatencySummary::of(&self.latency),
            latency_uncorrected_ms: self.uncorrected.as_ref().map(LatencySummary::of),
            by_request,
            slo: slo.judge(self),
            histogram: encode_histogram(&self.latency),
            histogram_uncorrected: self.uncorrected.as_ref().map(encode_histogram),
        }
    }
}

impl Window for Acc {
    fn percentile_ms(&self, percentile: f64) -> f64 {
        percentile_ms(&self.latency, percentile)
    }
    fn error_rate(&self) -> f64 {
        share(self.errors, self.requests)
    }
    fn drop_rate(&self) -> f64 {
        share(self.dropped, self.arrivals + self.dropped)
    }
}

/// The collector's verdict at the end of a run.
pub struct Measured {
    pub steps: Vec<StepResult>,
    pub overall: WindowResult,
    pub timeline: Vec<TimelineRow>,
    /// The guard condition that aborted the run, if one did.
    pub aborted_by: Option<String>,
    /// Open model: the most users the pool grew to.
    pub pool_reached: Option<usize>,
}

pub struct Collector<'a> {
    plan: &'a LoadPlan,
    slo: &'a Slo,
    guard: &'a Guard,
    names: &'a [String],
    t0: Option<Instant>,
    steps: Vec<Acc>,
    overall: Acc,
    second: Acc,
    second_index: u64,
    timeline: Vec<TimelineRow>,
    /// Per step: the mean latency of each whole second of its hold, in milliseconds.
    seconds_in_hold: Vec<Vec<f64>>,
    streaks: Vec<u64>,
    aborted_by: Option<String>,
    /// Open model: the pool's size at the last arrival so far.
    last_pool: Option<usize>,
    metrics: Option<Arc<LiveMetrics>>,
    /// CPU counters at each second, to say where the CPU went when arrivals ran late.
    cpu: Vec<(Duration, cpu::CpuSample)>,
}

impl<'a> Collector<'a> {
    pub fn new(plan: &'a LoadPlan, slo: &'a Slo, guard: &'a Guard, names: &'a [String]) -> Self {
        let acc = Acc::new(plan.model);
        Collector {
            plan,
            slo,
            guard,
            names,
            t0: None,
            steps: vec![acc.clone(); plan.phases.len()],
            overall: acc,
            second: Acc::light(plan.model),
            second_index: 0,
            timeline: Vec::new(),
            seconds_in_hold: vec![Vec::new(); plan.phases.len()],
            streaks: vec![0; guard.conditions.len()],
            aborted_by: None,
            last_pool: None,
            metrics: None,
            cpu: Vec::new(),
        }
    }

    /// Keeps `metrics` up to date as events arrive and seconds pass.
    pub fn with_metrics(mut self, metrics: Option<Arc<LiveMetrics>>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Receives until every sender is gone. `on_tick` sees live figures each second;
    /// `on_abort` is called once when a guard condition has held for its duration.
    pub fn run(
        mut self,
        events: crossbeam_channel::Receiver<Event>,
        mut on_tick: impl FnMut(&Live),
        on_abort: impl Fn(&str),
    ) -> Measured {
        // Poll rather than block: a sender that finds the receiver asleep must wake it,
        // a system call per response that cost the users a fifth of their rate. The
        // channel is crossbeam's lock-free list, so senders never wait on a lock.
        loop {
            std::thread::sleep(DRAIN_EVERY);
            let finished = loop {
                match events.try_recv() {
                    Ok(Event::Finish) | Err(crossbeam_channel::TryRecvError::Disconnected) => break true,
                    Ok(event) => self.add(event),
                    Err(crossbeam_channel::TryRecvError::Empty) => break false,
                }
            };
            while self.next_tick().is_some_and(|tick| tick <= Instant::now()) && !finished {
                self.tick(&mut on_tick);
                if let Some(reason) = self.breached_guard() {
                    if self.aborted_by.is_none() {
                        on_abort(&reason);
                        self.aborted_by = Some(reason);
                    }
                }
            }
            if finished {
                if let Some(m) = &self.metrics {
                    m.plan_over();
                }
                return self.finish();
            }
        }
    }

    fn next_tick(&self) -> Option<Instant> {
        self.t0.map(|t0| t0 + Duration::from_secs(self.second_index + 1))
    }

    fn add(&mut self, event: Event) {
        let at = match &event {
            Event::Start(t0) => {
                self.t0 = Some(*t0);
                return;
            }
            Event::Response { done, .. } => *done,
            Event::Arrival { at, .. } | Event::Dropped { at, .. } => *at,
            Event::Finish => return,
        };
        if let Some(m) = &self.metrics {
            match &event {
                Event::Response {
                    request,
                    latency_us,
                    error,
                    ..
                } => m.response(*request, *latency_us, error.as_deref()),
                Event::Dropped { .. } => m.dropped(),
                _ => {}
            }
        }
        let Some(t0) = self.t0 else { return };
        if let Some(position) = self.plan.locate(at.saturating_duration_since(t0)) {
            if position.steady {
                self.steps[position.phase].add(&event);
            }
        }
        self.overall.add(&event);
        self.second.add(&event);
    }

    fn tick(&mut self, on_tick: &mut impl FnMut(&Live)) {
        let second = std::mem::replace(&mut self.second, Acc::light(self.plan.model));
        self.second_index += 1;
        let elapsed = Duration::from_secs(self.second_index);
        if self.plan.model == Model::Open {
            self.cpu.extend(cpu::CpuSample::now().map(|sample| (elapsed, sample)));
        }
        let first = self.plan.locate(elapsed - Duration::from_secs(1));
        let last = self.plan.locate(elapsed - Duration::from_millis(1));
        if let (Some(a), Some(b)) = (first, last) {
            if a == b && a.steady && !second.latency.is_empty() {
                self.seconds_in_hold[a.phase].push(second.latency.mean() / 1e3);
            }
        }
        let step = self
            .plan
            .locate(elapsed - Duration::from_millis(1))
            .map(|p| p.phase + 1);
        for (streak, condition) in self.streaks.iter_mut().zip(&self.guard.conditions) {
            let has_data = second.requests + second.dropped > 0;
            *streak = if has_data && condition.breached(&second) {
                *streak + 1
            } else {
                0
            };
        }
        let row = TimelineRow {
            t: self.second_index,
            step,
            rps: (second.requests - second.errors) as f64,
            errors: second.errors,
            dropped: second.dropped,
            p50: second.percentile_ms(50.0),
            p95: second.percentile_ms(95.0),
            p99: second.percentile_ms(99.0),
            users: self.users_at(elapsed, second.pool),
        };
        if let Some(m) = &self.metrics {
            let offered =
                (self.plan.model == Model::Open).then(|| self.plan.level_at(elapsed - Duration::from_millis(1)));
            m.second(row.users, offered, step);
        }
        on_tick(&Live {
            elapsed,
            total: self.plan.total(),
            step,
            steps: self.plan.phases.len(),
            level: self.plan.level_at(elapsed - Duration::from_millis(1)),
            rps: row.rps,
            p95_ms: row.p95,
            requests: self.overall.requests,
            errors: row.errors,
            dropped: row.dropped,
        });
        self.timeline.push(row);
    }

    /// The closed plan's users at the end of the second, or the open pool's size (kept
    /// from the last second that had an arrival).
    fn users_at(&mut self, elapsed: Duration, pool: Option<usize>) -> Option<u64> {
        match self.plan.model {
            Model::Closed => Some(self.plan.level_at(elapsed - Duration::from_millis(1)).round() as u64),
            Model::Open => {
                if pool.is_some() {
                    self.last_pool = pool;
                }
                self.last_pool.map(|p| p as u64)
            }
        }
    }

    fn breached_guard(&self) -> Option<String> {
        self.guard
            .conditions
            .iter()
            .zip(&self.streaks)
            .find(|(c, streak)| **streak >= c.sustain_seconds)
            .map(|(c, _)| format!("guard: {}", c.text))
    }

    fn finish(mut self) -> Measured {
        let end = Instant::now();
        let run_seconds = self.t0.map(|t0| end.duration_since(t0)).unwrap_or_default();
        if self.second.requests + self.second.dropped > 0 {
            self.tick(&mut |_| {});
        }
        let steps = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, acc)| {
                let phase = self.plan.phases[i];
                let hold_start = self.plan.phase_start(i) + phase.ramp;
                let measured = run_seconds.saturating_sub(hold_start).min(phase.hold).as_secs_f64();
                let (users, rate) = match self.plan.model {
                    Model::Closed => (Some(phase.level as u32), None),
                    Model::Open => (None, Some(phase.level)),
                };
                let trend = LatencyTrend::of(&self.seconds_in_hold[i]);
                let mut notes: Vec<String> = trend.iter().filter(|t| t.rising()).map(LatencyTrend::note).collect();
                let cpu = cpu::use_between(&self.cpu, hold_start, hold_start + phase.hold);
                notes.extend(generator_note(acc, phase.level, cpu));
                StepResult {
                    step: i + 1,
                    users,
                    rate,
                    start_s: hold_start.as_secs_f64(),
                    ramp_s: phase.ramp.as_secs_f64(),
                    duration_s: measured,
                    steady_state: trend.map(|t| !t.rising()),
                    notes,
                    window: acc.result(measured, self.names, self.slo),
                }
            })
            .collect();
        Measured {
            steps,
            overall: self.overall.result(run_seconds.as_secs_f64(), self.names, self.slo),
            timeline: self.timeline,
            aborted_by: self.aborted_by,
            pool_reached: self.overall.pool,
        }
    }
}

/// "The generator could not keep up" when more than 1% of a step's arrivals started
/// over a millisecond late: its percentiles then measure the generator too; where the
/// CPU went during the step says why.
fn generator_note(acc: &Acc, rate: f64, cpu: Option<cpu::CpuUse>) -> Option<String> {
    let late = share(acc.late, acc.arrivals);
    (late > LATE_NOTE_SHARE).then(|| {
        let why = cpu.map_or_else(
            || "no CPU figures on this system to say why".to_string(),
            |used| used.diagnosis(),
        );
        format!(
            "the load generator could not keep up at {rate}/s: {:.1}% of arrivals started more than 1 ms late, so \
             this step measures the generator as well as the target; {why}",
            late * 100.0
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Arrivals, Phase, Pool};

    /// 200 arrivals 5 ms apart in a 2 s hold at 100/s, one in ten sent 5 ms late.
    #[test]
    fn late_arrivals_are_counted_and_noted() {
        let plan = LoadPlan {
            model: Model::Open,
            phases: vec![Phase {
                level: 100.0,
                ramp: Duration::ZERO,
                hold: Duration::from_secs(2),
            }],
            pool: Pool { start: 1, max: 1 },
            arrivals: Arrivals::Uniform,
            seed: None,
            search: None,
        };
        let (slo, guard, names) = (Slo::default(), Guard::default(), vec!["w/a".to_string()]);
        let t0 = Instant::now() - Duration::from_secs(3);
        let (tx, rx) = crossbeam_channel::unbounded();
        tx.send(Event::Start(t0)).unwrap();
        for i in 0..200u64 {
            let at = t0 + Duration::from_millis(5 * i + 1);
            tx.send(Event::Arrival { at, pool: 1 }).unwrap();
            tx.send(Event::Response {
                request: 0,
                done: at + Duration::from_millis(1),
                latency_us: 1_000,
                uncorrected_us: Some(900),
                lag_us: Some(if i % 10 == 0 { 5_000 } else { 100 }),
                error: None,
            })
            .unwrap();
        }
        tx.send(Event::Finish).unwrap();
        let measured = Collector::new(&plan, &slo, &guard, &names).run(rx, |_| {}, |_| {});
        let step = &measured.steps[0];
        assert_eq!((step.window.arrivals, step.window.late_arrivals), (200, 20));
        assert_eq!(step.window.pool, Some(1));
        assert!(
            step.notes
                .iter()
                .any(|n| n.contains("could not keep up at 100/s: 10.0%")),
            "{:?}",
            step.notes
        );
    }
}
