//! What the lab's nodes say to each other, and what the outside world (the user, a lesson)
//! asks of them. Plain data: the world carries it, the trace records it, the UI labels it.
//!
//! Knows nothing of the UI.

use crate::engine::{FormatVersion, PageChanges, ResultSet, RowChange, TableSchema, Value};
use crate::sim::{InputId, NodeId, Time};

use super::config::AckPolicy;
use super::log::{LogEntry, TermHistory};

/// A message between nodes.
#[derive(Clone, Debug, Hash)]
pub enum Msg {
    // ---- clients and servers ----
    /// A client sends one SQL statement.
    Query { request: InputId, sql: String },
    /// The client cancels a statement it is waiting on (psql's Ctrl+C).
    Cancel { request: InputId },
    /// A restarted server tells its clients their connections are gone (the TCP reset a
    /// client meets on its next read), so what it owed them is lost.
    ConnectionsReset,
    /// The server's answer.
    QueryResult {
        request: InputId,
        outcome: Result<QueryOk, String>,
    },

    // ---- the replication stream (walsender / walreceiver) ----
    /// A follower asks to stream from after `last_index` (of `last_term`).
    StartStreaming {
        last_index: u64,
        last_term: u32,
        /// How far it has replayed (at most `last_index`), for `remote_apply`.
        applied: u64,
    },
    /// The leader accepts: it streams from `from`, in `format`, in `term`.
    StreamStart {
        term: u32,
        format: FormatVersion,
        history: TermHistory,
        leader_last: u64,
    },
    /// Log entries, in order.
    Entries {
        entries: Vec<LogEntry>,
        leader_last: u64,
    },
    /// The follower's log diverged after `common` (it must discard its tail), or it is too
    /// far behind for the leader's log (`snapshot`: the leader no longer has the entries it
    /// needs). Either way it may have to start over from a base backup — what `pg_rewind`
    /// spares a real DBA from doing by hand.
    Rewind {
        common: u64,
        term: u32,
        snapshot: bool,
    },
    /// Leader heartbeat (walsender keepalive). `sent` is how far the leader has sent to this
    /// follower on its stream (None: the leader has no stream to it). Links are FIFO, so a
    /// follower that has written less than `sent` knows its stream lost data and reconnects.
    Keepalive {
        term: u32,
        leader_last: u64,
        sent: Option<u64>,
    },
    /// Standby status update: how far the follower has written, flushed and replayed.
    Feedback {
        write: u64,
        flush: u64,
        apply: u64,
        /// A follower that cannot apply (an apply error) says so, for the leader's status view.
        stalled: Option<String>,
    },

    // ---- a new follower from a snapshot ----
    /// A new follower asks for a base backup.
    SnapshotRequest,
    /// One piece of the snapshot; the last one says where the backlog starts.
    SnapshotChunk {
        chunk: u32,
        chunks: u32,
        data: SnapshotData,
        /// The log index the snapshot is consistent with.
        consistent_at: u64,
        term: u32,
        history: TermHistory,
    },

    // ---- failover ----
    /// A follower whose leader went silent asks the others how far they got.
    ElectionQuery { term: u32 },
    /// The answer: this server's last entry.
    ElectionInfo {
        term: u32,
        last_term: u32,
        last_index: u64,
    },
    /// A server that knows the leader says who it is.
    LeaderIs { leader: NodeId, term: u32 },
    /// A restarted old leader asks who leads now (fencing).
    WhoLeads,
    /// A promoted follower announces itself to everyone.
    NewLeader { leader: NodeId, term: u32 },

    // ---- the coordination service (fencing) ----
    /// A server asks the coordination service for the leader key, or to renew it: a
    /// compare-and-set that succeeds when the key is free or already the asker's. `force`
    /// (manual failover) takes it whoever holds it. `asked_at` comes back in the answer: a
    /// holder counts its key's time to live from when it asked, never from when it heard.
    AcquireKey {
        term: u32,
        asked_at: Time,
        force: bool,
    },
    /// The answer: granted or not, and who holds the key now (with its term). `others_ttl`
    /// is how long another server may still believe it holds the key: refused, the holder's
    /// remaining TTL (as Patroni reads it from etcd); a forced grant, the overridden holder's.
    KeyAnswer {
        granted: bool,
        holder: Option<NodeId>,
        term: u32,
        asked_at: Time,
        others_ttl: Time,
    },

    // ---- trigger-based replication ----
    /// The applier polls the leader's changelog after `after_seq`.
    PollChangelog { after_seq: i64 },
    /// Rows of `sl_log_1` (column order as the table's), with the schemas of the replicated
    /// tables so the applier can type the values it parses.
    ChangelogRows {
        rows: Vec<Vec<Value>>,
        schemas: Vec<TableSchema>,
    },
    /// The applier ships changes to a follower.
    ApplyChanges {
        through_seq: i64,
        changes: Vec<RowChange>,
    },
    /// The follower confirms (or reports an error).
    ChangesApplied {
        through_seq: i64,
        error: Option<String>,
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
}

/// The answer to a client request, as the outside world receives it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reply {
    pub sql: String,
    pub outcome: Result<QueryOk, String>,
    /// Virtual microseconds from the client sending the statement to receiving the answer.
    pub latency: u64,
}
