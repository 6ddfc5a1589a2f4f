//! The lab as the UI drives it: actions, inspection, checks and the event log.

use replication_lab::lab::{Lab, LabAction, LabSettings};
use replication_lab::replication::config::{ClusterConfig, Method, RowImage};

fn lab(method: Method) -> Lab {
    Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(method, 2),
    })
}

const CLIENT: u32 = 3;

#[test]
fn a_client_write_shows_in_every_inspector_tab_and_the_event_log() {
    let mut lab = lab(Method::Wal);
    lab.seek(10_000);
    lab.perform(LabAction::Sql {
        client: CLIENT,
        sql: "INSERT INTO orders (status) VALUES ('pending')".into(),
    })
    .expect("a client can send SQL");
    lab.seek(500_000);
    let leader = lab.inspect(0).expect("the leader exists");
    assert_eq!(leader.log_tool, "pg_waldump");
    assert!(
        leader.log.iter().any(|l| l.starts_with("rmgr: Heap")),
        "{:?}",
        leader.log
    );
    assert!(leader.log.iter().any(|l| l.contains("desc: COMMIT")));
    assert!(
        leader.status.iter().any(|l| l.contains("follower-1")),
        "{:?}",
        leader.status
    );
    let follower = lab.inspect(1).expect("follower-1 exists");
    let orders = follower
        .tables
        .iter()
        .find(|t| t.name == "orders")
        .expect("orders");
    assert_eq!(orders.rows.len(), 1);
    assert!(orders.rows[0]
        .cells
        .iter()
        .all(|c| c.reference_value.is_none()));
    let events: Vec<String> = lab.events(50).into_iter().map(|e| e.text).collect();
    assert!(
        events
            .iter()
            .any(|e| e == "leader committed entry 1 (1 row changes)"),
        "{events:?}"
    );
    assert!(lab.checks().all_clear());
}

#[test]
fn each_method_renders_its_own_tool() {
    for (method, tool, marker) in [
        (
            Method::Statement {
                context_events: true,
            },
            "mysqlbinlog",
            "SET TIMESTAMP=",
        ),
        (
            Method::Logical {
                image: RowImage::Full,
            },
            "pg_recvlogical (test_decoding)",
            "table public.orders: INSERT:",
        ),
        (Method::Trigger, "SELECT * FROM sl_log_1", "log_actionseq"),
    ] {
        let mut lab = lab(method);
        lab.seek(10_000);
        lab.perform(LabAction::Sql {
            client: CLIENT,
            sql: "INSERT INTO orders (status) VALUES ('pending')".into(),
        })
        .expect("sent");
        lab.seek(1_000_000);
        let leader = lab.inspect(0).expect("leader");
        assert_eq!(leader.log_tool, tool);
        assert!(
            leader.log.iter().any(|l| l.contains(marker)),
            "{method:?}: {:?}",
            leader.log
        );
    }
}

#[test]
fn impossible_actions_are_refused_in_words_and_change_nothing_visible() {
    let mut lab = lab(Method::Wal);
    lab.seek(10_000);
    lab.perform(LabAction::Crash(1)).expect("crash");
    let refused = lab
        .perform(LabAction::Crash(1))
        .expect_err("already crashed");
    assert_eq!(refused.to_string(), "follower-1 is already crashed");
    let refused = lab
        .perform(LabAction::Partition { a: 2, b: 2 })
        .expect_err("same node");
    assert_eq!(
        refused.to_string(),
        "follower-2 cannot be cut off from itself"
    );
    let refused = lab
        .perform(LabAction::Restart(99))
        .expect_err("no such node");
    assert_eq!(refused.to_string(), "there is no node 99");
}

