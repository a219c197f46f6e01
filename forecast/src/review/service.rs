//! One service's review, by the definitions the README states: capacity with the
//! spares lost, demand now (the peak of the last 7 days), the forecast peak, the dates
//! each level is reached, the date to order by, the status, the planned count and the
//! costs. A part that is missing makes the service `unknown` with a note; the parts
//! that are there are still reported.

use super::previous::{score, Previous};
use super::{cents, Capacity, ServiceInput, ServiceReview, Settings, Status, NOW_DAYS};
use crate::capacity::plan::{instances_needed, max_demand};
use crate::ts::regular::{Cleaning, Regular};
use crate::ts::workflow::horizon_steps;
use crate::ts::{forecast_series, SeriesForecast};
use headroom_loadgen::units::format_date;

const DAY_S: i64 = 86_400;

pub fn review_one(settings: &Settings, as_of: i64, input: ServiceInput, previous: Option<&Previous>) -> ServiceReview {
    let mut notes = Vec::new();
    let spares = input.redundancy.spares();
    let capacity = match &input.capacity {
        Ok(c) => capacity_of(c, input.instances, spares),
        Err(why) => {
            notes.push(why.clone());
            None
        }
    };
    if capacity == Some(0.0) {
        notes.push(format!(
            "{} instances with {} lost to {} take no demand",
            input.instances, spares, input.redundancy
        ));
    }
    let demand = match &input.demand {
        Ok(d) => Some(up_to(d, as_of)),
        Err(why) => {
            notes.push(why.clone());
            None
        }
    };
    let demand_now = demand.as_ref().and_then(|d| peak_since(d, as_of - NOW_DAYS * DAY_S));
    let forecast = demand
        .as_ref()
        .and_then(|d| match forecast_of(&input.name, d, settings) {
            Ok(f) => Some(f),
            Err(why) => {
                notes.push(why);
                None
            }
        });
    let price = match &input.price {
        Ok(p) => p.clone(),
        Err(why) => {
            notes.push(why.clone());
            None
        }
    };
    let peak = forecast.as_ref().map(|f| &f.peak);
    let level = |share: f64| capacity.filter(|c| *c > 0.0).map(|c| share * c);
    let (action, critical) = (level(settings.action), level(settings.critical));
    let reached = |level: Option<f64>, hi95: bool| -> Option<i64> {
        let (level, f) = (level?, forecast.as_ref()?);
        if demand_now.is_some_and(|d| d >= level) {
            return Some(as_of);
        }
        let path = if hi95 { &f.bands.hi95 } else { &f.bands.mean };
        path.iter()
            .position(|v| *v >= level)
            .map(|i| f.start + i as i64 * f.step_s)
    };
    let action_hi95 = reached(action, true);
    let order_by = action_hi95.map(|d| d - input.lead_time_s);
    let planned = match (&input.capacity, peak) {
        (Ok(c), Some(p)) => planned_count(c, p.hi95, settings.action, spares),
        _ => None,
    };
    let known = capacity.is_some_and(|c| c > 0.0) && forecast.is_some() && input.price.is_ok();
    let status = match order_by {
        _ if !known => Status::Unknown,
        Some(o) if o <= as_of => Status::OrderNow,
        Some(_) => Status::Plan,
        None if planned.is_some_and(|p| p < input.instances) => Status::Over,
        None => Status::Ok,
    };
    if status == Status::Ok && planned.is_some_and(|p| p > input.instances) {
        notes.push(format!(
            "the forecast peak's upper 95% bound passes the action level though the upper band's path does not (a peak drawn from the noise): {} instances cover it",
            planned.unwrap_or_default()
        ));
    }
    let monthly = |count: Option<u32>| Some(cents(price.as_ref()?.monthly_usd(count?)));
    let (usd_now, usd_planned) = (monthly(Some(input.instances)), monthly(planned));
    let scored = previous
        .and_then(|p| p.path(&input.name))
        .zip(demand.as_ref())
        .map(|(p, d)| score(p, d));
    let share = |v: Option<f64>| Some(v? / capacity.filter(|c| *c > 0.0)?);
    let date = |t: Option<i64>| t.map(format_date);
    ServiceReview {
        service: input.name.clone(),
        instances: input.instances,
        instance_type: input.instance_type.clone(),
        capacity_rps: capacity,
        capacity_basis: input
            .capacity
            .as_ref()
            .ok()
            .map(|c| basis(c, input.instances, &input.redundancy)),
        demand_now_rps: demand_now,
        forecast_peak_rps: peak.map(|p| p.value),
        forecast_peak_hi80_rps: peak.map(|p| p.hi80),
        forecast_peak_hi95_rps: peak.map(|p| p.hi95),
        utilisation_now: share(demand_now),
        utilisation_at_peak: share(peak.map(|p| p.value)),
        action_level_rps: action,
        critical_level_rps: critical,
        action_date: date(reached(action, false)),
        action_date_hi95: date(action_hi95),
        critical_date: date(reached(critical, false)),
        critical_date_hi95: date(reached(critical, true)),
        order_by: date(order_by),
        lead_time_days: input.lead_time_s as f64 / DAY_S as f64,
        status,
        planned_instances: planned,
        monthly_usd_now: usd_now,
        monthly_usd_planned: usd_planned,
        monthly_usd_change: usd_now.zip(usd_planned).map(|(now, planned)| cents(planned - now)),
        model: forecast.as_ref().map(|f| f.model.clone()),
        notes: notes
            .into_iter()
            .chain(forecast.iter().flat_map(|f| f.notes.clone()))
            .collect(),
        forecast_mape_previous: scored.as_ref().and_then(|s| s.mape),
        forecast_coverage80_previous: scored.as_ref().and_then(|s| s.coverage80),
        forecast_peak_error_previous: scored.as_ref().and_then(|s| s.peak_error),
        forecast,
    }
}

