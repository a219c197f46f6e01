//! How much one service can take, from its load tests.
//!
//! - `point`: one measured step (`Point`, `LoadKind`), the input of every fit, made from
//!   a run.json step by `Point::from_step`.
//! - `usl`: the Universal Scalability Law and its least-squares fit.
//! - `queueing`: closed forms (M/M/1, M/M/c with Erlang B and C, M/G/1): which open
//!   steps met no queue, and the published truths the simulation and fits are checked
//!   against.
//! - `mgc`: the FIFO M/G/c simulation with a measured service distribution.
//! - `instance`: the per-instance queueing model fitted to the points.
//! - `limits`: the peak, knee, SLO limits and safe operating point (limits.json).
//! - `plan`: instances, latency and cost for a peak event (plan.json), and a plan
//!   checked against the run that verified it.
//!
//! It does not forecast demand (`ts`) or price fleets (`rightsize`).

pub mod instance;
pub mod limits;
pub mod mgc;
pub mod plan;
pub mod point;
pub mod queueing;
pub mod usl;
