//! Right-sizing: from a service's utilisation (total CPU cores and memory over time), a
//! price catalogue and a policy, the cheapest instance type and count that meets CPU,
//! memory and redundancy, with the monthly cost against today's, risk flags and a
//! confidence (`recommend`); the whole fleet's report with forecast peaks
//! (`fleet_report`, in `fleet`); the policy (`policy`); and the same policy per
//! Kubernetes container (`containers`). Pure functions; reading fleets, catalogues and
//! Prometheus is the CLI's job. It prices with the catalogue alone: the plan's cost
//! (`capacity::plan`) prices with the same `InstanceType`.

pub mod containers;
mod fleet;
mod policy;
pub use fleet::{fleet_report, FleetError};
pub(crate) use policy::redundancy_text;
pub use policy::{MemoryStatistic, Policy, Redundancy};

use serde::{Deserialize, Serialize};

/// Hours in a month, as cloud bills count them (365 x 24 / 12).
pub const HOURS_PER_MONTH: f64 = 730.0;
pub const SCHEMA_VERSION: u32 = 1;
use headroom_loadgen::units::GIB;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceType {
    pub name: String,
    pub vcpu: f64,
    pub mem_gib: f64,
    pub hourly_usd: f64,
    pub spot_hourly_usd: Option<f64>,
}

impl InstanceType {
    pub fn monthly_usd(&self, count: u32) -> f64 {
        self.hourly_usd * HOURS_PER_MONTH * count as f64
    }
}

/// What a service used: total cores and bytes across its instances at each sample time.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub service: String,
    pub cpu_cores: Vec<f64>,
    pub mem_bytes: Vec<f64>,
    pub history_days: f64,
    /// Unix seconds of the first sample and the typical gap between samples.
    pub start: i64,
    pub step_s: i64,
    /// The most memory any one instance used: a working set that must fit on one
    /// instance, however many instances share the load.
    pub instance_mem_peak_bytes: f64,
}

/// Today's placement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub instance_type: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub service: String,
    pub current: Option<Placement>,
    pub recommended: Placement,
    /// Cores the recommendation provides (all instances).
    pub recommended_cores: f64,
    pub current_monthly_usd: Option<f64>,
    pub recommended_monthly_usd: f64,
    /// Positive: saved; negative: the service needs more.
    pub savings_monthly_usd: Option<f64>,
    pub savings_yearly_usd: Option<f64>,
    pub cpu_p50_cores: f64,
    pub cpu_p95_cores: f64,
    pub cpu_p99_cores: f64,
    /// The CPU statistic sized for (the policy's percentile, or the forecast peak).
    pub cpu_sized_cores: f64,
    pub mem_peak_gib: f64,
    /// Cores and GiB the recommendation must provide (after headroom and caps).
    pub cpu_target_cores: f64,
    pub mem_target_gib: f64,
    pub flags: Vec<String>,
    /// 0 to 1, growing with the length of history: days / (days + 7).
    pub confidence: f64,
    /// Cores today's placement provides (all instances), when there is one.
    #[serde(default)]
    pub current_cores: Option<f64>,
    /// Why this size, in a sentence: the statistic sized for, the headroom, the spares.
    #[serde(default)]
    pub reason: String,
}

impl headroom_loadgen::schema::Schema for Report {
    const FILE: &'static str = "rightsize.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

/// rightsize.json: the policy used, every service's recommendation and the fleet totals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub policy: Policy,
    pub forecast_horizon: Option<String>,
    pub services: Vec<Recommendation>,
    pub total: Totals,
}

/// Fleet totals. Today's cost and the savings are over the same services on both sides:
/// those with a current placement; the recommended fleet's cost is also given whole.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Services with a current placement, of `services`.
    #[serde(default)]
    pub compared_services: usize,
    #[serde(default)]
    pub services: usize,
    /// Today's cost of the compared services.
    pub current_monthly_usd: f64,
    /// The recommendation's cost for the compared services.
    #[serde(default)]
    pub recommended_compared_monthly_usd: f64,
    /// The recommendation's cost for every service.
    pub recommended_monthly_usd: f64,
    pub savings_monthly_usd: f64,
    pub savings_yearly_usd: f64,
}

