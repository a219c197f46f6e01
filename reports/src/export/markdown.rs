//! report.md: the same document in Markdown, linking the SVG files beside it.

use super::Format;
use crate::document::Document;
use crate::safe;

pub struct Markdown;

impl Format for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }

    fn render(&self, doc: &Document) -> String {
        let mut out = format!("# {}\n\n## Executive summary\n\n", safe::markdown(&doc.title));
        for line in &doc.summary {
            out.push_str(&format!("- {}\n", cell(line)));
        }
        for section in &doc.sections {
            out.push_str(&format!("\n## {}\n\n", safe::markdown(&section.title)));
            for p in &section.paragraphs {
                out.push_str(&format!("{}\n\n", cell(p)));
            }
            for chart in &section.charts {
                out.push_str(&format!("![{}]({}.svg)\n\n", cell(&chart.title), chart.file));
            }
            if let Some(t) = &section.table {
                out.push_str(&format!(
                    "| {} |\n|{}\n",
                    t.header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "),
                    " --- |".repeat(t.header.len())
                ));
                for row in &t.rows {
                    out.push_str(&format!(
                        "| {} |\n",
                        row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                    ));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// Escaped for Markdown text and table cells.
fn cell(text: &str) -> String {
    safe::markdown(text)
}
