//! The load plan: stages, steps or a search, closed or open, the pool and arrivals.

use super::Context;
use crate::plan::{Arrivals, LoadPlan, Model, Phase, Pool, Search};
use crate::scenario::raw::*;
use crate::scenario::*;
use serde_saphyr::Spanned;

/// Bounds of an automatically sized open-model pool.
const AUTO_POOL_MIN: usize = 4;
const AUTO_POOL_MAX: usize = 10_000;
/// The most users a pool may have: each is a parked task, a few kilobytes.
pub(super) const MAX_POOL: usize = 100_000;
pub(super) const MAX_LEVELS: usize = 1000;

impl Context<'_> {
    pub(super) fn load(&mut self, raw: &RawLoad, journeys: &[Journey]) -> LoadPlan {
        let mut search = None;
        let (model, phases) = match (&raw.steps, &raw.stages, &raw.search) {
            (Some(steps), None, None) => self.steps(steps),
            (None, Some(stages), None) => self.stages(stages),
            (None, None, Some(s)) => {
                let (model, found) = self.search(s);
                search = found;
                let first = found.map(|s| Phase {
                    level: s.from,
                    ramp: s.ramp,
                    hold: s.hold,
                });
                (model, first.into_iter().collect())
            }
            _ => {
                self.error(None, "load", "expected exactly one of steps, stages or search");
                (Model::Closed, Vec::new())
            }
        };
        let open = model == Model::Open;
        if !open && (raw.arrivals.is_some() || raw.seed.is_some()) {
            self.error(
                None,
                "load",
                "found arrivals or seed with a users plan; expected them only with rate (open model)",
            );
        }
        let pool = match (&raw.pool, open) {
            (Some(pool), false) => {
                self.error(
                    Some(pool.referenced.line()),
                    "load.pool",
                    "found a pool with a users plan; expected pool only with rate (open model)",
                );
                None
            }
            (Some(pool), true) => self.pool(pool),
            (None, _) => None,
        };
        // A search's pool is sized for its highest level.
        let sized_for: Vec<Phase> = match search {
            Some(s) => vec![Phase {
                level: s.max,
                ramp: s.ramp,
                hold: s.hold,
            }],
            None => phases.clone(),
        };
        let pool = pool.unwrap_or_else(|| default_pool(model, &sized_for, journeys));
        LoadPlan {
            model,
            phases,
            pool,
            arrivals: raw.arrivals.unwrap_or(Arrivals::Poisson),
            seed: raw.seed,
            search,
        }
    }

    /// `search: {rate|users: {from, max}, hold, ramp, precision}`.
    fn search(&mut self, raw: &RawSearch) -> (Model, Option<Search>) {
        let line = Some(raw.hold.referenced.line());
        let (model, range, key) = match (&raw.users, &raw.rate) {
            (Some(r), None) => (Model::Closed, r, "load.search.users"),
            (None, Some(r)) => (Model::Open, r, "load.search.rate"),
            _ => {
                self.error(line, "load.search", "expected exactly one of users or rate");
                return (Model::Closed, None);
            }
        };
        let hold = self.duration(&raw.hold, "load.search.hold").unwrap_or_default();
        let ramp = raw
            .ramp
            .as_ref()
            .and_then(|r| self.duration(r, "load.search.ramp"))
            .unwrap_or_default();
        let precision = match &raw.precision {
            Some(p) => match crate::units::parse_percent(&p.value) {
                Ok(v) if v > 0.0 && v < 1.0 => v,
                Ok(v) => {
                    self.error(
                        line,
                        "load.search.precision",
                        format!("found {:.0}%; expected between 0% and 100%, such as 5%", v * 100.0),
                    );
                    return (model, None);
                }
                Err(m) => {
                    self.error(Some(p.referenced.line()), "load.search.precision", m);
                    return (model, None);
                }
            },
            None => DEFAULT_SEARCH_PRECISION,
        };
        for level in [range.from, range.max] {
            self.check_level(model, level, line, key);
        }
        if !(range.from > 0.0 && range.from <= range.max) {
            self.error(
                line,
                key,
                format!(
                    "found from {} and max {}; expected 0 < from <= max",
                    range.from, range.max
                ),
            );
            return (model, None);
        }
        if hold.is_zero() {
            self.error(line, "load.search.hold", "found 0s; expected a hold such as 10s");
            return (model, None);
        }
        (
            model,
            Some(Search {
                from: range.from,
                max: range.max,
                ramp,
                hold,
                precision,
            }),
        )
    }

    /// `pool: N` is a fixed pool; `{start, max}` grows from start to max, either
    /// defaulting as an automatically sized pool does.
    fn pool(&mut self, raw: &Spanned<RawPool>) -> Option<Pool> {
        let line = Some(raw.referenced.line());
        let (start, max) = match raw.value {
            RawPool::Fixed(n) => (n, n),
            RawPool::Growing(RawPoolRange { start, max }) => {
                let max = max.unwrap_or_else(|| start.unwrap_or(0).max(AUTO_POOL_MAX as i64));
                (start.unwrap_or_else(|| (AUTO_POOL_MIN as i64).min(max)), max)
            }
        };
        for (name, value) in [("max", max), ("start", start)] {
            if !(1..=MAX_POOL as i64).contains(&value) {
                let message = format!("found {name} {value}; expected from 1 to {MAX_POOL} users");
                self.error(line, "load.pool", message);
                return None;
            }
        }
        if start > max {
            self.error(
                line,
                "load.pool",
                format!("found start {start} above max {max}; expected start <= max"),
            );
            return None;
        }
        let (start, max) = (start as usize, max as usize);
        Some(Pool { start, max })
    }

    fn steps(&mut self, raw: &RawSteps) -> (Model, Vec<Phase>) {
        let (model, levels, key) = match (&raw.users, &raw.rate) {
            (Some(l), None) => (Model::Closed, l, "load.steps.users"),
            (None, Some(l)) => (Model::Open, l, "load.steps.rate"),
            _ => {
                self.error(
                    Some(raw.hold.referenced.line()),
                    "load.steps",
                    "expected exactly one of users or rate",
                );
                return (Model::Closed, Vec::new());
            }
        };
        let hold = self.duration(&raw.hold, "load.steps.hold").unwrap_or_default();
        let ramp = raw
            .ramp
            .as_ref()
            .and_then(|r| self.duration(r, "load.steps.ramp"))
            .unwrap_or_default();
        let line = Some(raw.hold.referenced.line());
        let levels = match expand_levels(levels) {
            Ok(l) => l,
            Err(m) => {
                self.error(line, key, m);
                return (model, Vec::new());
            }
        };
        for level in &levels {
            self.check_level(model, *level, line, key);
        }
        if hold.is_zero() {
            self.error(line, "load.steps.hold", "found 0s; expected a hold such as 20s");
        }
        (
            model,
            levels.into_iter().map(|level| Phase { level, ramp, hold }).collect(),
        )
    }

    fn stages(&mut self, raw: &[RawStage]) -> (Model, Vec<Phase>) {
        let mut model = None;
        let mut phases = Vec::new();
        if raw.is_empty() {
            self.error(None, "load.stages", "found no stages; expected at least one");
        }
        for (i, stage) in raw.iter().enumerate() {
            let field = format!("load.stages[{i}]");
            let line = stage.hold.as_ref().or(stage.ramp.as_ref()).map(|t| t.referenced.line());
            let (m, level) = match (stage.users, stage.rate) {
                (Some(u), None) => (Model::Closed, u as f64),
                (None, Some(r)) => (Model::Open, r),
                _ => {
                    self.error(line, &field, "expected exactly one of users or rate");
                    continue;
                }
            };
            if *model.get_or_insert(m) != m {
                self.error(
                    line,
                    &field,
                    "found users and rate stages in one plan; expected one model per run (all users or all rate)",
                );
            }
            self.check_level(m, level, line, &field);
            let ramp = stage
                .ramp
                .as_ref()
                .and_then(|r| self.duration(r, &format!("{field}.ramp")))
                .unwrap_or_default();
            let hold = stage
                .hold
                .as_ref()
                .and_then(|h| self.duration(h, &format!("{field}.hold")))
                .unwrap_or_default();
            if (ramp + hold).is_zero() {
                self.error(
                    line,
                    &field,
                    if stage.ramp.is_some() || stage.hold.is_some() {
                        "found a stage of no time (its ramp and hold add up to 0s); expected a ramp or a hold above 0"
                    } else {
                        "found neither ramp nor hold; expected at least one of them"
                    },
                );
            }
            phases.push(Phase { level, ramp, hold });
        }
        (model.unwrap_or(Model::Closed), phases)
    }

    fn check_level(&mut self, model: Model, level: f64, line: Option<u64>, field: &str) {
        match model {
            Model::Closed if level < 0.0 || level.fract() != 0.0 => self.error(
                line,
                field,
                format!("found {level} users; expected a whole number of users"),
            ),
            Model::Open if !(level >= 0.0 && level.is_finite()) => self.error(
                line,
                field,
                format!("found rate {level}; expected arrivals per second, 0 or more"),
            ),
            _ => {}
        }
    }
}

