//! The review's portfolio file (YAML; paths relative to it) and everything it points
//! to: the demand (one CSV of `timestamp,series,value`, or one Prometheus query split by
//! a label, and per-service files), each service's limits.json and the price
//! catalogue. The file itself must be right (errors name file:line, exit 2); a service
//! whose own data is missing or bad becomes the review's `unknown` with a note.

use super::history::read_csv;
use super::{fleet::read_catalogue, prometheus, read_json};
use anyhow::{anyhow, bail};
use headroom_forecast::capacity::limits::LimitsFile;
use headroom_forecast::review::{Capacity, ServiceInput, Settings};
use headroom_forecast::rightsize::{InstanceType, Redundancy};
use headroom_forecast::ts::regular::Regular;
use headroom_forecast::ts::workflow::{self, Grid, Horizon};
use headroom_loadgen::slo::Objective;
use headroom_loadgen::units::{parse_duration, parse_percent, parse_timestamp};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

type Text = Spanned<String>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Option<String>,
    as_of: Option<Text>,
    horizon: Option<Text>,
    lead_time: Option<Text>,
    thresholds: Option<Thresholds>,
    redundancy: Option<Text>,
    slo: Option<Text>,
    catalog: Option<String>,
    demand: Spanned<DemandFile>,
    services: Vec<Spanned<ServiceFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Thresholds {
    action: Text,
    critical: Text,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct DemandFile {
    csv: Option<String>,
    prometheus: Option<String>,
    query: Option<String>,
    label: Option<String>,
    range: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceFile {
    name: String,
    instances: u32,
    instance_type: Option<String>,
    limits: Option<String>,
    capacity_rps: Option<f64>,
    lead_time: Option<Text>,
    redundancy: Option<Text>,
    slo: Option<Text>,
    demand: Option<Spanned<DemandFile>>,
}

/// Where demand comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Demand {
    Csv(PathBuf),
    Prometheus {
        url: String,
        query: String,
        label: String,
        range: std::time::Duration,
    },
}

/// Where a service's capacity comes from, as the file says.
#[derive(Debug, Clone, PartialEq)]
pub enum CapacitySpec {
    PerInstance(f64),
    Limits {
        path: PathBuf,
        objective: Option<Objective>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceSpec {
    pub name: String,
    pub instances: u32,
    pub instance_type: Option<String>,
    pub lead_time_s: i64,
    pub redundancy: Redundancy,
    pub capacity: CapacitySpec,
    pub demand: Option<Demand>,
}

/// The portfolio file, checked and with its paths resolved.
#[derive(Debug, Clone)]
pub struct Portfolio {
    pub settings: Settings,
    pub catalog: Option<PathBuf>,
    pub demand: Demand,
    pub services: Vec<ServiceSpec>,
}

/// Reads and checks PORTFOLIO.yaml.
pub fn read_portfolio(path: &Path) -> anyhow::Result<Portfolio> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow!("cannot read {}: {e}", path.display()))?;
    parse_portfolio(&text, path)
}

/// The portfolio from its text; `path` names it in errors and anchors its paths.
pub fn parse_portfolio(text: &str, path: &Path) -> anyhow::Result<Portfolio> {
    let file: File = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| format!(":{}", l.line())).unwrap_or_default();
        anyhow!(
            "{}{line}: {}",
            path.display(),
            e.to_string().lines().next().unwrap_or_default()
        )
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let at = |t: &Text| format!("{}:{}", path.display(), t.referenced.line());
    let checked = |t: &Text, field: &str, parse: &dyn Fn(&str) -> Result<(), String>| {
        parse(&t.value).map_err(|m| anyhow!("{}: {field}: {m}", at(t)))
    };
    let duration = |t: &Option<Text>, field: &str, default: &str| -> anyhow::Result<(String, i64)> {
        match t {
            Some(t) => {
                let d = parse_duration(&t.value).map_err(|m| anyhow!("{}: {field}: {m}", at(t)))?;
                Ok((t.value.clone(), d.as_secs() as i64))
            }
            None => Ok((
                default.to_string(),
                parse_duration(default).expect("a default").as_secs() as i64,
            )),
        }
    };
    let (horizon_text, _) = duration(&file.horizon, "horizon", "90d")?;
    let horizon = Horizon::parse(&horizon_text).map_err(|m| anyhow!("{}: horizon: {m}", path.display()))?;
    let (_, lead_time_s) = duration(&file.lead_time, "lead_time", "30d")?;
    let share = |t: &Text, field: &str| -> anyhow::Result<f64> {
        let v = parse_percent(&t.value).map_err(|m| anyhow!("{}: {field}: {m}", at(t)))?;
        if !(v > 0.0 && v <= 1.0) {
            bail!(
                "{}: {field}: found {}; expected a share of capacity above 0% and at most 100%",
                at(t),
                t.value
            );
        }
        Ok(v)
    };
    let (action, critical) = match &file.thresholds {
        Some(t) => (
            share(&t.action, "thresholds.action")?,
            share(&t.critical, "thresholds.critical")?,
        ),
        None => (0.7, 0.85),
    };
    if let Some(t) = &file.thresholds {
        if critical < action {
            bail!(
                "{}: thresholds: critical {} is below action {}; expected critical at or above action",
                at(&t.critical),
                t.critical.value,
                t.action.value
            );
        }
    }
    let redundancy = |t: &Option<Text>, default: Redundancy| -> anyhow::Result<Redundancy> {
        t.as_ref().map_or(Ok(default), |t| {
            Redundancy::parse(&t.value).map_err(|m| anyhow!("{}: redundancy: {m}", at(t)))
        })
    };
    let slo = |t: &Option<Text>| -> anyhow::Result<Option<Objective>> {
        t.as_ref()
            .map(|t| Objective::parse(&t.value).map_err(|m| anyhow!("{}: slo: {m}", at(t))))
            .transpose()
    };
    let as_of = match &file.as_of {
        Some(t) => {
            checked(t, "as_of", &|v| {
                parse_timestamp(v)
                    .map(|_| ())
                    .ok_or_else(|| format!("found `{v}`; expected a date YYYY-MM-DD"))
            })?;
            parse_timestamp(&t.value)
        }
        None => None,
    };
    let settings = Settings {
        name: file.name.clone().unwrap_or_else(|| "capacity review".into()),
        as_of,
        horizon,
        action,
        critical,
        lead_time_s,
        redundancy: redundancy(&file.redundancy, Redundancy(1))?,
        slo: slo(&file.slo)?,
    };
    let demand = demand_of(&file.demand, base, path)?;
    if file.services.is_empty() {
        bail!(
            "{}: services: found none; expected at least one service",
            path.display()
        );
    }
    let mut seen = BTreeMap::new();
    let mut services = Vec::new();
    for s in &file.services {
        let line = s.referenced.line();
        let where_ = format!("{}:{line}", path.display());
        let v = &s.value;
        if let Some(first) = seen.insert(v.name.clone(), line) {
            bail!("{where_}: service `{}` is listed twice (first at line {first})", v.name);
        }
        if v.instances == 0 {
            bail!("{where_}: `{}`: instances: found 0; expected 1 or more", v.name);
        }
        let capacity = match (&v.limits, v.capacity_rps) {
            (Some(_), Some(_)) => bail!("{where_}: `{}`: give limits or capacity_rps, not both", v.name),
            (None, None) => bail!(
                "{where_}: `{}`: no capacity; expected limits: PATH (a limits.json from headroom fit) or capacity_rps: N (per instance)",
                v.name
            ),
            (None, Some(rps)) if !(rps > 0.0 && rps.is_finite()) => {
                bail!("{where_}: `{}`: capacity_rps: found {rps}; expected a number above 0", v.name)
            }
            (None, Some(rps)) => CapacitySpec::PerInstance(rps),
            (Some(limits), None) => CapacitySpec::Limits {
                path: base.join(limits),
                objective: slo(&v.slo)?.or_else(|| settings.slo.clone()),
            },
        };
        services.push(ServiceSpec {
            name: v.name.clone(),
            instances: v.instances,
            instance_type: v.instance_type.clone(),
            lead_time_s: match &v.lead_time {
                Some(_) => duration(&v.lead_time, "lead_time", "30d")?.1,
                None => lead_time_s,
            },
            redundancy: redundancy(&v.redundancy, settings.redundancy)?,
            capacity,
            demand: v.demand.as_ref().map(|d| demand_of(d, base, path)).transpose()?,
        });
    }
    Ok(Portfolio {
        settings,
        catalog: file.catalog.as_ref().map(|c| base.join(c)),
        demand,
        services,
    })
}

