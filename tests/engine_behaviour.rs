//! Behaviour of the lab engine as replication methods see it: determinism, context values and
//! overrides, atomic failures, transactions, physical and logical replay, reports.

use replication_lab::engine::{
    compare_pages, compare_rows, Database, ErrorKind, ExecOptions, FormatVersion, Function,
    OnError, PageChange, RowOp, SeededEnv, Session, StatementKind, StatementReport, UnsafeReason,
    Value, MYSQL_UNSAFE_LIMIT, MYSQL_UNSAFE_SYSTEM_FUNCTION, MYSQL_UNSAFE_WARNING,
};

const SCHEMA: &str = "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL DEFAULT 'new', qty INTEGER, created_at TIMESTAMP DEFAULT NOW(), token TEXT)";

const WORKLOAD: &[&str] = &[
    SCHEMA,
    "INSERT INTO orders (qty) VALUES (1), (2), (3)",
    "INSERT INTO orders (status, qty, token) VALUES ('paid', RAND(), UUID())",
    "UPDATE orders SET qty = qty * 10 WHERE id >= 2",
    "INSERT INTO orders (qty) VALUES (7), (8), (9), (10), (11)",
    "DELETE FROM orders WHERE id = 3",
    "UPDATE orders SET status = 'shipped', created_at = NOW() WHERE qty > 8",
];

fn node(format: FormatVersion) -> Database {
    Database::new(format)
}

fn env(seed: u64) -> SeededEnv {
    SeededEnv::new(seed, 1_764_149_467_104_211)
}

fn run_all(db: &mut Database, env: &mut SeededEnv, sqls: &[&str]) -> Vec<StatementReport> {
    sqls.iter()
        .map(|sql| db.run(sql, env).unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect()
}

fn pages(db: &Database) -> Vec<Vec<u8>> {
    (0..db.page_count())
        .map(|n| db.page(n).unwrap().to_vec())
        .collect()
}

fn function_values(r: &StatementReport, f: Function) -> Vec<Value> {
    r.context
        .function_values
        .iter()
        .filter(|v| v.function == f)
        .map(|v| v.value.clone())
        .collect()
}

#[test]
fn same_workload_same_seed_gives_byte_identical_pages() {
    let (mut a, mut b) = (node(FormatVersion::V16), node(FormatVersion::V16));
    run_all(&mut a, &mut env(1), WORKLOAD);
    run_all(&mut b, &mut env(1), WORKLOAD);
    assert!(compare_pages(&a, &b).identical());
    assert!(a.page_count() > 2, "the workload spans several pages");
    a.check_invariants().unwrap();
}

#[test]
fn a_different_seed_makes_now_rand_and_uuid_differ() {
    let sql = "INSERT INTO orders (qty, token, created_at) VALUES (RAND(), UUID(), NOW())";
    let (mut a, mut b) = (node(FormatVersion::V16), node(FormatVersion::V16));
    let (mut ea, mut eb) = (env(1), SeededEnv::new(2, 5_000_000));
    run_all(&mut a, &mut ea, &[SCHEMA]);
    run_all(&mut b, &mut eb, &[SCHEMA]);
    let ra = a.run(sql, &mut ea).unwrap();
    let rb = b.run(sql, &mut eb).unwrap();
    for f in [Function::Now, Function::Rand, Function::Uuid] {
        assert_ne!(function_values(&ra, f), function_values(&rb, f), "{f:?}");
    }
    assert!(!compare_rows(&a, &b).identical());
}

#[test]
fn overrides_make_now_and_rand_identical_but_not_uuid() {
    let sql = "INSERT INTO orders (qty, token, created_at) VALUES (RAND(), UUID(), NOW()), (RAND(), NULL, NOW())";
    let (mut leader, mut follower) = (node(FormatVersion::V16), node(FormatVersion::V16));
    let (mut el, mut ef) = (env(1), SeededEnv::new(99, 42));
    run_all(&mut leader, &mut el, &[SCHEMA]);
    run_all(&mut follower, &mut ef, &[SCHEMA]);
    let r = leader.run(sql, &mut el).unwrap();
    let ctx = &r.context;
    let options = ExecOptions {
        timestamp: ctx.timestamp,
        insert_id: ctx.insert_id,
        rand_seeds: ctx.rand_seeds,
    };
    let f = follower
        .execute(&mut Session::new(), sql, &mut ef, &options)
        .unwrap();
    assert_eq!(f.context.timestamp, ctx.timestamp);
    assert_eq!(f.context.generated_ids, vec![1, 2]);
    assert_eq!(
        function_values(&f, Function::Now),
        function_values(&r, Function::Now)
    );
    assert_eq!(
        function_values(&f, Function::Rand),
        function_values(&r, Function::Rand)
    );
    assert_eq!(function_values(&r, Function::Rand).len(), 2);
    assert_ne!(
        function_values(&f, Function::Uuid),
        function_values(&r, Function::Uuid)
    );
    let diff = compare_rows(&leader, &follower);
    assert_eq!(diff.differences.len(), 1);
    assert_eq!(diff.differences[0].key, Value::Integer(1));
    assert_eq!(diff.differences[0].columns, vec!["token".to_string()]);
    assert_eq!(
        r.unsafe_reasons,
        vec![UnsafeReason::Rand { rows: 2 }, UnsafeReason::Uuid]
    );
    // MySQL's note names the reason of the first unsafe construct, in full.
    assert_eq!(r.warning(), Some(MYSQL_UNSAFE_SYSTEM_FUNCTION));
    assert!(MYSQL_UNSAFE_SYSTEM_FUNCTION.starts_with(MYSQL_UNSAFE_WARNING));
    assert!(MYSQL_UNSAFE_SYSTEM_FUNCTION.ends_with(
        "Statement is unsafe because it uses a system function that may return a different value on the replica."
    ));
}

#[test]
fn any_rand_is_flagged_even_on_one_row() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &[SCHEMA]);
    let r = db
        .run(
            "INSERT INTO orders (status, qty) VALUES ('new', RAND())",
            &mut e,
        )
        .unwrap();
    assert_eq!(r.unsafe_reasons, vec![UnsafeReason::Rand { rows: 1 }]);
    assert_eq!(r.warning(), Some(MYSQL_UNSAFE_SYSTEM_FUNCTION));
    let r = db.run("SELECT RAND() AS r", &mut e).unwrap();
    assert!(r.unsafe_reasons.is_empty(), "a SELECT is not logged");
}

