//! The README works as written. Its ```` ```sh run ```` blocks run in order, line by line,
//! in an empty directory holding only the shipped scenarios and examples (every input a
//! recipe names is shipped under examples/). Each `headroom target ... --port P &` line starts
//! that target on a free port instead, and `127.0.0.1:P` in later lines becomes that
//! port. Every line must exit 0 or 1 (1: an SLO the README's scenario fails by design),
//! never 2 or a crash. Then the shortest chain (`run`, `fit`, `plan --demand`,
//! `report`) in a directory of its own gives a report with every section it has input for.

mod common;
use common::*;
use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../README.md");
/// The `sh run` blocks' commands, continuation lines joined.
fn runnable_blocks() -> Vec<Vec<String>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for line in README.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh run") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(lines), text) => match lines.last_mut() {
                Some(last) if last.ends_with('\\') => {
                    last.pop();
                    last.push_str(text.trim_start());
                }
                _ => lines.push(text.to_string()),
            },
            (None, _) => {}
        }
    }
    blocks
}

/// What a fresh clone gives a README reader: the repository's scenarios and examples.
fn user_files(dir: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["scenarios", "examples"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(sub).join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The targets the README's `headroom target` lines started: (README port, target).
type Targets = Vec<(String, Target)>;

/// Starts the target a `headroom target --workers C --service-time S --dist D --port P &`
/// line describes on a free port, remembered under P.
fn start_readme_target(command: &str, targets: &mut Targets) {
    let words: Vec<&str> = command.split_whitespace().collect();
    let flag = |name: &str| {
        let at = words.iter().position(|w| *w == name);
        at.map(|i| words[i + 1])
            .unwrap_or_else(|| panic!("`{command}` has no {name}"))
    };
    let target = Target::start(
        flag("--workers").parse().unwrap(),
        flag("--service-time"),
        flag("--dist"),
    );
    targets.push((flag("--port").to_string(), target));
}

/// Runs one block in one shell (so `&` and `wait` work), each line checked for exit 0
/// or 1; the line and what it printed on failure.
fn run_block(dir: &Path, lines: &[String], targets: &mut Targets) -> Result<(), String> {
    let mut script = String::from("set -u\n");
    for line in lines {
        let command = line.trim();
        if command.starts_with("headroom target ") {
            start_readme_target(command, targets);
            continue;
        }
        if command.is_empty() || command.starts_with('#') {
            continue;
        }
        let mut command = command.to_string();
        for (readme_port, target) in targets.iter() {
            command = command.replace(&format!("http://127.0.0.1:{readme_port}"), &target.url);
        }
        if command.ends_with('&') || command == "wait" {
            script.push_str(&format!("{command}\n"));
        } else {
            let quoted = command.replace('\'', "'\\''");
            script.push_str(&format!(
                "{command}\nrc=$?; if [ $rc -gt 1 ]; then echo 'exit '$rc': {quoted}' >&2; exit 9; fi\n"
            ));
        }
    }
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("HEADROOM_TARGET")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}\n{}", text(&out.stderr), text(&out.stdout)))
    }
}

#[test]
fn every_runnable_readme_block_runs_as_written() {
    let _serial = serial();
    let blocks = runnable_blocks();
    assert!(blocks.len() >= 6, "{} runnable blocks", blocks.len());
    let mut targets = Targets::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    user_files(d);
    for (i, block) in blocks.iter().enumerate() {
        if let Err(e) = run_block(d, block, &mut targets) {
            panic!("README block {} ({}): {e}", i + 1, block.join(" / "));
        }
    }
    // What the blocks promise: the tree, the other tool's limits kept apart, the report.
    for file in [
        "out/run/run.json",
        "out/limits/limits.json",
        "out/other/limits.json",
        "out/forecast/summary.json",
        "out/rightsize/rightsize.json",
        "out/plan/plan.json",
        "out/verify/run.json",
        "out/report/index.html",
        "results/merged/run.json",
    ] {
        assert!(d.join(file).exists(), "{file}");
    }
    let limits = read_json(&d.join("out/limits/limits.json"));
    assert!(
        limits["source"].as_str().unwrap().contains("out/run/run.json"),
        "{}",
        limits["source"]
    );
}

#[test]
fn the_shortest_chain_reports_every_section_it_has_input_for() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = write(
        d,
        "s.yaml",
        "name: s\njourneys: [{name: w, steps: [{get: /}]}]\nload: {steps: {users: [1, 4, 8], hold: 2s}}\nslo: {p99: 100ms}\n",
    );
    let in_dir = |args: &[&str]| {
        let out = Command::new(BIN).args(args).current_dir(d).output().unwrap();
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            text(&out.stderr)
        );
    };
    in_dir(&["run", scenario.to_str().unwrap(), "--target", &target.url]);
    in_dir(&["fit"]);
    in_dir(&["plan", "--demand", "600"]);
    in_dir(&["report"]);
    let html = std::fs::read_to_string(d.join("out/report/index.html")).unwrap();
    for section in ["How much can this service take?", "Peak-event readiness"] {
        assert!(html.contains(section), "no `{section}` in the report");
    }
}
