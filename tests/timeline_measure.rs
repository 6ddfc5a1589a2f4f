//! Measurements of the time model's costs (not a pass/fail test; run on demand):
//! `cargo test --release --test timeline_measure -- --ignored --nocapture`.

#[path = "timeline_support.rs"]
mod support;

use replication_lab::sim::Time;
use replication_lab::timeline::Timeline;
use std::time::Instant;
use support::busy_origin;

#[test]
#[ignore = "a measurement; run with --release -- --ignored --nocapture"]
fn measure_seek_and_step_costs() {
    let mut timeline = Timeline::new(busy_origin(1));
    let started = Instant::now();
    timeline.seek(Time::secs(60));
    let forward = started.elapsed();
    let events = timeline.world().events_processed();
    println!(
        "forward to 60 s: {events} events in {forward:?} ({:.0} events/s), {} checkpoints",
        events as f64 / forward.as_secs_f64(),
        timeline.checkpoint_count()
    );

    let mut worst = std::time::Duration::ZERO;
    let mut total = std::time::Duration::ZERO;
    let seeks = 200u64;
    for i in 0..seeks {
        // Spread over the whole run, alternating far back and near.
        let t = Time::micros((i * 7_919_993) % 60_000_000);
        let started = Instant::now();
        timeline.seek(t);
        let took = started.elapsed();
        worst = worst.max(took);
        total += took;
    }
    println!(
        "random seeks within 60 s: mean {:?}, worst {worst:?}",
        total / seeks as u32
    );

    timeline.seek(Time::secs(45));
    let started = Instant::now();
    let mut steps = 0;
    while steps < 1_000 && timeline.step_back() {
        steps += 1;
    }
    println!("step back x{steps}: mean {:?}", started.elapsed() / steps);
    let started = Instant::now();
    for _ in 0..1_000 {
        timeline.step();
    }
    println!("step x1000: mean {:?}", started.elapsed() / 1_000);

    // Playing at 1x for a frame (16.7 ms of virtual time) from an arbitrary point.
    timeline.seek(Time::secs(30));
    let started = Instant::now();
    for frame in 1..=600u64 {
        timeline.seek(Time::secs(30) + Time::micros(frame * 16_667));
    }
    println!("a 1x animation frame: mean {:?}", started.elapsed() / 600);
}
