//! Statements per second of the lab engine on a table of a few hundred rows: INSERT, UPDATE
//! by key, and SELECT by key and of the whole table.
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use replication_lab::engine::{Database, FormatVersion, SeededEnv};
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

criterion_group!(benches, statements);
criterion_main!(benches);
