//! Multi-leader replication (DDIA 5.2) through the lab's actions: topologies that converge
//! after faults heal and never loop, a ring that stops at a crashed leader, each resolver's
//! outcome on the same conflict, auto-increment offsets, and an UPDATE that overtakes its
//! INSERT unless version vectors hold it.

mod support;

use replication_lab::engine::Value;
use replication_lab::lab::{Lab, LabAction, LabSettings, MultiLeaderConfig, Resolver, Topology};
use replication_lab::replication::config::ClusterConfig;
use replication_lab::replication::messages::{Msg, MultiLeaderMsg};
use replication_lab::replication::multi_leader::cluster::network;
use replication_lab::replication::node::{LabNode, Note};
use replication_lab::sim::{InputId, LinkConfig, NodeId, Time, TraceKind};
use support::{ms, Run};

/// Leaders are nodes 0.. and their clients follow.
fn lab(leaders: u32, multi: MultiLeaderConfig) -> Lab {
    Lab::new(LabSettings {
        seed: 5,
        cluster: ClusterConfig::multi_leader(leaders, multi),
    })
}

fn config(topology: Topology, resolver: Resolver) -> MultiLeaderConfig {
    MultiLeaderConfig {
        topology,
        resolver,
        ..MultiLeaderConfig::default()
    }
}

fn act(lab: &mut Lab, at: u64, action: LabAction) -> InputId {
    lab.seek(at);
    lab.perform(action.clone())
        .unwrap_or_else(|e| panic!("{action:?} at {at}: {e}"))
}

fn sql(lab: &mut Lab, at: u64, client: u32, sql: &str) -> InputId {
    act(
        lab,
        at,
        LabAction::Sql {
            client,
            sql: sql.into(),
        },
    )
}

/// The `orders` rows of server `node`, as (id, status).
fn rows(lab: &Lab, node: u32) -> Vec<(i64, String)> {
    let server = lab
        .world()
        .node(NodeId(node))
        .and_then(LabNode::as_server)
        .expect("a server");
    server
        .disk
        .db
        .rows("orders")
        .expect("orders")
        .into_iter()
        .map(|r| {
            let id = match r[0] {
                Value::Integer(n) => n,
                _ => -1,
            };
            let status = match &r[1] {
                Value::Text(t) => t.clone(),
                other => other.to_string(),
            };
            (id, status)
        })
        .collect()
}

const MS: u64 = 1_000;

#[test]
fn a_write_on_each_leader_reaches_every_other_in_each_topology() {
    for topology in Topology::ALL {
        let mut lab = lab(3, config(topology, Resolver::LastWriteWins));
        sql(
            &mut lab,
            10 * MS,
            3,
            "INSERT INTO orders (id, status) VALUES (1, 'from a')",
        );
        sql(
            &mut lab,
            20 * MS,
            4,
            "INSERT INTO orders (id, status) VALUES (2, 'from b')",
        );
        sql(
            &mut lab,
            30 * MS,
            5,
            "INSERT INTO orders (id, status) VALUES (3, 'from c')",
        );
        lab.seek(2_000 * MS);
        let a = rows(&lab, 0);
        assert_eq!(a.len(), 3, "{topology:?}: {a:?}");
        assert_eq!(rows(&lab, 1), a, "{topology:?}");
        assert_eq!(rows(&lab, 2), a, "{topology:?}");
        assert!(lab.checks().all_clear(), "{topology:?}: {:?}", lab.checks());
    }
}

#[test]
fn a_conflict_is_flagged_and_last_write_wins_loses_the_other() {
    // In step clocks: the later write, leader-b's, wins.
    let lab = the_conflict_script(lab(2, config(Topology::AllToAll, Resolver::LastWriteWins)));
    let checks = lab.checks();
    assert_eq!(rows(&lab, 0), vec![(1, "cancelled".into())]);
    assert_eq!(rows(&lab, 1), vec![(1, "cancelled".into())]);
    assert!(checks.conflicts >= 2, "{checks:?}");
    assert_eq!(checks.lost_to_conflicts.len(), 1, "{checks:?}");
    assert_eq!(checks.lost_to_conflicts[0].write, "leader-a #2");
    assert!(checks.diverged_rows.is_empty());
}

