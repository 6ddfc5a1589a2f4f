//! `ALTER TABLE … ADD COLUMN` / `DROP COLUMN` in the lab engine: rows in the new shape,
//! PostgreSQL's errors, pages and derived state consistent, a WAL follower byte-identical, and
//! a logical follower that cannot see the DDL.

use replication_lab::engine::{
    compare_pages, Database, ErrorKind, FormatVersion, PageKind, SeededEnv, StatementKind, Value,
};

fn env() -> SeededEnv {
    SeededEnv::new(5, 1_764_149_467_104_211)
}

/// A table of `n` rows with longish text, so it spans several pages.
fn orders(format: FormatVersion, n: i64) -> Database {
    let mut db = Database::new(format);
    let mut env = env();
    db.run(
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL DEFAULT 'new', qty INTEGER)",
        &mut env,
    )
    .unwrap();
    for i in 1..=n {
        db.run(
            &format!("INSERT INTO orders VALUES ({i}, 'status of order number {i}', {i})"),
            &mut env,
        )
        .unwrap();
    }
    db
}

fn error(db: &mut Database, sql: &str) -> (ErrorKind, String) {
    let e = db.run(sql, &mut env()).expect_err(sql);
    (e.kind, e.message)
}

#[test]
fn add_column_gives_existing_rows_the_default_or_null() {
    for format in [FormatVersion::V16, FormatVersion::V17] {
        let mut db = orders(format, 40);
        let pages_before = db.page_count();
        let r = db
            .run(
                "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT 'none yet, and long enough to make rows move'",
                &mut env(),
            )
            .unwrap();
        assert_eq!(r.kind, StatementKind::AlterTable);
        let ddl = r.ddl.as_ref().expect("ALTER reports its DDL");
        assert_eq!(ddl.schema.column_names(), ["id", "status", "qty", "note"]);
        assert!(r.commit.as_ref().is_some_and(|c| c.ddl.len() == 1));
        db.run("ALTER TABLE orders ADD flag BOOLEAN", &mut env())
            .unwrap();
        let rows = db.rows("orders").unwrap();
        assert_eq!(rows.len(), 40);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row[0], Value::Integer(i as i64 + 1));
            assert_eq!(
                row[3],
                Value::Text("none yet, and long enough to make rows move".into())
            );
            assert_eq!(row[4], Value::Null);
        }
        // The rows grew: some had to move to new pages.
        assert!(db.page_count() > pages_before, "{format}");
        db.check_invariants().unwrap();
        // New inserts see the new columns; the default applies.
        db.run("INSERT INTO orders (id, qty) VALUES (100, 1)", &mut env())
            .unwrap();
        assert_eq!(
            db.row("orders", &Value::Integer(100)).unwrap(),
            vec![
                Value::Integer(100),
                Value::Text("new".into()),
                Value::Integer(1),
                Value::Text("none yet, and long enough to make rows move".into()),
                Value::Null
            ]
        );
        db.check_invariants().unwrap();
    }
}

#[test]
fn drop_column_removes_it_from_every_row() {
    let mut db = orders(FormatVersion::V16, 30);
    let r = db
        .run("ALTER TABLE orders DROP COLUMN status", &mut env())
        .unwrap();
    assert_eq!(r.kind, StatementKind::AlterTable);
    assert_eq!(db.schema("orders").unwrap().column_names(), ["id", "qty"]);
    let rows = db.rows("orders").unwrap();
    assert_eq!(rows.len(), 30);
    assert_eq!(rows[4], vec![Value::Integer(5), Value::Integer(5)]);
    db.check_invariants().unwrap();
    // A key after the dropped column keeps working.
    let mut db2 = Database::new(FormatVersion::V17);
    db2.run(
        "CREATE TABLE t (a TEXT, id INTEGER PRIMARY KEY, b INTEGER)",
        &mut env(),
    )
    .unwrap();
    db2.run(
        "INSERT INTO t VALUES ('x', 1, 10), ('y', 2, 20)",
        &mut env(),
    )
    .unwrap();
    db2.run("ALTER TABLE t DROP a", &mut env()).unwrap();
    assert_eq!(db2.schema("t").unwrap().primary_key, 0);
    db2.run("UPDATE t SET b = 21 WHERE id = 2", &mut env())
        .unwrap();
    assert_eq!(
        db2.rows("t").unwrap(),
        vec![
            vec![Value::Integer(1), Value::Integer(10)],
            vec![Value::Integer(2), Value::Integer(21)]
        ]
    );
    db2.check_invariants().unwrap();
    // SELECT of the dropped column fails like any unknown column.
    assert_eq!(
        error(&mut db2, "SELECT a FROM t").0,
        ErrorKind::UnknownColumn
    );
}