/// `{from, to, by}` or `{from, to, factor}` or an explicit list, ascending.
fn expand_levels(raw: &RawLevels) -> Result<Vec<f64>, String> {
    let levels = match raw {
        RawLevels::List(list) => list.clone(),
        RawLevels::Range(RawRange { from, to, by, factor }) => {
            if !(from.is_finite() && to.is_finite()) || from > to || *from <= 0.0 {
                return Err(format!("found from {from} to {to}; expected 0 < from <= to"));
            }
            let next: Box<dyn Fn(f64) -> f64> = match (by, factor) {
                (Some(by), None) if *by > 0.0 => Box::new(move |x| x + by),
                (None, Some(f)) if *f > 1.0 => Box::new(move |x| x * f),
                _ => return Err("expected exactly one of by (> 0) or factor (> 1)".into()),
            };
            let mut levels = vec![*from];
            while let Some(&last) = levels.last() {
                let n = next(last);
                if n > to + 1e-9 || levels.len() > MAX_LEVELS {
                    break;
                }
                levels.push(n);
            }
            levels
        }
    };
    if levels.is_empty() || levels.len() > MAX_LEVELS {
        return Err(format!("found {} levels; expected 1 to {MAX_LEVELS}", levels.len()));
    }
    Ok(levels)
}

