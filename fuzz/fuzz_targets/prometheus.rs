//! A saved Prometheus query_range response: parsed, then regularised.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(histories) = headroom::read::history::parse_prometheus(text, "fuzz.json") {
            for (_, samples) in histories {
                let _ = headroom_forecast::ts::regular::regularise(&samples, None);
            }
        }
    }
});
