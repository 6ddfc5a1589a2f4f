//! Where a replica stands, in one word: the single source of every state word the lab shows
//! for a follower or a spare — the node on the diagram, the live checks' line, the
//! inspector's status — so that on any frame they say the same thing.
//!
//! Two facts make the word:
//! - **behind** ([`behind`]): how many entries the leader it follows has logged that the
//!   replica has not *applied* (replayed) yet — not received, not flushed: what a read on the
//!   replica would miss. Under trigger-based replication, the changes the leader's triggers
//!   captured (`sl_log_1` action sequences) that it has not applied.
//! - **the phase**, from the leader's walsender (`pg_stat_replication.state`): *catching up*
//!   while the leader still sends it a backlog, *streaming* once the leader has sent it
//!   everything it had. The leader notes "caught up" ([`Note::CaughtUp`]) in the very handler
//!   that makes that change, so the event log says it at the event where the word changes.
//!   What the replica knows of itself comes first: it is crashed, receiving a base backup,
//!   stalled by an apply error, refusing the stream, or (re)connecting.
//!
//! Reads the world; never changes it. Knows nothing of the UI.
//!
//! [`Note::CaughtUp`]: crate::replication::node::Note::CaughtUp

use std::fmt;

use crate::engine::{Database, Value};
use crate::replication::method::trigger::{ACTIONSEQ, CHANGELOG_TABLE};
use crate::replication::node::LabNode;
use crate::replication::server::Server;
use crate::sim::{NodeId, NodeStatus, World};

use super::state::{FollowerState, ServerRole, Stream};

/// Where a replica (a follower, or a spare becoming one) stands. Its [`fmt::Display`] is
/// the phrase every view shows (`catching up, 3 behind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaProgress {
    Crashed,
    /// An empty spare, not replicating.
    Spare,
    /// Receiving a base backup: `received` of `of` chunks (`of` is 0 until the first).
    BaseBackup {
        received: u32,
        of: u32,
    },
    /// Replay stopped at an apply error (the stalled check and the inspector say which).
    Stalled {
        behind: u64,
    },
    /// It refused the leader's stream (an incompatible storage format).
    Refused,
    /// It asked the leader to stream and has no answer yet.
    Connecting,
    /// Its leader streams nothing to it (the leader is down, or dropped the stream, or it
    /// has no leader).
    WaitingForLeader,
    /// The leader still sends it the backlog it missed.
    CatchingUp {
        behind: u64,
    },
    /// The leader has sent it everything it had; new entries follow as they are logged.
    Streaming {
        behind: u64,
    },
    /// Trigger-based: the applier (`slon`) applies the leader's captured changes to it.
    Subscribed {
        behind: u64,
    },
}

impl ReplicaProgress {
    /// The state word alone (`catching up`), without the count.
    pub fn word(&self) -> &'static str {
        match self {
            ReplicaProgress::Crashed => "crashed",
            ReplicaProgress::Spare => "empty spare",
            ReplicaProgress::BaseBackup { .. } => "base backup",
            ReplicaProgress::Stalled { .. } => "stalled",
            ReplicaProgress::Refused => "refused the stream",
            ReplicaProgress::Connecting => "connecting",
            ReplicaProgress::WaitingForLeader => "waiting for the leader",
            ReplicaProgress::CatchingUp { .. } => "catching up",
            ReplicaProgress::Streaming { .. } => "streaming",
            ReplicaProgress::Subscribed { .. } => "subscribed",
        }
    }

    /// Entries behind (see [`behind`]), where the phase counts them.
    pub fn behind(&self) -> u64 {
        match self {
            ReplicaProgress::Stalled { behind }
            | ReplicaProgress::CatchingUp { behind }
            | ReplicaProgress::Streaming { behind }
            | ReplicaProgress::Subscribed { behind } => *behind,
            _ => 0,
        }
    }

    /// Whether it has applied everything and keeps receiving: nothing to point out.
    pub fn up_to_date(&self) -> bool {
        matches!(
            self,
            ReplicaProgress::Streaming { behind: 0 } | ReplicaProgress::Subscribed { behind: 0 }
        )
    }
}

