//! Two clients, one leader: transactions interleave and both commit (row-level locks, READ
//! COMMITTED), a writer of a locked row waits and shows as waiting, a deadlock is reported in
//! the words of the database the method speaks, and a commit held for its synchronous standby
//! stays invisible to other sessions on the primary — while the standby already shows it.

mod support;

use replication_lab::replication::client::Answered;
use replication_lab::replication::config::{
    speaks_mysql, AckPolicy, AckStage, ClusterConfig, Method, RowImage,
};
use replication_lab::replication::messages::Request;
use replication_lab::replication::server::Activity;
use replication_lab::sim::{LinkConfig, NodeId};
use support::{ms, Run};

const METHODS: [Method; 4] = [
    Method::Wal,
    Method::Logical {
        image: RowImage::Full,
    },
    Method::Statement {
        context_events: true,
    },
    Method::Trigger,
];

fn two_clients(method: Method) -> ClusterConfig {
    let mut config = ClusterConfig::standard(method, 2);
    config.clients.push("client-2".into());
    config
}

/// The rows a SELECT answered, as text.
fn selected(run: &Run, client: &str, sql: &str) -> Vec<Vec<String>> {
    let ok = match &run.answer_to(client, sql).outcome {
        Ok(ok) => ok,
        Err(e) => panic!("{client}: {sql}: {e}"),
    };
    ok.result
        .as_ref()
        .map(|r| {
            r.rows
                .iter()
                .map(|row| row.iter().map(|v| v.to_string()).collect())
                .collect()
        })
        .unwrap_or_default()
}

fn activity(run: &Run, client: &str) -> Activity {
    run.server("leader")
        .activity()
        .into_iter()
        .find(|a| a.client == client)
        .unwrap_or_else(|| panic!("{client} has no session on the leader"))
}

/// The servers that replicate the leader's rows: followers, except under trigger-based
/// replication where the applier needs a poll to bring them.
fn followers() -> [&'static str; 2] {
    ["follower-1", "follower-2"]
}

#[test]
fn interleaved_transactions_on_different_rows_both_commit_everywhere() {
    for method in METHODS {
        let mut run = Run::new(&two_clients(method), 71);
        run.sql(
            ms(100),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'one')",
        )
        .sql(
            ms(110),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'two')",
        )
        .sql(ms(200), "client-1", "BEGIN")
        .sql(ms(210), "client-2", "BEGIN")
        .sql(
            ms(220),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'from A')",
        )
        .sql(
            ms(230),
            "client-2",
            "INSERT INTO orders (status, note) VALUES ('new', 'from B')",
        )
        .sql(
            ms(240),
            "client-1",
            "UPDATE orders SET status = 'paid' WHERE id = 1",
        )
        .sql(
            ms(250),
            "client-2",
            "UPDATE orders SET status = 'cancelled' WHERE id = 2",
        )
        .sql(ms(260), "client-1", "SELECT note FROM orders ORDER BY id")
        .sql(ms(300), "client-2", "COMMIT")
        .sql(
            ms(320),
            "client-1",
            "SELECT note FROM orders WHERE id > 2 ORDER BY id",
        )
        .sql(ms(340), "client-1", "COMMIT");
        run.run_until(ms(4_000));
        let name = method.name();
        assert_eq!(run.ok_tag("client-2", "COMMIT"), "COMMIT", "{name}");
        assert_eq!(run.ok_tag("client-1", "COMMIT"), "COMMIT", "{name}");
        // A saw only its own new row before B committed; after, B's too at READ COMMITTED
        // (PostgreSQL), but not at REPEATABLE READ (InnoDB: the snapshot of A's first SELECT).
        assert_eq!(
            selected(&run, "client-1", "SELECT note FROM orders ORDER BY id"),
            [["one"], ["two"], ["from A"]],
            "{name}"
        );
        let later: &[[&str; 1]] = match method {
            Method::Statement { .. } => &[["from A"]],
            _ => &[["from A"], ["from B"]],
        };
        assert_eq!(
            selected(
                &run,
                "client-1",
                "SELECT note FROM orders WHERE id > 2 ORDER BY id"
            ),
            later,
            "{name}"
        );
        let leader = run.rows("leader", "orders");
        let summary: Vec<(String, String, String)> = leader
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[2].clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("1".into(), "paid".into(), "one".into()),
                ("2".into(), "cancelled".into(), "two".into()),
                ("3".into(), "new".into(), "from A".into()),
                ("4".into(), "new".into(), "from B".into()),
            ],
            "{name}: distinct ids for the concurrent inserts, both updates kept"
        );
        for follower in followers() {
            assert_eq!(run.rows(follower, "orders"), leader, "{name}: {follower}");
        }
        if method == Method::Wal {
            assert!(run.pages_identical("leader", "follower-1"));
        }
    }
}