#[test]
fn a_diverged_cell_carries_the_leaders_value() {
    let mut lab = lab(Method::Statement {
        context_events: true,
    });
    lab.seek(10_000);
    lab.perform(LabAction::Sql {
        client: CLIENT,
        sql: "INSERT INTO orders (status, note) VALUES ('pending', UUID())".into(),
    })
    .expect("sent");
    lab.seek(1_000_000);
    let checks = lab.checks();
    assert_eq!(checks.diverged_rows.len(), 2, "both followers: {checks:?}");
    let follower = lab.inspect(1).expect("follower-1");
    let orders = follower
        .tables
        .iter()
        .find(|t| t.name == "orders")
        .expect("orders");
    let note = &orders.rows[0].cells[2];
    let leader_note = lab.inspect(0).expect("leader").tables[0].rows[0].cells[2]
        .text
        .clone();
    assert_eq!(note.reference_value.as_deref(), Some(leader_note.as_str()));
    assert_ne!(note.text, leader_note);
}

#[test]
fn an_acknowledgement_change_outlives_a_failover() {
    use replication_lab::replication::config::{AckPolicy, AckStage};
    let mut lab = lab(Method::Wal);
    lab.seek(10_000);
    let policy = AckPolicy::postgres(AckStage::Apply, "follower-2");
    lab.perform(LabAction::SetAck(policy.clone()))
        .expect("a leader to change");
    lab.seek(20_000);
    lab.perform(LabAction::Crash(0)).expect("crash the leader");
    lab.seek(6_000_000);
    let checks = replication_lab::replication::checks::current_leader(lab.world());
    let (id, leader) = checks.expect("a follower was promoted");
    assert_ne!(id.0, 0);
    assert_eq!(leader.disk.ack, policy);
}

#[test]
fn in_the_default_lab_a_joined_spare_shows_delete_limit_diverging_under_statements() {
    use replication_lab::replication::config::ClusterConfig;
    let method = Method::Statement {
        context_events: true,
    };
    let mut lab = Lab::new(LabSettings {
        seed: 3,
        cluster: ClusterConfig::lab_default(method),
    });
    let client = 4; // leader, follower-1, follower-2, follower-3 (spare), client-1
    let values: Vec<String> = (0..15).map(|i| format!("('new', 'order {i}')")).collect();
    let steps = [
        format!("INSERT INTO orders (status, note) VALUES {}", values.join(", ")),
        "UPDATE orders SET note = 'a note long enough that the row must move to another page' WHERE id = 1".to_string(),
    ];
    let mut t = 10_000;
    for sql in steps {
        lab.seek(t);
        lab.perform(LabAction::Sql { client, sql }).expect("sent");
        t += 200_000;
    }
    lab.seek(t);
    lab.perform(LabAction::Join(3)).expect("the spare joins");
    t += 3_000_000;
    lab.seek(t);
    assert!(
        lab.checks().all_clear(),
        "the dump is faithful: {:?}",
        lab.checks()
    );
    lab.perform(LabAction::Sql {
        client,
        sql: "DELETE FROM orders LIMIT 1".into(),
    })
    .expect("sent");
    lab.seek(t + 1_000_000);
    let diverged = lab.checks().diverged_rows;
    assert!(
        diverged.iter().any(|d| d.follower == "follower-3"),
        "the spare, built from a dump, deleted another row: {diverged:?}"
    );
    assert!(diverged.iter().all(|d| d.follower == "follower-3"));
}

// ---- requests that would do nothing are refused in words ----

/// Performs `action`, expecting a refusal; checks that nothing happened (no input reached
/// the world, the trace did not grow) and returns the refusal's text.
fn refusal(lab: &mut Lab, action: LabAction) -> String {
    let before = lab.world().trace().len();
    let error = lab
        .perform(action.clone())
        .expect_err(&format!("{action:?} is refused"));
    assert_eq!(
        lab.world().trace().len(),
        before,
        "{action:?} changed nothing"
    );
    error.to_string()
}

fn started(method: Method) -> Lab {
    let mut lab = lab(method);
    lab.seek(10_000);
    lab
}

