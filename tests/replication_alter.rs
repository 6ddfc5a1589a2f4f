//! Schema changes and writable subscribers (issue 7, item 5): `ALTER TABLE` travels with the
//! statement and WAL methods and not with logical ones; a logical subscriber is an ordinary
//! database (writes and `ALTER TABLE … ADD COLUMN` run there, and a subscriber stalled on a
//! missing column resumes once it has it); physical standbys and MySQL replicas refuse writes
//! in their own words; a missing row is skipped by PostgreSQL and stops MySQL.

mod support;

use replication_lab::lab::narrate::{recent_events, History};
use replication_lab::replication::config::{ClusterConfig, Method, RowImage};
use replication_lab::replication::node::Note;
use replication_lab::sim::TraceKind;
use support::{ms, Run};

const PG_LOGICAL: Method = Method::Logical {
    image: RowImage::Full,
};
const MYSQL_ROW: Method = Method::Logical {
    image: RowImage::Minimal,
};
const MYSQL_STATEMENT: Method = Method::Statement {
    context_events: true,
};

fn insert(n: u64) -> String {
    format!("INSERT INTO orders (status, note) VALUES ('pending', 'order {n}')")
}

/// The outcome of the `n`-th answer `client` got.
fn answer(run: &Run, client: &str, n: usize) -> Result<String, String> {
    let a = run
        .answers(client)
        .get(n)
        .unwrap_or_else(|| panic!("{client} has no answer {n} (seed {})", run.seed));
    a.outcome.clone().map(|ok| ok.tag.clone())
}

fn column_names(run: &Run, server: &str) -> Vec<String> {
    run.server(server)
        .disk
        .db
        .schema("orders")
        .map(|s| s.column_names())
        .unwrap_or_default()
}

fn notes(run: &Run) -> Vec<Note> {
    run.world
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { note, .. } => Some((**note).clone()),
            _ => None,
        })
        .collect::<Vec<Note>>()
}

#[test]
fn alter_table_is_carried_by_statement_and_wal_methods() {
    for method in [MYSQL_STATEMENT, Method::Wal] {
        let mut run = Run::new(&ClusterConfig::standard(method, 2), 11);
        run.sql(ms(10), "client-1", &insert(1))
            .sql(
                ms(40),
                "client-1",
                "ALTER TABLE orders ADD COLUMN priority INTEGER NOT NULL DEFAULT 3",
            )
            .sql(
                ms(70),
                "client-1",
                "INSERT INTO orders (status, priority) VALUES ('rush', 1)",
            )
            .sql(ms(100), "client-1", "ALTER TABLE orders DROP COLUMN note");
        run.run_until(ms(1_000));
        assert_eq!(answer(&run, "client-1", 1), Ok("ALTER TABLE".into()));
        assert_eq!(answer(&run, "client-1", 3), Ok("ALTER TABLE".into()));
        for server in ["leader", "follower-1", "follower-2"] {
            assert_eq!(
                column_names(&run, server),
                ["id", "status", "created_at", "priority"],
                "{server} under {method:?}"
            );
            assert_eq!(
                run.rows(server, "orders"),
                run.rows("leader", "orders"),
                "{server} under {method:?}"
            );
            run.server(server).disk.db.check_invariants().unwrap();
        }
        let rows = run.rows("follower-1", "orders");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][3], "3", "the existing row got the default");
        assert_eq!(rows[1][3], "1");
        if method == Method::Wal {
            assert!(run.pages_identical("leader", "follower-1"));
        }
    }
}

#[test]
fn alter_table_is_not_carried_by_logical_replication() {
    let mut run = Run::new(&ClusterConfig::standard(PG_LOGICAL, 1), 12);
    run.sql(ms(10), "client-1", "ALTER TABLE orders DROP COLUMN note")
        .sql(
            ms(40),
            "client-1",
            "INSERT INTO orders (status) VALUES ('new')",
        );
    run.run_until(ms(1_000));
    assert_eq!(answer(&run, "client-1", 0), Ok("ALTER TABLE".into()));
    assert_eq!(column_names(&run, "leader"), ["id", "status", "created_at"]);
    assert_eq!(
        column_names(&run, "follower-1"),
        ["id", "status", "note", "created_at"],
        "the subscriber keeps its own schema"
    );
    // Columns match by name: the row lands, its missing column NULL.
    assert_eq!(
        run.rows("follower-1", "orders"),
        vec![vec![
            "1".to_string(),
            "new".into(),
            "NULL".into(),
            run.rows("leader", "orders")[0][2].clone()
        ]]
    );
}

