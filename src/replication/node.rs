//! The lab's nodes as one [`Process`]: a database server, a client, the trigger-based
//! applier, or the coordination service. This file only dispatches; each kind's behaviour lives in its own module.
//!
//! Knows nothing of the UI.

use crate::sim::{Context, InputId, NodeId, Process, Time};

use super::applier::Applier;
use super::client::Client;
use super::coordinator::{Coordinator, KeyWrite};
use super::messages::{Msg, Reply, Request};
use super::server::{DiskWrite, Server};

/// A node of the lab.
#[derive(Clone, Debug)]
pub enum LabNode {
    Server(Box<Server>),
    Client(Client),
    Applier(Applier),
    Coordinator(Coordinator),
}

/// Timers the lab's nodes set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Leader: send keepalives.
    Keepalive,
    /// Leader: renew the leader key (and step down if it expired); a fenced leader or a
    /// candidate: ask for it again.
    KeyRenew,
    /// Coordination service: the leader key may have expired.
    KeyExpiry,
    /// Follower: flush what was written.
    Flush,
    /// Follower: replay what was flushed.
    Apply,
    /// Follower: retry after an apply error.
    ApplyRetry,
    /// Follower: the leader has been silent too long.
    LeaderSilent,
    /// Follower: the election window closed.
    ElectionDone,
    /// Restarted old leader: nobody said who leads.
    WhoLeadsDone,
    /// Leader: periodic checkpoint.
    Checkpoint,
    /// Leader: a semi-sync commit waited its timeout.
    AckTimeout(u64),
    /// Leader: send the next snapshot chunk to this node.
    SnapshotSend(NodeId),
    /// Client: a request got no answer in time.
    ClientTimeout(InputId),
    /// Applier: poll the changelog.
    Poll,
    /// Leader: re-run a statement that waited for a row lock whose holder is gone.
    WakeParked,
    /// Leader (speaking MySQL): this client's statement may have waited for its row lock
    /// longer than `innodb_lock_wait_timeout`.
    LockWaitTimeout(NodeId, InputId),
    /// Multi-leader: resend what peers have not acknowledged.
    MultiResend,
}

/// A durable write of any node (servers and the coordination service have disks).
#[derive(Clone, Debug, Hash)]
pub enum Durable {
    Server(DiskWrite),
    Key(KeyWrite),
}

impl From<KeyWrite> for Durable {
    fn from(write: KeyWrite) -> Self {
        Durable::Key(write)
    }
}

impl From<DiskWrite> for Durable {
    fn from(write: DiskWrite) -> Self {
        Durable::Server(write)
    }
}

