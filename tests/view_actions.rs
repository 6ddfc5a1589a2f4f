//! The view's roles and offered actions, as the UI reads them: family-neutral role kinds with
//! the family's words, and only actions the lab takes now — so the UI decides nothing from
//! the words it shows.

use replication_lab::lab::{ClusterConfig, Lab, LabAction, LabSettings, Method};
use replication_lab::view::{layout, NodeCommand, NodeKind, NodeStatus, NodeView, RoleKind, View};

fn lab(fencing: bool) -> Lab {
    let mut cluster = ClusterConfig::lab_default(Method::Wal);
    cluster.failover.fencing = fencing;
    Lab::new(LabSettings { seed: 3, cluster })
}

fn node<'v>(view: &'v View, name: &str) -> &'v NodeView {
    view.nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", view.nodes))
}

fn commands(view: &View, name: &str) -> Vec<NodeCommand> {
    node(view, name).actions.iter().map(|a| a.command).collect()
}

/// Every action every node offers, tried on a copy of `lab`: the lab takes each one.
fn assert_every_offer_is_taken(lab: &Lab) {
    let view = lab.view();
    let mut tried = 0;
    for n in &view.nodes {
        for offer in &n.actions {
            let mut copy = lab.clone();
            let result = copy.perform(LabAction::on(n.id, offer.command));
            assert!(
                result.is_ok(),
                "{} offers {:?} at t = {} but the lab refuses it: {:?}",
                n.name,
                offer.command,
                view.time,
                result.err().map(|e| e.to_string())
            );
            tried += 1;
        }
    }
    assert!(tried >= view.nodes.len(), "every node offers something");
}

#[test]
fn each_node_offers_what_its_role_allows_and_the_lab_takes_it() {
    let mut lab = lab(true);
    lab.seek(200_000);
    let view = lab.view();
    use NodeCommand::*;
    assert_eq!(commands(&view, "leader"), [Crash, Checkpoint]);
    assert_eq!(commands(&view, "follower-1"), [Crash, Promote]);
    assert_eq!(commands(&view, "follower-3"), [Crash, Join], "the spare");
    assert_eq!(commands(&view, "client-1"), [Crash], "an idle client");
    assert_eq!(commands(&view, "etcd"), [Crash]);
    let roles: Vec<(&str, RoleKind)> = view
        .nodes
        .iter()
        .map(|n| (n.role.text, n.role.kind))
        .collect();
    assert_eq!(
        roles,
        [
            ("leader", RoleKind::Writable),
            ("follower", RoleKind::Replica),
            ("follower", RoleKind::Replica),
            ("follower", RoleKind::Replica),
            ("client", RoleKind::None),
            ("client", RoleKind::None),
            ("coordinator", RoleKind::None),
        ]
    );
    assert_eq!(
        node(&view, "etcd").role.long,
        "coordination service (leader key)"
    );
    assert_eq!(view.words.default_target, "the leader");
    assert_eq!(view.words.reference, "the leader");
    assert_every_offer_is_taken(&lab);
}

#[test]
fn a_crashed_node_offers_only_restart() {
    let mut lab = lab(true);
    let follower = node(&lab.view(), "follower-1").id;
    lab.perform(LabAction::Crash(follower)).expect("crash");
    let view = lab.view();
    assert_eq!(node(&view, "follower-1").status, NodeStatus::Crashed);
    assert_eq!(commands(&view, "follower-1"), [NodeCommand::Restart]);
    assert_eq!(node(&view, "follower-1").role.kind, RoleKind::Replica);
    assert_every_offer_is_taken(&lab);
}

#[test]
fn a_joining_spare_offers_nothing_but_crash_until_its_backup_arrives() {
    let mut lab = lab(true);
    let spare = node(&lab.view(), "follower-3").id;
    lab.perform(LabAction::Join(spare)).expect("join");
    lab.step();
    let view = lab.view();
    assert!(
        node(&view, "follower-3").state.starts_with("base backup"),
        "{}",
        node(&view, "follower-3").state
    );
    assert_eq!(commands(&view, "follower-3"), [NodeCommand::Crash]);
    // Once it streams, it is a follower like the others.
    lab.seek(3_000_000);
    let view = lab.view();
    assert_eq!(
        commands(&view, "follower-3"),
        [NodeCommand::Crash, NodeCommand::Promote]
    );
    assert_every_offer_is_taken(&lab);
}

#[test]
fn a_client_offers_cancel_only_while_its_statement_waits_at_a_server() {
    use replication_lab::replication::config::{AckPolicy, AckStage};
    let mut lab = lab(true);
    let client = node(&lab.view(), "client-1").id;
    let insert = || LabAction::Sql {
        client,
        sql: "INSERT INTO orders (status) VALUES ('new')".into(),
    };
    // Asynchronous: a statement in flight has nothing to cancel, at any moment.
    lab.perform(insert()).expect("sent");
    assert!(
        node(&lab.view(), "client-1").awaiting_answers,
        "its answer is on its way"
    );
    assert!(!node(&lab.view(), "client-2").awaiting_answers);
    for _ in 0..20 {
        assert!(!node(&lab.view(), "client-1").offers(NodeCommand::Cancel));
        lab.seek(lab.time() + 10_000);
    }
    // Synchronous with the standby down: the commit waits for it, and may be cancelled.
    lab.perform(LabAction::SetAck(AckPolicy::postgres(
        AckStage::Flush,
        "follower-1",
    )))
    .expect("sync");
    let standby = node(&lab.view(), "follower-1").id;
    lab.perform(LabAction::Crash(standby)).expect("crashed");
    lab.perform(insert()).expect("sent");
    assert!(
        !node(&lab.view(), "client-1").offers(NodeCommand::Cancel),
        "in flight, not yet waiting"
    );
    lab.seek(lab.time() + 300_000);
    let view = lab.view();
    assert!(
        node(&view, "client-1").offers(NodeCommand::Cancel),
        "{}",
        node(&view, "client-1").state
    );
    assert!(!node(&view, "client-2").offers(NodeCommand::Cancel));
    assert_every_offer_is_taken(&lab);
    lab.perform(LabAction::Cancel(client)).expect("cancelled");
    lab.seek(lab.time() + 300_000);
    assert!(!node(&lab.view(), "client-1").offers(NodeCommand::Cancel));
}

