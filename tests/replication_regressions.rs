//! Scenarios a review found broken, kept as tests: each names what went wrong before.

mod support;

use replication_lab::engine::FormatVersion;
use replication_lab::replication::config::{
    AckPolicy, AckStage, ClusterConfig, Method, RowImage, ServerSpec,
};
use replication_lab::replication::messages::Request;
use replication_lab::replication::server::{ServerRole, Stream};
use support::{ms, Run};

fn insert(note: &str) -> String {
    format!("INSERT INTO orders (status, note) VALUES ('pending', '{note}')")
}

fn all_ok(run: &Run, client: &str) -> bool {
    run.answers(client).iter().all(|a| a.outcome.is_ok())
}

#[test]
fn a_trigger_leader_keeps_taking_writes_after_three_seconds() {
    // Trigger followers never stream, so they never answered: the leader fenced itself.
    let mut run = Run::new(&ClusterConfig::standard(Method::Trigger, 2), 9);
    run.sql(ms(10), "client-1", &insert("a"))
        .sql(ms(5_000), "client-1", &insert("b"));
    run.run_until(ms(6_000));
    assert_eq!(run.answers("client-1").len(), 2);
    assert!(all_ok(&run, "client-1"), "{:?}", run.answers("client-1"));
}

#[test]
fn a_leader_whose_only_follower_refused_the_stream_keeps_taking_writes() {
    let mut config = ClusterConfig::standard(Method::Wal, 1);
    config.servers[1].format = FormatVersion::V17;
    let mut run = Run::new(&config, 11);
    run.sql(ms(6_000), "client-1", &insert("x"));
    run.run_until(ms(7_000));
    assert!(all_ok(&run, "client-1"));
}

#[test]
fn a_leader_whose_followers_are_all_down_keeps_taking_writes() {
    // Before: a follower-counting lease refused writes 3 s after the last follower died, which
    // no real database does; the leader key in the coordination service decides instead.
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 11);
    run.crash(ms(100), "follower-1")
        .crash(ms(100), "follower-2");
    run.restart(ms(5_000), "follower-1")
        .restart(ms(5_000), "follower-2");
    run.sql(ms(4_000), "client-1", &insert("alone"));
    run.run_until(ms(4_500));
    assert!(
        run.server("leader").is_writable_leader(),
        "still leading while alone"
    );
    run.sql(ms(8_000), "client-1", &insert("x"));
    run.run_until(ms(9_000));
    assert!(run.server("leader").is_writable_leader());
    assert!(all_ok(&run, "client-1"), "{:?}", run.answers("client-1"));
    assert_eq!(run.rows("follower-1", "orders").len(), 2, "caught up");
}

#[test]
fn two_halves_of_a_partition_never_promote_two_leaders_of_one_term() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 11);
    run.sql(ms(10), "client-1", &insert("shared"));
    run.partition(ms(400), "follower-1", "follower-2");
    run.crash(ms(500), "leader");
    run.run_until(ms(8_000));
    let leaders = ["follower-1", "follower-2"]
        .iter()
        .filter(|n| run.server(n).disk.family.role == ServerRole::Leader)
        .count();
    assert_eq!(leaders, 0, "no majority on either side: no promotion");
    run.heal(ms(8_000), "follower-1", "follower-2");
    run.run_until(ms(15_000));
    let leaders: Vec<u32> = ["follower-1", "follower-2"]
        .iter()
        .filter(|n| run.server(n).disk.family.role == ServerRole::Leader)
        .map(|n| run.server(n).disk.family.term)
        .collect();
    assert_eq!(leaders.len(), 1, "once healed, one leader");
}

#[test]
fn one_cut_link_does_not_replace_a_leader_the_others_still_reach() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 11);
    run.partition(ms(100), "leader", "follower-1");
    run.run_until(ms(20_000));
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Leader);
    assert_eq!(
        run.server("leader").disk.family.term,
        1,
        "no failover storm"
    );
    assert!(run.server("leader").is_writable_leader());
}

