//! Leader failure: detection, promotion of the most up-to-date follower, reconfiguration, the
//! old leader rejoining, and the hazards — lost acknowledged writes, reused keys, split brain.

mod support;

use replication_lab::replication::config::{AckPolicy, AckStage, ClusterConfig, Method};
use replication_lab::replication::messages::Request;
use replication_lab::replication::server::ServerRole;
use support::{ms, Run};

fn insert(note: &str) -> String {
    format!("INSERT INTO orders (status, note) VALUES ('pending', '{note}')")
}

/// An async cluster whose followers sit in another region (30 ms away): the leader crashes
/// as soon as its client has the acknowledgement of write "lost", before any follower has it.
fn crash_after_an_acknowledged_write(method: Method, seed: u64) -> Run {
    let mut config = ClusterConfig::standard(method, 2);
    config.clients.push("client-2".into());
    let mut run = Run::with_network(&config, seed, support::far_followers(&config, ms(30)));
    run.sql(ms(10), "client-1", &insert("safe 1"))
        .sql(ms(100), "client-1", &insert("safe 2"))
        .sql(ms(300), "client-1", &insert("lost"));
    run.run_until(ms(300));
    // Crash right after the leader answered the third write.
    let answered_at = loop {
        run.world.step();
        if let Some(a) = run.answers("client-1").get(2) {
            break a.answered_at;
        }
        assert!(run.world.now() < ms(400), "no answer (seed {seed})");
    };
    let _ = answered_at;
    let crash_at = run.world.now();
    run.crash(crash_at, "leader");
    run
}

#[test]
fn async_failover_discards_writes_the_client_saw_acknowledged() {
    let mut run = crash_after_an_acknowledged_write(Method::Wal, 11);
    let acked = run.answers("client-1")[2].outcome.clone();
    assert!(acked.is_ok(), "the leader acknowledged it: {acked:?}");
    run.run_until(ms(5_000));
    // The most up-to-date follower was promoted, the other follows it.
    let roles: Vec<ServerRole> = ["leader", "follower-1", "follower-2"]
        .iter()
        .map(|n| run.server(n).disk.role)
        .collect();
    assert_eq!(roles[1], ServerRole::Leader, "seed {}", run.seed);
    assert_eq!(roles[2], ServerRole::Follower);
    assert_eq!(
        run.server("follower-2").disk.leader,
        Some(run.id("follower-1"))
    );
    assert_eq!(run.server("follower-1").disk.term, 2);
    let notes: Vec<String> = run
        .rows("follower-1", "orders")
        .iter()
        .map(|r| r[2].clone())
        .collect();
    assert_eq!(
        notes,
        vec!["safe 1", "safe 2"],
        "the acknowledged write is gone"
    );
    let lost = run.checks(Method::Wal).lost_acked_writes;
    assert_eq!(lost.len(), 1, "the check flags it: {lost:?}");
    assert_eq!(lost[0].index, 3);
    assert!(lost[0].sql.contains("'lost'"));

    // The old leader comes back, learns it was replaced, discards its tail and follows.
    run.restart(ms(5_000), "leader");
    run.run_until(ms(8_000));
    let old = run.server("leader");
    assert_eq!(old.disk.role, ServerRole::Follower);
    assert_eq!(old.disk.discarded.len(), 1, "one discarded entry");
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-1", "orders")
    );
    assert_eq!(
        run.checks(Method::Wal).lost_acked_writes.len(),
        1,
        "still lost"
    );
}

#[test]
fn a_promoted_stale_follower_reuses_auto_increment_keys() {
    // GitHub 2012: the new leader hands out the id the old leader already gave away.
    let mut run = crash_after_an_acknowledged_write(
        Method::Logical {
            image: replication_lab::replication::config::RowImage::Full,
        },
        12,
    );
    let lost = run.answers("client-1")[2]
        .outcome
        .clone()
        .expect("acknowledged");
    let lost_id = lost.row_changes[0].key.clone();
    run.sql(ms(6_000), "client-2", &insert("another customer"));
    run.run_until(ms(7_000));
    let reply = run.answers("client-2")[0]
        .outcome
        .clone()
        .expect("the new leader took it");
    assert_eq!(
        reply.row_changes[0].key, lost_id,
        "the same id, now another order"
    );
}

