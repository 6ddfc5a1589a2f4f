//! What an error inside a transaction does, as each database has it. PostgreSQL aborts the
//! transaction: every later statement but COMMIT/ROLLBACK is refused (`current transaction is
//! aborted ...`), COMMIT answers `ROLLBACK`, its row locks go at once, and pg_stat_activity
//! says `idle in transaction (aborted)` — after an ordinary error, a cancelled lock wait, or
//! a deadlock. InnoDB undoes only the failed statement (the transaction goes on), fails a lock
//! wait after `innodb_lock_wait_timeout` with ERROR 1205 (only that statement), and ends the
//! whole transaction on a deadlock. Nothing of an aborted transaction reaches a follower.

mod support;

use replication_lab::replication::client::Answered;
use replication_lab::replication::config::{ClusterConfig, Method, RowImage, Timings};
use replication_lab::replication::log::Payload;
use replication_lab::replication::messages::Request;
use replication_lab::replication::render::mysql::mysql_error;
use replication_lab::sim::Time;
use support::{ms, Run};

const ABORTED: &str =
    "ERROR:  current transaction is aborted, commands ignored until end of transaction block";
const TIMEOUT: &str = "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction";

/// PostgreSQL's methods (WAL shipping, logical replication, Slony).
const POSTGRES: [Method; 3] = [
    Method::Wal,
    Method::Logical {
        image: RowImage::Full,
    },
    Method::Trigger,
];

/// MySQL's methods (statement-based, ROW with the MINIMAL image).
const MYSQL: [Method; 2] = [
    Method::Statement {
        context_events: true,
    },
    Method::Logical {
        image: RowImage::Minimal,
    },
];

fn two_clients(method: Method) -> ClusterConfig {
    let mut config = ClusterConfig::standard(method, 2);
    config.clients.push("client-2".into());
    config
}

/// Two orders, committed and replicated before the lesson starts.
fn with_two_orders(config: &ClusterConfig, seed: u64) -> Run {
    let mut run = Run::new(config, seed);
    run.sql(
        ms(10),
        "client-1",
        "INSERT INTO orders (status, note) VALUES ('new', 'one')",
    )
    .sql(
        ms(20),
        "client-1",
        "INSERT INTO orders (status, note) VALUES ('new', 'two')",
    );
    run
}

/// The answers to `sql` from `client`, in order (a statement may be sent more than once).
fn answers<'a>(run: &'a Run, client: &str, sql: &str) -> Vec<&'a Answered> {
    run.answers(client)
        .iter()
        .filter(|a| a.sql == sql)
        .collect()
}

fn state(run: &Run, client: &str) -> &'static str {
    run.server("leader")
        .activity()
        .into_iter()
        .find(|a| a.client == client)
        .unwrap_or_else(|| panic!("{client} has no session on the leader"))
        .state
}

/// (id, status) of each order on `server`.
fn statuses(run: &Run, server: &str) -> Vec<(String, String)> {
    run.rows(server, "orders")
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect()
}

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

fn assert_followers_equal_leader(run: &Run, what: &str) {
    let leader = run.rows("leader", "orders");
    for follower in ["follower-1", "follower-2"] {
        assert_eq!(run.rows(follower, "orders"), leader, "{what}: {follower}");
    }
}

/// The SQL texts in the leader's statement log.
fn logged_statements(run: &Run) -> Vec<String> {
    run.server("leader")
        .disk
        .log
        .iter()
        .flat_map(|e| match &e.payload {
            Payload::Statements(s) => s.iter().map(|s| s.sql.clone()).collect(),
            _ => vec![],
        })
        .collect()
}

