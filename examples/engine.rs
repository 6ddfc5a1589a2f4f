//! What the engine's statements cost as a table grows (issue 8, section 1): at 1k, 10k and
//! 100k rows, the wall time of an autocommit INSERT, an INSERT inside a transaction that has
//! already written that many rows, an UPDATE by key, an UPDATE whose rows grow past their
//! pages (a fixed 2,000, and every row of the table), and a WAL follower's replay
//! (`Database::apply`) of one commit. Written to `target/engine-report.txt` beside the figures
//! from before the per-row work (see [`BEFORE`]).
//!
//! Per-statement figures are the median of a few rounds' means, so one slow round (the machine
//! is shared) does not decide them.
//!
//! ```text
//! cargo run --release --example engine                 # 1k, 10k, 100k; report to target/
//! cargo run --release --example engine -- 1000 10000   # chosen sizes, printed only
//! ```

use replication_lab::engine::{Database, ExecOptions, FormatVersion, SeededEnv, Session};
use std::time::Instant;

/// Rounds per measure; the figure is the median round.
const ROUNDS: usize = 5;
/// Statements per round.
const PER_ROUND: i64 = 60;
/// Rows the fixed-size big UPDATE moves (the same count at every size, so its per-row cost
/// compares across sizes).
const MOVED: i64 = 2_000;
/// Rows per seeding statement.
const BATCH: i64 = 100;

/// The same measures before the per-row work (commit db6f5f8: `Store::place` walking the
/// chain from its first page, each statement in a transaction copying the transaction's
/// overlay, replay walking every chain), taken with this program on the machine that took
/// the "after" figures, the same day (2 cores shared with other builds, so both columns are
/// slower than on an idle machine). Per size: autocommit INSERT µs, INSERT in a transaction
/// µs, UPDATE by key µs, UPDATE moving 2,000 rows µs/row, UPDATE moving every row µs/row,
/// replay µs/commit. `None`: not measured; at 100k rows the old engine took 633 s to seed the
/// table, and would take hours to fill a transaction as large or to move every row.
const BEFORE: [(i64, [Option<f64>; 6]); 3] = [
    (
        1_000,
        [
            Some(431.9),
            Some(532.2),
            Some(16.9),
            Some(283.5),
            Some(258.9),
            Some(6.0),
        ],
    ),
    (
        10_000,
        [
            Some(1_776.3),
            Some(7_083.8),
            Some(24.0),
            Some(1_588.7),
            Some(2_055.3),
            Some(260.8),
        ],
    ),
    (
        100_000,
        [
            Some(6_261.7),
            None,
            Some(41.8),
            Some(6_051.5),
            None,
            Some(726.2),
        ],
    ),
];

/// What issue 8 measured before (the same rows, other statements): autocommit INSERT 141 µs
/// at 10k rows and 2.1 ms at 100k; a statement in a transaction 54 µs, 677 µs by 10k rows; an
/// UPDATE moving 14k rows 6.3 s (450 µs a row).
const ISSUE: &str = "issue 8 (before): autocommit INSERT 141 µs at 10k rows, 2,100 µs at 100k; \
a statement in a transaction 54 µs, 677 µs by 10k rows; an UPDATE moving 14k rows 6.3 s (450 µs/row)";

/// How to read the table.
const NOTES: &str = "
The UPDATE moving 2,000 rows selects them with `WHERE id <= 2000`, which reads the whole table
(the engine looks a key up, but has no range scan: an UPDATE visits rows in physical order), so
at 100k rows it reads 50 rows for each one it moves; what one move costs is the UPDATE moving
every row. An UPDATE moving 14k rows, 6.3 s in the issue, costs 14k times that: about 0.2 s.
";

fn row(i: i64) -> String {
    format!("({i}, {}, 'r{i}')", i % 97)
}

/// `INSERT` of rows `from..=to`.
fn batch(from: i64, to: i64) -> String {
    let values: Vec<String> = (from..=to).map(row).collect();
    format!("INSERT INTO t (id, v, s) VALUES {}", values.join(", "))
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
        db.run(&batch(i, end), &mut env).expect("seed rows");
        i = end + 1;
    }
    (db, env)
}

