//! The headroom CLI's library half: `read`, the readers of every input file and server
//! (history CSV and Prometheus, fleet, catalogue, placement, policy, Kubernetes
//! containers, load-test points, result files read back). The commands live in the
//! binary (`main.rs`, `cli.rs`, `commands/`); the models and workflows in
//! `headroom-forecast`, load in `headroom-loadgen`, output in `headroom-reports`.

pub mod read;