/// Domain events for the trace: what a person watching the lab would want narrated. Each is a
/// fact with its numbers (positions, terms, counts), never a sentence: the event log
/// (`lab::narrate`) writes the sentence, and lessons and tests read the fact.
///
/// New variants go at the end: the trace hashes a note by its discriminant, so a variant
/// inserted in the middle would change every trace's hash after it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Note {
    Committed {
        node: String,
        term: u32,
        index: u64,
        xid: u64,
        rows: u64,
    },
    WaitingForAck {
        node: String,
        index: u64,
        policy: crate::replication::config::AckPolicy,
    },
    Acknowledged {
        node: String,
        index: u64,
        /// Microseconds the commit waited for its acknowledgement.
        waited: u64,
    },
    Flushed {
        node: String,
        index: u64,
    },
    Applied {
        node: String,
        index: u64,
    },
    ApplyFailed {
        node: String,
        index: u64,
        error: String,
    },
    StreamRefused {
        node: String,
        error: String,
    },
    StatementFailed {
        node: String,
        error: String,
    },
    /// MySQL semi-sync gave up waiting: the commit that ends at `pos` of `file` timed out;
    /// replicas had acknowledged up to `acked_pos` of `acked_file`. The source falls back to
    /// asynchronous replication.
    SemiSyncOff {
        node: String,
        file: String,
        pos: u64,
        acked_file: String,
        acked_pos: u64,
    },
    /// A replica caught up with the source, which waits for replicas again from `pos`.
    SemiSyncOn {
        node: String,
        file: String,
        pos: u64,
    },
    LeaderSilent {
        node: String,
    },
    /// A follower became the leader of `term` (a PostgreSQL timeline), its log ending at
    /// `last_index`, byte position `end` (where the new timeline forks off the old one).
    Promoted {
        node: String,
        term: u32,
        last_index: u64,
        end: u64,
        why: PromotionReason,
    },
    Demoted {
        node: String,
        new_leader: String,
    },
    Fenced {
        node: String,
    },
    /// The coordination service gave `node` the leader key (for `term`).
    KeyAcquired {
        node: String,
        term: u32,
    },
    /// The leader key of `holder` expired unrenewed.
    KeyExpired {
        holder: String,
    },
    /// A follower dropped `entries` entries after entry `after` that the new leader never had.
    Discarded {
        node: String,
        entries: u64,
        after: u64,
    },
    /// A follower asked to stream from `requested` (byte position) on timeline `timeline`;
    /// the leader's history forked off timeline `forked_timeline` at `forked_at`: the follower
    /// must be wound back (PostgreSQL's refusal, before `pg_rewind`). The lab's follower asks
    /// from where its log ends; PostgreSQL asks from the start of that WAL segment.
    HistoryDiverged {
        node: String,
        leader: String,
        requested: u64,
        timeline: u32,
        forked_timeline: u32,
        forked_at: u64,
    },
    /// The follower's pages hold changes the new leader never had: it starts over from a
    /// base backup of `leader` (what `pg_rewind` does page by page).
    Reinitialising {
        node: String,
        leader: String,
        common: u64,
        term: u32,
    },
    ClientAnswer {
        client: String,
        /// The id of the request (what `Lab::perform` returned).
        request: InputId,
        sql: String,
        ok: bool,
        /// The first line of the error, when it failed.
        error: Option<String>,
        latency: u64,
    },
    /// A client now sends its writes to `leader`.
    ClientFollows {
        client: String,
        leader: String,
    },
    /// A leader took a base backup for `follower`, consistent at entry `at` (byte position
    /// `position`), in `chunks` pieces.
    SnapshotTaken {
        node: String,
        follower: String,
        at: u64,
        position: u64,
        chunks: u32,
    },
    /// A base backup stopped arriving; the follower asks again.
    SnapshotStalled {
        node: String,
    },
    /// A base backup is installed at entry `at`; the backlog streams from there.
    SnapshotInstalled {
        node: String,
        at: u64,
    },
    /// A spare asks `leader` for a base backup, to join as a follower.
    JoinRequested {
        node: String,
        leader: String,
    },
    /// A checkpoint at `lsn` (`requested`: by the user; otherwise the periodic one).
    Checkpoint {
        node: String,
        lsn: u64,
        requested: bool,
    },
    /// The acknowledgement setting changed.
    AckChanged {
        node: String,
        policy: crate::replication::config::AckPolicy,
    },
    /// A follower retries replay after an apply error.
    ApplyRetry {
        node: String,
        error: String,
    },
    /// A leader restarted: with fencing it asks who leads before taking writes; without, it
    /// takes writes at once.
    LeaderRestarted {
        node: String,
        fenced: bool,
    },
    /// A restarted (or rejoining) leader heard of no other leader and takes writes again.
    NoOtherLeader {
        node: String,
    },
    /// A fenced leader heard from `follower` again and takes writes.
    Unfenced {
        node: String,
        follower: String,
    },
    /// A follower that was catching up now streams.
    CaughtUp {
        node: String,
        leader: String,
    },
    /// The leader dropped `follower`'s stream after `wal_sender_timeout` of silence.
    SenderTimeout {
        node: String,
        follower: String,
    },
    /// Logical replication does not carry DDL: a schema change on the leader stays there.
    DdlNotReplicated {
        node: String,
    },
    /// An election without a majority: only `answered` of `servers` servers answered.
    NoMajority {
        node: String,
        answered: u32,
        servers: u32,
    },
    /// A request the server ignored, and why (the lab refuses these before they are sent;
    /// this is what a server says if one reaches it anyway).
    Ignored {
        node: String,
        why: Ignored,
    },
    /// The trigger-based applier reads another leader's changelog.
    ApplierFollows {
        leader: String,
    },
    /// The applier could not read a changelog row.
    ChangelogUnreadable {
        seq: i64,
        error: String,
    },
    /// Logical apply of entry `index` skipped `change`: its row is not on `node` (PostgreSQL's
    /// `update_missing` / `delete_missing` conflict; the change is not applied).
    RowMissing {
        node: String,
        index: u64,
        /// Boxed: rare, and as large as all the other notes' fields together.
        change: Box<crate::engine::RowChange>,
        /// The table has `REPLICA IDENTITY FULL` (the whole old row identifies it).
        full_identity: bool,
    },
    /// A statement of `client` waits for a row lock held by transaction `holder`
    /// (`pg_stat_activity`: wait event `Lock` / `transactionid`).
    LockWait {
        node: String,
        client: String,
        holder: u64,
    },
    /// `node` asks the coordination service for the leader key: a manual failover, or the
    /// most up-to-date follower after the leader went silent.
    AskingForKey {
        node: String,
        manual: bool,
    },
    /// The leader could not renew its key within the TTL.
    KeyNotRenewed {
        node: String,
        ttl_ms: u64,
    },
    /// The leader closed `node`'s replication connection (it restarts read-only).
    StreamClosed {
        node: String,
        leader: String,
    },
    /// A leader holds the leader key (`again`: after it lost it) and takes writes.
    HoldsKey {
        node: String,
        again: bool,
    },
    /// The coordination service says `holder` holds the key (for `term`, when a follower
    /// asked): `node` does not lead.
    KeyHeldByOther {
        node: String,
        holder: Option<String>,
        term: Option<u32>,
    },
    /// `node` took the key by force and waits for the old holder's lease to run out.
    WaitsForOldLease {
        node: String,
        wait_ms: u64,
    },
    /// The coordination service came back up: the key's TTL starts again.
    KeyTtlRestarted {
        holder: String,
        ttl_ms: u64,
    },
    /// A client sent a read where its read-routing setting says (not under the default,
    /// every read to the leader): to `server`, which must first replay `wait_for`.
    ReadRouted {
        client: String,
        server: String,
        routing: crate::replication::routing::ReadRouting,
        wait_for: Option<u64>,
    },
    /// A follower holds `client`'s read until it has replayed `position` (it has `applied`).
    ReadWaits {
        node: String,
        client: String,
        position: u64,
        applied: u64,
    },
    /// Multi-leader: `node` sends by `topology` from now on.
    TopologyChanged {
        node: String,
        topology: crate::replication::multi_leader::Topology,
    },
    /// Multi-leader: `node` dropped `origin`'s change #`seq` because it had passed `node`
    /// already (`own`: it was `node`'s own) — how a ring ends a loop.
    ChangeDropped {
        node: String,
        origin: String,
        seq: u64,
        own: bool,
    },
    /// Multi-leader: `node` holds `origin`'s change #`seq` until `waits_for` has arrived.
    ChangeHeld {
        node: String,
        origin: String,
        seq: u64,
        waits_for: String,
    },
    /// Multi-leader: `node` applied `origin`'s change #`seq`.
    ChangeApplied {
        node: String,
        origin: String,
        seq: u64,
        at: u64,
    },
    /// Multi-leader: `node` detected a conflict (`kind`: PostgreSQL's name for it) on a row;
    /// its resolver threw `lost` writes away.
    Conflict {
        node: String,
        kind: &'static str,
        table: String,
        key: String,
        lost: u64,
    },
}

