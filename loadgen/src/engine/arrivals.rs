//! The open model's arrivals, released inside the runtime: one task walks the plan's
//! arrival times, sleeps to the microsecond until the next is due (`timer`), and hands
//! each to a free user of the pool through a queue idle users wait on, starting a new
//! user when none is free (up to the pool's maximum; past it the arrival is counted
//! dropped). A late wake-up releases every arrival due by then together, each still
//! timed from its own schedule. Per arrival nothing crosses threads: no lock held
//! across a wait, no futex, no scan, no task spawned once the pool has grown.

use super::timer::PreciseSleep;
use super::{guarded, iteration, Shared, POLL};
use crate::dispatch::Offer;
use crate::plan::ArrivalClock;
use crate::record::Event;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The shortest sleep between releases: arrivals due within it go out together, each
/// timed from its own schedule (at most this late for the generator's part).
const TICK: Duration = Duration::from_micros(50);

/// Releases the plan's arrivals from `t0` until its end or a stop; its users end
/// when it does (the queue closes).
pub(super) async fn release(shared: Arc<Shared>, client: reqwest::Client, t0: Instant) {
    let (end, _) = shared.end();
    let (queue, idle) = flume::unbounded::<Instant>();
    let mut sleep = PreciseSleep::new();
    let mut arrivals = ArrivalClock::new(shared.plan(), shared.seed).take_while(|at| *at < end);
    let mut next = arrivals.next();
    while let Some(due) = next {
        if shared.stopping() {
            return;
        }
        let now = t0.elapsed();
        if due > now {
            // Waking at least every POLL sees a stop promptly, and at most every TICK
            // keeps a high rate's wake-ups (three system calls each) batched.
            sleep.sleep((due - now).clamp(TICK, POLL)).await;
            continue;
        }
        while let Some(at) = next.filter(|at| *at <= now) {
            let scheduled = t0 + at;
            // Each arrival is filed before its responses can be.
            let file = |event| {
                let _ = shared.events.send(event);
            };
            match shared.dispatch.offer() {
                Offer::Served { pool } => {
                    file(Event::Arrival { at: scheduled, pool });
                    let _ = queue.send(scheduled);
                }
                Offer::Grew { pool } => {
                    file(Event::Arrival { at: scheduled, pool });
                    tokio::spawn(user(shared.clone(), client.clone(), scheduled, idle.clone()));
                }
                Offer::Dropped { pool } => file(Event::Dropped { at: scheduled, pool }),
            }
            next = arrivals.next();
        }
    }
}

/// A user of the pool: runs the arrival it was started for, then each one it takes
/// from the queue, until the queue closes.
async fn user(shared: Arc<Shared>, client: reqwest::Client, first: Instant, idle: flume::Receiver<Instant>) {
    let mut scheduled = Some(first);
    while let Some(at) = scheduled {
        guarded(&shared, iteration(&shared, &client, Some(at))).await;
        shared.dispatch.done();
        scheduled = idle.recv_async().await.ok();
    }
}
