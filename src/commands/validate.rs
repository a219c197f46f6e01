//! `headroom validate`: check a scenario file and send nothing.

use super::{load_scenario, OK};
use headroom_loadgen::units::count;
use std::path::Path;

pub fn run(path: &Path) -> anyhow::Result<u8> {
    let s = load_scenario(path)?;
    let requests: usize = s.journeys.iter().map(|j| j.requests.len()).sum();
    println!(
        "{}: ok: scenario `{}`, {}, {}, {} model, {} over {}, {}{}",
        path.display(),
        headroom_reports::safe::terminal(&s.name),
        count(s.journeys.len(), "journey"),
        count(requests, "request"),
        format!("{:?}", s.load.model).to_lowercase(),
        count(s.load.phases.len(), "step"),
        headroom_loadgen::units::format_duration(s.load.total()),
        s.load.pool,
        match s.load.model {
            headroom_loadgen::plan::Model::Open => format!(", {:?} arrivals", s.load.arrivals).to_lowercase(),
            headroom_loadgen::plan::Model::Closed => String::new(),
        }
    );
    Ok(OK)
}
