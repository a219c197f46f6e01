//! Scale-out: shards as separate processes against one target, merged exactly; a
//! crashed shard is named; the Kubernetes manifests carry what headroom relies on.

mod common;
use common::*;
use headroom_loadgen::results::decode_histogram;
use std::process::{Child, Command, Stdio};

const SCENARIO: &str = "name: sharded\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [2, 4], hold: 2s}}\nslo: {p99: 1s}\n";

fn shard(scenario: &std::path::Path, url: &str, spec: &str, start: &str, out: &std::path::Path) -> Child {
    Command::new(BIN)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--target",
            url,
            "--shard",
            spec,
            "--start-at",
            start,
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn two_shards_merge_to_exact_totals_and_histograms() {
    let _serial = serial();
    let target = Target::start(4, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let outs = [dir.path().join("s0"), dir.path().join("s1")];
    let start = headroom::read::history::format_timestamp(now() + 2);
    let mut children: Vec<Child> = outs
        .iter()
        .enumerate()
        .map(|(i, o)| shard(&scenario, &target.url, &format!("{i}/2"), &start, o))
        .collect();
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    let merged_dir = dir.path().join("merged");
    let merge = headroom(&[
        "merge",
        outs[0].join("run.json").to_str().unwrap(),
        outs[1].join("run.json").to_str().unwrap(),
        "--out",
        merged_dir.to_str().unwrap(),
    ]);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge.stderr));
    let shards: Vec<serde_json::Value> = outs.iter().map(|o| read_json(&o.join("run.json"))).collect();
    let merged = read_json(&merged_dir.join("run.json"));
    assert_eq!(shards[0]["steps"][1]["users"], 2);
    assert_eq!(merged["steps"][1]["users"], 4, "shares add up to the whole");
    let total: u64 = shards.iter().map(|s| s["overall"]["requests"].as_u64().unwrap()).sum();
    assert_eq!(merged["overall"]["requests"].as_u64().unwrap(), total);
    assert!(total > 500);
    // The merged percentiles are those of every request together: here the recorded
    // values of both shards are pooled and ranked by hand (not with the histogram
    // addition merge uses).
    let mut pooled: Vec<(u64, u64)> = Vec::new();
    for shard in &shards {
        let h = decode_histogram(shard["overall"]["histogram"].as_str().unwrap()).unwrap();
        pooled.extend(
            h.iter_recorded()
                .map(|v| (h.highest_equivalent(v.value_iterated_to()), v.count_at_value())),
        );
    }
    pooled.sort();
    let total_count: u64 = pooled.iter().map(|(_, n)| n).sum();
    for (q, key) in [(0.5, "p50"), (0.99, "p99")] {
        let rank = (q * total_count as f64).ceil().max(1.0) as u64;
        let mut seen = 0;
        let single = pooled.iter().find(|(_, n)| {
            seen += n;
            seen >= rank
        });
        let single = single.unwrap().0 as f64 / 1e3;
        let got = merged["overall"]["latency_ms"][key].as_f64().unwrap();
        // Within the histogram's precision (3 significant figures).
        assert!(
            (got - single).abs() <= single * 2e-3 + 1e-3,
            "{key}: merged {got} vs pooled {single}"
        );
    }
    assert_eq!(merged["merged"]["merged"], serde_json::json!([0, 1]));
    // The shards started the plan together.
    assert_eq!(shards[0]["scheduled_start"], shards[1]["scheduled_start"]);
}