fn demand_of(d: &Spanned<DemandFile>, base: &Path, path: &Path) -> anyhow::Result<Demand> {
    let at = format!("{}:{}", path.display(), d.referenced.line());
    let v = &d.value;
    match (&v.csv, &v.prometheus) {
        (Some(csv), None) => Ok(Demand::Csv(base.join(csv))),
        (None, Some(url)) => {
            let query = v
                .query
                .clone()
                .ok_or_else(|| anyhow!("{at}: demand: prometheus needs query: PROMQL"))?;
            let range = v.range.as_deref().unwrap_or("90d");
            Ok(Demand::Prometheus {
                url: url.clone(),
                query,
                label: v.label.clone().unwrap_or_else(|| "service".into()),
                range: parse_duration(range).map_err(|m| anyhow!("{at}: demand.range: {m}"))?,
            })
        }
        _ => bail!("{at}: demand: expected either csv: PATH or prometheus: URL with query: PROMQL"),
    }
}

/// Each service's review input: its demand (each source read once), capacity and price.
pub fn inputs(portfolio: &Portfolio) -> anyhow::Result<Vec<ServiceInput>> {
    let catalog = portfolio
        .catalog
        .as_deref()
        .map(read_catalogue)
        .transpose()
        .map_err(|m| anyhow!(m))?;
    let mut sources: BTreeMap<String, Result<BTreeMap<String, Regular>, String>> = BTreeMap::new();
    let all = std::iter::once(&portfolio.demand).chain(portfolio.services.iter().filter_map(|s| s.demand.as_ref()));
    for demand in all {
        let key = format!("{demand:?}");
        if let std::collections::btree_map::Entry::Vacant(slot) = sources.entry(key) {
            let read = read_demand(demand);
            if demand == &portfolio.demand {
                // The shared source must be there: without it nothing can be reviewed.
                read.clone().map_err(|m| anyhow!(m))?;
            }
            slot.insert(read);
        }
    }
    Ok(portfolio
        .services
        .iter()
        .map(|s| {
            let source = s.demand.as_ref().unwrap_or(&portfolio.demand);
            let series = sources[&format!("{source:?}")]
                .as_ref()
                .map_err(Clone::clone)
                .and_then(|by_name| {
                    let own = s.demand.is_some() && by_name.len() == 1;
                    by_name
                        .get(&s.name)
                        .or_else(|| own.then(|| by_name.values().next()).flatten())
                        .cloned()
                        .ok_or_else(|| format!("no demand series named `{}` in {}", s.name, describe(source)))
                });
            ServiceInput {
                name: s.name.clone(),
                instances: s.instances,
                instance_type: s.instance_type.clone(),
                lead_time_s: s.lead_time_s,
                redundancy: s.redundancy,
                capacity: capacity(&s.capacity),
                demand: series,
                price: price(s, catalog.as_deref()),
            }
        })
        .collect())
}

