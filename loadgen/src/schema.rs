//! Result files' schema versions: each file type states its version once (`Schema`),
//! and every read of a headroom file checks it (`check`) before trusting its fields, so
//! a file from an older or newer headroom is refused by name, not misread.

use serde::Deserialize;

/// A result file type: its name and the `schema_version` this headroom writes.
pub trait Schema {
    const FILE: &'static str;
    const VERSION: u32;
}

/// Ok when `text` holds this headroom's version of `T`. Text that is not a JSON object
/// passes, for the full parse to report with its line.
pub fn check<T: Schema>(text: &str) -> Result<(), String> {
    #[derive(Deserialize)]
    struct Probe {
        schema_version: Option<serde_json::Value>,
    }
    let Ok(probe) = serde_json::from_str::<Probe>(text) else {
        return Ok(());
    };
    match probe.schema_version {
        Some(found) if found.as_u64() == Some(u64::from(T::VERSION)) => Ok(()),
        Some(found) => Err(format!(
            "schema_version: written by a newer or older headroom: found {found}, expected {}",
            T::VERSION
        )),
        None => Err(format!(
            "no schema_version; expected a {} written by headroom (schema_version {})",
            T::FILE,
            T::VERSION
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Example;
    impl Schema for Example {
        const FILE: &'static str = "example.json";
        const VERSION: u32 = 2;
    }

    #[test]
    fn only_this_version_passes() {
        assert!(check::<Example>(r#"{"schema_version": 2, "x": 1}"#).is_ok());
        let newer = check::<Example>(r#"{"schema_version": 99}"#).unwrap_err();
        assert!(newer.contains("found 99, expected 2"), "{newer}");
        assert!(check::<Example>(r#"{"schema_version": 0}"#)
            .unwrap_err()
            .contains("found 0"));
        let missing = check::<Example>(r#"{"x": 1}"#).unwrap_err();
        assert!(
            missing.contains("no schema_version") && missing.contains("example.json"),
            "{missing}"
        );
        // Not JSON: left to the full parse, which names the line.
        assert!(check::<Example>("{ not json").is_ok());
    }
}
