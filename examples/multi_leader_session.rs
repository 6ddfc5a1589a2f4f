//! How a multi-leader session costs over a long run: three leaders, each client writing
//! every 5 virtual ms (an autocommit INSERT; every third time all three update the same
//! recent order at once, so those writes conflict), driven through the [`Lab`] as the page drives it, for 60
//! virtual seconds. Every 10 virtual seconds it prints the wall time so far, the process's
//! CPU time, resident memory (VmRSS from /proc/self/status — fine in a measurement binary, never in
//! the core), the trace's events, and what the leaders keep (log entries, row versions,
//! conflicts, held changes), so growth with history shows as a line, not a curve.
//!
//! ```text
//! cargo run --example multi_leader_session                  # all-to-all, 60 s
//! cargo run --example multi_leader_session -- circular 30   # a ring, 30 s
//! ```

use std::time::Instant;

use replication_lab::lab::{Lab, LabAction, LabSettings, MultiLeaderConfig, Resolver, Topology};
use replication_lab::replication::config::ClusterConfig;

const WRITE_EVERY_MICROS: u64 = 5_000;
const REPORT_EVERY_MICROS: u64 = 10_000_000;

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

/// CPU seconds this process has used (user + system, from /proc/self/stat; the machine may
/// be shared, so wall time alone would say more about the neighbours).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // The fields after the command's closing parenthesis; utime and stime are the
            // 12th and 13th of them, in clock ticks (100 a second).
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let topology = match args.first().map(String::as_str) {
        Some("circular") => Topology::Circular,
        Some("star") => Topology::Star,
        _ => Topology::AllToAll,
    };
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let multi = MultiLeaderConfig {
        topology,
        resolver: Resolver::LastWriteWins,
        version_vectors: true,
        auto_increment_offsets: true,
        ..MultiLeaderConfig::default()
    };
    let mut lab = Lab::new(LabSettings {
        seed: 11,
        cluster: ClusterConfig::multi_leader(3, multi),
    });
    let clients: Vec<u32> = vec![3, 4, 5];
    println!(
        "multi-leader session: 3 leaders, {}, one write per client every 5 ms, {seconds} virtual s",
        topology.label()
    );
    let started = Instant::now();
    let end = seconds * 1_000_000;
    let mut writes: u64 = 0;
    let mut tick: u64 = 0;
    let mut next_report = REPORT_EVERY_MICROS;
    while lab.time() < end {
        for (i, &client) in clients.iter().enumerate() {
            let sql = if tick % 3 == 2 {
                // Every third tick all three clients update the same recent order at once:
                // concurrent writes at three leaders, a conflict for the resolver.
                let id = (tick / 2).max(1);
                format!("UPDATE orders SET note = 'edit {writes} by {i}' WHERE id = {id}")
            } else {
                format!("INSERT INTO orders (status, note) VALUES ('pending', 'w {writes}')")
            };
            lab.perform(LabAction::Sql { client, sql })
                .expect("a client's write is taken");
            writes += 1;
        }
        tick += 1;
        lab.seek(lab.time() + WRITE_EVERY_MICROS);
        if lab.time() >= next_report {
            report(&lab, writes, started.elapsed().as_secs_f64());
            next_report += REPORT_EVERY_MICROS;
        }
    }
    let checks = lab.checks();
    println!(
        "checks: {} conflicts, {} writes lost to conflict resolution, {} held, {} diverged rows",
        checks.conflicts,
        checks.lost_to_conflicts.len(),
        checks.held,
        checks.diverged_rows.len()
    );
}

fn report(lab: &Lab, writes: u64, wall: f64) {
    let mut log = 0;
    let mut versions = 0;
    let mut conflicts = 0;
    let mut held = 0;
    for node in lab.world().nodes() {
        if let Some(server) = node.process.as_server() {
            log += server.disk.multi.log.len();
            versions += server.disk.multi.versions.len();
            conflicts += server.disk.multi.conflicts.len();
            held += server.disk.multi.held.len();
        }
    }
    println!(
        "{:>3} s: {writes:>6} writes, {:>8} events, wall {wall:>7.2} s, CPU {:>7.2} s, RSS {:>7.1} MB; \
         leaders keep {log} log entries, {versions} row versions, {conflicts} conflicts, {held} held",
        lab.time() / 1_000_000,
        lab.world().events_processed(),
        cpu_seconds(),
        rss_kib() as f64 / 1024.0,
    );
}