/// The lesson: the leader has a column the subscriber lacks; the subscriber stalls with
/// PostgreSQL's error and retries every 5 s; `ALTER TABLE … ADD COLUMN` on the subscriber
/// lets the next retry through, and it catches up.
#[test]
fn a_stalled_subscriber_resumes_after_alter_table_add_column() {
    let mut config = ClusterConfig::standard(PG_LOGICAL, 1);
    config.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW())".into(),
    ]);
    let mut run = Run::new(&config, 13);
    for i in 0..3 {
        run.sql(ms(10 + 20 * i), "client-1", &insert(i));
    }
    run.run_until(ms(6_000));
    let stalled = run
        .server("follower-1")
        .mem
        .role
        .stalled()
        .map(str::to_string);
    assert_eq!(
        stalled.as_deref(),
        Some("ERROR:  logical replication target relation \"public.orders\" is missing replicated column: \"note\"")
    );
    assert_eq!(run.server("follower-1").disk.applied, 0);
    run.sql_on(
        ms(6_100),
        "client-1",
        "follower-1",
        "ALTER TABLE orders ADD COLUMN note TEXT",
    );
    run.run_until(ms(6_500));
    assert_eq!(answer(&run, "client-1", 3), Ok("ALTER TABLE".into()));
    // Not yet: the apply worker waits for its next retry.
    assert_eq!(run.server("follower-1").disk.applied, 0);
    run.run_until(ms(12_000));
    let follower = run.server("follower-1");
    assert_eq!(follower.mem.role.stalled(), None);
    assert_eq!(follower.disk.applied, 3);
    assert_eq!(
        column_names(&run, "follower-1"),
        ["id", "status", "created_at", "note"]
    );
    let notes: Vec<String> = run
        .rows("follower-1", "orders")
        .iter()
        .map(|r| r[3].clone())
        .collect();
    assert_eq!(notes, ["order 0", "order 1", "order 2"]);
    assert!(run.checks(PG_LOGICAL).stalled.is_empty());
    follower.disk.db.check_invariants().unwrap();
}

#[test]
fn writes_on_a_logical_subscriber_succeed_and_stay_there() {
    let mut run = Run::new(&ClusterConfig::standard(PG_LOGICAL, 1), 14);
    run.sql(ms(10), "client-1", &insert(1))
        .sql_on(
            ms(200),
            "client-1",
            "follower-1",
            "INSERT INTO orders (id, status) VALUES (100, 'local')",
        )
        .sql_on(
            ms(300),
            "client-1",
            "follower-1",
            "UPDATE orders SET status = 'edited here' WHERE id = 1",
        )
        .sql(ms(400), "client-1", &insert(2));
    run.run_until(ms(1_500));
    assert_eq!(answer(&run, "client-1", 1), Ok("INSERT 0 1".into()));
    assert_eq!(answer(&run, "client-1", 2), Ok("UPDATE 1".into()));
    let ids = |server: &str| -> Vec<String> {
        run.rows(server, "orders")
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(ids("leader"), ["1", "2"]);
    assert_eq!(ids("follower-1"), ["1", "2", "100"]);
    assert_eq!(run.rows("follower-1", "orders")[0][1], "edited here");
    assert_eq!(run.server("follower-1").disk.applied, 2);
    assert_eq!(run.server("follower-1").mem.role.stalled(), None);
}

#[test]
fn a_trigger_subscriber_takes_writes_too() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Trigger, 1), 15);
    run.sql_on(
        ms(100),
        "client-1",
        "follower-1",
        "ALTER TABLE orders ADD COLUMN local_flag BOOLEAN",
    );
    run.run_until(ms(500));
    assert_eq!(answer(&run, "client-1", 0), Ok("ALTER TABLE".into()));
    assert_eq!(
        column_names(&run, "follower-1"),
        ["id", "status", "note", "created_at", "local_flag"]
    );
}

