//! Arrivals handed from the releasing task to the open model's idle users, the most
//! recently freed user first: a pool grown past what the load needs (after a stall)
//! keeps serving from the few users whose connections and buffers are warm, and the
//! rest sit idle, rather than every arrival going to the coldest user in turn. An
//! arrival no idle user is waiting for waits in a backlog the next user freed takes.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::oneshot;

#[derive(Default)]
pub(super) struct Handoff {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Idle users, each waiting on its own seat; the last pushed is the warmest.
    idle: Vec<oneshot::Sender<Instant>>,
    /// Arrivals given while no idle user was waiting, oldest first.
    backlog: VecDeque<Instant>,
    closed: bool,
}

impl Handoff {
    /// Gives a scheduled arrival to the warmest idle user, or to the backlog.
    pub fn give(&self, mut at: Instant) {
        loop {
            let seat = {
                let mut state = self.state.lock().expect("hand-off state");
                match state.idle.pop() {
                    Some(seat) => seat,
                    None => return state.backlog.push_back(at),
                }
            };
            // A user whose wait was cancelled (its task ended) left a closed seat.
            match seat.send(at) {
                Ok(()) => return,
                Err(returned) => at = returned,
            }
        }
    }

    /// A free user's next arrival: the backlog's oldest, else the next one given;
    /// None once the hand-off is closed and its backlog empty.
    pub async fn next(&self) -> Option<Instant> {
        let seat = {
            let mut state = self.state.lock().expect("hand-off state");
            if let Some(at) = state.backlog.pop_front() {
                return Some(at);
            }
            if state.closed {
                return None;
            }
            let (seat, wait) = oneshot::channel();
            state.idle.push(seat);
            wait
        };
        seat.await.ok()
    }

    /// No more arrivals: idle users end, busy ones end once the backlog is empty.
    pub fn close(&self) {
        let mut state = self.state.lock().expect("hand-off state");
        state.closed = true;
        state.idle.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn the_most_recently_freed_user_takes_the_next_arrival() {
        let handoff = std::sync::Arc::new(Handoff::default());
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        // Users 0, 1, 2 wait in that order.
        let mut users = Vec::new();
        for _ in 0..3 {
            let h = handoff.clone();
            users.push(tokio::spawn(async move { h.next().await }));
            while handoff.state.lock().unwrap().idle.len() < users.len() {
                tokio::task::yield_now().await;
            }
        }
        handoff.give(at(1));
        assert_eq!(users.pop().unwrap().await.unwrap(), Some(at(1)), "the last to wait");
        handoff.close();
        for user in users {
            assert_eq!(user.await.unwrap(), None, "idle users end at close");
        }
    }

    #[tokio::test]
    async fn arrivals_no_user_waits_for_are_taken_oldest_first_even_after_close() {
        let handoff = Handoff::default();
        let t0 = Instant::now();
        handoff.give(t0);
        handoff.give(t0 + Duration::from_millis(1));
        handoff.close();
        assert_eq!(handoff.next().await, Some(t0));
        assert_eq!(handoff.next().await, Some(t0 + Duration::from_millis(1)));
        assert_eq!(handoff.next().await, None);
    }
}
