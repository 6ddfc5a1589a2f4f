//! What a replication family tells the lab about the nodes it owns, in terms every family
//! shares: a node's role (a [`RoleKind`] with the family's words), its state in a short
//! phrase, the links it has, the [`Command`]s it offers now, and why it refuses one
//! ([`Refusal`]). Each family fills these in from its own state in its `describe.rs`
//! ([`crate::replication::single_leader::describe`]); the lab maps them to the view and to
//! its errors without knowing the family.
//!
//! The functions at the bottom are the one place that picks a cluster's family (every
//! cluster is single-leader today): a new family adds its arm there and its own
//! `describe.rs`, and the lab stays as it is.
//!
//! Knows nothing of the UI or the lab.

use crate::sim::{NodeId, World};

use super::config::Method;
use super::messages::Msg;
use super::multi_leader;
use super::node::LabNode;
use super::server::Server;
use super::single_leader;

/// A node's part in replication, as every family has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleKind {
    /// Takes clients' writes and ships them on (a leader, even one that refuses writes now).
    Writable,
    /// Holds a copy and applies what writable nodes ship (a follower, a spare).
    Replica,
    /// Not a database: a service or a daemon the family runs.
    None,
}

/// A node's role in the family's words: the word drawn on it, the longer name the inspector
/// gives it, and its [`RoleKind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Role {
    pub text: &'static str,
    pub long: &'static str,
    pub kind: RoleKind,
}

impl Role {
    /// A role whose long name is its word.
    pub const fn new(text: &'static str, kind: RoleKind) -> Role {
        Role {
            text,
            long: text,
            kind,
        }
    }

    /// The same role with a longer name.
    pub const fn with_long(self, long: &'static str) -> Role {
        Role { long, ..self }
    }
}

/// What a link a family draws carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// The replication stream (leader to follower, applier to subscriber).
    Replication,
    /// A server's session with the coordination service.
    Coordination,
}

/// A link between two nodes, in the direction its data flows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub from: NodeId,
    pub to: NodeId,
    pub kind: LinkKind,
}

/// The replication commands a family's node can offer (crash, restart and a client's cancel
/// are every node's, and the lab's own). Families add theirs here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Manual failover: a replica becomes writable.
    Promote,
    /// An empty spare copies a snapshot and starts to follow.
    Join,
    /// A node that took writes steps down and follows again.
    Rejoin,
    Checkpoint,
}

/// A command as a node offers it now, in the family's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    pub command: Command,
    /// The button's word (`Promote`).
    pub text: &'static str,
    /// What it does.
    pub hint: &'static str,
}

/// One node as its family describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    pub role: Role,
    /// The role kind the cluster's configuration gave the node (the first server: writable):
    /// where it is drawn, kept through failovers, so that only its shape changes.
    pub home: RoleKind,
    /// A short phrase (`streaming`, `catching up (3 behind)`, `crashed`).
    pub state: String,
    /// The links the node has, in drawing order.
    pub links: Vec<Link>,
    /// The commands it offers now, in the order they are shown (none while it is down).
    pub offers: Vec<Offer>,
}

/// How a message of the family is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MessageKind {
    /// It carries data (log entries, a backup's chunk, changelog rows).
    Data,
    /// It acknowledges.
    Ack,
    /// Control: keepalives, elections, requests.
    #[default]
    Heartbeat,
}

/// The words a family uses for what every family has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    /// Where a client's statement goes when no server is picked (`the leader`).
    pub default_target: &'static str,
    /// The copy another's rows are compared with (`the leader`).
    pub reference: &'static str,
}

/// Why a node refuses a [`Command`] now: it would do nothing, or the lab does not model it.
/// Families add theirs here; the lab says each in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Promote on a node that takes writes already.
    AlreadyWritable,
    /// Promote on an empty spare.
    EmptySpare,
    /// Promote on a replica whose replay stopped on an error after `applied`.
    ReplayStopped { applied: u64, error: String },
    /// Join on a node that is not an empty spare (`role`: what it is, in words).
    NotASpare { role: &'static str },
    /// Join on a spare already receiving its snapshot.
    AlreadyJoining,
    /// Join with no node to copy from.
    NoSource,
    /// Join on a spare whose source (`source`) is down.
    SourceDown { source: NodeId },
    /// Rejoin on a node that never took writes.
    NotWritable,
    /// Rejoin on the only node that takes writes.
    OnlyWritable,
    /// Checkpoint on a node that does not checkpoint in the lab.
    NoCheckpoint,
    /// Something the lab does not model.
    NotModelled { what: &'static str },
}

/// Whether `world` runs a multi-leader cluster (its servers' configuration says so).
pub fn is_multi_leader(world: &World<LabNode>) -> bool {
    world
        .nodes()
        .find_map(|n| n.process.as_server())
        .is_some_and(Server::is_multi_leader)
}

/// Node `id` as its family describes it, or `None` for a node no family owns (a client).
pub fn describe(world: &World<LabNode>, id: NodeId) -> Option<Description> {
    if is_multi_leader(world) {
        return multi_leader::describe::node(world, id);
    }
    single_leader::describe::node(world, id)
}

/// Whether node `id` (a running database server) takes `command` now.
pub fn refuse(world: &World<LabNode>, id: NodeId, command: Command) -> Result<(), Refusal> {
    if is_multi_leader(world) {
        return multi_leader::describe::refuse(world, id, command);
    }
    single_leader::describe::refuse(world, id, command)
}

/// How a family's message is drawn and labelled, or `None` for the client protocol's;
/// `sender` is the server that sent it, if a server did (its log gives the positions).
pub fn message(
    msg: &Msg,
    method: Method,
    sender: Option<&Server>,
) -> Option<(MessageKind, String)> {
    match msg {
        Msg::Client(_) => None,
        Msg::SingleLeader(msg) => Some(single_leader::describe::message(msg, method, sender)),
        Msg::MultiLeader(msg) => Some(multi_leader::describe::message(msg, sender)),
    }
}

/// The family's words.
pub fn words(world: &World<LabNode>) -> Words {
    if is_multi_leader(world) {
        return multi_leader::describe::WORDS;
    }
    single_leader::describe::WORDS
}
