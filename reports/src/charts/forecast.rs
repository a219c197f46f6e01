//! Utilisation history with the forecast: the mean, its 80% and 95% bands, the
//! threshold and the runway date. Long histories are drawn per pixel column with their
//! minimum and maximum, so no peak is lost.

use super::*;
use headroom_forecast::ts::SeriesForecast;

/// A series' history as (Unix seconds, value).
pub struct History<'a> {
    pub points: &'a [(f64, f64)],
}

const COLUMNS: usize = 800;

pub fn forecast(series: &SeriesForecast, history: History, threshold: Option<f64>) -> anyhow::Result<String> {
    let b = &series.bands;
    let at = |j: usize| (series.start + j as i64 * series.step_s) as f64;
    let x_min = history.points.first().map_or(at(0), |p| p.0);
    let x_max = at(b.mean.len().saturating_sub(1)).max(x_min + 1.0);
    let y_max = top(history
        .points
        .iter()
        .map(|p| p.1)
        .chain(b.hi95.iter().copied())
        .chain(threshold));
    let y_min = history
        .points
        .iter()
        .map(|p| p.1)
        .chain(b.lo95.iter().copied())
        .fold(0.0, f64::min);
    let past = min_max_path(history.points, COLUMNS);
    let mean: Vec<(f64, f64)> = min_max_path(
        &(0..b.mean.len()).map(|j| (at(j), b.mean[j])).collect::<Vec<_>>(),
        COLUMNS,
    );
    let band = |lo: &[f64], hi: &[f64]| -> Vec<(f64, f64)> {
        let step = (lo.len() / COLUMNS).max(1);
        let upper = (0..lo.len()).step_by(step).map(|j| (at(j), hi[j]));
        let lower: Vec<(f64, f64)> = (0..lo.len()).step_by(step).map(|j| (at(j), lo[j])).collect();
        upper.chain(lower.into_iter().rev()).collect()
    };
    svg(WIDTH, HEIGHT, |root| {
        let mut chart = frame(
            root,
            &format!("Forecast: {}", series.series),
            x_min..x_max,
            y_min..y_max,
            70,
        )?;
        chart
            .configure_mesh()
            .x_desc("date (UTC)")
            .y_desc("utilisation (series units)")
            .x_label_formatter(&|x| date(*x))
            .draw()?;
        chart
            .draw_series([Polygon::new(band(&b.lo95, &b.hi95), RGBColor(200, 220, 240).filled())])?
            .label("95% interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], RGBColor(200, 220, 240).filled()));
        chart
            .draw_series([Polygon::new(band(&b.lo80, &b.hi80), RGBColor(150, 190, 230).filled())])?
            .label("80% interval")
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 20, y + 5)], RGBColor(150, 190, 230).filled()));
        chart
            .draw_series(LineSeries::new(past, BLACK))?
            .label("history")
            .legend(line_key(BLACK));
        chart
            .draw_series(LineSeries::new(mean, BLUE.stroke_width(2)))?
            .label(format!("forecast mean ({})", series.model))
            .legend(line_key(BLUE));
        if let Some(t) = threshold {
            chart
                .draw_series(DashedLineSeries::new([(x_min, t), (x_max, t)], 8, 5, RED.into()))?
                .label(format!("threshold {t:.1}"))
                .legend(line_key(RED));
        }
        if let Some(when) = series
            .runway
            .as_ref()
            .and_then(|r| r.upper95_crosses_at.or(r.mean_crosses_at))
        {
            let w = when as f64;
            chart
                .draw_series(DashedLineSeries::new([(w, y_min), (w, y_max)], 6, 4, BLACK.into()))?
                .label(format!("runway: {}", date(w)))
                .legend(line_key(BLACK));
        }
        legend(&mut chart, SeriesLabelPosition::UpperLeft)?;
        Ok(())
    })
}

/// `2026-11-27` from Unix seconds (civil-from-days, Howard Hinnant's algorithm).
pub fn date(seconds: f64) -> String {
    let days = (seconds / 86_400.0).floor() as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::date(0.0), "1970-01-01");
        assert_eq!(super::date(1_392_388_200.0), "2014-02-14");
        assert_eq!(super::date(1_795_737_600.0), "2026-11-27");
    }
}
