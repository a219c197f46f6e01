//! The baseline for the load generator's efficiency: a plain goose attack with a
//! hand-written transaction (one GET), the same shared client settings headroom uses,
//! goose's own metrics off. Usage: raw_goose URL USERS SECONDS; prints requests per second over the steady window.

use goose::client::GooseClientBuilder;
use goose::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

static DONE: AtomicU64 = AtomicU64::new(0);

async fn get_root(user: &mut GooseUser) -> TransactionResult {
    let response = user.client.get(user.base_url.as_str()).send().await;
    if let Ok(r) = response {
        if r.bytes().await.is_ok() {
            DONE.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), GooseError> {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench; take the positional arguments only.
    let positional: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with("--")).collect();
    let (url, users, seconds) = match positional.as_slice() {
        [u, n, s] => (u.to_string(), n.parse::<usize>().unwrap(), s.parse::<usize>().unwrap()),
        _ => ("http://127.0.0.1:18090".to_string(), 32, 10),
    };
    // Count over a steady window, [1 s, seconds - 1 s], as headroom counts a step's hold.
    let window = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(1));
        let (start, at) = (DONE.load(Ordering::Relaxed), Instant::now());
        std::thread::sleep(std::time::Duration::from_secs(seconds as u64 - 2));
        (DONE.load(Ordering::Relaxed) - start) as f64 / at.elapsed().as_secs_f64()
    });
    GooseAttack::initialize_with_config(goose::config::GooseConfiguration::default())?
        .register_scenario(scenario!("raw").register_transaction(transaction!(get_root)))
        .set_client_builder_without_cookies(GooseClientBuilder::new().without_cookies())?
        .set_default(GooseDefault::Host, url.as_str())?
        .set_default(GooseDefault::Users, users)?
        .set_default(GooseDefault::IncreaseRate, "1000")?
        .set_default(GooseDefault::RunTime, seconds)?
        .set_default(GooseDefault::NoTelnet, true)?
        .set_default(GooseDefault::NoMetrics, true)?
        .set_default(GooseDefault::NoPrintMetrics, true)?
        .set_default(GooseDefault::Quiet, 1usize)?
        .execute()
        .await?;
    println!("{:.0}", window.join().expect("window thread"));
    Ok(())
}
