//! Statements per second of the lab engine on a table of a few hundred rows: INSERT, UPDATE
//! by key, and SELECT by key and of the whole table. Also a WAL-shipping follower's replay:
//! WAL records per second applying a leader's commits, incrementally (`Database::apply`) and,
//! for comparison, rebuilding the catalog and key index from all pages after every commit.
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use replication_lab::engine::{Database, FormatVersion, PageChanges, SeededEnv};
use std::hint::black_box;

const ROWS: i64 = 300;

fn seeded() -> (Database, SeededEnv) {
    let mut db = Database::new(FormatVersion::V16);
    let mut env = SeededEnv::new(1, 1_700_000_000_000_000);
    db.run("CREATE TABLE orders (id SERIAL PRIMARY KEY, status TEXT NOT NULL, qty INTEGER, at TIMESTAMP DEFAULT NOW())", &mut env)
        .expect("schema");
    for i in 0..ROWS {
        db.run(
            &format!("INSERT INTO orders (status, qty) VALUES ('new', {i})"),
            &mut env,
        )
        .expect("seed row");
    }
    (db, env)
}

fn statements(c: &mut Criterion) {
    let (db, env) = seeded();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(1));
    group.bench_function("insert", |b| {
        b.iter_batched_ref(
            || (db.clone(), env.clone()),
            |(db, env)| {
                black_box(
                    db.run("INSERT INTO orders (status, qty) VALUES ('paid', 5)", env)
                        .expect("insert"),
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("update_by_key", |b| {
        let (mut db, mut env) = (db.clone(), env.clone());
        let mut i = 0;
        b.iter(|| {
            i = i % ROWS + 1;
            black_box(
                db.run(
                    &format!("UPDATE orders SET qty = qty + 1 WHERE id = {i}"),
                    &mut env,
                )
                .expect("update"),
            )
        })
    });
    group.bench_function("select_by_key", |b| {
        let (mut db, mut env) = (db.clone(), env.clone());
        b.iter(|| {
            black_box(
                db.run("SELECT * FROM orders WHERE id = 150", &mut env)
                    .expect("select"),
            )
        })
    });
    group.bench_function("select_all_ordered", |b| {
        let (mut db, mut env) = (db.clone(), env.clone());
        b.iter(|| {
            black_box(
                db.run(
                    "SELECT id, qty FROM orders ORDER BY qty DESC LIMIT 10",
                    &mut env,
                )
                .expect("select"),
            )
        })
    });
    group.finish();
}

/// The leader's commits of a mixed workload on the seeded table: inserts, updates by key (some
/// growing a row so it moves to another page) and deletes by key.
fn leader_commits() -> (Database, Vec<PageChanges>) {
    let (mut leader, mut env) = seeded();
    let follower = leader.clone();
    let mut commits = Vec::new();
    for i in 0..400i64 {
        let key = (i * 7) % ROWS + 1;
        let sql = match i % 5 {
            0 => format!("INSERT INTO orders (status, qty) VALUES ('new', {i})"),
            1 | 2 => format!("UPDATE orders SET qty = qty + 1 WHERE id = {key}"),
            3 => format!("UPDATE orders SET status = 'shipped with care {i}' WHERE id = {key}"),
            _ => format!("DELETE FROM orders WHERE id = {}", key + 1),
        };
        let report = leader.run(&sql, &mut env).expect("leader statement");
        commits.extend(report.commit.map(|c| c.changes));
    }
    (follower, commits)
}

fn replay(c: &mut Criterion) {
    let (follower, commits) = leader_commits();
    let records: usize = commits.iter().map(|c| c.records.len()).sum();
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(records as u64));
    group.bench_function("wal_replay", |b| {
        b.iter_batched(
            || follower.clone(),
            |mut db| {
                for changes in &commits {
                    db.apply(changes).expect("replay");
                }
                db
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("wal_replay_full_reload", |b| {
        b.iter_batched(
            || follower.clone(),
            |mut db| {
                for changes in &commits {
                    db.apply_with_full_reload(changes).expect("replay");
                }
                db
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, statements, replay);
criterion_main!(benches);