#[test]
fn postgresql_aborts_the_transaction_at_an_error_and_commit_rolls_it_back() {
    for method in POSTGRES {
        let name = method.name();
        let mut run = with_two_orders(&two_clients(method), 81);
        let dup = "INSERT INTO orders (id, status) VALUES (2, 'dup')";
        run.sql(ms(200), "client-1", "BEGIN")
            .sql(
                ms(210),
                "client-1",
                "UPDATE orders SET status = 'paid' WHERE id = 1",
            )
            .sql(ms(220), "client-1", dup);
        run.run_until(ms(250));
        let log_before = run.server("leader").disk.log.len();
        assert!(
            run.error_text("client-1", dup)
                .starts_with("ERROR:  duplicate key"),
            "{name}: {}",
            run.error_text("client-1", dup)
        );
        assert_eq!(
            state(&run, "client-1"),
            "idle in transaction (aborted)",
            "{name}"
        );
        let later = "UPDATE orders SET status = 'shipped' WHERE id = 2";
        run.sql(ms(300), "client-1", later)
            .sql(ms(310), "client-1", "SELECT status FROM orders")
            .sql(ms(320), "client-1", "COMMIT");
        run.run_until(ms(400));
        assert_eq!(run.error_text("client-1", later), ABORTED, "{name}");
        assert_eq!(
            run.error_text("client-1", "SELECT status FROM orders"),
            ABORTED,
            "{name}"
        );
        assert_eq!(
            run.ok_tag("client-1", "COMMIT"),
            "ROLLBACK",
            "{name}: COMMIT of an aborted transaction"
        );
        assert_eq!(state(&run, "client-1"), "idle", "{name}");
        assert_eq!(
            run.server("leader").disk.log.len(),
            log_before,
            "{name}: nothing logged"
        );
        // The session works again, and only that reaches the followers.
        run.sql(ms(500), "client-1", later);
        run.run_until(ms(4_000));
        let tries = answers(&run, "client-1", later);
        assert_eq!(
            tries
                .last()
                .map(|a| a.outcome.as_ref().map(|o| o.tag.as_str())),
            Some(Ok("UPDATE 1")),
            "{name}"
        );
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "new"), ("2", "shipped")]),
            "{name}: the paid update is gone"
        );
        assert_followers_equal_leader(&run, name);
    }
}

#[test]
fn an_aborted_postgresql_transaction_frees_its_rows_at_the_error() {
    let mut run = with_two_orders(&two_clients(Method::Wal), 82);
    let waits = "UPDATE orders SET status = 'B' WHERE id = 1";
    run.sql(ms(200), "client-1", "BEGIN")
        .sql(
            ms(210),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 1",
        )
        .sql(ms(220), "client-2", waits)
        .sql(ms(300), "client-1", "SELECT nope FROM orders")
        .sql(ms(600), "client-1", "ROLLBACK");
    run.run_until(ms(2_000));
    assert!(run
        .error_text("client-1", "SELECT nope FROM orders")
        .starts_with("ERROR:  "));
    // PostgreSQL's AbortTransaction releases the locks at the error: the waiter goes on then,
    // not at the ROLLBACK.
    let waited = run.answer_to("client-2", waits);
    assert_eq!(run.ok_tag("client-2", waits), "UPDATE 1");
    assert!(
        waited.answered_at >= ms(300) && waited.answered_at < ms(600),
        "answered at {}",
        waited.answered_at
    );
    assert_eq!(run.ok_tag("client-1", "ROLLBACK"), "ROLLBACK");
    assert_eq!(statuses(&run, "leader"), pairs(&[("1", "B"), ("2", "new")]));
    assert_followers_equal_leader(&run, "WAL");
    assert!(run.pages_identical("leader", "follower-1"));
}

/// client-1 holds order 1; client-2 changes order 2, then waits for order 1 and cancels.
fn cancelled_wait(method: Method) -> Run {
    let mut run = with_two_orders(&two_clients(method), 83);
    run.sql(ms(200), "client-1", "BEGIN")
        .sql(
            ms(210),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 1",
        )
        .sql(ms(220), "client-2", "BEGIN")
        .sql(
            ms(230),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 2",
        )
        .sql(
            ms(240),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 1",
        )
        .request(ms(300), "client-2", Request::Cancel);
    run.run_until(ms(350));
    run
}

#[test]
fn a_cancelled_lock_wait_aborts_a_postgresql_transaction() {
    for method in POSTGRES {
        let name = method.name();
        let mut run = cancelled_wait(method);
        assert_eq!(
            run.error_text("client-2", "UPDATE orders SET status = 'B' WHERE id = 1"),
            "ERROR:  canceling statement due to user request",
            "{name}"
        );
        assert_eq!(
            state(&run, "client-2"),
            "idle in transaction (aborted)",
            "{name}"
        );
        let again = "UPDATE orders SET status = 'B2' WHERE id = 2";
        run.sql(ms(400), "client-2", again)
            .sql(ms(410), "client-2", "COMMIT")
            .sql(ms(420), "client-1", "COMMIT");
        run.run_until(ms(4_000));
        assert_eq!(run.error_text("client-2", again), ABORTED, "{name}");
        assert_eq!(run.ok_tag("client-2", "COMMIT"), "ROLLBACK", "{name}");
        assert_eq!(run.ok_tag("client-1", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "A"), ("2", "new")]),
            "{name}: client-2's update of order 2 is gone"
        );
        assert_followers_equal_leader(&run, name);
    }
}

