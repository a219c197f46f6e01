//! Streaming reader for fleet utilisation: `timestamp,service,instance,cpu_cores,mem_bytes`
//! (or `cpu_percent` with an `instance_type` column, cores = percent x the type's vCPUs).
//! The file is read in blocks and parsed in parallel; only per-service, per-timestamp
//! totals are kept, so memory grows with services x timestamps, not with rows. Also the
//! price catalogue the fleet is sized against.

use headroom_forecast::rightsize::{InstanceType, Usage};
use rustc_hash::{FxHashMap, FxHashSet};
use std::io::Read;
use std::path::Path;

const BLOCK: usize = 8 << 20;

/// What the fleet file held.
pub struct Fleet {
    pub usage: Vec<Usage>,
    pub rows: u64,
    pub instances: usize,
}

#[derive(Clone, Copy)]
enum Cpu {
    Cores(usize),
    /// `cpu_percent` column and `instance_type` column.
    Percent(usize, usize),
}

#[derive(Clone, Copy)]
struct Columns {
    timestamp: usize,
    service: usize,
    instance: usize,
    cpu: Cpu,
    mem: usize,
}

/// Totals at one timestamp, and the first line it was seen on (for errors).
#[derive(Default)]
struct Service {
    at: FxHashMap<Box<[u8]>, (f64, f64, u64)>,
    instances: FxHashSet<Box<[u8]>>,
    instance_mem_peak: f64,
}

type Totals = FxHashMap<Box<[u8]>, Service>;

pub fn read_fleet(path: &Path, catalogue: &[InstanceType]) -> Result<Fleet, String> {
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| format!("{name}: cannot read ({e})"))?;
    let mut buffer = Vec::with_capacity(2 * BLOCK);
    let (columns, body_start) = read_header(&mut file, &mut buffer, &name)?;
    buffer.drain(..body_start);
    let vcpus: FxHashMap<&[u8], f64> = catalogue.iter().map(|t| (t.name.as_bytes(), t.vcpu)).collect();
    let mut totals = Totals::default();
    let mut line = 2u64;
    let mut rows = 0u64;
    let threads = rayon::current_num_threads().max(1);
    loop {
        // Fill one block per thread, each ending at a line end.
        let mut blocks: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut eof = false;
        while blocks.len() < threads && !eof {
            let mut chunk = vec![0u8; BLOCK];
            let n = read_full(&mut file, &mut chunk).map_err(|e| format!("{name}: {e}"))?;
            chunk.truncate(n);
            buffer.extend_from_slice(&chunk);
            eof = n < BLOCK;
            let cut = if eof {
                buffer.len()
            } else {
                buffer.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1)
            };
            let block: Vec<u8> = buffer.drain(..cut).collect();
            let lines = block.iter().filter(|b| **b == b'\n').count() as u64
                + u64::from(eof && !block.ends_with(b"\n") && !block.is_empty());
            blocks.push((line, block));
            line += lines;
        }
        use rayon::prelude::*;
        let parsed: Vec<Result<(Totals, u64), String>> = blocks
            .par_iter()
            .map(|(first, block)| parse_block(block, *first, columns, &vcpus, &name))
            .collect();
        for result in parsed {
            let (part, n) = result?;
            rows += n;
            merge(&mut totals, part);
        }
        if eof {
            break;
        }
    }
    let instances = totals.values().map(|s| s.instances.len()).sum();
    let mut usage = totals
        .into_iter()
        .map(|(service, s)| to_usage(&service, s, &name))
        .collect::<Result<Vec<_>, _>>()?;
    usage.sort_by(|a, b| a.service.cmp(&b.service));
    Ok(Fleet { usage, rows, instances })
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

