//! Hardening, round 3: durations at their limits refused with their line, long and
//! control-character names that broke tables and SVG, result files of another schema
//! version, and targets without a scheme, each as a user would write them.

mod common;
use common::*;

/// A scenario with `load` and the rest minimal.
fn scenario_with(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    write(dir, name, &format!("name: s\ntarget: http://127.0.0.1:9\n{body}"))
}

fn validate(path: &std::path::Path) -> (Option<i32>, String) {
    let out = headroom(&["validate", path.to_str().unwrap()]);
    (out.status.code(), format!("{}{}", text(&out.stdout), text(&out.stderr)))
}

/// Every duration field of a scenario, with `{D}` where the duration goes, and the line
/// it is on.
const DURATION_FIELDS: [(&str, &str, usize); 12] = [
    ("stage hold", "journeys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}, {users: 2, hold: {D}}]}\n", 4),
    ("stage ramp", "journeys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, ramp: {D}, hold: 1s}]}\n", 4),
    ("steps hold", "journeys: [{name: j, steps: [{get: /}]}]\nload: {steps: {users: [1, 2], hold: {D}}}\n", 4),
    ("steps ramp", "journeys: [{name: j, steps: [{get: /}]}]\nload: {steps: {users: [1, 2], ramp: {D}, hold: 1s}}\n", 4),
    ("search hold", "journeys: [{name: j, steps: [{get: /}]}]\nload: {search: {users: {from: 1, max: 8}, hold: {D}}}\nslo: {p99: 1s}\n", 4),
    ("search ramp", "journeys: [{name: j, steps: [{get: /}]}]\nload: {search: {users: {from: 1, max: 8}, ramp: {D}, hold: 1s}}\nslo: {p99: 1s}\n", 4),
    ("think", "journeys: [{name: j, steps: [{get: /, think: {D}}]}]\nload: {stages: [{users: 1, hold: 1s}]}\n", 3),
    ("think range", "journeys: [{name: j, steps: [{get: /, think: 1ms..{D}}]}]\nload: {stages: [{users: 1, hold: 1s}]}\n", 3),
    ("timeout", "journeys: [{name: j, steps: [{get: /, timeout: {D}}]}]\nload: {stages: [{users: 1, hold: 1s}]}\n", 3),
    ("default timeout", "defaults: {timeout: {D}}\njourneys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}]}\n", 3),
    ("max_duration", "journeys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}]}\nguard: {max_duration: {D}}\n", 5),
    ("guard sustain", "journeys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}]}\nguard: {abort_when: [\"error_rate > 50% for {D}\"]}\nslo: {p99: {D}}\n", 5),
];

#[test]
fn every_duration_field_at_its_limits_is_refused_or_taken_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for (field, template, line) in DURATION_FIELDS {
        for value in ["18446744073709551615s", "10000000000000000000s", "1e19s", "400d", "0s"] {
            let path = scenario_with(dir.path(), "d.yaml", &template.replace("{D}", value));
            let (code, said) = validate(&path);
            assert!(!said.contains("panicked"), "{field} {value}: {said}");
            match value {
                // Zero is a duration: taken, or refused where it makes no sense.
                "0s" => assert!(matches!(code, Some(0 | 2)), "{field} {value}: {code:?} {said}"),
                _ if field == "guard sustain" => {
                    assert!(matches!(code, Some(0 | 2)), "{field} {value}: {code:?} {said}")
                }
                _ => {
                    assert_eq!(code, Some(2), "{field} {value}: {said}");
                    assert!(
                        said.contains(&format!("d.yaml:{line}")),
                        "{field} {value}: no line {line}: {said}"
                    );
                    assert!(said.contains("expected"), "{field} {value}: {said}");
                }
            }
        }
    }
    // A stage of no time says so, not that it found neither ramp nor hold.
    let path = scenario_with(
        dir.path(),
        "z.yaml",
        "journeys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 0s}]}\n",
    );
    let (code, said) = validate(&path);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("no time") && !said.contains("neither"), "{said}");
}

#[test]
fn a_typo_in_a_levels_range_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario_with(
        dir.path(),
        "t.yaml",
        "journeys: [{name: j, steps: [{get: /}]}]\nload: {steps: {users: {from: 1, to: 8, factr: 2}, hold: 1s}}\n",
    );
    let (code, said) = validate(&path);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("factr") && !said.contains("untagged"), "{said}");
}