#[test]
fn alter_errors_are_postgresql_s_and_change_nothing() {
    let mut db = orders(FormatVersion::V16, 3);
    let before: Vec<Vec<u8>> = (0..db.page_count())
        .map(|n| db.page(n).unwrap().to_vec())
        .collect();
    assert_eq!(
        error(&mut db, "ALTER TABLE orders ADD COLUMN qty INTEGER"),
        (
            ErrorKind::DuplicateColumn,
            "column \"qty\" of relation \"orders\" already exists".into()
        )
    );
    assert_eq!(
        error(&mut db, "ALTER TABLE orders DROP COLUMN note"),
        (
            ErrorKind::UnknownColumn,
            "column \"note\" of relation \"orders\" does not exist".into()
        )
    );
    assert_eq!(
        error(&mut db, "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL"),
        (
            ErrorKind::NotNull,
            "column \"note\" of relation \"orders\" contains null values".into()
        )
    );
    let (kind, message) = error(&mut db, "ALTER TABLE orders DROP COLUMN id");
    assert_eq!(kind, ErrorKind::Unsupported);
    assert!(message.contains("primary key column \"id\""), "{message}");
    assert_eq!(
        error(&mut db, "ALTER TABLE nope ADD COLUMN x TEXT").0,
        ErrorKind::UnknownTable
    );
    assert_eq!(
        error(&mut db, "ALTER TABLE orders RENAME TO o").1,
        "ALTER TABLE ... RENAME is not supported by the lab engine"
    );
    assert_eq!(
        error(
            &mut db,
            "ALTER TABLE orders ADD COLUMN a INTEGER, ADD COLUMN b INTEGER"
        )
        .1,
        "several actions in one ALTER TABLE is not supported by the lab engine"
    );
    assert_eq!(
        error(&mut db, "ALTER TABLE orders ADD COLUMN x FLOAT").0,
        ErrorKind::Unsupported
    );
    assert_eq!(
        error(&mut db, "ALTER TABLE orders ADD COLUMN id2 SERIAL").0,
        ErrorKind::Unsupported
    );
    let after: Vec<Vec<u8>> = (0..db.page_count())
        .map(|n| db.page(n).unwrap().to_vec())
        .collect();
    assert_eq!(before, after, "a failed ALTER changes no page");
    // IF [NOT] EXISTS skips quietly, as PostgreSQL does (with a NOTICE).
    db.run(
        "ALTER TABLE orders ADD COLUMN IF NOT EXISTS qty TEXT",
        &mut env(),
    )
    .unwrap();
    db.run("ALTER TABLE orders DROP COLUMN IF EXISTS note", &mut env())
        .unwrap();
    assert_eq!(
        db.schema("orders").unwrap().column_names(),
        ["id", "status", "qty"]
    );
    // On an empty table NOT NULL without a default is fine (nothing to fill).
    let mut empty = orders(FormatVersion::V16, 0);
    empty
        .run(
            "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL",
            &mut env(),
        )
        .unwrap();
    assert_eq!(
        error(&mut empty, "INSERT INTO orders (id) VALUES (1)").0,
        ErrorKind::NotNull
    );
}