/// Requests that would do nothing on a running WAL lab, each refused in words (the case's
/// name says what it is; the refusal must change nothing).
#[test]
fn requests_that_would_do_nothing_are_refused_in_words() {
    let cases: Vec<(&str, LabAction, &str)> = vec![
        (
            "promote_on_the_leader_is_refused",
            LabAction::Promote(0),
            "leader is the leader already: only a follower can be promoted (pg_ctl: cannot promote server; server is not in standby mode)",
        ),
        (
            "promote_on_a_client_is_refused",
            LabAction::Promote(CLIENT),
            "client-1 is not a database server",
        ),
        (
            "join_on_a_streaming_follower_is_refused",
            LabAction::Join(1),
            "follower-1 is already a follower: only an empty spare joins from a base backup",
        ),
        (
            "join_on_the_leader_is_refused",
            LabAction::Join(0),
            "leader is the leader: only an empty spare joins from a base backup",
        ),
        (
            "checkpoint_on_a_client_is_refused",
            LabAction::Checkpoint(CLIENT),
            "client-1 is not a database server",
        ),
        (
            "checkpoint_on_a_follower_is_refused",
            LabAction::Checkpoint(2),
            "follower-2 is not the leader: in the lab only the leader checkpoints",
        ),
        (
            "rejoin_of_a_follower_is_refused",
            LabAction::Rejoin(1),
            "follower-1 is not a leader: only an old leader rejoins as a follower",
        ),
        (
            "rejoin_of_the_only_leader_is_refused",
            LabAction::Rejoin(0),
            "leader is the only leader: there is no other leader to rejoin",
        ),
        (
            "cancel_with_nothing_waiting_is_refused",
            LabAction::Cancel(CLIENT),
            "client-1 is not waiting on any statement",
        ),
        (
            "cancel_from_a_server_is_refused",
            LabAction::Cancel(0),
            "leader is a database server, not a client: send SQL from a client",
        ),
        (
            "an_action_on_a_node_that_does_not_exist_is_refused",
            LabAction::Promote(42),
            "there is no node 42",
        ),
    ];
    for (case, action, text) in cases {
        let mut lab = started(Method::Wal);
        assert_eq!(refusal(&mut lab, action), text, "{case}");
    }
}

#[test]
fn promote_on_an_empty_spare_is_refused() {
    let mut lab = Lab::new(LabSettings::default());
    lab.seek(10_000);
    assert_eq!(
        refusal(&mut lab, LabAction::Promote(3)),
        "follower-3 is an empty spare with no data to lead with: let it join first"
    );
}

#[test]
fn promote_on_a_crashed_follower_is_refused() {
    let mut lab = started(Method::Wal);
    lab.perform(LabAction::Crash(1)).expect("crash");
    assert_eq!(
        refusal(&mut lab, LabAction::Promote(1)),
        "follower-1 is crashed: restart it first"
    );
}

#[test]
fn promote_under_trigger_based_replication_is_refused() {
    let mut lab = started(Method::Trigger);
    assert_eq!(
        refusal(&mut lab, LabAction::Promote(1)),
        "moving a Slony origin (FAILOVER) is not modelled by the lab"
    );
}

#[test]
fn a_second_join_while_the_base_backup_arrives_is_refused() {
    let mut lab = Lab::new(LabSettings::default());
    lab.seek(10_000);
    lab.perform(LabAction::Join(3)).expect("the spare joins");
    // Long enough for the request to reach the leader and the first chunk to arrive.
    lab.seek(15_000);
    assert_eq!(
        refusal(&mut lab, LabAction::Join(3)),
        "follower-3 is already receiving its base backup"
    );
}

#[test]
fn sql_from_a_server_id_is_refused() {
    let mut lab = started(Method::Wal);
    assert_eq!(
        refusal(
            &mut lab,
            LabAction::Sql {
                client: 1,
                sql: "SELECT 1".into(),
            }
        ),
        "follower-1 is a database server, not a client: send SQL from a client"
    );
}