/// The demand `instances` take with `spares` of them lost and the objective met.
pub fn capacity_of(capacity: &Capacity, instances: u32, spares: u32) -> Option<f64> {
    let active = instances.saturating_sub(spares);
    Some(match capacity {
        Capacity::PerInstance(rps) => active as f64 * rps,
        Capacity::Model { model, objective } => max_demand(model, instances, objective, spares),
    })
}

/// The fewest instances whose capacity at the action level covers `peak` (the forecast
/// peak's upper 95% bound), spares included.
pub fn planned_count(capacity: &Capacity, peak: f64, action: f64, spares: u32) -> Option<u32> {
    if !(peak > 0.0 && action > 0.0) {
        return Some(spares + 1);
    }
    match capacity {
        Capacity::PerInstance(rps) if *rps > 0.0 => {
            let active = (peak / (action * rps) - 1e-9).ceil().max(1.0);
            (active < u32::MAX as f64).then(|| active as u32 + spares)
        }
        Capacity::PerInstance(_) => None,
        Capacity::Model { model, objective } => instances_needed(model, peak / action, objective, spares).ok(),
    }
}

/// How capacity was found, in words: `3 of 4 x 450 rps (n+1)`.
fn basis(capacity: &Capacity, instances: u32, redundancy: &crate::rightsize::Redundancy) -> String {
    let active = instances.saturating_sub(redundancy.spares());
    match capacity {
        Capacity::PerInstance(rps) => format!("{active} of {instances} instances x {rps} rps ({redundancy})"),
        Capacity::Model { objective, .. } => format!(
            "{active} of {instances} instances meeting {} by the load test's queueing model ({redundancy})",
            objective.name
        ),
    }
}

/// The demand up to `as_of`.
fn up_to(demand: &Regular, as_of: i64) -> Regular {
    let keep = demand
        .values
        .len()
        .min(((as_of - demand.start) / demand.step + 1).max(0) as usize);
    Regular {
        values: demand.values[..keep].to_vec(),
        ..demand.clone()
    }
}

/// The highest value after `since`.
fn peak_since(demand: &Regular, since: i64) -> Option<f64> {
    demand
        .values
        .iter()
        .enumerate()
        .filter(|(i, v)| demand.timestamp(*i) > since && v.is_finite())
        .map(|(_, v)| *v)
        .reduce(f64::max)
}

/// The forecast over the horizon, or why there is none.
fn forecast_of(name: &str, demand: &Regular, settings: &Settings) -> Result<SeriesForecast, String> {
    let steps = horizon_steps(name, demand, settings.horizon.duration).map_err(|e| e.to_string())?;
    forecast_series(name, demand, Cleaning::default(), steps, None).map_err(|e| format!("demand: {e}"))
}
