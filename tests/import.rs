//! `headroom import`: a HAR recording and an OpenAPI description written here become
//! scenarios that validate and replay against `headroom target`, whose access log shows
//! every recorded request arrived as recorded (method, path and query, body, the secret
//! from the environment); and bad files are refused with exit 2.

mod common;

use common::{headroom, read_json, run_command, serial, text, write, Target, BIN};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// A browser session on shop.test: a page, its script and image (assets), a logo from a
/// CDN (another host), a search with an API key in the query, a JSON post with a bearer
/// token and a `$` in its body, a form login with a password, and a CORS preflight.
fn recording() -> String {
    let entry = |at: &str, ms: u32, method: &str, url: &str, headers: Value, post: Value, mime: &str| {
        json!({
            "startedDateTime": at, "time": ms,
            "request": {"method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": headers,
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": -1, "postData": post},
            "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": 10, "mimeType": mime}, "redirectURL": "", "headersSize": -1, "bodySize": 10},
            "cache": {}, "timings": {"send": 0, "wait": ms, "receive": 0}
        })
    };
    let auth =
        json!([{"name": "Accept", "value": "application/json"}, {"name": "Authorization", "value": "Bearer s3cr3t"}]);
    let entries = vec![
        entry(
            "2026-11-30T10:00:00.000Z",
            50,
            "GET",
            "http://shop.test/",
            json!([{"name": "Host", "value": "shop.test"}, {"name": "Cookie", "value": "sid=abc"}]),
            Value::Null,
            "text/html",
        ),
        entry(
            "2026-11-30T10:00:00.060Z",
            10,
            "GET",
            "http://shop.test/static/app.js",
            json!([]),
            Value::Null,
            "application/javascript",
        ),
        entry(
            "2026-11-30T10:00:00.065Z",
            10,
            "GET",
            "http://shop.test/img/hero.jpg",
            json!([]),
            Value::Null,
            "image/jpeg",
        ),
        entry(
            "2026-11-30T10:00:00.070Z",
            10,
            "GET",
            "https://cdn.test/logo",
            json!([]),
            Value::Null,
            "text/plain",
        ),
        entry(
            "2026-11-30T10:00:00.400Z",
            40,
            "GET",
            "http://shop.test/search?q=red%20shoes&api_key=k123",
            auth.clone(),
            Value::Null,
            "application/json",
        ),
        entry(
            "2026-11-30T10:00:00.700Z",
            30,
            "POST",
            "http://shop.test/cart",
            auth.clone(),
            json!({"mimeType": "application/json", "text": "{\"sku\": \"A-1\", \"qty\": 2, \"note\": \"$10 off\"}"}),
            "application/json",
        ),
        entry(
            "2026-11-30T10:00:00.900Z",
            30,
            "POST",
            "http://shop.test/login",
            json!([{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}]),
            json!({"mimeType": "application/x-www-form-urlencoded", "text": "user=ann&password=hunter2"}),
            "text/html",
        ),
        entry(
            "2026-11-30T10:00:01.000Z",
            5,
            "OPTIONS",
            "http://shop.test/cart",
            json!([]),
            Value::Null,
            "text/plain",
        ),
    ];
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "pages": [], "entries": entries}})
        .to_string()
}

const OPENAPI: &str = r##"openapi: 3.0.3
info: {title: Pet Store, version: "1.0"}
servers: [{url: "https://pets.test/v1"}]
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string, example: Rex}
        age: {type: integer, minimum: 1}
        owner: {$ref: "#/components/schemas/Owner"}
    Owner:
      type: object
      properties:
        email: {type: string, format: email}
        pets: {type: array, items: {$ref: "#/components/schemas/Pet"}}
paths:
  /pets:
    get:
      tags: [pets]
      operationId: listPets
      parameters: [{name: species, in: query, required: true, schema: {type: string, enum: [dog, cat]}}]
      responses: {"200": {description: ok}}
    post:
      tags: [pets]
      operationId: createPet
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
      responses: {"200": {description: ok}}
  /pets/{petId}:
    parameters: [{name: petId, in: path, required: true, schema: {type: integer}, example: 42}]
    delete:
      tags: [pets]
      operationId: deletePet
      responses: {"200": {description: ok}}
  /health:
    get:
      security: []
      responses: {"200": {description: ok}}
"##;

/// What the target's access log saw: one JSON object per request.
fn access_log(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Imports `file`, validates and runs the scenario against a target that logs, with
/// `env` set; returns the scenario's text, the run's result and the access log.
fn import_and_replay(dir: &Path, file: &Path, env: &[(&str, &str)]) -> (String, Value, Vec<Value>) {
    let scenario = dir.join("imported.yaml");
    let imported = headroom(&["import", file.to_str().unwrap(), "--out", scenario.to_str().unwrap()]);
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    let yaml = std::fs::read_to_string(&scenario).unwrap();
    let validated = Command::new(BIN)
        .args(["validate", scenario.to_str().unwrap()])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(validated.status.success(), "{}\n{yaml}", text(&validated.stderr));
    let log = dir.join("access.log");
    let _serial = serial();
    let target = Target::start_with(4, "1ms", "const", &["--access-log", log.to_str().unwrap()]);
    let out = dir.join("run");
    let run = run_command(&scenario, &target.url, &out)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}\n{}\n{yaml}",
        text(&run.stdout),
        text(&run.stderr)
    );
    drop(target);
    (yaml, read_json(&out.join("run.json")), access_log(&log))
}

