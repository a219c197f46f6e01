//! Kubernetes utilisation read from a live Prometheus: cAdvisor's CPU usage rate and
//! memory working set per pod and container, and, when kube-state-metrics is scraped
//! too, today's requests and the pods' owners. Grouped by workload and container into
//! the forecast crate's `ContainerUsage`; the sizing rule itself lives there.

use crate::read::history::{parse_matrix_piece, Matrix};
use headroom_forecast::rightsize::containers::{workload_from_pod_name, ContainerUsage, Workload};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Fetches the responses of one PromQL query over the range.
pub type Fetch<'a> = dyn Fn(&str) -> anyhow::Result<Vec<String>> + 'a;

/// The shortest window `rate()` is taken over, so that it sees several samples at
/// cAdvisor's usual 15 s to 1 min scrape interval.
const MIN_RATE_WINDOW_S: u64 = 300;

/// What was read, beside the usage.
#[derive(Debug, Default)]
pub struct Found {
    pub pods: usize,
    /// Whether kube-state-metrics answered for owners and requests.
    pub owners: bool,
    pub requests: bool,
    pub queries: usize,
}

/// The PromQL queries, for `namespace` (all when None) at `step`.
pub struct Queries {
    pub cpu: String,
    pub memory: String,
    pub requests: String,
    pub pod_owners: String,
    pub replicaset_owners: String,
}

impl Queries {
    pub fn new(namespace: Option<&str>, step: Duration) -> Queries {
        let in_namespace = namespace
            .map(|ns| format!("namespace=\"{}\"", ns.replace('\\', "\\\\").replace('"', "\\\"")))
            .unwrap_or_default();
        let containers = [r#"container!="""#, r#"container!="POD""#, in_namespace.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(",");
        let window = step.as_secs().max(MIN_RATE_WINDOW_S);
        let step = step.as_secs().max(1);
        Queries {
            cpu: format!(
                "sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{{{containers}}}[{window}s]))"
            ),
            memory: format!(
                "max by (namespace, pod, container) (max_over_time(container_memory_working_set_bytes{{{containers}}}[{step}s]))"
            ),
            requests: format!(
                "max by (namespace, pod, container, resource) (kube_pod_container_resource_requests{{{}resource=~\"cpu|memory\"}})",
                if in_namespace.is_empty() { String::new() } else { format!("{in_namespace},") }
            ),
            pod_owners: format!("max by (namespace, pod, owner_kind, owner_name) (kube_pod_owner{{{in_namespace}}})"),
            replicaset_owners: format!(
                "max by (namespace, replicaset, owner_kind, owner_name) (kube_replicaset_owner{{{in_namespace}}})"
            ),
        }
    }
}

/// Every container's usage, by workload.
pub fn read_containers(queries: &Queries, fetch: &Fetch) -> anyhow::Result<(Vec<ContainerUsage>, Found)> {
    let mut found = Found::default();
    let mut run = |query: &str| -> anyhow::Result<Matrix> {
        found.queries += 1;
        let mut all = Matrix::new();
        for text in fetch(query)? {
            all.extend(parse_matrix_piece(&text, "--prometheus").map_err(|m| anyhow::anyhow!(m))?);
        }
        Ok(all)
    };
    let cpu = run(&queries.cpu)?;
    if cpu.is_empty() {
        anyhow::bail!(
            "--prometheus: no container_cpu_usage_seconds_total series in the range; expected cAdvisor's metrics \
             (the kubelet's /metrics/cadvisor) to be scraped"
        );
    }
    let memory = run(&queries.memory)?;
    let requests = run(&queries.requests)?;
    let pod_owners = run(&queries.pod_owners)?;
    let replicaset_owners = run(&queries.replicaset_owners)?;
    let owners = Owners::new(&pod_owners, &replicaset_owners);
    found.owners = !pod_owners.is_empty();
    found.requests = !requests.is_empty();

    let mut groups: BTreeMap<(Workload, String), Group> = BTreeMap::new();
    let mut pods = BTreeSet::new();
    for (labels, kind) in [(&cpu, Kind::Cpu), (&memory, Kind::Memory)] {
        for (series, samples) in labels {
            let (namespace, pod, container) = (
                label(series, "namespace"),
                label(series, "pod"),
                label(series, "container"),
            );
            pods.insert((namespace.to_string(), pod.to_string()));
            let workload = owners.workload(namespace, pod);
            let group = groups.entry((workload, container.to_string())).or_default();
            group.add(kind, pod, samples);
        }
    }
    let latest_requests = latest_requests(&requests);
    found.pods = pods.len();
    let usage = groups
        .into_iter()
        .map(|((workload, container), group)| {
            let current = |resource: &str| {
                latest_requests
                    .get(&(workload.namespace.clone(), container.clone(), resource.to_string()))
                    .and_then(|by_pod| group.latest_pod_value(by_pod))
            };
            ContainerUsage {
                current_cpu_request_cores: current("cpu"),
                current_memory_request_bytes: current("memory"),
                pods: group.mean_concurrent_pods(),
                history_days: group.span_days(),
                cpu_cores: group.cpu,
                memory_bytes: group.memory,
                workload,
                container,
            }
        })
        .collect();
    Ok((usage, found))
}

#[derive(Clone, Copy)]
enum Kind {
    Cpu,
    Memory,
}

/// One workload's container: pooled samples, and when each pod was seen.
#[derive(Default)]
struct Group {
    cpu: Vec<f64>,
    memory: Vec<f64>,
    /// Pods with a CPU sample at each time.
    pods_at: BTreeMap<i64, usize>,
    /// The last time each pod was seen.
    last_seen: BTreeMap<String, i64>,
}

impl Group {
    fn add(&mut self, kind: Kind, pod: &str, samples: &[(i64, f64)]) {
        for &(t, v) in samples.iter().filter(|(_, v)| v.is_finite()) {
            match kind {
                Kind::Cpu => {
                    self.cpu.push(v);
                    *self.pods_at.entry(t).or_default() += 1;
                }
                Kind::Memory => self.memory.push(v),
            }
            let last = self.last_seen.entry(pod.to_string()).or_insert(t);
            *last = (*last).max(t);
        }
    }

