//! headroom-import: turns what people already have into a scenario file. A browser's
//! HAR 1.2 recording (`har`) replays as one journey in recorded order with its gaps as
//! think times; an OpenAPI 3 description (`openapi`) gives one journey per tag (or per
//! path) with example values from its schemas. Both build a `Draft` (`draft`), which
//! `yaml` writes as scenario YAML under a header saying what was kept, what was dropped
//! and which secrets became `${ENV}` references (`secrets`). The text is checked by the
//! load generator's own scenario validation before it is returned.
//!
//! It does not read or write files and sends no traffic: the CLI does that.

pub mod draft;
mod har;
mod openapi;
mod secrets;
mod yaml;

pub use draft::Draft;
pub use secrets::Secret;

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep static assets (images, scripts, styles, fonts) of a HAR recording.
    pub keep_assets: bool,
}

/// A scenario made from a file.
#[derive(Debug)]
pub struct Imported {
    /// "HAR 1.2" or "OpenAPI 3.x".
    pub format: String,
    pub draft: Draft,
    /// The scenario file's text, validated.
    pub yaml: String,
}

/// Reads a HAR recording or an OpenAPI 3 document (JSON, or YAML for OpenAPI) and
/// returns the scenario. `source` names the file in the output's header; errors say what
/// was found and what was expected, with a line where the parser gives one.
pub fn import(text: &str, source: &str, options: &Options) -> Result<Imported, String> {
    let document = parse_document(text)?;
    let (format, draft) = if document.get("log").is_some() {
        let stem = source.rsplit_once('.').map_or(source, |(stem, _)| stem);
        let draft = har::draft(text, stem, options)?;
        ("HAR 1.2".to_string(), draft)
    } else if let Some(version) = document.get("openapi") {
        let version = version.as_str().unwrap_or_default();
        if !version.starts_with("3.") {
            return Err(format!("found `openapi: {version}`; expected OpenAPI 3.0 or 3.1"));
        }
        (format!("OpenAPI {version}"), openapi::draft(&document)?)
    } else if document.get("swagger").is_some() {
        return Err("found a Swagger 2.0 document; expected OpenAPI 3 (convert it to OpenAPI 3 first)".into());
    } else {
        return Err(
            "found neither a HAR `log` nor an OpenAPI `openapi` field; expected a HAR 1.2 recording or an OpenAPI 3 document"
                .into(),
        );
    };
    let yaml = yaml::write(&draft, source, &format);
    validate(&yaml)?;
    Ok(Imported { format, draft, yaml })
}

/// JSON, or YAML (a superset of it) when the text is not JSON.
fn parse_document(text: &str) -> Result<serde_json::Value, String> {
    if text.trim_start().starts_with('{') {
        return serde_json::from_str(text).map_err(|e| {
            format!(
                "line {}, column {}: {e}; expected a JSON document",
                e.line(),
                e.column()
            )
        });
    }
    serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map(|l| format!("line {}: ", l.line())).unwrap_or_default();
        let message = e.to_string();
        format!(
            "{line}{}; expected a JSON or YAML document",
            message.lines().next().unwrap_or_default()
        )
    })
}

/// The scenario validation `headroom run` applies, with every `${ENV}` secret set.
fn validate(yaml: &str) -> Result<(), String> {
    headroom_loadgen::scenario::load_str(yaml, std::path::Path::new("imported.yaml"), &|_| Some("secret".into()))
        .map(|_| ())
        .map_err(|errors| format!("the imported scenario does not validate (a bug in headroom import):\n{errors}"))
}
