//! report.md: the same document in Markdown, linking the SVG files beside it.

use super::Format;
use crate::document::{Document, Section, Table};
use crate::safe::markdown as cell;

pub struct Markdown;

impl Format for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }

    fn render(&self, doc: &Document) -> String {
        let mut out = format!("# {}\n\n", cell(&doc.title));
        for m in &doc.meta {
            out.push_str(&format!("{}  \n", cell(m)));
        }
        out.push_str("\n## Executive summary\n\n");
        for line in &doc.summary {
            out.push_str(&format!("- {}\n", cell(line)));
        }
        for section in &doc.sections {
            out.push_str(&self::section(section));
        }
        out
    }
}

fn section(section: &Section) -> String {
    let mut out = format!("\n## {}\n\n", cell(&section.title));
    for p in &section.paragraphs {
        out.push_str(&format!("{}\n\n", cell(p)));
    }
    for chart in &section.charts {
        out.push_str(&format!("![{}]({}.svg)\n\n", cell(&chart.title), chart.file));
        for n in &chart.notes {
            out.push_str(&format!("*{}*\n\n", cell(n)));
        }
    }
    for t in &section.tables {
        out.push_str(&table(t));
    }
    if !section.explanations.is_empty() {
        out.push_str("**Reading these figures**\n\n");
        for e in &section.explanations {
            out.push_str(&format!("- {}\n", cell(e)));
        }
        out.push('\n');
    }
    out
}

fn table(t: &Table) -> String {
    let line = |cells: &[String]| {
        format!(
            "| {} |\n",
            cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        )
    };
    let mut out = format!("**{}**\n\n", cell(&t.caption));
    out.push_str(&line(&t.header));
    out.push_str(&format!("|{}\n", " --- |".repeat(t.header.len())));
    for row in &t.rows {
        out.push_str(&line(row));
    }
    out.push('\n');
    out
}
