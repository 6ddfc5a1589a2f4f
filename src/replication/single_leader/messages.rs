//! What the single-leader family's nodes say to each other: the replication stream
//! (walsender / walreceiver), base backups, failover, the coordination service and
//! trigger-based apply. Clients never see these (their protocol is
//! [`crate::replication::messages::ClientMsg`]), except the news of a new leader, which
//! their router follows.
//!
//! Knows nothing of the UI.

use crate::engine::{FormatVersion, RowChange, TableSchema, Value};
use crate::replication::log::{LogEntry, TermHistory};
use crate::replication::messages::SnapshotData;
use crate::sim::{NodeId, Time};

/// A message between the single-leader family's nodes. The explicit discriminants (from 4,
/// after the client protocol's four) keep the trace hash what it was when both protocols
/// were one enum; see the `Hash` of [`crate::replication::messages::Msg`].
#[derive(Clone, Debug, Hash)]
#[repr(isize)]
pub enum SingleLeaderMsg {
    // ---- the replication stream (walsender / walreceiver) ----
    /// A follower asks to stream from after `last_index` (of `last_term`).
    StartStreaming {
        last_index: u64,
        last_term: u32,
        /// How far it has replayed (at most `last_index`), for `remote_apply`.
        applied: u64,
    } = 4,
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
        /// Boxed so that this rare message does not make every message as large as it.
        data: Box<SnapshotData>,
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
