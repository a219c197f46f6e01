//! The quarterly capacity review: for every service of a portfolio, the demand its
//! instances take with the redundancy's spares lost and the objective met, demand now
//! and at the forecast peak, the dates demand reaches the action and critical levels
//! against the time new capacity takes to arrive, what to run next quarter and its
//! cost, and how the previous review's forecast fared. Joins `capacity` (the plan's
//! machinery), `ts` (the forecast) and `rightsize` (prices), services in parallel;
//! reads and writes nothing (the CLI's `review` command and `read::portfolio` do).
//!
//! Modules: `service` (one service's review) and `previous` (scoring the last review's
//! forecast against what happened).

pub mod previous;
pub mod service;

use crate::capacity::instance::InstanceModel;
use crate::rightsize::{InstanceType, Redundancy};
use crate::ts::regular::Regular;
use crate::ts::workflow::Horizon;
use crate::ts::SeriesForecast;
use headroom_loadgen::slo::Objective;
pub use previous::{PathStep, Previous, PreviousPath};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SCHEMA_VERSION: u32 = 1;
/// Days of history whose peak is "demand now".
pub const NOW_DAYS: i64 = 7;

impl headroom_loadgen::schema::Schema for Review {
    const FILE: &'static str = "review.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

/// The portfolio's settings, each a default a service may override.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub name: String,
    /// Unix seconds the review is made at; None: the last timestamp of the demand.
    pub as_of: Option<i64>,
    pub horizon: Horizon,
    /// The levels, as fractions of capacity, at which to act and past which it is critical.
    pub action: f64,
    pub critical: f64,
    pub lead_time_s: i64,
    pub redundancy: Redundancy,
    pub slo: Option<Objective>,
}

/// Where a service's capacity per instance comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Capacity {
    /// Requests per second one instance takes, as the portfolio states it.
    PerInstance(f64),
    /// limits.json's per-instance queueing model, held to `objective` (boxed: the
    /// model is many times the size of a rate).
    Model {
        model: Box<InstanceModel>,
        objective: Objective,
    },
}

/// One service as the portfolio and its files give it; `Err` holds why a part is
/// missing or bad, and makes the service `unknown` with that note.
#[derive(Debug, Clone)]
pub struct ServiceInput {
    pub name: String,
    pub instances: u32,
    pub instance_type: Option<String>,
    pub lead_time_s: i64,
    pub redundancy: Redundancy,
    pub capacity: Result<Capacity, String>,
    pub demand: Result<Regular, String>,
    /// The instance type's prices: Ok(None) without a catalogue.
    pub price: Result<Option<InstanceType>, String>,
}

/// What a service needs done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The upper 95% bound reaches the action level within the lead time: order now.
    OrderNow,
    /// It reaches it within the horizon: order by `order_by`.
    Plan,
    /// Fewer instances would do: the planned count is below today's.
    Over,
    Ok,
    /// The data could not say: the notes tell why.
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::OrderNow => "order-now",
            Status::Plan => "plan",
            Status::Over => "over",
            Status::Ok => "ok",
            Status::Unknown => "unknown",
        }
    }
}

/// One service's review: review.csv's row and review.json's entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReview {
    pub service: String,
    pub instances: u32,
    pub instance_type: Option<String>,
    /// The demand today's instances take with the spares lost and the objective met.
    pub capacity_rps: Option<f64>,
    /// How capacity was found, in words.
    pub capacity_basis: Option<String>,
    pub demand_now_rps: Option<f64>,
    pub forecast_peak_rps: Option<f64>,
    pub forecast_peak_hi80_rps: Option<f64>,
    pub forecast_peak_hi95_rps: Option<f64>,
    pub utilisation_now: Option<f64>,
    pub utilisation_at_peak: Option<f64>,
    pub action_level_rps: Option<f64>,
    pub critical_level_rps: Option<f64>,
    /// `YYYY-MM-DD`: when the mean (or its upper 95% bound) first reaches each level;
    /// None beyond the horizon.
    pub action_date: Option<String>,
    pub action_date_hi95: Option<String>,
    pub critical_date: Option<String>,
    pub critical_date_hi95: Option<String>,
    /// `action_date_hi95` less the lead time.
    pub order_by: Option<String>,
    pub lead_time_days: f64,
    pub status: Status,
    pub planned_instances: Option<u32>,
    pub monthly_usd_now: Option<f64>,
    pub monthly_usd_planned: Option<f64>,
    pub monthly_usd_change: Option<f64>,
    /// The forecast's method, and what the review has to say.
    pub model: Option<String>,
    pub notes: Vec<String>,
    /// The previous review's forecast against the demand since.
    pub forecast_mape_previous: Option<f64>,
    pub forecast_coverage80_previous: Option<f64>,
    pub forecast_peak_error_previous: Option<f64>,
    /// The forecast itself, for forecast.csv and the charts.
    #[serde(skip)]
    pub forecast: Option<SeriesForecast>,
}

