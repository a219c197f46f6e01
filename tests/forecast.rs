//! `headroom forecast` from files: many series in one CSV, a saved Prometheus response,
//! the threshold from a limits.json, the backtest mode, and bad input.

mod common;
use common::*;

const HOUR: i64 = 3600;

/// Hourly samples over 28 days: level 40 + 0.5 per day, a daily cycle of amplitude 10.
fn history_csv(series: &[&str]) -> String {
    let mut text = String::from("timestamp,series,value\n");
    for t in 0..28 * 24i64 {
        for (k, name) in series.iter().enumerate() {
            let k = k as i64;
            let day = t as f64 / 24.0;
            let v = 40.0
                + k as f64 * 10.0
                + 0.5 * day
                + 10.0 * (std::f64::consts::TAU * day).sin()
                + ((t * 7919 + k * 31) % 13) as f64 * 0.1;
            text.push_str(&format!("{},{name},{v:.3}\n", 1_700_000_000 + t * HOUR));
        }
    }
    text
}

#[test]
fn many_series_with_runway_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "history.csv", &history_csv(&["api", "db"]));
    let out = dir.path().join("out");
    let run = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "14d",
        "--threshold",
        "60",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stdout).contains("runway"), "{}", text(&run.stdout));
    let summary = read_json(&out.join("summary.json"));
    assert_eq!(summary["schema_version"], 1);
    let series = summary["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    for s in series {
        assert!(s["model"].as_str().is_some() && s["backtest"]["mase"].as_f64().is_some());
        let slope = s["trend_per_day"].as_f64().unwrap();
        assert!(within(slope, 0.5, 0.10), "{}: slope {slope}", s["series"]);
        let (lo95, peak) = (
            s["peak"]["lo95"].as_f64().unwrap(),
            s["peak"]["value"].as_f64().unwrap(),
        );
        assert!(lo95 <= peak, "{lo95} > {peak}");
        assert_eq!(s["weekly_peaks"].as_array().unwrap().len(), 2);
    }
    // db sits 10 higher: its daily peak (50 + 0.5 d) crosses 60 about a week before api's.
    let crossing = |i: usize| series[i]["runway"]["mean_crosses_at"].as_i64();
    assert!(crossing(1).unwrap() < crossing(0).unwrap_or(i64::MAX));
    let forecast = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
    let mut lines = forecast.lines();
    assert_eq!(lines.next(), Some("timestamp,series,mean,lo80,hi80,lo95,hi95"));
    assert_eq!(lines.count(), 2 * 14 * 24);
}

#[test]
fn saved_prometheus_response_and_limits_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<String> = (0..10 * 24)
        .map(|t| format!("[{}, \"{}\"]", 1_700_000_000 + t * HOUR, 100 + (t % 24)))
        .collect();
    let response = format!(
        r#"{{"status":"success","data":{{"resultType":"matrix","result":[{{"metric":{{"__name__":"rps","job":"api"}},"values":[{}]}}]}}}}"#,
        values.join(",")
    );
    let json = write(dir.path(), "query_range.json", &response);
    let limits_csv = write(
        dir.path(),
        "steps.csv",
        "concurrency,throughput\n1,50\n2,100\n4,200\n8,400\n16,420\n32,425\n",
    );
    let fit = headroom(&[
        "fit",
        limits_csv.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(fit.status.code(), Some(0), "{}", text(&fit.stderr));
    let limits = dir.path().join("limits.json");
    let run = headroom(&[
        "forecast",
        json.to_str().unwrap(),
        "--horizon",
        "3d",
        "--limits",
        limits.to_str().unwrap(),
        "--out",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(summary["series"][0]["series"], "rps{job=api}");
    // No SLO in that fit: the threshold is the peak throughput, 425 rps.
    assert_eq!(summary["threshold"]["value"], 425.0);
    assert!(summary["threshold"]["source"].as_str().unwrap().contains("peak"));
    assert!(
        summary["series"][0]["runway"]["mean_crosses_at"].is_null(),
        "demand near 123 never reaches 425"
    );
}

#[test]
fn backtest_scores_a_held_out_tail() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "history.csv", &history_csv(&["api"]));
    let run = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--backtest",
        "2d",
        "--out",
        dir.path().to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let rows: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let mase = rows[0]["mase"].as_f64().unwrap();
    assert!(mase < 1.0, "MASE {mase}");
    assert!(rows[0]["peak_error"].as_f64().unwrap().abs() < 0.10);
    assert_eq!(rows[0]["holdout_steps"], 48);
}

#[test]
fn bad_input_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let bad_time = write(
        dir.path(),
        "t.csv",
        "timestamp,value\n2024-01-01 00:00:00,1\nlast tuesday,2\n",
    );
    let nan = write(
        dir.path(),
        "n.csv",
        "timestamp,value\n1700000000,NaN\n1700000060,NaN\n1700000120,\n",
    );
    let good = write(dir.path(), "g.csv", &history_csv(&["api"]));
    let cases: [(&[&str], &str); 4] = [
        (
            &["forecast", bad_time.to_str().unwrap()],
            "t.csv:3: timestamp: found `last tuesday`",
        ),
        (&["forecast", nan.to_str().unwrap()], "no numeric values"),
        (
            &["forecast", good.to_str().unwrap(), "--horizon", "0s"],
            "--horizon: found 0s",
        ),
        (
            &[
                "forecast",
                good.to_str().unwrap(),
                "--threshold",
                "1",
                "--limits",
                "x.json",
            ],
            "either --threshold or --limits",
        ),
    ];
    for (args, message) in cases {
        let mut args = args.to_vec();
        args.extend(["--out", dir.path().to_str().unwrap()]);
        let out = headroom(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
}

#[test]
fn short_history_states_its_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let rows: String = (0..30)
        .map(|t| format!("{},{}\n", 1_700_000_000 + t * HOUR, 50 + t % 5))
        .collect();
    let csv = write(dir.path(), "short.csv", &format!("timestamp,value\n{rows}"));
    let run = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "1d",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stdout).contains("too short for daily seasonality"),
        "{}",
        text(&run.stdout)
    );
}
