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
