//! `${...}` interpolation: parsing a string into literal and variable segments once,
//! and rendering it per request. `${NAME}` is an environment variable (a secret, resolved
//! at load time), `${feeder.column}` a CSV feeder cell, `${var}` a value extracted by an
//! earlier step of the same journey. `$$` writes a literal `$`.

/// A variable reference as written, before it is bound.
#[derive(Debug, Clone, PartialEq)]
pub enum Reference {
    Plain(String),
    Feeder { feeder: String, column: String },
}

/// One piece of a template.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    Literal(String),
    /// Index into the journey's extracted variables.
    Var(usize),
    /// Feeder index and column index.
    Feed(usize, usize),
}

/// A parsed template, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    segments: Vec<Segment>,
}

/// Values a template is rendered against: the journey's extracted variables and the
/// feeder rows this iteration took.
pub struct Bindings<'a> {
    pub vars: &'a [Option<String>],
    pub rows: &'a [Option<&'a [String]>],
}

impl Template {
    /// Parses `text`, binding each reference through `bind`, which returns the segment or
    /// a message saying why the reference cannot be bound.
    pub fn parse(text: &str, mut bind: impl FnMut(&Reference) -> Result<Segment, String>) -> Result<Template, String> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(pos) = rest.find('$') {
            literal.push_str(&rest[..pos]);
            let after = &rest[pos + 1..];
            if let Some(stripped) = after.strip_prefix('$') {
                literal.push('$');
                rest = stripped;
            } else if let Some(body) = after.strip_prefix('{') {
                let end = body
                    .find('}')
                    .ok_or_else(|| format!("found an unclosed `${{` in `{text}`; expected `${{name}}`"))?;
                let reference = parse_reference(&body[..end])?;
                match bind(&reference)? {
                    Segment::Literal(value) => literal.push_str(&value),
                    segment => {
                        if !literal.is_empty() {
                            segments.push(Segment::Literal(std::mem::take(&mut literal)));
                        }
                        segments.push(segment);
                    }
                }
                rest = &body[end + 1..];
            } else {
                literal.push('$');
                rest = after;
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        Ok(Template { segments })
    }

    /// A template with no variables.
    pub fn literal(text: &str) -> Template {
        Template {
            segments: vec![Segment::Literal(text.to_string())],
        }
    }

    pub fn render(&self, bindings: &Bindings) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(s) => out.push_str(s),
                Segment::Var(i) => out.push_str(bindings.vars[*i].as_deref().unwrap_or("")),
                Segment::Feed(f, c) => {
                    if let Some(row) = bindings.rows[*f] {
                        out.push_str(row.get(*c).map(String::as_str).unwrap_or(""));
                    }
                }
            }
        }
        out
    }

    /// The text, when the template has no variables.
    pub fn as_literal(&self) -> Option<&str> {
        match self.segments.as_slice() {
            [] => Some(""),
            [Segment::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Feeder indices this template reads.
    pub fn feeders(&self) -> impl Iterator<Item = usize> + '_ {
        self.segments.iter().filter_map(|s| match s {
            Segment::Feed(f, _) => Some(*f),
            _ => None,
        })
    }
}

fn parse_reference(name: &str) -> Result<Reference, String> {
    let name = name.trim();
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match name.split_once('.') {
        Some((feeder, column)) if valid(feeder) && valid(column) => Ok(Reference::Feeder {
            feeder: feeder.to_string(),
            column: column.to_string(),
        }),
        None if valid(name) => Ok(Reference::Plain(name.to_string())),
        _ => Err(format!(
            "found `${{{name}}}`; expected `${{NAME}}` (environment or extracted value) or `${{feeder.column}}`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bind(r: &Reference) -> Result<Segment, String> {
        match r {
            Reference::Plain(n) if n == "TOKEN" => Ok(Segment::Literal("s3cret".into())),
            Reference::Plain(n) if n == "id" => Ok(Segment::Var(0)),
            Reference::Feeder { feeder, column } if feeder == "users" && column == "name" => Ok(Segment::Feed(0, 1)),
            other => Err(format!("unknown variable {other:?}")),
        }
    }

    #[test]
    fn renders_every_kind_of_segment() {
        let t = Template::parse("/u/${users.name}/c/${id}?t=${TOKEN}&p=$$5", bind).unwrap();
        let row = vec!["1".to_string(), "ann".to_string()];
        let rows = [Some(row.as_slice())];
        let vars = [Some("42".to_string())];
        let b = Bindings {
            vars: &vars,
            rows: &rows,
        };
        assert_eq!(t.render(&b), "/u/ann/c/42?t=s3cret&p=$5");
        assert_eq!(t.feeders().collect::<Vec<_>>(), vec![0]);
    }

    #[test]
    fn rejects_unknown_and_malformed_references() {
        assert!(Template::parse("${nope}", bind)
            .unwrap_err()
            .contains("unknown variable"));
        assert!(Template::parse("${open", bind).unwrap_err().contains("unclosed"));
        assert!(Template::parse("${a b}", bind).unwrap_err().contains("expected"));
    }
}