    fn mean_concurrent_pods(&self) -> f64 {
        let n = self.pods_at.len().max(1) as f64;
        self.pods_at.values().sum::<usize>() as f64 / n
    }

    fn span_days(&self) -> f64 {
        match (self.pods_at.keys().next(), self.pods_at.keys().next_back()) {
            (Some(first), Some(last)) => (last - first) as f64 / 86_400.0,
            _ => 0.0,
        }
    }

    /// The value for the pod of this group seen last.
    fn latest_pod_value(&self, by_pod: &BTreeMap<String, f64>) -> Option<f64> {
        self.last_seen
            .iter()
            .filter(|(pod, _)| by_pod.contains_key(*pod))
            .max_by_key(|(_, t)| **t)
            .and_then(|(pod, _)| by_pod.get(pod).copied())
    }
}

/// Each (namespace, container, resource)'s last requested value, by pod.
fn latest_requests(requests: &Matrix) -> BTreeMap<(String, String, String), BTreeMap<String, f64>> {
    let mut out: BTreeMap<(String, String, String), BTreeMap<String, f64>> = BTreeMap::new();
    for (series, samples) in requests {
        let Some(&(_, value)) = samples.iter().rev().find(|(_, v)| v.is_finite()) else {
            continue;
        };
        let key = (
            label(series, "namespace").to_string(),
            label(series, "container").to_string(),
            label(series, "resource").to_string(),
        );
        out.entry(key)
            .or_default()
            .insert(label(series, "pod").to_string(), value);
    }
    out
}

/// Who owns each pod (kube_pod_owner) and each ReplicaSet (kube_replicaset_owner).
struct Owners {
    pods: BTreeMap<(String, String), (String, String)>,
    replicasets: BTreeMap<(String, String), (String, String)>,
}

impl Owners {
    fn new(pod_owners: &Matrix, replicaset_owners: &Matrix) -> Owners {
        let index = |matrix: &Matrix, object: &str| {
            matrix
                .iter()
                .map(|(series, _)| {
                    (
                        (
                            label(series, "namespace").to_string(),
                            label(series, object).to_string(),
                        ),
                        (
                            label(series, "owner_kind").to_string(),
                            label(series, "owner_name").to_string(),
                        ),
                    )
                })
                .filter(|(_, (kind, name))| !kind.is_empty() && kind != "<none>" && !name.is_empty())
                .collect()
        };
        Owners {
            pods: index(pod_owners, "pod"),
            replicasets: index(replicaset_owners, "replicaset"),
        }
    }

