//! The live progress bar of a load test: elapsed over planned seconds (a search: the
//! time so far and its step count), the step and its
//! load, achieved rps, p95, errors and drops over the last second, within 80 columns.
//! A search adds a line per step with the bracket as it narrows. Drawn on stderr,
//! hidden when stderr is not a terminal.

use headroom_loadgen::plan::Model;
use headroom_loadgen::record::Live;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Progress {
    bar: ProgressBar,
    model: Model,
    /// A search's steps completed so far (None: a fixed plan).
    search_steps: Option<AtomicUsize>,
}

impl Progress {
    /// A bar over the plan's `total_seconds`; a search, whose length nobody knows until
    /// it brackets the limit, shows the time so far and its own step count instead.
    pub fn new(total_seconds: u64, model: Model, search: bool) -> Progress {
        let bar = ProgressBar::new(total_seconds.max(1));
        let template = if search {
            "[{elapsed_precise}] {msg}"
        } else {
            "[{bar:10}] {pos}/{len}s {msg}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid template")
                .progress_chars("=> "),
        );
        Progress {
            bar,
            model,
            search_steps: search.then(|| AtomicUsize::new(0)),
        }
    }

    pub fn update(&self, live: &Live) {
        let load = self.model.level(live.level.round());
        let step = match (&self.search_steps, live.step) {
            (Some(done), Some(_)) => format!("search step {}", done.load(Ordering::Relaxed) + 1),
            (None, Some(s)) => format!("step {s}/{}", live.steps),
            (_, None) => "ending".into(),
        };
        let dropped = if live.dropped > 0 {
            format!(" {} drop/s", live.dropped)
        } else {
            String::new()
        };
        self.bar.set_position(live.elapsed.as_secs());
        self.bar.set_message(format!(
            "{step} {load}: {:.0} rps p95 {:.1} ms {} err/s{dropped}",
            live.rps, live.p95_ms, live.errors
        ));
    }

    /// A search's step: a line above the bar with the level, its verdict and the
    /// bracket as it narrows.
    pub fn search_step(&self, step: &headroom_loadgen::search::Progress) {
        if let Some(done) = &self.search_steps {
            done.store(step.step, Ordering::Relaxed);
        }
        let unit = |v: f64| self.model.level(v);
        let bracket = match (step.bracket.passing, step.bracket.failing) {
            (Some(p), Some(f)) => format!("limit between {} and {}", unit(p), unit(f)),
            (Some(p), None) => format!("limit above {}", unit(p)),
            (None, Some(f)) => format!("limit below {}", unit(f)),
            (None, None) => String::new(),
        };
        let verdict = if step.passed { "passes" } else { "FAILS" };
        self.bar.println(format!(
            "search step {}: {} {verdict}; {bracket}",
            step.step,
            unit(step.level)
        ));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
