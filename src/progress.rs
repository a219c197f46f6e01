//! The live progress bar of a load test: elapsed over planned seconds, the step and its
//! load, achieved rps, p95, errors and drops over the last second, within 80 columns.
//! A search adds a line per step with the bracket as it narrows. Drawn on stderr,
//! hidden when stderr is not a terminal.

use headroom_loadgen::plan::Model;
use headroom_loadgen::record::Live;
use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    bar: ProgressBar,
    model: Model,
}

impl Progress {
    pub fn new(total_seconds: u64, model: Model) -> Progress {
        let bar = ProgressBar::new(total_seconds.max(1));
        bar.set_style(
            ProgressStyle::with_template("[{bar:10}] {pos}/{len}s {msg}")
                .expect("valid template")
                .progress_chars("=> "),
        );
        Progress { bar, model }
    }

    pub fn update(&self, live: &Live) {
        let load = self.model.level(live.level.round());
        let step = live
            .step
            .map(|s| format!("step {s}/{}", live.steps))
            .unwrap_or_else(|| "ending".into());
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
