//! Leader failure: detection, promotion of the most up-to-date follower, reconfiguration, the
//! old leader rejoining, and the hazards — lost acknowledged writes, reused keys, split brain.

mod support;

use replication_lab::replication::config::{AckPolicy, AckStage, ClusterConfig, Method};
use replication_lab::replication::messages::Request;
use replication_lab::replication::node::Note;
use replication_lab::replication::server::ServerRole;
use replication_lab::sim::TraceKind;
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
        .map(|n| run.server(n).disk.family.role)
        .collect();
    assert_eq!(roles[1], ServerRole::Leader, "seed {}", run.seed);
    assert_eq!(roles[2], ServerRole::Follower);
    assert_eq!(
        run.server("follower-2").disk.family.leader,
        Some(run.id("follower-1"))
    );
    assert_eq!(run.server("follower-1").disk.family.term, 2);
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
    assert_eq!(old.disk.family.role, ServerRole::Follower);
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
    assert_eq!(run.server("leader").mem.role.waiting().len(), 1);
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
    assert_eq!(ok.waited_for.as_deref(), Some("flush on follower-1"));
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
    assert!(run.server("leader").mem.role.semi_sync_off());
}

#[test]
fn an_unfenced_old_leader_keeps_accepting_writes_split_brain() {
    for fencing in [false, true] {
        let mut config = ClusterConfig::standard(Method::Wal, 2);
        config.failover.fencing = fencing;
        config.clients.push("client-2".into());
        let mut run = Run::new(&config, 16);
        // Cut the leader (and client-1, which stays with it) off from the followers, and,
        // when there is one, from the coordination service.
        for follower in ["follower-1", "follower-2"] {
            run.partition(ms(100), "leader", follower);
            run.partition(ms(100), "client-1", follower);
        }
        if fencing {
            run.partition(ms(100), "leader", "etcd");
        }
        run.sql(ms(6_000), "client-1", &insert("old side"));
        run.sql(ms(6_000), "client-2", &insert("new side"));
        run.run_until(ms(7_000));
        let leaders: Vec<&str> = ["leader", "follower-1", "follower-2"]
            .into_iter()
            .filter(|n| run.server(n).is_writable_leader())
            .collect();
        let old_side = run.answers("client-1")[0].outcome.clone();
        let checks = run.checks(Method::Wal);
        if fencing {
            assert_eq!(leaders, vec!["follower-1"], "fenced: one leader");
            assert_eq!(
                old_side.unwrap_err(),
                "ERROR:  cannot execute INSERT in a read-only transaction",
                "the old leader demoted itself to read-only"
            );
            assert!(checks.two_leaders.is_empty());
        } else {
            assert_eq!(
                leaders,
                vec!["leader", "follower-1"],
                "split brain: two leaders"
            );
            assert!(old_side.is_ok(), "the unfenced old leader took the write");
            assert_eq!(checks.two_leaders, vec!["leader", "follower-1"]);
        }
        assert!(run.answers("client-2")[0].outcome.is_ok());
    }
}

