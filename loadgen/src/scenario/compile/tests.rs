//! Validation tests: good files compile to the expected model; each kind of bad input
//! is reported with its line and field.

use super::*;
use crate::plan::{Arrivals, Model, Pool};

fn env(name: &str) -> Option<String> {
    (name == "API_TOKEN").then(|| "tok-123".to_string())
}

fn compile(text: &str) -> Result<Scenario, ScenarioErrors> {
    load_str(text, Path::new("test.yaml"), &env)
}

fn errors(text: &str) -> Vec<ScenarioError> {
    compile(text).expect_err("expected the file to be rejected").0
}

const SHOP: &str = r#"
name: shop
target: http://127.0.0.1:8080
defaults: {headers: {Authorization: "Bearer ${API_TOKEN}"}, timeout: 2s}
journeys:
  - name: browse
    weight: 3
    steps:
      - {name: home, get: /, check: {status: 200}}
      - {name: search, get: "/search?q=shoes", think: 10ms..20ms}
  - name: buy
    steps:
      - name: cart
        post: /cart
        json: {sku: "A1", qty: 1}
        extract: {cart_id: {json: /id}}
        check: {status: [200, 201], body_contains: '"id"'}
      - {name: checkout, post: "/cart/${cart_id}/checkout"}
load:
  steps: {users: {from: 1, to: 16, factor: 2}, hold: 5s}
slo: {p95: 200ms, p99.9: 1s, error_rate: 1%}
guard: {abort_when: "error_rate > 20% for 10s", max_duration: 15m}
"#;

#[test]
fn a_full_scenario_compiles() {
    let s = compile(SHOP).unwrap();
    assert_eq!(s.journeys.len(), 2);
    assert_eq!(s.journeys[0].weight, 3);
    assert_eq!(s.journeys[1].requests[1].name, "buy/checkout");
    assert_eq!(s.journeys[1].vars, vec!["cart_id".to_string()]);
    let levels: Vec<f64> = s.load.phases.iter().map(|p| p.level).collect();
    assert_eq!(levels, vec![1.0, 2.0, 4.0, 8.0, 16.0]);
    assert_eq!(s.load.pool, Pool { start: 16, max: 16 });
    assert_eq!(s.slo.percentiles.len(), 2);
    assert_eq!(s.slo.percentiles[1].limit_ms, 1000.0);
    assert_eq!(s.guard.conditions[0].sustain_seconds, 10);
    assert_eq!(s.journeys[0].requests[0].timeout, Duration::from_secs(2));
    assert_eq!(s.secrets, vec!["tok-123".to_string()]);
    assert_eq!(s.redact("x tok-123 y"), "x *** y");
}

#[test]
fn unknown_key_is_reported_with_its_line() {
    let text = SHOP.replace("{name: home, get: /,", "{name: home, gett: /,");
    let e = errors(&text);
    assert_eq!(e[0].line, Some(9), "{e:?}");
    assert!(e[0].message.contains("gett"), "{}", e[0]);
    assert!(!e[0].message.starts_with("error"), "{}", e[0]);
}

#[test]
fn wrong_type_is_reported_with_its_line() {
    let text = SHOP.replace("weight: 3", "weight: many");
    let e = errors(&text);
    assert_eq!(e[0].line, Some(7), "{e:?}");
    assert!(e[0].message.contains("u32"), "{}", e[0]);
}

#[test]
fn bad_duration_names_line_and_field() {
    let text = SHOP.replace("hold: 5s", "hold: 5 parsecs");
    let e = errors(&text);
    assert_eq!(e[0].line, Some(20));
    assert_eq!(e[0].field, "load.steps.hold");
    assert!(e[0].message.contains("expected a duration"), "{}", e[0]);
}

#[test]
fn unknown_variable_and_late_extraction_are_errors() {
    let text = SHOP
        .replace("/search?q=shoes", "/search?q=${QUERY}")
        .replace("/cart\n", "/cart/${cart_id}\n");
    let e = errors(&text);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0].line, Some(10));
    assert!(e[0].message.contains("unknown variable `${QUERY}`"));
    assert!(e[1].message.contains("extracted by step 1"), "{}", e[1]);
}

#[test]
fn missing_feeder_file_is_an_error() {
    let text = SHOP.replace("defaults:", "data: {shoppers: {csv: nowhere.csv}}\ndefaults:");
    let e = errors(&text);
    assert_eq!(e[0].field, "data.shoppers.csv");
    assert_eq!(e[0].line, Some(4));
    assert!(e[0].message.contains("nowhere.csv"));
}

