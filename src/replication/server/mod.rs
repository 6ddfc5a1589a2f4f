//! A database server, the family-neutral host: one lab engine, the clients' connections and
//! sessions, and running their SQL (`sql.rs`); what it does with a commit and how it
//! replicates is its family's (see [`crate::replication::single_leader`], which adds the
//! leader, follower and failover handlers as `impl Server` blocks, and starts, dispatches
//! and times them through `start_role`, `on_family_request`, `on_family_message` and
//! `on_family_timer`; a finished statement goes to its `on_statement_done`, a cancel it
//! may answer to its `cancel_commit_wait`).
//!
//! State is split the way a real server's is: [`Disk`] survives a crash (the engine, the log
//! and the family's durable state), [`Memory`] does not (the connections and the family's
//! volatile state).
//! Log writes, flushes, truncations and role changes are [`DiskWrite`] effects that the world
//! applies after the handler returns (so a handler never reads back what it just wrote: it
//! passes the values along itself). The engine's pages are the one exception: the engine is
//! the server's own disk and makes each commit durable itself (its commit report is the
//! data), so the pages and the replay position change together inside the handler.
//!
//! Knows nothing of the UI.

use crate::engine::small_map::SmallMap;
use std::rc::Rc;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::engine::{Database, Env, ExecOptions, Session, StatementKind, StatementReport};
use crate::sim::{Chunked, Context, InputId, NodeId, Time};

use super::config::{AckPolicy, ClusterConfig, Method, ServerSpec};
use super::directory::Directory;
use super::log::{LogEntry, LoggedStatement, TermHistory};
use super::messages::{ClientMsg, Msg, QueryOk, Request};
use super::method;
use super::multi_leader::state::{MultiDisk, MultiMemory};
use super::node::{LabNode, Note, Timer};

/// The lab's wall clock at virtual time zero: 2026-11-26 09:31:07 UTC, in microseconds.
pub const LAB_EPOCH_MICROS: i64 = 1_795_685_467_000_000;

/// What survives a crash.
#[derive(Clone, Debug)]
pub struct Disk {
    pub db: Database,
    /// Flushed log entries after `base`. Shared in chunks between clones of the world (the
    /// timeline's checkpoints), so a checkpoint does not copy the log.
    pub log: Chunked<LogEntry>,
    /// The index just before `log[0]` (0 at the start; a snapshot's position after one).
    pub base: u64,
    pub base_term: u32,
    /// The byte position of `base` in the log (an LSN, a binlog offset).
    pub base_end: u64,
    /// The last entry replayed into `db`.
    pub applied: u64,
    /// The family's durable state (single-leader: the role, term and leader followed).
    pub family: DurableRole,
    pub ack: AckPolicy,
    pub next_xid: u64,
    /// Whether this server has ever started (a restart of a leader is then a rejoin question).
    pub started_before: bool,
    /// Entries this server discarded when its log diverged from a new leader's.
    pub discarded: Vec<LogEntry>,
    /// Trigger-based: rows the triggers wrote into the changelog table.
    pub changelog_writes: u64,
    /// Trigger-based follower: the changelog sequence applied, kept with the rows it applied
    /// (Slony stores its confirmed position in the subscriber's database, in the same
    /// transaction), so a crash cannot make it apply a batch twice.
    pub applied_seq: i64,
    /// Multi-leader: the leader's log, progress by origin, row versions and conflicts (its
    /// `family` says "leader" and stays so).
    pub multi: MultiDisk,
}

impl Disk {
    /// The last flushed index.
    pub fn last_index(&self) -> u64 {
        self.log.last().map_or(self.base, |e| e.index)
    }

    /// The term of the last flushed entry.
    pub fn last_term(&self) -> u32 {
        self.log.last().map_or(self.base_term, |e| e.term)
    }

    /// The byte position after the last flushed entry.
    pub fn last_end(&self) -> u64 {
        self.log.last().map_or(self.base_end, |e| e.end)
    }

    /// The byte position after entry `index` (or the base position).
    pub fn end_of(&self, index: u64) -> u64 {
        self.entry(index).map_or(self.base_end, |e| e.end)
    }

    pub fn entry(&self, index: u64) -> Option<&LogEntry> {
        if index <= self.base {
            return None;
        }
        let at = usize::try_from(index - self.base - 1).ok()?;
        self.log.get(at)
    }
}

