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
        .all(|c| c.leader_value.is_none()));
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
    assert_eq!(refused, "follower-1 is already crashed");
    let refused = lab
        .perform(LabAction::Partition { a: 2, b: 2 })
        .expect_err("same node");
    assert_eq!(refused, "follower-2 cannot be cut off from itself");
    let refused = lab
        .perform(LabAction::Restart(99))
        .expect_err("no such node");
    assert_eq!(refused, "there is no node 99");
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
    assert_eq!(note.leader_value.as_deref(), Some(leader_note.as_str()));
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
