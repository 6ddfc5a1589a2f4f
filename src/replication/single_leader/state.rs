//! The single-leader server's state by role. What a crash loses is a [`RoleMemory`]: a
//! [`LeaderMemory`] (the walsender side, commits waiting for their acknowledgement, the
//! leader key) or a [`FollowerMemory`] (the walreceiver, replay, base backups arriving, an
//! election under way; a spare waiting for its base backup has one too), never both. The
//! durable role itself (a [`DurableRole`]: the [`ServerRole`], with the term, the leader
//! followed and the term history) is on the server's disk (`Disk::family`); the memory changes with it in the handler that writes it (promotion,
//! demotion), and a restart starts from the role on disk.
//!
//! Knows nothing of the UI.

use crate::engine::small_map::SmallMap;

use crate::replication::log::{LogEntry, TermHistory};
use crate::replication::messages::{QueryOk, SnapshotData};
use crate::replication::node::PromotionReason;
use crate::sim::{Chunked, InputId, NodeId, Time};

/// What a server is, as it would say in its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerRole {
    Leader,
    Follower,
    /// An empty server waiting to be set up as a new follower.
    Spare,
}

/// What survives a crash of a server's single-leader state, kept in the host's disk
/// (`Disk::family`): the role, the term it knows, the leader it follows and the term
/// history. Written whole by `DiskWrite::Role`.
///
/// Its fields are in the order of the `DiskWrite::Role { role, term, leader, history }`
/// variant it came from, and its `Hash` is the derived one (each field in order, nothing
/// else), so a `DiskWrite::Role(DurableRole)` hashes as that variant did: do not reorder
/// them, or every trace with a role change gets a new hash.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DurableRole {
    pub role: ServerRole,
    pub term: u32,
    pub leader: Option<NodeId>,
    pub history: TermHistory,
}

/// Where a follower's replication stream stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stream {
    Idle,
    Connecting,
    Streaming,
    /// The stream was refused for good (an incompatible storage format).
    Refused(String),
    /// Receiving a base backup.
    Snapshot {
        received: u32,
        of: u32,
    },
}

/// A follower as the leader tracks it (`pg_stat_replication`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowerProgress {
    pub sent: u64,
    pub write: u64,
    pub flush: u64,
    pub apply: u64,
    pub state: FollowerState,
    pub stalled: Option<String>,
    pub last_reply: Time,
}

/// `pg_stat_replication.state`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowerState {
    Startup,
    Backup,
    Catchup,
    Streaming,
}

impl FollowerState {
    pub fn name(self) -> &'static str {
        match self {
            FollowerState::Startup => "startup",
            FollowerState::Backup => "backup",
            FollowerState::Catchup => "catchup",
            FollowerState::Streaming => "streaming",
        }
    }
}

/// A commit waiting for its acknowledgement.
#[derive(Clone, Debug)]
pub struct PendingCommit {
    pub client: NodeId,
    pub request: InputId,
    pub index: u64,
    pub since: Time,
    pub reply: QueryOk,
    /// The statement that committed (for `pg_stat_activity`).
    pub query: String,
    /// The engine transaction kept invisible to other sessions until the wait ends.
    pub hidden: Option<u64>,
}

/// A base backup being sent.
#[derive(Clone, Debug)]
pub struct OutgoingSnapshot {
    pub chunks: Vec<SnapshotData>,
    pub next: u32,
    pub consistent_at: u64,
}

/// When each log entry committed on this leader, by entry index: a map that grows with every
/// commit, kept in shared chunks (see [`Chunked`]) so the timeline's checkpoints do not copy
/// it. Entries commit in index order, so it is sorted and a lookup is a binary search; an
/// index out of order (never seen, but allowed) is placed as a `BTreeMap` would place it.
#[derive(Clone, Debug, Default)]
pub struct CommitTimes {
    times: Chunked<(u64, Time)>,
}

