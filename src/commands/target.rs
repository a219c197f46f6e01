//! `headroom target`: serve the simulated service until interrupted.

use super::OK;
use crate::cli::{Dist, TargetArgs};
use anyhow::{anyhow, bail, Context};
use headroom_loadgen::target::{self, ServiceDist, TargetConfig};
use std::io::Write;

pub fn run(args: TargetArgs) -> anyhow::Result<u8> {
    let service_time =
        headroom_loadgen::units::parse_duration(&args.service_time).map_err(|m| anyhow!("--service-time: {m}"))?;
    if args.workers == 0 {
        bail!("--workers: found 0; expected at least 1 worker");
    }
    let dist = match args.dist {
        Dist::Exp => ServiceDist::Exp,
        Dist::Const => ServiceDist::Const,
        Dist::Lognormal => ServiceDist::Lognormal,
    };
    let config = TargetConfig {
        workers: args.workers,
        service_time,
        dist,
    };
    let access_log = args
        .access_log
        .as_ref()
        .map(|path| {
            std::fs::File::create(path).with_context(|| format!("--access-log: cannot create {}", path.display()))
        })
        .transpose()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let (listener, addr) = target::bind(args.port)
            .await
            .with_context(|| format!("--port {}: cannot listen on 127.0.0.1", args.port))?;
        println!(
            "headroom target listening on http://{addr} (workers {}, service time {}, {:?}, capacity {})",
            config.workers,
            args.service_time,
            args.dist_name(),
            match config.capacity_rps() {
                c if c.is_finite() => format!("{c:.1} rps"),
                _ => "unbounded: service time 0 answers at once".to_string(),
            }
        );
        std::io::stdout().flush()?;
        tokio::select! {
            served = target::serve(listener, config, access_log) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(OK)
    })
}

impl TargetArgs {
    fn dist_name(&self) -> &'static str {
        match self.dist {
            Dist::Exp => "exp",
            Dist::Const => "const",
            Dist::Lognormal => "lognormal",
        }
    }
}
