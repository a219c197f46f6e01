//! The open model's users send over connections of their own (hyper, directly), the
//! closed model's through goose's pooled client: against a server written here that
//! closes every third keep-alive connection and redirects one path, both models lose
//! no request to a closed connection, follow the redirect to the same final answer,
//! and send what the scenario says (method, headers, body; its headers in place of the
//! client's defaults).

mod common;
use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// What the server saw: each request's line, its headers, its body.
type Seen = Arc<Mutex<Vec<(String, Vec<String>, String)>>>;

/// A keep-alive HTTP/1.1 server on a free loopback port: `/old` answers 302 to `/new`,
/// everything else 200 "moved here"; a connection is closed after its third answer.
fn serve() -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen: Seen = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || serve_connection(stream, &log));
        }
    });
    (url, seen)
}

fn serve_connection(stream: TcpStream, log: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    for answered in 1..=3 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            if header.trim().is_empty() {
                break;
            }
            headers.push(header.trim().to_ascii_lowercase());
        }
        let length = headers
            .iter()
            .find_map(|h| h.strip_prefix("content-length:"))
            .map_or(0, |n| n.trim().parse().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let close = if answered == 3 { "connection: close\r\n" } else { "" };
        let answer = if line.starts_with("GET /old ") {
            format!("HTTP/1.1 302 Found\r\nlocation: /new\r\ncontent-length: 0\r\n{close}\r\n")
        } else {
            format!("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n{close}\r\nmoved here")
        };
        log.lock()
            .unwrap()
            .push((line.trim().to_string(), headers, String::from_utf8_lossy(&body).into()));
        if writer.write_all(answer.as_bytes()).is_err() {
            return;
        }
    }
}

fn run(url: &str, load: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write(
        dir.path(),
        "s.yaml",
        &format!(
            "name: s\njourneys:\n- name: j\n  steps:\n  - get: /old\n    check: {{status: [200], body_contains: moved here}}\n  \
             - post: /orders\n    headers: {{x-tenant: blue, accept: application/json}}\n    json: {{item: 7}}\nload: {load}\n"
        ),
    );
    let out = dir.path().join("out");
    let run = run_scenario(&scenario, url, &out);
    assert_eq!(run.status.code(), Some(0), "{}{}", text(&run.stdout), text(&run.stderr));
    read_json(&out.join("run.json"))
}

#[test]
fn both_models_survive_closed_connections_follow_redirects_and_send_what_the_scenario_says() {
    let _serial = serial();
    for load in [
        "{arrivals: uniform, stages: [{rate: 100, hold: 2s}]}",
        "{stages: [{users: 2, hold: 2s}]}",
    ] {
        let (url, seen) = serve();
        let result = run(&url, load);
        let overall = &result["overall"];
        assert_eq!(overall["errors"], 0, "{load}: {}", overall["errors_by_kind"]);
        let seen = seen.lock().unwrap();
        let count = |line: &str| seen.iter().filter(|(l, _, _)| l == line).count() as f64;
        let journeys = count("GET /old HTTP/1.1");
        assert!(journeys >= 100.0, "{load}: {journeys} journeys");
        // Every redirect followed once, every journey's second step sent (but for a
        // closed user's journey the plan's end cut short), each measured once.
        for line in ["GET /new HTTP/1.1", "POST /orders HTTP/1.1"] {
            assert!(
                journeys - count(line) <= 2.0,
                "{load}: {} of {journeys} {line}",
                count(line)
            );
        }
        let measured = overall["requests"].as_f64().unwrap();
        assert!(
            measured <= 2.0 * journeys && measured >= 2.0 * journeys - 4.0,
            "{load}: {measured}"
        );
        let (_, headers, body) = seen.iter().find(|(l, _, _)| l.starts_with("POST")).unwrap();
        for header in [
            "x-tenant: blue",
            "content-type: application/json",
            "user-agent: headroom/0.1",
        ] {
            assert!(
                headers.iter().any(|h| h == header),
                "{load}: {header} not in {headers:?}"
            );
        }
        assert!(headers.iter().any(|h| h.starts_with("host: 127.0.0.1:")), "{headers:?}");
        // A header the scenario sets replaces the client's default, never doubles it.
        let accept: Vec<_> = headers.iter().filter(|h| h.starts_with("accept:")).collect();
        assert_eq!(accept, ["accept: application/json"], "{load}");
        assert_eq!(body, r#"{"item":7}"#, "{load}");
    }
}