#[test]
fn the_statement_log_holds_each_transaction_whole_in_commit_order() {
    let method = Method::Statement {
        context_events: true,
    };
    let mut run = Run::new(&two_clients(method), 72);
    run.sql(ms(100), "client-1", "BEGIN")
        .sql(ms(110), "client-2", "BEGIN")
        .sql(
            ms(120),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'A1')",
        )
        .sql(
            ms(130),
            "client-2",
            "INSERT INTO orders (status, note) VALUES ('new', 'B1')",
        )
        .sql(
            ms(140),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'A2')",
        )
        .sql(
            ms(150),
            "client-2",
            "UPDATE orders SET status = 'B' WHERE note = 'B1'",
        )
        .sql(ms(200), "client-2", "COMMIT")
        .sql(ms(210), "client-1", "COMMIT");
    run.run_until(ms(3_000));
    let log = &run.server("leader").disk.log;
    let transactions: Vec<Vec<String>> = log
        .iter()
        .map(|e| match &e.payload {
            replication_lab::replication::log::Payload::Statements(s) => {
                s.iter().map(|s| s.sql.clone()).collect()
            }
            other => panic!("not a statement entry: {other:?}"),
        })
        .collect();
    assert_eq!(
        transactions,
        [
            vec![
                "INSERT INTO orders (status, note) VALUES ('new', 'B1')".to_string(),
                "UPDATE orders SET status = 'B' WHERE note = 'B1'".to_string(),
            ],
            vec![
                "INSERT INTO orders (status, note) VALUES ('new', 'A1')".to_string(),
                "INSERT INTO orders (status, note) VALUES ('new', 'A2')".to_string(),
            ],
        ]
    );
    let leader = run.rows("leader", "orders");
    assert_eq!(leader.len(), 3);
    for follower in followers() {
        assert_eq!(run.rows(follower, "orders"), leader, "{follower}");
        assert_eq!(run.differing_keys("leader", follower), 0);
    }
}

#[test]
fn a_second_writer_of_a_row_waits_shows_as_waiting_then_sees_the_first_ones_value() {
    for method in METHODS {
        let name = method.name();
        let mut run = Run::new(&two_clients(method), 73);
        let second = "UPDATE orders SET status = note WHERE id = 1";
        run.sql(
            ms(100),
            "client-1",
            "INSERT INTO orders (status, note) VALUES ('new', 'x')",
        )
        .sql(ms(200), "client-1", "BEGIN")
        .sql(
            ms(210),
            "client-1",
            "UPDATE orders SET note = 'A' WHERE id = 1",
        )
        .sql(ms(220), "client-2", second)
        .sql(ms(500), "client-1", "COMMIT");
        run.run_until(ms(400));
        assert!(
            run.answers("client-2").is_empty(),
            "{name}: the second writer is still waiting: {:?}",
            run.answers("client-2")
        );
        let waiting = activity(&run, "client-2");
        let holder = activity(&run, "client-1");
        assert_eq!(
            (waiting.state, waiting.wait_event_type, waiting.wait_event),
            ("active", Some("Lock"), Some("transactionid")),
            "{name}"
        );
        assert_eq!(waiting.query, second);
        assert_eq!(waiting.blocking_pids, [holder.pid], "{name}");
        assert_eq!(holder.state, "idle in transaction");
        let rendered = replication_lab::replication::render::activity::render_pg_stat_activity(
            &run.server("leader").activity(),
        )
        .join("\n");
        assert!(
            rendered.contains("| Lock            | transactionid | active"),
            "{rendered}"
        );
        run.run_until(ms(3_000));
        assert_eq!(run.ok_tag("client-2", second), "UPDATE 1", "{name}");
        assert!(run.answer_to("client-2", second).answered_at >= ms(500));
        let leader = run.rows("leader", "orders");
        assert_eq!(
            (leader[0][1].as_str(), leader[0][2].as_str()),
            ("A", "A"),
            "{name}: B's update saw A's value"
        );
        for follower in followers() {
            assert_eq!(run.rows(follower, "orders"), leader, "{name}: {follower}");
        }
        assert_eq!(activity(&run, "client-2").wait_event, None);
    }
}