#[test]
fn feeders_bind_columns() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shoppers.csv"), "query,sku\nshoes,A1\nhats,B2\n").unwrap();
    let text = SHOP
        .replace("defaults:", "data: {shoppers: {csv: shoppers.csv}}\ndefaults:")
        .replace("/search?q=shoes", "/search?q=${shoppers.query}");
    let s = load_str(&text, &dir.path().join("shop.yaml"), &env).unwrap();
    assert_eq!(s.feeders[0].rows.len(), 2);
    assert_eq!(s.journeys[0].feeders, vec![0]);
    let bad = text.replace("shoppers.query", "shoppers.colour");
    let e = load_str(&bad, &dir.path().join("shop.yaml"), &env).unwrap_err().0;
    assert!(e[0].message.contains("no column `colour`"), "{}", e[0]);
}

#[test]
fn open_model_sizes_its_pool() {
    let text = SHOP.replace(
        "users: {from: 1, to: 16, factor: 2}",
        "rate: {from: 100, to: 300, by: 100}",
    );
    let s = compile(&text).unwrap();
    assert_eq!(s.load.model, Model::Open);
    // Starts with the first step's 100/s x (100 ms + 20 ms of think time); may grow to
    // the top rate's 300/s x (2 s + 20 ms).
    assert_eq!(s.load.pool, Pool { start: 12, max: 606 });
    assert_eq!(s.load.arrivals, Arrivals::Poisson);
    assert_eq!(s.load.seed, None);
    let with = |pool: &str| compile(&text.replace("load:\n", &format!("load:\n  {pool}\n"))).map(|s| s.load);
    assert_eq!(with("pool: 50").unwrap().pool, Pool { start: 50, max: 50 });
    assert_eq!(
        with("pool: {start: 5, max: 50}").unwrap().pool,
        Pool { start: 5, max: 50 }
    );
    assert_eq!(with("pool: {max: 2}").unwrap().pool, Pool { start: 2, max: 2 });
    assert_eq!(with("pool: {start: 20}").unwrap().pool, Pool { start: 20, max: 10_000 });
    let uniform = with("arrivals: uniform\n  seed: 7").unwrap();
    assert_eq!((uniform.arrivals, uniform.seed), (Arrivals::Uniform, Some(7)));
}

#[test]
fn bad_pools_and_arrivals_name_their_line() {
    let text = SHOP.replace(
        "users: {from: 1, to: 16, factor: 2}",
        "rate: {from: 100, to: 300, by: 100}",
    );
    let cases = [
        ("pool: {max: 0}", "found max 0"),
        ("pool: 0", "found max 0"),
        ("pool: {start: 10, max: 5}", "found start 10 above max 5"),
        ("pool: {start: -1}", "found start -1"),
        ("pool: {least: 3}", ""),
        ("arrivals: sometimes", "sometimes"),
    ];
    for (line, words) in cases {
        let found = errors(&text.replace("load:\n", &format!("load:\n  {line}\n")));
        // The load block starts on line 19; the inserted key is line 20.
        assert_eq!(found[0].line, Some(20), "{line}: {found:?}");
        assert!(found[0].message.contains(words), "{line}: {}", found[0].message);
    }
    let closed = errors(&SHOP.replace("load:\n", "load:\n  arrivals: uniform\n"));
    assert!(closed[0].message.contains("only with rate"), "{closed:?}");
}

#[test]
fn stages_cannot_mix_models() {
    let text = SHOP.replace(
        "steps: {users: {from: 1, to: 16, factor: 2}, hold: 5s}",
        "stages: [{users: 10, ramp: 10s, hold: 1m}, {rate: 200, ramp: 30s, hold: 5m}]",
    );
    let e = errors(&text);
    assert!(e[0].message.contains("one model per run"), "{}", e[0]);
}

#[test]
fn bad_slo_and_guard_are_errors() {
    let text = SHOP
        .replace("p95: 200ms", "p10: 200ms")
        .replace("error_rate > 20%", "error_rate >> 20%");
    let e = errors(&text);
    let fields: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
    assert!(
        fields.contains(&"slo.p10") && fields.contains(&"guard.abort_when[0]"),
        "{fields:?}"
    );
}
