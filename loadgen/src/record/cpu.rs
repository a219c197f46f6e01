//! Where the CPU went during a step, to say why a generator fell behind: this process's
//! own use against the cores it may run on, other processes' use of the machine, and
//! the time the hypervisor stole (Linux's /proc/self/stat and /proc/stat; elsewhere
//! nothing is measured and the advice says so).

use std::time::Duration;

/// Cumulative CPU counters at one instant, in the kernel's clock ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuSample {
    /// This process's user + system time.
    own: u64,
    /// Every CPU's ticks: all states, the busy ones (user, nice, system, irq, softirq),
    /// and steal.
    all: u64,
    busy: u64,
    steal: u64,
    /// Online CPUs.
    cpus: usize,
}

/// CPU use between two samples, in cores (one core fully used = 1.0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuUse {
    pub own_cores: f64,
    pub others_cores: f64,
    /// Share of all CPU time the hypervisor took.
    pub steal_share: f64,
    /// Cores this process may run on (its affinity), and the machine's.
    pub allowed_cores: usize,
    pub machine_cores: usize,
}

impl CpuSample {
    /// Now, or None where /proc is not there to read.
    pub fn now() -> Option<CpuSample> {
        let own = std::fs::read_to_string("/proc/self/stat").ok()?;
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        CpuSample::parse(&own, &stat)
    }

