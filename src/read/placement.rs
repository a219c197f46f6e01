//! Today's placement: `service,instance_type,count`, each type from the catalogue.

use anyhow::{anyhow, bail, Context};
use headroom_forecast::rightsize::{InstanceType, Placement};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Deserialize)]
struct PlacementRow {
    service: String,
    instance_type: String,
    count: u32,
}

pub fn read_placement(path: &Path, catalogue: &[InstanceType]) -> anyhow::Result<BTreeMap<String, Placement>> {
    let mut reader =
        csv::Reader::from_path(path).with_context(|| format!("--current: cannot read {}", path.display()))?;
    let mut placement = BTreeMap::new();
    for (i, row) in reader.deserialize::<PlacementRow>().enumerate() {
        let line = i + 2;
        let row = row.map_err(|e| anyhow!("{}:{line}: {e}; expected service,instance_type,count", path.display()))?;
        if !catalogue.iter().any(|t| t.name == row.instance_type) {
            bail!(
                "{}:{line}: instance_type: found `{}`; expected a type from the catalogue",
                path.display(),
                row.instance_type
            );
        }
        placement.insert(
            row.service,
            Placement {
                instance_type: row.instance_type,
                count: row.count,
            },
        );
    }
    Ok(placement)
}
