//! The README works as written. Its ```` ```sh run ```` blocks run in order, line by line,
//! in an empty directory holding only the shipped scenarios and examples (every input a
//! recipe names is shipped under examples/). Each `headroom target ... --port P &` line starts
//! that target on a free port instead, and `127.0.0.1:P` in later lines becomes that
//! port. Every line must exit 0 or 1 (1: an SLO the README's scenario fails by design),
//! never 2 or a crash. Each ```` ```output COMMAND [±T%] ```` block shows what the
//! latest line before it that is COMMAND (its comment aside) printed: every line it shows must be
//! printed, in order, with the same words and each figure within T% (default 25%: these
//! are measurements on a shared machine; `words` compares the words alone). Then the
//! shortest chain (`run`, `fit`, `plan --demand`, `report`) in a directory of its own
//! gives a report with every section it has input for.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const README: &str = include_str!("../README.md");

/// A command of a `sh run` block, continuation lines joined, with its README line.
struct Line {
    at: usize,
    text: String,
}

/// The `sh run` blocks' commands.
fn runnable_blocks() -> Vec<Vec<Line>> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<Line>> = None;
    for (at, line) in README.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```sh run") => current = Some(Vec::new()),
            (Some(_), "```") => blocks.push(current.take().unwrap()),
            (Some(lines), text) => match lines.last_mut() {
                Some(last) if last.text.ends_with('\\') => {
                    last.text.pop();
                    last.text.push_str(text.trim_start());
                }
                _ => lines.push(Line {
                    at,
                    text: text.to_string(),
                }),
            },
            (None, _) => {}
        }
    }
    blocks
}

/// An ```` ```output ```` block: the command whose output it shows, the tolerance on
/// figures (None: words only), its README line and text.
struct Shown {
    command: String,
    tolerance: Option<f64>,
    at: usize,
    text: String,
}

fn shown_outputs() -> Vec<Shown> {
    let mut shown = Vec::new();
    let mut lines = README.lines().enumerate();
    while let Some((at, line)) = lines.next() {
        let Some(spec) = line.trim_end().strip_prefix("```output ") else {
            continue;
        };
        let (command, tolerance) = match spec.rsplit_once(' ') {
            Some((command, "words")) => (command, None),
            Some((command, t)) if t.starts_with('±') => (
                command,
                Some(t.trim_start_matches('±').trim_end_matches('%').parse::<f64>().unwrap() / 100.0),
            ),
            _ => (spec, Some(0.25)),
        };
        let text: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| l.trim_end() != "```")
            .collect();
        shown.push(Shown {
            command: command.to_string(),
            tolerance,
            at,
            text: text.join("\n"),
        });
    }
    shown
}

/// A figure: a number, perhaps in brackets or with a % or unit suffix; None for a word.
fn figure(token: &str) -> Option<f64> {
    let core = token.trim_matches(|c: char| "()[],;:%".contains(c));
    let core = core.strip_suffix("/s").unwrap_or(core);
    core.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Whether `actual` prints the line `shown`: the same words, figures within `tolerance`.
fn line_matches(shown: &str, actual: &str, tolerance: Option<f64>) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (shown.split_whitespace().collect(), actual.split_whitespace().collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| match (figure(x), figure(y)) {
            (Some(x), Some(y)) => tolerance.is_none_or(|t| (x - y).abs() <= t * x.abs().max(1.0)),
            _ => x == y,
        })
}

/// Every line of `shown` in `actual`, in order; the first that is not, otherwise.
fn output_matches(shown: &Shown, actual: &str) -> Result<(), String> {
    let mut rest = actual.lines();
    for line in shown.text.lines().filter(|l| !l.trim().is_empty()) {
        if !rest.any(|a| line_matches(line, a, shown.tolerance)) {
            return Err(line.to_string());
        }
    }
    Ok(())
}

/// A command line without its trailing `# comment`.
fn without_comment(command: &str) -> &str {
    command.split(" #").next().unwrap_or(command).trim()
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

/// A command that ran: its README line and text, and the file holding what it printed.
struct Ran {
    at: usize,
    command: String,
    stdout: PathBuf,
}

/// Runs one block in one shell (so `&` and `wait` work), each line checked for exit 0
/// or 1 and its standard output kept; the line and what it printed on failure.
fn run_block(dir: &Path, lines: &[Line], targets: &mut Targets, ran: &mut Vec<Ran>) -> Result<(), String> {
    let mut script = String::from("set -u\nmkdir -p .readme\n");
    for line in lines {
        let command = line.text.trim();
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
            let stdout = format!(".readme/{}.out", ran.len());
            let quoted = command.replace('\'', "'\\''");
            script.push_str(&format!(
                "{{ {command}\n}} > {stdout}\nrc=$?; cat {stdout}; if [ $rc -gt 1 ]; then echo 'exit '$rc': {quoted}' >&2; exit 9; fi\n"
            ));
            ran.push(Ran {
                at: line.at,
                command: line.text.trim().to_string(),
                stdout: dir.join(stdout),
            });
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
fn every_runnable_readme_block_runs_as_written_and_prints_what_it_shows() {
    let _serial = serial();
    let blocks = runnable_blocks();
    assert!(blocks.len() >= 6, "{} runnable blocks", blocks.len());
    let mut targets = Targets::new();
    let mut ran = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    user_files(d);
    for (i, block) in blocks.iter().enumerate() {
        if let Err(e) = run_block(d, block, &mut targets, &mut ran) {
            let commands: Vec<&str> = block.iter().map(|l| l.text.as_str()).collect();
            panic!("README block {} ({}): {e}", i + 1, commands.join(" / "));
        }
    }
    // What the README shows each command printing.
    let shown = shown_outputs();
    assert!(shown.len() >= 5, "{} output blocks", shown.len());
    for block in &shown {
        let source = ran
            .iter()
            .rev()
            .find(|r| r.at < block.at && without_comment(&r.command) == block.command)
            .unwrap_or_else(|| {
                panic!(
                    "README line {}: no `{}` line runs before it",
                    block.at + 1,
                    block.command
                )
            });
        let actual = std::fs::read_to_string(&source.stdout).unwrap();
        if let Err(line) = output_matches(block, &actual) {
            panic!(
                "README line {}: `{}` no longer prints\n  {line}\n(figures within {:?}); it printed:\n{actual}",
                block.at + 1,
                source.command,
                block.tolerance
            );
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
