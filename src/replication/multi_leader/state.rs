//! What a multi-leader server keeps: on disk (it survives a crash) its log of changes, what
//! it has applied of every origin, the versions of every row, the conflicts it met and the
//! writes its resolver threw away, and its topology; in memory how far each peer has got.
//!
//! The disk part changes inside the handler that applies a change, with the engine's commit:
//! PostgreSQL keeps a replication origin's progress in the same transaction as the rows it
//! applied, so a crash can neither lose nor repeat a change.
//!
//! Knows nothing of the UI.

use crate::engine::shared_map::SharedMap;
use crate::engine::small_map::SmallMap;
use crate::engine::Value;
use crate::sim::{Chunked, NodeId, Time};

use super::config::Topology;
use super::messages::{Change, Logged};
use super::version::{Dot, RowVersion, VersionVector};

/// PostgreSQL 18's conflict types (`pg_stat_subscription_stats` counts them by these names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConflictKind {
    /// An INSERT whose key exists here already.
    InsertExists,
    /// An UPDATE of a row another origin changed concurrently.
    UpdateOriginDiffers,
    /// An UPDATE of a row that is not here.
    UpdateMissing,
    /// A DELETE of a row another origin changed concurrently.
    DeleteOriginDiffers,
    /// A DELETE of a row that is not here.
    DeleteMissing,
}

impl ConflictKind {
    /// PostgreSQL's name for it.
    pub fn name(self) -> &'static str {
        match self {
            ConflictKind::InsertExists => "insert_exists",
            ConflictKind::UpdateOriginDiffers => "update_origin_differs",
            ConflictKind::UpdateMissing => "update_missing",
            ConflictKind::DeleteOriginDiffers => "delete_origin_differs",
            ConflictKind::DeleteMissing => "delete_missing",
        }
    }
}

/// What the resolver made of a conflict.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Resolution {
    /// The incoming version won; the local one was discarded.
    KeptRemote,
    /// The local version won; the incoming one was discarded.
    KeptLocal,
    /// Text columns joined from both.
    Merged,
    /// Both kept as siblings; the table shows `shown`'s.
    Siblings { shown: Dot },
    /// The change was skipped (its row is missing).
    Skipped,
}

/// A conflict a leader detected while applying a change from another leader.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Conflict {
    /// When it was detected.
    pub at: Time,
    /// The leader that detected it.
    pub node: NodeId,
    pub kind: ConflictKind,
    pub table: String,
    pub key: Value,
    /// The versions here before (several when siblings were kept).
    pub local: Vec<RowVersion>,
    /// The incoming version.
    pub remote: RowVersion,
    pub resolution: Resolution,
    /// The writes this resolution threw away (by dot).
    pub lost: Vec<Dot>,
}

/// What survives a crash.
#[derive(Clone, Debug, Default)]
pub struct MultiDisk {
    /// This leader's log: its own commits and the changes it applied from others, in the
    /// order it committed them (shared in chunks between the timeline's checkpoints).
    pub log: Chunked<Logged>,
    /// How many of its own commits this leader has made (its dots' counter).
    pub own_seq: u64,
    /// What it has applied of every origin (its own commits included).
    pub applied: VersionVector,
    /// For each peer, the last position of the peer's log received (in order) from it, all
    /// of it (when the peer forwards: a ring or a star).
    pub received: SmallMap<NodeId, u64>,
    /// For each peer, the last position of the peer's log up to which its own changes were
    /// received (when the peer sends only its own: all-to-all). Never behind `received`: a
    /// stretch received whole holds its own changes too; but a stretch received own-only
    /// lacks what the peer forwards, so a peer that starts forwarding (a topology changed)
    /// is read again from `received`, not from here.
    pub received_own: SmallMap<NodeId, u64>,
    /// Changes received whose dependencies are not applied yet (version vectors on).
    pub held: Vec<Change>,
    /// The versions of every row it has seen (several when concurrent versions are kept).
    pub versions: SharedMap<(String, Value), Vec<RowVersion>>,
    /// Conflicts it detected, in order.
    pub conflicts: Chunked<Conflict>,
    /// Writes its resolver discarded (or skipped), in order, as each conflict threw them
    /// away (one can be thrown away again when a third version arrives: the live check
    /// counts each write once). In chunks shared between the timeline's checkpoints, like the
    /// log: it grows with the history.
    pub lost: Chunked<Dot>,
    /// The topology it sends by (None: the cluster's configured one).
    pub topology: Option<Topology>,
}

/// What a crash loses: how far each peer is known to have got.
#[derive(Clone, Debug, Default)]
pub struct MultiMemory {
    /// For each peer, the last position of this leader's log sent to it.
    pub sent: SmallMap<NodeId, u64>,
    /// For each peer, the last position it acknowledged.
    pub acked: SmallMap<NodeId, u64>,
    /// For each peer, when only own changes are sent (all-to-all): a position such that the
    /// log between what was sent and it holds none of them (others' changes scanned past, so
    /// a leader that only receives neither sends empty batches nor scans its log again).
    /// Forgotten when sending goes back to the last acknowledgement.
    pub scanned: SmallMap<NodeId, u64>,
    /// For each peer with something sent and not acknowledged, since when it has waited
    /// (the last acknowledgement, or the send after nothing was outstanding): after
    /// `RESEND_EVERY` without progress, what was not acknowledged is sent again.
    pub waiting_since: SmallMap<NodeId, Time>,
}

impl MultiDisk {
    /// The last position of the log.
    pub fn end(&self) -> u64 {
        self.log.last().map_or(0, |l| l.pos)
    }
}
