//! The SLO and the abort guards.

use super::Context;
use crate::scenario::raw::*;
use crate::slo::{Condition, Guard, Slo};
use std::collections::BTreeMap;

impl Context<'_> {
    pub(super) fn slo(&mut self, raw: &BTreeMap<String, Text>) -> Slo {
        let mut slo = Slo::default();
        for (key, value) in raw {
            if let Err(m) = slo.add(key, &value.value) {
                self.error(Some(value.referenced.line()), &format!("slo.{key}"), m);
            }
        }
        slo.percentiles.sort_by(|a, b| a.percentile.total_cmp(&b.percentile));
        slo
    }

    pub(super) fn guard(&mut self, raw: RawGuard) -> Guard {
        let mut guard = Guard::default();
        for (i, text) in raw
            .abort_when
            .map(OneOrMany::into_vec)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match Condition::parse(text) {
                Ok(c) => guard.conditions.push(c),
                Err(m) => self.error(None, &format!("guard.abort_when[{i}]"), m),
            }
        }
        guard.max_duration = raw
            .max_duration
            .as_ref()
            .and_then(|d| self.duration(d, "guard.max_duration"));
        guard
    }
}
