//! `headroom rightsize --prometheus` against a real Prometheus holding a generated day of
//! cAdvisor and kube-state-metrics series (backfilled with promtool): each container's
//! requests equal the default policy computed here in closed form (CPU: p95 of a
//! sinusoid, + 20%; memory: the one peak sample, + 15%, limit = request), workloads
//! come from owners or, without them, from pod names, the cost change from a catalogue
//! priced exactly per vCPU and GiB, and patch.yaml parses with the expected fields.

mod common;
use common::*;
use serde_json::Value;
use std::f64::consts::{PI, TAU};
use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

const MIB: f64 = 1024.0 * 1024.0;
const GIB: f64 = 1024.0 * MIB;
/// Samples every minute, for 26 hours up to now (the query reads the last 24).
const SAMPLE_S: u64 = 60;
const HOURS: u64 = 26;
/// CPU rates are sinusoids of this period: four whole periods in a day.
const PERIOD_S: f64 = 6.0 * 3600.0;

/// One container of one pod: CPU rate base + amp sin(2 pi t / P + phase) cores, memory
/// a sinusoid of `mem_mib` +- 10% with one sample of `peak_mib` at the middle of the day.
struct Container {
    namespace: &'static str,
    pod: &'static str,
    container: &'static str,
    base: f64,
    amp: f64,
    phase: f64,
    mem_mib: f64,
    peak_mib: f64,
}

const CONTAINERS: &[Container] = &[
    Container {
        namespace: "shop",
        pod: "api-7d4b9c8f6-x2x9z",
        container: "app",
        base: 0.40,
        amp: 0.20,
        phase: 0.0,
        mem_mib: 300.0,
        peak_mib: 700.0,
    },
    Container {
        namespace: "shop",
        pod: "api-7d4b9c8f6-k8t5w",
        container: "app",
        base: 0.40,
        amp: 0.20,
        phase: 2.0,
        mem_mib: 300.0,
        peak_mib: 300.0,
    },
    Container {
        namespace: "shop",
        pod: "api-7d4b9c8f6-x2x9z",
        container: "envoy",
        base: 0.05,
        amp: 0.02,
        phase: 1.0,
        mem_mib: 60.0,
        peak_mib: 60.0,
    },
    Container {
        namespace: "shop",
        pod: "api-7d4b9c8f6-k8t5w",
        container: "envoy",
        base: 0.05,
        amp: 0.02,
        phase: 3.0,
        mem_mib: 60.0,
        peak_mib: 60.0,
    },
    Container {
        namespace: "shop",
        pod: "db-0",
        container: "postgres",
        base: 1.0,
        amp: 0.5,
        phase: 0.5,
        mem_mib: 2000.0,
        peak_mib: 2600.0,
    },
    // No owner series: the name rule makes it the Deployment `cache`.
    Container {
        namespace: "shop",
        pod: "cache-5c9f7b6d4d-bcdfg",
        container: "redis",
        base: 0.10,
        amp: 0.05,
        phase: 0.0,
        mem_mib: 100.0,
        peak_mib: 100.0,
    },
    // Outside --namespace shop: must not appear.
    Container {
        namespace: "kube-system",
        pod: "coredns-6d4b75cb6d-pqrst",
        container: "coredns",
        base: 0.1,
        amp: 0.0,
        phase: 0.0,
        mem_mib: 50.0,
        peak_mib: 50.0,
    },
];

/// Today's requests for every container but `cache`'s: 500m and 512 MiB.
const CPU_REQUEST_NOW: f64 = 0.5;
const MEM_REQUEST_NOW_MIB: f64 = 512.0;

/// The cumulative CPU seconds: the integral of the rate, in closed form.
fn cpu_seconds(c: &Container, t: f64) -> f64 {
    let w = TAU / PERIOD_S;
    c.base * t + c.amp / w * (c.phase.cos() - (w * t + c.phase).cos())
}

fn working_set(c: &Container, t: u64, noon: u64) -> f64 {
    if t == noon {
        return c.peak_mib * MIB;
    }
    let w = TAU / PERIOD_S;
    (c.mem_mib * (1.0 + 0.1 * (w * t as f64 + c.phase).sin())).min(c.mem_mib * 1.1) * MIB
}