// Transitional re-exports: the single-leader family's state types at their old paths, for
// the lab and the tests until they name `single_leader::state` themselves.
pub use crate::replication::single_leader::state::{
    CommitTimes, DurableRole, FollowerMemory, FollowerProgress, FollowerState, LeaderMemory,
    OutgoingSnapshot, PendingCommit, RoleMemory, ServerRole, Stream,
};

/// A durable write, applied by the world after the handler returns.
#[derive(Clone, Debug, Hash)]
pub enum DiskWrite {
    /// Flush these entries to the log.
    Append(Vec<LogEntry>),
    /// Drop every entry after `after`, remembering them as discarded.
    Truncate { after: u64 },
    /// After a snapshot: the log restarts empty at `base`.
    Reset {
        base: u64,
        base_term: u32,
        base_end: u64,
    },
    /// A change of the family's durable state (single-leader: a promotion, a demotion, a
    /// new leader). Hashed as the struct variant `Role { role, term, leader, history }` it
    /// replaced was (the same discriminant, then the same fields in the same order: see
    /// `DurableRole`), so traces keep their hashes.
    Role(DurableRole),
    /// A new acknowledgement policy.
    Ack(AckPolicy),
    /// The server has started once.
    Started,
}

/// One client's connection.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub session: Session,
    /// Statement-based: the open transaction's write statements, logged at commit.
    pub statements: Vec<LoggedStatement>,
    /// Statements not run yet: the first waits for a row lock, the rest arrived after it
    /// (a connection runs its statements in order).
    pub parked: std::collections::VecDeque<Parked>,
    /// Set by [`Server::execute`] when the engine said the statement must wait (the
    /// transaction it waits for).
    pub blocked: Option<u64>,
    /// The last statement run (`pg_stat_activity.query` of an idle session).
    pub last_query: String,
    /// When the connection last ran a statement or got its answer (an idle session's
    /// `state_change`, MySQL's `Time` of a `Sleep`).
    pub last_at: Time,
}

/// A statement parked on its connection.
#[derive(Clone, Debug)]
pub struct Parked {
    pub request: InputId,
    pub sql: String,
    /// When it arrived (`pg_stat_activity.query_start`).
    pub since: Time,
    /// The transaction it waits for: a row lock's holder, or the connection's own commit
    /// waiting for its standby (None: queued behind the connection's waiting statement).
    pub waits_for: Option<u64>,
}

/// One session as `pg_stat_activity` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Activity {
    pub pid: u32,
    /// The client's name (`application_name`).
    pub client: String,
    /// `active`, `idle in transaction`, `idle in transaction (aborted)` (PostgreSQL, after an
    /// error in the block) or `idle`.
    pub state: &'static str,
    /// `Lock` (a row lock) or `IPC` (a synchronous-standby wait).
    pub wait_event_type: Option<&'static str>,
    /// `transactionid` or `SyncRep`.
    pub wait_event: Option<&'static str>,
    pub query: String,
    /// The processes it waits for (`pg_blocking_pids`).
    pub blocking_pids: Vec<u32>,
    /// When the statement shown started waiting, if it waits.
    pub waiting_since: Option<Time>,
    /// When the session entered the state shown (`pg_stat_activity.state_change`; MySQL's
    /// `Time` column counts from it).
    pub state_change: Time,
    /// The transaction a statement waiting for a row lock waits for (InnoDB's
    /// `blocking_trx_id`).
    pub blocking_xid: Option<u64>,
}

/// What a crash loses: the clients' connections, and the family's volatile state for the
/// role the server plays (see [`crate::replication::single_leader::state`]).
#[derive(Clone, Debug)]
pub struct Memory {
    pub connections: SmallMap<NodeId, Connection>,
    pub role: RoleMemory,
    /// Reads held until replay reaches their client's last commit (see `read_wait`).
    pub read_waits: Vec<read_wait::ReadWait>,
    /// Multi-leader: how far each peer has got.
    pub multi: MultiMemory,
}

impl Memory {
    /// Fresh memory for a server in `role`.
    pub fn for_role(role: ServerRole) -> Memory {
        Memory {
            connections: SmallMap::default(),
            role: RoleMemory::for_role(role),
            read_waits: Vec::new(),
            multi: MultiMemory::default(),
        }
    }
}

/// The node's clock and random generator as the engine sees them.
pub(crate) struct NodeEnv<'a> {
    pub(crate) now_micros: i64,
    pub(crate) rng: &'a mut ChaCha8Rng,
}

impl Env for NodeEnv<'_> {
    fn now_micros(&mut self) -> i64 {
        self.now_micros
    }
    fn random_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }
}