#[test]
fn a_synchronous_standby_that_is_down_blocks_every_commit_until_it_returns() {
    let mut config = ClusterConfig::standard(Method::Wal, 2);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    let mut run = Run::new(&config, 13);
    run.sql(ms(10), "client-1", &insert("before"));
    run.crash(ms(100), "follower-1");
    run.sql(ms(200), "client-1", &insert("blocked"));
    run.run_until(ms(2_000));
    assert_eq!(
        run.answers("client-1").len(),
        1,
        "the second commit waits (SyncRep)"
    );
    assert_eq!(run.server("leader").mem.waiting.len(), 1);
    assert_eq!(run.checks(Method::Wal).blocked_commits, 1);
    run.restart(ms(2_000), "follower-1");
    run.run_until(ms(3_000));
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 2);
    let waited = answers[1].answered_at.saturating_sub(answers[1].sent_at);
    assert!(
        waited > ms(1_800),
        "it returned when the standby did: {waited}"
    );
    let ok = answers[1].outcome.clone().expect("committed");
    assert_eq!(ok.waited_for.as_deref(), Some("on on follower-1"));
}

#[test]
fn each_postgres_level_waits_for_its_stage() {
    let mut latencies = Vec::new();
    for stage in [AckStage::Write, AckStage::Flush, AckStage::Apply] {
        let mut config = ClusterConfig::standard(Method::Wal, 1);
        config.ack = AckPolicy::postgres(stage, "follower-1");
        let mut run = Run::new(&config, 14);
        run.sql(ms(10), "client-1", &insert("x"));
        run.run_until(ms(500));
        let a = &run.answers("client-1")[0];
        latencies.push(a.answered_at.saturating_sub(a.sent_at));
    }
    assert!(
        latencies[0] < latencies[1] && latencies[1] < latencies[2],
        "remote_write < on < remote_apply: {latencies:?}"
    );
}

#[test]
fn semi_sync_falls_back_to_async_after_its_timeout() {
    let mut config = ClusterConfig::standard(
        Method::Statement {
            context_events: true,
        },
        1,
    );
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1"], ms(10_000));
    config.failover.timeout = None;
    let mut run = Run::new(&config, 15);
    run.crash(ms(5), "follower-1");
    run.sql(ms(10), "client-1", &insert("waits 10 s"));
    run.sql(ms(10_100), "client-1", &insert("async now"));
    run.run_until(ms(11_000));
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 2);
    let first = answers[0].answered_at.saturating_sub(answers[0].sent_at);
    assert!(
        first >= ms(10_000) && first < ms(10_050),
        "waited the timeout: {first}"
    );
    let second = answers[1].answered_at.saturating_sub(answers[1].sent_at);
    assert!(
        second < ms(50),
        "no more waiting once switched off: {second}"
    );
    assert!(run.server("leader").mem.semi_sync_off);
}

#[test]
fn an_unfenced_old_leader_keeps_accepting_writes_split_brain() {
    for fencing in [false, true] {
        let mut config = ClusterConfig::standard(Method::Wal, 2);
        config.failover.fencing = fencing;
        config.clients.push("client-2".into());
        let mut run = Run::new(&config, 16);
        // Cut the leader (and client-1, which stays with it) off from the followers.
        for follower in ["follower-1", "follower-2"] {
            run.partition(ms(100), "leader", follower);
            run.partition(ms(100), "client-1", follower);
        }
        run.sql(ms(6_000), "client-1", &insert("old side"));
        run.sql(ms(6_000), "client-2", &insert("new side"));
        run.run_until(ms(7_000));
        let leaders: Vec<&str> = ["leader", "follower-1", "follower-2"]
            .into_iter()
            .filter(|n| run.server(n).is_writable_leader())
            .collect();
        let old_side = run.answers("client-1")[0].outcome.is_ok();
        if fencing {
            assert_eq!(leaders, vec!["follower-1"], "fenced: one leader");
            assert!(!old_side, "the fenced old leader refused the write");
        } else {
            assert_eq!(
                leaders,
                vec!["leader", "follower-1"],
                "split brain: two leaders"
            );
            assert!(old_side, "the unfenced old leader took the write");
        }
        assert!(run.answers("client-2")[0].outcome.is_ok());
    }
}