fn read_header(file: &mut std::fs::File, buffer: &mut Vec<u8>, name: &str) -> Result<(Columns, usize), String> {
    let mut chunk = vec![0u8; 64 * 1024];
    let n = read_full(file, &mut chunk).map_err(|e| format!("{name}: {e}"))?;
    buffer.extend_from_slice(&chunk[..n]);
    let end = buffer.iter().position(|b| *b == b'\n').unwrap_or(buffer.len());
    let header: Vec<String> = String::from_utf8_lossy(&buffer[..end])
        .trim()
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    let find = |c: &str| header.iter().position(|h| h == c);
    let expected = "expected timestamp,service,instance,cpu_cores,mem_bytes (or cpu_percent with instance_type)";
    let missing = |c: &str| format!("{name}:1: missing column `{c}` in {}; {expected}", header.join(","));
    let cpu = match (find("cpu_cores"), find("cpu_percent"), find("instance_type")) {
        (Some(c), _, _) => Cpu::Cores(c),
        (None, Some(p), Some(t)) => Cpu::Percent(p, t),
        (None, Some(_), None) => return Err(missing("instance_type")),
        _ => return Err(missing("cpu_cores")),
    };
    let columns = Columns {
        timestamp: find("timestamp").ok_or_else(|| missing("timestamp"))?,
        service: find("service").ok_or_else(|| missing("service"))?,
        instance: find("instance").ok_or_else(|| missing("instance"))?,
        cpu,
        mem: find("mem_bytes").ok_or_else(|| missing("mem_bytes"))?,
    };
    Ok((columns, (end + 1).min(buffer.len())))
}

fn parse_block(
    block: &[u8],
    first_line: u64,
    c: Columns,
    vcpus: &FxHashMap<&[u8], f64>,
    name: &str,
) -> Result<(Totals, u64), String> {
    let mut totals = Totals::default();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(block);
    let mut record = csv::ByteRecord::new();
    let mut rows = 0u64;
    let mut line = first_line;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| format!("{name}:{line}: {e}"))?
    {
        line = first_line + record.position().map_or(0, |p| p.line() - 1);
        let field = |i: usize, what: &str| record.get(i).ok_or_else(|| format!("{name}:{line}: missing {what}"));
        let number = |i: usize, what: &str| -> Result<f64, String> {
            let text = field(i, what)?;
            let v: f64 = std::str::from_utf8(text)
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .ok_or_else(|| {
                    format!(
                        "{name}:{line}: {what}: found `{}`; expected a number",
                        String::from_utf8_lossy(text)
                    )
                })?;
            if !(v >= 0.0 && v.is_finite()) {
                return Err(format!("{name}:{line}: {what}: found {v}; expected 0 or more"));
            }
            Ok(v)
        };
        let cores = match c.cpu {
            Cpu::Cores(i) => number(i, "cpu_cores")?,
            Cpu::Percent(p, t) => {
                let kind = field(t, "instance_type")?;
                let vcpu = vcpus.get(kind).ok_or_else(|| {
                    format!(
                        "{name}:{line}: instance_type: found `{}`; expected a type from the catalogue",
                        String::from_utf8_lossy(kind)
                    )
                })?;
                number(p, "cpu_percent")? / 100.0 * vcpu
            }
        };
        let mem = number(c.mem, "mem_bytes")?;
        let service = totals.entry(Box::from(field(c.service, "service")?)).or_default();
        service.instance_mem_peak = service.instance_mem_peak.max(mem);
        let stamp = field(c.timestamp, "timestamp")?;
        match service.at.get_mut(stamp) {
            Some(t) => {
                t.0 += cores;
                t.1 += mem;
            }
            None => {
                service.at.insert(Box::from(stamp), (cores, mem, line));
            }
        }
        let instance = field(c.instance, "instance")?;
        if !service.instances.contains(instance) {
            service.instances.insert(Box::from(instance));
        }
        rows += 1;
    }
    Ok((totals, rows))
}

