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
        "Portfolio: who must order capacity, and when?",
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
    // The run's start to the second, not the nanosecond it was recorded to.
    let started = read_json(&out.join("run/run.json"))["started_at"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!html.contains(&started) && html.contains(&format!("started {} UTC", started[..19].replace('T', " "))));
    // Tables sit in a box that scrolls inside the page's column.
    assert!(html.contains("<div class=\"wide\"><table>"));
    let expected: [(&str, &[&str]); 9] = [
        (
            "timeline",
            &[
                "Run timeline",
                "time since start (s)",
                "completed requests/s",
                "dropped arrivals/s",
                "latency (ms)",
                "users (the plan's)",
                "4 users",
            ],
        ),
        (
            "distribution",
            &["Latency distribution", "percentile", "99%", "latency (ms)"],
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
                "mean reaches it",
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
                "today's capacity",
            ],
        ),
        (
            "plan",
            &["Peak-event readiness", "instances", "SLO p99", "plan:", "today:"],
        ),
    ];
    for (file, words) in expected {
        let svg = svg_text(&report.join(format!("{file}.svg")));
        for w in words {
            assert!(svg.contains(w), "{file}.svg lacks `{w}`");
        }
    }
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("![Run timeline](timeline.svg)") && md.contains("## When will we run out?"));
    // The plan's curve shows the SLO being crossed: a count below the plan that fails it.
    let plan = read_json(&out.join("plan/plan.json"));
    let (planned, limit) = (
        plan["instances"].as_u64().unwrap(),
        plan["objective"]["limit_ms"].as_f64().unwrap(),
    );
    let plan_svg = std::fs::read_to_string(report.join("plan.svg")).unwrap();
    let failing_below = tooltips(&plan_svg).iter().any(|t| {
        let (count, what) = t.split_once(" instances: ").unwrap();
        let ms = what.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok());
        count.parse::<u64>().unwrap() < planned && ms.is_none_or(|v| v > limit)
    });
    assert!(
        failing_below,
        "no failing count below the plan of {planned} in plan.svg"
    );
    for (file, words) in [
        (
            "review-utilisation",
            &[
                "Utilisation of capacity",
                "action level 70%",
                "critical level 85%",
                "checkout",
            ][..],
        ),
        (
            "review-runway",
            &[
                "Runway to the action level",
                "lead time for new capacity",
                "days from the review",
            ][..],
        ),
        (
            "review-cost",
            &["Monthly cost now and planned", "planned for the quarter"][..],
        ),
    ] {
        let svg = svg_text(&report.join(format!("{file}.svg")));
        for w in words {
            assert!(svg.contains(w), "{file}.svg lacks `{w}`");
        }
    }
    chromium_check(
        &report.join("index.html"),
        12,
        &["Executive summary", "Peak-event readiness", "Portfolio"],
    );
}

