//! index.html: one self-contained page (inline SVG, no external assets) that prints on A4.

use super::Format;
use crate::document::{Document, Table};
use crate::safe::html as escape;

pub struct Html;

const STYLE: &str = "body{font-family:sans-serif;max-width:190mm;margin:auto;color:#222;line-height:1.4}\
h1{border-bottom:2px solid #335}h2{margin-top:2em;border-bottom:1px solid #99a}\
.summary{background:#f3f5fa;padding:.6em 1.2em;border-left:4px solid #335}\
figure{margin:1em 0;page-break-inside:avoid}figure svg{width:100%;height:auto}figcaption{font-size:.9em;color:#555}\
table{border-collapse:collapse;font-size:.85em;width:100%}td,th{border:1px solid #ccd;padding:2px 6px;text-align:left}\
th{background:#eef}@page{size:A4;margin:14mm}@media print{h2{page-break-before:auto}}";

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
        out.push_str("<section class=\"summary\"><h2>Executive summary</h2><ul>\n");
        for line in &doc.summary {
            out.push_str(&format!("<li>{}</li>\n", escape(line)));
        }
        out.push_str("</ul></section>\n");
        for section in &doc.sections {
            out.push_str(&format!("<section><h2>{}</h2>\n", escape(&section.title)));
            for p in &section.paragraphs {
                out.push_str(&format!("<p>{}</p>\n", escape(p)));
            }
            for chart in &section.charts {
                out.push_str(&format!(
                    "<figure id=\"{}\">{}<figcaption>{}</figcaption></figure>\n",
                    escape(&chart.file),
                    chart.svg,
                    escape(&chart.title)
                ));
            }
            if let Some(t) = &section.table {
                out.push_str(&table(t));
            }
            out.push_str("</section>\n");
        }
        out.push_str("</body></html>\n");
        out
    }
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
    format!("<table><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table>\n")
}
