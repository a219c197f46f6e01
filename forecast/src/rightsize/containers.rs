//! Right-sizing Kubernetes containers: requests per container of a workload from what
//! every pod of it used (CPU cores, memory working set), by the fleet's policy (the CPU
//! statistic with its headroom, the memory statistic with its headroom, the limit of
//! memory at its request, CPU without a limit, as Robusta KRR); the monthly change from
//! a price per vCPU-hour and GiB-hour; and the workload a pod belongs to when no owner
//! metadata says it; the whole report (`containers_report`).

use super::{quantile, sorted, MemoryStatistic, Policy, HOURS_PER_MONTH, SCHEMA_VERSION};
use headroom_loadgen::units::{GIB, MIB};
use serde::{Deserialize, Serialize};

/// A workload: what owns the pods (a Deployment through its ReplicaSet, a StatefulSet,
/// a DaemonSet, a Job...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Workload {
    pub namespace: String,
    /// `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, ... or empty when not known.
    pub kind: String,
    pub name: String,
}

/// What one container of a workload used, over all its pods.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerUsage {
    pub workload: Workload,
    pub container: String,
    /// Every pod's CPU samples, in cores, pooled.
    pub cpu_cores: Vec<f64>,
    /// Every pod's working-set samples, in bytes, pooled.
    pub memory_bytes: Vec<f64>,
    /// Pods running at once, on average over the samples.
    pub pods: f64,
    pub history_days: f64,
    /// Today's requests (the most recent pod's), when kube-state-metrics reports them.
    pub current_cpu_request_cores: Option<f64>,
    pub current_memory_request_bytes: Option<f64>,
}

/// Prices per resource, for the monthly change.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ResourcePrices {
    pub vcpu_hourly_usd: f64,
    pub gib_hourly_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerRecommendation {
    pub namespace: String,
    pub kind: String,
    pub workload: String,
    pub container: String,
    pub pods: f64,
    /// The policy's CPU percentile (p95 by default) of the pooled samples.
    pub cpu_p95_cores: f64,
    pub cpu_request_cores: f64,
    pub memory_max_bytes: f64,
    pub memory_request_bytes: f64,
    pub memory_limit_bytes: f64,
    pub current_cpu_request_cores: Option<f64>,
    pub current_memory_request_bytes: Option<f64>,
    /// Positive: the workload costs more after the change; over its average pods.
    pub monthly_usd_change: Option<f64>,
    pub flags: Vec<String>,
}

impl headroom_loadgen::schema::Schema for ContainersReport {
    const FILE: &'static str = "containers.json";
    const VERSION: u32 = SCHEMA_VERSION;
}

/// containers.json: where the usage came from, the policy and prices, every container's
/// recommendation and the total change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainersReport {
    pub schema_version: u32,
    pub source: Source,
    pub policy: Policy,
    pub prices: Option<PriceBasis>,
    pub containers: Vec<ContainerRecommendation>,
    /// The sum of the known changes; positive costs more.
    pub monthly_usd_change: f64,
    pub notes: Vec<String>,
}

/// The Prometheus read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub prometheus: String,
    pub namespace: Option<String>,
    pub range: String,
    pub step: String,
    /// Days the longest container's data spans (less than `range` for a young cluster).
    #[serde(default)]
    pub data_days: Option<f64>,
    pub pods: usize,
    /// Whether kube-state-metrics gave the pods' owners (else the pod-name rule).
    pub owners_from_kube_state_metrics: bool,
    /// Whether kube-state-metrics gave today's requests.
    pub requests_from_kube_state_metrics: bool,
}

impl Source {
    /// The period the figures stand on: the range asked for, or what the data held
    /// when that is under 90% of it ("2.0 days of data (14d asked)").
    pub fn period(&self) -> String {
        let asked_days = headroom_loadgen::units::parse_duration(&self.range).map(|d| d.as_secs_f64() / 86_400.0);
        match (self.data_days, asked_days) {
            (Some(data), Ok(asked)) if data < 0.9 * asked => {
                format!("{data:.1} days of data ({} asked)", self.range)
            }
            _ => self.range.clone(),
        }
    }
}

/// The prices used and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceBasis {
    #[serde(flatten)]
    pub prices: ResourcePrices,
    /// The catalogue they were fitted to, and how well (R²).
    pub fitted_to: String,
    pub r_squared: f64,
}