/// The trace's domain notes so far.
fn notes(run: &Run) -> Vec<Note> {
    run.world
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { note, .. } => Some((**note).clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_leader_keeps_taking_writes_with_its_only_follower_down() {
    // Before: the leader counted its followers and refused writes 3 s after the last one died.
    let async_config = ClusterConfig::standard(Method::Wal, 1);
    let mut semi_sync = ClusterConfig::standard(
        Method::Statement {
            context_events: true,
        },
        1,
    );
    semi_sync.ack = AckPolicy::mysql_semi_sync(&["follower-1"], ms(1_000));
    for config in [async_config, semi_sync] {
        let mut run = Run::new(&config, 25);
        run.sql(ms(10), "client-1", &insert("before"));
        run.crash(ms(100), "follower-1");
        for (i, at) in [200, 4_000, 8_000, 12_000].into_iter().enumerate() {
            run.sql(ms(at), "client-1", &insert(&format!("alone {i}")));
        }
        run.run_until(ms(13_000));
        let answers = run.answers("client-1");
        assert_eq!(answers.len(), 5, "{:?}", config.ack);
        for answer in answers {
            assert!(answer.outcome.is_ok(), "{:?}: {answer:?}", config.ack);
        }
        assert!(run.server("leader").is_writable_leader());
        assert_eq!(run.rows("leader", "orders").len(), 5);
        // Semi-sync waited its timeout once, then went asynchronous; later writes are quick.
        let last = &answers[4];
        assert!(last.answered_at.saturating_sub(last.sent_at) < ms(50));
        assert!(!notes(&run).iter().any(|n| matches!(n, Note::Fenced { .. })));
    }
}

#[test]
fn a_leader_cut_off_from_the_coordinator_demotes_itself_and_a_follower_is_promoted_through_the_key()
{
    let config = ClusterConfig::standard(Method::Wal, 2);
    let mut run = Run::new(&config, 26);
    run.sql(ms(10), "client-1", &insert("before"));
    for other in ["etcd", "follower-1", "follower-2"] {
        run.partition(ms(100), "leader", other);
    }
    // Its key (granted at the start for 3 s) cannot be renewed: it expires at 3 s.
    run.run_until(ms(2_900));
    assert!(
        run.server("leader").is_writable_leader(),
        "the key is valid"
    );
    run.run_until(ms(3_100));
    assert!(!run.server("leader").is_writable_leader(), "key expired");
    assert!(notes(&run)
        .iter()
        .any(|n| matches!(n, Note::Fenced { node } if node == "leader")));
    run.sql_on(ms(3_200), "client-1", "leader", &insert("refused"));
    run.run_until(ms(8_000));
    assert_eq!(
        run.answers("client-1")[1].outcome.clone().unwrap_err(),
        "ERROR:  cannot execute INSERT in a read-only transaction"
    );
    let promoted: Vec<&str> = ["follower-1", "follower-2"]
        .into_iter()
        .filter(|n| run.server(n).is_writable_leader())
        .collect();
    assert_eq!(promoted.len(), 1, "one follower promoted");
    let new_leader = promoted[0];
    let key = run
        .world
        .node(run.id("etcd"))
        .and_then(|n| n.as_coordinator())
        .and_then(|c| c.live_key(run.world.now()))
        .expect("the key is held");
    assert_eq!(key.holder, run.id(new_leader), "promoted through the key");
    assert_eq!(key.term, 2);
    assert!(notes(&run)
        .iter()
        .any(|n| matches!(n, Note::KeyAcquired { node, term: 2 } if node == new_leader)));
    // Healed, the old leader learns who holds the key and follows.
    for other in ["etcd", "follower-1", "follower-2"] {
        run.heal(ms(8_000), "leader", other);
    }
    run.run_until(ms(12_000));
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Follower);
    assert_eq!(
        run.server("leader").disk.family.leader,
        Some(run.id(new_leader))
    );
    assert!(run.checks(Method::Wal).two_leaders.is_empty());
}

#[test]
fn a_leader_cut_off_from_the_coordinator_alone_hands_over_without_two_leaders() {
    let config = ClusterConfig::standard(Method::Wal, 2);
    let mut run = Run::new(&config, 30);
    run.sql(ms(10), "client-1", &insert("before"));
    run.partition(ms(100), "leader", "etcd");
    run.sql(ms(9_000), "client-1", &insert("after"));
    let mut two_leaders_seen = false;
    while run.world.now() < ms(10_000) && run.world.step().is_some() {
        two_leaders_seen |= !run.checks(Method::Wal).two_leaders.is_empty();
    }
    assert!(!two_leaders_seen, "never two leaders at once");
    assert!(!run.server("leader").is_writable_leader());
    let leaders: Vec<&str> = ["follower-1", "follower-2"]
        .into_iter()
        .filter(|n| run.server(n).is_writable_leader())
        .collect();
    assert_eq!(leaders.len(), 1, "a follower took over through the key");
    // The old leader still reaches the followers: it learnt of the new one and follows it.
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Follower);
    assert_eq!(
        run.server("leader").disk.family.leader,
        Some(run.id(leaders[0]))
    );
    assert!(run.answers("client-1")[1].outcome.is_ok());
    assert_eq!(
        run.rows("leader", "orders").len(),
        2,
        "it replicates from the new one"
    );
}

#[test]
fn a_leader_cut_off_from_its_followers_but_holding_the_key_keeps_leading() {
    let config = ClusterConfig::standard(Method::Wal, 2);
    let mut run = Run::new(&config, 27);
    for follower in ["follower-1", "follower-2"] {
        run.partition(ms(100), "leader", follower);
    }
    run.sql(ms(6_000), "client-1", &insert("still the leader"));
    run.run_until(ms(8_000));
    assert!(run.answers("client-1")[0].outcome.is_ok());
    assert!(run.server("leader").is_writable_leader());
    for follower in ["follower-1", "follower-2"] {
        assert_eq!(run.server(follower).disk.family.role, ServerRole::Follower);
    }
    // A follower did try: the service said the key is taken.
    assert!(notes(&run).iter().any(|n| matches!(
        n,
        Note::KeyHeldByOther { holder: Some(holder), term: Some(1), .. } if holder == "leader"
    )));
}

