//! The portfolio review's charts, one row per service, most at risk first: utilisation
//! now and at the forecast peak against the action and critical levels; the runway
//! (days to the action date, by the upper 95% bound) against the lead time; and the
//! monthly cost now against planned. The caller passes the rows to draw (the 30 most at
//! risk of a large portfolio) and says so in the caption.

use super::cost::{row, rows_frame, ROW};
use super::style::{
    self,
    palette::{BLACK, BLUE, GREY, ORANGE, SKY, VERMILLION},
    Axes, Dash, Mark, WIDTH,
};
use super::*;
use headroom_forecast::review::ServiceReview;

fn names<'a>(services: &[&'a ServiceReview]) -> Vec<&'a str> {
    services.iter().map(|s| s.service.as_str()).collect()
}

fn height(n: usize) -> u32 {
    150 + ROW * n.max(1) as u32
}

/// Utilisation now (a bar) and at the forecast peak (a dot, with its upper 95% bound
/// as a line), as a share of capacity, against the action and critical levels.
pub fn review_utilisation(services: &[&ServiceReview], action: f64, critical: f64) -> anyhow::Result<String> {
    let n = services.len().max(1);
    let hi95 = |s: &ServiceReview| Some(s.forecast_peak_hi95_rps? / s.capacity_rps.filter(|c| *c > 0.0)?);
    let x_max = top(services
        .iter()
        .flat_map(|s| [s.utilisation_now, s.utilisation_at_peak, hi95(s)])
        .flatten()
        .chain([critical]));
    let keys = [
        style::key("now (last 7 days' peak)", Mark::Swatch(GREY)),
        style::key("forecast peak", Mark::Dot(BLUE)),
        style::key("its upper 95% bound", Mark::Line(BLUE, Dash::Solid)),
        style::key(
            format!("action level {:.0}%", action * 100.0),
            Mark::Line(ORANGE, Dash::Dashed),
        ),
        style::key(
            format!("critical level {:.0}%", critical * 100.0),
            Mark::Line(VERMILLION, Dash::Dashed),
        ),
    ];
    let percent = |x: &f64| format!("{:.0}%", x * 100.0);
    svg(WIDTH, height(n), |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = rows_frame(
            &plot,
            "Utilisation of capacity now and at the forecast peak",
            x_max,
            &names(services),
            Axes {
                x_desc: "share of capacity (spares lost, objective met)".into(),
                y_desc: "service".into(),
                x_tick: &percent,
                y_tick: &|_| String::new(),
            },
        )?;
        for (level, colour) in [(action, ORANGE), (critical, VERMILLION)] {
            style::line(
                &mut chart,
                vec![(level, -0.5), (level, n as f64 - 0.5)],
                colour,
                Dash::Dashed,
                2,
            )?;
        }
        for (i, s) in services.iter().enumerate() {
            let y = row(n, i);
            if let Some(now) = s.utilisation_now {
                chart.draw_series([Rectangle::new([(0.0, y - 0.28), (now, y + 0.28)], GREY.filled())])?;
            }
            if let (Some(peak), Some(hi)) = (s.utilisation_at_peak, hi95(s)) {
                style::line(&mut chart, vec![(peak, y), (hi, y)], BLUE, Dash::Solid, 2)?;
                chart.draw_series([Circle::new((peak, y), 4, BLUE.filled())])?;
                tips.add(
                    &chart,
                    (peak, y),
                    format!(
                        "{}: now {}, peak {} (upper 95% {}), {}",
                        s.service,
                        s.utilisation_now.map_or("-".into(), |v| percent(&v)),
                        percent(&peak),
                        percent(&hi),
                        s.status.as_str()
                    ),
                );
            }
        }
        style::legend(&strip, &keys)
    })
}

/// Days from the review to the action date by the upper 95% bound (a bar; red when
/// shorter than the lead time, to the horizon's end and pale when beyond it), and the
/// lead time (a dotted mark).
pub fn review_runway(services: &[&ServiceReview], as_of: i64, horizon_days: f64) -> anyhow::Result<String> {
    let n = services.len().max(1);
    let days = |s: &ServiceReview| {
        s.action_date_hi95
            .as_deref()
            .and_then(headroom_loadgen::units::parse_timestamp)
            .map(|t| ((t - as_of) as f64 / 86_400.0).max(0.0))
    };
    let x_max = top(services.iter().map(|s| s.lead_time_days).chain([horizon_days]));
    let keys = [
        style::key("days to the action level, upper 95%", Mark::Swatch(BLUE)),
        style::key("shorter than the lead time: order now", Mark::Swatch(VERMILLION)),
        style::key("beyond the horizon", Mark::Swatch(SKY)),
        style::key("lead time for new capacity", Mark::Line(BLACK, Dash::Dotted)),
    ];
    let ticks = style::ticks(x_max, "", " d");
    svg(WIDTH, height(n), |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = rows_frame(
            &plot,
            "Runway to the action level against the lead time",
            x_max,
            &names(services),
            Axes {
                x_desc: "days from the review".into(),
                y_desc: "service".into(),
                x_tick: &ticks,
                y_tick: &|_| String::new(),
            },
        )?;
        for (i, s) in services.iter().enumerate() {
            let y = row(n, i);
            let (end, colour) = match days(s) {
                Some(d) if d <= s.lead_time_days => (d, VERMILLION),
                Some(d) => (d, BLUE),
                None => (horizon_days, SKY),
            };
            chart.draw_series([Rectangle::new(
                [(0.0, y - 0.28), (end.max(0.3), y + 0.28)],
                colour.filled(),
            )])?;
            style::line(
                &mut chart,
                vec![(s.lead_time_days, y - 0.45), (s.lead_time_days, y + 0.45)],
                BLACK,
                Dash::Dotted,
                2,
            )?;
            tips.add(
                &chart,
                (end, y),
                format!(
                    "{}: action level by {} (upper 95%), lead time {:.0} days, order by {}",
                    s.service,
                    s.action_date_hi95.as_deref().unwrap_or("beyond the horizon"),
                    s.lead_time_days,
                    s.order_by.as_deref().unwrap_or("-")
                ),
            );
        }
        style::legend(&strip, &keys)
    })
}

/// Monthly cost now and planned, per service.
pub fn review_cost(services: &[&ServiceReview]) -> anyhow::Result<String> {
    let n = services.len().max(1);
    let x_max = top(services
        .iter()
        .flat_map(|s| [s.monthly_usd_now, s.monthly_usd_planned])
        .flatten())
        * 1.15;
    let keys = [
        style::key("now", Mark::Swatch(GREY)),
        style::key("planned for the quarter", Mark::Swatch(BLUE)),
    ];
    let money = style::ticks(x_max, "$", "");
    svg(WIDTH, height(n), |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = rows_frame(
            &plot,
            "Monthly cost now and planned",
            x_max,
            &names(services),
            Axes {
                x_desc: "US dollars a month".into(),
                y_desc: "service".into(),
                x_tick: &money,
                y_tick: &|_| String::new(),
            },
        )?;
        for (i, s) in services.iter().enumerate() {
            let y = row(n, i);
            for (value, offset, colour) in [(s.monthly_usd_now, 0.2, GREY), (s.monthly_usd_planned, -0.2, BLUE)] {
                if let Some(v) = value {
                    chart.draw_series([Rectangle::new(
                        [(0.0, y + offset - 0.17), (v, y + offset + 0.17)],
                        colour.filled(),
                    )])?;
                    tips.add(&chart, (v, y + offset), format!("{}: {}", s.service, style::money(v)));
                }
            }
        }
        style::legend(&strip, &keys)
    })
}
