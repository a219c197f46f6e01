//! headroom-reports: everything a person or a program reads at the end.
//!
//! Owns the file formats derived from results (timeline CSV now; SVG charts, HTML and
//! Markdown reports as they arrive). It does not measure, fit or forecast: it only
//! renders the types the other crates produce.

pub mod forecast;
pub mod rightsize;
pub mod timeline;