#[test]
fn a_cancelled_lock_wait_keeps_a_mysql_transaction() {
    for method in MYSQL {
        let name = method.name();
        let mut run = cancelled_wait(method);
        assert_eq!(
            run.error_text("client-2", "UPDATE orders SET status = 'B' WHERE id = 1"),
            "ERROR 1317 (70100): Query execution was interrupted",
            "{name}"
        );
        assert_eq!(state(&run, "client-2"), "idle in transaction", "{name}");
        run.sql(ms(400), "client-2", "COMMIT")
            .sql(ms(420), "client-1", "COMMIT");
        run.run_until(ms(4_000));
        assert_eq!(run.ok_tag("client-2", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "A"), ("2", "B")]),
            "{name}"
        );
        assert_followers_equal_leader(&run, name);
    }
}

/// client-1 and client-2 each hold one order and then want the other's: client-2 closes the
/// cycle and is the victim.
fn deadlock(method: Method) -> Run {
    let mut run = with_two_orders(&two_clients(method), 84);
    run.sql(ms(200), "client-1", "BEGIN")
        .sql(ms(210), "client-2", "BEGIN")
        .sql(
            ms(220),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 1",
        )
        .sql(
            ms(230),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 2",
        )
        .sql(
            ms(240),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 2",
        )
        .sql(
            ms(250),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 1",
        );
    run.run_until(ms(300));
    run
}

#[test]
fn a_postgresql_deadlock_victim_is_aborted_until_rollback() {
    for method in POSTGRES {
        let name = method.name();
        let mut run = deadlock(method);
        let e = run.error_text("client-2", "UPDATE orders SET status = 'B' WHERE id = 1");
        assert!(
            e.starts_with("ERROR:  deadlock detected\nDETAIL:  "),
            "{name}: {e}"
        );
        assert_eq!(
            state(&run, "client-2"),
            "idle in transaction (aborted)",
            "{name}"
        );
        let next = "INSERT INTO orders (status, note) VALUES ('new', 'after')";
        run.sql(ms(400), "client-2", next)
            .sql(ms(410), "client-2", "ROLLBACK")
            .sql(ms(420), "client-2", next)
            .sql(ms(430), "client-1", "COMMIT");
        run.run_until(ms(4_000));
        let tries = answers(&run, "client-2", next);
        assert_eq!(tries.len(), 2, "{name}");
        assert_eq!(
            tries[0].outcome.as_ref().err().map(String::as_str),
            Some(ABORTED)
        );
        assert_eq!(
            tries[1].outcome.as_ref().map(|o| o.tag.as_str()),
            Ok("INSERT 0 1"),
            "{name}: after ROLLBACK the session works"
        );
        assert_eq!(run.ok_tag("client-2", "ROLLBACK"), "ROLLBACK", "{name}");
        assert_eq!(run.ok_tag("client-1", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "A"), ("2", "A"), ("3", "new")]),
            "{name}"
        );
        assert_followers_equal_leader(&run, name);
    }
}

#[test]
fn a_mysql_deadlock_rolls_back_the_whole_transaction_and_leaves_none_open() {
    for method in MYSQL {
        let name = method.name();
        let mut run = deadlock(method);
        assert_eq!(
            run.error_text("client-2", "UPDATE orders SET status = 'B' WHERE id = 1"),
            "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
            "{name}"
        );
        assert_eq!(state(&run, "client-2"), "idle", "{name}: no transaction");
        // The next statement runs in autocommit: it commits by itself, before client-1's
        // COMMIT, and the victim's change of order 2 is not in it.
        let next = "INSERT INTO orders (status, note) VALUES ('new', 'after')";
        run.sql(ms(400), "client-2", next)
            .sql(ms(2_000), "client-1", "COMMIT");
        run.run_until(ms(1_500));
        assert_eq!(run.ok_tag("client-2", next), "INSERT 0 1", "{name}");
        assert_eq!(run.rows("follower-1", "orders").len(), 3, "{name}: shipped");
        run.run_until(ms(5_000));
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "A"), ("2", "A"), ("3", "new")]),
            "{name}"
        );
        assert_followers_equal_leader(&run, name);
        if let Method::Statement { .. } = method {
            let logged = logged_statements(&run);
            assert!(
                !logged.iter().any(|s| s.contains("'B'")),
                "{name}: {logged:?}"
            );
        }
    }
}

