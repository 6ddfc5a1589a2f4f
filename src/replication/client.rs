//! An application client: sends SQL (typed by the user or scripted by a lesson) where its
//! [`Router`] says (under single-leader replication, the leader it knows) — its reads where
//! its read-routing setting says ([`ReadRoutes`]: the leader, a follower, one that has
//! replayed its last write) —, or to a chosen server, and reports each answer with its
//! latency and the id of the request it answers. The client speaks only the client protocol
//! ([`ClientMsg`]); the router alone reads the family's news (a new leader announcing itself).
//!
//! It speaks as the client program of the database the method names ([`ClientProgram`]):
//! psql (libpq) for PostgreSQL methods, the `mysql` client for MySQL ones, with their own
//! texts for a server that is down or that died under an open connection.
//!
//! Knows nothing of the UI.

use crate::engine::small_map::SmallMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::sim::{Chunked, Context, InputId, NodeId, Time};

use super::config::{AckPolicy, Method};
use super::directory::Directory;
use super::messages::{ClientMsg, Msg, QueryOk, Reply, Request, SingleLeaderMsg};
use super::node::{LabNode, Note, Timer};
use super::routing::{ReadRoutes, ReadRouting, Route};

type Cx = Context<LabNode>;

/// A statement sent and not yet answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outstanding {
    pub sql: String,
    pub server: NodeId,
    pub sent_at: Time,
}

/// The client program the lab's client stands for, which decides how connection errors read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientProgram {
    /// psql over libpq (PostgreSQL methods: WAL, logical decoding, Slony).
    Psql,
    /// The `mysql` command-line client (MySQL methods: statement-based, and semi-sync).
    Mysql,
}

impl ClientProgram {
    /// The program of the database a cluster's method and acknowledgement setting name (see
    /// [`crate::replication::config::speaks_mysql`]).
    pub fn for_cluster(method: Method, ack: &AckPolicy) -> ClientProgram {
        if crate::replication::config::speaks_mysql(method, ack) {
            ClientProgram::Mysql
        } else {
            ClientProgram::Psql
        }
    }

    /// The error for a connection to a server that is not running (the host answers the
    /// connection attempt with a reset: refused at once).
    pub fn connection_refused(self, server: &str, address: &str) -> String {
        match self {
            ClientProgram::Psql => format!(
                "psql: error: connection to server at \"{server}\" ({address}), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?"
            ),
            // 111 is ECONNREFUSED.
            ClientProgram::Mysql => {
                format!("ERROR 2003 (HY000): Can't connect to MySQL server on '{server}:3306' (111)")
            }
        }
    }

    /// The error for a statement whose server died under it. psql tries to reconnect at
    /// once: that fails while the server is down (`server_back`: it is running again).
    pub fn connection_lost(self, server_back: bool) -> String {
        match self {
            ClientProgram::Psql => format!(
                "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.\nThe connection to the server was lost. Attempting reset: {}",
                if server_back { "Succeeded." } else { "Failed." }
            ),
            ClientProgram::Mysql => {
                "ERROR 2013 (HY000): Lost connection to MySQL server during query".into()
            }
        }
    }
}

/// A statement and its answer, kept for the lab's checks (was an acknowledged write lost?).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    /// The request it answers (the id `Lab::perform` returned).
    pub request: InputId,
    pub sql: String,
    pub server: NodeId,
    pub sent_at: Time,
    pub answered_at: Time,
    pub outcome: Result<Arc<QueryOk>, String>,
}

/// Where a client sends a statement not addressed to a chosen server: the routing rule of
/// the cluster's family. Multi-leader replication adds routing to any leader, leaderless
/// replication routing to a coordinator — variants here, the rest of the client unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Router {
    /// Single-leader: to the leader announced in the highest term heard of.
    Leader { leader: NodeId, term: u32 },
    /// Multi-leader: to the leader in the client's own datacenter.
    Nearby { leader: NodeId },
    /// Multi-leader, conflict avoidance: a write to the home leader of the row it names
    /// (by its key: key 1 to the first leader, 2 to the second…), anything else nearby.
    Home {
        nearby: NodeId,
        leaders: Vec<NodeId>,
    },
}

impl Router {
    /// Single-leader routing to `leader`, as the cluster starts (term 1).
    pub fn to_leader(leader: NodeId) -> Router {
        Router::Leader { leader, term: 1 }
    }

    /// The server statements go to now.
    pub fn target(&self) -> NodeId {
        match self {
            Router::Leader { leader, .. } => *leader,
            Router::Nearby { leader } => *leader,
            Router::Home { nearby, .. } => *nearby,
        }
    }

