//! Signals: the first Ctrl-C, SIGTERM or SIGHUP (and every later one) stops the load
//! and keeps what was measured.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the first Ctrl-C, SIGTERM or SIGHUP, and never cleared.
static SIGNALLED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C, SIGTERM and SIGHUP stop the load and keep what was measured, the first and
/// every later one alike: none exits the process. (One handler per process: goose's
/// own, which exits on a second Ctrl-C and prints on stdout, then fails to install.)
pub(super) fn catch_signals() {
    let _ = ctrlc::set_handler(|| {
        SIGNALLED.store(true, Ordering::SeqCst);
        goose::trigger_killswitch("signal received");
    });
}

/// Whether a signal or goose's killswitch asked the load to stop.
pub(super) fn told_to_stop() -> bool {
    SIGNALLED.load(Ordering::SeqCst) || goose::is_killswitch_triggered()
}
