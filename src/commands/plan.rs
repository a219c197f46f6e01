//! `headroom plan`: instances for a peak event from limits.json and a demand (a rate, or
//! a forecast's peak), with redundancy, predicted latency, cost and sensitivity.

use super::{read_json, OK};
use crate::cli::PlanArgs;
use crate::output::{write_atomic, write_json};
use anyhow::{anyhow, bail, Context};
use headroom::input::parse_timestamp;
use headroom_forecast::instance::CAPACITY_Z;
use headroom_forecast::limits::LimitsFile;
use headroom_forecast::plan::{
    self, Cost, Demand, Objective, PlanFile, Sensitivity, Sizing, SCHEMA_VERSION, SENSITIVITY,
};
use headroom_forecast::rightsize::{Redundancy, HOURS_PER_MONTH};
use headroom_forecast::ts::Summary;
use headroom_loadgen::results::RunResult;
use std::path::Path;

pub fn run(args: PlanArgs) -> anyhow::Result<u8> {
    if !(args.multiplier > 0.0 && args.multiplier.is_finite()) {
        bail!("--multiplier: found {}; expected a number above 0", args.multiplier);
    }
    let limits: LimitsFile = read_json(&args.limits, "--limits")?;
    let objective = objective(&args.slo, &limits)?;
    let model = limits.limits.instance_model.clone().ok_or_else(|| {
        anyhow!(
            "--limits {}: no queueing model (the run gave no latency to measure the service time); \
             fit a run.json of headroom run",
            args.limits.display()
        )
    })?;
    let model = model
        .checked()
        .map_err(|m| anyhow!("--limits {}: instance_model.{m}", args.limits.display()))?;
    let redundancy = Redundancy::parse(&args.redundancy).map_err(|m| anyhow!("--redundancy: {m}"))?;
    let spares = redundancy.spares();
    let (base, source) = demand(&args)?;
    let rps = base * args.multiplier;
    let instances = plan::instances_needed(&model, rps, &objective, spares).map_err(|e| anyhow!("{e}"))?;
    let safe = limits
        .limits
        .safe_operating_point
        .as_ref()
        .map(|s| s.at.throughput.value);
    let mut warnings: Vec<String> = limits
        .limits
        .warnings
        .iter()
        .map(|w| format!("from the fit: {w}"))
        .collect();
    let at_safe = safe.map(|s| (rps / s).ceil() as u32 + spares);
    if let Some(n) = at_safe.filter(|n| *n > instances) {
        let who = match spares {
            0 => "the instances run".to_string(),
            k => format!("{} the rest run", with_lost(k)),
        };
        warnings.push(format!(
            "the SLO holds, but {who} above the load test's safe operating point ({:.1} rps each); \
             {n} instances would keep them under it",
            safe.unwrap_or_default()
        ));
    }
    warnings.extend(plan::close_call(&model, instances, rps, &objective, spares));
    let cost = match (&args.catalog, &args.instance_type) {
        (Some(catalog), Some(kind)) => Some(cost(catalog, kind, instances, args.current, args.event_hours)?),
        (None, None) => None,
        _ => bail!("--catalog and --instance-type go together"),
    };
    let file = PlanFile {
        schema_version: SCHEMA_VERSION,
        demand: Demand {
            rps,
            base_rps: base,
            multiplier: args.multiplier,
            source,
        },
        model: model.describe(),
        assumptions: model.assumptions.clone(),
        method: model.method.clone(),
        per_instance_capacity_rps: model.capacity(),
        per_instance_capacity_low_rps: model.capacity() / model.slowdown_at_low_capacity(),
        safe_operating_point_rps: safe,
        instances,
        redundancy: args.redundancy.clone(),
        instances_at_safe_point: at_safe,
        plan: plan::sizing(&model, instances, rps, &objective, spares),
        current: args.current.map(|n| plan::sizing(&model, n, rps, &objective, spares)),
        cost,
        sensitivity: SENSITIVITY
            .iter()
            .map(|&m| Sensitivity {
                multiplier: m,
                demand_rps: rps * m,
                instances: plan::instances_needed(&model, rps * m, &objective, spares).ok(),
            })
            .collect(),
        curve: plan::curve(&model, instances, rps, &objective, spares),
        warnings,
        objective,
    };
    if let Some(run) = &args.check {
        return check(&file, run);
    }
    write_json(&args.out.join("plan.json"), &file)?;
    if let Some(path) = &args.verify_scenario {
        let hold =
            headroom_loadgen::units::parse_duration(&args.verify_hold).map_err(|m| anyhow!("--verify-hold: {m}"))?;
        write_atomic(path, verify_scenario(&file, hold).as_bytes())?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&file)?);
    } else {
        println!("{}\nwrote {}", render(&file), args.out.join("plan.json").display());
        if let Some(path) = &args.verify_scenario {
            println!(
                "wrote {}: run it against {} instances (or one target of {} workers) with --out out/verify, \
                 then repeat this command with --check out/verify/run.json",
                path.display(),
                file.instances,
                file.instances as u64 * u64::from(model.servers)
            );
        }
    }
    Ok(OK)
}