/// A database server.
#[derive(Clone, Debug)]
pub struct Server {
    pub name: String,
    pub spec: ServerSpec,
    pub config: Rc<ClusterConfig>,
    pub directory: Rc<Directory>,
    pub disk: Disk,
    pub mem: Memory,
    /// The server's own generator for RAND() and UUID().
    pub(crate) rng: ChaCha8Rng,
}

/// The context a server's handlers push effects into.
pub(crate) type Cx = Context<LabNode>;

impl Server {
    /// A server as the cluster starts: its schema loaded (as if restored from the same
    /// initial backup), its role taken from its place in the configuration.
    pub fn new(
        spec: ServerSpec,
        config: Rc<ClusterConfig>,
        directory: Rc<Directory>,
        seed: u64,
        leader: NodeId,
        is_leader: bool,
    ) -> Server {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut db = Database::new(spec.format);
        let role = if is_leader {
            ServerRole::Leader
        } else if spec.starts_streaming {
            ServerRole::Follower
        } else {
            ServerRole::Spare
        };
        if role != ServerRole::Spare {
            let schema = if config.method.carries_ddl() {
                &config.schema
            } else {
                spec.schema.as_ref().unwrap_or(&config.schema)
            };
            let mut env = NodeEnv {
                now_micros: LAB_EPOCH_MICROS + spec.clock_skew,
                rng: &mut rng,
            };
            for sql in schema {
                // A schema statement that fails is visible later as a missing table; it must
                // not stop the lab from starting.
                let _ = db.run(sql, &mut env);
            }
            if let Some(setup) = config.method.leader_setup_sql().filter(|_| is_leader) {
                let _ = db.run(setup, &mut env);
            }
        }
        let base_end = config.method.log_start(&db);
        Server {
            name: spec.name.clone(),
            disk: Disk {
                db,
                log: Chunked::new(),
                base: 0,
                base_term: 1,
                base_end,
                applied: 0,
                family: DurableRole {
                    role,
                    term: 1,
                    leader: Some(leader),
                    history: TermHistory::default(),
                },
                ack: config.ack.clone(),
                next_xid: 740,
                started_before: false,
                discarded: Vec::new(),
                changelog_writes: 0,
                applied_seq: 0,
                multi: MultiDisk::default(),
            },
            mem: Memory::for_role(role),
            spec,
            config,
            directory,
            rng,
        }
    }

    pub(crate) fn method(&self) -> Method {
        self.config.method
    }

    pub(crate) fn clock(&self, now: Time) -> i64 {
        LAB_EPOCH_MICROS + now.as_micros() as i64 + self.spec.clock_skew
    }

    // ------------------------------------------------------------------ lifecycle

    pub fn on_start(&mut self, cx: &mut Cx) {
        let restart = self.disk.started_before;
        if !restart {
            cx.write_durable(DiskWrite::Started.into());
        } else {
            for (client, _) in self.directory.clients.iter() {
                cx.send(*client, Msg::Client(ClientMsg::ConnectionsReset));
            }
        }
        if self.is_multi_leader() {
            self.ml_start(cx);
        } else {
            self.start_role(cx, restart);
        }
    }

    /// Whenever the server's memory was reset (a promotion or demotion starts afresh), the
    /// engine's sessions, locks and invisible commits went with it: every transaction the
    /// engine knows belongs to a connection or a waiting commit, except a replay's, which
    /// ends inside its handler.
    fn forget_orphaned_sessions(&mut self) {
        if self.mem.connections.is_empty()
            && self.mem.role.waiting().is_empty()
            && self.disk.db.has_sessions()
        {
            self.disk.db.reset_sessions();
        }
    }

    pub fn on_crash(&mut self) {
        self.mem = Memory::for_role(self.disk.family.role);
        // The lock manager is memory too; every commit on disk is visible after recovery.
        self.disk.db.reset_sessions();
    }

