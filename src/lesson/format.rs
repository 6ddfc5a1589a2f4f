//! The lesson file format, version 1: plain data read from and written to JSON.
//!
//! A lesson is cluster settings, a timeline of scripted actions at virtual times, and steps
//! a student walks through (a caption, maybe a highlight, a question, expected outcomes).
//! Nodes are named as the lab names them (`leader`, `follower-1`, `client-1`, `etcd`,
//! `applier`), never by number; tagged values are externally tagged in snake_case:
//! `{"crash": "leader"}`, `{"row": {...}}`, `"async"`. The format is documented with a full
//! example in `docs/lesson-format.md`.
//!
//! This module only describes the shapes; reading and writing a file (with its errors' field
//! paths) is `super::json`, behind `super::parse`; running one is `super::runner`. It knows
//! nothing of the UI.

use crate::engine::FormatVersion;
use crate::lab::{AckPolicy, Method};

/// The format version this lab writes and reads. A file of a newer version is refused.
pub const VERSION: u32 = 1;

/// One lesson, as its file holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lesson {
    /// The format version ([`VERSION`]).
    pub version: u32,
    /// A short stable name (`failover-lost-write`), used in links.
    pub id: String,
    pub title: String,
    /// One line saying what the lesson shows.
    pub summary: String,
    pub settings: Settings,
    /// The scripted actions, in time order.
    pub actions: Vec<Scripted>,
    /// The steps, in time order; at least one.
    pub steps: Vec<Step>,
}

/// How the lesson's lab starts: the page's default cluster (a leader, followers, an empty
/// spare, clients, the `orders` table) changed by what is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub seed: u64,
    pub method: Method,
    pub ack: AckPolicy,
    /// Streaming followers (`follower-1`…); 2 when not given.
    pub followers: Option<u32>,
    /// An empty spare after them that joins when asked; true when not given.
    pub spare: Option<bool>,
    /// Clients (`client-1`…); 2 when not given.
    pub clients: Option<u32>,
    /// A coordination service (`etcd`) fences the old leader; true when not given.
    pub fencing: Option<bool>,
    /// Followers promote one of themselves after this much leader silence; `0` turns
    /// automatic failover off. The method's default when not given.
    pub failover_timeout_ms: Option<u64>,
    /// MySQL's `innodb_lock_wait_timeout`; 50 s when not given.
    pub lock_wait_timeout_ms: Option<u64>,
    /// The schema SQL; the `orders` table when not given.
    pub schema: Option<Vec<String>>,
    /// For trigger-based replication: the tables the triggers capture; `orders` when not
    /// given.
    pub replicated_tables: Option<Vec<String>>,
    /// One server's own setup, by name.
    pub servers: Vec<ServerSetup>,
    /// A multi-leader cluster instead of a leader and followers (`leader-a`, `leader-b`…,
    /// each with its client `client-a`…): `followers`, `spare` and `clients` are not given,
    /// and `method` is logical with full row images.
    pub multi_leader: Option<MultiLeaderSettings>,
}

/// A multi-leader lesson's cluster; every field has a default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MultiLeaderSettings {
    /// 2 or 3; 3 when not given.
    pub leaders: Option<u32>,
    /// All-to-all when not given.
    pub topology: Option<crate::lab::Topology>,
    /// Last write wins when not given.
    pub resolver: Option<crate::lab::Resolver>,
    /// Off when not given.
    pub version_vectors: Option<bool>,
    /// Off when not given.
    pub auto_increment_offsets: Option<bool>,
    /// One-way latency between two leaders; 60 ms when not given.
    pub inter_dc_latency_ms: Option<u64>,
}

/// What one server does differently from the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSetup {
    pub name: String,
    /// Its storage-format version (`"v16"`, `"v17"`).
    pub format: Option<FormatVersion>,
    /// How far its clock runs ahead (negative: behind), in milliseconds.
    pub clock_skew_ms: Option<i64>,
    /// Schema SQL run on this server alone (for methods that do not carry DDL).
    pub schema: Option<Vec<String>>,
}

