//! Feeders: every `data:` file read and checked, with its columns and rows.

use super::Context;
use crate::scenario::raw::*;
use crate::scenario::*;
use std::collections::BTreeMap;
use std::path::Path;

impl Context<'_> {
    pub(super) fn feeders(&mut self, data: &BTreeMap<String, RawFeeder>) -> Vec<Feeder> {
        let base = self.file.parent().map(Path::to_path_buf).unwrap_or_default();
        data.iter()
            .filter_map(|(name, raw)| {
                let field = format!("data.{name}.csv");
                let line = Some(raw.csv.referenced.line());
                read_feeder(name, &base.join(&raw.csv.value))
                    .map_err(|m| self.error(line, &field, m))
                    .ok()
            })
            .collect()
    }
}

fn read_feeder(name: &str, path: &Path) -> Result<Feeder, String> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        format!(
            "cannot read feeder file {} ({e}); expected a CSV file with a header row",
            path.display()
        )
    })?;
    let columns: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            r.map(|rec| rec.iter().map(str::to_string).collect())
                .map_err(|e| format!("{}:{}: {e}", path.display(), i + 2))
        })
        .collect::<Result<Vec<Vec<String>>, String>>()?;
    if rows.is_empty() {
        return Err(format!(
            "feeder file {} has no rows; expected a header row and at least one data row",
            path.display()
        ));
    }
    Ok(Feeder {
        name: name.to_string(),
        columns,
        rows,
    })
}
