//! One module per subcommand: each parses its flags, reads its inputs (`headroom::read`),
//! calls one library workflow, writes its outputs and prints (`headroom_reports`).

pub mod compare;
pub mod containers;
pub mod demo;
pub mod fit;
pub mod forecast;
pub mod import;
pub mod merge;
pub mod plan;
pub mod report;
pub mod review;
pub mod rightsize;
pub mod run;
pub mod target;
pub mod validate;

/// Exit codes.
pub const OK: u8 = 0;
pub const FAILED: u8 = 1;
pub const BAD_INPUT: u8 = 2;

use anyhow::anyhow;
use headroom_loadgen::Scenario;
use std::path::Path;

/// Loads and validates a scenario, turning its errors into one message.
pub fn load_scenario(path: &Path) -> anyhow::Result<Scenario> {
    headroom_loadgen::scenario::load(path).map_err(|e| anyhow!("{e}"))
}
