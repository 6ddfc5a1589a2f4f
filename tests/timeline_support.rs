//! Shared by the `timeline_*` tests: the toy scenarios they run and an independent reference
//! replay (a plain world fed the same inputs by hand) to compare the timeline with.
//!
//! Included with `#[path = "timeline_support.rs"] mod support;` (cargo also builds it as an
//! empty test crate of its own, hence the `allow`).
#![allow(dead_code)]

#[path = "sim_toy.rs"]
pub mod toy;

use replication_lab::sim::{Input, LinkConfig, MessageId, Probability, Time, World};
use toy::{ticking_world, Toy};

/// A busy cluster: three nodes pinging each other every 5 ms over jittery, lossy links.
pub fn busy_origin(seed: u64) -> World<Toy> {
    let link = LinkConfig::new(Time::millis(2))
        .with_jitter(Time::millis(6))
        .with_loss(Probability::percent(10));
    ticking_world(seed, 3, Time::millis(5), link)
}

/// The world at `t`, computed from scratch by the documented rule: before each input stamped
/// `T <= t`, every event due at or before `T`; the input; finally every event due by `t`.
pub fn replay(origin: &World<Toy>, inputs: &[(Time, Input<Toy>)], t: Time) -> World<Toy> {
    let mut world = origin.clone();
    for (at, input) in inputs.iter().filter(|(at, _)| *at <= t) {
        world.run_until(*at);
        let _ = world.apply(input.clone());
    }
    world.run_until(t);
    world
}

/// What two worlds at the same time must agree on: time, trace hash, events processed, and
/// the messages in flight (id, send time, delivery time).
pub type Snapshot = (Time, u64, u64, Vec<(MessageId, Time, Time)>);

/// Where two worlds that should be the same part, if they do: the first differing trace event
/// with both events (a hash alone would not say where), else the first differing part of
/// their [`snapshot`]s.
pub fn difference(a: &World<Toy>, b: &World<Toy>) -> Option<String> {
    if let Some(difference) = a.trace().first_difference(b.trace()) {
        return Some(format!("seed {}: {difference}", a.seed()));
    }
    let (left, right) = (snapshot(a), snapshot(b));
    (left != right).then(|| format!("seed {}: {left:?} != {right:?}", a.seed()))
}

/// Panics, naming the first difference, unless `a` and `b` are the same world.
#[track_caller]
pub fn assert_same(a: &World<Toy>, b: &World<Toy>) {
    if let Some(difference) = difference(a, b) {
        panic!("{difference}");
    }
}

pub fn snapshot(world: &World<Toy>) -> Snapshot {
    (
        world.now(),
        world.trace_hash(),
        world.events_processed(),
        world
            .in_flight()
            .map(|m| (m.id, m.sent_at, m.deliver_at))
            .collect(),
    )
}