#[test]
fn alter_inside_a_transaction_rolls_back_with_it() {
    let mut db = orders(FormatVersion::V17, 5);
    let mut session = replication_lab::engine::Session::new();
    let options = replication_lab::engine::ExecOptions::default();
    let mut env = env();
    for sql in [
        "BEGIN",
        "ALTER TABLE orders ADD COLUMN note TEXT DEFAULT 'x'",
        "UPDATE orders SET note = 'y' WHERE id = 2",
        "ROLLBACK",
    ] {
        db.execute(&mut session, sql, &mut env, &options).unwrap();
    }
    assert_eq!(
        db.schema("orders").unwrap().column_names(),
        ["id", "status", "qty"]
    );
    db.check_invariants().unwrap();
}

/// A WAL follower replays the ALTER as page changes and stays byte-identical, its catalog and
/// index rebuilt from the pages; many tables grow the catalog past its first page.
#[test]
fn a_wal_follower_stays_byte_identical_through_alter() {
    for format in [FormatVersion::V16, FormatVersion::V17] {
        let mut leader = Database::new(format);
        let mut follower = Database::new(format);
        let mut env = env();
        let mut run = |leader: &mut Database, follower: &mut Database, sql: &str| {
            let r = leader
                .run(sql, &mut env)
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
            if let Some(c) = r.commit {
                follower.apply(&c.changes).unwrap();
            }
            leader.check_invariants().unwrap();
            follower.check_invariants().unwrap();
            assert!(compare_pages(leader, follower).identical(), "after {sql}");
        };
        for t in 0..6 {
            run(
                &mut leader,
                &mut follower,
                &format!("CREATE TABLE t{t} (id INTEGER PRIMARY KEY, s TEXT)"),
            );
        }
        for i in 0..30 {
            run(
                &mut leader,
                &mut follower,
                &format!("INSERT INTO t1 VALUES ({i}, 'a row that takes some room {i}')"),
            );
        }
        // Grow the definition of t1 until its catalog tuple must move.
        for c in 0..6 {
            run(
                &mut leader,
                &mut follower,
                &format!("ALTER TABLE t1 ADD COLUMN col_{c} TEXT DEFAULT 'default value'"),
            );
        }
        run(&mut leader, &mut follower, "ALTER TABLE t1 DROP COLUMN s");
        run(
            &mut leader,
            &mut follower,
            "UPDATE t1 SET col_3 = 'changed' WHERE id = 7",
        );
        assert_eq!(
            follower.rows("t1").unwrap(),
            leader.rows("t1").unwrap(),
            "{format}"
        );
        assert_eq!(follower.schema("t1").unwrap().columns.len(), 7);
        let catalog_pages = (0..follower.page_count())
            .filter(|&n| follower.page_view(n).unwrap().kind() == Some(PageKind::Catalog))
            .count();
        assert!(
            catalog_pages >= 2,
            "the grown definition moved to a new catalog page"
        );
        assert_eq!(
            follower.row("t1", &Value::Integer(7)).unwrap()[4],
            Value::Text("changed".into())
        );
    }
}

/// Logical apply matches columns by name: a follower that did not get the ALTER cannot take a
/// row with the new column (PostgreSQL's error) and can once it adds it itself.
#[test]
fn a_logical_follower_needs_the_column_added_by_hand() {
    let mut leader = orders(FormatVersion::V16, 2);
    let mut follower = orders(FormatVersion::V17, 2);
    leader
        .run("ALTER TABLE orders ADD COLUMN note TEXT", &mut env())
        .unwrap();
    let r = leader
        .run(
            "INSERT INTO orders VALUES (3, 'paid', 1, 'hello')",
            &mut env(),
        )
        .unwrap();
    let rows = r.commit.unwrap().row_changes;
    let e = follower
        .apply_row_changes(&rows)
        .expect_err("missing column");
    assert_eq!(
        e.message,
        "logical replication target relation \"public.orders\" is missing replicated column: \"note\""
    );
    follower
        .run("ALTER TABLE orders ADD COLUMN note TEXT", &mut env())
        .unwrap();
    follower.apply_row_changes(&rows).unwrap();
    assert_eq!(
        follower.row("orders", &Value::Integer(3)).unwrap()[3],
        Value::Text("hello".into())
    );
    follower.check_invariants().unwrap();
}
