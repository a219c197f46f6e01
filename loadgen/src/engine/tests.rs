//! The driver under a fault no input can cause any more: a user's task that panics.

use super::*;
use crate::target::{serve_in_background, ServiceDist, TargetConfig};
use std::path::Path;

/// Set by the test: the next user turn panics, once.
static PANIC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

pub(super) fn fault(_shared: &Shared) {
    if PANIC.swap(false, Ordering::SeqCst) {
        panic!("injected by the test");
    }
}

/// Both models: a closed user's turn, and an open arrival's task of its own.
#[test]
fn a_panicking_user_task_fails_the_run_and_says_why() {
    let url = serve_in_background(TargetConfig {
        workers: 2,
        service_time: Duration::from_millis(1),
        dist: ServiceDist::Const,
    })
    .unwrap();
    for load in ["{stages: [{users: 2, hold: 30s}]}", "{stages: [{rate: 50, hold: 30s}]}"] {
        let yaml = format!("name: p\njourneys: [{{name: j, steps: [{{get: /}}]}}]\nload: {load}\n");
        let scenario = crate::scenario::load_str(&yaml, Path::new("p.yaml"), &|_| None).unwrap();
        PANIC.store(true, Ordering::SeqCst);
        let started = Instant::now();
        let result = run(&scenario, &url, &RunOptions::default(), |_| {}).unwrap();
        // Stopped at once, not after the 30 s hold, and judged a failure with the reason.
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{load}: {:?}",
            started.elapsed()
        );
        assert_eq!(result.status, RunStatus::Failed, "{load}");
        let reason = result.end_reason.clone().unwrap_or_default();
        assert!(
            reason.contains("panicked") && reason.contains("injected by the test"),
            "{load}: {reason}"
        );
        assert!(!result.passed());
    }
}
