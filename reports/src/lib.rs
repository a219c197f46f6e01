//! headroom-reports: everything a person or a program reads at the end.
//!
//! Owns the files derived from results: CSV writers (`timeline`, `forecast`: forecast
//! and history; `rightsize`: recommendations and containers; `review`: a portfolio
//! review's rows and forecasts), patch.yaml (Kubernetes
//! requests as strategic-merge patches, `kubernetes`), compare.md (two runs' verdict,
//! `compare`), the verification scenario of a plan (`verify`), the SVG charts (`charts`,
//! plotters), the capacity report (`document` builds it, `export` renders HTML and
//! Markdown), what each command prints on the terminal (`terminal`), and the one place
//! that makes names from input safe for each medium (`safe`). It does not measure, fit
//! or forecast: it only renders the types the other crates produce.

pub mod charts;
pub mod compare;
pub mod document;
pub mod export;
pub mod forecast;
pub mod kubernetes;
pub mod review;
pub mod rightsize;
pub mod safe;
pub mod terminal;
pub mod timeline;
pub mod verify;