/// Every step of the scenario answered, and none failed.
fn assert_every_step_ran(result: &Value, steps: &[&str]) {
    let by_request = result["overall"]["by_request"].as_object().unwrap();
    let names: BTreeSet<&str> = by_request.keys().map(String::as_str).collect();
    assert_eq!(names, steps.iter().copied().collect(), "steps in run.json");
    for (name, request) in by_request {
        assert!(request["requests"].as_u64().unwrap() >= 1, "{name} never ran");
        assert_eq!(request["errors"], 0, "{name} failed: {request}");
    }
}

#[test]
fn a_har_recording_replays_as_recorded_without_assets_cookies_or_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let har = write(dir.path(), "shop.har", &recording());
    let env = [
        ("HEADROOM_AUTHORIZATION", "Bearer from-env"),
        ("HEADROOM_API_KEY", "key-from-env"),
        ("HEADROOM_PASSWORD", "pw-from-env"),
    ];
    let (yaml, result, log) = import_and_replay(dir.path(), &har, &env);

    for secret in ["s3cr3t", "k123", "hunter2", "sid=abc"] {
        assert!(!yaml.contains(secret), "{secret} written into the scenario:\n{yaml}");
    }
    for note in [
        "2 static assets",
        "1 request to other hosts (cdn.test)",
        "(OPTIONS)",
        "Cookie headers on 1 request",
        "HEADROOM_AUTHORIZATION",
    ] {
        assert!(yaml.contains(note), "header lacks `{note}`:\n{yaml}");
    }
    // The recorded gaps: the search ended at 0.440 s and the post began at 0.700 s.
    assert!(yaml.contains("think: \"260ms\""), "{yaml}");
    assert_every_step_ran(
        &result,
        &[
            "recording/get-home",
            "recording/get-search",
            "recording/post-cart",
            "recording/post-login",
        ],
    );

    let seen: BTreeSet<(String, String)> = log
        .iter()
        .map(|r| (r["method"].as_str().unwrap().into(), r["path"].as_str().unwrap().into()))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("GET", "/"),
        ("GET", "/search?q=red%20shoes&api_key=key-from-env"),
        ("POST", "/cart"),
        ("POST", "/login"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(seen, expected, "what the target received");
    for request in &log {
        assert!(
            request["headers"].get("cookie").is_none(),
            "a cookie was sent: {request}"
        );
        match request["path"].as_str().unwrap() {
            "/cart" => {
                let body: Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
                assert_eq!(body, json!({"sku": "A-1", "qty": 2, "note": "$10 off"}));
                assert_eq!(request["headers"]["authorization"], "Bearer from-env");
                assert_eq!(request["headers"]["content-type"], "application/json");
            }
            "/login" => assert_eq!(request["body"], "user=ann&password=pw-from-env"),
            _ => {}
        }
    }
}

#[test]
fn an_openapi_description_replays_every_operation_with_schema_examples() {
    let dir = tempfile::tempdir().unwrap();
    let spec = write(dir.path(), "pets.yaml", OPENAPI);
    let (yaml, result, log) = import_and_replay(dir.path(), &spec, &[("HEADROOM_X_API_KEY", "key-from-env")]);

    assert!(yaml.contains("HEADROOM_X_API_KEY"), "{yaml}");
    assert_every_step_ran(
        &result,
        &[
            "pets/list-pets",
            "pets/create-pet",
            "pets/delete-pet",
            "health/get-health",
        ],
    );
    let seen: BTreeSet<(String, String)> = log
        .iter()
        .map(|r| (r["method"].as_str().unwrap().into(), r["path"].as_str().unwrap().into()))
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("GET", "/v1/pets?species=dog"),
        ("POST", "/v1/pets"),
        ("DELETE", "/v1/pets/42"),
        ("GET", "/v1/health"),
    ]
    .iter()
    .map(|(m, p)| (m.to_string(), p.to_string()))
    .collect();
    assert_eq!(seen, expected, "what the target received");
    for request in &log {
        let key = request["headers"].get("x-api-key");
        if request["path"] == "/v1/health" {
            assert!(key.is_none(), "security: [] sends no key: {request}");
        } else {
            assert_eq!(key, Some(&json!("key-from-env")), "{request}");
        }
        if request["method"] == "POST" {
            let body: Value = serde_json::from_str(request["body"].as_str().unwrap()).unwrap();
            // The schema's example, minimum, format and the cycle Pet -> Owner -> pets cut.
            assert_eq!(
                body,
                json!({"name": "Rex", "age": 1, "owner": {"email": "user@example.com", "pets": []}})
            );
        }
    }
}

#[test]
fn bad_files_are_refused_with_exit_2_and_nothing_is_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let refuse = |name: &str, content: &str, expected: &str| {
        let file = write(dir.path(), name, content);
        let out = headroom(&["import", file.to_str().unwrap(), "--out", "-"]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    };
    refuse("swagger.json", r#"{"swagger": "2.0", "paths": {}}"#, "Swagger 2.0");
    refuse(
        "other.json",
        r#"{"hello": 1}"#,
        "expected a HAR 1.2 recording or an OpenAPI 3 document",
    );
    refuse(
        "broken.har",
        "{\"log\": {\"entries\": [\n{\"startedDateTime\": ",
        "line 2",
    );
    let bad_time = recording().replace("2026-11-30T10:00:00.400Z", "yesterday");
    refuse("time.har", &bad_time, "entry 4 (http://shop.test/search");
    refuse("empty.har", r#"{"log": {"entries": []}}"#, "nothing to replay");

    let har = write(dir.path(), "keep.har", &recording());
    let existing = write(dir.path(), "mine.yaml", "# my edits\n");
    let out = headroom(&["import", har.to_str().unwrap(), "--out", existing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--force"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "# my edits\n");
}
