//! How big and how fast the lab's history is under a steady write load (issue 8, section 1).
//!
//! The page's default cluster (`ClusterConfig::lab_default(Method::Wal)`) driven through the
//! [`Lab`] as a heavy user would: one autocommit INSERT every 5 virtual ms (alternating the two
//! clients), until the world has processed N trace events. Then it reports the process's
//! resident memory (VmRSS from /proc/self/status — fine in a measurement binary, never in the
//! core), the timeline's checkpoints, how long computing the history took, and the wall time
//! of seeks to random points and of a step back from random points (p50 / p95 / max).
//!
//! Each size runs in its own child process so one size's memory does not count in the next.
//!
//! ```text
//! cargo run --release --example history            # 10k and 100k events, report to target/
//! cargo run --release --example history -- 1000000 # one size, printed only
//! ```

use replication_lab::lab::{Lab, LabAction, LabSettings};
use std::time::Instant;

const WRITE_EVERY_MICROS: u64 = 5_000;
const SEEKS: usize = 200;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

/// A small deterministic generator for the seek targets (xorshift64*).
struct Targets(u64);

impl Targets {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms.last().copied().unwrap_or(0.0)
    )
}

fn measure(events: u64) -> String {
    let rss_start = rss_kib();
    let mut lab = Lab::new(LabSettings::default());
    let clients: Vec<u32> = lab
        .world()
        .nodes()
        .filter(|node| node.process.as_client().is_some())
        .map(|node| node.id.0)
        .collect();
    let started = Instant::now();
    let mut writes = 0u64;
    while lab.world().events_processed() < events {
        let client = clients[(writes % clients.len() as u64) as usize];
        let sql = format!("INSERT INTO orders (status, note) VALUES ('pending', 'order {writes}')");
        lab.perform(LabAction::Sql { client, sql })
            .expect("a client's INSERT is taken");
        writes += 1;
        lab.seek(lab.time() + WRITE_EVERY_MICROS);
    }
    let compute = started.elapsed();
    let end = lab.time();
    let processed = lab.world().events_processed();
    let rows: Vec<String> = lab
        .world()
        .nodes()
        .filter_map(|node| {
            let server = node.process.as_server()?;
            Some(format!(
                "{}: {} log entries, {} pages",
                node.name,
                server.disk.log.len(),
                server.disk.db.page_count()
            ))
        })
        .collect();
    let rss_end = rss_kib();
    if std::env::var_os("HISTORY_COMPUTE_ONLY").is_some() {
        return format!(
            "{processed} events computed in {:.2} s\n",
            compute.as_secs_f64()
        );
    }

    let mut targets = Targets(0x9E37_79B9_7F4A_7C15 ^ events);
    let mut seeks = Vec::with_capacity(SEEKS);
    for _ in 0..SEEKS {
        let t = targets.below(end + 1);
        let clock = Instant::now();
        lab.seek(t);
        seeks.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    let mut backs = Vec::with_capacity(SEEKS);
    for _ in 0..SEEKS {
        lab.seek(1 + targets.below(end));
        let clock = Instant::now();
        lab.step_back();
        backs.push(clock.elapsed().as_secs_f64() * 1e3);
    }
    format!(
        "{processed} events ({writes} writes, {:.1} virtual s): computed in {:.2} s; \
         RSS {:.1} MB (start {:.1} MB); {} checkpoints\n  {}\n  seek to a random point: {}\n  \
         step back from a random point: {}\n",
        end as f64 / 1e6,
        compute.as_secs_f64(),
        rss_end as f64 / 1024.0,
        rss_start as f64 / 1024.0,
        lab.checkpoint_count(),
        rows.join("; "),
        summary(seeks),
        summary(backs),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(events) = args.first().and_then(|a| a.parse::<u64>().ok()) {
        print!("{}", measure(events));
        return;
    }
    let exe = std::env::current_exe().expect("the example knows its path");
    let mut report = String::from(
        "History under load: lab_default(Method::Wal), one INSERT every 5 virtual ms through Lab\n",
    );
    for events in [10_000u64, 100_000] {
        let out = std::process::Command::new(&exe)
            .arg(events.to_string())
            .output()
            .expect("the measurement runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        report.push_str(&text);
    }
    let _ = std::fs::create_dir_all("target");
    let _ = std::fs::write("target/history-report.txt", &report);
}