impl fmt::Display for ReplicaProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplicaProgress::Spare => f.write_str("empty spare: Join to set it up"),
            ReplicaProgress::BaseBackup { of: 0, .. } => f.write_str("base backup requested"),
            ReplicaProgress::BaseBackup { received, of } => {
                write!(f, "base backup {received}/{of}")
            }
            other => match other.behind() {
                0 => f.write_str(other.word()),
                n => write!(f, "{}, {n} behind", other.word()),
            },
        }
    }
}

/// Where replica `id` stands; `None` for a leader, a client, or no such node.
pub fn progress(world: &World<LabNode>, id: NodeId) -> Option<ReplicaProgress> {
    let server = world.node(id)?.as_server()?;
    let role = server.disk.family.role;
    if role == ServerRole::Leader {
        return None;
    }
    if world.node_status(id) == Some(NodeStatus::Crashed) {
        return Some(ReplicaProgress::Crashed);
    }
    let memory = &server.mem.role;
    if let Stream::Snapshot { received, of } = memory.stream() {
        return Some(ReplicaProgress::BaseBackup {
            received: *received,
            of: *of,
        });
    }
    if role == ServerRole::Spare {
        return Some(ReplicaProgress::Spare);
    }
    let behind = behind(world, server).unwrap_or(0);
    if memory.stalled().is_some() {
        return Some(ReplicaProgress::Stalled { behind });
    }
    if !server.method().streams() {
        return Some(ReplicaProgress::Subscribed { behind });
    }
    Some(match memory.stream() {
        Stream::Refused(_) => ReplicaProgress::Refused,
        Stream::Connecting => ReplicaProgress::Connecting,
        Stream::Streaming => match walsender_state(world, server, id) {
            Some(FollowerState::Streaming) => ReplicaProgress::Streaming { behind },
            Some(FollowerState::Catchup | FollowerState::Startup) => {
                ReplicaProgress::CatchingUp { behind }
            }
            Some(FollowerState::Backup) | None => ReplicaProgress::WaitingForLeader,
        },
        Stream::Idle | Stream::Snapshot { .. } => ReplicaProgress::WaitingForLeader,
    })
}

/// How far `replica` is behind the leader it follows: the entries that leader has logged
/// which the replica has not applied (under trigger-based replication, the changes its
/// triggers captured that the replica has not applied). `None` when it follows no server.
/// The one definition of "behind" in the lab.
pub fn behind(world: &World<LabNode>, replica: &Server) -> Option<u64> {
    let leader = world.node(replica.disk.family.leader?)?.as_server()?;
    Some(if replica.method().captures_in_database() {
        let end = changelog_end(&leader.disk.db);
        u64::try_from(end.saturating_sub(replica.disk.applied_seq)).unwrap_or(0)
    } else {
        leader
            .disk
            .last_index()
            .saturating_sub(replica.disk.applied)
    })
}

/// The state of the walsender that serves replica `id` on the leader it follows, if that
/// leader is running and serves it (`pg_stat_replication.state`).
fn walsender_state(world: &World<LabNode>, replica: &Server, id: NodeId) -> Option<FollowerState> {
    let leader_id = replica.disk.family.leader?;
    if world.node_status(leader_id) != Some(NodeStatus::Up) {
        return None;
    }
    let leader = world.node(leader_id)?.as_server()?;
    let memory = leader.mem.role.leader()?;
    memory.followers.get(&id).map(|p| p.state)
}

/// The last action sequence in a leader's trigger changelog (0 when empty).
pub fn changelog_end(db: &Database) -> i64 {
    db.last_row(CHANGELOG_TABLE)
        .and_then(|row| match row.get(ACTIONSEQ) {
            Some(Value::Integer(seq)) => Some(*seq),
            _ => None,
        })
        .unwrap_or(0)
}