/// An action at a virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scripted {
    /// Milliseconds of virtual time since the lab started.
    pub at_ms: u64,
    /// Microseconds after `at_ms` (0 to 999): a session saved as a lesson keeps its actions'
    /// exact times. Written only when not 0.
    pub plus_us: u32,
    pub action: ScriptAction,
}

/// [`crate::lab::LabAction`] with nodes named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptAction {
    /// `client` runs `sql` on the leader it knows.
    Sql {
        client: String,
        sql: String,
    },
    /// `client` runs `sql` on `server`.
    SqlOn {
        client: String,
        server: String,
        sql: String,
    },
    Crash(String),
    Restart(String),
    Promote(String),
    Join(String),
    Rejoin(String),
    Partition {
        a: String,
        b: String,
    },
    Heal {
        a: String,
        b: String,
    },
    SetAck(AckPolicy),
    Checkpoint(String),
    Cancel(String),
    /// `client` routes its reads this way from now on.
    SetReadRouting {
        client: String,
        routing: crate::lab::ReadRouting,
    },
    /// Multi-leader: every running leader sends by this topology from now on.
    SetTopology(crate::lab::Topology),
}

/// One step of a lesson: the lab shown at `at_ms`, after every action up to then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub at_ms: u64,
    /// Short plain text (no HTML).
    pub caption: String,
    pub highlight: Option<Highlight>,
    pub question: Option<Question>,
    /// What must hold at this step (checked when it is reached).
    pub expect: Vec<Expect>,
}

/// What the diagram and inspector point at during a step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Highlight {
    pub nodes: Vec<String>,
    /// Links, each the two nodes it joins.
    pub links: Vec<[String; 2]>,
    pub cell: Option<Cell>,
    pub log_record: Option<LogRecord>,
}

/// One cell of a table on one node; `key` is the row's first column as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub node: String,
    pub table: String,
    pub key: String,
    pub column: String,
}

/// One line of a node's replication log (0 is the first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogRecord {
    pub node: String,
    pub index: u32,
}

/// "Predict, then reveal": the lab waits for a choice, then says what happened and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<String>,
    /// The right choice's index in `choices`.
    pub answer: u32,
    /// What happened and why, shown after the student chose.
    pub reveal: String,
}

/// An outcome a step expects, checked against the lab at the step's time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The row `key` (its first column, as text) of `table` on `node` has `column` = `equals`
    /// (as the Rows tab shows it).
    Row {
        node: String,
        table: String,
        key: String,
        column: String,
        equals: String,
    },
    /// `node` has no row `key` in `table`.
    NoRow {
        node: String,
        table: String,
        key: String,
    },
    /// `table` on `node` holds `count` rows.
    Rows {
        node: String,
        table: String,
        count: u64,
    },
    /// The live check `name` flags `count` things (0: it is clear).
    Check { name: CheckName, count: u64 },
    /// `node`'s role is `is` (its word on the diagram: `leader`, `follower`), or `crashed`.
    Role { node: String, is: String },
    /// `node`'s state word (under its name) contains `contains`.
    State { node: String, contains: String },
    /// `client`'s newest answer is an error containing `contains`.
    Error { client: String, contains: String },
    /// `client`'s newest answer succeeded, and its tag, what its commit waited for
    /// (`flush on follower-1`), its warning or a cell of its result contains `contains`.
    Answer { client: String, contains: String },
    /// A line of the event log so far contains `contains`.
    Event { contains: String },
}

/// The live checks a step can count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckName {
    /// Servers accepting writes, when more than one does.
    TwoLeaders,
    LostAckedWrites,
    DivergedRows,
    Stalled,
    BlockedCommits,
    /// Multi-leader: conflicts the leaders detected.
    Conflicts,
    /// Multi-leader: writes a conflict resolver threw away.
    LostToConflicts,
    /// Multi-leader: changes held until what they depend on arrives.
    Held,
}
