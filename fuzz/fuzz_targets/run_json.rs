//! run.json: parsed, every histogram decoded, its steps made points and the run judged,
//! as `fit`, `merge` and `run` do.
#![no_main]
use headroom_forecast::capacity::point::Point;
use headroom_loadgen::results::{decode_histogram, RunResult};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(run) = serde_json::from_slice::<RunResult>(data) {
        for step in &run.steps {
            let _ = decode_histogram(&step.window.histogram);
            let _ = Point::from_step(step);
            let _ = step.passes(run.model);
        }
        let _ = decode_histogram(&run.overall.histogram);
        let _ = run.passed();
    }
});