#[test]
fn sql_on_a_client_instead_of_a_server_is_refused() {
    let mut lab = started(Method::Wal);
    assert_eq!(
        refusal(
            &mut lab,
            LabAction::SqlOn {
                client: CLIENT,
                server: CLIENT,
                sql: "SELECT 1".into(),
            }
        ),
        "client-1 is not a database server"
    );
}

#[test]
fn restart_of_a_running_node_is_refused() {
    let mut lab = started(Method::Wal);
    let error = lab
        .perform(LabAction::Restart(1))
        .expect_err("it is running");
    assert_eq!(error.to_string(), "follower-1 is running");
}

#[test]
fn partitioning_a_cut_link_and_healing_a_whole_one_are_refused() {
    let mut lab = started(Method::Wal);
    assert_eq!(
        refusal(&mut lab, LabAction::Heal { a: 0, b: 1 }),
        "the link between leader and follower-1 is not cut"
    );
    lab.perform(LabAction::Partition { a: 0, b: 1 })
        .expect("cut once");
    assert_eq!(
        refusal(&mut lab, LabAction::Partition { a: 1, b: 0 }),
        "the link between follower-1 and leader is already cut"
    );
}

#[test]
fn setting_the_acknowledgement_already_in_force_is_refused() {
    use replication_lab::replication::config::AckPolicy;
    let mut lab = started(Method::Wal);
    assert_eq!(
        refusal(&mut lab, LabAction::SetAck(AckPolicy::Async)),
        "the acknowledgement setting is already asynchronous (synchronous_standby_names = '')"
    );
}

// ---- a server that is down answers at once, in the client program's words ----

const PSQL_REFUSED_FOLLOWER_1: &str = "psql: error: connection to server at \"follower-1\" (10.0.0.12), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?";

#[test]
fn a_statement_to_a_crashed_postgres_server_is_refused_at_once() {
    let mut lab = started(Method::Wal);
    lab.perform(LabAction::Crash(1)).expect("crash");
    let id = lab
        .perform(LabAction::SqlOn {
            client: CLIENT,
            server: 1,
            sql: "SELECT count(*) FROM orders".into(),
        })
        .expect("sent: the failure is the answer");
    // No time passes: the answer is there already.
    let answer = lab.answer(id).expect("answered at once");
    assert_eq!(answer.latency, 0);
    assert_eq!(
        answer.outcome.expect_err("refused"),
        PSQL_REFUSED_FOLLOWER_1
    );
    let events: Vec<String> = lab.events(5).into_iter().map(|e| e.text).collect();
    assert_eq!(
        events.last().map(String::as_str),
        Some("client-1: SELECT count(*) FROM orders failed (0.000 s): psql: error: connection to server at \"follower-1\" (10.0.0.12), port 5432 failed: Connection refused"),
    );
}

#[test]
fn a_statement_to_a_crashed_mysql_server_is_refused_at_once() {
    let mut lab = started(Method::Statement {
        context_events: true,
    });
    lab.perform(LabAction::Crash(1)).expect("crash");
    let id = lab
        .perform(LabAction::SqlOn {
            client: CLIENT,
            server: 1,
            sql: "SELECT count(*) FROM orders".into(),
        })
        .expect("sent");
    assert_eq!(
        lab.answer(id).expect("answered at once").outcome,
        Err("ERROR 2003 (HY000): Can't connect to MySQL server on 'follower-1:3306' (111)".into())
    );
}

#[test]
fn a_write_to_a_crashed_leader_is_refused_at_once_with_the_leaders_address() {
    let mut lab = started(Method::Wal);
    lab.perform(LabAction::Crash(0)).expect("crash");
    let id = lab
        .perform(LabAction::Sql {
            client: CLIENT,
            sql: "INSERT INTO orders (status) VALUES ('x')".into(),
        })
        .expect("sent");
    assert_eq!(
        lab.answer(id).expect("answered at once").outcome,
        Err("psql: error: connection to server at \"leader\" (10.0.0.11), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?".into())
    );
}

