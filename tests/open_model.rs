//! The open model measures the target, not the generator: against a server that answers
//! at once it adds no queue of its own; against queues of known behaviour its Poisson
//! arrivals measure what an independent FIFO simulation (written here) predicts; evenly
//! spaced arrivals against constant service measure the service time; every scheduled
//! arrival is served or counted as dropped.

mod common;
use common::*;
use rand::{Rng, SeedableRng};
use std::time::Duration;

fn open_run(target: &Target, dir: &std::path::Path, load: &str) -> serde_json::Value {
    let yaml = format!("name: open\njourneys: [{{name: w, steps: [{{get: /}}]}}]\nload: {load}\n");
    let scenario = write(dir, "open.yaml", &yaml);
    let out = dir.join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    assert_eq!(run.status.code(), Some(0), "{}{}", text(&run.stdout), text(&run.stderr));
    read_json(&out.join("run.json"))
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn against_a_fast_server_low_steps_of_a_high_plan_add_no_queue() {
    let _serial = serial();
    // Service time 0: the server answers at once, so any queue is the generator's.
    let target = Target::start(64, "0ms", "const");
    let dir = tempfile::tempdir().unwrap();
    // The default pool is sized for the top step (16000/s); the low steps must not pay.
    let run = open_run(&target, dir.path(), "{steps: {rate: [1000, 2000, 16000], hold: 3s}}");
    for step in &run["steps"].as_array().unwrap()[..2] {
        let (rate, arrivals, dropped) = (f(&step["rate"]), f(&step["arrivals"]), f(&step["dropped"]));
        assert!(
            within(arrivals, rate * 3.0, 0.1),
            "{rate}/s: {arrivals} arrivals in 3 s"
        );
        assert!(dropped / arrivals < 0.001, "{rate}/s: {dropped} of {arrivals} dropped");
        // The defect this guards against put p99 at 141 ms and p50 at tens of ms; a
        // stall of the shared cores can add a few ms to a p99, never to the median.
        let (p50, p99) = (f(&step["latency_ms"]["p50"]), f(&step["latency_ms"]["p99"]));
        assert!(
            p50 < 1.0 && p99 < 15.0,
            "{rate}/s: p50 {p50} ms, p99 {p99} ms against a server that answers at once"
        );
    }
    // The pool grew only as far as the load needed (a stall at 16000/s can take it past
    // a thousand users), well within its maximum (16000/s x 2 s, capped at 10000).
    let (reached, max) = (f(&run["pool_users"]), f(&run["pool_max"]));
    assert!(max == 10_000.0 && reached < max / 2.0, "pool {reached} of {max}");
}

#[test]
fn a_fixed_ample_pool_at_1000_per_second_drops_nothing() {
    let _serial = serial();
    let target = Target::start(64, "0ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let run = open_run(&target, dir.path(), "{pool: 200, stages: [{rate: 1000, hold: 20s}]}");
    let step = &run["steps"][0];
    assert!(within(f(&step["arrivals"]), 20_000.0, 0.05), "{}", step["arrivals"]);
    assert_eq!(step["dropped"], 0);
    assert_eq!(run["overall"]["dropped"], 0);
}

/// A FIFO queue with `c` servers, Poisson arrivals at `lambda` per second and service
/// times from `service`: the response-time percentile of `n` customers (after a warm-up
/// of n / 10), in milliseconds. Exact for the model up to sampling error.
fn simulated_percentile(lambda: f64, c: usize, service: impl Fn(&mut rand::rngs::StdRng) -> f64, q: f64) -> f64 {
    let n = 2_000_000;
    let mut rng = rand::rngs::StdRng::seed_from_u64(99);
    let mut free_at = vec![0.0f64; c];
    let mut t = 0.0;
    let mut response = Vec::with_capacity(n);
    for i in 0..n + n / 10 {
        t += -(1.0 - rng.random::<f64>()).ln() / lambda;
        // The server free soonest takes the next customer in arrival order.
        let (k, &free) = free_at.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).unwrap();
        let end = t.max(free) + service(&mut rng);
        free_at[k] = end;
        if i >= n / 10 {
            response.push(end - t);
        }
    }
    response.sort_by(f64::total_cmp);
    response[(q * n as f64) as usize] * 1e3
}

/// 16 workers of 10 ms at 85% utilisation (1360/s): measured p99 against the simulated
/// M/M/16 and M/D/16 queues. With one seed both runs draw the same arrival stream.
/// (At 5 ms and 2720/s the two processes on two cores stalled often enough to move the
/// M/D/16 p99 by a quarter now and then.)
#[test]
fn poisson_arrivals_measure_the_queue_that_theory_predicts() {
    let _serial = serial();
    let (c, s, rho) = (16, 0.010, 0.85);
    let lambda = rho * c as f64 / s;
    let load = format!("{{seed: 11, stages: [{{rate: {lambda}, ramp: 1s, hold: 20s}}]}}");
    let mut arrivals = Vec::new();
    for (dist, truth) in [
        (
            "exp",
            simulated_percentile(lambda, c, |r| -(1.0 - r.random::<f64>()).ln() * s, 0.99),
        ),
        ("const", simulated_percentile(lambda, c, |_| s, 0.99)),
    ] {
        let target = Target::start(c, "10ms", dist);
        let dir = tempfile::tempdir().unwrap();
        let run = open_run(&target, dir.path(), &load);
        let step = &run["steps"][0];
        let p99 = f(&step["latency_ms"]["p99"]);
        assert!(
            within(p99, truth, 0.20),
            "{dist}: measured p99 {p99} ms, M/G/c simulation {truth} ms"
        );
        assert_eq!(step["dropped"], 0, "{dist}");
        assert_eq!(step["steady_state"], true, "{dist}: {}", step["notes"]);
        assert_eq!(
            (run["arrivals"].as_str(), run["seed"].as_u64()),
            (Some("poisson"), Some(11))
        );
        arrivals.push(f(&run["overall"]["arrivals"]));
    }
    assert_eq!(arrivals[0], arrivals[1], "one seed, one arrival stream");
}

/// Evenly spaced arrivals below capacity never queue on a constant-time server: p95 is
/// the service time (within 20%; a queue from bunched arrivals at 16 workers would be
/// several service times). The plan schedules exactly rate x hold arrivals; each is
/// served or dropped, and the server counts every served one. Half the capacity (16 x 10 ms:
/// 1600/s, at 800/s): a shared core's stall of a few ms must not read as a queue.
#[test]
fn uniform_arrivals_measure_the_service_time_and_every_arrival_is_accounted_for() {
    let _serial = serial();
    let target = Target::start(16, "10ms", "const");
    let dir = tempfile::tempdir().unwrap();
    let run = open_run(
        &target,
        dir.path(),
        "{arrivals: uniform, stages: [{rate: 800, ramp: 1s, hold: 5s}]}",
    );
    let step = &run["steps"][0];
    // p95, not p99: the shared machine stalls for a few ms now and then (the check at
    // p99 within 15% failed on the same build one run in three, 11.7-13.8 ms, also on
    // the commit before it); a queue from bunched arrivals would move p95 too.
    let p95 = f(&step["latency_ms"]["p95"]);
    assert!(within(p95, 10.0, 0.20), "p95 {p95} ms for a 10 ms constant service");
    let p99 = f(&step["latency_ms"]["p99"]);
    assert!(within(p99, 10.0, 0.50), "p99 {p99} ms for a 10 ms constant service");
    assert_eq!(
        f(&step["arrivals"]),
        800.0 * 5.0,
        "the hold's arrivals are exactly rate x hold"
    );
    let overall = &run["overall"];
    // The ramp from 0 to 800/s over 1 s holds 400 of them, the hold 4000.
    assert_eq!(
        f(&overall["arrivals"]),
        800.0 * 5.0 + 400.0,
        "uniform arrivals are exactly rate x time"
    );
    let served = f(&overall["arrivals"]) - f(&overall["dropped"]);
    // The server finishes what is still in flight: wait for its count, not for a time.
    let counted = || target_metric(&target.url, "requests_total");
    wait_for(Duration::from_secs(10), || counted() >= served);
    assert_eq!(counted(), served);
    assert!(f(&overall["requests"]) <= served);
}

/// Past capacity the queue grows through the hold: the step says it never reached a
/// steady state instead of reporting percentiles as if it had.
#[test]
fn a_step_past_capacity_is_not_called_steady() {
    let _serial = serial();
    let target = Target::start(4, "10ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "over.yaml",
        "name: over\njourneys: [{name: w, steps: [{get: /}]}]\nload: {stages: [{rate: 500, hold: 8s}]}\n",
    );
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, &target.url, &out);
    let result = read_json(&out.join("run.json"));
    let step = &result["steps"][0];
    assert_eq!(step["steady_state"], false, "{}", step);
    let notes = step["notes"].to_string();
    assert!(notes.contains("not at steady state"), "{notes}");
    assert!(
        text(&run.stdout).contains("step 1: not at steady state"),
        "{}",
        text(&run.stdout)
    );
}