#[test]
fn a_deadlock_is_detected_and_reported_in_the_databases_words() {
    for (method, expected) in [
        (
            Method::Wal,
            "ERROR:  deadlock detected\nDETAIL:  Process ",
        ),
        (
            Method::Statement {
                context_events: true,
            },
            "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction",
        ),
    ] {
        let name = method.name();
        let mut run = Run::new(&two_clients(method), 74);
        let a_second = "UPDATE orders SET status = 'A' WHERE id = 2";
        let b_second = "UPDATE orders SET status = 'B' WHERE id = 1";
        run.sql(ms(100), "client-1", "INSERT INTO orders (status) VALUES ('one')")
            .sql(ms(110), "client-1", "INSERT INTO orders (status) VALUES ('two')")
            .sql(ms(200), "client-1", "BEGIN")
            .sql(ms(210), "client-2", "BEGIN")
            .sql(ms(220), "client-1", "UPDATE orders SET status = 'A' WHERE id = 1")
            .sql(ms(230), "client-2", "UPDATE orders SET status = 'B' WHERE id = 2")
            .sql(ms(240), "client-1", a_second)
            .sql(ms(250), "client-2", b_second)
            .sql(ms(300), "client-1", "COMMIT")
            .sql(ms(310), "client-2", "COMMIT");
        run.run_until(ms(3_000));
        let e = run.error_text("client-2", b_second);
        assert!(e.starts_with(expected), "{name}: {e}");
        if method == Method::Wal {
            assert_eq!(e.matches("waits for ShareLock on transaction").count(), 2, "{e}");
            assert!(e.contains("\nHINT:  See server log for query details."), "{e}");
        }
        // B's transaction was rolled back, so A's waiting update went through.
        assert_eq!(run.ok_tag("client-1", a_second), "UPDATE 1", "{name}");
        let leader = run.rows("leader", "orders");
        assert_eq!(
            leader.iter().map(|r| r[1].as_str()).collect::<Vec<_>>(),
            ["A", "A"],
            "{name}"
        );
        for follower in followers() {
            assert_eq!(run.rows(follower, "orders"), leader, "{name}: {follower}");
        }
    }
}

/// follower-1 is the synchronous standby, far away (300 ms each way); follower-2 is near and
/// asynchronous.
fn far_sync_standby(ack: AckPolicy) -> Run {
    let mut config = two_clients(Method::Wal);
    config.ack = ack;
    let network = replication_lab::replication::cluster::default_network()
        .with_link(NodeId(0), NodeId(1), LinkConfig::new(ms(300)))
        .with_link(NodeId(1), NodeId(0), LinkConfig::new(ms(300)));
    Run::with_network(&config, 75, network)
}

const SYNC_WRITE: &str = "INSERT INTO orders (status, note) VALUES ('new', 'waits-for-sync')";
const LOOK: &str = "SELECT id, note FROM orders WHERE note = 'waits-for-sync'";