/// A cluster whose commits wait for follower-1, which is down: the client's INSERT is in
/// flight on the leader when the leader crashes. Returns the INSERT's answer.
fn answer_of_a_commit_whose_leader_dies(
    method: Method,
    ack: replication_lab::replication::config::AckPolicy,
) -> replication_lab::replication::messages::Reply {
    let mut cluster = ClusterConfig::standard(method, 1);
    cluster.ack = ack;
    cluster.failover.timeout = None;
    let mut lab = Lab::new(LabSettings { seed: 5, cluster });
    lab.seek(10_000);
    lab.perform(LabAction::Crash(1)).expect("the standby dies");
    let id = lab
        .perform(LabAction::Sql {
            client: 2,
            sql: "INSERT INTO orders (status) VALUES ('waits')".into(),
        })
        .expect("sent");
    lab.seek(300_000);
    assert!(lab.answer(id).is_none(), "the commit waits for its standby");
    lab.perform(LabAction::Crash(0)).expect("the leader dies");
    // The same instant: the client learnt with the socket's close.
    lab.answer(id).expect("the client was told at once")
}

#[test]
fn a_postgres_server_dying_under_an_open_statement_is_libpqs_three_lines_and_psqls_reset() {
    use replication_lab::replication::config::{AckPolicy, AckStage};
    let answer = answer_of_a_commit_whose_leader_dies(
        Method::Wal,
        AckPolicy::postgres(AckStage::Flush, "follower-1"),
    );
    assert_eq!(
        answer
            .outcome
            .expect_err("lost")
            .lines()
            .collect::<Vec<_>>(),
        vec![
            "server closed the connection unexpectedly",
            "\tThis probably means the server terminated abnormally",
            "\tbefore or while processing the request.",
            "The connection to the server was lost. Attempting reset: Failed.",
        ]
    );
}

#[test]
fn a_mysql_server_dying_under_an_open_statement_is_error_2013() {
    use replication_lab::replication::config::AckPolicy;
    use replication_lab::sim::Time;
    let answer = answer_of_a_commit_whose_leader_dies(
        Method::Statement {
            context_events: true,
        },
        AckPolicy::mysql_semi_sync(&["follower-1"], Time::secs(10)),
    );
    assert_eq!(
        answer.outcome,
        Err("ERROR 2013 (HY000): Lost connection to MySQL server during query".into())
    );
}

// ---- answers are found by the id perform returned ----

#[test]
fn each_answer_is_found_by_its_request_id() {
    let mut lab = started(Method::Wal);
    let insert = lab
        .perform(LabAction::Sql {
            client: CLIENT,
            sql: "INSERT INTO orders (status) VALUES ('pending')".into(),
        })
        .expect("sent");
    let bad = lab
        .perform(LabAction::Sql {
            client: CLIENT,
            sql: "SELECT * FROM no_such_table".into(),
        })
        .expect("sent");
    let read = lab
        .perform(LabAction::SqlOn {
            client: CLIENT,
            server: 2,
            sql: "SELECT * FROM orders".into(),
        })
        .expect("sent");
    assert!(insert != bad && bad != read);
    assert!(lab.answer(insert).is_none(), "nothing travelled yet");
    lab.seek(1_000_000);
    let insert = lab.answer(insert).expect("answered");
    assert_eq!(insert.sql, "INSERT INTO orders (status) VALUES ('pending')");
    assert_eq!(insert.outcome.expect("ok").tag, "INSERT 0 1");
    let bad = lab.answer(bad).expect("answered");
    assert!(bad
        .outcome
        .expect_err("no such table")
        .contains("no_such_table"),);
    let read = lab.answer(read).expect("answered");
    assert_eq!(read.sql, "SELECT * FROM orders");
    assert_eq!(read.outcome.expect("ok").server.0, 2);
    // The typed event of each answer carries the same id.
    let answered: Vec<u64> = lab
        .history()
        .iter()
        .filter_map(|e| match &e.kind {
            replication_lab::lab::narrate::EventKind::Note(
                replication_lab::replication::node::Note::ClientAnswer { request, .. },
            ) => Some(request.0),
            _ => None,
        })
        .collect();
    assert_eq!(answered.len(), 3, "{answered:?}");
}

