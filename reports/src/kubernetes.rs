//! patch.yaml: the container recommendations as one strategic-merge patch per workload
//! (requests for CPU and memory, the memory limit at its request), each document
//! headed by the `kubectl patch` command that applies it.

use headroom_forecast::rightsize::containers::{cpu_quantity, memory_quantity, ContainerRecommendation};
use std::fmt::Write;

/// Kinds whose pod template is at `spec.template` and may be patched.
const PATCHABLE: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/// One YAML document per workload, in the order the containers come.
pub fn patches(containers: &[ContainerRecommendation]) -> String {
    let mut out = String::from(
        "# Strategic-merge patches from `headroom rightsize --prometheus`: one document per workload,\n\
         # each under the command that applies it. Review before applying.\n",
    );
    let mut i = 0;
    while i < containers.len() {
        let first = &containers[i];
        let same = |c: &ContainerRecommendation| {
            (&c.namespace, &c.kind, &c.workload) == (&first.namespace, &first.kind, &first.workload)
        };
        let group: Vec<&ContainerRecommendation> = containers[i..].iter().take_while(|c| same(c)).collect();
        i += group.len();
        out.push_str(&document(&group));
    }
    out
}

fn document(group: &[&ContainerRecommendation]) -> String {
    let first = group[0];
    let body = patch_json(group);
    let mut out = String::from("---\n");
    // Without an owner the pods are a DaemonSet's or a Job's: the command for the first.
    let kind = if first.kind.is_empty() {
        "daemonset".to_string()
    } else {
        first.kind.to_ascii_lowercase()
    };
    let command = format!(
        "kubectl -n {} patch {kind} {} --patch '{body}'",
        first.namespace, first.workload
    );
    if PATCHABLE.contains(&first.kind.as_str()) {
        let _ = writeln!(out, "# {command}");
    } else if first.kind.is_empty() {
        let _ = writeln!(
            out,
            "# kind unknown (no kube-state-metrics owner): a DaemonSet's or a Job's pods; if a DaemonSet's:\n# {command}"
        );
    } else {
        let _ = writeln!(
            out,
            "# a {}'s pod template cannot be patched in place: set these in its manifest",
            first.kind
        );
    }
    let _ = writeln!(
        out,
        "# {}/{} ({:.1} pods on average)",
        first.namespace, first.workload, first.pods
    );
    out.push_str("spec:\n  template:\n    spec:\n      containers:\n");
    for c in group {
        let _ = writeln!(out, "        - name: {}", quoted(&c.container));
        out.push_str("          resources:\n");
        let _ = writeln!(
            out,
            "            requests: {{cpu: {}, memory: {}}}",
            quoted(&cpu_quantity(c.cpu_request_cores)),
            quoted(&memory_quantity(c.memory_request_bytes))
        );
        let _ = writeln!(
            out,
            "            limits: {{memory: {}}}",
            quoted(&memory_quantity(c.memory_limit_bytes))
        );
    }
    out
}

/// The same patch as one line of JSON, for `kubectl patch --patch`.
fn patch_json(group: &[&ContainerRecommendation]) -> String {
    let containers: Vec<serde_json::Value> = group
        .iter()
        .map(|c| {
            serde_json::json!({
                "name": c.container,
                "resources": {
                    "requests": {"cpu": cpu_quantity(c.cpu_request_cores), "memory": memory_quantity(c.memory_request_bytes)},
                    "limits": {"memory": memory_quantity(c.memory_limit_bytes)},
                },
            })
        })
        .collect();
    serde_json::json!({"spec": {"template": {"spec": {"containers": containers}}}}).to_string()
}

/// A YAML double-quoted scalar (JSON's string syntax).
fn quoted(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}