    /// The pod's workload: its owner, a ReplicaSet's owner in turn (a Deployment), else
    /// the name rule.
    fn workload(&self, namespace: &str, pod: &str) -> Workload {
        let (kind, name) = match self.pods.get(&(namespace.to_string(), pod.to_string())) {
            Some((kind, name)) if kind == "ReplicaSet" => self
                .replicasets
                .get(&(namespace.to_string(), name.clone()))
                .cloned()
                .unwrap_or_else(|| (kind.clone(), name.clone())),
            Some(owner) => owner.clone(),
            None => workload_from_pod_name(pod),
        };
        Workload {
            namespace: namespace.to_string(),
            kind,
            name,
        }
    }
}

fn label<'a>(series: &'a serde_json::Map<String, serde_json::Value>, name: &str) -> &'a str {
    series.get(name).and_then(|v| v.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A Prometheus matrix answer: one series per (labels, values).
    fn matrix(series: &[(&str, &[(i64, f64)])]) -> String {
        let result: Vec<String> = series
            .iter()
            .map(|(labels, values)| {
                let values: Vec<String> = values.iter().map(|(t, v)| format!("[{t},\"{v}\"]")).collect();
                format!("{{\"metric\":{{{labels}}},\"values\":[{}]}}", values.join(","))
            })
            .collect();
        format!(
            "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{}]}}}}",
            result.join(",")
        )
    }

    const POD_A: &str = r#""namespace":"shop","pod":"api-7d9f8c6b5-x2k4p","container":"app""#;
    const POD_B: &str = r#""namespace":"shop","pod":"api-7d9f8c6b5-z9w2q","container":"app""#;

    /// Answers each query as a server scraping cAdvisor (and, with `kube_state`,
    /// kube-state-metrics) would; counts the queries.
    fn fake(kube_state: bool, asked: &Cell<usize>) -> impl Fn(&str) -> anyhow::Result<Vec<String>> + '_ {
        move |query: &str| {
            asked.set(asked.get() + 1);
            let cpu: [(&str, &[(i64, f64)]); 2] = [
                (POD_A, &[(1_790_000_000, 0.5), (1_790_000_060, 0.7)]),
                (POD_B, &[(1_790_000_000, 0.3), (1_790_000_060, 0.5)]),
            ];
            let memory: [(&str, &[(i64, f64)]); 2] = [
                (POD_A, &[(1_790_000_000, 1e8), (1_790_000_060, 2e8)]),
                (POD_B, &[(1_790_000_000, 3e8)]),
            ];
            let text = if query.contains("container_cpu_usage_seconds_total") {
                matrix(&cpu)
            } else if query.contains("container_memory_working_set_bytes") {
                matrix(&memory)
            } else if !kube_state {
                matrix(&[])
            } else if query.contains("kube_pod_container_resource_requests") {
                let a = r#""namespace":"shop","pod":"api-7d9f8c6b5-x2k4p","container":"app","resource":"cpu""#;
                let b = r#""namespace":"shop","pod":"api-7d9f8c6b5-z9w2q","container":"app","resource":"cpu""#;
                matrix(&[(a, &[(1_790_000_060, 0.25)]), (b, &[(1_790_000_060, 0.25)])])
            } else if query.contains("kube_pod_owner") {
                let owner = |pod: &str| {
                    format!(
                        r#""namespace":"shop","pod":"{pod}","owner_kind":"ReplicaSet","owner_name":"api-7d9f8c6b5""#
                    )
                };
                let (a, b) = (owner("api-7d9f8c6b5-x2k4p"), owner("api-7d9f8c6b5-z9w2q"));
                matrix(&[
                    (a.as_str(), &[(1_790_000_060, 1.0)]),
                    (b.as_str(), &[(1_790_000_060, 1.0)]),
                ])
            } else {
                let rs =
                    r#""namespace":"shop","replicaset":"api-7d9f8c6b5","owner_kind":"Deployment","owner_name":"api""#;
                matrix(&[(rs, &[(1_790_000_060, 1.0)])])
            };
            Ok(vec![text])
        }
    }

    #[test]
    fn pods_pool_into_their_deployment_with_todays_requests() {
        let asked = Cell::new(0);
        let queries = Queries::new(Some("shop"), Duration::from_secs(60));
        let (usage, found) = read_containers(&queries, &fake(true, &asked)).unwrap();
        assert_eq!(usage.len(), 1, "{usage:?}");
        let u = &usage[0];
        assert_eq!(
            (
                u.workload.namespace.as_str(),
                u.workload.kind.as_str(),
                u.workload.name.as_str()
            ),
            ("shop", "Deployment", "api")
        );
        assert_eq!(u.container, "app");
        // Every pod's samples pooled: 0.5 + 0.7 + 0.3 + 0.5 cores, 1e8 + 2e8 + 3e8 bytes.
        let mut cpu = u.cpu_cores.clone();
        cpu.sort_by(f64::total_cmp);
        assert_eq!(cpu, vec![0.3, 0.5, 0.5, 0.7]);
        assert_eq!(u.memory_bytes.iter().sum::<f64>(), 6e8);
        assert_eq!(u.current_cpu_request_cores, Some(0.25));
        assert_eq!(u.current_memory_request_bytes, None);
        assert_eq!((found.pods, found.owners, found.requests), (2, true, true));
        assert_eq!(found.queries, asked.get());
    }

    #[test]
    fn without_kube_state_metrics_the_pod_name_names_the_workload() {
        let asked = Cell::new(0);
        let queries = Queries::new(None, Duration::from_secs(60));
        let (usage, found) = read_containers(&queries, &fake(false, &asked)).unwrap();
        assert_eq!(usage.len(), 1, "{usage:?}");
        assert_eq!(usage[0].workload.name, "api");
        assert_eq!(usage[0].current_cpu_request_cores, None);
        assert_eq!((found.owners, found.requests), (false, false));
    }

    #[test]
    fn no_cadvisor_series_is_an_error_that_says_what_to_scrape() {
        let empty = |_: &str| -> anyhow::Result<Vec<String>> { Ok(vec![matrix(&[])]) };
        let queries = Queries::new(None, Duration::from_secs(60));
        let error = read_containers(&queries, &empty).unwrap_err().to_string();
        assert!(error.contains("container_cpu_usage_seconds_total"), "{error}");
    }
}