    fn parse(self_stat: &str, stat: &str) -> Option<CpuSample> {
        // Fields after the command name, which sits in parentheses and may hold spaces:
        // utime and stime are the 14th and 15th fields, the 12th and 13th after it.
        let after_name = &self_stat[self_stat.rfind(')')? + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let own = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        let mut lines = stat.lines();
        let total: Vec<u64> = lines
            .next()?
            .strip_prefix("cpu ")?
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let at = |i: usize| total.get(i).copied().unwrap_or(0);
        let cpus = lines
            .filter(|l| l.starts_with("cpu") && l.as_bytes().get(3).is_some_and(u8::is_ascii_digit))
            .count();
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let all = (0..8).map(at).sum();
        Some(CpuSample {
            own,
            all,
            busy: at(0) + at(1) + at(2) + at(5) + at(6),
            steal: at(7),
            cpus: cpus.max(1),
        })
    }

    /// What was used from `self` to `later`; None when no CPU time passed between them.
    pub fn until(&self, later: &CpuSample) -> Option<CpuUse> {
        let all = later.all.checked_sub(self.all).filter(|t| *t > 0)? as f64;
        let cores = |ticks: u64| ticks as f64 / all * later.cpus as f64;
        let own_cores = cores(later.own.saturating_sub(self.own));
        Some(CpuUse {
            own_cores,
            others_cores: (cores(later.busy.saturating_sub(self.busy)) - own_cores).max(0.0),
            steal_share: later.steal.saturating_sub(self.steal) as f64 / all,
            allowed_cores: std::thread::available_parallelism().map_or(later.cpus, |n| n.get()),
            machine_cores: later.cpus,
        })
    }
}

impl CpuUse {
    /// Why a generator fell behind, from where the CPU went, and what to do about it.
    pub fn diagnosis(&self) -> String {
        let own = format!(
            "headroom used {:.2} of the {} {} it may run on",
            self.own_cores,
            self.allowed_cores,
            if self.allowed_cores == 1 { "core" } else { "cores" }
        );
        if self.own_cores >= 0.8 * self.allowed_cores as f64 {
            format!("{own}: the generator is the limit (give it more cores, or shard the load over more processes)")
        } else if self.steal_share >= 0.05 {
            format!(
                "{own}, and the hypervisor took {:.0}% of the machine's CPU (steal): rerun on a quieter machine",
                self.steal_share * 100.0
            )
        } else if self.others_cores >= 0.5 {
            format!(
                "{own} while other processes used {:.1} of the machine's {}: the machine was busy, not the generator \
                 (rerun where nothing else runs, or pin them apart)",
                self.others_cores, self.machine_cores
            )
        } else {
            format!(
                "{own} and the machine was otherwise idle: the late starts were scheduling stalls, not a lack of CPU"
            )
        }
    }
}

/// CPU use over the window `from..to` (from the run's start) of samples taken at their
/// elapsed times: from the first sample at or after `from` to the last at or before `to`.
pub fn use_between(samples: &[(Duration, CpuSample)], from: Duration, to: Duration) -> Option<CpuUse> {
    let first = samples.iter().find(|(t, _)| *t >= from)?;
    let last = samples.iter().rev().find(|(t, _)| *t <= to)?;
    (last.0 > first.0).then(|| first.1.until(&last.1)).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF_STAT: &str = "4242 (head room) S 1 4242 4242 0 -1 4194560 1000 0 0 0 UTIME STIME 0 0 20 0 9 0 100 0 0";

    fn sample(utime: u64, stime: u64, cpu_line: &str) -> CpuSample {
        let own = SELF_STAT
            .replace("UTIME", &utime.to_string())
            .replace("STIME", &stime.to_string());
        let stat = format!("cpu  {cpu_line} 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\ncpu1 1 2 3 4 5 6 7 8 0 0\nintr 0\n");
        CpuSample::parse(&own, &stat).unwrap()
    }

    #[test]
    fn cores_are_shares_of_the_machine_time_that_passed() {
        // Two CPUs over one second at 100 ticks/s: 200 ticks in all. This process used
        // 90 (0.9 cores); the machine was busy 150 (1.5 cores), so others used 0.6; 10
        // ticks stolen: 5%.
        let before = sample(1000, 500, "1000 0 1000 5000 0 0 0 100");
        let after = sample(1060, 530, "1100 0 1050 5040 0 0 0 110");
        let used = before.until(&after).unwrap();
        assert_eq!(used.machine_cores, 2);
        assert!((used.own_cores - 0.9).abs() < 1e-12, "{used:?}");
        assert!((used.others_cores - 0.6).abs() < 1e-12, "{used:?}");
        assert!((used.steal_share - 0.05).abs() < 1e-12, "{used:?}");
    }

    #[test]
    fn the_diagnosis_names_where_the_cpu_went() {
        let used = |own, others, steal, allowed| CpuUse {
            own_cores: own,
            others_cores: others,
            steal_share: steal,
            allowed_cores: allowed,
            machine_cores: 2,
        };
        assert!(used(0.97, 0.1, 0.0, 1)
            .diagnosis()
            .contains("the generator is the limit"));
        assert!(used(0.5, 0.1, 0.12, 1).diagnosis().contains("hypervisor took 12%"));
        assert!(used(0.4, 1.3, 0.0, 2).diagnosis().contains("other processes used 1.3"));
        assert!(used(0.3, 0.1, 0.0, 2).diagnosis().contains("scheduling stalls"));
    }

    #[test]
    fn a_window_uses_the_samples_inside_it() {
        let s = |own| CpuSample {
            own,
            all: own * 2,
            busy: own,
            steal: 0,
            cpus: 2,
        };
        let at = |secs| Duration::from_secs(secs);
        let samples = [(at(1), s(100)), (at(2), s(200)), (at(3), s(400)), (at(4), s(500))];
        // Seconds 2 to 3: 200 own ticks of 400 in all on 2 CPUs: one core.
        let used = use_between(&samples, at(2), at(3)).unwrap();
        assert!((used.own_cores - 1.0).abs() < 1e-12);
        assert_eq!(use_between(&samples, at(5), at(9)), None);
    }

    #[test]
    fn this_machine_can_be_read() {
        if cfg!(target_os = "linux") {
            let (a, b) = (CpuSample::now().unwrap(), CpuSample::now().unwrap());
            assert!(b.own >= a.own && b.all >= a.all && a.cpus >= 1);
        }
    }
}
