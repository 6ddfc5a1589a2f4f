//! How many events per second the simulated world processes.
//!
//! Workload: 5 toy nodes (`tests/sim_toy.rs`), each pinging the 4 others every millisecond and
//! answering every ping with a pong, over links of 200 µs ± 100 µs. Per node and tick that is
//! 1 timer + 4 pings + 4 pongs = 9 world events, each also traced and hashed. One iteration
//! runs one virtual second on a fresh world; criterion reports world events per second.
//! A second benchmark measures the cost of cloning a busy world (a UI checkpoint).

#[path = "../tests/sim_toy.rs"]
mod toy;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use replication_lab::sim::{LinkConfig, Time, World};
use std::hint::black_box;
use toy::{ticking_world, Toy};

const RUN_FOR: Time = Time::secs(1);

fn workload() -> World<Toy> {
    let link = LinkConfig::new(Time::micros(200)).with_jitter(Time::micros(100));
    ticking_world(7, 5, Time::millis(1), link)
}

fn events_per_second(c: &mut Criterion) {
    let events = {
        let mut world = workload();
        world.run_until(RUN_FOR)
    };
    let mut group = c.benchmark_group("world");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("5 nodes pinging, 1 virtual second", |b| {
        b.iter_batched(
            workload,
            |mut world| {
                let processed = world.run_until(RUN_FOR);
                black_box(world.trace_hash());
                // Return the world so its drop is not timed.
                (processed, world)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn checkpoint_clone(c: &mut Criterion) {
    let mut world = workload();
    world.run_until(RUN_FOR);
    let mut group = c.benchmark_group("world");
    group.bench_function("clone after 1 virtual second", |b| {
        b.iter(|| black_box(world.clone()))
    });
    group.finish();
}

criterion_group!(benches, events_per_second, checkpoint_clone);
criterion_main!(benches);
