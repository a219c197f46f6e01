//! limits.json: parsed, then planned by the workflow `plan` calls.
#![no_main]
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::capacity::plan::{self, Demand, Request};
use headroom_forecast::rightsize::Redundancy;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = serde_json::from_slice::<LimitsFile>(data) {
        let request = Request {
            limits: &file,
            demand: Demand {
                rps: 100.0,
                base_rps: 100.0,
                multiplier: 1.0,
                source: "fuzz".into(),
            },
            objective: None,
            redundancy: Redundancy(1),
            current: Some(2),
            pricing: None,
        };
        let _ = plan::build(request);
    }
});
