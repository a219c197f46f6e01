//! The one place that makes text from input (scenario, step, service and series names)
//! safe for each medium it is shown in: HTML and SVG (markup escaped, characters XML
//! forbids dropped), Markdown (its syntax escaped, so no live link or emphasis comes
//! from input), the terminal (control characters shown escaped), a bounded length
//! when a name is echoed in a message, and absolute paths reduced to file names.

/// For HTML text and attribute values, and SVG text: `<>&"'` escaped, and the control
/// characters XML 1.0 forbids (all below U+0020 but tab and line feed, and U+FFFE/F)
/// dropped so the document stays well-formed.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// For Markdown text and table cells: its syntax characters backslash-escaped, `<>&`
/// as entities (Markdown passes HTML through), line breaks folded to spaces and the
/// characters XML forbids dropped.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c if xml_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// For the terminal: control characters (escape sequences among them) shown as
/// `\u{1b}` and the like instead of acting on the terminal.
pub fn terminal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// At most `max` characters, with `...` marking a cut: a name echoed in a message.
pub fn bounded(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let kept: String = text.chars().take(max.saturating_sub(3)).collect();
        format!("{kept}...")
    }
}

/// At most `max` characters, cut in the middle with `…`: a label among many that share
/// a prefix (`service-wit…-name-07`) stays told apart by its end.
pub fn bounded_middle(text: &str, max: usize) -> String {
    let count = text.chars().count();
    if count <= max {
        return text.to_string();
    }
    let tail = (max - 1) / 2;
    let head = max - 1 - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(count - tail).collect();
    format!("{start}…{end}")
}

/// The last component of a path: `limits.json` from `/tmp/x/limits.json`.
pub fn file_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// `text` with each absolute path (a `/` starting a word, another `/` inside it)
/// replaced by its file name; URLs are left alone (their `/` follows a `:`).
pub fn without_paths(text: &str) -> String {
    let ends = |c: char| c.is_whitespace() || matches!(c, ')' | ',' | ';' | '\'' | '"' | '`');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut previous: Option<char> = None;
    while let Some(c) = rest.chars().next() {
        let starts_word = previous.is_none_or(|p| p.is_whitespace() || matches!(p, '(' | '`' | '"' | '\''));
        if c == '/' && starts_word {
            let len = rest.find(ends).unwrap_or(rest.len());
            let (path, sentence_end) = match rest[..len].strip_suffix(['.', ':']) {
                Some(p) => (p, &rest[p.len()..len]),
                None => (&rest[..len], ""),
            };
            if path[1..].contains('/') {
                out.push_str(&file_name(path));
            } else {
                out.push_str(path);
            }
            out.push_str(sentence_end);
            previous = rest[..len].chars().last();
            rest = &rest[len..];
            continue;
        }
        out.push(c);
        previous = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `text` without the characters XML 1.0 forbids (controls but tab, newline and
/// carriage return): what a whole SVG drawing passes through, whatever text it drew.
pub fn xml(text: &str) -> String {
    text.chars().filter(|c| !xml_forbidden(*c) || *c == '\r').collect()
}

fn xml_forbidden(c: char) -> bool {
    (c < ' ' && c != '\t' && c != '\n') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_medium_is_made_safe() {
        let name = "a<b>&\"c'\u{7}[x](http://e)*_|`\u{1b}[31m";
        assert_eq!(html(name), "a&lt;b&gt;&amp;&quot;c&#39;[x](http://e)*_|`[31m");
        assert_eq!(
            markdown(name),
            "a&lt;b&gt;&amp;\"c'\\[x\\]\\(http://e\\)\\*\\_\\|\\`\\[31m"
        );
        assert_eq!(terminal("ok\u{1b}[2J\n"), "ok\\u{1b}[2J\\n");
        assert_eq!(bounded("abcdefghij", 6), "abc...");
        assert_eq!(bounded("abc", 6), "abc");
        assert_eq!(
            without_paths("Threshold 400 (from /tmp/.tmpX/out/limits.json: slo) at http://127.0.0.1:80/x, see /a/b."),
            "Threshold 400 (from limits.json: slo) at http://127.0.0.1:80/x, see b."
        );
        assert_eq!(
            without_paths("a /root and out/run/run.json"),
            "a /root and out/run/run.json"
        );
        assert_eq!(file_name("/tmp/d/"), "d");
        // A report built from these is well-formed XML.
        let doc = format!("<svg><text>{}</text></svg>", html(name));
        assert!(roxmltree::Document::parse(&doc).is_ok(), "{doc}");
    }
}
