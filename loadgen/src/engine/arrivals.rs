//! The open model's arrivals, released inside the runtime: one task walks the plan's
//! arrival times, sleeps to the microsecond until the next is due (`timer`, at most
//! every `TICK`), and hands each to the pool (`handoff`: the most recently freed user,
//! or a backlog the next user freed takes). Past the pool's maximum an arrival is
//! counted dropped. A late wake-up releases every arrival due by then together, each
//! still timed from its own schedule.
//!
//! The pool grows by one user per release while arrivals wait with no user to come
//! for them, and only while the generator is on time: when it is behind, busy users
//! may only be waiting for its CPU, and new users (each opening a connection) would
//! deepen the stall that made them look needed. Growing by every waiting arrival at
//! once tipped a core at 40,000/s into a pool of 10,000 users; one per release (up to
//! 4,000 users a second) holds it. Per arrival nothing crosses threads: no lock held
//! across a wait, no futex, no scan, no task spawned once the pool has grown.

use super::client::{Client, Connection};
use super::handoff::Handoff;
use super::timer::PreciseSleep;
use super::{guarded, iteration, Shared, POLL};
use crate::dispatch::Offer;
use crate::plan::ArrivalClock;
use crate::record::{Event, LATE};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The shortest sleep between releases: arrivals due within it go out together, each
/// timed from its own schedule (so up to this late for the generator's part). Shorter
/// ticks cost more than they gain: at 40,000/s on one core 50 µs took 22 µs of CPU a
/// request and tipped over now and then, 250 µs 15.5 µs and held; 500 µs added 0.2 ms
/// to every median for little more.
const TICK: Duration = Duration::from_micros(250);

/// Releases the plan's arrivals from `t0` until its end or a stop; its users end
/// when it does.
pub(super) async fn release(shared: Arc<Shared>, pooled: reqwest::Client, t0: Instant) {
    let (end, _) = shared.end();
    let pool = Arc::new(Handoff::default());
    let _closes = Closes(&pool);
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
            // keeps a high rate's wake-ups batched.
            sleep.sleep((due - now).clamp(TICK, POLL)).await;
            continue;
        }
        let on_time = now - due <= LATE;
        while let Some(at) = next.filter(|at| *at <= now) {
            offer(&shared, &pool, t0 + at);
            next = arrivals.next();
        }
        if shared.dispatch.wanting() > 0 && (on_time || shared.dispatch.started() == 0) {
            shared.dispatch.grow();
            tokio::spawn(user(shared.clone(), pooled.clone(), pool.clone()));
        }
    }
}

/// Offers one arrival to the pool; it is filed before its responses can be.
fn offer(shared: &Shared, pool: &Handoff, scheduled: Instant) {
    let file = |event| {
        let _ = shared.events.send(event);
    };
    match shared.dispatch.offer() {
        Offer::Served { pool: size } | Offer::Waits { pool: size } => {
            file(Event::Arrival {
                at: scheduled,
                pool: size,
            });
            pool.give(scheduled);
        }
        Offer::Dropped { pool: size } => file(Event::Dropped {
            at: scheduled,
            pool: size,
        }),
    }
}

/// Closes the hand-off however the release ends.
struct Closes<'a>(&'a Handoff);

impl Drop for Closes<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// A user of the pool: runs each arrival it is handed until the hand-off closes; on a
/// plain-HTTP target over a connection of its own, else through goose's pooled client.
async fn user(shared: Arc<Shared>, pooled: reqwest::Client, pool: Arc<Handoff>) {
    let mut own = shared
        .origin
        .clone()
        .map(|origin| Connection::new(origin, pooled.clone()));
    let mut client = match &mut own {
        Some(connection) => Client::Own(connection),
        None => Client::Pooled(&pooled),
    };
    while let Some(at) = pool.next().await {
        guarded(&shared, iteration(&shared, &mut client, Some(at))).await;
        shared.dispatch.done();
    }
}
