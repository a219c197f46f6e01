//! headroom-forecast: the models and the workflows that join them. Pure functions, no
//! I/O, no clocks.
//!
//! Three families, and the review that joins them:
//! - `capacity`: how much one service takes. The Universal Scalability Law and its fit
//!   (`capacity::usl`), queueing closed forms (`capacity::queueing`), the M/G/c
//!   simulation (`capacity::mgc`), the per-instance model (`capacity::instance`), the
//!   load-test points it is fitted to (`capacity::point`), the saturation limits and
//!   limits.json (`capacity::limits`) and the peak-event plan and plan.json
//!   (`capacity::plan`).
//! - `ts`: when demand runs out of it. Regularising utilisation history, spikes, level
//!   shifts and trend changes, the yearly season, the method's choice by backtest,
//!   intervals calibrated on backtests as long as the horizon,
//!   peaks, the runway, and the forecast workflow that writes summary.json's types.
//! - `rightsize`: what to run. Fleet recommendations, savings and risk flags
//!   (`rightsize::fleet_report`), the policy, and Kubernetes containers
//!   (`rightsize::containers`).
//! - `review`: the quarterly capacity review of a portfolio: every service's capacity,
//!   forecast peak, dates against the lead time, status, planned count and cost, and
//!   the previous review's forecast scored.
//!
//! It reads load-test results only as `headroom-loadgen`'s types (the run.json a
//! `Point` is made from, the one latency `Objective`); it does not read files, query
//! servers or run load: the CLI hands it numbers, and `headroom-reports` draws and
//! prints what it returns. `linalg` (3x3 solves) and `stats` (sample quantiles) are
//! private.

pub mod capacity;
mod linalg;
pub mod review;
pub mod rightsize;
mod stats;
pub mod ts;
