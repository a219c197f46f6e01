//! HAR recordings and OpenAPI documents, as `headroom import` reads them: any text
//! gives a validated scenario or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = headroom_import::import(text, "fuzz.har", &headroom_import::Options::default());
    }
});
