//! limits.json: parsed, then a plan sized from its queueing model, as `plan` does.
#![no_main]
use headroom_forecast::capacity::limits::{LimitsFile, Objective};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<LimitsFile>(data) {
        if let Some(Ok(model)) = file.limits.instance_model.map(|m| m.checked()) {
            let objective = Objective {
                name: "p99".into(),
                percentile: 99.0,
                limit_ms: 250.0,
            };
            let _ = headroom_forecast::capacity::plan::instances_needed(&model, 100.0, &objective, 1);
        }
    }
});