#[test]
fn join_while_the_leader_is_down_is_refused() {
    let mut lab = Lab::new(LabSettings::default());
    lab.seek(10_000);
    lab.perform(LabAction::Crash(0)).expect("crash the leader");
    assert_eq!(
        refusal(&mut lab, LabAction::Join(3)),
        "follower-3 would copy its base backup from leader, which is crashed"
    );
}

#[test]
fn promote_on_a_follower_whose_replay_stopped_is_refused() {
    let mut cluster = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        1,
    );
    cluster.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW())".into(),
    ]);
    let mut lab = Lab::new(LabSettings { seed: 7, cluster });
    lab.seek(10_000);
    lab.perform(LabAction::Sql {
        client: 2,
        sql: "INSERT INTO orders (status, note) VALUES ('new', 'x')".into(),
    })
    .expect("sent");
    lab.seek(1_000_000);
    assert_eq!(
        refusal(&mut lab, LabAction::Promote(1)),
        "follower-1 cannot replay entry 1 (ERROR:  logical replication target relation \"public.orders\" is missing replicated column: \"note\"): fix that before promoting it"
    );
}

/// The page's cluster has two clients; a second client's UPDATE of a row the first holds
/// waits, and the leader's status tab lists it in `pg_stat_activity` as waiting on a lock.
#[test]
fn in_the_default_lab_client_2_waits_for_client_1s_row_lock_in_pg_stat_activity() {
    let mut lab = Lab::new(LabSettings {
        seed: 5,
        cluster: ClusterConfig::lab_default(Method::Wal),
    });
    let (client_1, client_2) = (4, 5); // after leader, follower-1..3
    let steps = [
        (client_1, "INSERT INTO orders (status) VALUES ('new')"),
        (client_1, "BEGIN"),
        (client_1, "UPDATE orders SET status = 'paid' WHERE id = 1"),
        (
            client_2,
            "UPDATE orders SET status = 'cancelled' WHERE id = 1",
        ),
    ];
    let mut t = 10_000;
    for (client, sql) in steps {
        lab.seek(t);
        lab.perform(LabAction::Sql {
            client,
            sql: sql.into(),
        })
        .expect("sent");
        t += 100_000;
    }
    lab.seek(t);
    let status = lab.inspect(0).expect("the leader").status.join("\n");
    assert!(status.contains("FROM pg_stat_activity"), "{status}");
    let waiting = status
        .lines()
        .find(|l| l.contains("client-2"))
        .unwrap_or_else(|| panic!("client-2 is not listed: {status}"));
    assert!(
        waiting.contains("| Lock            | transactionid | active"),
        "{waiting}"
    );
    assert!(waiting.contains("UPDATE orders SET status = 'cancelled' WHERE id = 1"));
    let holder = status
        .lines()
        .find(|l| l.contains("client-1"))
        .expect("client-1 listed");
    assert!(holder.contains("idle in transaction"), "{holder}");
    // The diagram says what client-2 waits for, not only that it waits.
    let view = lab.view();
    let client_2 = view
        .nodes
        .iter()
        .find(|n| n.name == "client-2")
        .expect("client-2 drawn");
    assert_eq!(client_2.state, "waiting for a row lock");
    lab.perform(LabAction::Sql {
        client: client_1,
        sql: "COMMIT".into(),
    })
    .expect("sent");
    lab.seek(t + 200_000);
    let status = lab.inspect(0).expect("the leader").status.join("\n");
    assert!(!status.contains("transactionid"), "{status}");
    let rows = &lab.inspect(1).expect("follower-1").tables[0];
    let text = format!("{rows:?}");
    assert!(
        text.contains("cancelled"),
        "the waiting update ran after the commit: {text}"
    );
}
