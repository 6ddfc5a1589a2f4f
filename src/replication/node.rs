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

/// Domain events for the trace: what a person watching the lab would want narrated.
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
        policy: String,
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
    SemiSyncOff {
        node: String,
    },
    LeaderSilent {
        node: String,
    },
    Promoted {
        node: String,
        term: u32,
        last_index: u64,
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
    Discarded {
        node: String,
        entries: u64,
        after: u64,
    },
    ClientAnswer {
        client: String,
        sql: String,
        ok: bool,
        latency: u64,
    },
    Info(String),
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
