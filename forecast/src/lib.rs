//! headroom-forecast: the models. Pure functions, no I/O, no clocks.
//!
//! Owns the Universal Scalability Law and its fit (`usl`), queueing models (`queueing`:
//! M/M/1, M/M/c with Erlang B and C, M/G/1), the per-instance model and its M/G/c
//! simulation (`instance`, `mgc`), the saturation limits drawn from load-test points
//! (`limits`), utilisation forecasting (`ts`: regularising, spikes, level shifts and
//! trend changes, the method's choice, calibrated intervals, peaks and the runway),
//! right-sizing of fleets and of Kubernetes containers (`rightsize`) and the peak-event
//! plan (`plan`). It does not read files, query servers or run load: the CLI hands it
//! numbers, and `headroom-reports` draws what it returns.

pub mod instance;
pub mod limits;
mod linalg;
pub mod mgc;
pub mod plan;
pub mod queueing;
pub mod rightsize;
pub mod ts;
pub mod usl;