fn describe(demand: &Demand) -> String {
    match demand {
        Demand::Csv(path) => path.display().to_string(),
        Demand::Prometheus { url, .. } => url.clone(),
    }
}

/// A source's series by name, on their regular grids.
fn read_demand(demand: &Demand) -> Result<BTreeMap<String, Regular>, String> {
    let raw = match demand {
        Demand::Csv(path) => read_csv(path)?,
        Demand::Prometheus {
            url,
            query,
            label,
            range,
        } => prometheus::read_histories(url, query, *range, prometheus::default_step(*range))
            .map_err(|e| format!("{e:#}"))?
            .into_iter()
            .map(|(name, samples)| (label_value(&name, label).unwrap_or(name), samples))
            .collect(),
    };
    let histories = workflow::regularise(raw, Grid::default(), &BTreeMap::new())
        .map_err(|(name, e)| format!("{}: series `{name}`: {e}", describe(demand)))?;
    Ok(histories
        .into_iter()
        .map(|(name, regular, _)| (name, regular))
        .collect())
}

/// `checkout` from a series named `{service=checkout}` (or `metric{service=checkout,...}`).
pub fn label_value(name: &str, label: &str) -> Option<String> {
    let inside = name.split_once('{')?.1.strip_suffix('}')?;
    inside.split(',').find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == label)
            .map(|(_, v)| v.to_string())
    })
}