#[test]
fn a_physical_standby_refuses_writes_as_postgresql_does() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 1), 16);
    run.sql_on(ms(100), "client-1", "follower-1", &insert(1))
        .sql_on(
            ms(200),
            "client-1",
            "follower-1",
            "ALTER TABLE orders ADD COLUMN x TEXT",
        )
        .sql_on(ms(300), "client-1", "follower-1", "SELECT id FROM orders");
    run.run_until(ms(1_000));
    assert_eq!(
        answer(&run, "client-1", 0),
        Err("ERROR:  cannot execute INSERT in a read-only transaction".into())
    );
    assert_eq!(
        answer(&run, "client-1", 1),
        Err("ERROR:  cannot execute ALTER TABLE in a read-only transaction".into())
    );
    assert_eq!(answer(&run, "client-1", 2), Ok("SELECT 0".into()));
}

#[test]
fn a_mysql_replica_refuses_writes_with_error_1290() {
    for method in [MYSQL_STATEMENT, MYSQL_ROW] {
        let mut run = Run::new(&ClusterConfig::standard(method, 1), 17);
        run.sql_on(ms(100), "client-1", "follower-1", &insert(1))
            .sql_on(
                ms(200),
                "client-1",
                "follower-1",
                "ALTER TABLE orders ADD COLUMN x TEXT",
            );
        run.run_until(ms(1_000));
        let refusal = "ERROR 1290 (HY000): The MySQL server is running with the --super-read-only option so it cannot execute this statement";
        assert_eq!(
            answer(&run, "client-1", 0),
            Err(refusal.into()),
            "{method:?}"
        );
        assert_eq!(
            answer(&run, "client-1", 1),
            Err(refusal.into()),
            "{method:?}"
        );
        assert!(run.rows("follower-1", "orders").is_empty());
    }
}

/// PostgreSQL skips an UPDATE or DELETE whose row the subscriber does not have, and 18 logs
/// the conflict; replication carries on.
#[test]
fn postgresql_skips_a_missing_row_and_logs_the_conflict() {
    let mut run = Run::new(&ClusterConfig::standard(PG_LOGICAL, 1), 18);
    run.sql(ms(10), "client-1", &insert(1))
        .sql(ms(30), "client-1", &insert(2))
        .sql_on(
            ms(300),
            "client-1",
            "follower-1",
            "DELETE FROM orders WHERE id = 1",
        )
        .sql(
            ms(500),
            "client-1",
            "UPDATE orders SET status = 'shipped' WHERE id = 1",
        )
        .sql(ms(600), "client-1", "DELETE FROM orders WHERE id = 1")
        .sql(ms(700), "client-1", &insert(3));
    run.run_until(ms(2_000));
    assert_eq!(answer(&run, "client-1", 2), Ok("DELETE 1".into()));
    let follower = run.server("follower-1");
    assert_eq!(
        follower.mem.role.stalled(),
        None,
        "PostgreSQL does not stop"
    );
    assert_eq!(follower.disk.applied, 5);
    let ids: Vec<String> = run
        .rows("follower-1", "orders")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, ["2", "3"]);
    let missing: Vec<(u64, Vec<String>)> = notes(&run)
        .into_iter()
        .filter_map(|n| match n {
            Note::RowMissing {
                node,
                index,
                change,
                full_identity,
            } => {
                assert_eq!(node, "follower-1");
                assert!(full_identity);
                Some((
                    index,
                    replication_lab::engine::pg_missing_row_log(&change, full_identity),
                ))
            }
            _ => None,
        })
        .collect();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert_eq!(missing[0].0, 3);
    assert_eq!(
        missing[0].1[0],
        "LOG:  conflict detected on relation \"public.orders\": conflict=update_missing"
    );
    assert_eq!(
        missing[0].1[1],
        "DETAIL:  Could not find the row to be updated."
    );
    assert!(
        missing[0].1[2].starts_with("Remote tuple (1, shipped, order 1, ")
            && missing[0].1[2].contains("; replica identity full (1, pending, order 1, "),
        "{}",
        missing[0].1[2]
    );
    assert_eq!(
        missing[1].1[0],
        "LOG:  conflict detected on relation \"public.orders\": conflict=delete_missing"
    );
    assert_eq!(
        missing[1].1[1],
        "DETAIL:  Could not find the row to be deleted."
    );
    assert!(missing[1].1[2].starts_with("Replica identity full (1, shipped, order 1, "));
    // The event log says so.
    let mut history = History::default();
    history.catch_up(&run.world);
    let events = recent_events(&history, &run.world, PG_LOGICAL, 200);
    assert!(
        events.iter().any(|e| e.text
            == "follower-1 skipped a change whose row it does not have: conflict detected on relation \"public.orders\": conflict=update_missing"),
        "{:?}",
        events.iter().map(|e| &e.text).collect::<Vec<_>>()
    );
}