/// A transaction that ended in an error (a deadlock rolls it back; the old first-committer-wins
/// COMMIT failure is gone) takes its buffered statements with it: they are not logged with
/// the connection's next transaction.
#[test]
fn statements_of_a_failed_commit_are_not_logged_with_the_next_one() {
    let mut config = ClusterConfig::standard(
        Method::Statement {
            context_events: true,
        },
        1,
    );
    config.clients.push("client-2".into());
    let mut run = Run::new(&config, 3);
    run.sql(ms(10), "client-1", &insert("one"))
        .sql(ms(20), "client-1", &insert("two"))
        .sql(ms(100), "client-1", "BEGIN")
        .sql(ms(110), "client-2", "BEGIN")
        .sql(
            ms(120),
            "client-1",
            "UPDATE orders SET note = 'A' WHERE id = 1",
        )
        .sql(
            ms(130),
            "client-2",
            "UPDATE orders SET note = 'in aborted tx' WHERE id = 2",
        )
        .sql(
            ms(140),
            "client-1",
            "UPDATE orders SET note = 'A' WHERE id = 2",
        )
        .sql(
            ms(150),
            "client-2",
            "UPDATE orders SET note = 'B' WHERE id = 1",
        )
        .sql(ms(200), "client-1", "COMMIT")
        .sql(ms(220), "client-2", &insert("next"));
    run.run_until(ms(2_000));
    let deadlock = run
        .answers("client-2")
        .iter()
        .find(|a| a.sql == "UPDATE orders SET note = 'B' WHERE id = 1")
        .expect("answered");
    assert!(
        deadlock
            .outcome
            .as_ref()
            .is_err_and(|e| e.starts_with("ERROR 1213 (40001)")),
        "{:?}",
        deadlock.outcome
    );
    let logged: Vec<String> = run
        .server("leader")
        .disk
        .log
        .iter()
        .flat_map(|e| match &e.payload {
            replication_lab::replication::log::Payload::Statements(s) => {
                s.iter().map(|s| s.sql.clone()).collect()
            }
            _ => vec![],
        })
        .collect();
    assert!(
        !logged
            .iter()
            .any(|s| s.contains("in aborted tx") || s.contains("'B'")),
        "{logged:?}"
    );
    assert_eq!(
        logged.last().map(String::as_str),
        Some(insert("next").as_str())
    );
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-1", "orders")
    );
    assert!(run.checks(config.method).stalled.is_empty());
}

#[test]
fn an_update_of_no_rows_is_not_replayed_later() {
    let mut config = ClusterConfig::standard(
        Method::Statement {
            context_events: true,
        },
        1,
    );
    config.clients.push("client-2".into());
    let mut run = Run::new(&config, 3);
    run.sql(
        ms(10),
        "client-1",
        "UPDATE orders SET note = 'touched' WHERE status = 'y'",
    )
    .sql(
        ms(50),
        "client-2",
        "INSERT INTO orders (status, note) VALUES ('y', 'c2')",
    )
    .sql(ms(100), "client-1", &insert("next"));
    run.run_until(ms(2_000));
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-1", "orders")
    );
}

#[test]
fn remote_apply_holds_through_a_restart_of_a_standby_that_cannot_replay() {
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        2,
    );
    config.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW())".into(),
    ]);
    config.ack = AckPolicy::postgres(AckStage::Apply, "follower-1");
    let mut run = Run::new(&config, 5);
    run.sql(ms(10), "client-1", &insert("needs the note column"));
    run.crash(ms(1_000), "follower-1")
        .restart(ms(1_100), "follower-1");
    run.run_until(ms(3_000));
    assert!(
        run.answers("client-1").is_empty(),
        "follower-1 never replayed it: {:?}",
        run.answers("client-1")
    );
}

#[test]
fn a_new_level_after_a_semi_sync_timeout_is_not_asynchronous() {
    let mut config = ClusterConfig::standard(Method::Wal, 2);
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1", "follower-2"], ms(1_000));
    let mut run = Run::new(&config, 5);
    run.crash(ms(5), "follower-1").crash(ms(5), "follower-2");
    run.sql(ms(10), "client-1", &insert("times out"));
    run.request(
        ms(2_000),
        "leader",
        Request::SetAck(AckPolicy::postgres(AckStage::Flush, "follower-1")),
    );
    run.sql(ms(2_100), "client-1", &insert("waits for follower-1"));
    run.run_until(ms(4_000));
    assert_eq!(
        run.answers("client-1").len(),
        1,
        "the second commit waits (SyncRep)"
    );
}

#[test]
fn a_trigger_follower_that_crashed_after_applying_does_not_apply_twice() {
    let config = ClusterConfig::standard(Method::Trigger, 2);
    let mut run = Run::new(&config, 9);
    run.sql(ms(10), "client-1", &insert("a"));
    run.run_until(ms(100));
    while run.rows("follower-1", "orders").is_empty() {
        run.world.step();
        assert!(run.world.now() < ms(2_000), "never applied");
    }
    let t = run.world.now();
    run.crash(t, "follower-1").restart(t + ms(20), "follower-1");
    run.sql(ms(1_000), "client-1", &insert("b"));
    run.run_until(ms(3_000));
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-1", "orders")
    );
    assert!(run.checks(config.method).all_clear());
}

#[test]
fn a_base_backup_interrupted_by_a_partition_is_asked_for_again() {
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        1,
    );
    let mut spare = ServerSpec::new("follower-2");
    spare.starts_streaming = false;
    config.servers.push(spare);
    let mut run = Run::new(&config, 7);
    for i in 0..20 {
        run.sql(ms(10 + i * 5), "client-1", &insert(&format!("r{i}")));
    }
    run.request(ms(500), "follower-2", Request::Join);
    run.partition(ms(540), "leader", "follower-2")
        .heal(ms(600), "leader", "follower-2");
    run.run_until(ms(8_000));
    assert_eq!(
        *run.server("follower-2").mem.role.stream(),
        Stream::Streaming
    );
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-2", "orders")
    );
}