#[test]
fn auto_increment_offsets_keep_two_leaders_ids_apart() {
    for offsets in [false, true] {
        let mut lab = lab(
            2,
            MultiLeaderConfig {
                auto_increment_offsets: offsets,
                ..config(Topology::AllToAll, Resolver::LastWriteWins)
            },
        );
        for i in 0..3 {
            sql(
                &mut lab,
                (10 + i) * MS,
                2,
                "INSERT INTO orders (status) VALUES ('a')",
            );
            sql(
                &mut lab,
                (10 + i) * MS,
                3,
                "INSERT INTO orders (status) VALUES ('b')",
            );
        }
        lab.seek(2_000 * MS);
        let ids: Vec<i64> = rows(&lab, 0).into_iter().map(|(id, _)| id).collect();
        let checks = lab.checks();
        if offsets {
            assert_eq!(ids, vec![1, 2, 3, 4, 5, 6]);
            assert_eq!(checks.conflicts, 0, "{checks:?}");
        } else {
            // Both leaders handed out 1, 2, 3: three rows, each a conflict on both sides.
            assert_eq!(ids, vec![1, 2, 3]);
            assert_eq!(checks.conflicts, 6, "{checks:?}");
            assert_eq!(checks.lost_to_conflicts.len(), 3, "{checks:?}");
        }
        assert_eq!(rows(&lab, 1), rows(&lab, 0));
    }
}

// ---------------------------------------------------------------------------------------
// Topologies through faults, loops, a ring and a star cut by a crash.

/// Three leaders; `client` (0, 1, 2: beside leader-a, -b, -c) inserts order `id`.
fn insert(lab: &mut Lab, at: u64, leader: u32, id: i64) {
    sql(
        lab,
        at,
        leaders_client(lab, leader),
        &format!("INSERT INTO orders (id, status) VALUES ({id}, 'from {leader}')"),
    );
}

/// The client node beside leader `leader` (clients follow the leaders).
fn leaders_client(lab: &Lab, leader: u32) -> u32 {
    let leaders = lab
        .world()
        .nodes()
        .filter(|n| n.process.as_server().is_some())
        .count() as u32;
    leaders + leader
}

fn ids(lab: &Lab, node: u32) -> Vec<i64> {
    rows(lab, node).into_iter().map(|(id, _)| id).collect()
}

/// Every multi-leader message sent after `after` (µs).
fn leader_messages_after(lab: &Lab, after: u64) -> usize {
    lab.world()
        .trace()
        .iter()
        .filter(|e| e.at.as_micros() > after)
        .filter(|e| {
            matches!(&e.kind, TraceKind::Sent { msg, .. } if matches!(**msg, Msg::MultiLeader(_)))
        })
        .count()
}