/// Why a follower was promoted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PromotionReason {
    /// A person asked (`pg_ctl promote`).
    Manual,
    /// The leader went silent and this follower was the most up-to-date of the `answered`
    /// servers (of `servers`) that answered.
    MostUpToDate { answered: u32, servers: u32 },
}

/// Why a server ignored a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ignored {
    /// Moving a Slony origin (FAILOVER) is not modelled.
    SlonyFailover,
    /// Subscribing a new Slony node is not modelled.
    SlonySubscribe,
    /// Replay stopped at `applied` on `error`: promoting would lose what it cannot apply.
    ReplayStopped { applied: u64, error: String },
}

impl Process for LabNode {
    type Msg = Msg;
    type Timer = Timer;
    type Request = Request;
    type Reply = Reply;
    type Durable = Durable;
    type Note = Note;

    fn on_start(&mut self, cx: &mut Context<Self>) {
        match self {
            LabNode::Server(s) => s.on_start(cx),
            LabNode::Client(c) => c.on_start(cx),
            LabNode::Applier(a) => a.on_start(cx),
            LabNode::Coordinator(k) => k.on_start(cx),
        }
    }

    fn on_message(&mut self, cx: &mut Context<Self>, from: NodeId, msg: Msg) {
        match self {
            LabNode::Server(s) => s.on_message(cx, from, msg),
            LabNode::Client(c) => c.on_message(cx, from, msg),
            LabNode::Applier(a) => a.on_message(cx, from, msg),
            LabNode::Coordinator(k) => k.on_message(cx, from, msg),
        }
    }

    fn on_timer(&mut self, cx: &mut Context<Self>, timer: Timer) {
        match self {
            LabNode::Server(s) => s.on_timer(cx, timer),
            LabNode::Client(c) => c.on_timer(cx, timer),
            LabNode::Applier(a) => a.on_timer(cx, timer),
            LabNode::Coordinator(k) => k.on_timer(cx, timer),
        }
    }

    fn on_request(&mut self, cx: &mut Context<Self>, request: InputId, req: Request) {
        match self {
            LabNode::Server(s) => s.on_request(cx, request, req),
            LabNode::Client(c) => c.on_request(cx, request, req),
            LabNode::Applier(_) | LabNode::Coordinator(_) => {}
        }
    }

    fn apply_durable(&mut self, write: Durable) -> Vec<Note> {
        match (self, write) {
            (LabNode::Server(s), Durable::Server(w)) => s.apply_durable(w),
            (LabNode::Coordinator(k), Durable::Key(w)) => k.apply_durable(w),
            _ => Vec::new(),
        }
    }

    fn on_crash(&mut self) {
        match self {
            LabNode::Server(s) => s.on_crash(),
            LabNode::Client(c) => c.on_crash(),
            LabNode::Applier(a) => a.on_crash(),
            // The key is durable; the service keeps nothing else.
            LabNode::Coordinator(_) => {}
        }
    }
}

impl LabNode {
    pub fn as_server(&self) -> Option<&Server> {
        match self {
            LabNode::Server(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_client(&self) -> Option<&Client> {
        match self {
            LabNode::Client(c) => Some(c),
            _ => None,
        }
    }

    pub fn as_coordinator(&self) -> Option<&Coordinator> {
        match self {
            LabNode::Coordinator(k) => Some(k),
            _ => None,
        }
    }

    pub fn as_applier(&self) -> Option<&Applier> {
        match self {
            LabNode::Applier(a) => Some(a),
            _ => None,
        }
    }
}

/// How long a client waits for an answer before giving up on the connection.
pub const CLIENT_TIMEOUT: Time = Time::secs(10);
