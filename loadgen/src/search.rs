//! `load.search`: a saturation search that stops by itself. Levels double from `from`
//! while each step meets the SLO (and, in the open model, drops stay under 1% of
//! arrivals); from the first failing level it bisects between the highest passing and
//! the lowest failing level until they are within `precision` (or, for users, one user
//! apart). A step that did not reach steady state is repeated once with twice the hold
//! before it counts. Each level is one engine run of a one-step plan; the steps join
//! into one run.json (every step kept, so `fit` uses them all) with `search` saying what
//! was found. Guards, signals and `max_duration` end the search with what it measured.

use crate::engine::{self, EngineError, RunOptions};
use crate::merge::merge_windows;
use crate::plan::{Model, Phase, Search};
use crate::record::{LatencyTrend, Live};
use crate::results::{RunResult, RunStatus, SearchResult};
use crate::Scenario;
use std::time::Duration;

/// The most steps a search runs (repeats included).
pub const MAX_STEPS: usize = 24;

/// The highest level seen to pass and the lowest seen to fail.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bracket {
    pub passing: Option<f64>,
    pub failing: Option<f64>,
}

/// The next level to try after `last`, or why the search is over.
pub fn next_level(search: &Search, model: Model, bracket: &Bracket, last: f64) -> Result<f64, String> {
    let unit = |v: f64| model.level(v);
    match (bracket.passing, bracket.failing) {
        (_, None) if last >= search.max => Err(format!(
            "every level up to max ({}) met the SLO: the limit is above it",
            unit(search.max)
        )),
        (_, None) => Ok(whole(model, (last * 2.0).min(search.max))),
        (None, Some(_)) => Err(format!("the first level ({}) already fails the SLO", unit(search.from))),
        (Some(pass), Some(fail)) => {
            let mid = whole(model, (pass + fail) / 2.0);
            if fail / pass - 1.0 <= search.precision || mid <= pass || mid >= fail {
                Err(format!(
                    "the limit is bracketed: {} passes, {} fails",
                    unit(pass),
                    unit(fail)
                ))
            } else {
                Ok(mid)
            }
        }
    }
}

/// Users are whole; rates are kept to a tenth of an arrival per second.
fn whole(model: Model, level: f64) -> f64 {
    match model {
        Model::Closed => level.round(),
        Model::Open => (level * 10.0).round() / 10.0,
    }
}

/// What a search reports after each step: the step, its level, whether it passed and
/// the bracket so far.
pub struct Progress {
    pub step: usize,
    pub level: f64,
    pub passed: bool,
    pub bracket: Bracket,
}

/// Runs the search `scenario.load.search` describes.
pub fn run(
    scenario: &Scenario,
    target: &str,
    options: &RunOptions,
    mut on_tick: impl FnMut(&Live) + Send,
    mut on_step: impl FnMut(&Progress),
) -> Result<RunResult, EngineError> {
    let search = scenario
        .load
        .search
        .expect("search::run is given a scenario with load.search");
    let model = scenario.load.model;
    let budget = scenario.guard.max_duration;
    let mut parts: Vec<RunResult> = Vec::new();
    let mut bracket = Bracket::default();
    let mut level = search.from;
    let stopped = loop {
        let spent: f64 = parts.iter().map(|p| p.duration_s).sum();
        let mut hold = search.hold;
        let mut repeated = false;
        let passed = loop {
            let left = budget.map(|b| b.saturating_sub(Duration::from_secs_f64(spent)));
            if left.is_some_and(|l| l < search.ramp + hold) {
                break None;
            }
            let part = engine::run(
                &one_step(scenario, level, search.ramp, hold, left),
                target,
                options,
                &mut on_tick,
            )?;
            let step = part.steps.first().cloned();
            let status = part.status;
            parts.push(part);
            let Some(step) = step.filter(|_| status == RunStatus::Completed) else {
                break None;
            };
            if step.steady_state == Some(false) && !repeated {
                repeated = true;
                hold *= 2;
                continue;
            }
            break Some(step.passes(model));
        };
        let Some(passed) = passed else {
            break match parts.last().map(|p| p.status) {
                Some(RunStatus::Completed) | None => "max_duration left too little time for another step".to_string(),
                Some(_) => parts
                    .last()
                    .and_then(|p| p.end_reason.clone())
                    .unwrap_or_else(|| "the run stopped".into()),
            };
        };
        if passed {
            bracket.passing = Some(bracket.passing.map_or(level, |p: f64| p.max(level)));
        } else {
            bracket.failing = Some(bracket.failing.map_or(level, |f: f64| f.min(level)));
        }
        on_step(&Progress {
            step: parts.len(),
            level,
            passed,
            bracket,
        });
        if parts.len() >= MAX_STEPS {
            break format!("stopped after {MAX_STEPS} steps");
        }
        match next_level(&search, model, &bracket, level) {
            Ok(next) => level = next,
            Err(why) => break why,
        }
    };
    let answer = SearchResult {
        highest_passing: bracket.passing,
        lowest_failing: bracket.failing,
        precision: search.precision,
        steps: parts.len(),
        stopped,
    };
    join(scenario, parts, answer)
}

/// The scenario with one step at `level`; a closed step's users are its level.
fn one_step(scenario: &Scenario, level: f64, ramp: Duration, hold: Duration, left: Option<Duration>) -> Scenario {
    let mut s = scenario.clone();
    s.load.phases = vec![Phase { level, ramp, hold }];
    s.load.search = None;
    if s.load.model == Model::Closed {
        let users = level.ceil().max(1.0) as usize;
        s.load.pool.start = users;
        s.load.pool.max = users;
    }
    s.guard.max_duration = left;
    s
}

