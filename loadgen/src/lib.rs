//! headroom-loadgen: everything about generating load and measuring it.
//!
//! Owns the scenario file model and its validation (`scenario`), the load plan
//! (`plan`), SLOs and guards (`slo`), the goose driver (`engine`), measurement
//! (`record`), the run.json types (`results`) and the simulated target server
//! (`target`) and sharding across processes (`shard`). It does not fit models, draw charts or write files: the CLI decides
//! where results go, `headroom-forecast` fits them and `headroom-reports` draws them.

pub mod engine;
pub mod error;
pub mod merge;
pub mod plan;
pub mod record;
pub mod results;
pub mod scenario;
pub mod shard;
pub mod slo;
pub mod target;
pub mod units;

pub use engine::run;
pub use error::{ScenarioError, ScenarioErrors};
pub use results::RunResult;
pub use scenario::Scenario;
