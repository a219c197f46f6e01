//! The headroom CLI's reusable parts: readers for the inputs other tools produce
//! (utilisation history as CSV or Prometheus JSON). The commands themselves live in
//! the binary (`main.rs`, `commands/`).

pub mod fleet;
pub mod input;