#[test]
fn split_brain_is_flagged_at_once_and_the_old_sides_writes_are_lost_only_when_it_is_demoted() {
    let mut config = ClusterConfig::standard(Method::Wal, 2);
    config.failover.fencing = false;
    config.clients.push("client-2".into());
    let mut run = Run::new(&config, 28);
    assert!(
        run.world.nodes().all(|n| n.name != "etcd"),
        "no fencing: no coordination service"
    );
    for follower in ["follower-1", "follower-2"] {
        run.partition(ms(100), "leader", follower);
        run.partition(ms(100), "client-1", follower);
    }
    run.run_until(ms(100));
    // Step to the moment a follower is promoted: the check fires then, not later.
    loop {
        let two = run.checks(Method::Wal).two_leaders;
        if ["follower-1", "follower-2"]
            .iter()
            .any(|n| run.server(n).is_writable_leader())
        {
            break;
        }
        assert!(two.is_empty(), "{two:?} at {}", run.world.now());
        assert!(run.world.step().is_some(), "no promotion");
        assert!(run.world.now() < ms(8_000), "no promotion in time");
    }
    let new_leader = if run.server("follower-1").is_writable_leader() {
        "follower-1"
    } else {
        "follower-2"
    };
    assert_eq!(
        run.checks(Method::Wal).two_leaders,
        vec!["leader", new_leader]
    );
    let now = run.world.now();
    run.sql(now + ms(500), "client-1", &insert("old side"));
    run.sql(now + ms(500), "client-2", &insert("new side"));
    run.run_until(now + ms(1_000));
    assert!(run.answers("client-1")[0].outcome.is_ok());
    let checks = run.checks(Method::Wal);
    assert!(
        checks.lost_acked_writes.is_empty(),
        "the old side still serves its write: {:?}",
        checks.lost_acked_writes
    );
    // Healed, the old leader is told to step down: it rejoins and discards its tail.
    for follower in ["follower-1", "follower-2"] {
        run.heal(now + ms(1_000), "leader", follower);
        run.heal(now + ms(1_000), "client-1", follower);
    }
    run.request(now + ms(1_100), "leader", Request::Rejoin);
    run.run_until(now + ms(4_000));
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Follower);
    let checks = run.checks(Method::Wal);
    assert!(checks.two_leaders.is_empty());
    assert_eq!(
        checks.lost_acked_writes.len(),
        1,
        "{:?}",
        checks.lost_acked_writes
    );
    assert!(checks.lost_acked_writes[0].sql.contains("'old side'"));
    assert_eq!(run.server("leader").disk.discarded.len(), 1);
}

#[test]
fn while_the_coordinator_is_down_nobody_fails_over_and_the_leader_demotes_itself() {
    let config = ClusterConfig::standard(Method::Wal, 2);
    let mut run = Run::new(&config, 29);
    run.sql(ms(10), "client-1", &insert("before"));
    run.crash(ms(100), "etcd");
    run.run_until(ms(3_100));
    assert!(
        !run.server("leader").is_writable_leader(),
        "it cannot renew its key: read-only after the TTL, as Patroni does"
    );
    let told = lab_events(&run);
    assert!(
        told.iter()
            .any(|t| t == "leader: could not renew its leader key in etcd within its TTL (3000 ms)"),
        "{told:?}"
    );
    assert!(
        told.iter()
            .any(|t| t.starts_with("leader no longer holds the leader key")
                && t.contains("as Patroni restarts a primary that lost its key")),
        "{told:?}"
    );
    run.sql(ms(5_000), "client-1", &insert("refused"));
    run.run_until(ms(12_000));
    assert!(run.answers("client-1")[1].outcome.is_err());
    for follower in ["follower-1", "follower-2"] {
        assert_eq!(
            run.server(follower).disk.family.role,
            ServerRole::Follower,
            "no failover without the key"
        );
    }
    // The service is back: the old leader gets its key again and takes writes.
    run.restart(ms(12_000), "etcd");
    run.sql(ms(14_000), "client-1", &insert("after"));
    run.run_until(ms(15_000));
    assert!(run.server("leader").is_writable_leader());
    assert!(run.answers("client-1")[2].outcome.is_ok());
    assert_eq!(
        run.rows("follower-1", "orders").len(),
        2,
        "replicating again"
    );
}

/// The event log's sentences so far (of a WAL cluster).
fn lab_events(run: &Run) -> Vec<String> {
    let mut history = replication_lab::lab::narrate::History::default();
    history.catch_up(&run.world);
    replication_lab::lab::narrate::recent_events(&history, &run.world, Method::Wal, usize::MAX)
        .into_iter()
        .map(|line| line.text)
        .collect()
}

#[test]
fn manual_failover_promotes_the_chosen_follower() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 17);
    run.sql(ms(10), "client-1", &insert("a"));
    run.crash(ms(100), "leader");
    run.request(ms(200), "follower-2", Request::Promote);
    // Through the coordination service: follower-2 takes the key at once, and promotes when
    // the crashed leader's lease (granted at the start for 3 s) has run out.
    run.run_until(ms(2_900));
    assert_eq!(
        run.server("follower-2").disk.family.role,
        ServerRole::Follower
    );
    run.sql(ms(3_400), "client-1", &insert("b"));
    run.run_until(ms(4_000));
    assert_eq!(
        run.server("follower-2").disk.family.role,
        ServerRole::Leader
    );
    assert_eq!(
        run.server("follower-1").disk.family.leader,
        Some(run.id("follower-2"))
    );
    assert_eq!(run.rows("follower-1", "orders").len(), 2);
}

