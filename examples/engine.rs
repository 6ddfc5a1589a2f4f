//! What the engine's statements cost as a table grows (issue 8, section 1): at 1k, 10k and
//! 100k rows, the wall time per statement of an autocommit INSERT, an INSERT inside a
//! transaction, an UPDATE by key, an UPDATE that moves many rows (each grows past its page),
//! and a WAL follower's replay (`Database::apply`) of one commit.
//!
//! A few hundred statements per size, so a run stays short; the figures are means in µs.
//!
//! ```text
//! cargo run --release --example engine                 # 1k, 10k, 100k; report to target/
//! cargo run --release --example engine -- 1000 10000   # chosen sizes, printed only
//! ```

use replication_lab::engine::{Database, ExecOptions, FormatVersion, SeededEnv, Session};
use std::time::Instant;

/// Statements timed per measure and size.
const ITERATIONS: i64 = 300;
/// Rows the big UPDATE moves (a fixed count, so its per-row cost compares across sizes).
const MOVED: i64 = 2_000;
/// Rows per seeding statement.
const BATCH: i64 = 100;

fn row(i: i64) -> String {
    format!("({i}, {}, 'r{i}')", i % 97)
}

fn seeded(rows: i64) -> (Database, SeededEnv) {
    let mut db = Database::new(FormatVersion::V16);
    let mut env = SeededEnv::new(1, 1_700_000_000_000_000);
    db.run(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, s TEXT)",
        &mut env,
    )
    .expect("schema");
    let mut i = 1;
    while i <= rows {
        let end = (i + BATCH - 1).min(rows);
        let values: Vec<String> = (i..=end).map(row).collect();
        db.run(
            &format!("INSERT INTO t (id, v, s) VALUES {}", values.join(", ")),
            &mut env,
        )
        .expect("seed rows");
        i = end + 1;
    }
    (db, env)
}

/// Mean µs per call of `f` over `n` calls.
fn mean_us(n: i64, mut f: impl FnMut(i64)) -> f64 {
    let start = Instant::now();
    for i in 0..n {
        f(i);
    }
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

struct Figures {
    rows: i64,
    seed_s: f64,
    autocommit_insert: f64,
    tx_insert: f64,
    update_by_key: f64,
    big_update_per_row: f64,
    big_update_total_ms: f64,
    replay_per_commit: f64,
}

fn measure(rows: i64) -> Figures {
    let started = Instant::now();
    let (base, base_env) = seeded(rows);
    let seed_s = started.elapsed().as_secs_f64();
    let options = ExecOptions::default();

    // Autocommit INSERTs, keeping their commits for the replay measure.
    let (mut db, mut env) = (base.clone(), base_env.clone());
    let mut follower = base.clone();
    let mut commits = Vec::new();
    let autocommit_insert = mean_us(ITERATIONS, |i| {
        let report = db
            .run(
                &format!("INSERT INTO t (id, v, s) VALUES {}", row(rows + 1 + i)),
                &mut env,
            )
            .expect("insert");
        commits.extend(report.commit.map(|c| c.changes));
    });
    let replay_per_commit = mean_us(commits.len() as i64, |i| {
        follower.apply(&commits[i as usize]).expect("replay");
    });
    assert_eq!(
        follower.rows("t").ok(),
        db.rows("t").ok(),
        "replay diverged"
    );

    // INSERTs inside one open transaction.
    let (mut db, mut env) = (base.clone(), base_env.clone());
    let mut session = Session::new();
    db.execute(&mut session, "BEGIN", &mut env, &options)
        .expect("begin");
    let tx_insert = mean_us(ITERATIONS, |i| {
        db.execute(
            &mut session,
            &format!("INSERT INTO t (id, v, s) VALUES {}", row(rows + 1 + i)),
            &mut env,
            &options,
        )
        .expect("insert in transaction");
    });
    db.execute(&mut session, "COMMIT", &mut env, &options)
        .expect("commit");

    // UPDATE by key, spread over the table.
    let (mut db, mut env) = (base.clone(), base_env.clone());
    let update_by_key = mean_us(ITERATIONS, |i| {
        let key = (i * 7_919) % rows + 1;
        db.run(
            &format!("UPDATE t SET v = v + 1 WHERE id = {key}"),
            &mut env,
        )
        .expect("update");
    });

    // One UPDATE whose rows grow past their pages, so each moves.
    let (mut db, mut env) = (base.clone(), base_env.clone());
    let moved = MOVED.min(rows);
    let start = Instant::now();
    let report = db
        .run(
            &format!(
                "UPDATE t SET s = 'a longer text that no longer fits where the row was' WHERE id <= {moved}"
            ),
            &mut env,
        )
        .expect("big update");
    let big = start.elapsed().as_secs_f64();
    assert_eq!(report.rows_affected as i64, moved);
    if rows <= 10_000 {
        db.check_invariants()
            .expect("invariants after the big update");
    }

    Figures {
        rows,
        seed_s,
        autocommit_insert,
        tx_insert,
        update_by_key,
        big_update_per_row: big * 1e6 / moved as f64,
        big_update_total_ms: big * 1e3,
        replay_per_commit,
    }
}

fn main() {
    let args: Vec<i64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        vec![1_000, 10_000, 100_000]
    } else {
        args.clone()
    };
    let mut out = String::from(
        "rows     | seed s | autocommit INSERT µs | INSERT in tx µs | UPDATE by key µs | UPDATE moving rows µs/row (total ms) | replay µs/commit\n",
    );
    for rows in sizes {
        let f = measure(rows);
        let line = format!(
            "{:>8} | {:>6.2} | {:>20.1} | {:>15.1} | {:>16.1} | {:>14.1} ({:>8.1} for {}) | {:>16.1}\n",
            f.rows,
            f.seed_s,
            f.autocommit_insert,
            f.tx_insert,
            f.update_by_key,
            f.big_update_per_row,
            f.big_update_total_ms,
            MOVED.min(f.rows),
            f.replay_per_commit
        );
        print!("{line}");
        out.push_str(&line);
    }
    if args.is_empty() {
        let path = "target/engine-report.txt";
        std::fs::write(path, &out).expect("write the report");
        println!("written to {path}");
    }
}