#[test]
fn manual_failover_promotes_the_chosen_follower() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 17);
    run.sql(ms(10), "client-1", &insert("a"));
    run.crash(ms(100), "leader");
    run.request(ms(200), "follower-2", Request::Promote);
    run.sql(ms(400), "client-1", &insert("b"));
    run.run_until(ms(1_000));
    assert_eq!(run.server("follower-2").disk.role, ServerRole::Leader);
    assert_eq!(
        run.server("follower-1").disk.leader,
        Some(run.id("follower-2"))
    );
    assert_eq!(run.rows("follower-1", "orders").len(), 2);
}

#[test]
fn first_n_moves_to_the_next_standby_and_any_n_needs_any_one() {
    use replication_lab::replication::config::StandbySet;
    let names = vec!["follower-1".to_string(), "follower-2".to_string()];
    for (standbys, expect) in [
        (
            StandbySet::First {
                count: 1,
                names: names.clone(),
            },
            "on on follower-2",
        ),
        (StandbySet::Any { count: 1, names }, "on on follower-2"),
    ] {
        let mut config = ClusterConfig::standard(Method::Wal, 2);
        config.ack = AckPolicy::Sync {
            stage: AckStage::Flush,
            standbys,
            timeout: None,
        };
        let mut run = Run::new(&config, 18);
        run.crash(ms(50), "follower-1");
        run.sql(ms(100), "client-1", &insert("with follower-1 down"));
        // FIRST waits until the leader drops follower-1's stream (wal_sender_timeout).
        run.run_until(ms(3_000));
        let answer = run.answers("client-1")[0]
            .outcome
            .clone()
            .expect("committed");
        assert_eq!(answer.waited_for.as_deref(), Some(expect));
    }
}

#[test]
fn changing_the_level_releases_a_commit_waiting_for_a_dead_standby() {
    let mut config = ClusterConfig::standard(Method::Wal, 1);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    config.failover.timeout = None;
    let mut run = Run::new(&config, 19);
    run.crash(ms(50), "follower-1");
    run.sql(ms(100), "client-1", &insert("waits"));
    run.request(ms(2_000), "leader", Request::SetAck(AckPolicy::Async));
    run.run_until(ms(1_900));
    assert!(run.answers("client-1").is_empty(), "waiting (SyncRep)");
    run.run_until(ms(2_100));
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 1, "released by the new level");
    assert!(answers[0].outcome.is_ok());
}

#[test]
fn cancelling_a_commit_held_for_a_dead_standby_returns_with_postgres_warning() {
    let mut config = ClusterConfig::standard(Method::Wal, 1);
    config.ack = AckPolicy::postgres(AckStage::Flush, "follower-1");
    config.failover.timeout = None;
    let mut run = Run::new(&config, 24);
    run.crash(ms(5), "follower-1");
    run.sql(ms(10), "client-1", &insert("held"));
    run.request(ms(1_000), "client-1", Request::Cancel);
    run.run_until(ms(1_100));
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 1);
    let ok = answers[0].outcome.clone().expect("the commit stands");
    assert!(ok
        .warning
        .as_deref()
        .is_some_and(|w| w.starts_with("WARNING:  canceling wait for synchronous replication")));
    assert_eq!(run.rows("leader", "orders").len(), 1, "committed locally");
    assert!(run.server("leader").mem.waiting.is_empty());
}
