//! Where a client sends its reads: the client's read-routing setting, and the rule that turns
//! it, the statement and what the client remembers of its own writes into a server (DDIA
//! ch. 5, "Problems with Replication Lag").
//!
//! Writes, and every statement inside an open transaction, always go to the leader; only a
//! `SELECT` outside a transaction is routed. The choices are the anomalies' fixes the book
//! names: reading from the leader (today's behaviour, the default), from any follower (round
//! robin: cheap, and both anomalies show), from one follower pinned per client (monotonic
//! reads), from the leader for a while after writing, or from a follower that has replayed at
//! least the position of the client's last write — it waits until it has, as PostgreSQL's
//! `pg_wal_replay_wait` and MySQL's `WAIT_FOR_EXECUTED_GTID_SET` do (reading your own writes).
//!
//! Pure and deterministic: round robin and a pin from the client's id, no randomness. Knows
//! nothing of the UI, nor of how a server waits (that is `server::read_wait`).

use std::rc::Rc;

use crate::sim::{NodeId, Time};

/// How long a client reads from the leader after its last write under
/// [`ReadRouting::LeaderAfterWrite`] (virtual time).
pub const LEADER_AFTER_WRITE: Time = Time::secs(1);

/// A client's read-routing setting. In JSON (lessons, links): `"any_follower"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadRouting {
    /// Every read goes to the leader (no anomaly; the leader carries every read).
    #[default]
    Leader,
    /// Each read goes to the next follower in turn.
    AnyFollower,
    /// Every read goes to one follower, chosen once per client from its id.
    PinnedFollower,
    /// Reads go to the leader for [`LEADER_AFTER_WRITE`] after the client's last write, then to
    /// any follower.
    LeaderAfterWrite,
    /// Reads go to any follower, which answers only once it has replayed the position of the
    /// client's last commit.
    AtLeastPosition,
}

impl ReadRouting {
    /// Every choice, in the order a picker lists them.
    pub const ALL: [ReadRouting; 5] = [
        ReadRouting::Leader,
        ReadRouting::AnyFollower,
        ReadRouting::PinnedFollower,
        ReadRouting::LeaderAfterWrite,
        ReadRouting::AtLeastPosition,
    ];

    /// Its name in JSON (lessons, links): `any_follower`.
    pub fn name(self) -> &'static str {
        match self {
            ReadRouting::Leader => "leader",
            ReadRouting::AnyFollower => "any_follower",
            ReadRouting::PinnedFollower => "pinned_follower",
            ReadRouting::LeaderAfterWrite => "leader_after_write",
            ReadRouting::AtLeastPosition => "at_least_position",
        }
    }

    /// The choice named `name` in JSON.
    pub fn named(name: &str) -> Option<ReadRouting> {
        ReadRouting::ALL.into_iter().find(|r| r.name() == name)
    }

    /// A short name for a picker and the event log.
    pub fn label(self) -> &'static str {
        match self {
            ReadRouting::Leader => "leader",
            ReadRouting::AnyFollower => "any follower",
            ReadRouting::PinnedFollower => "pinned follower",
            ReadRouting::LeaderAfterWrite => "leader for 1 s after writing",
            ReadRouting::AtLeastPosition => "follower at my last write's position",
        }
    }

    /// What the choice does, in a sentence (the picker's hint).
    pub fn explain(self) -> &'static str {
        match self {
            ReadRouting::Leader => "Always current.",
            ReadRouting::AnyFollower => {
                "Followers in turn: a lagging one misses your write; two can go back in time."
            }
            ReadRouting::PinnedFollower => {
                "One follower: it may lag, never goes back in time (monotonic reads)."
            }
            ReadRouting::LeaderAfterWrite => "Then any follower (read your writes).",
            ReadRouting::AtLeastPosition => {
                "The follower waits until it has replayed your last commit (pg_wal_replay_wait)."
            }
        }
    }
}

/// Whether `sql` is a read a client may route (a `SELECT`).
pub fn is_routed_read(sql: &str) -> bool {
    first_keyword_is(sql, &["SELECT"])
}

/// Whether the statement's first word is one of `words` (upper case).
fn first_keyword_is(sql: &str, words: &[&str]) -> bool {
    let first = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    words.iter().any(|w| first.eq_ignore_ascii_case(w))
}

/// Where one statement goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub server: NodeId,
    /// The follower must have replayed this log position before it answers.
    pub wait_for: Option<u64>,
    /// The statement is a read the setting routed (not a write, not inside a transaction).
    pub routed: bool,
}

/// What a client remembers to route its reads: its setting, its own writes, its turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadRoutes {
    pub routing: ReadRouting,
    /// The servers that may serve reads (every server that starts streaming, the first leader
    /// included: after a failover it is a follower again), in configuration order. Shared:
    /// the timeline's checkpoints clone every client.
    pub replicas: Rc<[NodeId]>,
    /// The next follower in turn for [`ReadRouting::AnyFollower`].
    turn: usize,
    /// When the client last sent or committed a write.
    last_write_at: Option<Time>,
    /// The log position of the client's last commit.
    last_commit: Option<u64>,
    /// A transaction is open on the leader: everything goes there until it ends.
    in_transaction: bool,
}

impl ReadRoutes {
    pub fn new(replicas: Vec<NodeId>) -> ReadRoutes {
        ReadRoutes {
            replicas: replicas.into(),
            ..ReadRoutes::default()
        }
    }