fn merge(into: &mut Totals, part: Totals) {
    for (name, service) in part {
        let target = into.entry(name).or_default();
        for (stamp, (cores, mem, line)) in service.at {
            let t = target.at.entry(stamp).or_insert((0.0, 0.0, line));
            t.0 += cores;
            t.1 += mem;
            t.2 = t.2.min(line);
        }
        target.instances.extend(service.instances);
        target.instance_mem_peak = target.instance_mem_peak.max(service.instance_mem_peak);
    }
}

fn to_usage(service: &[u8], s: Service, name: &str) -> Result<Usage, String> {
    let mut samples =
        s.at.into_iter()
            .map(|(stamp, (cores, mem, line))| {
                let text = String::from_utf8_lossy(&stamp).into_owned();
                crate::read::history::parse_timestamp(&text)
                    .map(|t| (t, cores, mem))
                    .ok_or_else(|| {
                        format!(
                            "{name}:{line}: timestamp: found `{text}`; expected {}",
                            crate::read::history::TIMESTAMP_FORMS
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
    samples.sort_by_key(|(t, _, _)| *t);
    let span = samples.last().map_or(0, |l| l.0) - samples.first().map_or(0, |f| f.0);
    let step = if samples.len() > 1 {
        span as f64 / (samples.len() - 1) as f64
    } else {
        0.0
    };
    let mut gaps: Vec<i64> = samples.windows(2).map(|w| w[1].0 - w[0].0).collect();
    gaps.sort_unstable();
    Ok(Usage {
        start: samples.first().map_or(0, |f| f.0),
        step_s: gaps.get(gaps.len() / 2).copied().unwrap_or(300).max(1),
        service: String::from_utf8_lossy(service).into_owned(),
        cpu_cores: samples.iter().map(|s| s.1).collect(),
        mem_bytes: samples.iter().map(|s| s.2).collect(),
        history_days: (span as f64 + step) / 86_400.0,
        instance_mem_peak_bytes: s.instance_mem_peak,
    })
}

#[derive(serde::Deserialize)]
struct CatalogueRow {
    instance_type: String,
    vcpu: f64,
    mem_gib: f64,
    hourly_usd: f64,
    spot_hourly_usd: Option<f64>,
}

/// The price catalogue `instance_type,vcpu,mem_gib,hourly_usd[,spot_hourly_usd]`.
pub fn read_catalogue(path: &Path) -> Result<Vec<InstanceType>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("--catalog: cannot read {}: {e}", path.display()))?;
    parse_catalogue(&bytes, path)
}

/// The catalogue from its bytes; `path` names it in errors.
pub fn parse_catalogue(bytes: &[u8], path: &Path) -> Result<Vec<InstanceType>, String> {
    let mut reader = csv::Reader::from_reader(bytes);
    let mut types = Vec::new();
    for (i, row) in reader.deserialize::<CatalogueRow>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| {
            format!(
                "{}:{line}: {e}; expected instance_type,vcpu,mem_gib,hourly_usd[,spot_hourly_usd]",
                path.display()
            )
        })?;
        let finite = [row.vcpu, row.mem_gib, row.hourly_usd].iter().all(|v| v.is_finite());
        if !(finite && row.vcpu > 0.0 && row.mem_gib > 0.0 && row.hourly_usd >= 0.0) {
            return Err(format!(
                "{}:{line}: `{}`: expected vcpu and mem_gib above 0 and hourly_usd 0 or more",
                path.display(),
                headroom_reports::safe::terminal(&row.instance_type)
            ));
        }
        types.push(InstanceType {
            name: row.instance_type,
            vcpu: row.vcpu,
            mem_gib: row.mem_gib,
            hourly_usd: row.hourly_usd,
            spot_hourly_usd: row.spot_hourly_usd.filter(|v| v.is_finite() && *v >= 0.0),
        });
    }
    if types.is_empty() {
        return Err(format!(
            "{}: no instance types; expected a header instance_type,vcpu,mem_gib,hourly_usd and a row per type",
            path.display()
        ));
    }
    Ok(types)
}
