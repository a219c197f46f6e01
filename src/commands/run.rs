//! `headroom run`: validate, resolve the target, drive the load with a progress bar,
//! then write run.json and timeline.csv and print the summary.

use super::{load_scenario, FAILED, OK};
use crate::cli::RunArgs;
use crate::output::{tree, write_atomic, write_json};
use crate::progress::Progress;
use anyhow::{anyhow, bail};
use headroom_loadgen::engine::RunOptions;
use headroom_loadgen::metrics::LiveMetrics;
use headroom_loadgen::results::RunVerdict;
use headroom_loadgen::shard::Shard;
use headroom_loadgen::Scenario;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long `--metrics-listen` keeps serving after the run.
const METRICS_LINGER: Duration = Duration::from_secs(5);

/// How long a run waits for its target to accept a connection before giving up.
const FIRST_CONTACT: Duration = Duration::from_secs(3);

pub fn run(args: RunArgs) -> anyhow::Result<u8> {
    let mut scenario = load_scenario(&args.scenario)?;
    let shard = args
        .shard
        .as_deref()
        .map(|s| Shard::parse(s).map_err(|m| anyhow!("--shard: {m}")))
        .transpose()?;
    if let Some(shard) = shard {
        if scenario.load.search.is_some() {
            bail!("--shard: a search (load.search) runs in one process: each step's level depends on the last");
        }
        shard.apply(&mut scenario);
    }
    let start_at = args.start_at.as_deref().map(parse_start).transpose()?;
    // clap fills --target from HEADROOM_TARGET too: a message names where it came from.
    let on_command_line = std::env::args().any(|a| a == "--target" || a.starts_with("--target="));
    let job = Job {
        scenario: args.scenario,
        target_from: if on_command_line { "--target" } else { "HEADROOM_TARGET" },
        target: args.target,
        out: args.out,
        json: args.json,
        by_request: args.by_request,
        metrics_listen: args.metrics_listen,
    };
    let options = RunOptions {
        start_at,
        shard,
        metrics: None,
    };
    execute(&scenario, &job, &options)
}

/// Where a loaded scenario runs and where its results go.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// The scenario file, named in messages.
    pub scenario: PathBuf,
    /// The target URL; None: the scenario's.
    pub target: Option<String>,
    /// Where `target` came from, for messages: `--target` or `HEADROOM_TARGET`.
    pub target_from: &'static str,
    /// The output directory; None: out/run and out/runs/TIME.
    pub out: Option<PathBuf>,
    pub json: bool,
    pub by_request: bool,
    pub metrics_listen: Option<String>,
}

/// `--start-at`: RFC 3339 (or another form `headroom forecast` reads), or `+30s`: at
/// least 30 s from now, on a whole 30 s boundary, so shards launched together agree.
fn parse_start(text: &str) -> anyhow::Result<SystemTime> {
    if let Some(delay) = text.strip_prefix('+') {
        let d = headroom_loadgen::units::parse_scenario_duration(delay).map_err(|m| anyhow!("--start-at: {m}"))?;
        return Ok(headroom_loadgen::shard::start_after(SystemTime::now(), d));
    }
    let seconds = headroom::read::history::parse_timestamp(text).ok_or_else(|| {
        anyhow!("--start-at: found `{text}`; expected a time such as 2026-11-27T09:00:00Z or a delay such as +30s")
    })?;
    let start = UNIX_EPOCH + Duration::from_secs(seconds.max(0) as u64);
    if start > SystemTime::now() + headroom_loadgen::units::LONGEST {
        bail!("--start-at: found `{text}`, more than a year away; expected a time within the next 365 days");
    }
    Ok(start)
}

/// out/runs/TIME/ for a run started at `started_at` (RFC 3339), colons made dashes.
fn kept_dir(started_at: &str) -> PathBuf {
    Path::new(tree::RUNS).join(started_at.replace(':', "-"))
}

/// Runs a loaded scenario and writes its results: `run` after loading, and the demo.
pub fn execute(scenario: &Scenario, args: &Job, options: &RunOptions) -> anyhow::Result<u8> {
    let Some(url) = args.target.clone().or_else(|| scenario.target.clone()) else {
        bail!(
            "no target: give --target URL, set HEADROOM_TARGET, or add `target:` to {}",
            args.scenario.display()
        );
    };
    let target = headroom_loadgen::engine::check_target(&url).map_err(|m| {
        let from = if args.target.is_some() {
            args.target_from.to_string()
        } else {
            format!("{}: target", args.scenario.display())
        };
        anyhow!("{from}: {}", scenario.redact(&m))
    })?;
    // Nothing listening: say so before a single request, and leave the last run alone.
    if let Err(m) = headroom_loadgen::engine::probe_target(&target, FIRST_CONTACT) {
        eprintln!("headroom: {}", scenario.redact(&m));
        return Ok(FAILED);
    }
    let mut options = options.clone();
    let server = match &args.metrics_listen {
        Some(addr) => {
            let metrics = LiveMetrics::new(scenario.request_names());
            let server = headroom_loadgen::metrics::serve(addr, metrics.clone()).map_err(|m| anyhow!(m))?;
            eprintln!("metrics: http://{}/metrics", server.addr);
            options.metrics = Some(metrics);
            Some(server)
        }
        None => None,
    };
    let options = &options;
    let progress = Progress::new(
        scenario.load.total().as_secs(),
        scenario.load.model,
        scenario.load.search.is_some(),
    );
    let result = match scenario.load.search {
        None => headroom_loadgen::run(scenario, &target, options, |live| progress.update(live))?,
        Some(_) => headroom_loadgen::search::run(
            scenario,
            &target,
            options,
            |live| progress.update(live),
            |step| progress.search_step(step),
        )?,
    };
    progress.finish();

    // A run that did not finish its plan, measured nothing or had every request fail is
    // not a pass, whatever its SLO says; one that measured nothing does not replace the
    // latest run the other commands read.
    let useless = matches!(result.verdict(), RunVerdict::NoData(_));
    let dirs = match &args.out {
        Some(dir) => vec![dir.clone()],
        None if useless => vec![kept_dir(&result.started_at)],
        None => vec![PathBuf::from(tree::RUN), kept_dir(&result.started_at)],
    };
    let timeline = headroom_reports::timeline::to_csv(&result.timeline)?;
    for dir in &dirs {
        write_json(&dir.join("run.json"), &result)?;
        write_atomic(&dir.join("timeline.csv"), &timeline)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!("{}", headroom_reports::terminal::run::render(&result, args.by_request));
        let also = match dirs.get(1) {
            Some(kept) => format!(" (kept too in {})", kept.display()),
            None => String::new(),
        };
        println!("wrote {} and timeline.csv{also}", dirs[0].join("run.json").display());
        if useless && args.out.is_none() {
            println!("{} still holds the last run that measured something", tree::RUN);
        }
    }
    if let Some(server) = server {
        // The last scrape sees the end.
        eprintln!(
            "metrics: http://{}/metrics stays up {} s",
            server.addr,
            METRICS_LINGER.as_secs()
        );
        std::thread::sleep(METRICS_LINGER);
    }
    Ok(if result.passed() { OK } else { FAILED })
}