#[test]
fn after_split_brain_two_writable_nodes_keep_their_places_and_the_old_leader_may_rejoin() {
    let mut lab = lab(false);
    let view = lab.view();
    let placed_before = layout(&view);
    let leader = node(&view, "leader").id;
    for follower in ["follower-1", "follower-2"] {
        let b = node(&view, follower).id;
        lab.perform(LabAction::Partition { a: leader, b })
            .expect("cut");
    }
    lab.seek(10_000_000);
    let view = lab.view();
    let writable: Vec<&str> = view
        .nodes
        .iter()
        .filter(|n| n.role.kind == RoleKind::Writable)
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(writable.len(), 2, "split brain: {writable:?}");
    assert!(writable.contains(&"leader"));
    for name in &writable {
        assert_eq!(node(&view, name).role.text, "leader");
        assert!(
            node(&view, name).offers(NodeCommand::Rejoin),
            "{name} may step down: another leader exists"
        );
    }
    // Drawn where each sat before: the old leader in the middle, the new one in the
    // replicas' row, both as writable shapes.
    let placed = layout(&view);
    assert_eq!(placed, placed_before, "nobody moved");
    let y = |name: &str| {
        let id = node(&view, name).id;
        placed.iter().find(|(n, _)| *n == id).map(|(_, p)| p.y)
    };
    let new_leader = writable.iter().find(|n| **n != "leader").expect("two");
    assert!(
        y("leader") < y(new_leader),
        "the old leader keeps the middle row"
    );
    assert_eq!(
        y(new_leader),
        y("follower-3"),
        "the new one keeps its place below"
    );
    assert_every_offer_is_taken(&lab);
}

/// The view says what the family says: each node's role, state and offered commands are its
/// family's description (`replication::family`), with crash or restart added by the lab, and
/// a command the family refuses is refused by the lab — through a crash, an automatic
/// failover, a split brain and the old leader's rejoin.
#[test]
fn the_view_and_the_refusals_are_the_familys() {
    use replication_lab::replication::family::{self, Command, RoleKind as FamilyKind};
    use replication_lab::sim::NodeId;
    let mut lab = lab(true);
    let mut checked = 0;
    let mut seen = std::collections::BTreeSet::new();
    let script = [
        (500_000, LabAction::Crash(0)),
        (4_000_000, LabAction::Restart(0)),
        (6_000_000, LabAction::Partition { a: 0, b: 1 }),
    ];
    for step in 1..=40u64 {
        let t = step * 250_000;
        lab.seek(t);
        for (at, action) in &script {
            if *at == t {
                lab.perform(action.clone()).expect("the script's action");
            }
        }
        let view = lab.view();
        for n in &view.nodes {
            let Some(described) = family::describe(lab.world(), NodeId(n.id)) else {
                assert_eq!(
                    n.kind,
                    NodeKind::Client,
                    "{}: only clients are no family's",
                    n.name
                );
                continue;
            };
            let kind = match described.role.kind {
                FamilyKind::Writable => RoleKind::Writable,
                FamilyKind::Replica => RoleKind::Replica,
                FamilyKind::None => RoleKind::None,
            };
            assert_eq!(
                (n.role.text, n.role.long, n.role.kind, n.state.as_str()),
                (
                    described.role.text,
                    described.role.long,
                    kind,
                    described.state.as_str()
                ),
                "{} at t = {t}",
                n.name
            );
            let offered: Vec<&str> = n.actions.iter().map(|a| a.text).collect();
            let mut expected: Vec<&str> = described.offers.iter().map(|o| o.text).collect();
            match n.status {
                NodeStatus::Up => expected.insert(0, "Crash"),
                NodeStatus::Crashed => expected = vec!["Restart"],
            }
            assert_eq!(offered, expected, "{} at t = {t}", n.name);
            seen.extend(offered);
            if n.kind != NodeKind::Database || n.status != NodeStatus::Up {
                continue;
            }
            for (command, on) in [
                (Command::Promote, LabAction::Promote(n.id)),
                (Command::Join, LabAction::Join(n.id)),
                (Command::Rejoin, LabAction::Rejoin(n.id)),
                (Command::Checkpoint, LabAction::Checkpoint(n.id)),
            ] {
                let refused = family::refuse(lab.world(), NodeId(n.id), command).is_err();
                let taken = lab.clone().perform(on).is_ok();
                assert_eq!(taken, !refused, "{} {command:?} at t = {t}", n.name);
                checked += 1;
            }
        }
    }
    assert!(checked > 400, "checked {checked} commands");
    for text in [
        "Restart",
        "Promote",
        "Join",
        "Checkpoint",
        "Rejoin as follower",
    ] {
        assert!(seen.contains(text), "the run offered {text}: {seen:?}");
    }
}
