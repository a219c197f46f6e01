//! The open model's pool of users, as k6's `preAllocatedVUs`/`maxVUs` behave: an
//! arrival is served when a user of the pool is free; when none is, it waits for a
//! user and the pool grows by one for it (up to its maximum; the releasing task says
//! when, see `engine::arrivals`); only an arrival that finds `max` arrivals in progress
//! (each served, or waiting for its user) is dropped. Users are started lazily, as the
//! pool grows; taking and returning one is an atomic count, O(1). The pool's size is
//! the users started (never below its start).

use crate::plan::Pool;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What became of an arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// A free user takes it; the pool's size.
    Served { pool: usize },
    /// No user was free: it waits for one, and the pool may grow for it; its size.
    Waits { pool: usize },
    /// `max` arrivals were already in progress.
    Dropped { pool: usize },
}

pub struct Dispatcher {
    max: usize,
    start: usize,
    /// Arrivals in progress: in a user's iteration, or waiting for a user.
    busy: AtomicUsize,
    /// Users started so far.
    started: AtomicUsize,
}

impl Dispatcher {
    pub fn new(pool: Pool) -> Dispatcher {
        let max = pool.max.max(1);
        Dispatcher {
            max,
            start: pool.start.clamp(1, max),
            busy: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
        }
    }

    /// The pool's size as reported: the users started, never below its start.
    fn size(&self) -> usize {
        self.started.load(Ordering::Acquire).max(self.start)
    }

    /// Takes a free user for an arrival, or has it wait for one, or drops it.
    /// Arrivals are offered by one task at a time (the one releasing them).
    pub fn offer(&self) -> Offer {
        let taken = self.busy.fetch_update(Ordering::AcqRel, Ordering::Acquire, |busy| {
            (busy < self.max).then_some(busy + 1)
        });
        match taken {
            Err(_) => Offer::Dropped { pool: self.size() },
            // Fewer busy than started: a started user is free (or freeing itself).
            Ok(before) if before < self.started.load(Ordering::Acquire) => Offer::Served { pool: self.size() },
            Ok(_) => Offer::Waits { pool: self.size() },
        }
    }

    /// Arrivals waiting with no user to come for them: the users the pool lacks.
    pub fn wanting(&self) -> usize {
        self.busy
            .load(Ordering::Acquire)
            .saturating_sub(self.started.load(Ordering::Acquire))
    }

    /// Users started so far.
    pub fn started(&self) -> usize {
        self.started.load(Ordering::Acquire)
    }

    /// The pool grows by one user; its size after.
    pub fn grow(&self) -> usize {
        self.started.fetch_add(1, Ordering::AcqRel);
        self.size()
    }

    /// A user finished its iteration and is free for the next arrival.
    pub fn done(&self) {
        let _ = self
            .busy
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |busy| busy.checked_sub(1));
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
        // Users start as arrivals need them; the pool reports at least its start.
        assert_eq!(d.offer(), Offer::Waits { pool: 2 });
        assert_eq!((d.wanting(), d.grow()), (1, 2));
        assert_eq!(d.offer(), Offer::Waits { pool: 2 });
        assert_eq!((d.wanting(), d.grow()), (1, 2));
        assert_eq!(d.offer(), Offer::Waits { pool: 2 });
        assert_eq!((d.wanting(), d.grow()), (1, 3));
        assert_eq!(d.offer(), Offer::Dropped { pool: 3 });
        d.done();
        assert_eq!(d.offer(), Offer::Served { pool: 3 });
        assert_eq!(d.offer(), Offer::Dropped { pool: 3 });
    }

    #[test]
    fn arrivals_waiting_for_users_that_have_not_started_count_against_the_maximum() {
        let d = Dispatcher::new(pool(1, 3));
        // Growth put off (the generator behind): three arrivals wait, the fourth is dropped.
        (0..3).for_each(|_| assert!(matches!(d.offer(), Offer::Waits { .. })));
        assert_eq!(d.wanting(), 3);
        assert_eq!(d.offer(), Offer::Dropped { pool: 1 });
    }

    #[test]
    fn the_pool_grows_to_the_most_users_busy_at_once_not_to_the_arrivals() {
        let d = Dispatcher::new(pool(1, 100));
        // A thousand arrivals, each done before the next: one user serves them all.
        assert_eq!(d.offer(), Offer::Waits { pool: 1 });
        d.grow();
        d.done();
        for _ in 0..1000 {
            assert_eq!(d.offer(), Offer::Served { pool: 1 });
            d.done();
        }
        // Then five at once: four more users start, and stay once they are done.
        assert_eq!(d.offer(), Offer::Served { pool: 1 });
        for k in 2..=5 {
            assert_eq!(d.offer(), Offer::Waits { pool: k - 1 });
            assert_eq!(d.grow(), k);
        }
        assert_eq!(d.wanting(), 0);
        (0..5).for_each(|_| d.done());
        assert_eq!(d.offer(), Offer::Served { pool: 5 });
    }
}