#[test]
fn followers_learn_the_term_history_so_a_rejoining_leader_keeps_what_it_shared() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 17);
    for i in 0..3 {
        run.sql(ms(10 + i * 20), "client-1", &insert(&format!("r{i}")));
    }
    run.crash(ms(500), "leader");
    run.sql(ms(5_000), "client-1", &insert("term2"));
    run.run_until(ms(5_500));
    let new_leader = ["follower-1", "follower-2"]
        .into_iter()
        .find(|n| run.server(n).disk.family.role == ServerRole::Leader)
        .expect("a failover happened");
    let other = if new_leader == "follower-1" {
        "follower-2"
    } else {
        "follower-1"
    };
    assert_eq!(
        run.server(other).disk.family.history,
        run.server(new_leader).disk.family.history,
        "the follower learnt the new timeline's history"
    );
    // The old leader comes back: it shared all 3 entries, so it discards nothing.
    run.restart(ms(6_000), "leader");
    run.run_until(ms(9_000));
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Follower);
    assert_eq!(run.server("leader").disk.discarded.len(), 0);
}

#[test]
fn a_fenced_leader_does_not_commit_an_open_transaction() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 17);
    run.sql(ms(10), "client-1", "BEGIN")
        .sql(ms(20), "client-1", &insert("in tx"));
    // Cut off from the coordination service too: its key expires at 3 s.
    for other in ["follower-1", "follower-2", "etcd"] {
        run.partition(ms(100), "leader", other)
            .partition(ms(100), "client-1", other);
    }
    run.sql(ms(4_000), "client-1", "COMMIT");
    run.run_until(ms(4_500));
    assert!(run.rows("leader", "orders").is_empty(), "nothing committed");
    assert_eq!(run.server("leader").disk.last_index(), 0);
}

#[test]
fn a_stalled_follower_is_not_promoted() {
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        2,
    );
    config.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW())".into(),
    ]);
    let mut run = Run::new(&config, 5);
    run.sql(ms(10), "client-1", &insert("needs note"));
    run.request(ms(500), "follower-1", Request::Promote);
    run.run_until(ms(1_000));
    assert_eq!(
        run.server("follower-1").disk.family.role,
        ServerRole::Follower
    );
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Leader);
}

#[test]
fn checks_do_not_call_lag_or_unreplicated_tables_divergence() {
    let mut config = ClusterConfig::standard(Method::Trigger, 2);
    config
        .schema
        .push("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTO_INCREMENT, what TEXT)".into());
    let mut run = Run::new(&config, 21);
    run.sql(ms(10), "client-1", &insert("a"));
    run.run_until(ms(30));
    assert!(
        run.checks(config.method).diverged_rows.is_empty(),
        "in flight is lag"
    );
    run.sql(ms(100), "client-1", "INSERT INTO audit (what) VALUES ('x')");
    run.run_until(ms(3_000));
    assert!(run.checks(config.method).diverged_rows.is_empty());

    // A logical follower with an extra column has not diverged.
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        1,
    );
    config.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, note TEXT, created_at TIMESTAMP DEFAULT NOW(), extra TEXT)".into(),
    ]);
    let mut run = Run::new(&config, 5);
    run.sql(ms(10), "client-1", &insert("a"));
    run.run_until(ms(1_000));
    assert!(
        run.checks(config.method).all_clear(),
        "{:?}",
        run.checks(config.method)
    );
}

#[test]
fn a_read_only_transaction_on_a_standby_commits_despite_replay() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 1), 5);
    run.sql_on(ms(10), "client-1", "follower-1", "BEGIN")
        .sql_on(ms(30), "client-1", "follower-1", "SELECT * FROM orders")
        .sql(ms(50), "client-1", &insert("x"))
        .sql_on(ms(200), "client-1", "follower-1", "COMMIT");
    run.run_until(ms(1_000));
    assert!(all_ok(&run, "client-1"), "{:?}", run.answers("client-1"));
}

#[test]
fn rejoin_on_the_only_leader_gives_its_writes_back() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 11);
    run.request(ms(500), "leader", Request::Rejoin);
    run.sql(ms(3_000), "client-1", &insert("x"));
    run.run_until(ms(4_000));
    assert!(all_ok(&run, "client-1"), "{:?}", run.answers("client-1"));
}

#[test]
fn a_client_waiting_on_a_leader_that_restarted_gets_an_error_not_silence() {
    let mut config = ClusterConfig::standard(Method::Wal, 1);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    config.failover.timeout = None;
    let mut run = Run::new(&config, 23);
    run.crash(ms(5), "follower-1");
    run.sql(ms(10), "client-1", &insert("waits"));
    run.crash(ms(500), "leader").restart(ms(700), "leader");
    run.run_until(ms(1_000));
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 1, "the client was told");
    let error = answers[0]
        .outcome
        .clone()
        .expect_err("the connection was lost");
    assert!(error.starts_with("server closed the connection unexpectedly"));
}
