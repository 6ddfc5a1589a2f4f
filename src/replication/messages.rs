//! What the lab's nodes say to each other, and what the outside world (the user, a lesson)
//! asks of them. Plain data: the world carries it, the trace records it, the UI labels it.
//!
//! Knows nothing of the UI.

use core::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::engine::{PageChanges, ResultSet, RowChange};
use crate::sim::{InputId, NodeId};

use super::config::AckPolicy;
use super::routing::ReadRouting;

pub use super::multi_leader::messages::MultiLeaderMsg;
pub use super::single_leader::messages::SingleLeaderMsg;

/// A message between nodes: the client protocol, which every family shares, or one
/// family's own protocol between its nodes (stateright's `RegisterMsg<…, Internal>` shape).
#[derive(Clone, Debug)]
pub enum Msg {
    Client(ClientMsg),
    SingleLeader(SingleLeaderMsg),
    MultiLeader(MultiLeaderMsg),
}

// Hand-written so that the trace hash stays what it was when the protocols were one flat
// enum: no tag for the wrapper, and each protocol's variants keep their own discriminants
// (the client's 0–3, the single-leader family's from 4; see `SingleLeaderMsg`).
impl Hash for Msg {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Msg::Client(msg) => msg.hash(state),
            Msg::SingleLeader(msg) => msg.hash(state),
            Msg::MultiLeader(msg) => {
                // After every discriminant the other two protocols use.
                state.write_u8(0xF0);
                msg.hash(state)
            }
        }
    }
}

impl From<ClientMsg> for Msg {
    fn from(msg: ClientMsg) -> Self {
        Msg::Client(msg)
    }
}

impl From<SingleLeaderMsg> for Msg {
    fn from(msg: SingleLeaderMsg) -> Self {
        Msg::SingleLeader(msg)
    }
}

/// What clients and database servers say to each other, under any family.
#[derive(Clone, Debug, Hash)]
pub enum ClientMsg {
    /// A client sends one SQL statement.
    Query { request: InputId, sql: String },
    /// The client cancels a statement it is waiting on (psql's Ctrl+C).
    Cancel { request: InputId },
    /// A restarted server tells its clients their connections are gone (the TCP reset a
    /// client meets on its next read), so what it owed them is lost.
    ConnectionsReset,
    /// The server's answer. The success is behind an `Arc`: it is by far the largest payload
    /// of any message (rows, row changes), and an inline one would make every message — each
    /// one traced, and kept for the whole session — as large as it; shared, the client's
    /// reply and its list of answers hold the same one instead of copies (an `Arc` hashes
    /// and prints as what it holds, so the trace is unchanged).
    QueryResult {
        request: InputId,
        outcome: Result<Arc<QueryOk>, String>,
    },
    /// A read the server answers only once it has replayed log position `position` (the
    /// client's last commit): PostgreSQL's `pg_wal_replay_wait`, MySQL's
    /// `WAIT_FOR_EXECUTED_GTID_SET`, then the statement.
    QueryAfter {
        request: InputId,
        sql: String,
        position: u64,
    },
}

/// A base backup's content: pages for WAL shipping (`pg_basebackup`), or schema and rows for
/// the other methods (a dump, or logical replication's initial table copy).
#[derive(Clone, Debug, Hash)]
pub enum SnapshotData {
    Pages(PageChanges),
    Rows {
        ddl: Vec<String>,
        rows: Vec<RowChange>,
    },
}

/// A successful statement, as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct QueryOk {
    /// `INSERT 0 1`, `UPDATE 3`, `SELECT 2`, `BEGIN`, `COMMIT`...
    pub tag: String,
    pub result: Option<ResultSet>,
    /// MySQL's note for an unsafe statement, when the method is statement-based.
    pub warning: Option<String>,
    /// Where the commit landed in the leader's log (term, index), if this statement committed.
    pub committed: Option<(u32, u64)>,
    /// The rows the commit changed, to check later whether an acknowledged write survived.
    pub row_changes: Vec<RowChange>,
    /// Which acknowledgement the commit waited for, in words (`flush on follower-1`).
    pub waited_for: Option<String>,
    /// The server that answered.
    pub server: NodeId,
}

/// What the user or a lesson asks a node to do.
#[derive(Clone, Debug, Hash)]
pub enum Request {
    /// Client: run SQL on the leader.
    Sql(String),
    /// Client: run SQL on this server (e.g. a read from a follower).
    SqlOn { server: NodeId, sql: String },
    /// Follower: promote yourself (manual failover).
    Promote,
    /// Spare: join as a new follower from a snapshot.
    Join,
    /// Leader: change the acknowledgement policy (a commit waiting for a standby that is
    /// down is released when the level no longer needs it).
    SetAck(AckPolicy),
    /// Leader: checkpoint now (the next change to each page logs a full-page image).
    Checkpoint,
    /// Old leader: give up leading and rejoin as a follower of the current leader.
    Rejoin,
    /// Client: cancel the statements it is waiting on (a commit held for a synchronous
    /// standby returns with PostgreSQL's warning: committed locally, maybe not replicated).
    Cancel,
    /// Client: `server` is down, so the statement `sql` cannot even connect (the lab stands
    /// in for the client host's TCP stack, which is refused at once).
    Unreachable { server: NodeId, sql: String },
    /// Client: `server` crashed under the client's open connections (the kernel closed its
    /// sockets): what the client was waiting on from it is lost.
    ServerGone { server: NodeId },
    /// Client: route reads this way from now on.
    SetReadRouting(ReadRouting),
    /// Multi-leader server: send by this topology from now on.
    SetTopology(crate::replication::multi_leader::Topology),
}

/// The answer to a client request, as the outside world receives it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reply {
    pub sql: String,
    /// Shared with the message that brought it (see [`ClientMsg::QueryResult`]).
    pub outcome: Result<Arc<QueryOk>, String>,
    /// Virtual microseconds from the client sending the statement to receiving the answer.
    pub latency: u64,
}
