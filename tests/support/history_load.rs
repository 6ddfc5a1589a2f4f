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

/// The load, a batch of writes at a time (so a browser can breathe between batches).
pub struct Load {
    lab: Lab,
    clients: Vec<u32>,
    writes: u64,
    events: u64,
}

impl Load {
    /// A lab about to be loaded until its world has processed `events` events.
    pub fn new(events: u64) -> Load {
        let lab = Lab::new(LabSettings::default());
        let clients = lab
            .world()
            .nodes()
            .filter(|node| node.process.as_client().is_some())
            .map(|node| node.id.0)
            .collect();
        Load {
            lab,
            clients,
            writes: 0,
            events,
        }
    }

    /// Sends up to `batch` more writes; true once the world has processed enough events.
    pub fn step(&mut self, batch: u64) -> bool {
        for _ in 0..batch {
            if self.lab.world().events_processed() >= self.events {
                return true;
            }
            let client = self.clients[(self.writes % self.clients.len() as u64) as usize];
            let sql = format!(
                "INSERT INTO orders (status, note) VALUES ('pending', 'order {}')",
                self.writes
            );
            self.lab
                .perform(LabAction::Sql { client, sql })
                .expect("a client's INSERT is taken");
            self.writes += 1;
            self.lab.seek(self.lab.time() + WRITE_EVERY_MICROS);
        }
        self.lab.world().events_processed() >= self.events
    }

    /// The loaded lab.
    pub fn finish(self) -> Loaded {
        let end = self.lab.time();
        Loaded {
            lab: self.lab,
            writes: self.writes,
            end,
        }
    }
}

/// Runs the load until the world has processed `events` events.
pub fn load(events: u64) -> Loaded {
    let mut load = Load::new(events);
    while !load.step(u64::MAX) {}
    load.finish()
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

/// The moves, one at a time, each timed by a clock in milliseconds and checked: a seek lands
/// on its target, a step back strictly before where it started.
pub struct Mover {
    targets: Targets,
    end: u64,
}

impl Mover {
    pub fn new(loaded: &Loaded) -> Mover {
        Mover {
            targets: Targets(0x9E37_79B9_7F4A_7C15 ^ loaded.lab.world().events_processed()),
            end: loaded.end,
        }
    }

    /// Seeks to a random point of the history; its wall time.
    pub fn seek(&mut self, lab: &mut Lab, clock: impl Fn() -> f64) -> f64 {
        let t = self.targets.below(self.end + 1);
        let started = clock();
        lab.seek(t);
        let took = clock() - started;
        assert_eq!(lab.time(), t, "a seek lands on its target");
        took
    }

    /// Seeks to a random point (untimed), then steps back; the step back's wall time.
    pub fn step_back(&mut self, lab: &mut Lab, clock: impl Fn() -> f64) -> f64 {
        let from = 1 + self.targets.below(self.end);
        lab.seek(from);
        let started = clock();
        let moved = lab.step_back();
        let took = clock() - started;
        assert!(moved && lab.time() < from, "a step back goes back");
        took
    }
}

impl Mover {
    /// Seeks to a random point (untimed), then steps back `steps` times in a row, as someone
    /// stepping through what just happened; each step back's wall time.
    pub fn step_backs_in_a_row(
        &mut self,
        lab: &mut Lab,
        steps: usize,
        clock: impl Fn() -> f64,
    ) -> Vec<f64> {
        let from = 1 + self.targets.below(self.end);
        lab.seek(from);
        let mut times = Vec::with_capacity(steps);
        for _ in 0..steps {
            let before = lab.time();
            let started = clock();
            let moved = lab.step_back();
            times.push(clock() - started);
            if !moved {
                break;
            }
            assert!(lab.time() < before, "a step back goes back");
        }
        times
    }
}

/// Wall times in milliseconds of `count` seeks to random points of the history and of
/// `count` step backs from random points, and of `count` step backs taken 10 in a row from
/// random points (see [`Mover`]).
pub fn moves(
    loaded: &mut Loaded,
    count: usize,
    clock: impl Fn() -> f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut mover = Mover::new(loaded);
    let seeks = (0..count)
        .map(|_| mover.seek(&mut loaded.lab, &clock))
        .collect();
    let backs = (0..count)
        .map(|_| mover.step_back(&mut loaded.lab, &clock))
        .collect();
    let in_a_row = (0..count.div_ceil(STEPS_IN_A_ROW))
        .flat_map(|_| mover.step_backs_in_a_row(&mut loaded.lab, STEPS_IN_A_ROW, &clock))
        .collect();
    (seeks, backs, in_a_row)
}

/// Step backs in a row, in [`moves`].
pub const STEPS_IN_A_ROW: usize = 10;

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