    /// The position of the client's last commit (what [`ReadRouting::AtLeastPosition`] waits
    /// for).
    pub fn last_commit(&self) -> Option<u64> {
        self.last_commit
    }

    /// Where `sql`, sent by `client` at `now`, goes while `leader` leads. Does not move the
    /// turn: [`ReadRoutes::sent`] does, once it is sent.
    pub fn route(&self, client: NodeId, leader: NodeId, sql: &str, now: Time) -> Route {
        let to_leader = Route {
            server: leader,
            wait_for: None,
            routed: false,
        };
        if self.routing == ReadRouting::Leader || self.in_transaction || !is_routed_read(sql) {
            return to_leader;
        }
        let followers: Vec<NodeId> = self
            .replicas
            .iter()
            .copied()
            .filter(|s| *s != leader)
            .collect();
        if followers.is_empty() {
            return to_leader;
        }
        let next = followers[self.turn % followers.len()];
        let (server, wait_for) = match self.routing {
            ReadRouting::Leader => (leader, None),
            ReadRouting::AnyFollower => (next, None),
            ReadRouting::PinnedFollower => (followers[pin(client, followers.len())], None),
            ReadRouting::LeaderAfterWrite => match self.last_write_at {
                Some(at) if now.saturating_sub(at) < LEADER_AFTER_WRITE => (leader, None),
                _ => (next, None),
            },
            ReadRouting::AtLeastPosition => (next, self.last_commit),
        };
        Route {
            server,
            wait_for,
            routed: true,
        }
    }

    /// The client sent `sql` along `route` at `now`: the turn moves on after a read sent to a
    /// follower in turn; a write is remembered; a transaction opens or ends.
    pub fn sent(&mut self, sql: &str, route: Route, now: Time) {
        let pinned = self.routing == ReadRouting::PinnedFollower;
        if route.routed && !pinned && self.replicas.contains(&route.server) {
            self.turn = self.turn.wrapping_add(1);
        }
        if first_keyword_is(sql, &["BEGIN", "START"]) {
            self.in_transaction = true;
        } else if first_keyword_is(sql, &["COMMIT", "ROLLBACK", "END"]) {
            self.in_transaction = false;
        } else if !is_routed_read(sql) {
            self.last_write_at = Some(now);
        }
    }

    /// A statement committed at log position `index`, answered at `now`.
    pub fn committed(&mut self, index: u64, now: Time) {
        self.last_commit = Some(self.last_commit.map_or(index, |p| p.max(index)));
        self.last_write_at = Some(now);
    }

    /// The setting changes; what the client remembers of its writes stays.
    pub fn set(&mut self, routing: ReadRouting) {
        self.routing = routing;
        self.turn = 0;
    }
}

/// The follower a client is pinned to, out of `n`: a fixed mix of its id (FNV-1a over its
/// bytes), so clients spread over followers and the pin never changes.
fn pin(client: NodeId, n: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in client.0.to_le_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % n as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes(routing: ReadRouting) -> ReadRoutes {
        let mut r = ReadRoutes::new(vec![NodeId(0), NodeId(1), NodeId(2)]);
        r.set(routing);
        r
    }

    #[test]
    fn writes_and_transactions_go_to_the_leader() {
        let mut r = routes(ReadRouting::AnyFollower);
        let now = Time::ZERO;
        let write = r.route(NodeId(3), NodeId(0), "INSERT INTO t VALUES (1)", now);
        assert_eq!(write.server, NodeId(0));
        assert!(!write.routed);
        r.sent("BEGIN", write, now);
        assert_eq!(
            r.route(NodeId(3), NodeId(0), "SELECT 1", now).server,
            NodeId(0)
        );
        r.sent("COMMIT", write, now);
        assert_eq!(
            r.route(NodeId(3), NodeId(0), "select 1", now).server,
            NodeId(1)
        );
    }

    #[test]
    fn any_follower_takes_turns_and_a_pin_does_not() {
        let mut r = routes(ReadRouting::AnyFollower);
        let mut seen = vec![];
        for _ in 0..4 {
            let route = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::ZERO);
            r.sent("SELECT 1", route, Time::ZERO);
            seen.push(route.server.0);
        }
        assert_eq!(seen, vec![1, 2, 1, 2]);
        let mut r = routes(ReadRouting::PinnedFollower);
        let first = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::ZERO);
        r.sent("SELECT 1", first, Time::ZERO);
        let second = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::ZERO);
        assert_eq!(first.server, second.server);
        assert_ne!(first.server, NodeId(0));
    }

    #[test]
    fn leader_after_write_then_followers() {
        let mut r = routes(ReadRouting::LeaderAfterWrite);
        r.committed(4, Time::millis(100));
        let soon = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::millis(900));
        assert_eq!(soon.server, NodeId(0));
        let later = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::millis(1_100));
        assert_eq!(later.server, NodeId(1));
    }

    #[test]
    fn at_least_position_carries_the_last_commit() {
        let mut r = routes(ReadRouting::AtLeastPosition);
        assert_eq!(
            r.route(NodeId(3), NodeId(0), "SELECT 1", Time::ZERO)
                .wait_for,
            None
        );
        r.committed(7, Time::ZERO);
        r.committed(5, Time::ZERO);
        let route = r.route(NodeId(3), NodeId(0), "SELECT 1", Time::ZERO);
        assert_eq!((route.server, route.wait_for), (NodeId(1), Some(7)));
    }
}
