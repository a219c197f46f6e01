//! The headroom CLI's reusable parts: readers for the inputs other tools produce
//! (utilisation history as CSV or Prometheus JSON, fleet utilisation and the price
//! catalogue, Kubernetes containers' utilisation from Prometheus) and for a forecast
//! directory read back. The commands themselves live in
//! the binary (`main.rs`, `commands/`).

pub mod fleet;
pub mod forecast_dir;
pub mod input;
pub mod kubernetes;