/// review.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub schema_version: u32,
    pub name: String,
    /// `YYYY-MM-DD`, and Unix seconds.
    pub as_of: String,
    pub as_of_s: i64,
    pub horizon: String,
    pub thresholds: Thresholds,
    pub redundancy: String,
    pub slo: Option<String>,
    pub services: Vec<ServiceReview>,
    pub totals: Totals,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub action: f64,
    pub critical: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub monthly_usd_now: f64,
    /// The planned counts' cost; a service without a plan (unknown) counted at today's.
    pub monthly_usd_planned: f64,
    /// Services per status.
    pub by_status: BTreeMap<String, usize>,
    /// The previous review's forecast over every service scored: the means of the
    /// services' MAPE and 80% band coverage.
    pub forecast_mape_previous: Option<f64>,
    pub forecast_coverage80_previous: Option<f64>,
}

/// The review of every service, in parallel, in the portfolio's order. `as_of`
/// defaults to the last timestamp of any service's demand.
pub fn review(settings: &Settings, services: Vec<ServiceInput>, previous: Option<&Previous>) -> Review {
    use rayon::prelude::*;
    let as_of = settings.as_of.unwrap_or_else(|| latest(&services));
    let reviewed: Vec<ServiceReview> = services
        .into_par_iter()
        .map(|input| service::review_one(settings, as_of, input, previous))
        .collect();
    let totals = totals(&reviewed, previous.is_some());
    Review {
        schema_version: SCHEMA_VERSION,
        name: settings.name.clone(),
        as_of: headroom_loadgen::units::format_date(as_of),
        as_of_s: as_of,
        horizon: settings.horizon.text.clone(),
        thresholds: Thresholds {
            action: settings.action,
            critical: settings.critical,
        },
        redundancy: settings.redundancy.to_string(),
        slo: settings.slo.as_ref().map(|o| o.name.clone()),
        services: reviewed,
        totals,
    }
}

/// The last timestamp of any service's demand (0 with none).
fn latest(services: &[ServiceInput]) -> i64 {
    services
        .iter()
        .filter_map(|s| s.demand.as_ref().ok())
        .filter(|d| !d.values.is_empty())
        .map(Regular::end)
        .max()
        .unwrap_or(0)
}

fn totals(services: &[ServiceReview], scored: bool) -> Totals {
    let sum = |f: fn(&ServiceReview) -> Option<f64>| services.iter().filter_map(f).sum::<f64>();
    let mut by_status = BTreeMap::new();
    for s in services {
        *by_status.entry(s.status.as_str().to_string()).or_insert(0) += 1;
    }
    let mapes: Vec<f64> = services.iter().filter_map(|s| s.forecast_mape_previous).collect();
    let coverages: Vec<f64> = services.iter().filter_map(|s| s.forecast_coverage80_previous).collect();
    let mean = |v: &[f64]| (scored && !v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    Totals {
        monthly_usd_now: cents(sum(|s| s.monthly_usd_now)),
        monthly_usd_planned: cents(sum(|s| s.monthly_usd_planned.or(s.monthly_usd_now))),
        by_status,
        forecast_mape_previous: mean(&mapes),
        forecast_coverage80_previous: mean(&coverages),
    }
}

/// Dollars to the cent.
pub fn cents(usd: f64) -> f64 {
    (usd * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests;