#[test]
fn mysql_undoes_only_the_failed_statement_and_the_transaction_goes_on() {
    for method in MYSQL {
        let name = method.name();
        let mut run = with_two_orders(&two_clients(method), 85);
        let dup = "INSERT INTO orders (id, status) VALUES (2, 'dup')";
        run.sql(ms(200), "client-1", "BEGIN")
            .sql(
                ms(210),
                "client-1",
                "UPDATE orders SET status = 'paid' WHERE id = 1",
            )
            .sql(ms(220), "client-1", dup)
            .sql(
                ms(230),
                "client-1",
                "UPDATE orders SET status = 'shipped' WHERE id = 2",
            );
        run.run_until(ms(300));
        let e = run.error_text("client-1", dup);
        assert_eq!(
            mysql_error(&e, "shop").client_line(),
            "ERROR 1062 (23000): Duplicate entry '2' for key 'orders.PRIMARY'",
            "{name}: {e}"
        );
        assert_eq!(state(&run, "client-1"), "idle in transaction", "{name}");
        run.sql(ms(300), "client-1", "COMMIT");
        run.run_until(ms(4_000));
        assert_eq!(
            run.ok_tag(
                "client-1",
                "UPDATE orders SET status = 'shipped' WHERE id = 2"
            ),
            "UPDATE 1"
        );
        assert_eq!(run.ok_tag("client-1", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "paid"), ("2", "shipped")]),
            "{name}"
        );
        assert_followers_equal_leader(&run, name);
        if let Method::Statement { .. } = method {
            let logged = logged_statements(&run);
            assert!(!logged.iter().any(|s| s.contains("dup")), "{logged:?}");
            assert_eq!(
                run.server("leader")
                    .disk
                    .log
                    .last()
                    .map(|e| match &e.payload {
                        Payload::Statements(s) => s.len(),
                        _ => 0,
                    }),
                Some(2),
                "{name}: the transaction's two updates in one entry"
            );
        }
    }
}

/// client-1 holds order 1; client-2 changes order 2, then waits for order 1 from 300 ms.
fn long_wait(config: &ClusterConfig) -> Run {
    let mut run = with_two_orders(config, 86);
    run.sql(ms(200), "client-1", "BEGIN")
        .sql(
            ms(210),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 1",
        )
        .sql(ms(220), "client-2", "BEGIN")
        .sql(
            ms(230),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 2",
        )
        .sql(
            ms(300),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE id = 1",
        );
    run
}

/// The statement failed after waiting `timeout` at the server (plus the round trip).
fn assert_waited(answered: &Answered, timeout: Time) {
    let took = answered.answered_at.saturating_sub(answered.sent_at);
    assert!(
        took >= timeout && took < timeout + ms(30),
        "answered {} after it was sent",
        took
    );
}

#[test]
fn innodb_lock_wait_timeout_fails_only_the_waiting_statement() {
    for method in MYSQL {
        let name = method.name();
        let mut config = two_clients(method);
        config.timings.innodb_lock_wait_timeout = Time::secs(1);
        let mut run = long_wait(&config);
        run.run_until(ms(1_200));
        let waits = "UPDATE orders SET status = 'B' WHERE id = 1";
        assert!(answers(&run, "client-2", waits).is_empty(), "{name}: waits");
        run.run_until(ms(1_400));
        assert_eq!(run.error_text("client-2", waits), TIMEOUT, "{name}");
        assert_waited(run.answer_to("client-2", waits), Time::secs(1));
        // innodb_rollback_on_timeout=OFF: the transaction stays open with its first update.
        assert_eq!(state(&run, "client-2"), "idle in transaction", "{name}");
        run.sql(ms(1_500), "client-2", "COMMIT")
            .sql(ms(1_600), "client-1", "COMMIT");
        run.run_until(ms(5_000));
        assert_eq!(run.ok_tag("client-2", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(run.ok_tag("client-1", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(
            statuses(&run, "leader"),
            pairs(&[("1", "A"), ("2", "B")]),
            "{name}"
        );
        assert_followers_equal_leader(&run, name);
    }
}

#[test]
fn innodb_lock_wait_timeout_defaults_to_fifty_seconds() {
    assert_eq!(Timings::default().innodb_lock_wait_timeout, Time::secs(50));
    let method = Method::Statement {
        context_events: true,
    };
    let mut run = long_wait(&two_clients(method));
    let waits = "UPDATE orders SET status = 'B' WHERE id = 1";
    run.run_until(ms(50_200));
    assert!(answers(&run, "client-2", waits).is_empty(), "waits 50 s");
    run.run_until(ms(50_400));
    assert_eq!(run.error_text("client-2", waits), TIMEOUT);
    assert_waited(run.answer_to("client-2", waits), Time::secs(50));
}

#[test]
fn postgresql_waits_for_a_row_lock_as_long_as_it_takes() {
    let mut config = two_clients(Method::Wal);
    // An InnoDB setting: PostgreSQL's lock_timeout is off by default.
    config.timings.innodb_lock_wait_timeout = Time::secs(1);
    let mut run = long_wait(&config);
    let waits = "UPDATE orders SET status = 'B' WHERE id = 1";
    run.sql(ms(3_000), "client-1", "COMMIT");
    run.run_until(ms(4_000));
    let waited = run.answer_to("client-2", waits);
    assert_eq!(run.ok_tag("client-2", waits), "UPDATE 1");
    assert!(waited.answered_at >= ms(3_000), "{}", waited.answered_at);
}