#[test]
fn statements_without_nondeterminism_draw_nothing() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(
        &mut db,
        &mut e,
        &["CREATE TABLE t (id INT PRIMARY KEY, a INT)"],
    );
    let r = db.run("INSERT INTO t VALUES (1, 2)", &mut e).unwrap();
    assert_eq!(r.context, Default::default());
    assert_eq!(e.clock_micros, env(1).clock_micros, "clock untouched");
}

#[test]
fn failed_statements_leave_pages_byte_identical() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &WORKLOAD[..3]);
    let before = pages(&db);
    let wal = db.wal_end();
    let cases = [
        (
            "INSERT INTO orders (id, qty) VALUES (9, 1), (2, 1)",
            ErrorKind::DuplicateKey,
            "duplicate key 2 in table \"orders\" at 1:46",
        ),
        (
            "UPDATE orders SET stauts = 'x'",
            ErrorKind::UnknownColumn,
            "unknown column \"stauts\" at 1:19",
        ),
        (
            "SELECT * FROM oders",
            ErrorKind::UnknownTable,
            "unknown table \"oders\" at 1:15",
        ),
        (
            "INSERT INTO orders (status) VALUES (NULL)",
            ErrorKind::NotNull,
            "column \"status\" cannot be NULL at 1:37",
        ),
        (
            "INSERT INTO orders (qty) VALUES ('many')",
            ErrorKind::TypeMismatch,
            "type mismatch: column \"qty\" is INTEGER but the value 'many' is TEXT at 1:34",
        ),
        (
            "UPDATE orders SET qty = 9223372036854775807 + qty",
            ErrorKind::Arithmetic,
            "integer out of range at 1:25",
        ),
        (
            "UPDATE orders SET id = 1",
            ErrorKind::DuplicateKey,
            "duplicate key 1 in table \"orders\" at 1:19",
        ),
        (
            "INSERT INTO orders (status) VALUES ('x'), ('y'), (NULL)",
            ErrorKind::NotNull,
            "column \"status\" cannot be NULL at 1:51",
        ),
    ];
    for (sql, kind, text) in cases {
        let err = db.run(sql, &mut e).unwrap_err();
        assert_eq!((err.kind, err.to_string().as_str()), (kind, text), "{sql}");
        assert_eq!(pages(&db), before, "{sql}");
        assert_eq!(db.wal_end(), wal);
    }
    db.check_invariants().unwrap();
}