/// MySQL's row-based applier stops on an Update_rows event whose row is missing (error 1032)
/// and stays stopped.
#[test]
fn mysql_row_stops_on_a_missing_row_with_error_1032() {
    for (op, sql, event) in [
        (
            "update",
            "UPDATE orders SET status = 'shipped' WHERE id = 7",
            "Update_rows",
        ),
        ("delete", "DELETE FROM orders WHERE id = 7", "Delete_rows"),
    ] {
        let mut config = ClusterConfig::standard(MYSQL_ROW, 1);
        // The source has a row its replica never got.
        let mut leader_schema = config.schema.clone();
        leader_schema.push("INSERT INTO orders (id, status) VALUES (7, 'new')".into());
        config.servers[0].schema = Some(leader_schema);
        let mut run = Run::new(&config, 19);
        run.sql(ms(10), "client-1", &insert(1))
            .sql(ms(100), "client-1", sql)
            .sql(ms(200), "client-1", &insert(2));
        run.run_until(ms(12_000));
        assert_eq!(
            run.rows("leader", "orders").len(),
            if op == "update" { 3 } else { 2 }
        );
        let error = format!(
            "Could not execute {event} event on table shop.orders; Can't find record in 'orders', Error_code: 1032; handler error HA_ERR_KEY_NOT_FOUND"
        );
        let follower = run.server("follower-1");
        assert_eq!(follower.mem.role.stalled(), Some(error.as_str()), "{op}");
        assert_eq!(follower.disk.applied, 1, "{op}: stopped at the event");
        assert_eq!(run.rows("follower-1", "orders").len(), 1);
        assert!(notes(&run)
            .iter()
            .all(|n| !matches!(n, Note::RowMissing { .. })));
        assert_eq!(run.checks(MYSQL_ROW).stalled.len(), 1);
        // The SQL thread stays stopped (no retry every 5 s, unlike PostgreSQL's worker)...
        let failures = |run: &Run| {
            notes(run)
                .iter()
                .filter(|n| matches!(n, Note::ApplyFailed { .. }))
                .count()
        };
        assert_eq!(failures(&run), 1, "{op}");
        // ... until the replica restarts, when it tries (and fails) again.
        run.crash(ms(12_100), "follower-1")
            .restart(ms(12_200), "follower-1");
        run.run_until(ms(13_000));
        assert_eq!(failures(&run), 2, "{op}");
        assert_eq!(
            run.server("follower-1").mem.role.stalled(),
            Some(error.as_str())
        );
    }
}