/// A review of 50 services with long names reported alone: the 30 most at risk drawn
/// (and said so), all 50 in the table, no SVG text under 12 px, and in Chromium every
/// chart drawn and nothing wider than the page's column.
#[test]
fn a_review_of_50_services_renders_in_the_page_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let start = 1_790_000_000 - 1_790_000_000 % 86_400;
    let mut demand = String::from("timestamp,series,value\n");
    let mut services = String::new();
    for k in 0..50 {
        let name = format!("service-with-a-long-descriptive-name-{k:02}");
        services.push_str(&format!(
            "  - {{name: {name}, capacity_rps: 100, instances: 4, instance_type: gp.large}}\n"
        ));
        for h in 0..60 * 24 {
            let v = 60.0 + k as f64 * 0.02 * h as f64 / 24.0 + 20.0 * (std::f64::consts::TAU * h as f64 / 24.0).sin();
            demand.push_str(&format!("{},{name},{v:.3}\n", start + h * 3600));
        }
    }
    write(d, "demand.csv", &demand);
    let root = env!("CARGO_MANIFEST_DIR");
    let portfolio = write(
        d,
        "portfolio.yaml",
        &format!(
            "name: fifty\ncatalog: {root}/examples/prices.csv\ndemand: {{csv: demand.csv}}\nservices:\n{services}"
        ),
    );
    let run = headroom(&[
        "review",
        portfolio.to_str().unwrap(),
        "--out",
        d.join("review").to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let report = d.join("report");
    let run = headroom(&[
        "report",
        "--review",
        d.join("review").to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("The 30 services most at risk of 50"),
        "no note that the charts show 30"
    );
    assert_eq!(
        (0..50)
            .filter(|k| html.contains(&format!("<td>service-with-a-long-descriptive-name-{k:02}</td>")))
            .count(),
        50
    );
    for file in ["review-utilisation", "review-runway", "review-cost"] {
        let path = report.join(format!("{file}.svg"));
        let raw = std::fs::read_to_string(&path).unwrap();
        let smallest = smallest_font(&raw);
        assert!(smallest >= 12.0, "{file} has text of {smallest} px");
        // Each of the 30 rows labelled apart (cut in the middle, the number kept).
        let texts = svg_text(&path);
        let rows = (0..50)
            .filter(|k| {
                texts
                    .lines()
                    .any(|l| l.contains('…') && l.ends_with(&format!("-name-{k:02}")))
            })
            .count();
        assert_eq!(rows, 30, "{file}");
    }
    chromium_check(&report.join("index.html"), 3, &["Portfolio"]);
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

/// Renders the page in headless Chromium and reads back each chart's rendered size and
/// whether any figure, table or paragraph reaches past the page's column; the DOM must
/// hold each of `words`. Skipped with a message without Chromium; under CI=true a
/// missing Chromium fails.
fn chromium_check(page: &Path, charts: usize, words: &[&str]) {
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
    let probe = "<script>document.body.setAttribute('data-sizes', Array.from(document.querySelectorAll('figure svg')).map(s => { const r = s.getBoundingClientRect(); return Math.round(r.width) + 'x' + Math.round(r.height); }).join(','));\
const column = document.body.getBoundingClientRect().right + 1;\
document.body.setAttribute('data-overflow', Array.from(document.querySelectorAll('figure, table, p, li')).filter(e => e.getBoundingClientRect().right > column).length);</script></body>";
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
    for word in words {
        assert!(dom.contains(word), "rendered DOM lacks `{word}`");
    }
    let overflow = dom.split("data-overflow=\"").nth(1).and_then(|s| s.split('"').next());
    assert_eq!(overflow, Some("0"), "elements reach past the page column");
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
    // A screenshot at 1280 px is not blank: ink on a good share of it, in several colours.
    let shot = page.with_file_name("screenshot.png");
    let status = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--window-size=1280,2400", "--virtual-time-budget=3000"])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(shot.exists(), "no screenshot: {}", text(&status.stderr));
    let (width, ink, colours) = ink(&shot);
    assert_eq!(width, 1280);
    assert!(ink > 0.03, "the screenshot is {:.1}% ink", ink * 100.0);
    assert!(colours >= 5, "the screenshot has {colours} colours");
}

/// A PNG's width, the share of its pixels that are not near-white, and how many of the
/// palette's hues (coarsely binned) appear.
fn ink(path: &Path) -> (u32, f64, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buffer = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buffer).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buffer[..info.buffer_size()];
    let mut inked = 0usize;
    let mut bins = std::collections::HashSet::new();
    let total = pixels.len() / channels;
    for px in pixels.chunks(channels) {
        let (r, g, b) = (px[0], px[1], px[2]);
        if r.min(g).min(b) < 230 {
            inked += 1;
            bins.insert((r / 64, g / 64, b / 64));
        }
    }
    (info.width, inked as f64 / total as f64, bins.len())
}

/// The smallest `font-size` in an SVG's text.
/// The number of points of each polyline in an SVG.
fn polylines(svg: &str) -> Vec<usize> {
    svg.split("<polyline")
        .skip(1)
        .filter_map(|p| {
            Some(
                p.split("points=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .split_whitespace()
                    .count(),
            )
        })
        .collect()
}

/// The y of every text element reading exactly `label`, top to bottom.
fn text_ys(svg: &str, label: &str) -> Vec<f64> {
    let mut ys: Vec<f64> = svg
        .split("<text")
        .skip(1)
        .filter(|t| {
            t.split_once('>')
                .and_then(|(_, rest)| rest.split_once("</text>"))
                .is_some_and(|(text, _)| text.trim() == label)
        })
        .filter_map(|t| t.split(" y=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    ys.sort_by(f64::total_cmp);
    assert!(!ys.is_empty(), "no text `{label}`");
    ys
}

fn smallest_font(svg: &str) -> f64 {
    svg.split("font-size=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min)
}

/// The `<title>` tooltips of an SVG.
fn tooltips(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.tag_name().name() == "title")
        .filter_map(|n| n.text().map(String::from))
        .collect()
}

/// An open run that drops arrivals (capacity 100 rps, 300 arriving a second, a pool of
/// 4), with two requests and a hostile scenario name, fitted, forecast with the limits
/// as threshold and reported from absolute paths: the report holds the run in detail,
/// plots the drops, names its inputs by file name only, and every SVG is well-formed
/// with no text under 12 px.
#[test]
fn an_open_run_with_drops_is_reported_in_full_without_paths() {
    let _serial = serial();
    let target = Target::start(2, "20ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = write(
        d,
        "open.yaml",
        "name: \"drops <&> 'q'\"\njourneys:\n  - name: w\n    steps:\n      - {name: first, get: /a}\n      - {name: second, get: /b}\n\
         load:\n  steps: {rate: [50, 150, 300], hold: 2s}\n  pool: 4\nslo: {p99: 100ms}\n",
    );
    let out = d.join("run");
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let run_json = read_json(&out.join("run.json"));
    let dropped = run_json["overall"]["dropped"].as_u64().unwrap();
    assert!(dropped > 100, "the run dropped only {dropped}");
    let limits = d.join("limits");
    let fit = headroom(&[
        "fit",
        out.join("run.json").to_str().unwrap(),
        "--out",
        limits.to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let history = write(d, "history.csv", &hourly_csv(21 * 24, 60));
    let forecast = d.join("forecast");
    let fc = headroom(&[
        "forecast",
        history.to_str().unwrap(),
        "--horizon",
        "7d",
        "--limits",
        limits.join("limits.json").to_str().unwrap(),
        "--plan",
        d.join("no-plan.json").to_str().unwrap(),
        "--out",
        forecast.to_str().unwrap(),
    ]);
    assert_eq!(fc.status.code(), Some(0), "{}", text(&fc.stderr));
    let report = d.join("report");
    let rp = headroom(&[
        "report",
        "--run",
        out.join("run.json").to_str().unwrap(),
        "--limits",
        limits.join("limits.json").to_str().unwrap(),
        "--forecast",
        forecast.to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(rp.status.code(), Some(0), "{}", text(&rp.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    let root = d.to_str().unwrap();
    for (name, page) in [("index.html", &html), ("report.md", &md)] {
        assert!(!page.contains(root), "{name} shows the absolute path {root}");
        assert!(!page.contains("/tmp/"), "{name} shows an absolute path");
        for expected in [
            "Made ".to_string(),
            format!("headroom {}", env!("CARGO_PKG_VERSION")),
            "Inputs: run.json, limits.json, forecast".into(),
            target.url.clone(),
            format!("{:.0} s", run_json["duration_s"].as_f64().unwrap()),
        ] {
            assert!(page.contains(&expected), "{name} lacks `{expected}`");
        }
    }
    // The run in detail: a row per request, errors by kind when there are any.
    for request in ["w/first", "w/second"] {
        assert!(html.contains(&format!("<td>{request}</td>")), "no row for {request}");
    }
    assert!(html.contains("Each request over the whole run"));
    let mut svgs = 0;
    for entry in std::fs::read_dir(&report).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            svgs += 1;
            let raw = std::fs::read_to_string(&path).unwrap();
            svg_text(&path); // parses as XML
            let smallest = smallest_font(&raw);
            assert!(smallest >= 12.0, "{} has text of {smallest} px", path.display());
        }
    }
    assert_eq!(svgs, 5, "timeline, distribution, throughput, latency, forecast");
    // The runway's threshold names its scale: one instance's Poisson SLO limit here.
    for page in [&html, &md] {
        assert!(
            page.contains("1 x ") && page.contains("Poisson SLO limit") && page.contains("--instances N"),
            "the threshold's scale is not named"
        );
    }
    // Three weeks of hourly history and a week ahead are drawn as lines, not vanishing
    // ranges: a polyline through every hour of history and of the mean.
    let longest = polylines(&std::fs::read_to_string(report.join("forecast-1.svg")).unwrap());
    assert!(
        longest.iter().filter(|n| **n >= 7 * 24).count() >= 2 && longest.iter().any(|n| *n >= 21 * 24 - 1),
        "forecast polylines of {longest:?} points"
    );
    // One legend per timeline panel: each panel's keys sit under it, above the next
    // panel's axis name.
    let timeline_svg = std::fs::read_to_string(report.join("timeline.svg")).unwrap();
    let y = |label: &str| text_ys(&timeline_svg, label);
    let (errors_key, latency_axis, p99_key, users) = (
        y("errors/s")[0],
        y("latency (ms)")[0],
        y("p99")[0],
        y("users in the pool"),
    );
    assert!(
        errors_key < latency_axis && latency_axis < p99_key && p99_key < users[0] && users.len() == 2,
        "errors/s key at {errors_key}, latency axis at {latency_axis}, p99 key at {p99_key}, users at {users:?}"
    );
    // Drops are plotted: the legend names them and the seconds' tooltips carry them.
    let timeline = std::fs::read_to_string(report.join("timeline.svg")).unwrap();
    assert!(svg_text(&report.join("timeline.svg")).contains("dropped arrivals/s"));
    let drops_plotted: u64 = tooltips(&timeline)
        .iter()
        .filter_map(|t| {
            t.split(", ")
                .find(|p| p.ends_with(" dropped"))?
                .trim_end_matches(" dropped")
                .parse::<u64>()
                .ok()
        })
        .sum();
    assert!(
        drops_plotted > dropped / 2,
        "{drops_plotted} drops in the timeline of {dropped}"
    );
    // No partial second is drawn: the last second plotted ended within the run.
    let last_second = tooltips(&timeline)
        .iter()
        .filter_map(|t| t.strip_prefix("second ")?.split(':').next()?.parse::<f64>().ok())
        .fold(0.0, f64::max);
    let duration = run_json["duration_s"].as_f64().unwrap();
    assert!(
        last_second > 0.0 && last_second <= duration,
        "second {last_second} of a {duration} s run"
    );
    // Corrected against uncorrected latency for an open run.
    let distribution = svg_text(&report.join("distribution.svg"));
    assert!(distribution.contains("corrected") && distribution.contains("uncorrected"));
    // Every measured step has a tooltip in the throughput chart.
    let steps = run_json["steps"].as_array().unwrap().len();
    let throughput = std::fs::read_to_string(report.join("throughput.svg")).unwrap();
    assert_eq!(tooltips(&throughput).len(), steps);
}

/// A saturation search's report gives the search's verdict against the scenario's SLO,
/// never "no SLO".
#[test]
fn a_search_run_reports_its_slo_verdict() {
    let _serial = serial();
    // M/M/4 at 100/s each: the search brackets the p99 <= 100 ms limit (350/s by Erlang C).
    let target = Target::start(4, "10ms", "exp");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = write(
        d,
        "search.yaml",
        "name: s\njourneys: [{name: w, steps: [{get: /}]}]\n\
         load: {search: {rate: {from: 100, max: 1600}, hold: 2s, precision: 15%}}\nslo: {p99: 100ms}\n",
    );
    let out = d.join("run");
    let run = run_scenario(&scenario, &target.url, &out);
    assert!(run.status.code().is_some_and(|c| c <= 1), "{}", text(&run.stderr));
    let run_json = read_json(&out.join("run.json"));
    assert!(
        run_json["search"]["highest_passing"].is_number(),
        "{}",
        run_json["search"]
    );
    let report = d.join("report");
    let rp = headroom(&[
        "report",
        "--run",
        out.join("run.json").to_str().unwrap(),
        "--out",
        report.to_str().unwrap(),
    ]);
    assert_eq!(rp.status.code(), Some(0), "{}", text(&rp.stderr));
    let html = std::fs::read_to_string(report.join("index.html")).unwrap();
    assert!(
        html.contains("a saturation search found the highest load meeting the SLO"),
        "no search verdict"
    );
    assert!(!html.contains("no SLO"), "the report says the search had no SLO");
}
