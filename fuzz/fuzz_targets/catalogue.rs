//! Price catalogue CSV, as `rightsize` and `plan --catalog` read it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = headroom::read::fleet::parse_catalogue(data, std::path::Path::new("prices.csv"));
});