fn capacity(spec: &CapacitySpec) -> Result<Capacity, String> {
    match spec {
        CapacitySpec::PerInstance(rps) => Ok(Capacity::PerInstance(*rps)),
        CapacitySpec::Limits { path, objective } => {
            let limits: LimitsFile = read_json(path, "limits").map_err(|e| format!("{e:#}"))?;
            let model = limits
                .limits
                .instance_model
                .clone()
                .ok_or_else(|| format!("{}: no per-instance model (the fit had none)", path.display()))?;
            let objective = objective
                .clone()
                .or_else(|| limits.fitted_objective())
                .ok_or_else(|| format!("{}: no objective: give slo: in the portfolio", path.display()))?;
            Ok(Capacity::Model {
                model: Box::new(model),
                objective,
            })
        }
    }
}

fn price(s: &ServiceSpec, catalog: Option<&[InstanceType]>) -> Result<Option<InstanceType>, String> {
    let (Some(catalog), Some(name)) = (catalog, &s.instance_type) else {
        return Ok(None);
    };
    catalog
        .iter()
        .find(|t| &t.name == name)
        .cloned()
        .map(Some)
        .ok_or_else(|| format!("instance type `{name}` is not in the catalogue"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_the_series() {
        assert_eq!(
            label_value("{service=checkout}", "service").as_deref(),
            Some("checkout")
        );
        assert_eq!(label_value("up{job=a,service=b}", "service").as_deref(), Some("b"));
        assert_eq!(label_value("up", "service"), None);
    }

    #[test]
    fn bad_files_name_the_line() {
        let path = Path::new("p.yaml");
        let err = |text: &str| parse_portfolio(text, path).unwrap_err().to_string();
        let head = "demand: {csv: d.csv}\nservices:\n";
        assert!(err(&format!("{head}  - {{name: a, instances: 2}}\n")).starts_with("p.yaml:3: `a`: no capacity"));
        assert!(err(&format!(
            "lead_time: soon\n{head}  - {{name: a, instances: 2, capacity_rps: 5}}\n"
        ))
        .starts_with("p.yaml:1: lead_time"));
        assert!(err(&format!(
            "{head}  - {{name: a, instances: 2, capacity_rps: 5, colour: red}}\n"
        ))
        .starts_with("p.yaml:3"));
        assert!(err(&format!(
            "thresholds: {{action: 90%, critical: 80%}}\n{head}  - {{name: a, instances: 2, capacity_rps: 5}}\n"
        ))
        .contains("critical"));
        assert!(err(&format!(
            "{head}  - {{name: a, instances: 2, capacity_rps: 5}}\n  - {{name: a, instances: 2, capacity_rps: 5}}\n"
        ))
        .contains("listed twice"));
        let ok = parse_portfolio(
            &format!("{head}  - {{name: a, instances: 2, capacity_rps: 5, lead_time: 60d}}\n"),
            path,
        )
        .unwrap();
        assert_eq!(ok.services[0].lead_time_s, 60 * 86_400);
        assert_eq!(ok.settings.action, 0.7);
    }
}