/// InnoDB's statement-level rollback (a session set to `OnError::RollbackStatement`, as the
/// server sets MySQL-speaking ones).
#[test]
fn under_innodb_a_failed_statement_in_a_transaction_undoes_only_itself() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &[SCHEMA]);
    let mut s = Session::new();
    s.set_on_error(OnError::RollbackStatement);
    let opts = ExecOptions::default();
    db.execute(&mut s, "BEGIN", &mut e, &opts).unwrap();
    db.execute(&mut s, "INSERT INTO orders (qty) VALUES (1)", &mut e, &opts)
        .unwrap();
    db.execute(
        &mut s,
        "INSERT INTO orders (id, qty) VALUES (5, 1), (1, 1)",
        &mut e,
        &opts,
    )
    .unwrap_err();
    let sel = db
        .execute(&mut s, "SELECT id FROM orders", &mut e, &opts)
        .unwrap();
    assert_eq!(
        sel.result.unwrap().rows,
        vec![vec![Value::Integer(1)]],
        "reads its own writes, not the failed ones"
    );
    assert!(
        db.rows("orders").unwrap().is_empty(),
        "nothing durable before COMMIT"
    );
    let c = db.execute(&mut s, "COMMIT", &mut e, &opts).unwrap();
    let commit = c.commit.unwrap();
    assert_eq!(commit.row_changes.len(), 1);
    assert_eq!(db.rows("orders").unwrap().len(), 1);
    assert!(commit.changes.start < commit.changes.end);
    assert_eq!(commit.changes.end, db.wal_end());
}

/// PostgreSQL (a session's default): the failed statement aborts the whole transaction;
/// only COMMIT (which rolls back) or ROLLBACK end the block.
#[test]
fn under_postgresql_a_failed_statement_aborts_the_transaction() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &[SCHEMA]);
    let (before, wal) = (pages(&db), db.wal_end());
    let mut s = Session::new();
    assert_eq!(s.on_error(), OnError::AbortTransaction);
    let opts = ExecOptions::default();
    db.execute(&mut s, "BEGIN", &mut e, &opts).unwrap();
    db.execute(&mut s, "INSERT INTO orders (qty) VALUES (1)", &mut e, &opts)
        .unwrap();
    let err = db
        .execute(
            &mut s,
            "INSERT INTO orders (id, qty) VALUES (5, 1), (1, 1)",
            &mut e,
            &opts,
        )
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::DuplicateKey);
    assert!(s.aborted());
    let err = db
        .execute(&mut s, "SELECT id FROM orders", &mut e, &opts)
        .unwrap_err();
    assert_eq!(
        (err.kind, err.to_string().as_str()),
        (
            ErrorKind::TransactionAborted,
            "current transaction is aborted, commands ignored until end of transaction block"
        )
    );
    let c = db.execute(&mut s, "COMMIT", &mut e, &opts).unwrap();
    assert_eq!(c.kind, StatementKind::Rollback);
    assert!(c.commit.is_none());
    assert!(db.rows("orders").unwrap().is_empty(), "nothing committed");
    assert_eq!((pages(&db), db.wal_end()), (before, wal));
}

#[test]
fn rollback_leaves_pages_unchanged() {
    let mut db = node(FormatVersion::V17);
    let mut e = env(1);
    run_all(&mut db, &mut e, &WORKLOAD[..2]);
    let before = pages(&db);
    let mut s = Session::new();
    let opts = ExecOptions::default();
    for sql in [
        "START TRANSACTION",
        "INSERT INTO orders (qty) VALUES (5), (6), (7), (8)",
        "DELETE FROM orders",
        "ROLLBACK",
    ] {
        db.execute(&mut s, sql, &mut e, &opts).unwrap();
    }
    assert_eq!(pages(&db), before);
    assert!(!s.in_transaction());
}