fn notes(lab: &Lab) -> Vec<Note> {
    lab.world()
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { note, .. } => Some((**note).clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn each_topology_converges_after_partitions_and_a_crash_heal() {
    for topology in Topology::ALL {
        let mut lab = lab(3, config(topology, Resolver::LastWriteWins));
        insert(&mut lab, 10 * MS, 0, 1);
        act(&mut lab, 300 * MS, LabAction::Partition { a: 0, b: 1 });
        act(&mut lab, 310 * MS, LabAction::Partition { a: 1, b: 2 });
        insert(&mut lab, 400 * MS, 0, 2);
        insert(&mut lab, 410 * MS, 1, 3);
        insert(&mut lab, 420 * MS, 2, 4);
        act(&mut lab, 500 * MS, LabAction::Crash(2));
        insert(&mut lab, 600 * MS, 0, 5);
        insert(&mut lab, 610 * MS, 1, 6);
        lab.seek(1_500 * MS);
        // While cut, leader-b has only its own and what came before the cut.
        assert_eq!(ids(&lab, 1), vec![1, 3, 6], "{topology:?}");
        act(&mut lab, 1_500 * MS, LabAction::Heal { a: 0, b: 1 });
        act(&mut lab, 1_500 * MS, LabAction::Heal { a: 1, b: 2 });
        act(&mut lab, 1_600 * MS, LabAction::Restart(2));
        lab.seek(6_000 * MS);
        for leader in 0..3 {
            assert_eq!(
                ids(&lab, leader),
                vec![1, 2, 3, 4, 5, 6],
                "{topology:?}: leader {leader}"
            );
        }
        assert_eq!(rows(&lab, 1), rows(&lab, 0), "{topology:?}");
        assert_eq!(rows(&lab, 2), rows(&lab, 0), "{topology:?}");
        let checks = lab.checks();
        assert!(checks.all_clear(), "{topology:?}: {checks:?}");
        assert_eq!(checks.held, 0, "{topology:?}");
    }
}

#[test]
fn a_ring_never_loops_each_change_is_applied_once_and_its_origin_drops_it() {
    let mut lab = lab(3, config(Topology::Circular, Resolver::LastWriteWins));
    for (i, leader) in [0, 1, 2, 0, 1, 2].into_iter().enumerate() {
        insert(&mut lab, (10 + 50 * i as u64) * MS, leader, i as i64 + 1);
    }
    lab.seek(3_000 * MS);
    let names = ["leader-a", "leader-b", "leader-c"];
    let mut applied: Vec<(String, String, u64)> = Vec::new();
    let mut dropped_own: Vec<(String, u64)> = Vec::new();
    for note in notes(&lab) {
        match note {
            Note::ChangeApplied {
                node, origin, seq, ..
            } => applied.push((node, origin, seq)),
            Note::ChangeDropped {
                node,
                origin,
                seq,
                own,
            } => {
                assert!(own, "{node} dropped {origin} #{seq}, not its own");
                assert_eq!(node, origin);
                dropped_own.push((node, seq));
            }
            _ => {}
        }
    }
    // Each leader's two changes, applied once by each of the two others, never by itself.
    for origin in names {
        for seq in 1..=2 {
            for node in names {
                let times = applied
                    .iter()
                    .filter(|(n, o, s)| n == node && o == origin && *s == seq)
                    .count();
                let expected = usize::from(node != origin);
                assert_eq!(times, expected, "{node} applied {origin} #{seq}");
            }
            // It came round the ring to its origin, which dropped it there.
            assert!(
                dropped_own.contains(&(origin.to_string(), seq)),
                "{origin} #{seq} never came back to be dropped: {dropped_own:?}"
            );
        }
    }
    assert_eq!(applied.len(), 12);
    for leader in 0..3 {
        assert_eq!(ids(&lab, leader), vec![1, 2, 3, 4, 5, 6]);
    }
    // The world goes quiet: once every change has gone round, leaders send nothing more.
    assert_eq!(leader_messages_after(&lab, 2_000 * MS), 0);
}

#[test]
fn a_ring_with_a_crashed_leader_stops_forwarding_until_the_topology_changes() {
    let mut lab = lab(3, config(Topology::Circular, Resolver::LastWriteWins));
    act(&mut lab, 100 * MS, LabAction::Crash(1));
    // leader-a's write goes to leader-b only, which is down: leader-c never gets it.
    insert(&mut lab, 200 * MS, 0, 1);
    // leader-c's write goes to leader-a, which forwards it to leader-b: no further.
    insert(&mut lab, 210 * MS, 2, 2);
    lab.seek(5_000 * MS);
    assert_eq!(ids(&lab, 0), vec![1, 2]);
    assert_eq!(
        ids(&lab, 2),
        vec![2],
        "leader-c got leader-a's write past the crash"
    );
    act(
        &mut lab,
        5_000 * MS,
        LabAction::SetTopology(Topology::AllToAll),
    );
    lab.seek(6_000 * MS);
    assert_eq!(ids(&lab, 2), vec![1, 2]);
    // leader-b restarts with the ring it knew; set again, it takes all-to-all too.
    act(&mut lab, 6_000 * MS, LabAction::Restart(1));
    act(
        &mut lab,
        6_100 * MS,
        LabAction::SetTopology(Topology::AllToAll),
    );
    insert(&mut lab, 6_200 * MS, 1, 3);
    lab.seek(9_000 * MS);
    for leader in 0..3 {
        assert_eq!(ids(&lab, leader), vec![1, 2, 3], "leader {leader}");
    }
    assert!(lab.checks().all_clear(), "{:?}", lab.checks());
}

#[test]
fn a_ring_resumes_past_a_crashed_leader_when_it_restarts() {
    let mut lab = lab(3, config(Topology::Circular, Resolver::LastWriteWins));
    act(&mut lab, 100 * MS, LabAction::Crash(1));
    insert(&mut lab, 200 * MS, 0, 1);
    lab.seek(3_000 * MS);
    assert!(ids(&lab, 2).is_empty());
    act(&mut lab, 3_000 * MS, LabAction::Restart(1));
    lab.seek(5_000 * MS);
    for leader in 0..3 {
        assert_eq!(ids(&lab, leader), vec![1], "leader {leader}");
    }
}

#[test]
fn a_star_with_its_hub_crashed_stops_until_the_topology_changes() {
    let mut lab = lab(3, config(Topology::Star, Resolver::LastWriteWins));
    act(&mut lab, 100 * MS, LabAction::Crash(0));
    insert(&mut lab, 200 * MS, 1, 1);
    insert(&mut lab, 210 * MS, 2, 2);
    lab.seek(4_000 * MS);
    assert_eq!(
        ids(&lab, 1),
        vec![1],
        "leader-b got leader-c's write without the hub"
    );
    assert_eq!(ids(&lab, 2), vec![2]);
    act(
        &mut lab,
        4_000 * MS,
        LabAction::SetTopology(Topology::AllToAll),
    );
    lab.seek(5_000 * MS);
    assert_eq!(ids(&lab, 1), vec![1, 2]);
    assert_eq!(ids(&lab, 2), vec![1, 2]);
    act(&mut lab, 5_000 * MS, LabAction::Restart(0));
    act(
        &mut lab,
        5_100 * MS,
        LabAction::SetTopology(Topology::AllToAll),
    );
    lab.seek(8_000 * MS);
    assert_eq!(ids(&lab, 0), vec![1, 2]);
    assert!(lab.checks().all_clear(), "{:?}", lab.checks());
}

// ---------------------------------------------------------------------------------------
// Each resolver on the same conflict.

/// Two leaders, leader-b's clock two seconds behind. Order 1 is created on leader-a and
/// reaches leader-b; the link between them is cut; leader-a sets it 'paid' at 600 ms and
/// leader-b — really later, at 700 ms, but by its clock 1.9 s earlier — 'cancelled'; the
/// link heals.
fn the_same_conflict(resolver: Resolver) -> Lab {
    let mut cluster = ClusterConfig::multi_leader(2, config(Topology::AllToAll, resolver));
    cluster.servers[1].clock_skew = -2_000_000;
    the_conflict_script(Lab::new(LabSettings { seed: 5, cluster }))
}

/// The conflict's script on a two-leader `lab`: order 1 created on leader-a reaches
/// leader-b; the link is cut; leader-a sets it 'paid' at 600 ms, leader-b 'cancelled' at
/// 700 ms; the link heals at 800 ms; the lab is shown at 3 s.
fn the_conflict_script(mut lab: Lab) -> Lab {
    sql(
        &mut lab,
        10 * MS,
        2,
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    lab.seek(500 * MS);
    assert_eq!(rows(&lab, 1), vec![(1, "new".into())]);
    act(&mut lab, 500 * MS, LabAction::Partition { a: 0, b: 1 });
    sql(
        &mut lab,
        600 * MS,
        2,
        "UPDATE orders SET status = 'paid' WHERE id = 1",
    );
    sql(
        &mut lab,
        700 * MS,
        3,
        "UPDATE orders SET status = 'cancelled' WHERE id = 1",
    );
    act(&mut lab, 800 * MS, LabAction::Heal { a: 0, b: 1 });
    lab.seek(3_000 * MS);
    lab
}

fn lost(lab: &Lab) -> Vec<String> {
    lab.checks()
        .lost_to_conflicts
        .into_iter()
        .map(|l| l.write)
        .collect()
}

fn both_show(lab: &Lab, status: &str) {
    assert_eq!(rows(lab, 0), vec![(1, status.into())]);
    assert_eq!(rows(lab, 1), vec![(1, status.into())]);
}

#[test]
fn last_write_wins_loses_the_later_write_of_the_leader_whose_clock_runs_behind() {
    let lab = the_same_conflict(Resolver::LastWriteWins);
    // 'cancelled' really came last; its clock made it "older", so it is the one lost.
    both_show(&lab, "paid");
    assert_eq!(lost(&lab), vec!["leader-b #1".to_string()]);
    let conflicts = lab.conflicts();
    assert_eq!(conflicts.len(), 2, "each leader detects it: {conflicts:?}");
    assert!(conflicts
        .iter()
        .all(|c| c.kind == "update_origin_differs" && c.lost == vec!["leader-b #1"]));
}

#[test]
fn highest_replica_id_wins_whatever_the_clocks_say() {
    let lab = the_same_conflict(Resolver::HighestReplicaId);
    both_show(&lab, "cancelled");
    assert_eq!(lost(&lab), vec!["leader-a #2".to_string()]);
}

#[test]
fn merge_joins_the_text_of_both_and_loses_nothing() {
    let lab = the_same_conflict(Resolver::Merge);
    both_show(&lab, "paid + cancelled");
    assert!(lost(&lab).is_empty());
    assert!(lab.checks().all_clear(), "{:?}", lab.checks());
}

#[test]
fn siblings_keep_both_versions_and_lose_nothing() {
    let lab = the_same_conflict(Resolver::Siblings);
    // The table shows one (the latest by its clock); both stay, for the application.
    both_show(&lab, "paid");
    assert!(lost(&lab).is_empty());
    let conflicts = lab.conflicts();
    assert_eq!(conflicts.len(), 2, "{conflicts:?}");
    for c in &conflicts {
        let mut versions: Vec<&str> = c.local.iter().map(|v| v.row.as_str()).collect();
        versions.push(c.remote.row.as_str());
        assert!(versions.iter().any(|r| r.contains("'paid'")), "{c:?}");
        assert!(versions.iter().any(|r| r.contains("'cancelled'")), "{c:?}");
        assert!(c.lost.is_empty());
    }
    for leader in 0..2 {
        let server = lab
            .world()
            .node(NodeId(leader))
            .and_then(LabNode::as_server)
            .expect("a server");
        let kept = server
            .disk
            .multi
            .versions
            .get(&("orders".to_string(), Value::Integer(1)))
            .expect("versions of order 1");
        assert_eq!(kept.len(), 2, "leader {leader} keeps both siblings");
    }
}

#[test]
fn a_home_leader_per_key_avoids_the_conflict_while_the_home_is_up() {
    let lab = the_same_conflict(Resolver::HomeLeader);
    // Both clients sent their write for order 1 to its home, leader-a: one after the other.
    both_show(&lab, "cancelled");
    let checks = lab.checks();
    assert_eq!(checks.conflicts, 0, "{checks:?}");
    assert!(lost(&lab).is_empty());
}

// ---------------------------------------------------------------------------------------
// Causality in all-to-all (DDIA figure 5-9) and consistent prefix.

/// Three leaders all-to-all, where what leader-a sends leader-c takes a second: leader-b
/// hears from leader-a long before leader-c does.
fn slow_a_to_c(version_vectors: bool) -> Run {
    let multi = MultiLeaderConfig {
        version_vectors,
        ..config(Topology::AllToAll, Resolver::LastWriteWins)
    };
    let cluster = ClusterConfig::multi_leader(3, multi);
    let net = network(&cluster, &multi).with_link(
        NodeId(0),
        NodeId(2),
        LinkConfig::new(Time::millis(1_000)),
    );
    Run::with_network(&cluster, 5, net)
}

fn run_notes(run: &Run) -> Vec<Note> {
    run.world
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Note { note, .. } => Some((**note).clone()),
            _ => None,
        })
        .collect()
}

/// leader-a inserts order 1; leader-b, having it, updates it; the update reaches leader-c
/// before the insert.
fn update_overtakes_insert(version_vectors: bool) -> Run {
    let mut run = slow_a_to_c(version_vectors);
    run.sql(
        ms(10),
        "client-a",
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    run.sql(
        ms(300),
        "client-b",
        "UPDATE orders SET status = 'paid' WHERE id = 1",
    );
    run.run_until(ms(5_000));
    assert_eq!(
        run.rows("leader-b", "orders")[0][1],
        "paid",
        "leader-b had the insert when it updated"
    );
    run
}

fn checks_of(run: &Run) -> replication_lab::replication::checks::Checks {
    run.checks(run.server("leader-a").config.method)
}

#[test]
fn without_version_vectors_an_update_that_overtakes_its_insert_is_lost_and_rows_differ() {
    let run = update_overtakes_insert(false);
    let missing: Vec<Note> = run_notes(&run)
        .into_iter()
        .filter(|n| {
            matches!(
                n,
                Note::Conflict {
                    kind: "update_missing",
                    ..
                }
            )
        })
        .collect();
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert!(matches!(&missing[0], Note::Conflict { node, lost: 1, .. } if node == "leader-c"));
    let checks = checks_of(&run);
    let lost: Vec<&str> = checks
        .lost_to_conflicts
        .iter()
        .map(|l| l.write.as_str())
        .collect();
    assert_eq!(lost, vec!["leader-b #1"]);
    assert_eq!(run.rows("leader-a", "orders")[0][1], "paid");
    assert_eq!(run.rows("leader-c", "orders")[0][1], "new");
    assert!(!checks.diverged_rows.is_empty(), "{checks:?}");
}

#[test]
fn with_version_vectors_the_third_leader_holds_the_update_until_its_insert_arrives() {
    let run = update_overtakes_insert(true);
    let notes = run_notes(&run);
    let held: Vec<&Note> = notes
        .iter()
        .filter(|n| matches!(n, Note::ChangeHeld { .. }))
        .collect();
    assert_eq!(held.len(), 1, "{held:?}");
    assert!(
        matches!(held[0], Note::ChangeHeld { node, origin, seq: 1, waits_for }
            if node == "leader-c" && origin == "leader-b" && waits_for == "leader-a #1"),
        "{held:?}"
    );
    assert!(!notes.iter().any(|n| matches!(n, Note::Conflict { .. })));
    for leader in ["leader-a", "leader-b", "leader-c"] {
        assert_eq!(run.rows(leader, "orders")[0][1], "paid", "{leader}");
    }
    assert!(checks_of(&run).all_clear(), "{:?}", checks_of(&run));
}

/// An observer beside leader-c reads every 20 ms while a question is asked on leader-a and
/// answered on leader-b once it arrived there. The ids of every read, in order.
fn observer_reads(version_vectors: bool) -> Vec<Vec<String>> {
    let mut run = slow_a_to_c(version_vectors);
    run.sql(
        ms(10),
        "client-a",
        "INSERT INTO orders (id, status) VALUES (1, 'question')",
    );
    run.sql(
        ms(200),
        "client-b",
        "INSERT INTO orders (id, status) VALUES (2, 'answer')",
    );
    let select = "SELECT id FROM orders ORDER BY id";
    for t in 0..100 {
        run.sql(ms(100 + 20 * t), "client-c", select);
    }
    run.run_until(ms(4_000));
    run.answers("client-c")
        .iter()
        .filter(|a| a.sql == select)
        .map(|a| match &a.outcome {
            Ok(ok) => ok.result.as_ref().map_or_else(Vec::new, |r| {
                r.rows.iter().map(|row| row[0].to_string()).collect()
            }),
            Err(e) => panic!("{e}"),
        })
        .collect()
}

#[test]
fn an_observer_sees_the_answer_before_its_question_without_version_vectors_never_with() {
    let answer_alone = vec!["2".to_string()];
    let both = vec!["1".to_string(), "2".to_string()];
    let without = observer_reads(false);
    assert!(
        without.contains(&answer_alone),
        "no read saw the answer alone: {without:?}"
    );
    assert_eq!(without.last(), Some(&both));
    let with = observer_reads(true);
    assert!(!with.contains(&answer_alone), "{with:?}");
    assert_eq!(with.last(), Some(&both));
}

// ---------------------------------------------------------------------------------------
// Shipping through a topology change and under steady writes.

#[test]
fn after_a_topology_change_a_leader_gets_what_the_old_one_did_not_forward() {
    // All-to-all, leader-a and leader-b cut apart: leader-b's write reaches leader-c only,
    // and leader-c, sending only its own, passes it on to nobody.
    let mut lab = lab(3, config(Topology::AllToAll, Resolver::LastWriteWins));
    act(&mut lab, 50 * MS, LabAction::Partition { a: 0, b: 1 });
    insert(&mut lab, 100 * MS, 1, 1);
    insert(&mut lab, 300 * MS, 2, 2);
    lab.seek(2_000 * MS);
    assert_eq!(ids(&lab, 0), vec![2]);
    assert_eq!(ids(&lab, 2), vec![1, 2]);
    // In a ring leader-c forwards: leader-a must now take leader-b's write from leader-c's
    // log, although it had already read past it when it took only leader-c's own.
    act(
        &mut lab,
        2_000 * MS,
        LabAction::SetTopology(Topology::Circular),
    );
    lab.seek(4_000 * MS);
    assert_eq!(
        ids(&lab, 0),
        vec![1, 2],
        "leader-a skipped what leader-c forwards"
    );
    act(&mut lab, 4_000 * MS, LabAction::Heal { a: 0, b: 1 });
    lab.seek(6_000 * MS);
    for leader in 0..3 {
        assert_eq!(ids(&lab, leader), vec![1, 2], "leader {leader}");
    }
    assert!(lab.checks().all_clear(), "{:?}", lab.checks());
}

#[test]
fn a_leader_cut_off_under_steady_writes_catches_up_while_the_writes_go_on() {
    let mut lab = lab(2, config(Topology::AllToAll, Resolver::LastWriteWins));
    // One write every 10 ms on leader-a from 0 to 5 s, the link to leader-b cut from 0.5 s to
    // 1 s: the cut lost some of what was sent, and leader-a keeps sending the newest all
    // the while (inputs in time order: one in the past would rewrite the future).
    for i in 0..500u64 {
        let at = (5 + 10 * i) * MS;
        if at == 505 * MS {
            act(&mut lab, 500 * MS, LabAction::Partition { a: 0, b: 1 });
        }
        if at == 1_005 * MS {
            assert!(ids(&lab, 1).len() < 50, "the cut let writes through");
            act(&mut lab, 1_000 * MS, LabAction::Heal { a: 0, b: 1 });
        }
        sql(
            &mut lab,
            at,
            2,
            &format!("INSERT INTO orders (id, status) VALUES ({}, 'w')", i + 1),
        );
    }
    // Still writing at 5 s; everything written by 4 s has reached leader-b.
    lab.seek(5_000 * MS);
    let b: Vec<i64> = ids(&lab, 1);
    assert!(
        (1..=400).all(|id| b.contains(&id)),
        "leader-b stuck at {} rows while leader-a kept writing",
        b.len()
    );
}

#[test]
fn in_all_to_all_a_write_is_one_message_to_each_other_leader_and_nothing_else() {
    let mut lab = lab(3, config(Topology::AllToAll, Resolver::LastWriteWins));
    insert(&mut lab, 10 * MS, 0, 1);
    insert(&mut lab, 1_000 * MS, 1, 2);
    lab.seek(3_000 * MS);
    let mut batches: Vec<(NodeId, NodeId, usize)> = Vec::new();
    let mut acks = 0;
    for event in lab.world().trace().iter() {
        if let TraceKind::Sent { from, to, msg, .. } = &event.kind {
            match &**msg {
                Msg::MultiLeader(MultiLeaderMsg::Changes { entries, .. }) => {
                    batches.push((*from, *to, entries.len()))
                }
                Msg::MultiLeader(MultiLeaderMsg::Ack { .. }) => acks += 1,
                _ => {}
            }
        }
    }
    // leader-a's write to leader-b and leader-c; then leader-b's (its log also holds
    // leader-a's, which it does not send on, nor says anything about).
    assert_eq!(
        batches,
        vec![
            (NodeId(0), NodeId(1), 1),
            (NodeId(0), NodeId(2), 1),
            (NodeId(1), NodeId(0), 1),
            (NodeId(1), NodeId(2), 1),
        ]
    );
    assert_eq!(acks, 4);
    for leader in 0..3 {
        assert_eq!(ids(&lab, leader), vec![1, 2]);
    }
}

#[test]
fn a_change_held_for_its_dependency_survives_a_crash_of_the_leader_holding_it() {
    let mut run = slow_a_to_c(true);
    run.sql(
        ms(10),
        "client-a",
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    run.sql(
        ms(300),
        "client-b",
        "UPDATE orders SET status = 'paid' WHERE id = 1",
    );
    run.run_until(ms(500));
    assert_eq!(run.server("leader-c").disk.multi.held.len(), 1);
    // leader-c crashes holding it; leader-b will not send it again (it was acknowledged).
    run.crash(ms(500), "leader-c").restart(ms(700), "leader-c");
    run.run_until(ms(5_000));
    for leader in ["leader-a", "leader-b", "leader-c"] {
        assert_eq!(run.rows(leader, "orders"), run.rows("leader-a", "orders"));
        assert_eq!(run.rows(leader, "orders")[0][1], "paid", "{leader}");
    }
    assert!(checks_of(&run).all_clear(), "{:?}", checks_of(&run));
}

#[test]
fn a_delete_concurrent_with_an_update_is_settled_alike_on_both_leaders() {
    // (the first write's time, the second's): the later one wins under last write wins.
    for delete_first in [true, false] {
        let mut lab = lab(2, config(Topology::AllToAll, Resolver::LastWriteWins));
        sql(
            &mut lab,
            10 * MS,
            2,
            "INSERT INTO orders (id, status) VALUES (1, 'new')",
        );
        act(&mut lab, 500 * MS, LabAction::Partition { a: 0, b: 1 });
        let (delete_at, update_at) = if delete_first { (600, 700) } else { (700, 600) };
        let delete = "DELETE FROM orders WHERE id = 1";
        let update = "UPDATE orders SET status = 'paid' WHERE id = 1";
        if delete_first {
            sql(&mut lab, delete_at * MS, 2, delete);
            sql(&mut lab, update_at * MS, 3, update);
        } else {
            sql(&mut lab, update_at * MS, 3, update);
            sql(&mut lab, delete_at * MS, 2, delete);
        }
        act(&mut lab, 800 * MS, LabAction::Heal { a: 0, b: 1 });
        lab.seek(3_000 * MS);
        let (expected, lost_write): (Vec<(i64, String)>, &str) = if delete_first {
            (vec![(1, "paid".into())], "leader-a #2")
        } else {
            (vec![], "leader-b #1")
        };
        assert_eq!(rows(&lab, 0), expected, "delete first: {delete_first}");
        assert_eq!(rows(&lab, 1), expected, "delete first: {delete_first}");
        assert_eq!(lost(&lab), vec![lost_write.to_string()]);
        assert!(lab.checks().diverged_rows.is_empty());
    }
}

#[test]
fn a_home_router_sends_a_write_to_its_rows_home_and_anything_else_nearby() {
    use replication_lab::replication::client::Router;
    let router = Router::Home {
        nearby: NodeId(1),
        leaders: vec![NodeId(0), NodeId(1), NodeId(2)],
    };
    let to = |sql: &str| router.target_for(sql);
    assert_eq!(to("UPDATE orders SET status = 'x' WHERE id = 3"), NodeId(2));
    assert_eq!(to("delete from orders where id=4"), NodeId(0));
    assert_eq!(
        to("INSERT INTO orders (id, status) VALUES (5, 'x')"),
        NodeId(1)
    );
    // No key named, or a read: nearby.
    assert_eq!(to("INSERT INTO orders (status) VALUES ('x')"), NodeId(1));
    assert_eq!(to("SELECT * FROM orders WHERE id = 3"), NodeId(1));
    assert_eq!(to("UPDATE orders SET status = 'x'"), NodeId(1));
}

#[test]
fn a_leader_offline_for_long_keeps_writing_and_syncs_with_the_same_conflict_machinery() {
    // DDIA's calendar: leader-c stands for a device that goes offline for half a minute,
    // takes writes locally, and syncs when it is back (the lab has no device of its own yet:
    // this is a leader cut off from both others).
    let mut lab = lab(3, config(Topology::AllToAll, Resolver::Siblings));
    insert(&mut lab, 10 * MS, 0, 1);
    act(&mut lab, 500 * MS, LabAction::Partition { a: 2, b: 0 });
    act(&mut lab, 500 * MS, LabAction::Partition { a: 2, b: 1 });
    sql(
        &mut lab,
        1_000 * MS,
        5,
        "UPDATE orders SET status = 'moved to 3pm' WHERE id = 1",
    );
    insert(&mut lab, 2_000 * MS, 2, 2);
    sql(
        &mut lab,
        10_000 * MS,
        3,
        "UPDATE orders SET status = 'cancelled' WHERE id = 1",
    );
    lab.seek(30_000 * MS);
    assert_eq!(
        ids(&lab, 0),
        vec![1],
        "the device's writes stay on the device"
    );
    assert_eq!(ids(&lab, 2), vec![1, 2]);
    act(&mut lab, 30_000 * MS, LabAction::Heal { a: 2, b: 0 });
    act(&mut lab, 30_000 * MS, LabAction::Heal { a: 2, b: 1 });
    lab.seek(33_000 * MS);
    for leader in 0..3 {
        assert_eq!(rows(&lab, leader), rows(&lab, 0), "leader {leader}");
        assert_eq!(ids(&lab, leader), vec![1, 2]);
    }
    // The offline edit and the online one were concurrent: both kept, nothing lost.
    let conflicts = lab.conflicts();
    assert!(!conflicts.is_empty());
    assert!(conflicts.iter().all(|c| c.lost.is_empty()));
    assert!(lab.checks().lost_to_conflicts.is_empty());
}