/// Said when the search's hold is too short for a step's steadiness to be judged: then
/// no step is repeated for not having settled, and near the limit a level can pass on a
/// queue still filling (M/M/4 at 97% busy takes about 11 s to settle).
fn short_hold_note(hold: Duration) -> Option<String> {
    let least = LatencyTrend::MIN_SECONDS as u64;
    (hold.as_secs() < least).then(|| {
        format!(
            "holds of {hold:?} are too short to judge whether a step settled (at least {least} s); \
             near the limit a level can pass before its queue fills: hold 10 s or more to rely on the answer"
        )
    })
}

/// The steps run one after another as one run: steps numbered in order and timed from
/// the first's start, timelines end to end, the whole run's window over every step.
fn join(scenario: &Scenario, parts: Vec<RunResult>, answer: SearchResult) -> Result<RunResult, EngineError> {
    let mut offset = 0.0;
    let mut steps = Vec::new();
    let mut timeline = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        for step in &part.steps {
            let mut step = step.clone();
            step.step = i + 1;
            step.start_s += offset;
            steps.push(step);
        }
        let shift = offset.round() as u64;
        timeline.extend(part.timeline.iter().map(|row| {
            let mut row = row.clone();
            row.t += shift;
            row.step = row.step.map(|_| i + 1);
            row
        }));
        offset += part.duration_s;
    }
    let label = String::from("step");
    let windows: Vec<(&String, &crate::results::WindowResult)> = parts.iter().map(|p| (&label, &p.overall)).collect();
    let mut overall = merge_windows(&windows, &scenario.slo).map_err(|e| EngineError::Goose(e.to_string()))?;
    overall.throughput_rps = overall.requests.saturating_sub(overall.errors) as f64 / offset.max(1e-9);
    overall.pool = parts.iter().filter_map(|p| p.overall.pool).max();
    let first = parts
        .first()
        .cloned()
        .ok_or_else(|| EngineError::Goose("the search ran no step".into()))?;
    let last = parts.last().unwrap_or(&first);
    Ok(RunResult {
        ended_at: last.ended_at.clone(),
        duration_s: offset,
        pool_users: parts.iter().map(|p| p.pool_users).max().unwrap_or(first.pool_users),
        status: last.status,
        end_reason: last.end_reason.clone(),
        // A search fails its top steps by design: its answer is `search`, not a verdict.
        slo_passed: None,
        notes: parts
            .iter()
            .flat_map(|p| p.notes.clone())
            .chain(scenario.load.search.and_then(|s| short_hold_note(s.hold)))
            .collect(),
        plan_signature: format!("search {:?}", scenario.load.search),
        steps,
        overall,
        timeline,
        search: Some(answer),
        ..first
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(from: f64, max: f64) -> Search {
        Search {
            from,
            max,
            ramp: Duration::ZERO,
            hold: Duration::from_secs(1),
            precision: 0.05,
        }
    }

    /// The search's path against a service that passes below `limit`, by the rules.
    fn path(s: &Search, model: Model, limit: f64) -> (Vec<f64>, Bracket, String) {
        let mut bracket = Bracket::default();
        let mut level = s.from;
        let mut levels = Vec::new();
        loop {
            levels.push(level);
            if level <= limit {
                bracket.passing = Some(bracket.passing.map_or(level, |p: f64| p.max(level)));
            } else {
                bracket.failing = Some(bracket.failing.map_or(level, |f: f64| f.min(level)));
            }
            match next_level(s, model, &bracket, level) {
                Ok(next) => level = next,
                Err(why) => return (levels, bracket, why),
            }
        }
    }

    #[test]
    fn doubles_then_bisects_to_the_precision() {
        let s = search(25.0, 5000.0);
        let (levels, bracket, why) = path(&s, Model::Open, 333.0);
        assert_eq!(&levels[..6], &[25.0, 50.0, 100.0, 200.0, 400.0, 300.0]);
        let (pass, fail) = (bracket.passing.unwrap(), bracket.failing.unwrap());
        assert!(
            pass <= 333.0 && fail > 333.0 && fail / pass - 1.0 <= 0.05,
            "{pass} {fail}"
        );
        assert!(levels.len() <= 10, "{levels:?}");
        assert!(why.contains("bracketed"), "{why}");
    }

    #[test]
    fn users_stop_one_apart_and_the_ends_are_said() {
        let (levels, bracket, _) = path(&search(1.0, 1024.0), Model::Closed, 11.0);
        assert_eq!(
            (bracket.passing, bracket.failing),
            (Some(11.0), Some(12.0)),
            "{levels:?}"
        );
        assert!(levels.iter().all(|l| l.fract() == 0.0));
        let (_, _, why) = path(&search(1000.0, 5000.0), Model::Open, 400.0);
        assert_eq!(why, "the first level (1000/s) already fails the SLO");
        let (levels, _, why) = path(&search(100.0, 300.0), Model::Open, 1e9);
        assert_eq!(levels, [100.0, 200.0, 300.0]);
        assert!(why.contains("above it"), "{why}");
    }

    #[test]
    fn a_hold_too_short_for_the_steadiness_test_is_said() {
        let secs = Duration::from_secs;
        assert!(short_hold_note(secs(5)).is_some_and(|n| n.contains("holds of 5s")));
        assert_eq!(short_hold_note(secs(6)), None);
    }
}