/// Two sessions writing different rows both commit (row-level locking, as PostgreSQL and
/// InnoDB do); the old first-committer-wins abort is gone. The ids handed out differ.
#[test]
fn overlapping_sessions_on_different_rows_both_commit() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &[SCHEMA]);
    let (mut s1, opts) = (Session::new(), ExecOptions::default());
    db.execute(&mut s1, "BEGIN", &mut e, &opts).unwrap();
    let first = db
        .execute(
            &mut s1,
            "INSERT INTO orders (qty) VALUES (1)",
            &mut e,
            &opts,
        )
        .unwrap();
    let second = db
        .run("INSERT INTO orders (qty) VALUES (2)", &mut e)
        .unwrap();
    assert_ne!(first.context.insert_id, second.context.insert_id);
    let commit = db.execute(&mut s1, "COMMIT", &mut e, &opts).unwrap();
    assert!(commit.commit.is_some());
    assert_eq!(db.rows("orders").unwrap().len(), 2);
    db.check_invariants().unwrap();
}

#[test]
fn replaying_page_changes_reproduces_the_leader_byte_for_byte() {
    let mut leader = node(FormatVersion::V16);
    let mut follower = node(FormatVersion::V16);
    let mut e = env(1);
    for sql in WORKLOAD {
        let r = leader.run(sql, &mut e).unwrap();
        if let Some(c) = r.commit {
            follower.apply(&c.changes).unwrap();
            assert!(compare_pages(&leader, &follower).identical(), "{}", r.sql);
        }
    }
    assert_eq!(follower.wal_end(), leader.wal_end());
    assert!(compare_rows(&leader, &follower).identical());
    follower.check_invariants().unwrap();
    // A V17 node refuses V16 WAL.
    let mut other = node(FormatVersion::V17);
    let r = leader
        .run("INSERT INTO orders (qty) VALUES (1)", &mut env(3))
        .unwrap();
    let err = other.apply(&r.commit.unwrap().changes).unwrap_err();
    assert_eq!(
        err.to_string(),
        "WAL from a V16 database cannot be replayed on a V17 database"
    );
}

#[test]
fn applying_row_changes_to_v17_gives_identical_rows_but_different_pages() {
    let mut leader = node(FormatVersion::V16);
    let mut follower = node(FormatVersion::V17);
    let mut e = env(1);
    let reports = run_all(&mut leader, &mut e, WORKLOAD);
    follower.run(SCHEMA, &mut env(5)).unwrap();
    for r in &reports {
        if let Some(c) = &r.commit {
            assert!(c.ddl.is_empty() || r.kind == StatementKind::CreateTable);
            for rc in &c.row_changes {
                follower.apply_row_change(rc).unwrap();
            }
        }
    }
    assert!(
        compare_rows(&leader, &follower).identical(),
        "{:?}",
        compare_rows(&leader, &follower)
    );
    assert!(!compare_pages(&leader, &follower).identical());
    assert_eq!(
        leader.next_auto_increment("orders"),
        follower.next_auto_increment("orders")
    );
    follower.check_invariants().unwrap();
}

#[test]
fn missing_replicated_column_is_reported_in_postgres_words() {
    let mut leader = node(FormatVersion::V16);
    let mut follower = node(FormatVersion::V16);
    let mut e = env(1);
    leader
        .run("CREATE TABLE t1 (id INT PRIMARY KEY, a INT)", &mut e)
        .unwrap();
    follower
        .run("CREATE TABLE t1 (id INT PRIMARY KEY)", &mut e)
        .unwrap();
    let r = leader.run("INSERT INTO t1 VALUES (1, 2)", &mut e).unwrap();
    let err = follower.apply_row_change(&r.row_changes[0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "logical replication target relation \"public.t1\" is missing replicated column: \"a\""
    );
    assert_eq!(err.kind, ErrorKind::Replication);
}

#[test]
fn after_a_checkpoint_the_next_change_is_a_full_page_image() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &WORKLOAD[..2]);
    let r = db
        .run("UPDATE orders SET qty = 5 WHERE id = 1", &mut e)
        .unwrap();
    assert!(r
        .commit
        .unwrap()
        .changes
        .records
        .iter()
        .all(|rec| !rec.change.is_full_page()));
    let cp = db.checkpoint();
    let r = db
        .run("UPDATE orders SET qty = 6 WHERE id = 1", &mut e)
        .unwrap();
    let changes = r.commit.unwrap().changes;
    assert!(changes.start > cp);
    assert!(matches!(&changes.records[..], [rec] if rec.change.is_full_page()));
    let r = db
        .run("UPDATE orders SET qty = 7 WHERE id = 1", &mut e)
        .unwrap();
    let records = r.commit.unwrap().changes.records;
    assert!(records
        .iter()
        .all(|rec| matches!(rec.change, PageChange::Write { .. })));
    let written: usize = records
        .iter()
        .map(|rec| match &rec.change {
            PageChange::Write { bytes, .. } => bytes.len(),
            _ => 0,
        })
        .sum();
    assert!(
        written < 40,
        "an in-place update writes a few bytes, not the page: {written}"
    );
}

