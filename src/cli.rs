//! Command-line definitions (clap). Only the shape of the commands lives here; each
//! subcommand's logic is in `commands/`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "headroom",
    version,
    about = "Capacity planning and load testing: how much can it take, when do we run out, what should we run.",
    long_about = "headroom drives declarative load scenarios against HTTP services, fits saturation \
models to the results, forecasts utilisation and right-sizes fleets.\n\n\
Exit codes: 0 success; 1 the run worked but an SLO failed or a guard aborted it; 2 bad input or usage.",
    after_help = "Start here:\n  headroom demo    # everything once; open out/demo/report/index.html\n  \
headroom target --workers 4 --service-time 10ms &\n  \
headroom run scenarios/closed-steps.yaml --target http://127.0.0.1:8080"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run a scenario file against a target and measure every load step.
    #[command(
        after_help = "Examples:\n  headroom run scenarios/closed-steps.yaml --target http://127.0.0.1:8080\n  \
HEADROOM_TARGET=http://127.0.0.1:8080 \\\n      headroom run scenarios/open-steps.yaml --out out/open --json\n\n\
Writes DIR/run.json (every step: throughput, latency percentiles, errors by kind, histograms) and \
DIR/timeline.csv (one row per second). Ctrl-C stops the load and still writes what was measured."
    )]
    Run(RunArgs),
    /// Merge the run.json files of a sharded test (`run --shard I/N`) into one.
    #[command(
        after_help = "Example:\n  headroom merge results/shard-*/run.json --out results/merged\n\n\
Counts add and latency percentiles come from the merged histograms (exact, not averages). A \
missing, failed or mismatched shard is refused unless --allow-partial is given."
    )]
    Merge(MergeArgs),
    /// Compare two runs of one scenario: did the new one get slower, or fail more?
    #[command(after_help = "Examples:\n  headroom compare out/base/run.json out/run/run.json\n  \