#[test]
fn shards_launched_300_ms_apart_with_a_relative_start_merge() {
    let _serial = serial();
    let target = Target::start(4, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let outs = [dir.path().join("r0"), dir.path().join("r1")];
    // `+5s` counts from each process's own start, rounded up to a whole 5 s: launched
    // 300 ms apart inside one 5 s window they agree. Launch early in a window, as two
    // shells would by chance 94% of the time.
    let in_window = || {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            % 5000;
        (200..2000).contains(&ms)
    };
    assert!(wait_for(std::time::Duration::from_secs(6), in_window));
    let first = shard(&scenario, &target.url, "0/2", "+5s", &outs[0]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = shard(&scenario, &target.url, "1/2", "+5s", &outs[1]);
    for mut c in [first, second] {
        assert!(c.wait().unwrap().success());
    }
    let merge = headroom(&[
        "merge",
        outs[0].join("run.json").to_str().unwrap(),
        outs[1].join("run.json").to_str().unwrap(),
        "--out",
        dir.path().join("merged").to_str().unwrap(),
    ]);
    assert_eq!(merge.status.code(), Some(0), "{}", text(&merge.stderr));
    let starts: Vec<f64> = outs
        .iter()
        .map(|o| read_json(&o.join("run.json"))["scheduled_start"].as_f64().unwrap())
        .collect();
    assert!(starts[0] == starts[1] && starts[0] % 5.0 == 0.0, "{starts:?}");
}

#[test]
fn a_crashed_shard_is_named_and_partial_merges_say_so() {
    let _serial = serial();
    let target = Target::start(4, "5ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(dir.path(), "s.yaml", SCENARIO);
    let (a, b) = (dir.path().join("s0"), dir.path().join("s1"));
    let start = headroom::read::history::format_timestamp(now() + 1);
    let mut good = shard(&scenario, &target.url, "0/2", &start, &a);
    let mut doomed = shard(&scenario, &target.url, "1/2", &start, &b);
    // The doomed shard dies mid-run: once the target has served some of the load.
    let started = wait_for(std::time::Duration::from_secs(30), || {
        target_metric(&target.url, "requests_total") > 500.0
    });
    assert!(started, "the shards never started");
    doomed.kill().unwrap();
    let _ = doomed.wait();
    assert!(good.wait().unwrap().success());
    let out = dir.path().join("merged");
    let refused = headroom(&[
        "merge",
        a.join("run.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("shard 1/2 is missing"),
        "{}",
        text(&refused.stderr)
    );
    let partial = headroom(&[
        "merge",
        a.join("run.json").to_str().unwrap(),
        "--allow-partial",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(partial.status.code(), Some(0), "{}", text(&partial.stderr));
    let merged = read_json(&out.join("run.json"));
    assert_eq!(merged["merged"]["missing"], serde_json::json!([1]));
    assert!(merged["end_reason"].as_str().unwrap().contains("missing"));
    // A shard of another test is refused.
    let other = write(dir.path(), "other.yaml", &SCENARIO.replace("sharded", "another"));
    let mut lone = shard(&other, &target.url, "1/2", "+0s", &dir.path().join("o1"));
    assert!(lone.wait().unwrap().success());
    let mixed = headroom(&[
        "merge",
        a.join("run.json").to_str().unwrap(),
        dir.path().join("o1/run.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        text(&mixed.stderr).contains("the scenario differs"),
        "{}",
        text(&mixed.stderr)
    );
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn manifest(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(format!("{}/deploy/kubernetes/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn kubernetes_manifests_carry_what_headroom_relies_on() {
    let job = manifest("job.yaml");
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["apiVersion"], "batch/v1");
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["completions"], spec["parallelism"]);
    let pod = &spec["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let container = &pod["containers"][0];
    let env = container["env"].as_array().unwrap();
    let shards = env.iter().find(|e| e["name"] == "SHARDS").unwrap()["value"]
        .as_str()
        .unwrap();
    assert_eq!(shards.parse::<u64>().unwrap(), spec["completions"].as_u64().unwrap());
    let args = container["args"][0].as_str().unwrap();
    for needed in [
        "headroom run /scenario/scenario.yaml",
        "--shard \"${JOB_COMPLETION_INDEX}/${SHARDS}\"",
        "--start-at",
        "/results/shard-${JOB_COMPLETION_INDEX}",
        "--metrics-listen :9464",
    ] {
        assert!(args.contains(needed), "job args lack {needed}: {args}");
    }
    let annotations = &spec["template"]["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    assert_eq!(annotations["prometheus.io/port"], "9464");
    assert_eq!(container["ports"][0]["containerPort"], 9464);
    // The Grafana dashboard parses and queries the metrics the run serves.
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/headroom-run.json")).unwrap(),
    )
    .unwrap();
    let queries: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["expr"].as_str().unwrap())
        })
        .collect();
    for metric in [
        "headroom_requests_total",
        "headroom_request_duration_seconds_bucket",
        "headroom_dropped_total",
        "headroom_users",
        "headroom_offered_rate",
        "headroom_step",
    ] {
        assert!(
            queries.iter().any(|q| q.contains(metric)),
            "the dashboard never queries {metric}"
        );
    }
    let mounts = container["volumeMounts"].as_array().unwrap();
    let volumes = pod["volumes"].as_array().unwrap();
    let volume = |mount: &str| {
        let name = mounts.iter().find(|m| m["mountPath"] == mount).unwrap()["name"].clone();
        volumes.iter().find(|v| v["name"] == name).unwrap().clone()
    };
    let configmap = manifest("configmap.yaml");
    assert_eq!(volume("/scenario")["configMap"]["name"], configmap["metadata"]["name"]);
    assert_eq!(
        volume("/results")["persistentVolumeClaim"]["claimName"],
        manifest("pvc.yaml")["metadata"]["name"]
    );
    let merge = manifest("merge-job.yaml");
    assert!(merge["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap()
        .contains("headroom merge /results/shard-*/run.json"));
    // The scenario in the ConfigMap validates.
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "scenario.yaml",
        configmap["data"]["scenario.yaml"].as_str().unwrap(),
    );
    let out = headroom(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// The Job's shell with a stand-in `headroom` on the PATH that exits with `STUB_EXIT`,
/// or, without it, runs until SIGTERM and then exits 1 (as an interrupted run does).
fn job_shell(dir: &std::path::Path, exit: Option<u8>) -> std::process::Child {
    let script = manifest("job.yaml")["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap()
        .to_string();
    let stub = dir.join("headroom");
    std::fs::write(
        &stub,
        "#!/bin/sh\ntouch \"$MARKS/started\"\ntrap 'touch \"$MARKS/terminated\"; exit 1' TERM\n\
         [ -n \"$STUB_EXIT\" ] && exit \"$STUB_EXIT\"\nwhile :; do sleep 0.05; done\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&stub, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut command = std::process::Command::new("sh");
    command
        .args(["-c", &script])
        .env("PATH", format!("{}:{}", dir.display(), std::env::var("PATH").unwrap()))
        .env("MARKS", dir)
        .env("JOB_COMPLETION_INDEX", "0")
        .env("SHARDS", "4")
        .env("START_AT", "+1s");
    match exit {
        Some(code) => command.env("STUB_EXIT", code.to_string()),
        None => command.env_remove("STUB_EXIT"),
    };
    command.spawn().unwrap()
}

#[test]
fn the_job_counts_an_slo_failed_shard_done_and_forwards_sigterm() {
    for (exit, completes) in [(0, true), (1, true), (2, false)] {
        let dir = tempfile::tempdir().unwrap();
        let status = job_shell(dir.path(), Some(exit)).wait().unwrap();
        assert_eq!(status.success(), completes, "headroom exit {exit}: the pod {status}");
    }
    // Deleting the pod sends SIGTERM to the shell: headroom gets it, writes what it
    // measured and exits 1, and the shard still completes.
    let dir = tempfile::tempdir().unwrap();
    let mut shell = job_shell(dir.path(), None);
    let started = dir.path().join("started");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !started.exists() {
        assert!(std::time::Instant::now() < deadline, "the stand-in never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &shell.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = shell.wait().unwrap();
    assert!(
        dir.path().join("terminated").exists(),
        "SIGTERM was not forwarded to headroom"
    );
    assert!(status.success(), "an interrupted shard must complete: {status}");
}

#[test]
fn kubernetes_manifests_pass_the_kubernetes_schema() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/kubernetes");
    let mut manifests: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".yaml"))
        .collect();
    manifests.sort();
    let Ok(out) = Command::new("kubernetes-validate")
        .arg("--strict")
        .args(&manifests)
        .output()
    else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but kubernetes-validate is not installed"
        );
        say_skipped("kubernetes-validate not installed (pip install kubernetes-validate)");
        return;
    };
    assert!(
        out.status.success(),
        "kubernetes-validate --strict: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(said.matches("passed").count(), manifests.len(), "{said}");
}
