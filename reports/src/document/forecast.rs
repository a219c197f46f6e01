//! The forecast section: each series' history, forecast and bands, peak and runway.

use super::*;

pub(super) fn forecast(s: &Summary, histories: &Histories, summary: &mut Vec<String>) -> anyhow::Result<Section> {
    let threshold = s.threshold.as_ref().map(|t| t.value);
    let mut charts = Vec::new();
    for (i, series) in s.series.iter().take(MAX_FORECAST_CHARTS).enumerate() {
        let points = histories.get(&series.series).map(Vec::as_slice).unwrap_or(&[]);
        charts.push(chart(
            &format!("forecast-{}", i + 1),
            &format!("Forecast: {}", series.series),
            "Where the mean and the upper edge of the 95% band first reach the threshold are the two runway dates; the shaded bands are where the actual values should fall 80% and 95% of the time",
            charts::forecast(series, History { points }, threshold)?,
        ));
    }
    let when = |t: Option<i64>| t.map_or("not within the horizon".to_string(), |t| charts::date(t as f64));
    for series in &s.series {
        if let Some(r) = &series.runway {
            summary.push(match (r.mean_crosses_at, r.upper95_crosses_at) {
                (Some(mean), upper) => format!("Runway for {}: the forecast reaches {:.1} on {} (upper 95% bound: {}).", series.series, r.threshold, when(Some(mean)), when(upper)),
                (None, Some(upper)) => format!("Runway for {}: the mean stays under {:.1} within the horizon; the upper 95% bound reaches it on {}.", series.series, r.threshold, when(Some(upper))),
                (None, None) => format!("Runway for {}: stays under {:.1} within the horizon, upper 95% bound included.", series.series, r.threshold),
            });
        }
    }
    let rows = s
        .series
        .iter()
        .map(|x| {
            let runway = x.runway.as_ref();
            vec![
                x.series.clone(),
                x.model.clone(),
                x.backtest.mase.map_or("-".into(), |m| format!("{m:.2}")),
                format!("{:.1} ({:.1} to {:.1})", x.peak.value, x.peak.lo95, x.peak.hi95),
                runway.map_or("-".into(), |r| when(r.mean_crosses_at)),
                runway.map_or("-".into(), |r| when(r.upper95_crosses_at)),
            ]
        })
        .collect();
    let mut paragraphs = vec![format!(
        "{} forecast {} days ahead with 80% and 95% intervals.",
        if s.series.len() == 1 {
            "1 series".to_string()
        } else {
            format!("{} series", s.series.len())
        },
        s.horizon_s / 86_400
    )];
    if let Some(t) = &s.threshold {
        paragraphs.push(format!("Threshold {:.1}, from {}.", t.value, t.source));
    }
    Ok(Section {
        title: "When will we run out?".into(),
        paragraphs,
        charts,
        tables: vec![Table {
            caption: "Each series".into(),
            header: [
                "series",
                "model",
                "backtest MASE",
                "peak (95% interval)",
                "runway (mean)",
                "runway (upper 95%)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }],
        explanations: vec![
            "Runway: the date the forecast first reaches the threshold; the upper-95% date is the cautious one, the \
             mean's the central estimate."
                .into(),
            "Intervals: the band the actual values should fall in 80% (or 95%) of the time, if the future behaves like \
             the past."
                .into(),
            "MASE (mean absolute scaled error): the forecast's error on the held-out last stretch of history, divided \
             by the error of repeating the last cycle. Below 1 beats that naive forecast; above 1 does worse."
                .into(),
        ],
    })
}