#[test]
fn delete_with_limit_and_no_order_by_is_flagged_unsafe() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &WORKLOAD[..2]);
    let r = db.run("DELETE FROM orders LIMIT 1", &mut e).unwrap();
    assert_eq!(r.unsafe_reasons, vec![UnsafeReason::LimitWithoutOrderBy]);
    assert_eq!(r.warning(), Some(MYSQL_UNSAFE_LIMIT));
    assert!(MYSQL_UNSAFE_LIMIT.ends_with(
        "The statement is unsafe because it uses a LIMIT clause. This is unsafe because the set of rows included cannot be predicted."
    ));
    let r = db
        .run("DELETE FROM orders ORDER BY id DESC LIMIT 1", &mut e)
        .unwrap();
    assert!(r.unsafe_reasons.is_empty());
    assert_eq!(r.row_changes[0].key, Value::Integer(3));
}

#[test]
fn reports_carry_what_replication_needs() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    let r = db.run(SCHEMA, &mut e).unwrap();
    assert_eq!(r.kind, StatementKind::CreateTable);
    assert_eq!(r.ddl.as_ref().unwrap().schema.name, "orders");
    let r = db
        .run("INSERT INTO orders (qty) VALUES (1), (2)", &mut e)
        .unwrap();
    assert_eq!(
        (
            r.rows_affected,
            r.context.insert_id,
            r.context.generated_ids.clone()
        ),
        (2, Some(1), vec![1, 2])
    );
    assert!(
        r.context.timestamp.is_some(),
        "DEFAULT NOW() takes the statement timestamp"
    );
    assert_eq!(r.row_changes[1].op, RowOp::Insert);
    let r = db
        .run("UPDATE orders SET qty = 3 WHERE id = 2", &mut e)
        .unwrap();
    let rc = &r.row_changes[0];
    assert_eq!(rc.before.as_ref().unwrap()[2], Value::Integer(2));
    assert_eq!(rc.after.as_ref().unwrap()[2], Value::Integer(3));
    assert_eq!(
        rc.minimal().after,
        vec![("qty".to_string(), Value::Integer(3))]
    );
    let c = r.commit.unwrap();
    assert!(c
        .changes
        .records
        .iter()
        .all(|rec| rec.lsn >= c.changes.start && rec.lsn < c.changes.commit_lsn));
    assert_eq!(c.changes.start.to_string().len(), "0/01000000".len());
    let r = db
        .run(
            "SELECT id, qty * 2 AS double, status FROM orders WHERE qty > 0 ORDER BY double DESC",
            &mut e,
        )
        .unwrap();
    let rs = r.result.unwrap();
    assert_eq!(rs.columns, vec!["id", "double", "status"]);
    assert_eq!(
        rs.rows[0],
        vec![
            Value::Integer(2),
            Value::Integer(6),
            Value::Text("new".into())
        ]
    );
    assert!(r.commit.is_none());
}

#[test]
fn unsupported_sql_gets_a_clear_message() {
    let mut db = node(FormatVersion::V16);
    let mut e = env(1);
    run_all(&mut db, &mut e, &[SCHEMA]);
    let err = db
        .run(
            "SELECT status, COUNT(*) FROM orders GROUP BY status",
            &mut e,
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "aggregate function COUNT() is not supported by the lab engine at 1:16"
    );
    let err = db.run("CREATE TABLE t (a INT)", &mut e).unwrap_err();
    assert_eq!(
        err.to_string(),
        "a table without a PRIMARY KEY is not supported by the lab engine at 1:14"
    );
}

