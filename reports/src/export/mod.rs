//! Report formats, one per file behind one small trait.

mod html;
mod markdown;

pub use html::Html;
pub use markdown::Markdown;

use crate::document::Document;

pub trait Format {
    /// The file the format is written to (`index.html`).
    fn file_name(&self) -> &'static str;
    fn render(&self, doc: &Document) -> String;
}

/// Escapes text for HTML (and for Markdown, which passes HTML through).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