    pub fn apply_durable(&mut self, write: DiskWrite) -> Vec<Note> {
        match write {
            DiskWrite::Append(entries) => {
                let mut appended = 0;
                for e in entries {
                    if e.index == self.disk.last_index() + 1 {
                        self.disk.log.push(e);
                        appended += 1;
                    }
                }
                if appended == 0 {
                    return vec![];
                }
                vec![Note::Flushed {
                    node: self.name.clone(),
                    index: self.disk.last_index(),
                }]
            }
            DiskWrite::Truncate { after } => {
                let keep = after.saturating_sub(self.disk.base);
                let keep = usize::try_from(keep).unwrap_or(usize::MAX);
                if keep >= self.disk.log.len() {
                    return vec![];
                }
                let dropped: Vec<LogEntry> = self.disk.log.split_off(keep);
                let count = dropped.len() as u64;
                self.disk.discarded.extend(dropped);
                vec![Note::Discarded {
                    node: self.name.clone(),
                    entries: count,
                    after,
                }]
            }
            DiskWrite::Reset {
                base,
                base_term,
                base_end,
            } => {
                self.disk.log.clear();
                self.disk.base = base;
                self.disk.base_term = base_term;
                self.disk.base_end = base_end;
                self.disk.applied = base;
                vec![]
            }
            DiskWrite::Role(durable) => {
                self.disk.family = durable;
                vec![]
            }
            DiskWrite::Ack(policy) => {
                self.disk.ack = policy;
                vec![]
            }
            DiskWrite::Started => {
                self.disk.started_before = true;
                vec![]
            }
        }
    }

    // ------------------------------------------------------------------ requests

    pub fn on_request(&mut self, cx: &mut Cx, request: InputId, req: Request) {
        self.forget_orphaned_sessions();
        if self.is_multi_leader() {
            self.ml_on_request(cx, request, req);
        } else {
            self.on_family_request(cx, request, req);
        }
    }

    // ------------------------------------------------------------------ messages

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        self.forget_orphaned_sessions();
        if !self.is_multi_leader() {
            self.heard_from(cx, from);
        }
        match msg {
            Msg::Client(ClientMsg::Query { request, sql }) => self.on_query(cx, from, request, sql),
            Msg::Client(ClientMsg::QueryAfter {
                request,
                sql,
                position,
            }) => self.on_query_after(cx, from, request, sql, position),
            Msg::Client(ClientMsg::Cancel { request }) => self.on_cancel(cx, from, request),
            // From a peer server: its stream (or its connections) to this one are gone.
            Msg::Client(ClientMsg::ConnectionsReset) => self.on_stream_closed(cx, from),
            Msg::Client(ClientMsg::QueryResult { .. }) => {}
            Msg::SingleLeader(msg) => self.on_family_message(cx, from, msg),
            Msg::MultiLeader(msg) => self.ml_on_message(cx, from, msg),
        }
    }

    // ------------------------------------------------------------------ timers

    pub fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        self.forget_orphaned_sessions();
        match timer {
            Timer::WakeParked => self.on_wake_parked(cx),
            Timer::LockWaitTimeout(client, request) => {
                self.on_lock_wait_timeout(cx, client, request)
            }
            Timer::MultiResend => self.ml_on_timer(cx),
            timer => self.on_family_timer(cx, timer),
        }
    }
}

mod read_wait;
mod sql;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::stable_hash;

    /// `DiskWrite` as it was before the family's durable state became one struct: a role
    /// change was a struct variant with the four fields inline.
    #[allow(dead_code)]
    #[derive(Hash)]
    enum InlineRoleWrite {
        Append(Vec<LogEntry>),
        Truncate {
            after: u64,
        },
        Reset {
            base: u64,
            base_term: u32,
            base_end: u64,
        },
        Role {
            role: ServerRole,
            term: u32,
            leader: Option<NodeId>,
            history: TermHistory,
        },
        Ack(AckPolicy),
        Started,
    }

    #[test]
    fn a_role_write_hashes_as_the_inline_variant_did() {
        let history = TermHistory {
            ended: vec![(1, 4), (2, 9)],
        };
        for (role, term, leader) in [
            (ServerRole::Leader, 3, Some(NodeId(1))),
            (ServerRole::Follower, 2, Some(NodeId(0))),
            (ServerRole::Spare, 1, None),
        ] {
            let now = DiskWrite::Role(DurableRole {
                role,
                term,
                leader,
                history: history.clone(),
            });
            let before = InlineRoleWrite::Role {
                role,
                term,
                leader,
                history: history.clone(),
            };
            assert_eq!(stable_hash(&now), stable_hash(&before), "{now:?}");
        }
        // And the hash still tells role writes apart.
        let leader = |term| {
            DiskWrite::Role(DurableRole {
                role: ServerRole::Leader,
                term,
                leader: None,
                history: TermHistory::default(),
            })
        };
        assert_ne!(stable_hash(&leader(1)), stable_hash(&leader(2)));
        assert_eq!(
            stable_hash(&DiskWrite::Started),
            stable_hash(&InlineRoleWrite::Started)
        );
    }
}
