//! `headroom review`: read the portfolio and what it points to, review every service
//! (`headroom_forecast::review`), and write review.csv, review.json and forecast.csv.

use super::OK;
use crate::cli::ReviewArgs;
use crate::output::{write_atomic, write_json};
use anyhow::anyhow;
use headroom::read::forecast_dir::forecast_csv_paths;
use headroom::read::history::format_timestamp;
use headroom::read::portfolio::{inputs, read_portfolio};
use headroom::read::read_json;
use headroom_forecast::review::{self, Previous, PreviousPath, Review};
use headroom_reports::terminal;
use std::path::Path;

pub fn run(args: ReviewArgs) -> anyhow::Result<u8> {
    review_portfolio(&args.portfolio, args.previous.as_deref(), &args.out, args.json)
}

/// Reviews the portfolio at `path` (scoring `previous`, a review.json, when given) into
/// `out`, and prints the table or, with `json`, review.json.
pub fn review_portfolio(path: &Path, previous: Option<&Path>, out: &Path, json: bool) -> anyhow::Result<u8> {
    let portfolio = read_portfolio(path)?;
    let previous = previous.map(read_previous).transpose()?;
    let services = inputs(&portfolio)?;
    let review = review::review(&portfolio.settings, services, previous.as_ref());
    write(&review, out)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&review)?);
    } else {
        println!("{}", terminal::review::render(&review));
        println!("wrote {}/review.csv, review.json and forecast.csv", out.display());
    }
    Ok(OK)
}

/// review.csv, review.json and forecast.csv in `out`.
pub fn write(review: &Review, out: &Path) -> anyhow::Result<()> {
    write_atomic(&out.join("review.csv"), &headroom_reports::review::to_csv(review)?)?;
    write_atomic(
        &out.join("forecast.csv"),
        &headroom_reports::review::forecast_csv(review, format_timestamp)?,
    )?;
    write_json(&out.join("review.json"), review)
}

/// The previous review: its review.json, and the forecast.csv beside it.
fn read_previous(path: &Path) -> anyhow::Result<Previous> {
    let old: Review = read_json(path, "previous")?;
    let csv = path.with_file_name("forecast.csv");
    let mut paths = forecast_csv_paths(&csv).map_err(|m| anyhow!("--previous: {m}"))?;
    let mut previous = Previous::default();
    for s in old.services {
        let steps = paths.remove(&s.service).unwrap_or_default();
        previous.paths.insert(
            s.service,
            PreviousPath {
                steps,
                peak: s.forecast_peak_rps,
            },
        );
    }
    Ok(previous)
}
