//! `headroom validate`: check a scenario file and send nothing.

use super::{load_scenario, OK};
use headroom_loadgen::units::{count, format_duration};
use std::path::Path;

pub fn run(path: &Path) -> anyhow::Result<u8> {
    let s = load_scenario(path)?;
    let requests: usize = s.journeys.iter().map(|j| j.requests.len()).sum();
    let plan = match &s.load.search {
        Some(search) => format!(
            "a saturation search from {} up to {}, {} a step, until within {:.0}%",
            s.load.model.level(search.from),
            s.load.model.level(search.max),
            format_duration(search.hold),
            search.precision * 100.0
        ),
        None => format!(
            "{} over {}",
            count(s.load.phases.len(), "step"),
            format_duration(s.load.total())
        ),
    };
    println!(
        "{}: ok: scenario `{}`, {}, {}, {} model, {plan}, {}{}",
        path.display(),
        headroom_reports::safe::terminal(&s.name),
        count(s.journeys.len(), "journey"),
        count(requests, "request"),
        format!("{:?}", s.load.model).to_lowercase(),
        s.load.pool,
        match s.load.model {
            headroom_loadgen::plan::Model::Open => format!(", {:?} arrivals", s.load.arrivals).to_lowercase(),
            headroom_loadgen::plan::Model::Closed => String::new(),
        }
    );
    Ok(OK)
}
