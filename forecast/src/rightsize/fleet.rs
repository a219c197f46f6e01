//! The fleet workflow, as `headroom rightsize` and the review run it: every service's
//! usage, with its forecast peak when a horizon is asked for, recommended by the policy
//! and sorted by saving, with the fleet's totals (rightsize.json's `Report`).

use super::{recommend, InstanceType, Placement, Policy, Report, RightsizeError, Totals, Usage, SCHEMA_VERSION};
use crate::ts::regular::{Cleaning, Regular};
use crate::ts::workflow::Horizon;
use crate::ts::{self, ForecastError};
use std::collections::BTreeMap;
use std::time::Duration;

/// Why a fleet has no report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FleetError {
    #[error(transparent)]
    Rightsize(#[from] RightsizeError),
    #[error("service `{service}`: {error}")]
    Forecast { service: String, error: ForecastError },
}

/// The fleet's recommendations. With a `horizon` the policy sizes for each service's
/// forecast peak of CPU (a service too short to forecast is sized on its past, and
/// flagged); `max_utilisation` caps what an instance may run at (a limits.json's safe
/// share).
pub fn fleet_report(
    usage: &[Usage],
    catalogue: &[InstanceType],
    placement: &BTreeMap<String, Placement>,
    mut policy: Policy,
    horizon: Option<Horizon>,
    max_utilisation: Option<f64>,
) -> Result<Report, FleetError> {
    if max_utilisation.is_some() {
        policy.max_utilisation = max_utilisation;
    }
    policy.size_for_forecast_peak |= horizon.is_some();
    let peaks = forecast_peaks(usage, horizon.as_ref().map(|h| h.duration))?;
    let mut services = usage
        .iter()
        .zip(peaks)
        .map(|(u, peak)| recommend(u, catalogue, placement.get(&u.service), &policy, peak))
        .collect::<Result<Vec<_>, _>>()?;
    services.sort_by(|a, b| {
        b.savings_monthly_usd
            .unwrap_or(f64::NEG_INFINITY)
            .total_cmp(&a.savings_monthly_usd.unwrap_or(f64::NEG_INFINITY))
    });
    let total = Totals::over(&services);
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        policy,
        forecast_horizon: horizon.map(|h| h.text),
        services,
        total,
    })
}

/// The forecast peak of each service's total CPU over the horizon, in parallel.
fn forecast_peaks(usage: &[Usage], horizon: Option<Duration>) -> Result<Vec<Option<f64>>, FleetError> {
    let Some(horizon) = horizon else {
        return Ok(vec![None; usage.len()]);
    };
    let jobs: Vec<ts::Job> = usage
        .iter()
        .map(|u| {
            let history = Regular {
                start: u.start,
                step: u.step_s,
                values: u.cpu_cores.clone(),
            };
            let steps = (horizon.as_secs() as i64 / u.step_s).max(1) as usize;
            (u.service.clone(), history, Cleaning::default(), steps)
        })
        .collect();
    ts::forecast_many(jobs, &ts::Options::default())
        .into_iter()
        .zip(usage)
        .map(|(r, u)| match r {
            Ok(f) => Ok(Some(f.peak.value)),
            // Too little history to forecast: size on the past, the flag says why.
            Err(ForecastError::TooShort(_)) => Ok(None),
            Err(error) => Err(FleetError::Forecast {
                service: u.service.clone(),
                error,
            }),
        })
        .collect()
}
