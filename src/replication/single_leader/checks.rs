//! What the lab checks live, the way a careful operator would after every event:
//!
//! - **two leaders** (split brain): more than one running server accepts writes;
//! - **lost acknowledged writes**: a client was told "committed", and no leader still serves
//!   that commit — neither the current leader's history nor, during a split brain, the old
//!   side's (its writes are lost once it is demoted or rewound, not while it serves them);
//! - **diverged rows**: a follower that has replayed everything its leader has, yet holds rows
//!   that differ from the leader's (statement-based replication of an unsafe statement);
//! - **stalled followers**: a follower that stopped applying (an apply error, a refused
//!   stream);
//! - **blocked commits**: commits waiting for a synchronous standby (`SyncRep`).
//!
//! Beside them, where each replica that is not up to date stands, in the words of
//! [`super::progress`] (the words the nodes and the inspector show).
//!
//! Reads the world; never changes it. Knows nothing of the UI.

use crate::engine::{compare_rows, Database, RowDifference, Value};
use crate::sim::{NodeId, NodeStatus, Time, World};

use crate::replication::config::Method;
use crate::replication::method::trigger::CHANGELOG_TABLE;
use crate::replication::node::LabNode;
use crate::replication::server::{Server, ServerRole, Stream};

use super::progress::{behind, progress, ReplicaProgress};

/// A write a client saw acknowledged that the current leader no longer has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostWrite {
    pub client: String,
    pub sql: String,
    /// Where it was committed: (term, index) in the old leader's log.
    pub term: u32,
    pub index: u64,
    pub acknowledged_at: Time,
}

/// A row that differs between the leader and a caught-up follower.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DivergedRow {
    pub follower: String,
    pub table: String,
    pub key: Value,
    /// The differing columns with (leader value, follower value); empty when one side lacks
    /// the row altogether.
    pub columns: Vec<(String, Option<Value>, Option<Value>)>,
    pub missing_on_follower: bool,
    pub missing_on_leader: bool,
}

/// A follower that stopped applying, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stalled {
    pub follower: String,
    pub error: String,
}

/// Everything the lab flags at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checks {
    /// Servers accepting writes, named, when there is more than one (split brain).
    pub two_leaders: Vec<String>,
    pub lost_acked_writes: Vec<LostWrite>,
    pub diverged_rows: Vec<DivergedRow>,
    pub stalled: Vec<Stalled>,
    pub blocked_commits: usize,
    /// Replicas that are not streaming with everything applied, with where each stands (the
    /// same [`ReplicaProgress`] the node and the inspector show): catching up, behind,
    /// crashed, connecting... Their rows are not compared until they catch up (lag is not
    /// divergence). Empty spares are not listed.
    pub replicas: Vec<(String, ReplicaProgress)>,
    /// Multi-leader: conflicts detected so far, by all leaders together.
    pub conflicts: usize,
    /// Multi-leader: writes a conflict resolver threw away (or an apply skipped), each once.
    pub lost_to_conflicts: Vec<LostToConflict>,
    /// Multi-leader: changes held back until what they depend on arrives.
    pub held: usize,
}

/// A write a multi-leader cluster's conflict resolution threw away.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostToConflict {
    /// `leader-b #2`: the origin's change, by number.
    pub write: String,
    pub table: String,
    pub key: Value,
    /// PostgreSQL's name for the conflict (`update_origin_differs`…).
    pub kind: &'static str,
    /// The leader where it was first thrown away.
    pub node: String,
}

impl Checks {
    /// Whether nothing is flagged (lag alone is not a problem).
    pub fn all_clear(&self) -> bool {
        self.two_leaders.is_empty()
            && self.lost_acked_writes.is_empty()
            && self.diverged_rows.is_empty()
            && self.stalled.is_empty()
            && self.blocked_commits == 0
            && self.lost_to_conflicts.is_empty()
    }
}

/// The current leader: the running server that leads with the highest term.
pub fn current_leader(world: &World<LabNode>) -> Option<(NodeId, &Server)> {
    world
        .nodes()
        .filter(|n| n.status == NodeStatus::Up)
        .filter_map(|n| n.process.as_server().map(|s| (n.id, s)))
        .filter(|(_, s)| s.disk.family.role == ServerRole::Leader)
        .max_by_key(|(id, s)| (s.disk.family.term, std::cmp::Reverse(*id)))
}

