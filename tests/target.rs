//! `headroom target` when clients leave: a request whose client closes its connection
//! (in service or still queued) lowers the gauges it raised, and the worker it held
//! stays busy until the end of the service it was committed to, so capacity stays C/S.
//! (A load test's step that ends with requests in flight closes their connections.)

mod common;
use common::*;
use std::time::{Duration, Instant};

#[test]
fn clients_that_leave_give_back_the_gauges_and_not_the_workers_committed_time() {
    let _serial = serial();
    // One worker, 200 ms a request: the first request is served, two wait.
    let service = Duration::from_millis(200);
    let target = Target::start(1, "200ms", "const");
    let t0 = Instant::now();
    let leaving: Vec<_> = (0..3)
        .map(|_| send_get(&target.url, "/", false).expect("connect to the target"))
        .collect();
    let gauges = || {
        (
            target_metric(&target.url, "busy_workers"),
            target_metric(&target.url, "queue_length"),
        )
    };
    assert!(
        wait_for(Duration::from_secs(5), || gauges() == (1.0, 2.0)),
        "one served and two queued, found {:?}",
        gauges()
    );
    drop(leaving);
    assert!(
        wait_for(Duration::from_secs(5), || gauges() == (0.0, 0.0)),
        "gauges after the clients left: {:?}",
        gauges()
    );
    // The one worker was committed to the first request until t0 + 200 ms at the
    // earliest: the next request ends one service time after that.
    let answer = get(&target.url, "/").expect("the target answers");
    let elapsed = t0.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        elapsed >= 2 * service,
        "the next request ended {elapsed:?} after the first was sent; expected at least {:?}, the worker \
         being committed to the first until 200 ms",
        2 * service
    );
    assert_eq!(target_metric(&target.url, "requests_total"), 1.0);
}
