//! index.html: one self-contained page (inline SVG, no external assets) that prints on A4.

use super::Format;
use crate::document::{Document, Section, Table};
use crate::safe::html as escape;

pub struct Html;

const STYLE: &str = "body{font-family:sans-serif;max-width:190mm;margin:auto;color:#222;line-height:1.4}\
h1{border-bottom:2px solid #335;margin-bottom:.2em}.meta{color:#555;font-size:.9em;margin:0 0 1em}\
h2{margin-top:2em;border-bottom:1px solid #99a}\
.summary{background:#f3f5fa;padding:.6em 1.2em;border-left:4px solid #335}\
figure{margin:1em 0;page-break-inside:avoid}figure svg{width:100%;height:auto}figcaption{font-size:.9em;color:#444}\
.wide{overflow-x:auto;max-width:100%}table{border-collapse:collapse;font-size:.85em;width:100%;margin:.4em 0 1.2em}td,th{border:1px solid #ccd;padding:2px 6px;text-align:left}\
caption{text-align:left;font-weight:bold;padding:.3em 0}th{background:#eef}\
.explain{font-size:.9em;color:#444;background:#fafafa;border-left:3px solid #ccd;padding:.3em 1em}\
@page{size:A4;margin:14mm}@media print{h2{page-break-before:auto}}";

impl Format for Html {
    fn file_name(&self) -> &'static str {
        "index.html"
    }

    fn render(&self, doc: &Document) -> String {
        let mut out = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
            escape(&doc.title),
            escape(&doc.title)
        );
        out.push_str(&format!(
            "<p class=\"meta\">{}</p>\n",
            doc.meta.iter().map(|m| escape(m)).collect::<Vec<_>>().join("<br>")
        ));
        out.push_str("<section class=\"summary\"><h2>Executive summary</h2><ul>\n");
        for line in &doc.summary {
            out.push_str(&format!("<li>{}</li>\n", escape(line)));
        }
        out.push_str("</ul></section>\n");
        for section in &doc.sections {
            out.push_str(&self::section(section));
        }
        out.push_str("</body></html>\n");
        out
    }
}

fn section(section: &Section) -> String {
    let mut out = format!("<section><h2>{}</h2>\n", escape(&section.title));
    for p in &section.paragraphs {
        out.push_str(&format!("<p>{}</p>\n", escape(p)));
    }
    for chart in &section.charts {
        let notes: String = chart.notes.iter().map(|n| format!(" {}", escape(n))).collect();
        out.push_str(&format!(
            "<figure id=\"{}\">{}<figcaption><b>{}.</b>{notes}</figcaption></figure>\n",
            escape(&chart.file),
            chart.svg,
            escape(&chart.title)
        ));
    }
    for t in &section.tables {
        out.push_str(&table(t));
    }
    if !section.explanations.is_empty() {
        out.push_str("<div class=\"explain\"><p><b>Reading these figures</b></p><ul>\n");
        for e in &section.explanations {
            out.push_str(&format!("<li>{}</li>\n", escape(e)));
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</section>\n");
    out
}

fn table(t: &Table) -> String {
    let head: String = t.header.iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
    let rows: String = t
        .rows
        .iter()
        .map(|r| {
            format!(
                "<tr>{}</tr>\n",
                r.iter().map(|c| format!("<td>{}</td>", escape(c))).collect::<String>()
            )
        })
        .collect();
    format!(
        "<div class=\"wide\"><table><caption>{}</caption><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table></div>\n",
        escape(&t.caption)
    )
}
