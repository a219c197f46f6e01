//! run.json: parsed, and every histogram in it decoded, as `fit` and `merge` do.
#![no_main]
use headroom_loadgen::results::{decode_histogram, RunResult};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(run) = serde_json::from_slice::<RunResult>(data) {
        for step in &run.steps {
            let _ = decode_histogram(&step.window.histogram);
        }
        let _ = decode_histogram(&run.overall.histogram);
    }
});