impl CommitTimes {
    /// When entry `index` committed, if it did here.
    pub fn get(&self, index: &u64) -> Option<&Time> {
        let at = self.position(*index);
        self.times
            .get(at)
            .filter(|(i, _)| i == index)
            .map(|(_, time)| time)
    }

    /// Records that entry `index` committed at `time` (replacing an earlier record).
    pub fn insert(&mut self, index: u64, time: Time) {
        if self.times.last().is_none_or(|(last, _)| *last < index) {
            self.times.push((index, time));
            return;
        }
        let mut all: Vec<(u64, Time)> = self.times.iter().copied().collect();
        let at = all.partition_point(|(i, _)| *i < index);
        match all.get_mut(at) {
            Some(entry) if entry.0 == index => entry.1 = time,
            _ => all.insert(at, (index, time)),
        }
        self.times = all.into_iter().collect();
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The position of the first record whose index is not below `index`.
    fn position(&self, index: u64) -> usize {
        let (mut low, mut high) = (0, self.times.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.times.get(mid) {
                Some((i, _)) if *i < index => low = mid + 1,
                _ => high = mid,
            }
        }
        low
    }
}

/// What a leader loses in a crash.
#[derive(Clone, Debug)]
pub struct LeaderMemory {
    /// Each follower as this leader tracks it (`pg_stat_replication`).
    pub followers: SmallMap<NodeId, FollowerProgress>,
    /// Commits waiting for their acknowledgement.
    pub waiting: Vec<PendingCommit>,
    /// The virtual time each entry committed (for lag in time).
    pub commit_times: CommitTimes,
    /// MySQL semi-sync fell back to asynchronous.
    pub semi_sync_off: bool,
    /// Takes writes (false while fenced, or asking who leads after a restart).
    pub accepting_writes: bool,
    /// Demoted itself to read-only because it lost the leader key (not renewed before it
    /// expired, or taken by a failover); getting the key again lifts it.
    pub fenced: bool,
    /// Until when its leader key is surely valid (the time it last asked for it, plus the
    /// key's time to live).
    pub key_until: Time,
    /// Base backups being sent, by follower.
    pub snapshots_out: SmallMap<NodeId, OutgoingSnapshot>,
    /// An old leader asked to rejoin: it asks who leads before following.
    pub rejoining: bool,
}

impl Default for LeaderMemory {
    fn default() -> Self {
        LeaderMemory {
            followers: SmallMap::default(),
            waiting: Vec::new(),
            commit_times: CommitTimes::default(),
            semi_sync_off: false,
            accepting_writes: false,
            fenced: false,
            key_until: Time::ZERO,
            snapshots_out: SmallMap::default(),
            rejoining: false,
        }
    }
}

/// What a follower (or a spare becoming one) loses in a crash.
#[derive(Clone, Debug)]
pub struct FollowerMemory {
    /// Chosen (or asked by hand) to lead, it waits for the coordination service to grant
    /// it the leader key before promoting itself.
    pub wants_key: bool,
    /// Why it wants the key: a manual failover (`patronictl failover`) or the most
    /// up-to-date follower after the leader went silent.
    pub key_wanted_for: PromotionReason,
    /// Received and written, not yet flushed.
    pub written: Vec<LogEntry>,
    pub stream: Stream,
    pub flush_scheduled: bool,
    pub apply_scheduled: bool,
    /// An apply error stops replay until a retry succeeds.
    pub stalled: Option<String>,
    /// How many times replay failed since the server started, and when it last did
    /// (`pg_stat_subscription_stats.apply_error_count`; PostgreSQL, too, loses its
    /// statistics in a crash).
    pub apply_errors: u64,
    pub apply_failed_at: Time,
    pub leader_last: u64,
    pub last_from_leader: Time,
    /// When the follower last asked to stream (to retry if the request was lost).
    pub connect_sent_at: Time,
    pub election: Option<SmallMap<NodeId, (u32, u64)>>,
    pub snapshot_in: Vec<SnapshotData>,
    /// Which base backup is arriving: from whom, consistent at which entry.
    pub snapshot_from: Option<(NodeId, u64)>,
    /// When the base backup last made progress (to ask again if a chunk was lost).
    pub snapshot_progress_at: Time,
}

impl Default for FollowerMemory {
    fn default() -> Self {
        FollowerMemory {
            wants_key: false,
            key_wanted_for: PromotionReason::Manual,
            written: Vec::new(),
            stream: Stream::Idle,
            flush_scheduled: false,
            apply_scheduled: false,
            stalled: None,
            apply_errors: 0,
            apply_failed_at: Time::ZERO,
            leader_last: 0,
            last_from_leader: Time::ZERO,
            connect_sent_at: Time::ZERO,
            election: None,
            snapshot_in: Vec::new(),
            snapshot_from: None,
            snapshot_progress_at: Time::ZERO,
        }
    }
}

/// What a crash loses of a server's single-leader state, by the role it plays: a leader's,
/// or a follower's (a spare waiting for its base backup is a follower without data yet).
/// It changes with the role in the same handler that writes the new role to disk (a
/// promotion starts a leader's memory afresh, a demotion a follower's).
#[derive(Clone, Debug)]
pub enum RoleMemory {
    Leader(LeaderMemory),
    Follower(FollowerMemory),
}

/// What a leader reports as its follower-side state (none).
static NOT_STREAMING: Stream = Stream::Idle;

impl RoleMemory {
    /// Fresh memory for a server in `role` (at start, after a crash).
    pub fn for_role(role: ServerRole) -> RoleMemory {
        match role {
            ServerRole::Leader => RoleMemory::Leader(LeaderMemory::default()),
            ServerRole::Follower | ServerRole::Spare => {
                RoleMemory::Follower(FollowerMemory::default())
            }
        }
    }

