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
    let no_plan = dir.path().join("no-plan.json");
    let forecast = |fleet: &[&str]| {
        let mut args = vec![
            "forecast",
            json.to_str().unwrap(),
            "--horizon",
            "3d",
            "--limits",
            limits.to_str().unwrap(),
            "--plan",
            no_plan.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(fleet);
        let run = headroom(&args);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        serde_json::from_slice::<serde_json::Value>(&run.stdout).unwrap()
    };
    let summary = forecast(&[]);
    assert_eq!(summary["series"][0]["series"], "rps{job=api}");
    // No SLO in that fit: the threshold is one instance's peak throughput, 425 rps, and
    // says it is one instance's.
    assert_eq!(summary["threshold"]["value"], 425.0);
    let source = summary["threshold"]["source"].as_str().unwrap();
    assert!(
        source.contains("1 x 425.0 rps, one instance's peak") && source.contains("--instances N"),
        "{source}"
    );
    assert!(
        summary["series"][0]["runway"]["mean_crosses_at"].is_null(),
        "demand near 123 never reaches 425"
    );
    // A fleet of three: the threshold on the series' scale, 3 x 425 rps.
    let summary = forecast(&["--instances", "3"]);
    assert_eq!(summary["threshold"]["value"], 1275.0);
    let source = summary["threshold"]["source"].as_str().unwrap();
    assert!(
        source.contains("3 x 425.0 rps") && source.contains("(--instances)"),
        "{source}"
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

/// Counts every 5 minutes for two weeks (a daily cycle around 10 a sample) with one
/// stray row at time 0 and one spike of 100,000.
fn five_minute_counts() -> String {
    let mut text = String::from("timestamp,value\n0,7\n");
    for i in 0..14 * 288i64 {
        let day = i as f64 / 288.0;
        let v = if i == 2000 {
            100_000.0
        } else {
            (10.0 + 4.0 * (std::f64::consts::TAU * day).sin()).round()
        };
        text.push_str(&format!("{},{v}\n", 1_700_006_400 + i * 300));
    }
    text
}

#[test]
fn counts_sum_to_hours_strays_are_dropped_on_request_and_spikes_kept_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = write(d, "counts.csv", &five_minute_counts());
    let forecast = |extra: &[&str]| {
        let mut args = vec!["forecast", csv.to_str().unwrap(), "--horizon", "1d", "--json"];
        args.extend_from_slice(extra);
        args.extend(["--out", d.to_str().unwrap()]);
        headroom(&args)
    };
    // The stray row at 1970 is refused, naming the file and the way out.
    let refused = forecast(&[]);
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains("counts.csv") && stderr.contains("--drop-outliers"),
        "{stderr}"
    );
    let summed = forecast(&["--drop-outliers", "--aggregate", "sum", "--step", "1h"]);
    assert_eq!(summed.status.code(), Some(0), "{}", text(&summed.stderr));
    let s: serde_json::Value = serde_json::from_slice(&summed.stdout).unwrap();
    let series = &s["series"][0];
    assert_eq!(series["step_s"], 3600);
    assert_eq!(series["cleaning"]["dropped_stray"], 1);
    assert_eq!(series["cleaning"]["aggregated"]["from_step_s"], 300);
    // An hour holds 12 samples: the sums, computed here from the rows, are history.csv's.
    let history = std::fs::read_to_string(d.join("history.csv")).unwrap();
    let rows: Vec<f64> = five_minute_counts()
        .lines()
        .skip(2)
        .take(12)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    let first_hour: f64 = rows.iter().sum();
    let written: f64 = history
        .lines()
        .nth(1)
        .unwrap()
        .rsplit(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((written - first_hour).abs() < 1e-9, "{written} vs {first_hour}");
    // The spike is set aside by default: the peak is the cycle's (12 x 14 = 168 an hour
    // at most) and its 95% band stays near it.
    assert_eq!(series["spikes"].as_array().unwrap().len(), 1, "{}", series["spikes"]);
    let peak = |v: &serde_json::Value, key: &str| v["series"][0]["peak"][key].as_f64().unwrap();
    assert!(
        within(peak(&s, "value"), 168.0, 0.1) && peak(&s, "hi95") < 300.0,
        "{}",
        series["peak"]
    );
    // With --keep-spikes the cycle is the same, but one day in 14 held a spike of about
    // 100,000: the upper 95% bound sizes for it, the median peak does not.
    let kept = forecast(&["--drop-outliers", "--aggregate", "sum", "--step", "1h", "--keep-spikes"]);
    assert_eq!(kept.status.code(), Some(0), "{}", text(&kept.stderr));
    let k: serde_json::Value = serde_json::from_slice(&kept.stdout).unwrap();
    assert!(within(peak(&k, "value"), 168.0, 0.1), "{}", k["series"][0]["peak"]);
    assert!(peak(&k, "hi95") > 50_000.0, "{}", k["series"][0]["peak"]);
}

/// A series flat for three weeks that then rises 3 a day: the output and summary.json
/// say the trend changed, when, and from what to what.
#[test]
fn a_trend_change_is_told() {
    let dir = tempfile::tempdir().unwrap();
    let start = 21 * 24;
    let mut rows = String::from("timestamp,value\n");
    for t in 0..31 * 24i64 {
        let day = t as f64 / 24.0;
        let rise = 3.0 * (t - start).max(0) as f64 / 24.0;
        let v = 40.0 + rise + 10.0 * (std::f64::consts::TAU * day).sin() + ((t * 7919) % 13) as f64 * 0.3;
        rows.push_str(&format!("{},{v:.3}\n", 1_700_000_000 + t * HOUR));
    }
    let csv = write(dir.path(), "rising.csv", &rows);
    let out = dir.path().join("out");
    let run = headroom(&[
        "forecast",
        csv.to_str().unwrap(),
        "--horizon",
        "7d",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let stdout = text(&run.stdout);
    assert!(stdout.contains("trend     changed from"), "{stdout}");
    let summary = read_json(&out.join("summary.json"));
    let change = &summary["series"][0]["trend_change"];
    let at = change["at"].as_i64().unwrap();
    assert!((at - (1_700_000_000 + start * HOUR)).abs() <= 24 * HOUR, "{change}");
    assert!(within(change["after_per_day"].as_f64().unwrap(), 3.0, 0.15), "{change}");
}