fn openmetrics(now: u64) -> String {
    let start = now - HOURS * 3600;
    let noon = now - 12 * 3600;
    let labels = |c: &Container| {
        format!(
            "namespace=\"{}\",pod=\"{}\",container=\"{}\"",
            c.namespace, c.pod, c.container
        )
    };
    let mut om = String::new();
    // Every container's samples of one cAdvisor metric, a minute apart.
    let mut cadvisor = |family: &str, kind: &str, sample: &dyn Fn(&Container, u64) -> String| {
        let _ = writeln!(om, "# TYPE {family} {kind}");
        let metric = if kind == "counter" {
            format!("{family}_total")
        } else {
            family.to_string()
        };
        for c in CONTAINERS {
            for t in (start..=now).step_by(SAMPLE_S as usize) {
                let _ = writeln!(om, "{metric}{{{}}} {} {t}", labels(c), sample(c, t));
            }
        }
    };
    cadvisor("container_cpu_usage_seconds", "counter", &|c, t| {
        format!("{:.6}", cpu_seconds(c, (t - start) as f64))
    });
    cadvisor("container_memory_working_set_bytes", "gauge", &|c, t| {
        format!("{:.0}", working_set(c, t, noon))
    });
    om.push_str("# TYPE kube_pod_container_resource_requests gauge\n");
    for c in CONTAINERS.iter().filter(|c| c.container != "redis") {
        for t in (start..=now).step_by(300) {
            let _ = writeln!(
                om,
                "kube_pod_container_resource_requests{{{},resource=\"cpu\",unit=\"core\"}} {CPU_REQUEST_NOW} {t}",
                labels(c)
            );
            let _ = writeln!(
                om,
                "kube_pod_container_resource_requests{{{},resource=\"memory\",unit=\"byte\"}} {:.0} {t}",
                labels(c),
                MEM_REQUEST_NOW_MIB * MIB
            );
        }
    }
    om.push_str("# TYPE kube_pod_owner gauge\n");
    let owners = [
        ("api-7d4b9c8f6-x2x9z", "ReplicaSet", "api-7d4b9c8f6"),
        ("api-7d4b9c8f6-k8t5w", "ReplicaSet", "api-7d4b9c8f6"),
        ("db-0", "StatefulSet", "db"),
    ];
    for (pod, kind, name) in owners {
        for t in (start..=now).step_by(300) {
            let _ = writeln!(
                om,
                "kube_pod_owner{{namespace=\"shop\",pod=\"{pod}\",owner_kind=\"{kind}\",owner_name=\"{name}\"}} 1 {t}"
            );
        }
    }
    om.push_str("# TYPE kube_replicaset_owner gauge\n");
    for t in (start..=now).step_by(300) {
        let _ = writeln!(om, "kube_replicaset_owner{{namespace=\"shop\",replicaset=\"api-7d4b9c8f6\",owner_kind=\"Deployment\",owner_name=\"api\"}} 1 {t}");
    }
    om.push_str("# EOF\n");
    om
}

/// p95 of base + amp sin(theta), theta uniform over whole periods:
/// P(sin theta <= x) = 1/2 + asin(x) / pi, so x_q = sin(pi (q - 1/2)).
fn sinusoid_p95(base: f64, amp: f64) -> f64 {
    base + amp * (PI * (0.95 - 0.5)).sin()
}

fn row<'a>(containers: &'a [Value], workload: &str, container: &str) -> &'a Value {
    containers
        .iter()
        .find(|c| c["workload"] == workload && c["container"] == container)
        .unwrap_or_else(|| panic!("no {workload}/{container} in {containers:?}"))
}

