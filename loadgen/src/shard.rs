//! Sharding a load test across N identical processes: each takes its share of every
//! load level (users or arrivals per second, the pool too) so that the shares add up
//! exactly to the whole and differ by at most one, and its slice of each feeder's rows;
//! and the common start that processes launched a moment apart agree on.

use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// This process is shard `index` (from 0) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Parses `I/N` with 0 <= I < N.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("found `{text}`; expected I/N with 0 <= I < N, such as 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's part of `total`: whole units spread as evenly as integer division
    /// allows (the first `total mod N` shards take one more), and any fraction given to
    /// the first shard without an extra unit, so the parts sum to `total` exactly and
    /// differ by at most one.
    pub fn share(&self, total: f64) -> f64 {
        let n = self.count as u64;
        let whole = total.floor();
        let fraction = total - whole;
        let whole = whole as u64;
        let (base, extra) = (whole / n, whole % n);
        let i = self.index as u64;
        let unit = if i < extra { 1 } else { 0 };
        let gets_fraction = i == extra % n;
        (base + unit) as f64 + if gets_fraction { fraction } else { 0.0 }
    }

    /// Rewrites a scenario to this shard's share: every level, the pool, and each
    /// feeder's rows (row r goes to shard r mod N, when there are at least N rows).
    pub fn apply(&self, scenario: &mut Scenario) {
        for phase in &mut scenario.load.phases {
            phase.level = self.share(phase.level);
        }
        let pool = scenario.load.pool;
        let part = |users: usize| (self.share(users as f64).ceil() as usize).max(1);
        scenario.load.pool = crate::plan::Pool {
            start: part(pool.start),
            max: part(pool.max),
        };
        // Each shard draws its own Poisson stream at its share of the rate: independent
        // Poisson streams superpose to one of the whole rate. A given seed stays
        // repeatable per shard.
        scenario.load.seed = scenario.load.seed.map(|seed| seed.wrapping_add(u64::from(self.index)));
        for feeder in &mut scenario.feeders {
            if feeder.rows.len() >= self.count as usize {
                let rows = std::mem::take(&mut feeder.rows);
                feeder.rows = rows
                    .into_iter()
                    .enumerate()
                    .filter(|(r, _)| r % self.count as usize == self.index as usize)
                    .map(|(_, row)| row)
                    .collect();
            }
        }
    }
}

/// The start of a relative `--start-at +D`: `now + D` rounded up to a whole multiple of
/// D since the Unix epoch (whole seconds for D under one). Processes launched within the
/// same D-long window, each counting from its own `now`, get the same instant.
pub fn start_after(now: std::time::SystemTime, delay: std::time::Duration) -> std::time::SystemTime {
    let grain = delay.as_nanos().max(1_000_000_000);
    let earliest = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_add(delay)
        .as_nanos();
    let rounded = earliest.div_ceil(grain).saturating_mul(grain);
    let nanos = u64::try_from(rounded).unwrap_or(u64::MAX);
    std::time::UNIX_EPOCH + std::time::Duration::from_nanos(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_and_differ_by_at_most_one() {
        for n in 1..=7u32 {
            for total in [
                0.0, 1.0, 2.0, 5.0, 7.0, 10.0, 64.0, 100.0, 333.0, 1000.0, 12.5, 0.75, 99.9,
            ] {
                let shares: Vec<f64> = (0..n).map(|index| Shard { index, count: n }.share(total)).collect();
                let sum: f64 = shares.iter().sum();
                assert!((sum - total).abs() < 1e-9, "n {n} total {total}: {shares:?}");
                let (lo, hi) = shares
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), s| (lo.min(*s), hi.max(*s)));
                assert!(hi - lo <= 1.0 + 1e-9, "n {n} total {total}: {shares:?}");
            }
        }
    }

    #[test]
    fn parses_i_of_n() {
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert!(Shard::parse("3/3").is_err());
        assert!(Shard::parse("0/0").is_err());
        assert!(Shard::parse("a/b").is_err());
    }

    #[test]
    fn relative_starts_agree_within_their_window() {
        use std::time::{Duration, UNIX_EPOCH};
        let at = |s: f64| UNIX_EPOCH + Duration::from_secs_f64(s);
        let ten = Duration::from_secs(10);
        // 300 ms apart inside one 10 s window: the same start, at least 10 s away.
        assert_eq!(start_after(at(1_796_106_236.6), ten), at(1_796_106_250.0));
        assert_eq!(start_after(at(1_796_106_236.9), ten), at(1_796_106_250.0));
        // On a boundary already: exactly the delay.
        assert_eq!(start_after(at(1_796_106_240.0), ten), at(1_796_106_250.0));
        // Under a second, whole seconds.
        assert_eq!(start_after(at(100.2), Duration::from_millis(500)), at(101.0));
    }
}