/// `--slo`, else the highest-percentile objective the fit was made for.
fn objective(flag: &Option<String>, limits: &LimitsFile) -> anyhow::Result<Objective> {
    if let Some(text) = flag {
        let slo = super::slo_flags(std::slice::from_ref(text))?;
        return super::latency_objectives(&slo)
            .into_iter()
            .next()
            .ok_or_else(|| anyhow!("--slo {text}: expected a latency percentile such as p99=250ms"));
    }
    let fitted = limits.limits.objectives.iter().filter_map(|o| {
        let percentile = headroom_loadgen::slo::parse_percentile_name(&o.objective)?;
        Some(Objective {
            name: o.objective.clone(),
            percentile,
            limit_ms: o.limit_ms,
        })
    });
    fitted
        .max_by(|a, b| a.percentile.total_cmp(&b.percentile))
        .ok_or_else(|| anyhow!("no latency objective: give --slo p99=250ms (the limits.json has none)"))
}

/// A scenario that load-tests the plan: Poisson arrivals at the planned demand against
/// the planned size, with the objective as its SLO.
fn verify_scenario(p: &PlanFile, hold: std::time::Duration) -> String {
    format!(
        "# Written by `headroom plan --verify-scenario`: load-tests the plan of {instances} instances at\n\
         # {rps:.1} rps (Poisson arrivals, as peak-event traffic comes). Replace the journey with the\n\
         # traffic mix the limits were measured with, point --target at the {instances} instances\n\
         # (all up; the prediction with {spares} lost is {degraded}), then compare:\n\
         #   headroom run THIS_FILE --target URL --out out/verify\n\
         #   headroom plan <the same flags> --check out/verify/run.json\n\
         # Predicted: p50 {p50}, {name} {objective}.\n\
         name: verify-plan\n\
         journeys:\n  - name: verify\n    steps:\n      - {{get: /}}\n\
         load:\n  arrivals: poisson\n  stages: [{{rate: {rps}, ramp: 10s, hold: {hold}}}]\n\
         slo: {{{name}: {limit}ms}}\n",
        instances = p.instances,
        rps = p.demand.rps,
        spares = p.redundancy.trim_start_matches("n+"),
        degraded = ms(p.plan.objective_ms_degraded),
        p50 = ms(p.plan.p50_ms),
        name = p.objective.name,
        objective = ms(p.plan.objective_ms),
        hold = headroom_loadgen::units::format_duration(hold),
        limit = p.objective.limit_ms,
    )
}

/// Predicted against measured, from the run of a verification scenario.
fn check(p: &PlanFile, path: &Path) -> anyhow::Result<u8> {
    let run: RunResult = read_json(path, "--check")?;
    let step = run
        .steps
        .iter()
        .rev()
        .find(|s| s.window.requests > 0)
        .ok_or_else(|| anyhow!("--check {}: the run measured no step", path.display()))?;
    let measured = &step.window.latency_ms;
    let observed = headroom_loadgen::results::decode_histogram(&step.window.histogram)
        .map(|h| h.value_at_quantile(p.objective.quantile()) as f64 / 1e3)
        .unwrap_or(measured.p99);
    let compare = |label: &str, predicted: Option<f64>, measured: f64| match predicted {
        Some(v) => format!(
            "  {label:<6} predicted {v:>8.1} ms  measured {measured:>8.1} ms  ({:+.1}%)",
            (v / measured - 1.0) * 100.0
        ),
        None => format!("  {label:<6} predicted overloaded  measured {measured:.1} ms"),
    };
    let rate = step.rate.map_or(String::new(), |r| format!(" at {r}/s"));
    let mut lines = vec![
        format!(
            "Plan check: {} instances at {:.1} rps against {} (step {}{rate}, {:.0} s)",
            p.instances,
            p.demand.rps,
            path.display(),
            step.step,
            step.duration_s
        ),
        compare("p50", p.plan.p50_ms, measured.p50),
        compare(&p.objective.name, p.plan.objective_ms, observed),
    ];
    if let Some(rate) = step.rate.filter(|r| (r / p.demand.rps - 1.0).abs() > 0.02) {
        lines.push(format!(
            "  warning: the run offered {rate}/s, not the planned {:.1}/s",
            p.demand.rps
        ));
    }
    if run.model != headroom_loadgen::plan::Model::Open {
        lines.push("  warning: a closed run: the plan predicts open (Poisson) traffic".into());
    }
    lines.extend(step.notes.iter().map(|n| format!("  note: {n}")));
    let met = observed <= p.objective.limit_ms;
    lines.push(format!(
        "  {} <= {} ms {} under load",
        p.objective.name,
        p.objective.limit_ms,
        if met { "held" } else { "FAILED" }
    ));
    println!("{}", lines.join("\n"));
    Ok(if met { OK } else { super::FAILED })
}