#[test]
fn containers_are_sized_by_the_policy_from_a_live_prometheus() {
    let Some(dir) = prometheus_or_skip() else { return };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / SAMPLE_S * SAMPLE_S;
    let (_server, url) = Prometheus::start(dir.path(), &openmetrics(now));
    // Priced exactly $0.03 per vCPU-hour and $0.004 per GiB-hour.
    let catalog = write(
        dir.path(),
        "prices.csv",
        "instance_type,vcpu,mem_gib,hourly_usd\nsmall,2,4,0.076\nwide,4,16,0.184\ntall,8,16,0.304\n",
    );
    let out = dir.path().join("out");
    let run = |step: &str, out: &std::path::Path| {
        let args = [
            "rightsize",
            "--prometheus",
            &url,
            "--namespace",
            "shop",
            "--range",
            "1d",
            "--step",
            step,
            "--catalog",
            catalog.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ];
        let result = headroom(&args);
        assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
        let report: Value = serde_json::from_slice(&result.stdout).unwrap();
        report
    };
    let report = run("5m", &out);
    let containers = report["containers"].as_array().unwrap();
    assert_eq!(
        containers.len(),
        4,
        "api/app, api/envoy, db/postgres, cache/redis: {containers:?}"
    );
    assert!(containers.iter().all(|c| c["namespace"] == "shop"));

    for (workload, kind, container, base, amp, peak_mib, pods) in [
        ("api", "Deployment", "app", 0.40, 0.20, 700.0, 2.0),
        ("api", "Deployment", "envoy", 0.05, 0.02, 66.0, 2.0),
        ("db", "StatefulSet", "postgres", 1.0, 0.5, 2600.0, 1.0),
        ("cache", "Deployment", "redis", 0.10, 0.05, 110.0, 1.0),
    ] {
        let c = row(containers, workload, container);
        let name = format!("{workload}/{container}");
        assert_eq!(c["kind"], kind, "{name}");
        assert!(
            within(c["pods"].as_f64().unwrap(), pods, 0.02),
            "{name}: pods {}",
            c["pods"]
        );
        let p95 = sinusoid_p95(base, amp);
        let cpu_p95 = c["cpu_p95_cores"].as_f64().unwrap();
        assert!(
            within(cpu_p95, p95, 0.02),
            "{name}: cpu p95 {cpu_p95}, closed form {p95}"
        );
        let cpu_request = c["cpu_request_cores"].as_f64().unwrap();
        assert!(
            within(cpu_request, 1.2 * p95, 0.02),
            "{name}: cpu request {cpu_request}"
        );
        // The peak sample (or the sinusoid's top, 1.1 x its middle), + 15%.
        let memory_max = c["memory_max_bytes"].as_f64().unwrap();
        assert!(
            within(memory_max, peak_mib * MIB, 0.001),
            "{name}: memory max {}",
            memory_max / MIB
        );
        let memory_request = c["memory_request_bytes"].as_f64().unwrap();
        assert!(
            within(memory_request, 1.15 * peak_mib * MIB, 0.001),
            "{name}: memory request"
        );
        assert_eq!(c["memory_limit_bytes"], c["memory_request_bytes"], "{name}");
        if container == "redis" {
            assert!(
                c["current_cpu_request_cores"].is_null() && c["monthly_usd_change"].is_null(),
                "{name}: {c}"
            );
            assert!(c["flags"].to_string().contains("no_current_requests"), "{name}");
            continue;
        }
        assert_eq!(c["current_cpu_request_cores"], CPU_REQUEST_NOW);
        let change = pods
            * 730.0
            * ((1.2 * p95 - CPU_REQUEST_NOW) * 0.03 + (1.15 * peak_mib - MEM_REQUEST_NOW_MIB) * MIB / GIB * 0.004);
        let got = c["monthly_usd_change"].as_f64().unwrap();
        assert!(
            (got - change).abs() < 0.02 * change.abs() + 0.05,
            "{name}: change {got}, by hand {change}"
        );
    }
    assert!(within(
        report["prices"]["vcpu_hourly_usd"].as_f64().unwrap(),
        0.03,
        1e-9
    ));
    assert!(within(
        report["prices"]["gib_hourly_usd"].as_f64().unwrap(),
        0.004,
        1e-9
    ));
    assert_eq!(report["source"]["owners_from_kube_state_metrics"], true);

    // containers.csv has the columns and a row per container.
    let csv = std::fs::read_to_string(out.join("containers.csv")).unwrap();
    assert!(csv.starts_with(
        "namespace,workload,container,pods,cpu_p95_cores,cpu_request_cores,memory_max_bytes,memory_request_bytes,\
         memory_limit_bytes,current_cpu_request_cores,current_memory_request_bytes,monthly_usd_change\n"
    ));
    assert_eq!(csv.lines().count(), 5);

    // patch.yaml: one strategic-merge patch per workload, under its kubectl command.
    let patch = std::fs::read_to_string(out.join("patch.yaml")).unwrap();
    let documents: Vec<Value> = serde_saphyr::from_multiple(&patch).unwrap();
    assert_eq!(documents.len(), 3, "api, cache, db:\n{patch}");
    let api = &documents[0]["spec"]["template"]["spec"]["containers"];
    assert_eq!(api[0]["name"], "app");
    let app = row(containers, "api", "app");
    let millicores = (app["cpu_request_cores"].as_f64().unwrap() * 1000.0).ceil();
    assert_eq!(api[0]["resources"]["requests"]["cpu"], format!("{millicores}m"));
    assert_eq!(
        api[0]["resources"]["requests"]["memory"],
        format!("{}Mi", (1.15 * 700.0_f64).ceil())
    );
    assert_eq!(
        api[0]["resources"]["limits"]["memory"],
        api[0]["resources"]["requests"]["memory"]
    );
    assert_eq!(api[1]["name"], "envoy");
    assert!(
        patch.contains("# kubectl -n shop patch deployment api --patch '{"),
        "{patch}"
    );
    assert!(
        patch.contains("# kubectl -n shop patch statefulset db --patch '"),
        "{patch}"
    );
    // The command's inline JSON is the document's patch.
    let inline = patch
        .lines()
        .find_map(|l| l.strip_prefix("# kubectl -n shop patch deployment api --patch '"))
        .and_then(|l| l.strip_suffix('\''))
        .unwrap();
    assert_eq!(serde_json::from_str::<Value>(inline).unwrap(), documents[0]);

    // The report's section draws it: both charts, and the table's row for api/app.
    let report_dir = dir.path().join("report");
    let made = headroom(&[
        "report",
        "--rightsize",
        out.to_str().unwrap(),
        "--out",
        report_dir.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    for svg in ["container-cpu.svg", "container-memory.svg"] {
        let svg = std::fs::read_to_string(report_dir.join(svg)).unwrap();
        let tree = roxmltree::Document::parse(&svg).unwrap();
        let labels: String = tree.descendants().filter_map(|n| n.text()).collect();
        assert!(labels.contains("api/app") && labels.contains("db/postgres"), "{labels}");
    }
    let markdown = std::fs::read_to_string(report_dir.join("report.md")).unwrap();
    let request = format!("{:.3}", app["cpu_request_cores"].as_f64().unwrap());
    assert!(
        markdown
            .lines()
            .any(|l| l.starts_with("| shop/api/app | 2.0 |") && l.contains(&request)),
        "{markdown}"
    );

    // The README's line, word for word but for the server's address.
    let readme_line = include_str!("../README.md")
        .lines()
        .find(|l| l.starts_with("headroom rightsize --prometheus "))
        .expect("the README has a Kubernetes example")
        .replace("http://127.0.0.1:9090", &url);
    let cwd = tempfile::tempdir().unwrap();
    std::fs::create_dir(cwd.path().join("examples")).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/examples/prices.csv"),
        cwd.path().join("examples/prices.csv"),
    )
    .unwrap();
    let readme_run = std::process::Command::new("sh")
        .arg("-c")
        .arg(&readme_line)
        .current_dir(cwd.path())
        .env("PATH", path_with_headroom())
        .output()
        .unwrap();
    assert_eq!(
        readme_run.status.code(),
        Some(0),
        "{readme_line}: {}",
        text(&readme_run.stderr)
    );
    assert!(
        text(&readme_run.stdout).contains("shop/api/app"),
        "{}",
        text(&readme_run.stdout)
    );
    assert!(cwd.path().join("out/rightsize/patch.yaml").exists());

    // A step of 5 s over a day is 17,281 points a series, past the server's 11,000:
    // read in two queries each, the same answer.
    let fine = run("5s", &dir.path().join("fine"));
    let fine_app = row(fine["containers"].as_array().unwrap(), "api", "app");
    assert!(within(
        fine_app["cpu_p95_cores"].as_f64().unwrap(),
        app["cpu_p95_cores"].as_f64().unwrap(),
        0.02
    ));
    assert_eq!(fine_app["memory_max_bytes"], app["memory_max_bytes"]);
}

#[test]
fn an_empty_or_unreachable_prometheus_is_a_clear_error() {
    let out = headroom(&[
        "rightsize",
        "--prometheus",
        "http://127.0.0.1:9",
        "--range",
        "1h",
        "--step",
        "1m",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("cannot reach http://127.0.0.1:9"),
        "{}",
        text(&out.stderr)
    );
    let out = headroom(&["rightsize", "fleet.csv", "--prometheus", "http://127.0.0.1:9"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a fleet and --prometheus together are refused"
    );
}