    /// The server `sql` goes to: under [`Router::Home`], the home leader of the row a write
    /// names by its key, if it names one.
    pub fn target_for(&self, sql: &str) -> NodeId {
        match self {
            Router::Home { leaders, .. } if !leaders.is_empty() => {
                match named_key(sql).filter(|k| *k > 0) {
                    Some(key) => leaders[((key - 1) % leaders.len() as i64) as usize],
                    None => self.target(),
                }
            }
            _ => self.target(),
        }
    }

    /// Follows the family's news: a new leader in a newer term. Returns the new target if
    /// the route changed.
    fn follow(&mut self, msg: &SingleLeaderMsg) -> Option<NodeId> {
        match (self, msg) {
            (
                Router::Leader { leader, term },
                SingleLeaderMsg::NewLeader {
                    leader: new,
                    term: new_term,
                }
                | SingleLeaderMsg::LeaderIs {
                    leader: new,
                    term: new_term,
                },
            ) if new_term > term => {
                *leader = *new;
                *term = *new_term;
                Some(*new)
            }
            _ => None,
        }
    }
}

/// The integer key a write names: `… WHERE id = 7`, or the first value of
/// `INSERT … VALUES (7, …)`.
fn named_key(sql: &str) -> Option<i64> {
    let lower = sql.to_ascii_lowercase();
    let after = |marker: &str| -> Option<i64> {
        let at = lower.find(marker)? + marker.len();
        let digits: String = lower[at..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse().ok()
    };
    let statement = lower.trim_start();
    if statement.starts_with("insert") {
        after("values (").or_else(|| after("values("))
    } else if statement.starts_with("update") || statement.starts_with("delete") {
        after("where id =").or_else(|| after("where id="))
    } else {
        // A read (or anything else) names no row to send home.
        None
    }
}

#[derive(Clone, Debug)]
pub struct Client {
    pub name: String,
    /// Where its statements go.
    pub router: Router,
    pub outstanding: SmallMap<InputId, Outstanding>,
    /// Every answer so far: shared in chunks between clones of the world (the timeline's
    /// checkpoints), so a checkpoint does not copy them.
    pub answered: Chunked<Answered>,
    pub directory: Rc<Directory>,
    /// Whose texts its connection errors use.
    pub program: ClientProgram,
    /// Where its reads go, and what it remembers of its own writes to route them.
    pub reads: ReadRoutes,
}

impl Client {
    pub fn new(name: &str, router: Router, directory: Rc<Directory>) -> Client {
        Client {
            name: name.to_string(),
            router,
            outstanding: SmallMap::default(),
            answered: Chunked::new(),
            directory,
            program: ClientProgram::Psql,
            reads: ReadRoutes::default(),
        }
    }

    /// The same client, able to read from `replicas` (its read-routing setting says when).
    pub fn reading_from(self, replicas: Vec<NodeId>) -> Client {
        Client {
            reads: ReadRoutes::new(replicas),
            ..self
        }
    }

    /// Where `sql` sent now by this client (`me`) goes: writes to the leader it knows, reads
    /// where its setting says.
    pub fn route(&self, me: NodeId, sql: &str, now: Time) -> Route {
        self.reads.route(me, self.router.target_for(sql), sql, now)
    }

    /// The same client, speaking as `program`.
    pub fn speaking(self, program: ClientProgram) -> Client {
        Client { program, ..self }
    }

    pub fn on_start(&mut self, _cx: &mut Cx) {}

    pub fn on_crash(&mut self) {
        self.outstanding.clear();
    }

    pub fn on_request(&mut self, cx: &mut Cx, request: InputId, req: Request) {
        let (server, sql) = match req {
            Request::Sql(sql) => {
                self.send_routed(cx, request, sql);
                return;
            }
            Request::SqlOn { server, sql } => (server, sql),
            Request::SetReadRouting(routing) => {
                self.reads.set(routing);
                return;
            }
            Request::Cancel => {
                for (&id, waiting) in &self.outstanding {
                    cx.send(
                        waiting.server,
                        Msg::Client(ClientMsg::Cancel { request: id }),
                    );
                }
                return;
            }
            Request::Unreachable { server, sql } => {
                // A routed read's turn moves on as if it had been sent.
                let route = self.route(cx.me(), &sql, cx.now());
                if route.server == server {
                    self.reads.sent(&sql, route, cx.now());
                }
                // Nothing is sent: the connection attempt itself fails, at once.
                self.outstanding.insert(
                    request,
                    Outstanding {
                        sql,
                        server,
                        sent_at: cx.now(),
                    },
                );
                let error = self.program.connection_refused(
                    self.directory.name(server),
                    &self.directory.address(server),
                );
                self.answer(cx, request, Err(error));
                return;
            }
            Request::ServerGone { server } => {
                self.lose_requests_to(cx, server, false);
                return;
            }
            _ => return,
        };
        self.outstanding.insert(
            request,
            Outstanding {
                sql: sql.clone(),
                server,
                sent_at: cx.now(),
            },
        );
        cx.send(server, Msg::Client(ClientMsg::Query { request, sql }));
    }

    /// Sends `sql` where the routing says; a read sent to a follower is narrated (which
    /// server, why, and the position it must wait for).
    fn send_routed(&mut self, cx: &mut Cx, request: InputId, sql: String) {
        let route = self.route(cx.me(), &sql, cx.now());
        self.reads.sent(&sql, route, cx.now());
        self.outstanding.insert(
            request,
            Outstanding {
                sql: sql.clone(),
                server: route.server,
                sent_at: cx.now(),
            },
        );
        // Under the default (every read to the leader) nothing new is said or sent: the
        // trace stays what it was before reads could be routed.
        if self.reads.routing != ReadRouting::Leader && route.routed {
            cx.note(Note::ReadRouted {
                client: self.name.clone(),
                server: self.directory.name(route.server).to_string(),
                routing: self.reads.routing,
                wait_for: route.wait_for,
            });
        }
        let msg = match route.wait_for {
            Some(position) => ClientMsg::QueryAfter {
                request,
                sql,
                position,
            },
            None => ClientMsg::Query { request, sql },
        };
        cx.send(route.server, Msg::Client(msg));
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        match msg {
            // The server is back (it restarted): psql's reconnection succeeds.
            Msg::Client(ClientMsg::ConnectionsReset) => self.lose_requests_to(cx, from, true),
            Msg::Client(ClientMsg::QueryResult { request, outcome }) => {
                self.answer(cx, request, outcome)
            }
            Msg::Client(
                ClientMsg::Query { .. } | ClientMsg::QueryAfter { .. } | ClientMsg::Cancel { .. },
            ) => {}
            Msg::MultiLeader(_) => {}
            Msg::SingleLeader(news) => {
                let old = self.router.target();
                if let Some(new) = self.router.follow(&news) {
                    self.rerouted(cx, old, new);
                }
            }
        }
    }

    pub fn on_timer(&mut self, _cx: &mut Cx, _timer: Timer) {}

    /// Sends statements to the new leader from now on. The connection to the old one is
    /// gone: what it still owed this client is lost.
    fn rerouted(&mut self, cx: &mut Cx, old_leader: NodeId, leader: NodeId) {
        cx.note(Note::ClientFollows {
            client: self.name.clone(),
            leader: self.directory.name(leader).to_string(),
        });
        if old_leader != leader {
            // The old leader is gone or stepped down: reconnecting to it fails.
            self.lose_requests_to(cx, old_leader, false);
        }
    }

    /// The connection to `server` is gone: every statement still waiting on it fails
    /// (`server_back`: the server is running again, so psql's reconnection succeeds).
    fn lose_requests_to(&mut self, cx: &mut Cx, server: NodeId, server_back: bool) {
        let lost: Vec<InputId> = self
            .outstanding
            .iter()
            .filter(|(_, o)| o.server == server)
            .map(|(id, _)| *id)
            .collect();
        for id in lost {
            let error = self.program.connection_lost(server_back);
            self.answer(cx, id, Err(error));
        }
    }

    fn answer(&mut self, cx: &mut Cx, request: InputId, outcome: Result<Arc<QueryOk>, String>) {
        let Some(sent) = self.outstanding.remove(&request) else {
            return;
        };
        if let Ok(ok) = &outcome {
            if let Some((_, index)) = ok.committed {
                self.reads.committed(index, cx.now());
            }
        }
        let latency = cx.now().saturating_sub(sent.sent_at).as_micros();
        cx.note(Note::ClientAnswer {
            client: self.name.clone(),
            request,
            sql: sent.sql.clone(),
            ok: outcome.is_ok(),
            error: outcome
                .as_ref()
                .err()
                .map(|e| e.lines().next().unwrap_or("").to_string()),
            latency,
        });
        cx.reply(
            request,
            Reply {
                sql: sent.sql.clone(),
                outcome: outcome.clone(),
                latency,
            },
        );
        self.answered.push(Answered {
            request,
            sql: sent.sql,
            server: sent.server,
            sent_at: sent.sent_at,
            answered_at: cx.now(),
            outcome,
        });
    }
}
