//! Percentiles and CPU time: the client's own (getrusage) and the server's (/proc/PID/stat),
//! read around the measured phase so that the figures say what each side spent per message.

use std::time::Duration;

/// `v` sorted; the value below which a fraction `q` of them lie (nearest rank, as
/// bench/websocket.py computed it).
pub fn percentile(sorted: &[u32], q: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((q * sorted.len() as f64) as usize).min(sorted.len() - 1);
    sorted[i]
}

/// `p50 … max` of microsecond samples, sorted in place.
pub fn summary(v: &mut [u32]) -> String {
    v.sort_unstable();
    format!(
        "p50 {} p90 {} p99 {} p99.9 {} max {}",
        percentile(v, 0.5),
        percentile(v, 0.9),
        percentile(v, 0.99),
        percentile(v, 0.999),
        v.last().copied().unwrap_or(0)
    )
}

/// User and system CPU time.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cpu {
    pub user: Duration,
    pub sys: Duration,
}

impl Cpu {
    /// This process's, all threads.
    pub fn own() -> Cpu {
        // SAFETY: getrusage writes the struct it is given and nothing else.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
        let tv = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        Cpu {
            user: tv(ru.ru_utime),
            sys: tv(ru.ru_stime),
        }
    }

    /// Another process's, from /proc/PID/stat (utime and stime, in clock ticks).
    pub fn of(pid: u32) -> Option<Cpu> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name may hold spaces; the fields after it are fixed.
        let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
        // SAFETY: sysconf reads a constant.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
        let ticks = |i: usize| -> Option<Duration> {
            Some(Duration::from_secs_f64(
                fields.get(i)?.parse::<f64>().ok()? / hz,
            ))
        };
        // utime and stime are fields 14 and 15 of the line; 11 and 12 after the name.
        Some(Cpu {
            user: ticks(11)?,
            sys: ticks(12)?,
        })
    }

    pub fn since(self, before: Cpu) -> Cpu {
        Cpu {
            user: self.user.saturating_sub(before.user),
            sys: self.sys.saturating_sub(before.sys),
        }
    }

    /// `X us/msg (user U, sys S)` over `n` messages.
    pub fn per(self, n: u64) -> String {
        let us = |d: Duration| d.as_secs_f64() * 1e6 / n.max(1) as f64;
        format!(
            "{:.1} us/msg (user {:.1}, sys {:.1})",
            us(self.user + self.sys),
            us(self.user),
            us(self.sys)
        )
    }
}

/// CPU of this process and, when its pid is given, of the server, from one point on.
pub struct CpuMeter {
    own: Cpu,
    server: Option<(u32, Cpu)>,
}

impl CpuMeter {
    pub fn start(server_pid: Option<u32>) -> CpuMeter {
        CpuMeter {
            own: Cpu::own(),
            server: server_pid.and_then(|p| Some((p, Cpu::of(p)?))),
        }
    }

    /// `client CPU …, server CPU …` per message since `start`.
    pub fn report(&self, label: &str, n: u64) -> String {
        let mut s = format!("{label}: client CPU {}", Cpu::own().since(self.own).per(n));
        if let Some((pid, before)) = self.server {
            match Cpu::of(pid) {
                Some(now) => s += &format!(", server CPU {}", now.since(before).per(n)),
                None => s += ", server CPU unknown (the process is gone)",
            }
        }
        s
    }
}

/// Lets this process open as many sockets as the hard limit allows.
pub fn raise_fd_limit() {
    // SAFETY: get/setrlimit read and write the struct they are given.
    unsafe {
        let mut l: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut l) == 0 && l.rlim_cur < l.rlim_max {
            l.rlim_cur = l.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut v: Vec<u32> = (1..=1000).rev().collect();
        let s = summary(&mut v);
        assert_eq!(s, "p50 501 p90 901 p99 991 p99.9 1000 max 1000");
        assert_eq!(percentile(&[], 0.5), 0);
    }

    #[test]
    fn cpu_is_read_for_this_process_from_proc_too() {
        let mine = Cpu::of(std::process::id()).expect("own /proc/PID/stat");
        // Both count from the process's start; getrusage has the finer grain.
        let own = Cpu::own();
        assert!(mine.user + mine.sys <= own.user + own.sys + Duration::from_millis(20));
        assert!(Cpu::of(u32::MAX).is_none());
    }
}
