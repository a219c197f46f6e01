//! Fleet utilisation CSV against the example catalogue, as `rightsize` reads it.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("headroom-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("fleet.csv");
    if std::fs::write(&path, data).is_ok() {
        let _ = headroom::read::fleet::read_fleet(&path, &[]);
    }
});
