//! `headroom import`: a HAR recording or an OpenAPI description to a scenario file.

use super::OK;
use crate::cli::ImportArgs;
use crate::output::write_atomic;
use anyhow::{anyhow, bail, Context};
use headroom_import::{import, Options};
use headroom_loadgen::units::count;
use std::path::{Path, PathBuf};

pub fn run(args: ImportArgs) -> anyhow::Result<u8> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let source = file_name(&args.file);
    let options = Options {
        keep_assets: args.keep_assets,
    };
    let imported = import(&text, &source, &options).map_err(|m| anyhow!("{}: {m}", args.file.display()))?;
    let out = args.out.clone().unwrap_or_else(|| default_out(&args.file));
    if out == Path::new("-") {
        print!("{}", imported.yaml);
        return Ok(OK);
    }
    if out.exists() && !args.force {
        bail!("{} exists; expected a new file (--force replaces it)", out.display());
    }
    write_atomic(&out, imported.yaml.as_bytes())?;
    let draft = &imported.draft;
    println!(
        "wrote {} from {source} ({}): {}, {}, target {}",
        out.display(),
        imported.format,
        count(draft.journeys.len(), "journey"),
        count(draft.steps(), "step"),
        draft.target
    );
    for line in &draft.dropped {
        println!("  dropped: {line}");
    }
    for secret in &draft.secrets {
        println!("  set {} ({})", secret.var, secret.what);
    }
    println!("next: headroom run {}", out.display());
    Ok(OK)
}

/// `recording.har` -> `recording.scenario.yaml`, in the current directory.
fn default_out(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "imported".into());
    PathBuf::from(format!("{stem}.scenario.yaml"))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
