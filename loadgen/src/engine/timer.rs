//! A sleep precise to microseconds inside the runtime, for releasing the open model's
//! arrivals: tokio's timer wheel rounds every deadline up to the next millisecond, too
//! coarse for arrivals 25 µs apart. On Linux it is a timerfd registered with the
//! runtime's reactor, so the wake-up arrives as an I/O event on the worker that waits
//! (no thread of its own, no cross-thread wake); elsewhere it is tokio's sleep.

use std::time::Duration;

#[cfg(target_os = "linux")]
pub(super) use linux::PreciseSleep;

#[cfg(not(target_os = "linux"))]
pub(super) use portable::PreciseSleep;

#[cfg(target_os = "linux")]
mod linux {
    use super::Duration;
    use rustix::fd::OwnedFd;
    use rustix::time::{Itimerspec, TimerfdClockId, TimerfdFlags, TimerfdTimerFlags, Timespec};
    use std::time::Instant;
    use tokio::io::unix::AsyncFd;
    use tokio::io::Interest;

    /// The timerfd, or None where one could not be made (then tokio's sleep).
    pub struct PreciseSleep {
        timer: Option<AsyncFd<OwnedFd>>,
    }

    impl PreciseSleep {
        /// Needs a running tokio runtime with I/O enabled.
        pub fn new() -> PreciseSleep {
            let timer = rustix::time::timerfd_create(
                TimerfdClockId::Monotonic,
                TimerfdFlags::NONBLOCK | TimerfdFlags::CLOEXEC,
            )
            .ok()
            // SAFETY: an OwnedFd's raw descriptor is open, and the same, until it drops,
            // and the AsyncFd owns it for its whole life.
            .and_then(|fd| unsafe { AsyncFd::register_with_interest(fd, Interest::READABLE) }.ok());
            PreciseSleep { timer }
        }

        /// Resolves `wait` from now (at once when it is zero).
        pub async fn sleep(&mut self, wait: Duration) {
            if wait.is_zero() {
                return;
            }
            let Some(timer) = &self.timer else {
                return tokio::time::sleep(wait).await;
            };
            let zero = Timespec { tv_sec: 0, tv_nsec: 0 };
            let value = Timespec::try_from(wait).unwrap_or(Timespec {
                tv_sec: i64::MAX,
                tv_nsec: 0,
            });
            let once = Itimerspec {
                it_interval: zero,
                it_value: value,
            };
            let deadline = Instant::now() + wait;
            if rustix::time::timerfd_settime(timer.get_ref(), TimerfdTimerFlags::empty(), &once).is_err() {
                return tokio::time::sleep(wait).await;
            }
            // Setting the timer zeroes its expiry count, and each expiry is a new edge for
            // the reactor: no read of the count is needed, only the readiness cleared.
            // The clock (the timer's own, CLOCK_MONOTONIC) says whether it was this one.
            loop {
                let Ok(mut ready) = timer.readable().await else {
                    return tokio::time::sleep(deadline.saturating_duration_since(Instant::now())).await;
                };
                ready.clear_ready();
                if Instant::now() >= deadline {
                    return;
                }
            }
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod portable {
    use super::Duration;

    pub struct PreciseSleep;

    impl PreciseSleep {
        pub fn new() -> PreciseSleep {
            PreciseSleep
        }

        pub async fn sleep(&mut self, wait: Duration) {
            tokio::time::sleep(wait).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// tokio's own sleep would overshoot a 200 µs wait by up to a millisecond, every time.
    #[test]
    #[cfg(target_os = "linux")]
    fn sleeps_end_within_a_fraction_of_a_millisecond() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut timer = PreciseSleep::new();
            let wait = Duration::from_micros(200);
            let mut overshoot: Vec<Duration> = Vec::new();
            for _ in 0..200 {
                let start = Instant::now();
                timer.sleep(wait).await;
                let took = start.elapsed();
                assert!(took >= wait, "woke early: {took:?}");
                overshoot.push(took - wait);
            }
            overshoot.sort();
            // The median is what the timer does; the tail is this machine's scheduling.
            let median = overshoot[overshoot.len() / 2];
            assert!(median < Duration::from_micros(300), "median overshoot {median:?}");
        });
    }
}