/// Slony does not carry DDL either: a column added on the origin stalls the subscriber until
/// it is added there too, then the applier's next round goes through.
#[test]
fn a_trigger_subscriber_resumes_after_the_column_is_added_there() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Trigger, 1), 21);
    run.sql(
        ms(10),
        "client-1",
        "ALTER TABLE orders ADD COLUMN priority INTEGER",
    )
    .sql(
        ms(50),
        "client-1",
        "INSERT INTO orders (status, priority) VALUES ('rush', 1)",
    );
    run.run_until(ms(1_500));
    assert_eq!(answer(&run, "client-1", 0), Ok("ALTER TABLE".into()));
    assert!(run.rows("follower-1", "orders").is_empty());
    let failed = notes(&run).into_iter().any(|n| {
        matches!(n, Note::ApplyFailed { node, error, .. } if node == "follower-1"
            && error.contains("is missing replicated column: \"priority\""))
    });
    assert!(failed, "the subscriber could not apply the row");
    run.sql_on(
        ms(1_600),
        "client-1",
        "follower-1",
        "ALTER TABLE orders ADD COLUMN priority INTEGER",
    );
    run.run_until(ms(4_000));
    assert_eq!(answer(&run, "client-1", 2), Ok("ALTER TABLE".into()));
    assert_eq!(
        run.rows("follower-1", "orders"),
        run.rows("leader", "orders"),
        "caught up once the column exists"
    );
    assert_eq!(run.rows("follower-1", "orders").len(), 1);
}

/// A follower that joins after an ALTER gets the table as it is now, under every method that
/// streams (the base backup carries the schema: pages, or `CREATE TABLE` in its new shape).
#[test]
fn a_follower_joining_after_alter_gets_the_new_shape() {
    for method in [MYSQL_STATEMENT, Method::Wal, PG_LOGICAL] {
        let mut config = ClusterConfig::standard(method, 1);
        let mut spare = replication_lab::replication::config::ServerSpec::new("follower-2");
        spare.starts_streaming = false;
        config.servers.push(spare);
        let mut run = Run::new(&config, 22);
        run.sql(ms(10), "client-1", &insert(1))
            .sql(
                ms(30),
                "client-1",
                "ALTER TABLE orders ADD COLUMN priority INTEGER DEFAULT 5",
            )
            .sql(
                ms(60),
                "client-1",
                "INSERT INTO orders (status, priority) VALUES ('rush', 1)",
            )
            .request(
                ms(100),
                "follower-2",
                replication_lab::replication::messages::Request::Join,
            )
            .sql(ms(150), "client-1", &insert(3));
        run.run_until(ms(3_000));
        assert_eq!(
            column_names(&run, "follower-2"),
            ["id", "status", "note", "created_at", "priority"],
            "{method:?}"
        );
        assert_eq!(
            run.rows("follower-2", "orders"),
            run.rows("leader", "orders"),
            "{method:?}"
        );
        assert_eq!(run.rows("leader", "orders").len(), 3);
    }
}

/// A write on a Slony subscriber is a local commit there: it is answered as one (it waited
/// for nothing and replicates nowhere), unlike a write on the origin, whose changelog rows the
/// applier polls later.
#[test]
fn a_write_on_a_trigger_subscriber_is_answered_as_a_local_commit() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Trigger, 1), 17);
    run.sql(ms(100), "client-1", &insert(1)).sql_on(
        ms(300),
        "client-1",
        "follower-1",
        "INSERT INTO orders (id, status, note) VALUES (50, 'local', 'subscriber only')",
    );
    run.run_until(ms(1_500));
    let answers = run.answers("client-1");
    let on_origin = answers[0].outcome.as_ref().expect("the origin's insert");
    assert_eq!(
        on_origin.waited_for.as_deref(),
        Some(
            "nothing: trigger-based replication is asynchronous (the applier polls the changelog)"
        )
    );
    let on_subscriber = answers[1]
        .outcome
        .as_ref()
        .expect("the subscriber's insert");
    assert_eq!(on_subscriber.tag, "INSERT 0 1");
    assert_eq!(
        on_subscriber.waited_for, None,
        "a local commit waits for nothing"
    );
    assert_eq!(on_subscriber.committed, None, "it is in no replication log");
    assert_eq!(on_subscriber.server, run.id("follower-1"));
    assert!(run
        .rows("follower-1", "orders")
        .iter()
        .any(|r| r[0] == "50"));
    assert!(!run.rows("leader", "orders").iter().any(|r| r[0] == "50"));
}