#[test]
fn a_commit_waiting_for_its_standby_is_invisible_on_the_primary_but_on_the_standby() {
    let mut run = far_sync_standby(AckPolicy::postgres(AckStage::Flush, "follower-1"));
    run.sql(ms(100), "client-1", SYNC_WRITE)
        .sql_on(ms(200), "client-2", "follower-2", LOOK)
        .sql(ms(210), "client-2", LOOK)
        .sql(ms(220), "client-2", "SELECT id FROM orders");
    run.run_until(ms(300));
    assert!(run.answers("client-1").is_empty(), "the commit still waits");
    let waiting = activity(&run, "client-1");
    assert_eq!(
        (waiting.wait_event_type, waiting.wait_event, waiting.state),
        (Some("IPC"), Some("SyncRep"), "active")
    );
    assert_eq!(waiting.query, SYNC_WRITE);
    let answers = run.answers("client-2");
    assert_eq!(answers.len(), 3);
    let rows = |a: &Answered| {
        a.outcome
            .as_ref()
            .expect("ok")
            .result
            .clone()
            .expect("rows")
            .rows
    };
    assert_eq!(rows(&answers[0]).len(), 1, "the standby shows the row");
    assert!(rows(&answers[1]).is_empty(), "the primary does not, yet");
    assert!(rows(&answers[2]).is_empty());
    // The primary's own pages hold it (it is durable there, and shipped).
    assert_eq!(run.rows("leader", "orders").len(), 1);
    run.sql(ms(1_500), "client-2", "SELECT note FROM orders");
    run.run_until(ms(2_000));
    let acked = run.answer_to("client-1", SYNC_WRITE);
    assert!(acked.answered_at >= ms(700), "waited for the far standby");
    assert!(acked.answered_at < ms(1_500));
    assert_eq!(
        selected(&run, "client-2", "SELECT note FROM orders"),
        [["waits-for-sync"]],
        "visible once acknowledged"
    );
}

#[test]
fn a_cancelled_wait_makes_the_commit_visible() {
    let mut config = two_clients(Method::Wal);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    let mut run = Run::new(&config, 76);
    run.partition(ms(50), "leader", "follower-1")
        .sql(ms(100), "client-1", SYNC_WRITE)
        .sql(ms(200), "client-2", LOOK)
        .sql(
            ms(210),
            "client-2",
            "UPDATE orders SET status = 'seen' WHERE note = 'waits-for-sync'",
        )
        .request(ms(300), "client-1", Request::Cancel)
        .sql(ms(400), "client-2", "SELECT status, note FROM orders");
    run.run_until(ms(1_000));
    assert!(
        selected(&run, "client-2", LOOK).is_empty(),
        "invisible while waiting"
    );
    assert_eq!(
        run.ok_tag(
            "client-2",
            "UPDATE orders SET status = 'seen' WHERE note = 'waits-for-sync'"
        ),
        "UPDATE 0",
        "an update does not see the invisible row either"
    );
    let a = run.answer_to("client-1", SYNC_WRITE);
    let warning = a
        .outcome
        .as_ref()
        .expect("ok")
        .warning
        .clone()
        .unwrap_or_default();
    assert!(warning
        .starts_with("WARNING:  canceling wait for synchronous replication due to user request"));
    assert_eq!(
        selected(&run, "client-2", "SELECT status, note FROM orders"),
        [["new", "waits-for-sync"]],
        "visible after the cancel"
    );
}

#[test]
fn a_writer_of_a_row_held_by_a_waiting_commit_waits_for_the_acknowledgement() {
    let mut run = far_sync_standby(AckPolicy::postgres(AckStage::Flush, "follower-1"));
    let update = "UPDATE orders SET status = 'paid' WHERE id = 1";
    run.sql(
        ms(100),
        "client-1",
        "INSERT INTO orders (status) VALUES ('new')",
    );
    run.run_until(ms(1_000));
    assert_eq!(run.answers("client-1").len(), 1);
    run.sql(
        ms(1_000),
        "client-1",
        "UPDATE orders SET status = 'shipped' WHERE id = 1",
    )
    .sql(ms(1_100), "client-2", update);
    run.run_until(ms(1_300));
    assert!(run.answers("client-2").is_empty(), "waits for the row lock");
    assert_eq!(activity(&run, "client-2").wait_event, Some("transactionid"));
    assert_eq!(
        activity(&run, "client-2").blocking_pids,
        [activity(&run, "client-1").pid]
    );
    run.run_until(ms(3_000));
    assert_eq!(run.ok_tag("client-2", update), "UPDATE 1");
    assert!(run.answer_to("client-2", update).answered_at >= ms(1_600));
    assert_eq!(run.rows("leader", "orders")[0][1], "paid");
}