#[test]
fn a_target_without_a_scheme_is_refused_by_validate_as_by_run() {
    let dir = tempfile::tempdir().unwrap();
    for (target, expected) in [
        ("127.0.0.1:8080", "without a scheme"),
        ("localhost:8080", "without a scheme"),
        ("ftp://x", "expected http or https"),
    ] {
        let path = write(
            dir.path(),
            "u.yaml",
            &format!("name: u\ntarget: {target}\njourneys: [{{name: j, steps: [{{get: /}}]}}]\nload: {{stages: [{{users: 1, hold: 1s}}]}}\n"),
        );
        let (code, said) = validate(&path);
        assert_eq!(code, Some(2), "{target}: {said}");
        assert!(said.contains(expected) && said.contains("u.yaml:2"), "{target}: {said}");
        // run says the same of the same URL given by the environment, and names it so.
        let plain = write(
            dir.path(),
            "p.yaml",
            "name: p\njourneys: [{name: j, steps: [{get: /}]}]\nload: {stages: [{users: 1, hold: 1s}]}\n",
        );
        let out = std::process::Command::new(BIN)
            .args([
                "run",
                plain.to_str().unwrap(),
                "--out",
                dir.path().join("o").to_str().unwrap(),
            ])
            .env("HEADROOM_TARGET", target)
            .output()
            .unwrap();
        let said = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {said}");
        assert!(
            said.contains(expected) && said.contains("HEADROOM_TARGET"),
            "{target}: {said}"
        );
    }
}

#[test]
fn long_and_control_character_names_keep_tables_and_charts_whole() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let target = Target::start(2, "1ms", "const");
    let long = "n".repeat(65_536);
    let scenario = write(
        dir.path(),
        "long.yaml",
        &format!(
            "name: \"bad\\e[31mname\\a\\r\"\njourneys: [{{name: j, steps: [{{name: {long}, get: /}}, {{name: b, get: /b}}]}}]\n\
             load: {{stages: [{{users: 1, hold: 1s}}]}}\n"
        ),
    );
    let out = dir.path().join("out");
    // One shard of one, so that merge takes it and prints its table too.
    let run = run_command(&scenario, &target.url, &out)
        .args(["--shard", "0/1"])
        .output()
        .unwrap();
    let said = format!("{}{}", text(&run.stdout), text(&run.stderr));
    assert_eq!(run.status.code(), Some(0), "{}", &said[..said.len().min(2000)]);
    assert!(said.contains("..."), "the long name is not cut in the table");
    assert!(
        said.len() < 20_000,
        "the table holds the whole name: {} bytes",
        said.len()
    );
    // run.json keeps the whole name.
    let run_json = read_json(&out.join("run.json"));
    assert!(run_json["overall"]["by_request"]
        .as_object()
        .unwrap()
        .keys()
        .any(|k| k.len() > 65_536));
    // merge prints the same table.
    let merged = headroom(&[
        "merge",
        out.join("run.json").to_str().unwrap(),
        "--out",
        dir.path().join("m").to_str().unwrap(),
    ]);
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged.stderr));
    assert!(
        text(&merged.stdout).contains("..."),
        "merge's table does not cut the name"
    );
    // The report's charts and page are well-formed: no control character reaches them.
    let report = dir.path().join("report");
    let made = headroom(&[
        "report",
        "--run",
        out.join("run.json").to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    for entry in std::fs::read_dir(&report).unwrap() {
        let path = entry.unwrap().path();
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(
            !body.chars().any(|c| c < ' ' && c != '\t' && c != '\n' && c != '\r'),
            "{} holds a control character",
            path.display()
        );
        if path.extension().is_some_and(|e| e == "svg") {
            roxmltree::Document::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

#[test]
fn result_files_of_another_schema_version_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let steps = write(
        d,
        "steps.csv",
        "concurrency,throughput,latency_ms\n1,50,20\n2,100,20\n4,200,20\n8,400,20\n16,420,38\n32,425,75\n",
    );
    let fit = headroom(&[
        "fit",
        steps.to_str().unwrap(),
        "--slo",
        "p99=50ms",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let limits = read_json(&d.join("limits.json"));
    for version in [
        serde_json::json!(0),
        serde_json::json!(2),
        serde_json::json!(99),
        serde_json::Value::Null,
    ] {
        let mut other = limits.clone();
        match &version {
            serde_json::Value::Null => drop(other.as_object_mut().unwrap().remove("schema_version")),
            v => other["schema_version"] = v.clone(),
        }
        let path = write(d, "other.json", &serde_json::to_string_pretty(&other).unwrap());
        for args in [
            vec!["plan", "--limits", path.to_str().unwrap(), "--demand", "100"],
            vec!["forecast", steps.to_str().unwrap(), "--limits", path.to_str().unwrap()],
            vec![
                "report",
                "--limits",
                path.to_str().unwrap(),
                "--out",
                d.join("r").to_str().unwrap(),
            ],
        ] {
            let out = headroom(&args);
            let said = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?} {version}: {said}");
            let expected = match version {
                serde_json::Value::Null => "no schema_version".to_string(),
                ref v => format!("found {v}, expected 1"),
            };
            assert!(
                said.contains(&expected) && said.contains("other.json"),
                "{args:?}: {said}"
            );
        }
    }
    // A run.json of another version is refused by fit too.
    let run = write(d, "run.json", r#"{"schema_version": 7, "steps": []}"#);
    let out = headroom(&["fit", run.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("found 7, expected 1"),
        "{}",
        text(&out.stderr)
    );
}
