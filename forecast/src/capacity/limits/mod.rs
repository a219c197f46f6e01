//! Saturation limits from load-test points: the peak throughput, the knee, the SLO
//! limit per latency objective (interpolated between measured steps, extrapolated by the
//! fitted model beyond them) and a safe operating point below it. Closed runs (load =
//! users) are described by the USL; both kinds get the per-instance queueing model
//! (`instance`), which gives open runs their curve and every run the highest Poisson
//! rate meeting each objective.

use crate::capacity::instance::{InstanceModel, ModelError, Quality};
pub use crate::capacity::point::{Model, Objective, Point};

mod file;
use crate::capacity::usl::{self, FitError, UslFit};
use file::figure;
pub use file::*;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LimitsError {
    #[error(transparent)]
    Fit(#[from] FitError),
    #[error("cannot build the queueing model of an open run: {0}")]
    Model(#[from] ModelError),
    #[error("found headroom {0}; expected a fraction from 0 to 1 (0.2 for 20%)")]
    Headroom(f64),
}

/// Fewer points than this leave the fit weakly determined.
const FEW_POINTS: usize = 6;
/// The last step is saturated when it added less than this share of ideal scaling.
const SATURATED_MARGINAL: f64 = 0.10;
/// Open-model steps whose throughput fell below this share of the offered rate are
/// saturated and not used to fit M/M/c.
const STABLE_SHARE: f64 = 0.95;

/// Everything a planner acts on, from points sorted by load.
pub fn limits(kind: Model, points: &[Point], objectives: &[Objective], headroom: f64) -> Result<Limits, LimitsError> {
    if !(0.0..1.0).contains(&headroom) {
        return Err(LimitsError::Headroom(headroom));
    }
    let mut points = points.to_vec();
    points.sort_by(|a, b| a.load.total_cmp(&b.load));
    let load: Vec<f64> = points.iter().map(|p| p.load).collect();
    let x: Vec<f64> = points.iter().map(|p| p.throughput).collect();
    let mut warnings = Vec::new();
    if points.len() < FEW_POINTS {
        warnings.push(format!(
            "only {} points: with fewer than {FEW_POINTS} the fit is weakly determined",
            points.len()
        ));
    }
    let open_saturated = points.iter().any(|p| p.throughput < STABLE_SHARE * p.load);
    let (model, instance) = match kind {
        Model::Closed => {
            let fit = usl::fit(&load, &x)?;
            let saturated = closed_saturated(&points, fit.model.lambda);
            let instance = InstanceModel::from_points(&points, kind, saturated);
            if let Err(e) = &instance {
                warnings.push(format!("no queueing model for Poisson traffic: {e}"));
            }
            (Curve::Usl(fit), instance.ok())
        }
        Model::Open => {
            if points.len() < 3 {
                return Err(FitError::TooFewPoints(points.len()).into());
            }
            let instance = InstanceModel::from_points(&points, kind, open_saturated)?;
            (
                Curve::Queue(instance.clone(), requests_per_arrival(&points)),
                Some(instance),
            )
        }
    };
    let quality = instance
        .as_ref()
        .and_then(|m| m.quality(&points, kind, |p| p.throughput >= STABLE_SHARE * p.load));
    warnings.extend(model.warnings());
    warnings.extend(instance.iter().flat_map(|m| m.warnings.clone()));
    warnings.extend(quality.as_ref().and_then(Quality::warning));
    if let Some(m) = instance.as_ref().filter(|m| !m.capacity_measured) {
        warnings.push(format!(
            "the run did not saturate: the queueing model's capacity {:.1} rps is a lower bound",
            m.capacity()
        ));
    }
    let peak = model.peak(&points, kind);
    let (knee, knee_note) = match model.knee(&peak, &points, kind) {
        Ok(k) => (Some(k), None),
        Err(note) => (None, Some(note)),
    };
    let per_objective: Vec<ObjectiveLimit> = objectives
        .iter()
        .map(|o| ObjectiveLimit {
            poisson_rate: instance.as_ref().and_then(|m| poisson_rate(m, o)),
            ..model.objective_limit(o, &points, kind)
        })
        .collect();
    let slo_limit = per_objective
        .iter()
        .filter_map(|o| o.at.clone())
        .min_by(|a, b| a.throughput.value.total_cmp(&b.throughput.value));
    let safe = safe_point(&model, kind, slo_limit.as_ref(), &peak, objectives.is_empty(), headroom);
    Ok(Limits {
        load_kind: kind,
        usl: model.usl_summary(&load, &x),
        instance_model: instance,
        model_quality: quality,
        peak,
        knee,
        knee_note,
        objectives: per_objective,
        slo_limit,
        safe_operating_point: safe,
        warnings,
    })
}

/// The highest Poisson rate one instance takes with the objective met: None when even
/// an idle instance misses it.
fn poisson_rate(model: &InstanceModel, objective: &Objective) -> Option<Figure> {
    let q = objective.percentile / 100.0;
    let meets = |rate: f64| model.latency_ms(1, rate, q).is_some_and(|ms| ms <= objective.limit_ms);
    if model.floor_ms(q) > objective.limit_ms {
        return None;
    }
    let rate = bisect(0.0, model.capacity(), |r| if r <= 0.0 || meets(r) { -1.0 } else { 1.0 });
    Some(figure(rate, "rps", Basis::Model))
}

enum Curve {
    Usl(UslFit),
    /// Open runs: the queueing model's curve, in requests per second, and the requests
    /// each arrival (a journey) makes: the load axis counts arrivals.
    Queue(InstanceModel, f64),
}

impl Curve {
    fn warnings(&self) -> Vec<String> {
        match self {
            Curve::Usl(fit) => {
                let m = fit.model;
                let mut w = Vec::new();
                if m.kappa == 0.0 && m.sigma == 0.0 {
                    w.push("sigma = 0 and kappa = 0: the model scales linearly, no peak and no ceiling".into());
                } else if m.kappa == 0.0 {
                    w.push("kappa = 0: no peak; throughput approaches the Amdahl ceiling lambda / sigma".into());
                }
                w
            }
            Curve::Queue(..) => Vec::new(),
        }
    }

    /// Highest load of the tested range, and whether the run saturated there.
    fn peak(&self, points: &[Point], kind: Model) -> Peak {
        let best = first_max(points);
        let saturated = match self {
            Curve::Usl(fit) => closed_saturated(points, fit.model.lambda),
            Curve::Queue(m, _) => m.capacity_measured,
        };
        let estimate = match self {
            Curve::Usl(fit) => fit.model.max_throughput(),
            Curve::Queue(m, _) => Some(m.capacity()),
        };
        let note = if saturated {
            format!(
                "saturated: peak {:.1} rps measured at {} {}",
                best.throughput,
                best.load,
                kind.unit()
            )
        } else {
            format!("no knee in the tested range; peak at least {:.1} rps", best.throughput)
        };
        Peak {
            throughput: figure(best.throughput, "rps", Basis::Measured),
            load: figure(best.load, kind.unit(), Basis::Measured),
            saturated,
            model_estimate: (!saturated)
                .then_some(estimate)
                .flatten()
                .map(|v| figure(v, "rps", Basis::Extrapolated)),
            note,
        }
    }

    /// The knee: where extra load stops adding throughput and only adds queueing.
    /// Closed: the load at which linear scaling at the best measured per-user rate
    /// max(X / N) reaches the peak, N = X_peak / max(X / N): the asymptotic-bounds
    /// intersection (D + Z) / D_max of mean-value analysis. (The USL's lambda is not used:
    /// a hard ceiling bends its fit and inflates lambda.)
    /// Open: the arrival rate at which the mean response time doubles its no-load value.
    fn knee(&self, peak: &Peak, points: &[Point], kind: Model) -> Result<OperatingPoint, String> {
        if !peak.saturated {
            return Err(peak.note.clone());
        }
        match self {
            Curve::Usl(_) => {
                let per_user = points.iter().map(|p| p.throughput / p.load).fold(0.0, f64::max);
                let n = peak.throughput.value / per_user;
                Ok(OperatingPoint {
                    load: figure(n, kind.unit(), Basis::Model),
                    throughput: peak.throughput.clone(),
                })
            }
            Curve::Queue(m, per_arrival) => {
                let idle = m.service_time_ms + m.overhead_ms;
                let rate = bisect(0.0, m.capacity() * (1.0 - 1e-9), |r| {
                    m.mean_ms(1, r).map_or(f64::INFINITY, |ms| ms - 2.0 * idle)
                });
                Ok(OperatingPoint {
                    load: figure(rate / per_arrival, kind.unit(), Basis::Model),
                    throughput: figure(rate, "rps", Basis::Model),
                })
            }
        }
    }

    fn objective_limit(&self, objective: &Objective, points: &[Point], kind: Model) -> ObjectiveLimit {
        let observed: Vec<(f64, f64, f64)> = points
            .iter()
            .filter_map(|p| p.latency(&objective.name).map(|l| (p.load, p.throughput, l)))
            .collect();
        let at = |load: f64, x: f64, basis: Basis| OperatingPoint {
            load: figure(load, kind.unit(), basis),
            throughput: figure(x, "rps", basis),
        };
        let (point, note) = match observed.iter().position(|(_, _, l)| *l > objective.limit_ms) {
            _ if observed.is_empty() => match self.extrapolate(objective, None) {
                Some((load, x)) => (
                    Some(at(load, x, Basis::Model)),
                    Some("no latency data: latency from the model (Little's law)".into()),
                ),
                None => (None, Some("no latency data and no model limit".into())),
            },
            Some(0) => (
                None,
                Some(format!(
                    "{} already above {} ms at the lowest tested load",
                    objective.name, objective.limit_ms
                )),
            ),
            Some(k) => {
                let (load, x) = self.interpolate(objective, observed[k - 1], observed[k]);
                (Some(at(load, x, Basis::Interpolated)), None)
            }
            None => {
                let last = *observed.last().expect("not empty");
                match self.extrapolate(objective, Some(last)) {
                    Some((load, x)) if load > last.0 => (
                        Some(at(load, x, Basis::Extrapolated)),
                        Some("held at every tested load; extrapolated by the fitted model".into()),
                    ),
                    _ => (
                        Some(at(last.0, last.1, Basis::Measured)),
                        Some("held at every tested load; the model gives no higher limit".into()),
                    ),
                }
            }
        };
        ObjectiveLimit {
            objective: objective.name.clone(),
            limit_ms: objective.limit_ms,
            at: point,
            note,
            poisson_rate: None,
        }
    }

    /// The model's latency statistic at `load` in ms: USL mean latency N / X(N), or the
    /// queueing model's response-time percentile. None where the model has no finite value.
    fn predicted_ms(&self, objective: &Objective, load: f64) -> Option<f64> {
        let ms = match self {
            Curve::Usl(fit) => fit.model.latency(load) * 1e3,
            Curve::Queue(m, per_arrival) => m.latency_ms(1, load * per_arrival, objective.percentile / 100.0)?,
        };
        (ms.is_finite() && ms > 0.0).then_some(ms)
    }

    /// Highest load the model allows: the USL peak concurrency (beyond it throughput only
    /// falls), or just under the queue's capacity.
    fn load_ceiling(&self) -> f64 {
        match self {
            Curve::Usl(fit) => fit.model.peak_concurrency().unwrap_or(1e9),
            Curve::Queue(m, per_arrival) => m.capacity() / per_arrival * (1.0 - 1e-9),
        }
    }

    /// Between two measured steps that bracket the limit. Closed runs: linear, as latency
    /// is flat below saturation and linear in N above it (R = N / X). Open runs: the
    /// queueing model's curve scaled by a factor that moves linearly from one step's observed /
    /// predicted ratio to the other's, so the result passes through both measurements
    /// and bends as queueing latency bends (linear when the model has no value there).
    fn interpolate(&self, objective: &Objective, low: (f64, f64, f64), high: (f64, f64, f64)) -> (f64, f64) {
        let ((l0, x0, r0), (l1, x1, r1)) = (low, high);
        let curved = matches!(self, Curve::Queue(..));
        let load = match (self.predicted_ms(objective, l0), self.predicted_ms(objective, l1)) {
            (Some(p0), Some(p1)) if curved => {
                let scaled = |l: f64| {
                    let f = (l - l0) / (l1 - l0);
                    let ratio = r0 / p0 + f * (r1 / p1 - r0 / p0);
                    self.predicted_ms(objective, l).map_or(f64::INFINITY, |p| p * ratio) - objective.limit_ms
                };
                bisect(l0, l1, scaled)
            }
            _ => l0 + (objective.limit_ms - r0) / (r1 - r0) * (l1 - l0),
        };
        // An open system has no steady state past its capacity: the limit stops there.
        let load = if curved { load.min(self.load_ceiling()) } else { load };
        (load, x0 + (load - l0) / (l1 - l0) * (x1 - x0))
    }

    /// Beyond the tested range: the load at which the model's statistic, scaled to agree
    /// with the last measurement (`anchor`: load, throughput, latency), reaches the limit.
    fn extrapolate(&self, objective: &Objective, anchor: Option<(f64, f64, f64)>) -> Option<(f64, f64)> {
        let from = anchor.map_or(0.0, |a| a.0);
        let ratio = match anchor {
            Some((load, _, observed)) => observed / self.predicted_ms(objective, load)?,
            None => 1.0,
        };
        let excess = |l: f64| self.predicted_ms(objective, l).map_or(f64::INFINITY, |p| p * ratio) - objective.limit_ms;
        let ceiling = self.load_ceiling();
        if from >= ceiling || excess(from.max(1e-9)) > 0.0 {
            return None;
        }
        let load = if excess(ceiling) <= 0.0 {
            ceiling
        } else {
            bisect(from, ceiling, excess)
        };
        Some((load, self.throughput_at(load)))
    }

    fn throughput_at(&self, load: f64) -> f64 {
        match self {
            Curve::Usl(fit) => fit.model.throughput(load),
            Curve::Queue(_, per_arrival) => load * per_arrival,
        }
    }

    /// The load that gives throughput `x`.
    fn load_at(&self, x: f64) -> Option<f64> {
        match self {
            Curve::Usl(fit) => fit.model.concurrency_at_throughput(x),
            Curve::Queue(_, per_arrival) => Some(x / per_arrival),
        }
    }

    fn usl_summary(&self, load: &[f64], x: &[f64]) -> Option<UslSummary> {
        let Curve::Usl(fit) = self else { return None };
        let m = fit.model;
        Some(UslSummary {
            sigma: m.sigma,
            kappa: m.kappa,
            lambda: m.lambda,
            sigma_se: fit.sigma_se,
            kappa_se: fit.kappa_se,
            lambda_se: fit.lambda_se,
            r2: fit.r2,
            peak_concurrency: m.peak_concurrency(),
            peak_concurrency_floor: m.peak_concurrency().map(f64::floor),
            peak_throughput: m.peak_throughput(),
            amdahl_ceiling: m.amdahl_ceiling(),
            residuals: fit.residuals.clone(),
            efficiency: load.iter().zip(x).map(|(n, x)| m.efficiency(*n, *x)).collect(),
            at_bound: fit.at_bound.clone(),
        })
    }
}

/// Requests per arrival (2 for a journey of two requests), as the lowest-load open step
/// measured it: there nearly every journey started in the hold also ends in it, where a
/// loaded step still has journeys in flight when its window closes. 1 when the steps did
/// not count arrivals.
fn requests_per_arrival(points: &[Point]) -> f64 {
    points
        .iter()
        .filter_map(|p| Some((p.load, p.requests?, p.arrivals?)))
        .filter(|(_, _, arrivals)| *arrivals > 0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(1.0, |(_, requests, arrivals)| requests as f64 / arrivals as f64)
}

/// The lowest-load point with the highest throughput.
fn first_max(points: &[Point]) -> &Point {
    points.iter().fold(
        &points[0],
        |best, p| if p.throughput > best.throughput { p } else { best },
    )
}

/// Saturated when throughput fell after its maximum, or the last step added less than
/// a tenth of what linear scaling at lambda would add.
fn closed_saturated(points: &[Point], lambda: f64) -> bool {
    let n = points.len();
    let peak = first_max(points);
    if points
        .iter()
        .any(|p| p.load > peak.load && p.throughput < peak.throughput)
    {
        return true;
    }
    let (a, b) = (&points[n - 2], &points[n - 1]);
    let marginal = (b.throughput - a.throughput) / ((b.load - a.load) * lambda);
    marginal < SATURATED_MARGINAL
}

/// Root of an increasing `f` in [lo, hi] (hi if f stays below 0, lo if above), to a
/// millionth of the interval: each step may be a simulation.
fn bisect(mut lo: f64, mut hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..20 {
        let mid = (lo + hi) / 2.0;
        if f(mid) < 0.0 {
            lo = mid
        } else {
            hi = mid
        }
    }
    (lo + hi) / 2.0
}

fn safe_point(
    model: &Curve,
    kind: Model,
    slo_limit: Option<&OperatingPoint>,
    peak: &Peak,
    no_objectives: bool,
    headroom: f64,
) -> Option<SafePoint> {
    let (reference, based_on) = match slo_limit {
        Some(limit) => (limit.throughput.value, "slo_limit"),
        None if no_objectives => (peak.throughput.value, "peak"),
        None => return None,
    };
    let x = reference * (1.0 - headroom);
    let load = model.load_at(x)?;
    Some(SafePoint {
        headroom,
        based_on: based_on.into(),
        at: OperatingPoint {
            load: figure(load, kind.unit(), Basis::Model),
            throughput: figure(x, "rps", Basis::Model),
        },
    })
}

#[cfg(test)]
mod tests;
