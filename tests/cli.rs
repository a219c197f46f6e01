//! The command line: every shipped scenario validates, and bad input of each kind exits
//! 2 with the file and line (or the flag) in the message, without sending traffic.

mod common;
use common::*;

#[test]
fn every_shipped_scenario_validates() {
    let mut count = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let out = headroom(&["validate", path.to_str().unwrap()]);
            assert_eq!(out.status.code(), Some(0), "{}: {}", path.display(), text(&out.stderr));
            // A search is described as one, not as the one step its plan starts from.
            if path.ends_with("search.yaml") {
                let said = text(&out.stdout);
                assert!(
                    said.contains("a saturation search from 50/s up to 5000/s, 10s a step") && !said.contains("1 step"),
                    "{said}"
                );
            }
            count += 1;
        }
    }
    assert!(count >= 4, "found {count} scenarios");
}

const GOOD: &str = "name: t\ntarget: http://127.0.0.1:9\njourneys:\n  - name: j\n    steps:\n      - {get: /}\nload:\n  steps: {users: [1, 2], hold: 1s}\n";

fn rejected(text_in: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.yaml", text_in);
    let out = headroom(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    text(&out.stderr)
}

#[test]
fn bad_files_exit_2_with_file_and_line() {
    let cases = [
        (GOOD.replace("{get: /}", "{got: /}"), "bad.yaml:6", "got"),
        (
            GOOD.replace("[1, 2]", "many"),
            "bad.yaml:8",
            "expected a list of levels",
        ),
        (GOOD.replace("hold: 1s", "hold: soon"), "bad.yaml:8", "load.steps.hold"),
        (
            GOOD.replace("{get: /}", "{get: \"/${NOT_SET_ANYWHERE}\"}"),
            "bad.yaml:6",
            "unknown variable",
        ),
        (
            GOOD.replace("journeys:", "data: {rows: {csv: missing.csv}}\njourneys:"),
            "bad.yaml:3",
            "missing.csv",
        ),
    ];
    for (input, place, words) in cases {
        let message = rejected(&input);
        assert!(
            message.contains(place) && message.contains(words),
            "expected {place} and {words:?} in: {message}"
        );
    }
}

#[test]
fn unusable_targets_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "t.yaml", GOOD);
    for url in ["ftp://127.0.0.1/", "http://", "not a url"] {
        let out = headroom(&[
            "run",
            path.to_str().unwrap(),
            "--target",
            url,
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("--target"), "{}", text(&out.stderr));
    }
    assert!(!dir.path().join("run.json").exists());
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(headroom(&["run"]).status.code(), Some(2));
    assert_eq!(headroom(&["target", "--workers", "0"]).status.code(), Some(2));
    assert_eq!(headroom(&["validate", "/no/such/file.yaml"]).status.code(), Some(2));
    // An unknown flag: the error and clap's "did you mean", not its tip to pass the flag
    // as a value (`-- --url`), which no headroom command wants.
    let unknown = headroom(&["run", "--url", "http://127.0.0.1:1", "scenarios/closed-steps.yaml"]);
    assert_eq!(unknown.status.code(), Some(2));
    let message = text(&unknown.stderr);
    assert!(
        message.contains("unexpected argument '--url'") && !message.contains("-- --url"),
        "{message}"
    );
    let typo = text(&headroom(&["fit", "--hedroom", "20%", "x.csv"]).stderr);
    assert!(typo.contains("a similar argument exists: '--headroom'"), "{typo}");
}

/// The JSON Schema shipped for editors names exactly the keys the parser accepts: the
/// parser's own "expected one of" list is compared with the schema at each level.
#[test]
fn the_json_schema_matches_the_parser() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario.schema.json")).unwrap(),
    )
    .unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v["properties"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let levels = [
        ("name: x\nzzz: 1\n", keys(&schema)),
        (
            "name: x\njourneys: [{name: j, zzz: 1, steps: []}]\n",
            keys(&schema["$defs"]["journey"]),
        ),
        (
            "name: x\njourneys: [{name: j, steps: [{zzz: 1}]}]\n",
            keys(&schema["$defs"]["step"]),
        ),
        (
            "name: x\njourneys: []\nload: {zzz: 1}\n",
            keys(&schema["$defs"]["load"]),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (input, expected) in levels {
        let message = text(&headroom(&["validate", write(dir.path(), "s.yaml", input).to_str().unwrap()]).stderr);
        let listed = message
            .split("expected one of")
            .nth(1)
            .unwrap_or_else(|| panic!("{message}"));
        let mut accepted: Vec<String> = listed
            .split(',')
            .map(|k| k.trim().trim_matches('`').to_string())
            .collect();
        accepted.sort();
        assert_eq!(accepted, expected, "{message}");
    }
}

/// Every `--help` example pastes: at 80 columns each line is a whole command or the
/// continuation of one that ends in `\`, and none is wider than the terminal.
#[test]
fn help_examples_paste_at_80_columns() {
    for command in [
        "run",
        "merge",
        "compare",
        "import",
        "fit",
        "forecast",
        "rightsize",
        "plan",
        "report",
        "target",
    ] {
        let out = std::process::Command::new(BIN)
            .args([command, "--help"])
            .env("COLUMNS", "80")
            .output()
            .unwrap();
        let help = text(&out.stdout);
        let examples = help
            .split_once("Example")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("{command} --help has no examples"));
        let lines: Vec<&str> = examples.lines().skip(1).take_while(|l| !l.is_empty()).collect();
        assert!(!lines.is_empty(), "{command}");
        for (i, line) in lines.iter().enumerate() {
            assert!(line.len() <= 80, "{command}: {line:?} is wider than 80 columns");
            let continues = i > 0 && lines[i - 1].ends_with('\\');
            let starts = line.starts_with("  headroom ") || line.starts_with("  HEADROOM_");
            assert!(
                starts || (continues && line.starts_with("      ")),
                "{command}: {line:?} does not paste"
            );
        }
    }
}
