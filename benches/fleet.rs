//! Right-sizing at scale: a generated fleet of INSTANCES instances x 2 weeks at 5-minute
//! samples (10,000 x 4,032 = about 40 million rows) is read, aggregated and sized. Prints
//! rows, seconds, rows per second and the process's peak resident memory, which stays
//! far below the file's size because the reader streams it.
//! Usage: cargo bench --bench fleet [INSTANCES]

use headroom::read::fleet::read_fleet;
use headroom_forecast::rightsize::{recommend, InstanceType, Policy};
use std::io::Write;
use std::time::Instant;

const SAMPLES: u64 = 14 * 288;
const PER_SERVICE: u64 = 50;

fn main() {
    let instances: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fleet.csv");
    let started = Instant::now();
    generate(&path, instances);
    let bytes = std::fs::metadata(&path).expect("written").len();
    eprintln!(
        "generated {} rows, {:.2} GB in {:.1} s",
        instances * SAMPLES,
        bytes as f64 / 1e9,
        started.elapsed().as_secs_f64()
    );
    let catalogue: Vec<InstanceType> = [
        (2.0, 8.0, 0.084),
        (4.0, 16.0, 0.168),
        (8.0, 32.0, 0.336),
        (16.0, 64.0, 0.672),
    ]
    .iter()
    .map(|&(vcpu, mem, hourly)| InstanceType {
        name: format!("gp{vcpu}"),
        vcpu,
        mem_gib: mem,
        hourly_usd: hourly,
        spot_hourly_usd: None,
    })
    .collect();
    let started = Instant::now();
    let fleet = read_fleet(&path, &catalogue).expect("readable");
    let read_s = started.elapsed().as_secs_f64();
    let policy = Policy::default();
    let sized = fleet
        .usage
        .iter()
        .filter(|u| recommend(u, &catalogue, None, &policy, None).is_ok())
        .count();
    let total_s = started.elapsed().as_secs_f64();
    println!("instances,rows,file_gb,services,read_s,total_s,rows_per_s,peak_rss_mb,threads");
    println!(
        "{instances},{},{:.2},{sized},{read_s:.1},{total_s:.1},{:.0},{},{}",
        fleet.rows,
        bytes as f64 / 1e9,
        fleet.rows as f64 / total_s,
        peak_rss_mb(),
        rayon::current_num_threads()
    );
}

fn generate(path: &std::path::Path, instances: u64) {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    writeln!(out, "timestamp,service,instance,cpu_cores,mem_bytes").unwrap();
    let mut state = 0x2545F4914F6CDD1Du64;
    for s in 0..SAMPLES {
        let t = 1_700_000_000 + s * 300;
        let daily = ((s % 288) as f64 / 288.0 * std::f64::consts::TAU).sin();
        for i in 0..instances {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state >> 40) as f64 / (1u64 << 24) as f64;
            let cpu = 0.5 + 0.3 * daily + 0.4 * noise;
            let mem = 2_000_000_000 + (state >> 34);
            writeln!(out, "{t},svc{},i{i},{cpu:.3},{mem}", i / PER_SERVICE).unwrap();
        }
    }
    out.flush().unwrap();
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