    pub fn leader(&self) -> Option<&LeaderMemory> {
        match self {
            RoleMemory::Leader(leader) => Some(leader),
            RoleMemory::Follower(_) => None,
        }
    }

    pub fn leader_mut(&mut self) -> Option<&mut LeaderMemory> {
        match self {
            RoleMemory::Leader(leader) => Some(leader),
            RoleMemory::Follower(_) => None,
        }
    }

    pub fn follower(&self) -> Option<&FollowerMemory> {
        match self {
            RoleMemory::Follower(follower) => Some(follower),
            RoleMemory::Leader(_) => None,
        }
    }

    pub fn follower_mut(&mut self) -> Option<&mut FollowerMemory> {
        match self {
            RoleMemory::Follower(follower) => Some(follower),
            RoleMemory::Leader(_) => None,
        }
    }

    // ---- role-neutral reads, for the checks, the lab's views and the tests ----

    /// The replication stream (a leader has none: idle).
    pub fn stream(&self) -> &Stream {
        self.follower().map_or(&NOT_STREAMING, |f| &f.stream)
    }

    /// The apply error that stopped replay, if any.
    pub fn stalled(&self) -> Option<&str> {
        self.follower().and_then(|f| f.stalled.as_deref())
    }

    /// Commits waiting for their acknowledgement (only a leader has any).
    pub fn waiting(&self) -> &[PendingCommit] {
        self.leader().map_or(&[], |l| &l.waiting)
    }

    /// Whether MySQL semi-sync fell back to asynchronous (a leader's state).
    pub fn semi_sync_off(&self) -> bool {
        self.leader().is_some_and(|l| l.semi_sync_off)
    }

    /// Whether it takes writes as a leader.
    pub fn accepting_writes(&self) -> bool {
        self.leader().is_some_and(|l| l.accepting_writes)
    }

    /// Whether a leader demoted itself to read-only for want of the leader key.
    pub fn fenced(&self) -> bool {
        self.leader().is_some_and(|l| l.fenced)
    }

    /// The last entry the leader said it has (a follower's view).
    pub fn leader_last(&self) -> u64 {
        self.follower().map_or(0, |f| f.leader_last)
    }
}