fn ms(v: Option<f64>) -> String {
    v.map_or("overloaded".to_string(), |v| format!("{v:.1} ms"))
}

/// The base demand and where it came from.
fn demand(args: &PlanArgs) -> anyhow::Result<(f64, String)> {
    match (args.demand, &args.forecast) {
        (Some(_), Some(_)) => bail!("give either --demand or --forecast, not both"),
        (None, None) => bail!("no demand: give --demand RATE or --forecast DIR"),
        (Some(rate), None) if rate > 0.0 => Ok((rate, "--demand".into())),
        (Some(rate), None) => bail!("--demand: found {rate}; expected a rate above 0"),
        (None, Some(dir)) => forecast_demand(dir, args),
    }
}

fn forecast_demand(dir: &Path, args: &PlanArgs) -> anyhow::Result<(f64, String)> {
    let path = dir.join("summary.json");
    let summary: Summary = read_json(&path, "--forecast")?;
    let series = match &args.series {
        Some(name) => summary
            .series
            .iter()
            .find(|s| &s.series == name)
            .ok_or_else(|| anyhow!("--series: no series `{name}` in {}", path.display()))?,
        None => summary
            .series
            .first()
            .ok_or_else(|| anyhow!("--forecast {}: no series", path.display()))?,
    };
    let statistic = if args.use_mean { "mean" } else { "upper 95%" };
    let Some(date) = &args.event_date else {
        let value = if args.use_mean {
            series.peak.value
        } else {
            series.peak.hi95
        };
        return Ok((
            value,
            format!("forecast peak of `{}` over the horizon ({statistic})", series.series),
        ));
    };
    let day_start = parse_timestamp(&format!("{date} 00:00:00"))
        .ok_or_else(|| anyhow!("--event-date: found `{date}`; expected YYYY-MM-DD"))?;
    let rows = day_rows(&dir.join("forecast.csv"), &series.series, day_start, args.use_mean)?;
    let last = series.start + series.step_s * (rows.1 as i64).max(0);
    rows.0
        .ok_or_else(|| {
            anyhow!(
                "--event-date {date}: outside the forecast of `{}`, which covers {} to {}",
                series.series,
                headroom::input::format_timestamp(series.start),
                headroom::input::format_timestamp(last)
            )
        })
        .map(|v| {
            (
                v,
                format!(
                    "forecast of `{}` on {date} ({statistic}, the day's maximum)",
                    series.series
                ),
            )
        })
}

/// The day's maximum of the mean or upper 95% bound, and how many rows the series has.
fn day_rows(path: &Path, series: &str, day_start: i64, use_mean: bool) -> anyhow::Result<(Option<f64>, usize)> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("--forecast: cannot read {}", path.display()))?;
    let column = if use_mean { 2 } else { 6 };
    let (mut best, mut count) = (None::<f64>, 0);
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| anyhow!("{}:{}: {e}", path.display(), i + 2))?;
        if record.get(1) != Some(series) {
            continue;
        }
        count += 1;
        let t = record
            .get(0)
            .and_then(parse_timestamp)
            .ok_or_else(|| anyhow!("{}:{}: bad timestamp", path.display(), i + 2))?;
        if (day_start..day_start + 86_400).contains(&t) {
            let v: f64 = record
                .get(column)
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| anyhow!("{}:{}: bad number", path.display(), i + 2))?;
            best = Some(best.map_or(v, |b| b.max(v)));
        }
    }
    Ok((best, count))
}