headroom compare base.json new.json --threshold 5% --json\n\n\
Steps are matched by load level; for each, the whole run and each journey/step request, the \
change in throughput, p50, p95, p99 and error rate. A percentile regresses when it is worse by \
more than the threshold with a 95% interval above zero (a bootstrap of the two histograms); the \
error rate when it rose significantly. Exit 1 on a regression, 0 otherwise, 2 when the runs \
cannot be compared. Writes DIR/compare.json and DIR/compare.md (a verdict for CI).")]
    Compare(CompareArgs),
    /// Make a scenario from a browser's HAR recording or an OpenAPI 3 description.
    #[command(
        after_help = "Examples:\n  headroom import recording.har              # writes recording.scenario.yaml\n  \
headroom import examples/petstore.yaml --out scenarios/api.yaml\n  \
headroom import examples/shop.har --keep-assets --out -    # to stdout\n\n\
A HAR becomes one journey: the requests to its main host in recorded order, the recorded gaps as \
think times, static assets and other hosts dropped, cookies left out. An OpenAPI file becomes one \
journey per tag (or path) with example values from its schemas. Credentials (Authorization, API \
keys, tokens, passwords) become ${HEADROOM_...} references to set in the environment; the file's \
header lists them and everything dropped. The scenario validates and runs as written: one user \
sends every request; edit its load: for a load test."
    )]
    Import(ImportArgs),
    /// Check a scenario file in full without sending any traffic.
    Validate {
        /// The scenario file (YAML).
        scenario: PathBuf,
    },
    /// Fit the saturation model to a run and state its limits: peak, knee, SLO limit, safe point.
    #[command(
        after_help = "Examples:\n  headroom fit                     # out/run/run.json into out/limits/\n  \
headroom fit --slo p99=250ms --headroom 30%\n  \
headroom fit examples/other-tool.csv --slo p95=200ms --out out/other --json\n\n\
INPUT is a run.json from `headroom run` or a CSV with columns concurrency,throughput[,latency_ms] \
from another tool. Closed runs are described by the USL; every run also gets the per-instance \
queueing model (c servers, the service-time distribution of the lowest step, the capacity the \
run measured), which gives open runs their SLO limits and `headroom plan` its predictions. \
Hold the lowest step long enough for a thousand requests or more: it measures the service time. \
Writes DIR/limits.json."
    )]
    Fit(FitArgs),
    /// Forecast utilisation history: trend, seasonality, intervals, the peak and the runway.
    #[command(
        after_help = "Examples:\n  headroom forecast examples/history.csv --horizon 90d --threshold 400\n  \
headroom forecast examples/history.csv --limits out/limits/limits.json \\\n      \
--instances 4\n  \
headroom forecast examples/query_range.json --horizon 30d\n  \
headroom forecast examples/counts.csv --aggregate sum --step 1h\n  \
headroom forecast --prometheus http://127.0.0.1:9090 \\\n      \
--query 'sum(rate(http_requests_total[5m]))' --range 90d\n  \
headroom forecast examples/history.csv --backtest 1d\n\n\
INPUT is a CSV with timestamp,value or timestamp,series,value (RFC 3339, YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] \
or Unix seconds), or a saved Prometheus query_range response (.json). Writes DIR/forecast.csv, \
DIR/summary.json and DIR/history.csv (the history as read, for the report)."
    )]
    Forecast(ForecastArgs),
    /// Right-size a fleet: per-service recommendations from utilisation and a price catalogue.
    #[command(
        after_help = "Examples:\n  headroom rightsize examples/fleet.csv --catalog examples/prices.csv \\\n      \
--current examples/placement.csv\n  \
headroom rightsize examples/fleet.csv --catalog examples/prices.csv \\\n      \
--policy examples/policy.yaml --forecast-horizon 90d --json\n  \
headroom rightsize --prometheus http://127.0.0.1:9090 --namespace shop \\\n      \
--range 14d --catalog examples/prices.csv\n\n\
FLEET.csv has timestamp,service,instance,cpu_cores,mem_bytes (or cpu_percent with instance_type). \
Writes DIR/recommendations.csv and DIR/rightsize.json. With --prometheus, per container of each \
workload: DIR/containers.csv, DIR/containers.json and DIR/patch.yaml (requests and memory limits \
as strategic-merge patches for kubectl patch)."
    )]
    Rightsize(RightsizeArgs),
    /// Plan a peak event: instances needed for a demand, at what latency and cost.
    #[command(
        after_help = "Examples:\n  headroom plan --demand 750 --slo p99=250ms    # limits from out/limits/\n  \
headroom plan --forecast out/forecast --multiplier 3 --event-date 2026-11-27 \\\n      \
--current 6 --catalog examples/prices.csv --instance-type gp.medium\n\n\
Writes DIR/plan.json. The count is the fewest instances whose predicted latency meets the SLO \
with the redundancy's spares lost."
    )]
    Plan(PlanArgs),
    /// The quarterly capacity review: every service's headroom, runway against lead time, next quarter's count and cost.
    #[command(after_help = "Examples:\n  headroom review examples/portfolio.yaml\n  \
headroom review examples/portfolio.yaml --previous old/review/review.json --out out/review\n\n\
PORTFOLIO.yaml names the demand (a CSV of timestamp,series,value or a Prometheus query split by \
a label), the services (instances, instance_type, and limits: limits.json or capacity_rps: per \
instance), the horizon (90d), lead_time (30d), thresholds (action 70%, critical 85%), redundancy \
(n+1), slo and catalog; paths are relative to it. Writes DIR/review.csv, DIR/review.json and \
DIR/forecast.csv; `headroom report` draws it.")]
    Review(ReviewArgs),
    /// Write the capacity report (HTML, Markdown, SVG charts) from any subset of results.
    #[command(
        after_help = "Examples:\n  headroom report                  # whatever exists under out/\n  \
headroom report --run out/run/run.json --limits out/limits/limits.json \\\n      \
--forecast out/forecast --rightsize out/rightsize --plan out/plan\n\n\
Writes DIR/index.html (self-contained, prints on A4), DIR/report.md and DIR/*.svg. Sections \
without an input are left out."
    )]
    Report(ReportArgs),
    /// Show the whole toolkit with one command: target, load test, limits, forecast, right-sizing, plan, report.
    Demo(DemoArgs),
    /// Serve a simulated service of known capacity (workers / service time) on 127.0.0.1.
    #[command(
        after_help = "Example:\n  headroom target --workers 4 --service-time 10ms --dist const --port 8080\n\n\
Every path answers after one service time (FIFO queue when all workers are busy) with JSON \
{\"id\", \"method\", \"path\"}; /status/NNN answers NNN; /metrics is Prometheus text."
    )]
    Target(TargetArgs),
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// The scenario file (YAML).
    pub scenario: PathBuf,
    /// Base URL of the service under test; overrides HEADROOM_TARGET and the file's `target`.
    #[arg(long, env = "HEADROOM_TARGET")]
    pub target: Option<String>,
    /// Directory for run.json and timeline.csv (default: out/runs/TIME/ for every run, and
    /// out/run/ for the latest that measured something, which the other commands read).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print run.json to stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Show a row per request (journey/step) after the table (always when there are several).
    #[arg(long)]
    pub by_request: bool,
    /// Run shard I of N (from 0): this process takes its share of every load level and
    /// of each feeder's rows; `headroom merge` combines the shards' run.json files.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Start the plan at this wall-clock time (RFC 3339) or after a delay (+30s), so that
    /// shards step up together.
    #[arg(long, value_name = "TIME|+DELAY")]
    pub start_at: Option<String>,
    /// Serve live Prometheus metrics on HOST:PORT/metrics during the run and for 5 s
    /// after (requests by journey, step and outcome, a latency histogram, drops, users,
    /// offered rate, step).
    #[arg(long, value_name = "HOST:PORT")]
    pub metrics_listen: Option<String>,
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// A HAR 1.2 recording (.har, JSON) or an OpenAPI 3 document (JSON or YAML).
    pub file: PathBuf,
    /// The scenario file to write (default: FILE's name with .scenario.yaml; - for stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Keep a recording's static assets (images, scripts, styles, fonts, media).
    #[arg(long)]
    pub keep_assets: bool,
    /// Replace the scenario file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args)]