#[test]
fn a_manual_failover_from_a_healthy_leader_never_has_two_leaders() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 32);
    run.sql(ms(10), "client-1", &insert("a"));
    run.request(ms(500), "follower-1", Request::Promote);
    run.sql(ms(4_500), "client-1", &insert("b"));
    while run.world.now() < ms(5_000) && run.world.step().is_some() {
        let two = run.checks(Method::Wal).two_leaders;
        assert!(two.is_empty(), "{two:?} at {}", run.world.now());
    }
    assert!(run.server("follower-1").is_writable_leader());
    assert_eq!(run.server("leader").disk.family.role, ServerRole::Follower);
    assert!(run.answers("client-1")[1].outcome.is_ok());
    assert_eq!(
        run.rows("leader", "orders").len(),
        2,
        "the old leader follows"
    );
    assert!(run.checks(Method::Wal).lost_acked_writes.is_empty());
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
            "flush on follower-2",
        ),
        (StandbySet::Any { count: 1, names }, "flush on follower-2"),
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
    assert!(run.server("leader").mem.role.waiting().is_empty());
}

#[test]
fn the_coordination_service_is_drawn_with_links_a_partition_cuts_and_shows_its_key() {
    use replication_lab::lab::{describe, inspect};
    use replication_lab::view::{LinkKind, NodeKind};
    let config = ClusterConfig::standard(Method::Wal, 2);
    let mut run = Run::new(&config, 31);
    run.partition(ms(100), "follower-2", "etcd");
    run.run_until(ms(1_500));
    let view = describe::view(&run.world, Method::Wal);
    let etcd = run.id("etcd").0;
    let node = view.node(etcd).expect("etcd is drawn");
    assert_eq!(node.kind, NodeKind::Coordinator);
    assert!(node.state.starts_with("key: leader ("), "{}", node.state);
    let links: Vec<(u32, bool)> = view
        .links
        .iter()
        .filter(|l| l.kind == LinkKind::Coordination)
        .map(|l| (l.from, l.cut))
        .collect();
    assert_eq!(
        links,
        vec![(0, false), (1, false), (2, true)],
        "one link per server, the cut one marked"
    );
    let status = inspect::inspect(&run.world, Method::Wal, run.id("etcd"))
        .expect("inspectable")
        .status;
    assert_eq!(status[0], "$ etcdctl get /service/lab/leader");
    assert_eq!(status[1..3], ["/service/lab/leader", "leader"]);
}

#[test]
fn in_the_page_etcd_can_be_crashed_and_cut_off_like_any_node() {
    use replication_lab::lab::{Lab, LabAction, LabSettings};
    let mut lab = Lab::new(LabSettings::default());
    let etcd = lab
        .view()
        .nodes
        .iter()
        .find(|n| n.name == "etcd")
        .map(|n| n.id)
        .expect("etcd is on the diagram");
    lab.seek(100_000);
    lab.perform(LabAction::Crash(etcd)).expect("crashable");
    lab.seek(4_000_000);
    let view = lab.view();
    assert_eq!(view.node(etcd).map(|n| n.state.as_str()), Some("crashed"));
    assert_eq!(
        view.node(0).map(|n| n.state.as_str()),
        Some("read-only: lost its leader key")
    );
    assert!(lab
        .events(50)
        .iter()
        .any(|e| e.text.starts_with("leader no longer holds the leader key")));
    lab.perform(LabAction::Restart(etcd)).expect("restartable");
    lab.seek(6_000_000);
    assert_eq!(
        lab.view().node(0).map(|n| n.state.as_str()),
        Some("accepting writes")
    );
    // Cut the leader's link to etcd: it loses its key, a follower takes over.
    lab.perform(LabAction::Partition { a: 0, b: etcd })
        .expect("cuttable");
    lab.seek(9_000_000);
    assert!(lab.view().is_cut(0, etcd));
    let leaders: Vec<String> = lab
        .view()
        .nodes
        .iter()
        .filter(|n| n.state == "accepting writes")
        .map(|n| n.name.clone())
        .collect();
    assert_eq!(
        leaders.len(),
        1,
        "{:#?}",
        lab.events(40)
            .iter()
            .map(|e| format!("{} {}", e.time / 1000, e.text))
            .collect::<Vec<_>>()
    );
    assert_ne!(leaders[0], "leader");
    assert!(lab.checks().two_leaders.is_empty());
}