fn cost(catalog: &Path, kind: &str, instances: u32, current: Option<u32>, event_hours: f64) -> anyhow::Result<Cost> {
    let types = headroom::fleet::read_catalogue(catalog).map_err(|m| anyhow!(m))?;
    let t = types.iter().find(|t| t.name == kind).ok_or_else(|| {
        anyhow!(
            "--instance-type: found `{kind}`; expected a type from {}",
            catalog.display()
        )
    })?;
    Ok(Cost {
        instance_type: t.name.clone(),
        hourly_usd: t.hourly_usd,
        monthly_usd: t.monthly_usd(instances),
        event_hours,
        event_usd: t.hourly_usd * event_hours * instances as f64,
        current_monthly_usd: current.map(|n| t.hourly_usd * HOURS_PER_MONTH * n as f64),
    })
}

/// "2 more instances", "1 fewer instance", "none".
fn gap(more: i64) -> String {
    let noun = |n: i64| if n == 1 { "instance" } else { "instances" };
    match more {
        0 => "none: today's count is the plan".into(),
        n if n > 0 => format!("{n} more {}", noun(n)),
        n => format!("{} fewer {}", -n, noun(-n)),
    }
}

/// "with 1 instance lost", "with 2 instances lost".
fn with_lost(spares: u32) -> String {
    format!("with {} lost", super::count(spares as usize, "instance"))
}

fn render(p: &PlanFile) -> String {
    let spares = Redundancy::parse(&p.redundancy).map_or(0, |r| r.spares());
    let lost = |what: Option<f64>| match spares {
        0 => String::new(),
        k => format!("  ({} {})", ms(what), with_lost(k)),
    };
    let line = |label: &str, s: &Sizing| {
        format!(
            "{label:<9} {:>4} instances  utilisation {:>5.1}%  p50 {}  {} {}{}  headroom {:+.0}%  {}",
            s.instances,
            s.utilisation * 100.0,
            ms(s.p50_ms),
            p.objective.name,
            ms(s.objective_ms),
            lost(s.objective_ms_degraded),
            s.headroom * 100.0,
            if s.meets_objective {
                "meets the SLO"
            } else {
                "MISSES the SLO"
            }
        )
    };
    let mut lines = vec![
        format!(
            "Peak-event plan: {:.1} rps ({:.1} x {}), {} <= {} ms, {}",
            p.demand.rps, p.demand.base_rps, p.demand.multiplier, p.objective.name, p.objective.limit_ms, p.redundancy
        ),
        format!("  demand from {}", p.demand.source),
        format!("  model: {}", p.model),
        format!("  assumes {}", p.assumptions),
        format!("  method: {}", p.method),
        line("plan", &p.plan),
        format!(
            "  at the capacity's lower bound ({:.1} rps, {} standard errors below the measured one){}: {} {}",
            p.per_instance_capacity_low_rps,
            CAPACITY_Z,
            match spares {
                0 => String::new(),
                k => format!(" {}", with_lost(k)),
            },
            p.objective.name,
            ms(p.plan.objective_ms_at_low_capacity),
        ),
    ];
    if let Some(c) = &p.current {
        lines.push(line("today", c));
        lines.push(format!("  gap: {}", gap(p.instances as i64 - c.instances as i64)));
    }
    if let Some(c) = &p.cost {
        let today = c
            .current_monthly_usd
            .map(|m| format!(" (today ${m:.2})"))
            .unwrap_or_default();
        lines.push(format!(
            "  cost: {} x {} at ${:.3}/h: ${:.2}/month{today}, ${:.2} for a {}-hour event",
            p.instances, c.instance_type, c.hourly_usd, c.monthly_usd, c.event_usd, c.event_hours
        ));
    }
    let sensitivity: Vec<String> = p
        .sensitivity
        .iter()
        .map(|s| {
            format!(
                "{}x: {}",
                s.multiplier,
                s.instances.map_or("-".into(), |n| n.to_string())
            )
        })
        .collect();
    lines.push(format!(
        "  sensitivity (instances at demand multiples): {}",
        sensitivity.join(", ")
    ));
    lines.extend(p.warnings.iter().map(|w| format!("  warning: {w}")));
    lines.join("\n")
}
