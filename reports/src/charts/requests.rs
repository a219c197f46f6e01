//! Kubernetes containers' requests: for each container what it used (CPU p95, memory
//! max) as a dot, the recommended request as a solid mark and today's as a dotted one;
//! one chart per resource.

use super::cost::{recommended_and_today, row, rows_frame, ROW};
use super::style::{
    self,
    palette::{BLACK, BLUE, VERMILLION},
    Axes, Dash, Mark, WIDTH,
};
use super::*;
use headroom_forecast::rightsize::containers::ContainerRecommendation;

use headroom_loadgen::units::MIB;

/// One resource's figures for a container.
struct Figures {
    used: f64,
    recommended: f64,
    today: Option<f64>,
}

pub fn cpu_requests(containers: &[ContainerRecommendation]) -> anyhow::Result<String> {
    let figures = containers
        .iter()
        .map(|c| Figures {
            used: c.cpu_p95_cores,
            recommended: c.cpu_request_cores,
            today: c.current_cpu_request_cores,
        })
        .collect();
    let show = |v: f64| format!("{} cores", style::number(v, 3));
    requests(
        containers,
        figures,
        "CPU per container: p95 use and requests",
        "CPU cores per pod",
        "p95 use",
        &show,
    )
}

pub fn memory_requests(containers: &[ContainerRecommendation]) -> anyhow::Result<String> {
    let figures = containers
        .iter()
        .map(|c| Figures {
            used: c.memory_max_bytes / MIB,
            recommended: c.memory_request_bytes / MIB,
            today: c.current_memory_request_bytes.map(|b| b / MIB),
        })
        .collect();
    let show = |v: f64| format!("{} MiB", style::number(v, 0));
    requests(
        containers,
        figures,
        "Memory per container: peak working set and requests",
        "MiB per pod",
        "peak use",
        &show,
    )
}

fn requests(
    containers: &[ContainerRecommendation],
    figures: Vec<Figures>,
    caption: &str,
    x_desc: &str,
    used: &str,
    show: &dyn Fn(f64) -> String,
) -> anyhow::Result<String> {
    let n = containers.len().max(1);
    let x_max = top(figures
        .iter()
        .flat_map(|f| [f.used, f.recommended, f.today.unwrap_or(0.0)]));
    let mut keys = vec![
        style::key(used, Mark::Dot(BLUE)),
        style::key("recommended request", Mark::Line(VERMILLION, Dash::Solid)),
    ];
    if figures.iter().any(|f| f.today.is_some()) {
        keys.push(style::key("today's request", Mark::Line(BLACK, Dash::Dotted)));
    }
    let ticks = style::ticks(x_max, "", "");
    let names: Vec<String> = containers
        .iter()
        .map(|c| format!("{}/{}", c.workload, c.container))
        .collect();
    svg(WIDTH, 150 + ROW * n as u32, |root, tips| {
        let (plot, strip) = style::with_legend(root, &keys);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut chart = rows_frame(
            &plot,
            caption,
            x_max,
            &names,
            Axes {
                x_desc: x_desc.into(),
                y_desc: "workload/container".into(),
                x_tick: &ticks,
                y_tick: &|_| String::new(),
            },
        )?;
        for (i, (f, name)) in figures.iter().zip(&names).enumerate() {
            let y = row(n, i);
            recommended_and_today(&mut chart, y, f.recommended, f.today)?;
            chart.draw_series([Circle::new((f.used, y), 4, BLUE.filled())])?;
            let today = f.today.map_or(String::new(), |t| format!(", today {}", show(t)));
            tips.add(
                &chart,
                (f.used, y),
                format!(
                    "{name}: {used} {}, recommended {}{today}",
                    show(f.used),
                    show(f.recommended)
                ),
            );
        }
        style::legend(&strip, &keys)
    })
}
