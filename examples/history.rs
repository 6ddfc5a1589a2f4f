//! How big and how fast the lab's history is under a steady write load (issue 8, section 1).
//!
//! The load and the moves are shared with the browser measurement
//! (`tests/support/history_load.rs`): the page's default cluster driven through the [`Lab`]
//! as a heavy user would, one autocommit INSERT every 5 virtual ms, until the world has
//! processed N trace events. For each size this reports the process's resident memory (VmRSS
//! from /proc/self/status — fine in a measurement binary, never in the core), the timeline's
//! checkpoints, how long computing the history took, and the wall time of seeks to random
//! points and of a step back from random points (p50 / p95 / max), beside the figures from
//! before issue 8's history work.
//!
//! Each size runs in its own child process so one size's memory does not count in the next.
//!
//! ```text
//! cargo run --release --example history            # 10k, 100k and 1M events, report to target/
//! cargo run --release --example history -- 250000  # one size, printed only
//! ```
//!
//! `HISTORY_COMPUTE_ONLY=1` with one size stops after computing (for a profiler).

#[path = "../tests/support/history_load.rs"]
mod history_load;

use history_load::{load, moves, summary, STEPS_IN_A_ROW};
use std::time::Instant;

/// Seeks (and step backs) timed per size.
const MOVES: usize = 200;

/// The sizes of the report.
const SIZES: [u64; 3] = [10_000, 100_000, 1_000_000];

/// The same measurement before issue 8's history work (commit b98de7e, this example run on
/// it on the same machine, 2 shared cores, on 2026-11-28), and the issue's own figures.
const BEFORE: &str = "\
Before (commit b98de7e, the same load and moves, same machine):
  10k events: computed in 0.32 s; RSS 46.1 MB
    seek p50 7.88 ms, p95 17.52 ms, max 21.42 ms; step back p50 9.58 ms, p95 26.78 ms, max 42.65 ms
  100k events: computed in 22.09 s; RSS 2874.5 MB
    seek p50 132.46 ms, p95 288.28 ms, max 377.70 ms; step back p50 170.29 ms, p95 302.96 ms, max 462.92 ms
  1M events: not run (memory grew faster than the events: 2.9 GB at 100k here, 8.2 GB at 250k
    in the issue; a browser tab has at most 4 GB)
  The issue's figures: 100k events 2.6 GB, seek p50 46-56 / p95 70-99 ms, step back p50 49-56 ms;
    250k events 8.2 GB, seek p50 100 ms / max 285 ms, step back p50 115 ms
Memory before log entries, query answers and page lists were shared (commit 227c4db, same machine):
  10k events: RSS 17.5 MB; 100k events: RSS 164.7 MB; 1M events: RSS 1424.9 MB (245 checkpoints)
";

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

fn measure(events: u64) -> String {
    let rss_start = rss_kib();
    let started = Instant::now();
    let mut loaded = load(events);
    let compute = started.elapsed();
    let processed = loaded.lab.world().events_processed();
    if std::env::var_os("HISTORY_COMPUTE_ONLY").is_some() {
        return format!(
            "{processed} events computed in {:.2} s\n",
            compute.as_secs_f64()
        );
    }
    let rows: Vec<String> = loaded
        .lab
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
    let clock = Instant::now();
    let (seeks, backs, in_a_row) =
        moves(&mut loaded, MOVES, || clock.elapsed().as_secs_f64() * 1e3);
    format!(
        "{processed} events ({} writes, {:.1} virtual s): computed in {:.2} s \
         ({} check watches); RSS {:.1} MB (start {:.1} MB); {} checkpoints\n    {}\n    seek to a random point: {}\n    \
         step back from a random point: {}\n    \
         step back {STEPS_IN_A_ROW} times in a row from a random point: {}\n",
        loaded.writes,
        loaded.end as f64 / 1e6,
        compute.as_secs_f64(),
        loaded.lab.watch_runs(),
        rss_end as f64 / 1024.0,
        rss_start as f64 / 1024.0,
        loaded.lab.checkpoint_count(),
        rows.join("; "),
        summary(seeks),
        summary(backs),
        summary(in_a_row),
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
        "History under load (issue 8, section 1): LabSettings::default() (WAL), one INSERT every \
         5 virtual ms through the Lab; 200 seeks to random points, 200 step backs from random \
         points. Goals: under 200 MB at 100k and under 1 GB at 1M events; seek and step back \
         within 16.7 ms at p95 at 100k; computing 100k events 5x faster than before.\n\nAfter:\n",
    );
    for events in SIZES {
        let out = std::process::Command::new(&exe)
            .arg(events.to_string())
            .output()
            .expect("the measurement runs");
        let text = format!("  {}", String::from_utf8_lossy(&out.stdout));
        print!("{text}");
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
        report.push_str(&text);
    }
    // The machine may be shared: its load says how much the wall times above can be trusted.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    report.push_str(&format!(
        "  Load average after the run: {} on {cpus} CPUs\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    ));
    report.push_str(
        "  The same moves in headless Chromium: scripts/bench-browser.sh, \
         target/history-browser-report.txt\n\n",
    );
    report.push_str(BEFORE);
    print!("\n{BEFORE}");
    let _ = std::fs::create_dir_all("target");
    let _ = std::fs::write("target/history-report.txt", &report);
}