pub struct CompareArgs {
    /// The baseline run.json.
    pub base: PathBuf,
    /// The run.json to judge against it.
    pub new: PathBuf,
    /// How much worse a percentile may get before it is a regression.
    #[arg(long, default_value = "10%")]
    pub threshold: String,
    /// Print compare.json instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Directory for compare.json and compare.md.
    #[arg(long, default_value = crate::output::tree::COMPARE)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The shards' run.json files.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Merge what there is when shards are missing or failed, recording the gap.
    #[arg(long)]
    pub allow_partial: bool,
    /// Directory for the merged run.json and timeline.csv.
    #[arg(long, default_value = crate::output::tree::MERGED)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct FitArgs {
    /// run.json, or a CSV with concurrency,throughput[,latency_ms].
    #[arg(default_value = crate::output::tree::RUN_JSON)]
    pub input: PathBuf,
    /// Latency objective PERCENTILE=DURATION, repeatable (default: the run's own SLO).
    #[arg(long, value_name = "pXX=DURATION")]
    pub slo: Vec<String>,
    /// How far below the SLO limit (or the peak, without an SLO) the safe point sits.
    #[arg(long, default_value = "20%")]
    pub headroom: String,
    /// Directory for limits.json.
    #[arg(long, default_value = crate::output::tree::LIMITS)]
    pub out: PathBuf,
    /// Print limits.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ForecastArgs {
    /// History: CSV, or a saved Prometheus query_range response (.json).
    pub input: Option<PathBuf>,
    /// How far ahead to forecast.
    #[arg(long, default_value = "90d")]
    pub horizon: String,
    /// Runway threshold: the level demand must stay under.
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Take the runway threshold from a limits.json: the fleet's instances x one instance's
    /// Poisson SLO limit (else its SLO limit as measured, else its peak).
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// Instances running today, for --limits (default: the plan's --current, else 1).
    #[arg(long, value_name = "N", requires = "limits", value_parser = clap::value_parser!(u32).range(1..))]
    pub instances: Option<u32>,
    /// The plan whose --current count is today's fleet, for --limits without --instances.
    #[arg(long, value_name = "PLAN.json", default_value = "out/plan/plan.json")]
    pub plan: PathBuf,
    /// Hold out this much of the end of the history, forecast it and print MASE, sMAPE and peak error.
    #[arg(long, value_name = "DURATION")]
    pub backtest: Option<String>,
    /// Regularise to this step (default: the median gap between samples; with --prometheus the finest of 1s, 5s, 15s, 30s, 1m, 5m, 10m, 15m, 30m, 1h... that keeps --range in 10,000 points: 15m for 90d; a finer one is fetched in several queries).
    #[arg(long)]
    pub step: Option<String>,
    /// Aggregate the samples onto --step before forecasting: sum (counts), mean or max (utilisation).
    #[arg(long, value_name = "sum|mean|max", requires = "step")]
    pub aggregate: Option<String>,
    /// Drop a sample far from the rest (across a gap longer than the rest of the series) and count it, instead of refusing the history.
    #[arg(long)]
    pub drop_outliers: bool,
    /// Size the peak for spikes: they stay out of the seasonal shape but go back into the noise the peaks are simulated from (by default a few extreme points are set aside and listed).
    #[arg(long)]
    pub keep_spikes: bool,
    /// A value the series cannot pass, such as 100 for a percentage: the mean, bands and
    /// peaks stay under it (automatic at 100 for a series named as a percentage or a
    /// utilisation that never went above 100).
    #[arg(long, value_name = "VALUE")]
    pub ceiling: Option<f64>,
    /// Query a live Prometheus server instead of reading INPUT.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// The PromQL query (with --prometheus).
    #[arg(long)]
    pub query: Option<String>,
    /// How much history to query (with --prometheus).
    #[arg(long, default_value = "90d")]
    pub range: String,
    /// Directory for forecast.csv, summary.json and history.csv.
    #[arg(long, default_value = crate::output::tree::FORECAST)]
    pub out: PathBuf,
    /// Print summary.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct RightsizeArgs {
    /// Fleet utilisation CSV (or --prometheus for Kubernetes containers).
    #[arg(required_unless_present = "prometheus", conflicts_with = "prometheus")]
    pub fleet: Option<PathBuf>,
    /// Price catalogue CSV: instance_type,vcpu,mem_gib,hourly_usd[,spot_hourly_usd]. With
    /// --prometheus, prices per vCPU and GiB are fitted to it.
    #[arg(long, required_unless_present = "prometheus")]
    pub catalog: Option<PathBuf>,
    /// Right-size Kubernetes containers from this Prometheus (cAdvisor's CPU and working
    /// set; kube-state-metrics' requests and owners when scraped): writes containers.csv,
    /// containers.json and patch.yaml.
    #[arg(long, value_name = "URL")]
    pub prometheus: Option<String>,
    /// Only this namespace (with --prometheus).
    #[arg(long, requires = "prometheus")]
    pub namespace: Option<String>,
    /// How much history to read (with --prometheus).
    #[arg(long, default_value = "14d", requires = "prometheus")]
    pub range: String,
    /// Resolution of the history (with --prometheus); a range of more than 10,000 steps
    /// is read in several queries.
    #[arg(long, default_value = "5m", requires = "prometheus")]
    pub step: String,
    /// Today's placement CSV: service,instance_type,count (for costs and savings).
    #[arg(long)]
    pub current: Option<PathBuf>,
    /// Policy YAML (defaults: CPU p95 + 20%, memory max + 15%, n+1, at least 2 instances).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Size for the forecast peak of CPU over this horizon instead of the past percentile.
    #[arg(long, value_name = "DURATION")]
    pub forecast_horizon: Option<String>,
    /// Keep per-instance utilisation below the safe operating point of this limits.json.
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// Directory for recommendations.csv and rightsize.json.
    #[arg(long, default_value = crate::output::tree::RIGHTSIZE)]
    pub out: PathBuf,
    /// Print rightsize.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct PlanArgs {
    /// limits.json from `headroom fit` on a load test of one instance.
    #[arg(long, default_value = crate::output::tree::LIMITS_JSON)]
    pub limits: PathBuf,
    /// Expected demand in requests per second.
    #[arg(long)]
    pub demand: Option<f64>,
    /// A `headroom forecast` output directory: demand is its peak (upper 95% bound).
    #[arg(long)]
    pub forecast: Option<PathBuf>,
    /// Series in the forecast (default: the first).
    #[arg(long)]
    pub series: Option<String>,
    /// Use the forecast's central estimate instead of its upper 95% bound.
    #[arg(long)]
    pub use_mean: bool,
    /// The event's day (YYYY-MM-DD): demand is the forecast's maximum that day.
    #[arg(long)]
    pub event_date: Option<String>,
    /// Demand multiplier for the event (3 for "three times the usual peak").
    #[arg(long, default_value_t = 1.0)]
    pub multiplier: f64,
    /// Spare instances: n, n+1 (meets the SLO with one lost), n+2.
    #[arg(long, default_value = "n+1")]
    pub redundancy: String,
    /// Instances running today, to show the gap.
    #[arg(long)]
    pub current: Option<u32>,
    /// Price catalogue for costs (with --instance-type).
    #[arg(long)]
    pub catalog: Option<PathBuf>,
    /// The instance type the limits were measured on.
    #[arg(long)]
    pub instance_type: Option<String>,
    /// Hours the event lasts, for its cost.
    #[arg(long, default_value_t = 24.0)]
    pub event_hours: f64,
    /// Latency objective PERCENTILE=DURATION (default: the limits' highest percentile).
    #[arg(long, value_name = "pXX=DURATION")]
    pub slo: Option<String>,
    /// Also write a scenario that load-tests the plan (Poisson arrivals at the planned demand).
    #[arg(long, value_name = "FILE")]
    pub verify_scenario: Option<PathBuf>,
    /// How long the verification scenario holds the planned demand.
    #[arg(long, default_value = "1m", value_name = "DURATION")]
    pub verify_hold: String,
    /// Compare the plan with the run.json of its verification scenario (writes nothing).
    #[arg(long, value_name = "RUN.json")]
    pub check: Option<PathBuf>,
    /// Directory for plan.json.
    #[arg(long, default_value = crate::output::tree::PLAN)]
    pub out: PathBuf,
    /// Print plan.json to stdout instead of the summary.
    #[arg(long)]
    pub json: bool,
}