/// The median over [`ROUNDS`] of the mean µs per call of `f` in a round of [`PER_ROUND`]
/// calls (`f` gets a call number unique across rounds).
fn median_us(mut f: impl FnMut(i64)) -> f64 {
    let mut means: Vec<f64> = (0..ROUNDS as i64)
        .map(|r| {
            let start = Instant::now();
            for i in 0..PER_ROUND {
                f(r * PER_ROUND + i);
            }
            start.elapsed().as_secs_f64() * 1e6 / PER_ROUND as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    means[ROUNDS / 2]
}

/// Runs one UPDATE that lengthens rows `1..=moved` past their pages; returns µs per row.
fn big_update(base: &Database, env: &SeededEnv, rows: i64, moved: i64) -> f64 {
    let (mut db, mut env) = (base.clone(), env.clone());
    let start = Instant::now();
    let report = db
        .run(
            &format!(
                "UPDATE t SET s = 'a longer text that no longer fits where the row was' WHERE id <= {moved}"
            ),
            &mut env,
        )
        .expect("big update");
    let us = start.elapsed().as_secs_f64() * 1e6 / moved as f64;
    assert_eq!(report.rows_affected as i64, moved);
    if rows <= 10_000 {
        db.check_invariants()
            .expect("invariants after the big update");
    }
    us
}

struct Figures {
    seed_s: f64,
    /// As in [`BEFORE`].
    after: [Option<f64>; 6],
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
    let autocommit_insert = median_us(|i| {
        let report = db
            .run(&batch(rows + 1 + i, rows + 1 + i), &mut env)
            .expect("insert");
        commits.extend(report.commit.map(|c| c.changes));
    });
    let mut replayed = 0;
    let replay_per_commit = median_us(|_| {
        follower.apply(&commits[replayed]).expect("replay");
        replayed += 1;
    });
    assert_eq!(
        follower.rows("t").ok(),
        db.rows("t").ok(),
        "replay diverged"
    );

    // INSERTs inside a transaction that has already written `rows` rows (its working state
    // is as large as the table).
    let (mut db, mut env) = (seeded(0).0, base_env.clone());
    let mut session = Session::new();
    let mut run = |db: &mut Database, sql: &str| {
        db.execute(&mut session, sql, &mut env, &options)
            .expect("statement in the transaction");
    };
    run(&mut db, "BEGIN");
    let mut i = 1;
    while i <= rows {
        let end = (i + BATCH - 1).min(rows);
        run(&mut db, &batch(i, end));
        i = end + 1;
    }
    let tx_insert = median_us(|i| run(&mut db, &batch(rows + 1 + i, rows + 1 + i)));
    run(&mut db, "COMMIT");

    // UPDATE by key, spread over the table.
    let (mut db, mut env) = (base.clone(), base_env.clone());
    let update_by_key = median_us(|i| {
        let key = (i * 7_919) % rows + 1;
        db.run(
            &format!("UPDATE t SET v = v + 1 WHERE id = {key}"),
            &mut env,
        )
        .expect("update");
    });

    let moved_fixed = big_update(&base, &base_env, rows, MOVED.min(rows));
    let moved_all = big_update(&base, &base_env, rows, rows);

    Figures {
        seed_s,
        after: [
            Some(autocommit_insert),
            Some(tx_insert),
            Some(update_by_key),
            Some(moved_fixed),
            Some(moved_all),
            Some(replay_per_commit),
        ],
    }
}

const MEASURES: [&str; 6] = [
    "autocommit INSERT µs",
    "INSERT in a transaction of as many rows µs",
    "UPDATE by key µs",
    "UPDATE moving 2,000 rows µs/row",
    "UPDATE moving every row µs/row",
    "replay µs/commit",
];

fn cell(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.1}"))
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
        "Engine per-row costs (cargo run --release --example engine): wall time per statement\n\
         (or per row), median of 5 rounds; before = commit db6f5f8, after = this build.\n\n",
    );
    let header = format!(
        "{:<44} | {:>8} | {:>10} | {:>10} | {:>7}\n",
        "measure", "rows", "before", "after", "ratio"
    );
    out.push_str(&header);
    print!("{header}");
    for rows in sizes {
        let f = measure(rows);
        let before = BEFORE.iter().find(|(r, _)| *r == rows).map(|(_, b)| *b);
        for (m, name) in MEASURES.iter().enumerate() {
            let b = before.and_then(|b| b[m]);
            let a = f.after[m];
            let ratio = match (b, a) {
                (Some(b), Some(a)) if a > 0.0 => format!("{:.0}x", b / a),
                _ => "-".to_string(),
            };
            let line = format!(
                "{name:<44} | {rows:>8} | {:>10} | {:>10} | {ratio:>7}\n",
                cell(b),
                cell(a)
            );
            print!("{line}");
            out.push_str(&line);
        }
        let line = format!(
            "{:<44} | {rows:>8} | {:>10} | {:>10.2} |\n",
            "(seeding the table, s)", "", f.seed_s
        );
        print!("{line}");
        out.push_str(&line);
    }
    out.push_str(&format!("\n{ISSUE}\n"));
    out.push_str(NOTES);
    if args.is_empty() {
        let path = "target/engine-report.txt";
        std::fs::write(path, &out).expect("write the report");
        println!("written to {path}");
    }
}
