//! The run's latency distribution: latency at each percentile from the whole run's
//! histogram, on a "nines" axis (x = -log10(1 - q): 90%, 99%, 99.9% evenly spaced, as
//! HdrHistogram's plots draw it), and for an open run the uncorrected latency (from
//! when each request was actually sent) beside the corrected one (from when it was due);
//! with a baseline run, its curve too.

use super::style::{
    self,
    palette::{BLUE, GREY, ORANGE},
    Axes, Dash, Mark, PANEL, WIDTH,
};
use super::*;
use headroom_loadgen::results::{decode_histogram, RunResult};

/// x on the nines axis for quantile q.
fn nines(q: f64) -> f64 {
    -(1.0 - q).log10()
}

/// `99.9%` for the tick at a whole x (none between: 68.4% is not a useful mark).
fn percent_at(x: f64) -> String {
    if (x - x.round()).abs() > 1e-6 {
        return String::new();
    }
    let q = 1.0 - 10f64.powf(-x);
    let text = format!("{:.*}", x.round().max(0.0) as usize, q * 100.0);
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}%")
}

/// (x, ms) along the curve up to the resolution `count` samples allow (1 - 1/count).
fn curve(encoded: &str) -> Result<(Vec<(f64, f64)>, u64), String> {
    let h = decode_histogram(encoded)?;
    let count = h.len();
    if count == 0 {
        return Ok((Vec::new(), 0));
    }
    let x_end = nines(1.0 - 1.0 / count as f64).min(5.0);
    let points = (0..=200)
        .map(|i| x_end * i as f64 / 200.0)
        .map(|x| {
            let q = 1.0 - 10f64.powf(-x);
            (x, h.value_at_quantile(q) as f64 / 1e3)
        })
        .collect();
    Ok((points, count))
}

pub fn distribution(run: &RunResult, baseline: Option<&RunResult>) -> anyhow::Result<String> {
    let (corrected, count) = curve(&run.overall.histogram).map_err(|e| anyhow::anyhow!("run histogram: {e}"))?;
    let base = match baseline {
        Some(b) => Some(
            curve(&b.overall.histogram)
                .map_err(|e| anyhow::anyhow!("baseline histogram: {e}"))?
                .0,
        ),
        None => None,
    };
    let uncorrected = match &run.overall.histogram_uncorrected {
        Some(text) => Some(curve(text).map_err(|e| anyhow::anyhow!("run histogram: {e}"))?.0),
        None => None,
    };
    let x_max = corrected.last().map_or(2.0, |p| p.0).max(1.0);
    let y_max = top(corrected.iter().chain(uncorrected.iter().flatten()).map(|p| p.1));
    let mut keys = vec![style::key(
        if uncorrected.is_some() {
            "latency from when each request was due (corrected)"
        } else {
            "latency"
        },
        Mark::Line(BLUE, Dash::Solid),
    )];
    if uncorrected.is_some() {
        keys.push(style::key(
            "from when it was sent (uncorrected)",
            Mark::Line(ORANGE, Dash::Dashed),
        ));
    }
    if let Some(b) = baseline {
        keys.push(style::key(
            format!("baseline, started {}", b.started_at.get(..16).unwrap_or(&b.started_at)),
            Mark::Line(GREY, Dash::Dashed),
        ));
    }
    let y_tick = style::ticks(y_max, "", "");
    svg(WIDTH, PANEL + 70, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let mut chart = style::frame(
            &plot,
            &format!("Latency distribution: {} requests", style::thousands(count)),
            0.0..x_max,
            0.0..y_max,
            &Axes {
                x_desc: "percentile".into(),
                y_desc: "latency (ms)".into(),
                x_tick: &|x| percent_at(*x),
                y_tick: &y_tick,
            },
        )?;
        if let Some(u) = &uncorrected {
            style::line(&mut chart, u.clone(), ORANGE, Dash::Dashed, 2)?;
        }
        if let Some(b) = &base {
            style::line(&mut chart, b.clone(), GREY, Dash::Dashed, 2)?;
        }
        style::line(&mut chart, corrected.clone(), BLUE, Dash::Solid, 2)?;
        for &(x, ms) in corrected.iter().step_by(10) {
            tips.add(&chart, (x, ms), format!("{}: {ms:.2} ms", percent_label(x)));
        }
        style::legend(&strip, &keys)
    })
}

/// `p99.37` for the point at x.
fn percent_label(x: f64) -> String {
    let q = (1.0 - 10f64.powf(-x)) * 100.0;
    format!("p{}", style::number(q, (x.ceil() as usize).min(4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nines_axis_reads_as_percentiles() {
        assert_eq!(percent_at(0.0), "0%");
        assert_eq!(percent_at(1.0), "90%");
        assert_eq!(percent_at(2.0), "99%");
        assert_eq!(percent_at(3.0), "99.9%");
        assert_eq!(percent_at(0.5), "");
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
    }
}