/// The recommendation for one container.
pub fn recommend_container(
    usage: &ContainerUsage,
    policy: &Policy,
    prices: Option<ResourcePrices>,
) -> ContainerRecommendation {
    let cpu = sorted(&usage.cpu_cores);
    let memory = sorted(&usage.memory_bytes);
    let cpu_statistic = quantile(&cpu, policy.cpu_percentile / 100.0);
    let memory_max = memory.last().copied().unwrap_or(0.0);
    let memory_statistic = match policy.memory {
        MemoryStatistic::Max => memory_max,
        MemoryStatistic::Percentile(q) => quantile(&memory, q / 100.0),
    };
    let cpu_request = super::cpu_target(cpu_statistic, policy);
    let memory_request = memory_statistic * (1.0 + policy.memory_headroom);
    let monthly_usd_change = prices
        .zip(usage.current_cpu_request_cores)
        .zip(usage.current_memory_request_bytes)
        .map(|((p, cpu_now), memory_now)| {
            let per_pod_hourly =
                (cpu_request - cpu_now) * p.vcpu_hourly_usd + (memory_request - memory_now) / GIB * p.gib_hourly_usd;
            per_pod_hourly * usage.pods * HOURS_PER_MONTH
        });
    let mut flags = Vec::new();
    if usage.current_cpu_request_cores.is_none() || usage.current_memory_request_bytes.is_none() {
        flags.push("no_current_requests".to_string());
    }
    if usage.current_memory_request_bytes.is_some_and(|now| memory_max > now) {
        flags.push("memory_above_request".to_string());
    }
    if usage.history_days < policy.min_history_days {
        flags.push("short_history".to_string());
    }
    let p50 = quantile(&cpu, 0.5);
    if p50 > 0.0 && quantile(&cpu, 0.99) / p50 > policy.spiky_ratio {
        flags.push("spiky_cpu".to_string());
    }
    ContainerRecommendation {
        namespace: usage.workload.namespace.clone(),
        kind: usage.workload.kind.clone(),
        workload: usage.workload.name.clone(),
        container: usage.container.clone(),
        pods: usage.pods,
        cpu_p95_cores: cpu_statistic,
        cpu_request_cores: cpu_request,
        memory_max_bytes: memory_max,
        memory_request_bytes: memory_request,
        memory_limit_bytes: memory_request,
        current_cpu_request_cores: usage.current_cpu_request_cores,
        current_memory_request_bytes: usage.current_memory_request_bytes,
        monthly_usd_change,
        flags,
    }
}

/// The containers' report: each container recommended by the policy (priced when
/// `prices` are known), sorted by namespace, workload and container, with notes on
/// what the source lacked.
pub fn containers_report(
    usage: &[ContainerUsage],
    policy: Policy,
    prices: Option<PriceBasis>,
    source: Source,
) -> ContainersReport {
    let mut containers: Vec<ContainerRecommendation> = usage
        .iter()
        .map(|u| recommend_container(u, &policy, prices.as_ref().map(|p| p.prices)))
        .collect();
    containers
        .sort_by(|a, b| (&a.namespace, &a.workload, &a.container).cmp(&(&b.namespace, &b.workload, &b.container)));
    let source = Source {
        data_days: usage.iter().map(|u| u.history_days).reduce(f64::max),
        ..source
    };
    let mut notes = Vec::new();
    if !source.owners_from_kube_state_metrics {
        notes.push(
            "no kube_pod_owner series (kube-state-metrics): workloads named from pod names (NAME-HASH-SUFFIX a \
             Deployment, NAME-N a StatefulSet)"
                .to_string(),
        );
    }
    if !source.requests_from_kube_state_metrics {
        notes.push(
            "no kube_pod_container_resource_requests series: today's requests and the cost change unknown".into(),
        );
    }
    if prices.is_none() {
        notes.push("no --catalog: no cost change".into());
    }
    ContainersReport {
        schema_version: SCHEMA_VERSION,
        source,
        policy,
        monthly_usd_change: containers.iter().filter_map(|c| c.monthly_usd_change).sum(),
        prices,
        containers,
        notes,
    }
}

/// Prices per vCPU-hour and GiB-hour that best explain a catalogue of instance types'
/// hourly prices (least squares of price = a vcpu + b GiB, both at least 0), and R² of
/// the fit. None without two types that tell the resources apart.
pub fn resource_prices(catalogue: &[super::InstanceType]) -> Option<(ResourcePrices, f64)> {
    let (mut vv, mut vm, mut mm, mut vh, mut mh) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for t in catalogue {
        vv += t.vcpu * t.vcpu;
        vm += t.vcpu * t.mem_gib;
        mm += t.mem_gib * t.mem_gib;
        vh += t.vcpu * t.hourly_usd;
        mh += t.mem_gib * t.hourly_usd;
    }
    let det = vv * mm - vm * vm;
    let (a, b) = if det.abs() > 1e-9 * vv * mm {
        ((vh * mm - mh * vm) / det, (mh * vv - vh * vm) / det)
    } else {
        return None;
    };
    // A negative price is no price: fit the other resource alone.
    let (a, b) = match (a >= 0.0, b >= 0.0) {
        (true, true) => (a, b),
        (false, _) => (0.0, mh / mm),
        (_, false) => (vh / vv, 0.0),
    };
    let mean = catalogue.iter().map(|t| t.hourly_usd).sum::<f64>() / catalogue.len() as f64;
    let total: f64 = catalogue.iter().map(|t| (t.hourly_usd - mean).powi(2)).sum();
    let residual: f64 = catalogue
        .iter()
        .map(|t| (t.hourly_usd - a * t.vcpu - b * t.mem_gib).powi(2))
        .sum();
    let r_squared = if total > 0.0 { 1.0 - residual / total } else { 1.0 };
    Some((
        ResourcePrices {
            vcpu_hourly_usd: a,
            gib_hourly_usd: b,
        },
        r_squared,
    ))
}

