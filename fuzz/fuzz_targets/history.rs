//! History CSV: read, then regularised onto a grid as `headroom forecast` does.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(histories) = headroom::read::history::parse_csv(data, std::path::Path::new("fuzz.csv")) {
        for (_, samples) in histories {
            let _ = headroom_forecast::ts::regular::regularise(&samples, None);
        }
    }
});