#[test]
fn mysql_semi_sync_hides_the_commit_until_the_timeout_switches_it_off() {
    let mut config = two_clients(Method::Statement {
        context_events: true,
    });
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1", "follower-2"], ms(1_000));
    let mut run = Run::new(&config, 77);
    run.partition(ms(50), "leader", "follower-1")
        .partition(ms(50), "leader", "follower-2")
        .sql(ms(100), "client-1", SYNC_WRITE)
        .sql(ms(500), "client-2", LOOK);
    run.run_until(ms(1_050));
    assert!(selected(&run, "client-2", LOOK).is_empty());
    let after = "SELECT note FROM orders";
    run.sql(ms(1_200), "client-2", after);
    run.run_until(ms(1_500));
    assert!(run.ok_tag("client-1", SYNC_WRITE).starts_with("INSERT"));
    assert_eq!(selected(&run, "client-2", after), [["waits-for-sync"]]);
}

/// xorshift64*, enough to pick statements.
struct Pick(u64);

impl Pick {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Random interleavings of two clients' transactions (key-based writes, so statement
/// replay is deterministic): every statement is answered once both transactions end, no
/// follower stalls, and every follower ends with the leader's rows, for every method.
#[test]
fn random_interleavings_end_with_every_follower_equal_to_the_leader() {
    let mut waits = 0;
    let mut deadlocks = 0;
    let mut refused = 0;
    for method in METHODS {
        for seed in 0..40u64 {
            let mut pick = Pick((seed + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut run = Run::new(&two_clients(method), 100 + seed);
            let mut sent = [0usize; 2];
            for i in 1..=4 {
                run.sql(
                    ms(20 + i),
                    "client-1",
                    &format!("INSERT INTO orders (status, note) VALUES ('new', 'seed {i}')"),
                );
                sent[0] += 1;
            }
            let mut t = 200;
            for _ in 0..30 {
                let c = pick.below(2) as usize;
                let client = ["client-1", "client-2"][c];
                let id = pick.below(4) + 1;
                let sql = match pick.below(12) {
                    0 | 1 => "BEGIN".to_string(),
                    2 => "COMMIT".to_string(),
                    3 => "ROLLBACK".to_string(),
                    4 => format!("INSERT INTO orders (status, note) VALUES ('new', 'by {client}')"),
                    5 => format!("DELETE FROM orders WHERE id = {id}"),
                    6 => format!("SELECT id, status FROM orders WHERE id = {id}"),
                    _ => format!("UPDATE orders SET status = '{client} {t}' WHERE id = {id}"),
                };
                run.sql(ms(t), client, &sql);
                sent[c] += 1;
                t += 10 + pick.below(40);
            }
            for (c, client) in ["client-1", "client-2"].iter().enumerate() {
                run.sql(ms(t + 10 * c as u64), client, "COMMIT");
                sent[c] += 1;
            }
            run.run_until(ms(t + 4_000));
            let context = format!("{} seed {seed}", method.name());
            let mysql = speaks_mysql(method, &AckPolicy::Async);
            for (c, client) in ["client-1", "client-2"].iter().enumerate() {
                let answers = run.answers(client);
                assert_eq!(answers.len(), sent[c], "{context}: {client} answered all");
                // PostgreSQL: a deadlock victim's block stays aborted until COMMIT (which
                // answers ROLLBACK) or ROLLBACK; InnoDB leaves no transaction open.
                let mut aborted = false;
                for a in answers {
                    let ends_block = a.sql == "COMMIT" || a.sql == "ROLLBACK";
                    match &a.outcome {
                        Ok(ok) if ends_block && aborted => {
                            assert_eq!(ok.tag, "ROLLBACK", "{context}: {client}: {}", a.sql);
                        }
                        Ok(_) => {}
                        Err(e) if e.contains("eadlock") => {
                            deadlocks += 1;
                            aborted = !mysql;
                        }
                        Err(e) if e.contains("already in progress") => {}
                        Err(e) if aborted && e.contains("current transaction is aborted") => {
                            refused += 1;
                        }
                        Err(e) => panic!("{context}: {client}: {}: {e}", a.sql),
                    }
                    if ends_block {
                        aborted = false;
                    }
                    if a.answered_at.saturating_sub(a.sent_at) > ms(30) {
                        waits += 1;
                    }
                }
            }
            let leader = run.rows("leader", "orders");
            for follower in followers() {
                assert_eq!(
                    run.rows(follower, "orders"),
                    leader,
                    "{context}: {follower}"
                );
            }
            assert!(run.checks(method).stalled.is_empty(), "{context}");
            assert!(
                run.server("leader")
                    .activity()
                    .iter()
                    .all(|a| a.wait_event.is_none()),
                "{context}: nobody waits at the end"
            );
        }
    }
    assert!(waits > 5, "lock waits were exercised ({waits})");
    assert!(deadlocks > 0, "a deadlock was exercised ({waits} waits)");
    assert!(
        refused > 0,
        "a PostgreSQL deadlock victim's aborted block refused a statement"
    );
}

#[test]
fn a_crash_during_the_wait_leaves_the_commit_visible_after_recovery() {
    let mut config = two_clients(Method::Wal);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    let mut run = Run::new(&config, 78);
    run.partition(ms(50), "leader", "follower-1")
        .sql(ms(100), "client-1", SYNC_WRITE)
        .sql(ms(200), "client-2", LOOK)
        .crash(ms(300), "leader")
        .restart(ms(400), "leader")
        .sql(ms(1_000), "client-2", "SELECT note FROM orders");
    run.run_until(ms(1_500));
    assert!(selected(&run, "client-2", LOOK).is_empty());
    assert!(
        run.answer_to("client-1", SYNC_WRITE).outcome.is_err(),
        "the connection was lost"
    );
    assert_eq!(
        selected(&run, "client-2", "SELECT note FROM orders"),
        [["waits-for-sync"]],
        "recovered from disk, the commit is visible"
    );
}

#[test]
fn a_cancelled_lock_wait_fails_with_the_cancel_error_and_leaves_the_row_alone() {
    for (method, expected) in [
        (
            Method::Wal,
            "ERROR:  canceling statement due to user request",
        ),
        (
            Method::Statement {
                context_events: true,
            },
            "ERROR 1317 (70100): Query execution was interrupted",
        ),
    ] {
        let mut run = Run::new(&two_clients(method), 79);
        let waits = "UPDATE orders SET status = 'B' WHERE id = 1";
        run.sql(
            ms(100),
            "client-1",
            "INSERT INTO orders (status) VALUES ('new')",
        )
        .sql(ms(200), "client-1", "BEGIN")
        .sql(
            ms(210),
            "client-1",
            "UPDATE orders SET status = 'A' WHERE id = 1",
        )
        .sql(ms(220), "client-2", waits)
        .request(ms(300), "client-2", Request::Cancel)
        .sql(ms(400), "client-1", "COMMIT");
        run.run_until(ms(1_500));
        assert_eq!(
            run.error_text("client-2", waits),
            expected,
            "{}",
            method.name()
        );
        assert!(run.answer_to("client-2", waits).answered_at < ms(400));
        assert_eq!(run.rows("leader", "orders")[0][1], "A");
        assert_eq!(run.rows("follower-1", "orders")[0][1], "A");
    }
}

#[test]
fn a_statement_sent_behind_a_waiting_commit_runs_when_the_wait_ends() {
    let mut run = far_sync_standby(AckPolicy::postgres(AckStage::Flush, "follower-1"));
    let next = "SELECT note FROM orders";
    run.sql(ms(100), "client-1", SYNC_WRITE)
        .sql(ms(200), "client-1", next);
    run.run_until(ms(400));
    assert!(
        run.answers("client-1").is_empty(),
        "the backend is busy waiting"
    );
    let waiting = activity(&run, "client-1");
    assert_eq!(waiting.wait_event, Some("SyncRep"));
    run.run_until(ms(2_000));
    let acked = run.answer_to("client-1", SYNC_WRITE).answered_at;
    assert!(run.answer_to("client-1", next).answered_at >= acked);
    assert_eq!(selected(&run, "client-1", next), [["waits-for-sync"]]);
}
