//! What leaders of a multi-leader cluster say to each other: batches of changes from the
//! sender's log (its own commits, and in a ring or a star those it forwards), and
//! acknowledgements of how far the receiver has got in the sender's log.
//!
//! Knows nothing of the UI.

use crate::engine::RowChange;
use crate::sim::NodeId;

use super::version::{Dot, RowVersion, VersionVector};

/// One committed transaction as it travels between leaders (a logical change with its
/// origin, as PostgreSQL's `pgoutput` sends it with `origin`, or a MySQL binlog transaction
/// carrying its originating `server_id`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Change {
    /// The commit's name: its origin's server id and the origin's commit count.
    pub dot: Dot,
    /// The origin leader.
    pub origin: NodeId,
    /// The server ids of the leaders it has passed, the origin first (loop prevention: a
    /// leader drops a change that already passed it).
    pub path: Vec<u32>,
    /// The origin's commit timestamp (its own clock, skew included), in microseconds.
    pub commit_ts: i64,
    /// What the origin had applied of every origin when it committed: the change depends
    /// on all of it (with version vectors on, a leader holds it until it has them too).
    pub deps: VersionVector,
    /// The origin's transaction id (for the log's words).
    pub xid: u64,
    /// The rows it changed, each with the version it made.
    pub rows: Vec<(RowChange, RowVersion)>,
}

/// A change at its place in one leader's log.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Logged {
    /// Its position in this leader's log, from 1.
    pub pos: u64,
    pub change: Change,
}

/// The multi-leader family's internal protocol.
#[derive(Clone, Debug, Hash)]
pub enum MultiLeaderMsg {
    /// The sender's log after position `from` up to `upto`, in order (positions are the
    /// sender's; `own_only`: in all-to-all only the sender's own changes of that stretch are
    /// included).
    Changes {
        from: u64,
        upto: u64,
        entries: Vec<Logged>,
        own_only: bool,
    },
    /// The receiver has the sender's log up to `upto`, as a stream of that kind (all of it,
    /// or only the sender's own changes: having all of a stretch implies having its own
    /// changes, not the other way round, so the receiver keeps a position for each kind).
    Ack { upto: u64, own_only: bool },
}
