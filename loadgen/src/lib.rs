//! headroom-loadgen: everything about generating load and measuring it, and the
//! vocabulary every other crate speaks.
//!
//! Owns the scenario file model and its validation (`scenario`), the load plan and the
//! load level that spells its unit (`plan`, with the open model's arrival times), SLOs,
//! the one latency `Objective` and guards (`slo`), the goose driver with the open
//! model's arrivals released inside the runtime and sent over its users' own
//! connections (`engine`), the saturation search that
//! runs it step by step (`search`), the open model's pool of users (`dispatch`),
//! measurement, the steady-state test and where the CPU went in a late step (`record`)
//! and its live Prometheus exposition (`metrics`), the run.json types and a
//! run's verdict (`results`), sharding across processes and merging (`shard`, `merge`),
//! result files' schema versions checked on every read (`schema`), two runs compared
//! for a regression (`compare`), the simulated target server
//! (`target`, which writes its access log when asked), scenario errors with file and
//! line (`error`) and humane units: durations, percentages, fractions, timestamps,
//! dates, bytes and counted nouns (`units`).
//!
//! It does not fit models, draw charts or write result files: the CLI decides where
//! results go, `headroom-forecast` fits them and `headroom-reports` draws them.

pub mod compare;
pub mod dispatch;
pub mod engine;
pub mod error;
pub mod merge;
pub mod metrics;
pub mod plan;
pub mod record;
pub mod results;
pub mod scenario;
pub mod schema;
pub mod search;
pub mod shard;
pub mod slo;
pub mod target;
pub mod units;

pub use engine::run;
pub use error::{ScenarioError, ScenarioErrors};
pub use results::RunResult;
pub use scenario::Scenario;
