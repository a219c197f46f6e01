//! The report and the demo: every SVG parses as XML and holds its title, axis labels and
//! series; names from input are escaped; 200 services stay readable; the page renders in
//! headless Chromium with every chart at a non-zero size.

mod common;
use common::*;
use std::path::Path;

/// All text in an SVG, and its parse.
fn svg_text(path: &Path) -> String {
    let source = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse(&source).unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display()));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn demo_writes_every_section_and_parseable_charts() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = headroom(&["demo", "--quick", "--out", out.to_str().unwrap()]);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}\n{}",
        text(&run.stdout),
        text(&run.stderr)
    );
    let report = out.join("report");
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    for section in [
        "Executive summary",
        "How much can this service take?",
        "When will we run out?",
        "What should we run, and what does it cost?",
        "Peak-event readiness",
    ] {
        assert!(html.contains(section), "index.html lacks {section}");
    }
    assert!(
        !html.contains("<link") && !html.contains("src=\"http"),
        "no external assets"
    );
    let expected: [(&str, &[&str]); 8] = [
        (
            "timeline",
            &[
                "Run timeline",
                "time (s)",
                "throughput (requests/s)",
                "p95 latency (ms)",
            ],
        ),
        (
            "throughput",
            &[
                "Throughput vs load",
                "offered load (users)",
                "throughput (requests/s)",
                "measured steps",
                "USL fit",
                "knee",
            ],
        ),
        (
            "latency",
            &["Latency vs load", "latency (ms)", "p95", "p99", "SLO p95", "SLO limit"],
        ),
        (
            "forecast-1",
            &[
                "Forecast: checkout-rps",
                "date (UTC)",
                "history",
                "forecast mean",
                "80% interval",
                "95% interval",
                "threshold",
                "runway",
            ],
        ),
        ("forecast-2", &["Forecast: search-rps", "history", "threshold"]),
        (
            "cost",
            &[
                "Monthly cost per service",
                "USD per month",
                "today",
                "recommended",
                "checkout",
            ],
        ),
        (
            "utilisation",
            &[
                "CPU use per service",
                "CPU cores (all instances)",
                "p95",
                "recommended capacity",
            ],
        ),
        ("plan", &["Peak-event readiness", "instances", "SLO p99", "plan:"]),
    ];
    for (file, words) in expected {
        let svg = svg_text(&report.join(format!("{file}.svg")));
        for w in words {
            assert!(svg.contains(w), "{file}.svg lacks `{w}`");
        }
    }
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("![Run timeline](timeline.svg)") && md.contains("## When will we run out?"));
    chromium_check(&report.join("index.html"), 8);
}

/// A fleet whose service names are hostile and many.
fn fleet(services: &[String]) -> String {
    let mut text = String::from("timestamp,service,instance,cpu_cores,mem_bytes\n");
    for (k, name) in services.iter().enumerate() {
        for i in 0..48 {
            text.push_str(&format!(
                "{},\"{}\",{k}-0,{},{}\n",
                1_700_000_000 + i * 1800,
                name.replace('"', "\"\""),
                0.5 + (k % 7) as f64 * 0.3,
                2e9
            ));
        }
    }
    text
}

#[test]
fn names_from_input_are_escaped_and_200_services_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut names: Vec<String> = (0..199).map(|i| format!("svc-{i:03}")).collect();
    names.push("<script>alert(1)</script>".into());
    let fleet = write(d, "fleet.csv", &fleet(&names));
    let root = env!("CARGO_MANIFEST_DIR");
    let rs = headroom(&[
        "rightsize",
        fleet.to_str().unwrap(),
        "--catalog",
        &format!("{root}/examples/prices.csv"),
        "--out",
        d.join("rs").to_str().unwrap(),
    ]);
    assert_eq!(rs.status.code(), Some(0), "{}", text(&rs.stderr));
    let report = d.join("report");
    let run = headroom(&[
        "report",
        "--rightsize",
        d.join("rs").to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(!html.contains("<script>"), "raw script tag in index.html");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains("How much can this service take?"),
        "sections without input are left out"
    );
    for file in ["cost.svg", "utilisation.svg"] {
        let raw = std::fs::read_to_string(report.join(file)).unwrap();
        assert!(!raw.contains("<script>"), "raw script tag in {file}");
        let texts = svg_text(&report.join(file));
        assert!(
            texts.contains("<script>alert(1)</script>"),
            "the name shows as text in {file}"
        );
        // Every one of the 200 services has its own labelled row.
        let labelled = names.iter().filter(|n| texts.contains(n.as_str())).count();
        assert_eq!(labelled, 200, "{file}");
        let height: f64 = roxmltree::Document::parse(&raw)
            .unwrap()
            .root_element()
            .attribute("height")
            .unwrap()
            .parse()
            .unwrap();
        assert!(height >= 200.0 * 15.0, "{file} is {height} px high for 200 rows");
    }
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(!md.contains("<script>"));
}

/// Renders the page in headless Chromium and reads back each chart's rendered size.
/// Skipped with a message without Chromium; under CI=true a missing Chromium fails.
fn chromium_check(page: &Path, charts: usize) {
    let Some(browser) = ["chromium", "chromium-browser"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but chromium is not installed"
        );
        say_skipped("chromium not installed (Debian package `chromium`)");
        return;
    };
    // A copy of the page with a probe that writes every figure's rendered size into the DOM.
    let probe = "<script>document.body.setAttribute('data-sizes', Array.from(document.querySelectorAll('figure svg')).map(s => { const r = s.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); }).join(','));</script></body>";
    let html = std::fs::read_to_string(page).unwrap().replace("</body>", probe);
    let probed = page.with_file_name("probed.html");
    std::fs::write(&probed, html).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", probed.display()))
        .output()
        .unwrap();
    let dom = text(&out.stdout);
    assert!(
        dom.contains("Executive summary") && dom.contains("Peak-event readiness"),
        "rendered DOM lacks the report's text"
    );
    let sizes = dom
        .split("data-sizes=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_else(|| panic!("no sizes in the DOM: {}", &dom[..dom.len().min(500)]));
    let sizes: Vec<(f64, f64)> = sizes
        .split(',')
        .map(|s| {
            let (w, h) = s.split_once('x').unwrap();
            (w.parse().unwrap(), h.parse().unwrap())
        })
        .collect();
    assert_eq!(sizes.len(), charts, "{sizes:?}");
    assert!(
        sizes.iter().all(|(w, h)| *w > 0.0 && *h > 0.0),
        "a chart rendered at zero size: {sizes:?}"
    );
}