/// The workload of a pod named by its controller, when no owner metadata says it: a
/// Deployment's pod is `NAME-HASH-SUFFIX` (the ReplicaSet's pod-template hash and the
/// pod's suffix, both in Kubernetes' vowel-free alphabet), a StatefulSet's `NAME-N`, a
/// DaemonSet's or a Job's `NAME-SUFFIX` (kind unknown). A name that fits none is its own
/// workload.
pub fn workload_from_pod_name(pod: &str) -> (String, String) {
    let Some((rest, last)) = pod.rsplit_once('-') else {
        return (String::new(), pod.to_string());
    };
    if !rest.is_empty() && !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return ("StatefulSet".into(), rest.to_string());
    }
    if last.len() != 5 || !generated(last) {
        return (String::new(), pod.to_string());
    }
    match rest.rsplit_once('-') {
        Some((name, hash)) if !name.is_empty() && (6..=10).contains(&hash.len()) && generated(hash) => {
            ("Deployment".into(), name.to_string())
        }
        _ => (String::new(), rest.to_string()),
    }
}

/// Characters of Kubernetes' generated names (k8s.io/apimachinery rand.SafeEncodeString):
/// no vowels, and none of 0, 1 and 3, so that no word can be spelled.
fn generated(text: &str) -> bool {
    const ALPHABET: &str = "bcdfghjklmnpqrstvwxz2456789";
    text.chars().all(|c| ALPHABET.contains(c))
}

/// A CPU request as Kubernetes writes it, rounded up: `250m`, at least `1m`.
pub fn cpu_quantity(cores: f64) -> String {
    format!("{}m", (cores * 1000.0).ceil().max(1.0) as u64)
}

/// A memory quantity, rounded up to a whole MiB: `512Mi`.
pub fn memory_quantity(bytes: f64) -> String {
    format!("{}Mi", (bytes / MIB).ceil().max(1.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rightsize::InstanceType;

    #[test]
    fn pod_names_give_their_workloads() {
        let cases = [
            ("api-server-7d4b9c8f6-x2x9z", "Deployment", "api-server"),
            ("web-5c9f7b6d4d-abcde", "", "web-5c9f7b6d4d-abcde"), // vowels: not generated
            ("web-5c9f7b6d4d-bcdfg", "Deployment", "web"),
            ("postgres-0", "StatefulSet", "postgres"),
            ("kafka-12", "StatefulSet", "kafka"),
            ("node-exporter-x2x9z", "", "node-exporter"), // DaemonSet or Job
            ("standalone", "", "standalone"),
        ];
        for (pod, kind, name) in cases {
            assert_eq!(
                workload_from_pod_name(pod),
                (kind.to_string(), name.to_string()),
                "{pod}"
            );
        }
    }

    #[test]
    fn prices_per_resource_recover_a_linear_catalogue() {
        // hourly = 0.03 per vCPU + 0.004 per GiB exactly: the fit returns both, R² 1.
        let t = |name: &str, vcpu: f64, mem_gib: f64| InstanceType {
            name: name.into(),
            vcpu,
            mem_gib,
            hourly_usd: 0.03 * vcpu + 0.004 * mem_gib,
            spot_hourly_usd: None,
        };
        let (p, r2) = resource_prices(&[t("a", 2.0, 4.0), t("b", 4.0, 16.0), t("c", 8.0, 16.0)]).unwrap();
        assert!((p.vcpu_hourly_usd - 0.03).abs() < 1e-12 && (p.gib_hourly_usd - 0.004).abs() < 1e-12);
        assert!((r2 - 1.0).abs() < 1e-12);
        // One shape only: CPU and memory cannot be told apart.
        assert!(resource_prices(&[t("a", 2.0, 4.0), t("b", 4.0, 8.0)]).is_none());
    }

    #[test]
    fn the_period_is_what_the_data_held_when_shorter_than_asked() {
        let source = |data_days: Option<f64>| Source {
            prometheus: "http://127.0.0.1:9090".into(),
            namespace: None,
            range: "14d".into(),
            step: "5m".into(),
            data_days,
            pods: 1,
            owners_from_kube_state_metrics: true,
            requests_from_kube_state_metrics: true,
        };
        assert_eq!(source(Some(2.04)).period(), "2.0 days of data (14d asked)");
        // 13 of 14 days is over 90%: the range stands.
        assert_eq!(source(Some(13.0)).period(), "14d");
        assert_eq!(source(None).period(), "14d");
    }

    #[test]
    fn quantities_round_up() {
        assert_eq!(cpu_quantity(0.2501), "251m");
        assert_eq!(cpu_quantity(0.0), "1m");
        assert_eq!(memory_quantity(512.0 * 1024.0 * 1024.0), "512Mi");
        assert_eq!(memory_quantity(512.0 * 1024.0 * 1024.0 + 1.0), "513Mi");
    }
}
