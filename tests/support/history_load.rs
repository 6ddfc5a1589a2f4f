//! The history benchmark's load and moves, shared by the host report (`examples/history.rs`)
//! and the same measurement in headless Chromium (`tests/timeline_browser.rs`), so both
//! measure exactly the same thing with their own clock.
//!
//! The load is issue 8's: the page's default cluster (`LabSettings::default()`, WAL) driven
//! through the [`Lab`] as a heavy user would, one autocommit INSERT every 5 virtual ms
//! (alternating the two clients) until the world has processed N events. The moves are seeks
//! to random points of the history and step backs from random points.
//!
//! Included with `#[path = ...] mod history_load;`; not every includer uses every item.
#![allow(dead_code)]

use replication_lab::lab::{Lab, LabAction, LabSettings};

/// Virtual time between two writes.
pub const WRITE_EVERY_MICROS: u64 = 5_000;

/// A lab after the load.
pub struct Loaded {
    pub lab: Lab,
    /// INSERTs sent.
    pub writes: u64,
    /// The virtual time the load ended at (the end of the history).
    pub end: u64,
}

/// Runs the load until the world has processed `events` events.
pub fn load(events: u64) -> Loaded {
    let mut lab = Lab::new(LabSettings::default());
    let clients: Vec<u32> = lab
        .world()
        .nodes()
        .filter(|node| node.process.as_client().is_some())
        .map(|node| node.id.0)
        .collect();
    let mut writes = 0u64;
    while lab.world().events_processed() < events {
        let client = clients[(writes % clients.len() as u64) as usize];
        let sql = format!("INSERT INTO orders (status, note) VALUES ('pending', 'order {writes}')");
        lab.perform(LabAction::Sql { client, sql })
            .expect("a client's INSERT is taken");
        writes += 1;
        lab.seek(lab.time() + WRITE_EVERY_MICROS);
    }
    let end = lab.time();
    Loaded { lab, writes, end }
}

/// A small deterministic generator for the seek targets (xorshift64*).
pub struct Targets(pub u64);

impl Targets {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

/// Wall times in milliseconds of `count` seeks to random points of the history and of
/// `count` step backs from random points, timed by `clock` (milliseconds). Each move is
/// checked: a seek lands on its target, a step back strictly before where it started.
pub fn moves(loaded: &mut Loaded, count: usize, clock: impl Fn() -> f64) -> (Vec<f64>, Vec<f64>) {
    let Loaded { lab, end, .. } = loaded;
    let end = *end;
    let mut targets = Targets(0x9E37_79B9_7F4A_7C15 ^ lab.world().events_processed());
    let mut seeks = Vec::with_capacity(count);
    for _ in 0..count {
        let t = targets.below(end + 1);
        let started = clock();
        lab.seek(t);
        seeks.push(clock() - started);
        assert_eq!(lab.time(), t, "a seek lands on its target");
    }
    let mut backs = Vec::with_capacity(count);
    for _ in 0..count {
        let from = 1 + targets.below(end);
        lab.seek(from);
        let started = clock();
        let moved = lab.step_back();
        backs.push(clock() - started);
        assert!(moved && lab.time() < from, "a step back goes back");
    }
    (seeks, backs)
}

/// The value at rank `p` (0..=1) of sorted `values`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// `p50 …, p95 …, max …` of `ms`.
pub fn summary(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms.last().copied().unwrap_or(0.0)
    )
}