/// Closed: one user per unit of the highest level. Open: a pool that starts with enough
/// users for the first step's arrivals while a short iteration (100 ms plus the longest
/// journey's think time) completes, and may grow until iterations of two seconds plus
/// think time at the plan's top rate (Little's law: users in use = rate x time), so that
/// a pool this size runs out only when the target has saturated.
/// A search stops when its bracket is this narrow, unless the file says otherwise.
const DEFAULT_SEARCH_PRECISION: f64 = 0.05;

fn default_pool(model: Model, phases: &[Phase], journeys: &[Journey]) -> Pool {
    let top = phases.iter().map(|p| p.level).fold(0.0, f64::max);
    if model == Model::Closed {
        let users = top.ceil() as usize;
        return Pool {
            start: users,
            max: users,
        };
    }
    let think: Duration = journeys
        .iter()
        .map(|j| j.requests.iter().filter_map(|r| r.think.map(|(_, hi)| hi)).sum())
        .max()
        .unwrap_or_default();
    let think = think.as_secs_f64();
    let first = phases.first().map_or(0.0, |p| p.level);
    // Whole users, rounding up all but floating-point noise (100/s x 120 ms is 12).
    let users = |x: f64| (x - 1e-9).ceil().max(0.0) as usize;
    let max = users(top * (2.0 + think)).clamp(AUTO_POOL_MIN, AUTO_POOL_MAX);
    let start = users(first * (0.1 + think)).clamp(AUTO_POOL_MIN.min(max), max);
    Pool { start, max }
}
