//! Scenario YAML: parsing and validation of arbitrary text end in Ok or Err, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = headroom_loadgen::scenario::load_str(text, std::path::Path::new("fuzz.yaml"), &|_| None);
    }
});
