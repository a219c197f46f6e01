//! The open model's dispatcher: hands each arrival to an idle user of the pool. Idle
//! users park on a notification that costs nothing until it fires (no polling); the
//! most recently idle user is woken first, so the users in use stay few and warm. When
//! no user is idle the pool grows by one, up to its maximum, and only an arrival that
//! finds all `max` users busy is dropped, as k6's `preAllocatedVUs`/`maxVUs` behave.

use crate::plan::Pool;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;
use tokio::sync::Notify;

/// What became of an arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// An idle user (or one the pool just grew by) took it; the pool's size after it.
    Served { pool: usize },
    /// Every user of the full pool was busy (or the run is over).
    Dropped { pool: usize },
}

pub struct Dispatcher {
    max: usize,
    state: Mutex<State>,
    /// One wake-up per user, indexed like `State::tickets`.
    wake: Vec<Notify>,
}

struct State {
    /// Idle users, most recently idle last.
    idle: Vec<usize>,
    /// Users in the pool: 0..active.
    active: usize,
    /// The scheduled arrival each user has been given and not yet taken.
    tickets: Vec<Option<Instant>>,
    closed: bool,
}

impl Dispatcher {
    pub fn new(pool: Pool) -> Dispatcher {
        let max = pool.max.max(1);
        let start = pool.start.clamp(1, max);
        Dispatcher {
            max,
            state: Mutex::new(State {
                idle: (0..start).rev().collect(),
                active: start,
                tickets: vec![None; max],
                closed: false,
            }),
            wake: (0..max).map(|_| Notify::new()).collect(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A user that panicked mid-iteration leaves the state consistent: every
        // update below is a single push, pop or assignment.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Gives the arrival scheduled at `at` to an idle user, growing the pool if none is.
    pub fn offer(&self, at: Instant) -> Offer {
        let mut state = self.state();
        if state.closed {
            return Offer::Dropped { pool: state.active };
        }
        let user = match state.idle.pop() {
            Some(user) => user,
            None if state.active < self.max => {
                state.active += 1;
                state.active - 1
            }
            None => return Offer::Dropped { pool: state.active },
        };
        state.tickets[user] = Some(at);
        let pool = state.active;
        drop(state);
        self.wake[user].notify_one();
        Offer::Served { pool }
    }

    /// Waits, at no cost, until user `user` is given an arrival; None once closed.
    pub async fn next_ticket(&self, user: usize) -> Option<Instant> {
        let wake = self.wake.get(user)?;
        loop {
            {
                let mut state = self.state();
                if state.closed {
                    return None;
                }
                if let Some(at) = state.tickets[user].take() {
                    return Some(at);
                }
            }
            // A notification sent between the check and this wait is kept as a permit.
            wake.notified().await;
        }
    }

    /// User `user` finished its iteration and can take the next arrival.
    pub fn idle(&self, user: usize) {
        let mut state = self.state();
        if user < state.active && !state.idle.contains(&user) {
            state.idle.push(user);
        }
    }

    /// Wakes every user so that none waits past the end of the run.
    pub fn close(&self) {
        self.state().closed = true;
        for wake in &self.wake {
            wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(start: usize, max: usize) -> Pool {
        Pool { start, max }
    }

    #[test]
    fn an_arrival_is_dropped_only_when_every_user_is_busy() {
        let d = Dispatcher::new(pool(2, 3));
        let now = Instant::now();
        assert_eq!(d.offer(now), Offer::Served { pool: 2 });
        assert_eq!(d.offer(now), Offer::Served { pool: 2 });
        // Both starting users busy: the pool grows to its maximum, then drops.
        assert_eq!(d.offer(now), Offer::Served { pool: 3 });
        assert_eq!(d.offer(now), Offer::Dropped { pool: 3 });
        d.idle(1);
        assert_eq!(d.offer(now), Offer::Served { pool: 3 });
        assert_eq!(d.offer(now), Offer::Dropped { pool: 3 });
    }

    #[test]
    fn the_most_recently_idle_user_is_woken_and_close_releases_everyone() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let d = std::sync::Arc::new(Dispatcher::new(pool(3, 3)));
        let at = Instant::now();
        runtime.block_on(async {
            // Users 0, 1 and 2 are idle; 0 was made idle last (it is on top).
            assert_eq!(d.offer(at), Offer::Served { pool: 3 });
            assert_eq!(d.next_ticket(0).await, Some(at));
            d.idle(0);
            d.offer(at);
            assert_eq!(d.next_ticket(0).await, Some(at));
            let waiting = {
                let d = d.clone();
                tokio::spawn(async move { d.next_ticket(2).await })
            };
            tokio::task::yield_now().await;
            d.close();
            assert_eq!(waiting.await.unwrap(), None);
            assert_eq!(
                d.offer(at),
                Offer::Dropped { pool: 3 },
                "nothing is handed out after close"
            );
        });
    }
}