impl Totals {
    pub fn over(services: &[Recommendation]) -> Totals {
        let mut t = Totals {
            services: services.len(),
            ..Totals::default()
        };
        for s in services {
            t.recommended_monthly_usd += s.recommended_monthly_usd;
            if let Some(current) = s.current_monthly_usd {
                t.compared_services += 1;
                t.current_monthly_usd += current;
                t.recommended_compared_monthly_usd += s.recommended_monthly_usd;
            }
        }
        t.savings_monthly_usd = t.current_monthly_usd - t.recommended_compared_monthly_usd;
        t.savings_yearly_usd = 12.0 * t.savings_monthly_usd;
        t
    }

    /// One sentence: the recommendation's cost, and today's against it over the same
    /// services when any has a current placement.
    pub fn describe(&self) -> String {
        let recommended = format!("recommended ${:.2}/month", self.recommended_monthly_usd);
        if self.compared_services == 0 {
            return format!("{recommended} (give --current PLACEMENT.csv to compare with today's)");
        }
        let which = if self.compared_services == self.services {
            "the whole fleet".to_string()
        } else {
            format!(
                "the {} of {} services placed today",
                self.compared_services, self.services
            )
        };
        let verdict = if self.savings_monthly_usd >= 0.0 {
            format!(
                "saves ${:.2}/month (${:.2}/year)",
                self.savings_monthly_usd, self.savings_yearly_usd
            )
        } else {
            format!("costs ${:.2}/month more", -self.savings_monthly_usd)
        };
        format!(
            "{recommended}; for {which}: ${:.2}/month now, ${:.2} recommended: {verdict}",
            self.current_monthly_usd, self.recommended_compared_monthly_usd
        )
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RightsizeError {
    #[error("service `{0}`: no usage samples")]
    NoSamples(String),
    #[error("service `{service}`: no catalogue type is large enough: {cores:.2} cores and {gib:.2} GiB in all, one instance's working set of {instance_gib:.2} GiB, at most {max} instances")]
    NothingFits {
        service: String,
        cores: f64,
        gib: f64,
        instance_gib: f64,
        max: u32,
    },
    #[error("service `{service}`: current type `{instance_type}` is not in the catalogue")]
    UnknownType { service: String, instance_type: String },
}

/// Most instances a recommendation may use (beyond it, the catalogue is too small).
const MAX_INSTANCES: u32 = 1000;

/// Sizes one service. `forecast_peak_cores`, when given, is the forecast peak of its
/// total CPU over the horizon; the policy decides whether to size for it.
pub fn recommend(
    usage: &Usage,
    catalogue: &[InstanceType],
    current: Option<&Placement>,
    policy: &Policy,
    forecast_peak_cores: Option<f64>,
) -> Result<Recommendation, RightsizeError> {
    if usage.cpu_cores.is_empty() {
        return Err(RightsizeError::NoSamples(usage.service.clone()));
    }
    let cpu = sorted(&usage.cpu_cores);
    let mem = sorted(&usage.mem_bytes);
    let (p50, p95, p99) = (quantile(&cpu, 0.50), quantile(&cpu, 0.95), quantile(&cpu, 0.99));
    let cpu_stat = quantile(&cpu, policy.cpu_percentile / 100.0);
    let cpu_sized = match (policy.size_for_forecast_peak, forecast_peak_cores) {
        (true, Some(peak)) => peak.max(cpu_stat),
        _ => cpu_stat,
    };
    let mem_peak_gib = mem.last().copied().unwrap_or(0.0) / GIB;
    let mem_stat_gib = match policy.memory {
        MemoryStatistic::Max => mem_peak_gib,
        MemoryStatistic::Percentile(q) => quantile(&mem, q / 100.0) / GIB,
    };
    let cpu_target = cpu_target(cpu_sized, policy);
    let mem_target = mem_stat_gib * (1.0 + policy.memory_headroom);
    let instance_gib = usage.instance_mem_peak_bytes / GIB * (1.0 + policy.memory_headroom);
    let recommended = cheapest(catalogue, cpu_target, mem_target, instance_gib, policy).ok_or_else(|| {
        RightsizeError::NothingFits {
            service: usage.service.clone(),
            cores: cpu_target,
            gib: mem_target,
            instance_gib,
            max: MAX_INSTANCES,
        }
    })?;
    let current_type = current
        .map(|p| {
            catalogue
                .iter()
                .find(|t| t.name == p.instance_type)
                .ok_or_else(|| RightsizeError::UnknownType {
                    service: usage.service.clone(),
                    instance_type: p.instance_type.clone(),
                })
        })
        .transpose()?;
    let recommended_type = catalogue
        .iter()
        .find(|t| t.name == recommended.instance_type)
        .expect("chosen from the catalogue");
    let recommended_monthly = recommended_type.monthly_usd(recommended.count);
    let current_monthly = current.zip(current_type).map(|(p, t)| t.monthly_usd(p.count));
    let mut flags = Vec::new();
    if let (Some(p), Some(t)) = (current, current_type) {
        let (cores, gib) = (t.vcpu * p.count as f64, t.mem_gib * p.count as f64);
        if cores < cpu_target || gib < mem_target {
            flags.push("under_provisioned".to_string());
        }
        if mem_peak_gib > policy.memory_near_limit * gib {
            flags.push("memory_near_limit".to_string());
        }
    }
    if let Some(peak) = forecast_peak_cores {
        let capacity = recommended_type.vcpu * recommended.count as f64;
        if peak > policy.peak_utilisation_bound * capacity {
            flags.push("hot_at_forecast_peak".to_string());
        }
    }
    if usage.history_days < policy.min_history_days {
        flags.push("short_history".to_string());
    }
    if p50 > 0.0 && p99 / p50 > policy.spiky_ratio {
        flags.push("spiky_cpu".to_string());
    }
    let savings = current_monthly.map(|c| c - recommended_monthly);
    let mut reason = reason(
        &Sized {
            cpu_sized,
            cpu_target,
            mem_target,
            forecast_peak: policy.size_for_forecast_peak && forecast_peak_cores.is_some_and(|p| p >= cpu_stat),
        },
        recommended_type,
        recommended.count,
        policy,
    );
    if let (Some(p), Some(t), Some(saving)) = (current, current_type, savings) {
        if saving < -0.005 {
            let why = shortfall(p.count, t, cpu_target, mem_target, policy);
            reason.push_str(&format!("; ${:.2}/month more than today's because {why}", -saving));
        }
    }
    Ok(Recommendation {
        service: usage.service.clone(),
        current: current.cloned(),
        recommended_cores: recommended_type.vcpu * recommended.count as f64,
        recommended,
        current_monthly_usd: current_monthly,
        recommended_monthly_usd: recommended_monthly,
        savings_monthly_usd: savings,
        savings_yearly_usd: savings.map(|s| s * 12.0),
        cpu_p50_cores: p50,
        cpu_p95_cores: p95,
        cpu_p99_cores: p99,
        cpu_sized_cores: cpu_sized,
        mem_peak_gib,
        cpu_target_cores: cpu_target,
        mem_target_gib: mem_target,
        flags,
        confidence: usage.history_days / (usage.history_days + 7.0),
        current_cores: current.zip(current_type).map(|(p, t)| t.vcpu * p.count as f64),
        reason,
    })
}

/// The cores to provide for a sized CPU statistic: headroom as a target utilisation
/// (sized / (1 + headroom) ... used), capped by the load test's safe share of peak when
/// a limits.json gives one.
fn cpu_target(cpu_sized: f64, policy: &Policy) -> f64 {
    let utilisation_cap = (1.0 / (1.0 + policy.headroom)).min(policy.max_utilisation.unwrap_or(1.0));
    cpu_sized / utilisation_cap
}

/// Why today's `count` x `t` does not do: what it holds with the redundancy's spares
/// lost against what the policy needs ("today's 4 x gp.large hold 6.0 cores with 1
/// lost (n+1), under the 6.9 needed").
fn shortfall(count: u32, t: &InstanceType, cpu_target: f64, mem_target: f64, policy: &Policy) -> String {
    let spares = policy.redundancy.spares();
    let active = count.saturating_sub(spares) as f64;
    let lost = if spares > 0 {
        format!(" with {spares} lost ({})", policy.redundancy)
    } else {
        String::new()
    };
    let today = format!("today's {count} x {}", t.name);
    if active * t.vcpu < cpu_target {
        format!(
            "{today} hold {:.1} cores{lost}, under the {cpu_target:.1} needed",
            active * t.vcpu
        )
    } else if active * t.mem_gib < mem_target {
        format!(
            "{today} hold {:.1} GiB{lost}, under the {mem_target:.1} needed",
            active * t.mem_gib
        )
    } else {
        format!("{today} meet the need, but the catalogue's cheaper placements do not meet the policy")
    }
}

/// What a service was sized for.
struct Sized {
    cpu_sized: f64,
    cpu_target: f64,
    mem_target: f64,
    forecast_peak: bool,
}

/// "4 x gp.large: 6.9 cores for p95 CPU 4.8 cores at 70% utilisation, + 1 spare (n+1)":
/// which of CPU, memory or the minimum count decided the count, and the spares.
fn reason(s: &Sized, t: &InstanceType, count: u32, policy: &Policy) -> String {
    let spares = policy.redundancy.spares();
    let for_cpu = (s.cpu_target / t.vcpu).ceil().max(1.0) as u32;
    let for_mem = (s.mem_target / t.mem_gib).ceil().max(1.0) as u32;
    let statistic = if s.forecast_peak {
        "the forecast peak".to_string()
    } else {
        format!("p{} CPU", policy.cpu_percentile)
    };
    let driver = if for_mem > for_cpu {
        format!(
            "{:.1} GiB of memory with {:.0}% headroom",
            s.mem_target,
            policy.memory_headroom * 100.0
        )
    } else {
        format!(
            "{:.1} cores for {statistic} of {:.2} cores at {:.0}% utilisation",
            s.cpu_target,
            s.cpu_sized,
            s.cpu_sized / s.cpu_target * 100.0
        )
    };
    let mut text = format!("{count} x {}: {driver}", t.name);
    if spares > 0 {
        let noun = if spares == 1 { "spare" } else { "spares" };
        text.push_str(&format!(", + {spares} {noun} (n+{spares})"));
    }
    if count == policy.min_instances && for_cpu.max(for_mem) + spares < count {
        text.push_str(&format!(
            ", at the policy's minimum of {} instances",
            policy.min_instances
        ));
    }
    text
}

/// The cheapest type x count with count x vcpu >= cores and count x mem >= gib, on a type
/// that holds one instance's working set, at least the policy's minimum, plus the
/// redundancy's spare instances (so that losing them still meets the target). Ties go
/// to fewer instances.
fn cheapest(catalogue: &[InstanceType], cores: f64, gib: f64, instance_gib: f64, policy: &Policy) -> Option<Placement> {
    catalogue
        .iter()
        .filter_map(|t| {
            if t.vcpu <= 0.0 || t.mem_gib < instance_gib {
                return None;
            }
            let needed = (cores / t.vcpu).ceil().max((gib / t.mem_gib).ceil()).max(1.0) as u32;
            let count = (needed + policy.redundancy.spares()).max(policy.min_instances);
            (count <= MAX_INSTANCES).then(|| (t.monthly_usd(count), count, t))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
        .map(|(_, count, t)| Placement {
            instance_type: t.name.clone(),
            count,
        })
}

use crate::stats::{quantile_sorted as quantile, sorted};

#[cfg(test)]
mod tests;