/// `headroom review`
#[derive(clap::Args)]
pub struct ReviewArgs {
    /// The portfolio: settings, the demand source and the services (YAML).
    pub portfolio: PathBuf,
    /// The previous review's review.json (its forecast.csv beside it): its forecast is
    /// scored against the demand since.
    #[arg(long, value_name = "OLD/review.json")]
    pub previous: Option<PathBuf>,
    /// Directory for review.csv, review.json and forecast.csv.
    #[arg(long, default_value = crate::output::tree::REVIEW)]
    pub out: PathBuf,
    /// Print review.json to stdout instead of the table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    /// Output directory of `headroom review`: its portfolio section comes first.
    #[arg(long)]
    pub review: Option<PathBuf>,
    /// run.json from `headroom run`. With no input flag at all, every section whose input
    /// exists under out/ is drawn (out/review, out/run/run.json, out/limits/limits.json,
    /// out/forecast, out/rightsize, out/plan).
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// A baseline run.json: the report compares --run against it (latency distributions
    /// side by side and the regression verdict of `headroom compare`).
    #[arg(long, value_name = "RUN.json", requires = "run")]
    pub baseline: Option<PathBuf>,
    /// limits.json from `headroom fit`.
    #[arg(long)]
    pub limits: Option<PathBuf>,
    /// Output directory of `headroom forecast`.
    #[arg(long)]
    pub forecast: Option<PathBuf>,
    /// Output directory of `headroom rightsize`.
    #[arg(long)]
    pub rightsize: Option<PathBuf>,
    /// Output directory of `headroom plan`.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Directory for index.html, report.md and the SVGs.
    #[arg(long, default_value = crate::output::tree::REPORT)]
    pub out: PathBuf,
}

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Directory for everything the demo writes.
    #[arg(long, default_value = "out/demo")]
    pub out: PathBuf,
    /// Hold each load step 1 s instead of 5 s (a shorter demo, as the tests run it).
    #[arg(long)]
    pub quick: bool,
}

#[derive(clap::Args)]
pub struct TargetArgs {
    /// Requests served at once (C).
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Mean service time per request (S), e.g. 10ms; 0 answers at once (a fast server
    /// for measuring the load generator).
    #[arg(long, default_value = "10ms")]
    pub service_time: String,
    /// Service-time distribution.
    #[arg(long, value_enum, default_value_t = Dist::Exp)]
    pub dist: Dist,
    /// Port on 127.0.0.1 (0 picks a free one and prints it).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Write every request (method, path and query, headers, body) to FILE as a JSON
    /// line: what a scenario really sends.
    #[arg(long, value_name = "FILE")]
    pub access_log: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Dist {
    /// Exponential (M/M/c).
    Exp,
    /// Constant (M/D/c).
    Const,
    /// Lognormal, shape 0.5.
    Lognormal,
}
