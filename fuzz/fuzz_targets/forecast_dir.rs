//! A forecast directory as `report --forecast` reads it: the input is summary.json,
//! forecast.csv and history.csv separated by NUL bytes; what parses is drawn into a
//! report, where a non-finite figure once hung the charts.
#![no_main]
use headroom_reports::document::{self, Inputs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let (summary, forecast, history) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default(), parts.next());
    let dir = std::path::Path::new("forecast");
    if let Ok(forecast) = headroom::read::forecast_dir::parse_forecast_dir(summary, forecast, history, dir) {
        let inputs = Inputs {
            forecast: Some(forecast),
            ..Default::default()
        };
        let _ = document::build(&inputs);
    }
});
