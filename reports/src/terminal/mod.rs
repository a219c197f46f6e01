//! The terminal: what each command prints when it is not asked for `--json`, one file
//! per result type beside the report's HTML and Markdown. Plain text, names made safe
//! for a terminal by `safe::terminal`.
//!
//! - `run`: a run's step table and verdict (run, merge).
//! - `limits`: a limits.json (fit).
//! - `forecast`: a forecast summary and a backtest table (forecast).
//! - `plan`: a plan and a plan checked against its verifying run (plan).
//! - `rightsize`, `containers`: a fleet's and Kubernetes containers' recommendations.
//! - `review`: a portfolio review, most at risk first (review).

pub mod containers;
pub mod forecast;
pub mod limits;
pub mod plan;
pub mod review;
pub mod rightsize;
pub mod run;
