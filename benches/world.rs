//! How many events per second the simulated world processes.
//!
//! Workload: 5 toy nodes (`tests/sim_toy.rs`), each pinging the 4 others every millisecond and
//! answering every ping with a pong, over links of 200 µs ± 100 µs. Per node and tick that is
//! 1 timer + 4 pings + 4 pongs = 9 world events, each also traced and hashed. One iteration
//! runs one virtual second on a fresh world; criterion reports world events per second.
//! A second benchmark measures the cost of cloning a busy world (a UI checkpoint), and a
//! third the lab's own cluster: a leader, four WAL followers and two clients writing every
//! 5 ms, where each event also runs the database engine.

#[path = "../tests/sim_toy.rs"]
mod toy;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use replication_lab::replication::cluster;
use replication_lab::replication::config::{ClusterConfig, Method};
use replication_lab::replication::messages::Request;
use replication_lab::replication::node::LabNode;
use replication_lab::sim::{Input, LinkConfig, NodeId, Time, World};
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

/// A lab cluster under a steady write load for one virtual second.
fn lab_cluster() -> World<LabNode> {
    let mut config = ClusterConfig::standard(Method::Wal, 4);
    config.clients.push("client-2".into());
    let mut world = cluster::build(&config, 7, cluster::default_network());
    for i in 0..200u64 {
        let client = NodeId(5 + (i % 2) as u32);
        let sql = format!("INSERT INTO orders (status, note) VALUES ('pending', 'order {i}')");
        let input = Input::Request {
            node: client,
            req: Request::Sql(sql),
        };
        // Scheduling in the future of a fresh world cannot fail.
        let _ = world.schedule(Time::millis(5 * i + 1), input);
    }
    world
}

fn lab_events_per_second(c: &mut Criterion) {
    let events = lab_cluster().run_until(RUN_FOR);
    let mut group = c.benchmark_group("lab");
    group.throughput(Throughput::Elements(events));
    group.sample_size(10);
    group.bench_function(
        "leader + 4 WAL followers, 200 inserts in 1 virtual second",
        |b| {
            b.iter_batched(
                lab_cluster,
                |mut world| {
                    let processed = world.run_until(RUN_FOR);
                    (processed, world)
                },
                BatchSize::LargeInput,
            )
        },
    );
    group.finish();
}

criterion_group!(
    benches,
    events_per_second,
    checkpoint_clone,
    lab_events_per_second
);
criterion_main!(benches);