/// Runs every check on `world` (each server knows its method: `_method` is the cluster's).
pub fn check(world: &World<LabNode>, _method: Method) -> Checks {
    if crate::replication::family::is_multi_leader(world) {
        return crate::replication::multi_leader::checks::check(world);
    }
    let mut checks = Checks::default();
    let leader = current_leader(world);
    for node in world.nodes() {
        let Some(server) = node.process.as_server() else {
            continue;
        };
        if server.disk.family.role == ServerRole::Leader {
            checks.blocked_commits += server.mem.role.waiting().len();
            continue;
        }
        match progress(world, node.id) {
            Some(ReplicaProgress::Spare) | None => {}
            Some(p) if p.up_to_date() => {}
            Some(p) => checks.replicas.push((node.name.to_string(), p)),
        }
        if server.disk.family.role != ServerRole::Follower {
            continue;
        }
        if node.status == NodeStatus::Up {
            let error = match (server.mem.role.stalled(), server.mem.role.stream()) {
                (Some(error), _) => Some(error.to_string()),
                (None, Stream::Refused(error)) => Some(error.clone()),
                _ => None,
            };
            if let Some(error) = error {
                checks.stalled.push(Stalled {
                    follower: node.name.to_string(),
                    error,
                });
            }
        }
        let Some((leader_id, leader)) = leader else {
            continue;
        };
        // Rows are compared only once it has applied everything its leader has.
        if server.disk.family.leader != Some(leader_id) || behind(world, server) != Some(0) {
            continue;
        }
        checks
            .diverged_rows
            .extend(replicated_differences(leader, server, node.name));
    }
    let writable = writable_leaders(world);
    if writable.len() > 1 {
        checks.two_leaders = writable.iter().map(|(name, _)| name.to_string()).collect();
    }
    if let Some((_, leader)) = leader {
        // Every side that still serves writes keeps what it acknowledged.
        let mut serving: Vec<&Server> = writable.iter().map(|(_, s)| *s).collect();
        if !serving.iter().any(|s| std::ptr::eq(*s, leader)) {
            serving.push(leader);
        }
        checks.lost_acked_writes = lost_acked_writes(world, &serving);
    }
    checks
}

/// Rows that differ between a leader and its follower `name` in what the method replicates:
/// under trigger-based replication only the chosen tables (the others are meant to differ).
pub fn replicated_differences(leader: &Server, follower: &Server, name: &str) -> Vec<DivergedRow> {
    let mut diverged = diverged_rows(&leader.disk.db, &follower.disk.db, name);
    if !follower.config.method.replicates_every_table() {
        let chosen = &follower.config.replicated_tables;
        diverged.retain(|d| chosen.iter().any(|t| t.eq_ignore_ascii_case(&d.table)));
    }
    diverged
}

/// Rows that differ between a leader's database and a follower's, by key, over the tables
/// both have (the trigger changelog aside).
pub fn diverged_rows(leader: &Database, follower: &Database, name: &str) -> Vec<DivergedRow> {
    compare_rows(leader, follower)
        .differences
        .into_iter()
        .filter(|d| d.table != CHANGELOG_TABLE)
        // A follower may have columns the leader lacks (logical replication allows it): a row
        // whose shared columns agree has not diverged.
        .filter(|d| d.left.is_none() || d.right.is_none() || !d.columns.is_empty())
        .map(|d| diverged_row(d, name))
        .collect()
}

fn diverged_row(d: RowDifference, follower: &str) -> DivergedRow {
    let value = |side: &Option<Vec<(String, Value)>>, column: &str| {
        side.as_ref().and_then(|row| {
            row.iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(column))
                .map(|(_, v)| v.clone())
        })
    };
    DivergedRow {
        follower: follower.to_string(),
        table: d.table,
        key: d.key,
        columns: d
            .columns
            .iter()
            .map(|c| (c.clone(), value(&d.left, c), value(&d.right, c)))
            .collect(),
        missing_on_follower: d.right.is_none(),
        missing_on_leader: d.left.is_none(),
    }
}

/// The running servers that accept writes, by name, in node order.
pub fn writable_leaders(world: &World<LabNode>) -> Vec<(&str, &Server)> {
    world
        .nodes()
        .filter(|n| n.status == NodeStatus::Up)
        .filter_map(|n| n.process.as_server().map(|s| (n.name, s)))
        .filter(|(_, s)| s.is_writable_leader())
        .collect()
}

/// Acknowledged commits that none of `leaders` holds.
fn lost_acked_writes(world: &World<LabNode>, leaders: &[&Server]) -> Vec<LostWrite> {
    let mut lost = Vec::new();
    for node in world.nodes() {
        let Some(client) = node.process.as_client() else {
            continue;
        };
        for answer in &client.answered {
            let Ok(ok) = &answer.outcome else { continue };
            let Some((term, index)) = ok.committed else {
                continue;
            };
            if !leaders.iter().any(|leader| leader_has(leader, term, index)) {
                lost.push(LostWrite {
                    client: node.name.to_string(),
                    sql: answer.sql.clone(),
                    term,
                    index,
                    acknowledged_at: answer.answered_at,
                });
            }
        }
    }
    lost
}

/// Whether the leader's history holds entry `index` of `term`.
fn leader_has(leader: &Server, term: u32, index: u64) -> bool {
    if index <= leader.disk.base {
        // Folded into the snapshot this leader started from: it has it if the term history
        // agrees that entry was shared.
        return leader.disk.family.history.common_prefix(
            term,
            index,
            leader.disk.family.term,
            leader.disk.last_index(),
        ) >= index;
    }
    leader.disk.entry(index).is_some_and(|e| e.term == term)
}