/// `WHERE key = v AND ...` visits only the row with key `v` (through the key index). That must
/// be unobservable: the same results, row changes, context values, errors, pages and random
/// draws as the same filter evaluated on every row (`(...) OR FALSE` defeats the index).
#[test]
fn a_key_lookup_in_an_and_chain_behaves_like_a_scan() {
    let rests = [
        "qty > 5",
        "RAND() > 0.5",
        "token = UUID()",
        "qty / 0 = 1",
        "status + 1 = 2",
        "qty IS NULL AND RAND() < 0.9",
        "NOW() > created_at",
    ];
    let mut cases = 0;
    for format in [FormatVersion::V16, FormatVersion::V17] {
        for key in ["1", "3", "4", "99", "NULL", "'4'"] {
            for (rest, key_first) in rests.iter().flat_map(|r| [(r, true), (r, false)]) {
                let filter = if key_first {
                    format!("id = {key} AND {rest}")
                } else {
                    // Not a key lookup: the key test comes after the rest.
                    format!("{rest} AND id = {key}")
                };
                for template in [
                    "SELECT id, qty, RAND() AS r FROM orders WHERE {f} ORDER BY qty",
                    "UPDATE orders SET qty = qty + 1, token = UUID() WHERE {f}",
                    "UPDATE orders SET status = 'x' WHERE {f} ORDER BY id DESC LIMIT 1",
                    "DELETE FROM orders WHERE {f}",
                ] {
                    let mut fast_db = node(format);
                    let mut fast_env = env(5);
                    run_all(&mut fast_db, &mut fast_env, WORKLOAD);
                    let (mut slow_db, mut slow_env) = (fast_db.clone(), fast_env.clone());
                    let fast_sql = template.replace("{f}", &filter);
                    let slow_sql = template.replace("{f}", &format!("({filter}) OR FALSE"));
                    let fast = fast_db.run(&fast_sql, &mut fast_env);
                    let slow = slow_db.run(&slow_sql, &mut slow_env);
                    match (&fast, &slow) {
                        (Ok(a), Ok(b)) => {
                            assert_eq!(a.rows_affected, b.rows_affected, "{fast_sql}");
                            assert_eq!(a.result, b.result, "{fast_sql}");
                            assert_eq!(a.context, b.context, "{fast_sql}");
                            assert_eq!(a.row_changes, b.row_changes, "{fast_sql}");
                            assert_eq!(a.unsafe_reasons, b.unsafe_reasons, "{fast_sql}");
                        }
                        (Err(a), Err(b)) => {
                            assert_eq!((a.kind, &a.message), (b.kind, &b.message), "{fast_sql}")
                        }
                        _ => panic!("{fast_sql}: {fast:?} but a scan gives {slow:?}"),
                    }
                    assert_eq!(pages(&fast_db), pages(&slow_db), "{fast_sql}");
                    let next = |db: &mut Database, e: &mut SeededEnv| {
                        db.run("SELECT RAND() AS r, UUID() AS u", e)
                            .map(|r| r.result)
                            .ok()
                    };
                    assert_eq!(
                        next(&mut fast_db, &mut fast_env),
                        next(&mut slow_db, &mut slow_env),
                        "{fast_sql}: the statements drew differently"
                    );
                    fast_db.check_invariants().expect("invariants");
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 600);
}

#[test]
fn a_read_only_transaction_commits_even_if_another_session_committed_meanwhile() {
    use replication_lab::engine::{Database, ExecOptions, FormatVersion, SeededEnv, Session};
    let mut db = Database::new(FormatVersion::V16);
    let mut env = SeededEnv::new(1, 0);
    db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", &mut env)
        .expect("create");
    let mut reader = Session::new();
    let opts = ExecOptions::default();
    db.execute(&mut reader, "BEGIN", &mut env, &opts)
        .expect("begin");
    db.execute(&mut reader, "SELECT * FROM t", &mut env, &opts)
        .expect("select");
    db.run("INSERT INTO t VALUES (1, 'replayed meanwhile')", &mut env)
        .expect("another commit");
    let commit = db
        .execute(&mut reader, "COMMIT", &mut env, &opts)
        .expect("a read-only COMMIT never conflicts");
    assert!(commit.commit.is_none());
}
