//! A database server: one lab engine plus the replication role it plays — leader (runs
//! clients' SQL, writes the replication log, ships it, answers when the acknowledgement policy
//! is met) or follower (receives, writes, flushes and replays the log; may be promoted).
//!
//! State is split the way a real server's is: [`Disk`] survives a crash, [`Memory`] does not.
//! Log writes, flushes, truncations and role changes are [`DiskWrite`] effects that the world
//! applies after the handler returns (so a handler never reads back what it just wrote: it
//! passes the values along itself). The engine's pages are the one exception: the engine is
//! the server's own disk and makes each commit durable itself (its commit report is the
//! data), so the pages and the replay position change together inside the handler.
//!
//! Knows nothing of the UI.

use std::collections::BTreeMap;
use std::rc::Rc;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::engine::{
    Database, Env, ExecOptions, FormatVersion, PageChange, PageChanges, RowChange, Session,
    StatementKind, StatementReport, WalRecord,
};
use crate::sim::{Context, InputId, NodeId, Time};

use super::config::{AckPolicy, AckStage, ClusterConfig, Method, ServerSpec, StandbySet};
use super::directory::Directory;
use super::log::{
    payload_bytes, LogEntry, LoggedStatement, Payload, StatementContext, TermHistory, BINLOG_START,
};
use super::messages::{Msg, QueryOk, Request, SnapshotData};
use super::node::{LabNode, Note, Timer};
use super::trigger;

/// The lab's wall clock at virtual time zero: 2026-11-26 09:31:07 UTC, in microseconds.
pub const LAB_EPOCH_MICROS: i64 = 1_795_685_467_000_000;

/// How long a follower waits for the others' answers before choosing a new leader.
const ELECTION_WINDOW: Time = Time::millis(100);
/// How long a restarted old leader waits to hear who leads before leading again.
const WHO_LEADS_WINDOW: Time = Time::millis(300);
/// Entries per message while catching up, so catch-up is visible as a stream.
const CATCHUP_BATCH: usize = 4;
/// Pages (or rows) per snapshot chunk.
const SNAPSHOT_CHUNK: usize = 2;

/// What a server is, as it would say in its configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerRole {
    Leader,
    Follower,
    /// An empty server waiting to be set up as a new follower.
    Spare,
}

/// What survives a crash.
#[derive(Clone, Debug)]
pub struct Disk {
    pub db: Database,
    /// Flushed log entries after `base`.
    pub log: Vec<LogEntry>,
    /// The index just before `log[0]` (0 at the start; a snapshot's position after one).
    pub base: u64,
    pub base_term: u32,
    /// The byte position of `base` in the log (an LSN, a binlog offset).
    pub base_end: u64,
    /// The last entry replayed into `db`.
    pub applied: u64,
    pub role: ServerRole,
    pub term: u32,
    pub leader: Option<NodeId>,
    pub history: TermHistory,
    pub ack: AckPolicy,
    pub next_xid: u64,
    /// Whether this server has ever started (a restart of a leader is then a rejoin question).
    pub started_before: bool,
    /// Entries this server discarded when its log diverged from a new leader's.
    pub discarded: Vec<LogEntry>,
    /// Trigger-based: rows the triggers wrote into the changelog table.
    pub changelog_writes: u64,
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
    /// A role change (promotion, demotion, a new leader).
    Role {
        role: ServerRole,
        term: u32,
        leader: Option<NodeId>,
        history: TermHistory,
    },
    /// A new acknowledgement policy.
    Ack(AckPolicy),
    /// The server has started once.
    Started,
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
}

/// A base backup being sent.
#[derive(Clone, Debug)]
pub struct OutgoingSnapshot {
    pub chunks: Vec<SnapshotData>,
    pub next: u32,
    pub consistent_at: u64,
}

/// One client's connection.
#[derive(Clone, Debug, Default)]
pub struct Connection {
    pub session: Session,
    /// Statement-based: the open transaction's write statements, logged at commit.
    pub statements: Vec<LoggedStatement>,
}

/// What a crash loses.
#[derive(Clone, Debug)]
pub struct Memory {
    pub connections: BTreeMap<NodeId, Connection>,
    pub followers: BTreeMap<NodeId, FollowerProgress>,
    pub waiting: Vec<PendingCommit>,
    /// Leader: the virtual time each entry committed (for lag in time).
    pub commit_times: BTreeMap<u64, Time>,
    /// Leader: MySQL semi-sync fell back to asynchronous.
    pub semi_sync_off: bool,
    /// Leader: takes writes (false while fenced, or asking who leads after a restart).
    pub accepting_writes: bool,
    pub last_heard_follower: Time,
    pub snapshots_out: BTreeMap<NodeId, OutgoingSnapshot>,
    /// Follower: received and written, not yet flushed.
    pub written: Vec<LogEntry>,
    pub stream: Stream,
    pub flush_scheduled: bool,
    pub apply_scheduled: bool,
    /// Follower: an apply error stops replay until a retry succeeds.
    pub stalled: Option<String>,
    pub leader_last: u64,
    pub last_from_leader: Time,
    /// When the follower last asked to stream (to retry if the request was lost).
    pub connect_sent_at: Time,
    pub election: Option<BTreeMap<NodeId, (u32, u64)>>,
    pub snapshot_in: Vec<SnapshotData>,
    pub rejoining: bool,
    /// Trigger-based follower: the changelog sequence applied so far.
    pub applied_seq: i64,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            connections: BTreeMap::new(),
            followers: BTreeMap::new(),
            waiting: Vec::new(),
            commit_times: BTreeMap::new(),
            semi_sync_off: false,
            accepting_writes: false,
            last_heard_follower: Time::ZERO,
            snapshots_out: BTreeMap::new(),
            written: Vec::new(),
            stream: Stream::Idle,
            flush_scheduled: false,
            apply_scheduled: false,
            stalled: None,
            leader_last: 0,
            last_from_leader: Time::ZERO,
            connect_sent_at: Time::ZERO,
            election: None,
            snapshot_in: Vec::new(),
            rejoining: false,
            applied_seq: 0,
        }
    }
}

/// The node's clock and random generator as the engine sees them.
struct NodeEnv<'a> {
    now_micros: i64,
    rng: &'a mut ChaCha8Rng,
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
    rng: ChaCha8Rng,
}

type Cx = Context<LabNode>;

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
            if is_leader && config.method == Method::Trigger {
                let _ = db.run(trigger::CHANGELOG_DDL, &mut env);
            }
        }
        let base_end = match config.method {
            Method::Statement { .. } => BINLOG_START,
            _ => db.wal_end().0,
        };
        Server {
            name: spec.name.clone(),
            disk: Disk {
                db,
                log: Vec::new(),
                base: 0,
                base_term: 1,
                base_end,
                applied: 0,
                role,
                term: 1,
                leader: Some(leader),
                history: TermHistory::default(),
                ack: config.ack.clone(),
                next_xid: 740,
                started_before: false,
                discarded: Vec::new(),
                changelog_writes: 0,
            },
            mem: Memory::default(),
            spec,
            config,
            directory,
            rng,
        }
    }

    fn method(&self) -> Method {
        self.config.method
    }

    fn clock(&self, now: Time) -> i64 {
        LAB_EPOCH_MICROS + now.as_micros() as i64 + self.spec.clock_skew
    }

    /// Whether this server leads and takes writes now.
    pub fn is_writable_leader(&self) -> bool {
        self.disk.role == ServerRole::Leader && self.mem.accepting_writes
    }

    // ------------------------------------------------------------------ lifecycle

    pub fn on_start(&mut self, cx: &mut Cx) {
        let restart = self.disk.started_before;
        if !restart {
            cx.write_durable(DiskWrite::Started.into());
        }
        self.mem.last_from_leader = cx.now();
        match self.disk.role {
            ServerRole::Leader => {
                let fenced_restart = restart && self.config.failover.fencing;
                if fenced_restart {
                    // Fencing: a leader back from a crash asks before taking writes.
                    self.mem.accepting_writes = false;
                    for peer in self.directory.other_servers(cx.me()) {
                        cx.send(peer, Msg::WhoLeads);
                    }
                    cx.set_timer(Timer::WhoLeadsDone, WHO_LEADS_WINDOW);
                    cx.note(Note::Info(format!(
                        "{} restarted as leader: asking who leads before taking writes",
                        self.name
                    )));
                } else {
                    self.mem.accepting_writes = true;
                    if restart {
                        cx.note(Note::Info(format!(
                            "{} restarted and takes writes again (no fencing)",
                            self.name
                        )));
                    }
                }
                self.mem.last_heard_follower = cx.now();
                cx.set_timer(Timer::Keepalive, self.config.timings.keepalive);
                cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
            }
            ServerRole::Follower => {
                // Crash recovery: replay what was flushed but not yet applied.
                self.apply_flushed(cx);
                self.connect(cx);
                self.arm_leader_silence(cx);
            }
            ServerRole::Spare => {}
        }
    }

    pub fn on_crash(&mut self) {
        self.mem = Memory::default();
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
            DiskWrite::Role {
                role,
                term,
                leader,
                history,
            } => {
                self.disk.role = role;
                self.disk.term = term;
                self.disk.leader = leader;
                self.disk.history = history;
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
        match req {
            Request::Promote => {
                if self.disk.role == ServerRole::Follower {
                    cx.note(Note::Info(format!(
                        "manual failover: promoting {}",
                        self.name
                    )));
                    self.promote(cx);
                }
            }
            Request::Join => {
                if self.disk.role == ServerRole::Spare {
                    if let Some(leader) = self.disk.leader {
                        self.mem.stream = Stream::Snapshot { received: 0, of: 0 };
                        cx.send(leader, Msg::SnapshotRequest);
                        cx.note(Note::Info(format!(
                            "{} asks for a base backup to join as a follower",
                            self.name
                        )));
                    }
                }
            }
            Request::SetAck(policy) => {
                if self.disk.role == ServerRole::Leader {
                    cx.note(Note::Info(format!(
                        "acknowledgement: {}",
                        policy.describe()
                    )));
                    cx.write_durable(DiskWrite::Ack(policy.clone()).into());
                    // Re-evaluate with the new policy now (the durable copy lands after).
                    self.release_acknowledged(cx, Some(&policy));
                }
            }
            Request::Checkpoint => {
                let lsn = self.disk.db.checkpoint();
                cx.note(Note::Info(format!("{}: checkpoint at {lsn}", self.name)));
            }
            Request::Rejoin => {
                if self.disk.role == ServerRole::Leader {
                    self.mem.accepting_writes = false;
                    self.mem.rejoining = true;
                    for peer in self.directory.other_servers(cx.me()) {
                        cx.send(peer, Msg::WhoLeads);
                    }
                }
            }
            Request::Sql(_) | Request::SqlOn { .. } => {
                // Servers take SQL from clients over the network, not from outside.
                let _ = request;
            }
        }
    }

    // ------------------------------------------------------------------ messages

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        if Some(from) == self.disk.leader && self.disk.role == ServerRole::Follower {
            self.mem.last_from_leader = cx.now();
            self.arm_leader_silence(cx);
        }
        match msg {
            Msg::Query { request, sql } => self.on_query(cx, from, request, sql),
            Msg::StartStreaming {
                last_index,
                last_term,
            } => self.on_start_streaming(cx, from, last_index, last_term),
            Msg::StreamStart {
                term,
                format,
                history,
                leader_last,
            } => self.on_stream_start(cx, from, term, format, history, leader_last),
            Msg::Entries {
                entries,
                leader_last,
            } => self.on_entries(cx, from, entries, leader_last),
            Msg::Rewind {
                common,
                term,
                snapshot,
            } => self.on_rewind(cx, from, common, term, snapshot),
            Msg::Keepalive {
                term,
                leader_last,
                sent,
            } => self.on_keepalive(cx, from, term, leader_last, sent),
            Msg::Feedback {
                write,
                flush,
                apply,
                stalled,
            } => self.on_feedback(cx, from, write, flush, apply, stalled),
            Msg::SnapshotRequest => self.on_snapshot_request(cx, from),
            Msg::SnapshotChunk {
                chunk,
                chunks,
                data,
                consistent_at,
                term,
                history,
            } => {
                self.on_snapshot_chunk(cx, from, chunk, chunks, data, consistent_at, term, history)
            }
            Msg::ElectionQuery { .. } => self.on_election_query(cx, from),
            Msg::ElectionInfo {
                last_term,
                last_index,
                ..
            } => {
                if let Some(votes) = self.mem.election.as_mut() {
                    votes.insert(from, (last_term, last_index));
                }
            }
            Msg::LeaderIs { leader, term } => self.on_leader_is(cx, leader, term),
            Msg::WhoLeads => {
                let leader = match self.disk.role {
                    ServerRole::Leader if self.mem.accepting_writes => Some(cx.me()),
                    ServerRole::Follower => self.disk.leader,
                    _ => None,
                };
                if let Some(leader) = leader {
                    cx.send(
                        from,
                        Msg::LeaderIs {
                            leader,
                            term: self.disk.term,
                        },
                    );
                }
            }
            Msg::NewLeader { leader, term } => self.on_leader_is(cx, leader, term),
            Msg::PollChangelog { after_seq } => self.on_poll_changelog(cx, from, after_seq),
            Msg::ApplyChanges {
                through_seq,
                changes,
            } => self.on_apply_changes(cx, from, through_seq, changes),
            Msg::QueryResult { .. } | Msg::ChangelogRows { .. } | Msg::ChangesApplied { .. } => {}
        }
    }

    // ------------------------------------------------------------------ timers

    pub fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        match timer {
            Timer::Keepalive => self.on_keepalive_timer(cx),
            Timer::Flush => self.flush(cx),
            Timer::Apply => {
                self.mem.apply_scheduled = false;
                self.apply_flushed(cx);
            }
            Timer::ApplyRetry => {
                if let Some(error) = self.mem.stalled.take() {
                    cx.note(Note::Info(format!(
                        "{}: retrying after: {error}",
                        self.name
                    )));
                }
                self.apply_flushed(cx);
            }
            Timer::LeaderSilent => self.on_leader_silent(cx),
            Timer::ElectionDone => self.on_election_done(cx),
            Timer::WhoLeadsDone => {
                if self.disk.role == ServerRole::Leader && !self.mem.accepting_writes {
                    self.mem.accepting_writes = true;
                    self.mem.last_heard_follower = cx.now();
                    cx.note(Note::Info(format!(
                        "{}: no other leader answered; taking writes again",
                        self.name
                    )));
                }
            }
            Timer::Checkpoint => {
                if self.disk.role == ServerRole::Leader {
                    let lsn = self.disk.db.checkpoint();
                    cx.note(Note::Info(format!("{}: checkpoint at {lsn}", self.name)));
                    cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
                }
            }
            Timer::AckTimeout(index) => self.on_ack_timeout(cx, index),
            Timer::SnapshotSend(to) => self.send_snapshot_chunk(cx, to),
            Timer::ClientTimeout(_) | Timer::Poll => {}
        }
    }

    // ------------------------------------------------------------------ SQL

    fn on_query(&mut self, cx: &mut Cx, client: NodeId, request: InputId, sql: String) {
        let writable = self.is_writable_leader();
        if !writable && !is_read_only(&sql) {
            let why = match self.disk.role {
                ServerRole::Leader => format!(
                    "ERROR:  {} is not accepting writes (fenced: it cannot confirm it still leads)",
                    self.name
                ),
                _ => format!(
                    "ERROR:  cannot execute {} in a read-only transaction",
                    first_keyword(&sql)
                ),
            };
            cx.send(
                client,
                Msg::QueryResult {
                    request,
                    outcome: Err(why),
                },
            );
            return;
        }
        if self.disk.role == ServerRole::Leader && self.method() == Method::Trigger && writable {
            let outcome = trigger::execute_with_triggers(self, cx.now(), client, &sql);
            self.finish_statement(cx, client, request, outcome);
            return;
        }
        let outcome = self.execute(cx.now(), client, &sql);
        self.finish_statement(cx, client, request, outcome);
    }

    /// Runs `sql` in `client`'s session on this server's engine.
    pub(super) fn execute(
        &mut self,
        now: Time,
        client: NodeId,
        sql: &str,
    ) -> Result<StatementReport, String> {
        let now_micros = self.clock(now);
        let connection = self.mem.connections.entry(client).or_default();
        let mut env = NodeEnv {
            now_micros,
            rng: &mut self.rng,
        };
        let report = self
            .disk
            .db
            .execute(
                &mut connection.session,
                sql,
                &mut env,
                &ExecOptions::default(),
            )
            .map_err(|e| format!("ERROR:  {e}"))?;
        if let Method::Statement { context_events } = self.config.method {
            if report.kind.writes() {
                connection.statements.push(LoggedStatement {
                    sql: report.sql.clone(),
                    context: context_events.then_some(StatementContext {
                        timestamp: report.context.timestamp,
                        insert_id: report.context.insert_id,
                        rand_seeds: report.context.rand_seeds,
                    }),
                    unsafe_reasons: report.unsafe_reasons.clone(),
                });
            }
            if matches!(report.kind, StatementKind::Rollback) {
                connection.statements.clear();
            }
        }
        Ok(report)
    }

    /// Logs a committed statement, ships it, and answers the client now or when the
    /// acknowledgement policy is met.
    fn finish_statement(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
        outcome: Result<StatementReport, String>,
    ) {
        let report = match outcome {
            Ok(report) => report,
            Err(error) => {
                cx.note(Note::StatementFailed {
                    node: self.name.clone(),
                    error: error.clone(),
                });
                cx.send(
                    client,
                    Msg::QueryResult {
                        request,
                        outcome: Err(error),
                    },
                );
                return;
            }
        };
        let mut reply = QueryOk {
            tag: command_tag(&report),
            result: report.result.clone(),
            warning: match self.method() {
                Method::Statement { .. } => report.warning().map(str::to_string),
                _ => None,
            },
            committed: None,
            row_changes: Vec::new(),
            waited_for: None,
            server: cx.me(),
        };
        let entry = match (&report.commit, self.disk.role) {
            (Some(commit), ServerRole::Leader) => {
                reply.row_changes = commit.row_changes.clone();
                self.log_commit(cx, client, commit)
            }
            _ => None,
        };
        let Some(entry) = entry else {
            cx.send(
                client,
                Msg::QueryResult {
                    request,
                    outcome: Ok(reply),
                },
            );
            return;
        };
        reply.committed = Some((entry.term, entry.index));
        cx.note(Note::Committed {
            node: self.name.clone(),
            term: entry.term,
            index: entry.index,
            xid: entry.xid,
            rows: reply.row_changes.len() as u64,
        });
        self.mem.commit_times.insert(entry.index, cx.now());
        let index = entry.index;
        // The leader's pages already hold the commit: its replay position is the entry.
        self.disk.applied = index;
        cx.write_durable(DiskWrite::Append(vec![entry.clone()]).into());
        self.ship(cx, &entry);
        let pending = PendingCommit {
            client,
            request,
            index,
            since: cx.now(),
            reply,
        };
        let ack = self.disk.ack.clone();
        match &ack {
            AckPolicy::Sync { timeout, .. } if !self.mem.semi_sync_off => {
                if let Some(timeout) = timeout {
                    cx.set_timer(Timer::AckTimeout(index), *timeout);
                }
                cx.note(Note::WaitingForAck {
                    node: self.name.clone(),
                    index,
                    policy: ack.describe(),
                });
                self.mem.waiting.push(pending);
                self.release_acknowledged(cx, None);
            }
            _ => self.answer(cx, pending, None),
        }
    }

    /// Turns a commit into a log entry in the shape of the method (None if it has nothing to
    /// ship: a read-only commit, DDL under a method that does not carry it, trigger-based).
    fn log_commit(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        commit: &crate::engine::CommitReport,
    ) -> Option<LogEntry> {
        let method = self.method();
        let statements = self
            .mem
            .connections
            .get_mut(&client)
            .map(|c| std::mem::take(&mut c.statements))
            .unwrap_or_default();
        let (payload, start, end) = match method {
            Method::Statement { .. } => {
                if statements.is_empty() {
                    return None;
                }
                let payload = Payload::Statements(statements);
                let start = self.disk.last_end();
                let end = start + payload_bytes(&payload);
                (payload, start, end)
            }
            Method::Wal => {
                if commit.changes.records.is_empty() {
                    return None;
                }
                let (start, end) = (commit.changes.start.0, commit.changes.end.0);
                (Payload::Wal(commit.changes.clone()), start, end)
            }
            Method::Logical { .. } => {
                if !commit.ddl.is_empty() {
                    cx.note(Note::Info(format!(
                        "{}: DDL is not replicated by logical replication",
                        self.name
                    )));
                }
                if commit.row_changes.is_empty() {
                    return None;
                }
                let (start, end) = (commit.changes.start.0, commit.changes.end.0);
                (Payload::Rows(commit.row_changes.clone()), start, end)
            }
            Method::Trigger => return None,
        };
        let xid = self.disk.next_xid;
        self.disk.next_xid += 1;
        Some(LogEntry {
            index: self.disk.last_index() + 1,
            term: self.disk.term,
            xid,
            committed_at: self.clock(cx.now()),
            start,
            end,
            payload,
        })
    }

    /// Sends a new entry to every follower streaming in step with the log.
    fn ship(&mut self, cx: &mut Cx, entry: &LogEntry) {
        let leader_last = entry.index;
        for (&follower, progress) in self.mem.followers.iter_mut() {
            if progress.state == FollowerState::Streaming && progress.sent + 1 == entry.index {
                progress.sent = entry.index;
                cx.send(
                    follower,
                    Msg::Entries {
                        entries: vec![entry.clone()],
                        leader_last,
                    },
                );
            }
        }
    }

    /// Answers commits whose acknowledgement policy is now met. `policy` overrides the durable
    /// one when it has just been changed in this handler.
    fn release_acknowledged(&mut self, cx: &mut Cx, policy: Option<&AckPolicy>) {
        let policy = policy.cloned().unwrap_or_else(|| self.disk.ack.clone());
        let waiting = std::mem::take(&mut self.mem.waiting);
        for pending in waiting {
            match self.acknowledged_by(&policy, pending.index) {
                Some(by) => self.answer(cx, pending, Some(by)),
                None => self.mem.waiting.push(pending),
            }
        }
    }

    /// Whether `index` is acknowledged under `policy`; if so, by whom, in words.
    fn acknowledged_by(&self, policy: &AckPolicy, index: u64) -> Option<String> {
        let AckPolicy::Sync {
            stage, standbys, ..
        } = policy
        else {
            return Some("nothing (asynchronous)".into());
        };
        if self.mem.semi_sync_off {
            return Some("nothing (semi-sync switched off after its timeout)".into());
        }
        let position = |p: &FollowerProgress| match stage {
            AckStage::Write => p.write,
            AckStage::Flush => p.flush,
            AckStage::Apply => p.apply,
        };
        // Candidates: listed standbys that are connected and streaming, in priority order.
        let mut candidates = Vec::new();
        for name in standbys.names() {
            let Some(id) = self.directory.server_id(name) else {
                continue;
            };
            if let Some(p) = self.mem.followers.get(&id) {
                if p.state == FollowerState::Streaming {
                    candidates.push((name.as_str(), position(p)));
                }
            }
        }
        let needed = standbys.count() as usize;
        let reached: Vec<&str> = match standbys {
            StandbySet::First { .. } => {
                let sync: Vec<_> = candidates.iter().take(needed).collect();
                if sync.len() < needed || sync.iter().any(|(_, pos)| *pos < index) {
                    return None;
                }
                sync.iter().map(|(n, _)| *n).collect()
            }
            StandbySet::Any { .. } => {
                let done: Vec<&str> = candidates
                    .iter()
                    .filter(|(_, pos)| *pos >= index)
                    .map(|(n, _)| *n)
                    .collect();
                if done.len() < needed {
                    return None;
                }
                done
            }
        };
        Some(format!("{} on {}", stage.setting(), reached.join(", ")))
    }

    fn answer(&mut self, cx: &mut Cx, mut pending: PendingCommit, by: Option<String>) {
        pending.reply.waited_for = Some(by.unwrap_or_else(|| "nothing (asynchronous)".into()));
        cx.note(Note::Acknowledged {
            node: self.name.clone(),
            index: pending.index,
            waited: cx.now().saturating_sub(pending.since).as_micros(),
        });
        cx.send(
            pending.client,
            Msg::QueryResult {
                request: pending.request,
                outcome: Ok(pending.reply),
            },
        );
    }

    fn on_ack_timeout(&mut self, cx: &mut Cx, index: u64) {
        if !self.mem.waiting.iter().any(|p| p.index <= index) {
            return;
        }
        self.mem.semi_sync_off = true;
        cx.note(Note::SemiSyncOff {
            node: self.name.clone(),
        });
        let waiting = std::mem::take(&mut self.mem.waiting);
        for pending in waiting {
            self.answer(
                cx,
                pending,
                Some("nothing: timed out, semi-sync switched off (falls back to async)".into()),
            );
        }
    }

    // ------------------------------------------------------------------ leader: streaming

    fn on_start_streaming(&mut self, cx: &mut Cx, from: NodeId, last_index: u64, last_term: u32) {
        if self.disk.role != ServerRole::Leader {
            if let (Some(leader), ServerRole::Follower) = (self.disk.leader, self.disk.role) {
                cx.send(
                    from,
                    Msg::LeaderIs {
                        leader,
                        term: self.disk.term,
                    },
                );
            }
            return;
        }
        let own_last = self.disk.last_index();
        let common =
            self.disk
                .history
                .common_prefix(last_term, last_index, self.disk.term, own_last);
        if common < last_index || last_index < self.disk.base {
            cx.send(
                from,
                Msg::Rewind {
                    common: common.min(last_index),
                    term: self.disk.term,
                    snapshot: common.min(last_index) < self.disk.base,
                },
            );
            return;
        }
        self.mem.followers.insert(
            from,
            FollowerProgress {
                sent: last_index,
                write: last_index,
                flush: last_index,
                apply: last_index,
                state: if last_index == own_last {
                    FollowerState::Streaming
                } else {
                    FollowerState::Catchup
                },
                stalled: None,
                last_reply: cx.now(),
            },
        );
        self.mem.last_heard_follower = cx.now();
        cx.send(
            from,
            Msg::StreamStart {
                term: self.disk.term,
                format: self.disk.db.format(),
                history: self.disk.history.clone(),
                leader_last: own_last,
            },
        );
        self.send_backlog(cx, from);
    }

    /// Catch-up: sends the next batch of entries the follower lacks.
    fn send_backlog(&mut self, cx: &mut Cx, to: NodeId) {
        let own_last = self.disk.last_index();
        let Some(progress) = self.mem.followers.get_mut(&to) else {
            return;
        };
        if progress.sent >= own_last {
            return;
        }
        let entries: Vec<LogEntry> = ((progress.sent + 1)..=own_last)
            .take(CATCHUP_BATCH)
            .filter_map(|i| self.disk.entry(i).cloned())
            .collect();
        if let Some(last) = entries.last() {
            progress.sent = last.index;
            cx.send(
                to,
                Msg::Entries {
                    entries,
                    leader_last: own_last,
                },
            );
        }
    }

    fn on_feedback(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        write: u64,
        flush: u64,
        apply: u64,
        stalled: Option<String>,
    ) {
        if self.disk.role != ServerRole::Leader {
            return;
        }
        self.mem.last_heard_follower = cx.now();
        let own_last = self.disk.last_index();
        let Some(progress) = self.mem.followers.get_mut(&from) else {
            return;
        };
        progress.write = progress.write.max(write);
        progress.flush = progress.flush.max(flush);
        progress.apply = progress.apply.max(apply);
        progress.stalled = stalled;
        progress.last_reply = cx.now();
        let caught_up = progress.sent >= own_last;
        if caught_up && progress.state == FollowerState::Catchup {
            progress.state = FollowerState::Streaming;
            cx.note(Note::Info(format!(
                "{}: caught up, now streaming",
                self.directory.name(from)
            )));
        }
        let flushed_all = progress.flush >= own_last;
        if !caught_up {
            self.send_backlog(cx, from);
        }
        if self.mem.semi_sync_off && flushed_all {
            self.mem.semi_sync_off = false;
            cx.note(Note::Info(format!(
                "{}: semi-sync replication switched ON",
                self.name
            )));
        }
        self.release_acknowledged(cx, None);
    }

    fn on_keepalive_timer(&mut self, cx: &mut Cx) {
        if self.disk.role != ServerRole::Leader {
            return;
        }
        let leader_last = self.disk.last_index();
        for peer in self.directory.other_servers(cx.me()) {
            let sent = self
                .mem
                .followers
                .get(&peer)
                .filter(|p| p.state != FollowerState::Backup)
                .map(|p| p.sent);
            cx.send(
                peer,
                Msg::Keepalive {
                    term: self.disk.term,
                    leader_last,
                    sent,
                },
            );
        }
        let has_followers = self.directory.servers.len() > 1;
        let timeout = self.config.failover.timeout;
        if let (true, true, Some(timeout)) = (self.config.failover.fencing, has_followers, timeout)
        {
            if self.mem.accepting_writes
                && cx.now().saturating_sub(self.mem.last_heard_follower) > timeout
            {
                self.mem.accepting_writes = false;
                cx.note(Note::Fenced {
                    node: self.name.clone(),
                });
            }
        }
        cx.set_timer(Timer::Keepalive, self.config.timings.keepalive);
    }

    // ------------------------------------------------------------------ follower: streaming

    fn connect(&mut self, cx: &mut Cx) {
        if !self.method().streams() {
            return;
        }
        if let Stream::Refused(_) = self.mem.stream {
            return;
        }
        let Some(leader) = self.disk.leader else {
            return;
        };
        self.mem.stream = Stream::Connecting;
        self.mem.connect_sent_at = cx.now();
        self.mem.connect_sent_at = cx.now();
        self.mem.written.clear();
        cx.send(
            leader,
            Msg::StartStreaming {
                last_index: self.disk.last_index(),
                last_term: self.disk.last_term(),
            },
        );
    }

    fn on_stream_start(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        term: u32,
        format: FormatVersion,
        history: TermHistory,
        leader_last: u64,
    ) {
        if self.disk.role != ServerRole::Follower || Some(from) != self.disk.leader {
            return;
        }
        if self.method() == Method::Wal && format != self.disk.db.format() {
            let (theirs, ours) = (format.number(), self.disk.db.format().number());
            let error = format!(
                "FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version {theirs}, which is not compatible with this version {ours}."
            );
            cx.note(Note::StreamRefused {
                node: self.name.clone(),
                error: error.clone(),
            });
            self.mem.stream = Stream::Refused(error);
            return;
        }
        self.mem.stream = Stream::Streaming;
        self.mem.leader_last = leader_last;
        if term > self.disk.term {
            cx.write_durable(
                DiskWrite::Role {
                    role: ServerRole::Follower,
                    term,
                    leader: Some(from),
                    history,
                }
                .into(),
            );
        }
    }

    fn on_entries(&mut self, cx: &mut Cx, from: NodeId, entries: Vec<LogEntry>, leader_last: u64) {
        if self.disk.role != ServerRole::Follower
            || Some(from) != self.disk.leader
            || self.mem.stream != Stream::Streaming
        {
            return;
        }
        self.mem.leader_last = self.mem.leader_last.max(leader_last);
        let mut last = self.written_last();
        for entry in entries {
            if entry.index == last + 1 {
                last = entry.index;
                self.mem.written.push(entry);
            }
        }
        self.send_feedback(cx);
        if !self.mem.written.is_empty() && !self.mem.flush_scheduled {
            self.mem.flush_scheduled = true;
            cx.set_timer(Timer::Flush, self.config.timings.flush_delay);
        }
    }

    fn written_last(&self) -> u64 {
        self.mem
            .written
            .last()
            .map_or(self.disk.last_index(), |e| e.index)
    }

    fn flush(&mut self, cx: &mut Cx) {
        self.mem.flush_scheduled = false;
        if self.mem.written.is_empty() {
            return;
        }
        let entries = std::mem::take(&mut self.mem.written);
        let flushed = entries.last().map_or(self.disk.last_index(), |e| e.index);
        cx.write_durable(DiskWrite::Append(entries).into());
        self.feedback(cx, flushed, flushed, self.disk.applied);
        if !self.mem.apply_scheduled {
            self.mem.apply_scheduled = true;
            cx.set_timer(Timer::Apply, self.config.timings.apply_delay);
        }
    }

    /// Replays flushed entries into the engine, in order, until one fails.
    fn apply_flushed(&mut self, cx: &mut Cx) {
        if self.mem.stalled.is_some() {
            return;
        }
        let before = self.disk.applied;
        while self.disk.applied < self.disk.last_index() {
            let index = self.disk.applied + 1;
            let Some(entry) = self.disk.entry(index).cloned() else {
                break;
            };
            match self.apply_entry(cx.now(), &entry) {
                Ok(()) => self.disk.applied = index,
                Err(error) => {
                    cx.note(Note::ApplyFailed {
                        node: self.name.clone(),
                        index,
                        error: error.clone(),
                    });
                    self.mem.stalled = Some(error);
                    cx.set_timer(Timer::ApplyRetry, self.config.timings.apply_retry);
                    break;
                }
            }
        }
        if self.disk.applied > before {
            cx.note(Note::Applied {
                node: self.name.clone(),
                index: self.disk.applied,
            });
        }
        self.send_feedback(cx);
    }

    /// Replays one entry the way its method says.
    fn apply_entry(&mut self, now: Time, entry: &LogEntry) -> Result<(), String> {
        match &entry.payload {
            Payload::Wal(changes) => self
                .disk
                .db
                .apply(changes)
                .map_err(|e| format!("FATAL:  {e}")),
            Payload::Rows(changes) => {
                let changes: Vec<RowChange> = match self.method() {
                    Method::Logical {
                        image: super::config::RowImage::Minimal,
                    } => changes.iter().map(minimal_row_change).collect(),
                    _ => changes.clone(),
                };
                self.disk
                    .db
                    .apply_row_changes(&changes)
                    .map(|_| ())
                    .map_err(|e| format!("ERROR:  {e}"))
            }
            Payload::Statements(statements) => {
                // The replication SQL thread: one session, the statements of one transaction.
                let mut session = Session::new();
                let multi = statements.len() > 1;
                // A naive statement log re-evaluates NOW() with the follower's own clock.
                let now_micros = self.clock(now);
                let mut env = NodeEnv {
                    now_micros,
                    rng: &mut self.rng,
                };
                let mut run = |sql: &str, options: &ExecOptions| {
                    self.disk
                        .db
                        .execute(&mut session, sql, &mut env, options)
                        .map(|_| ())
                        .map_err(|e| format!("ERROR:  {e}"))
                };
                if multi {
                    run("BEGIN", &ExecOptions::default())?;
                }
                for statement in statements {
                    let options = statement
                        .context
                        .as_ref()
                        .map(|c| ExecOptions {
                            timestamp: c.timestamp,
                            insert_id: c.insert_id,
                            rand_seeds: c.rand_seeds,
                        })
                        .unwrap_or_default();
                    if let Err(error) = run(&statement.sql, &options) {
                        if multi {
                            let _ = run("ROLLBACK", &ExecOptions::default());
                        }
                        return Err(error);
                    }
                }
                if multi {
                    run("COMMIT", &ExecOptions::default())?;
                }
                Ok(())
            }
        }
    }

    fn send_feedback(&mut self, cx: &mut Cx) {
        let write = self.written_last();
        let flush = self.disk.last_index();
        let apply = self.disk.applied;
        self.feedback(cx, write, flush, apply);
    }

    fn feedback(&mut self, cx: &mut Cx, write: u64, flush: u64, apply: u64) {
        if self.disk.role != ServerRole::Follower || self.mem.stream != Stream::Streaming {
            return;
        }
        if let Some(leader) = self.disk.leader {
            cx.send(
                leader,
                Msg::Feedback {
                    write,
                    flush,
                    apply,
                    stalled: self.mem.stalled.clone(),
                },
            );
        }
    }

    fn on_keepalive(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        term: u32,
        leader_last: u64,
        sent: Option<u64>,
    ) {
        match self.disk.role {
            ServerRole::Follower if Some(from) == self.disk.leader => {
                self.mem.leader_last = self.mem.leader_last.max(leader_last);
                // The stream broke (a partition, a lost message): start it again from what
                // is flushed, as a walreceiver does after a connection error.
                let broken = match (&self.mem.stream, sent) {
                    (Stream::Idle, _) => true,
                    (Stream::Streaming, None) => true,
                    (Stream::Streaming, Some(sent)) => sent > self.written_last(),
                    (Stream::Connecting, _) => {
                        cx.now().saturating_sub(self.mem.connect_sent_at)
                            > self.config.timings.keepalive
                    }
                    _ => false,
                };
                if broken {
                    self.connect(cx);
                } else {
                    self.send_feedback(cx);
                }
            }
            ServerRole::Follower if term > self.disk.term => {
                self.follow(cx, from, term, self.disk.history.clone());
            }
            ServerRole::Follower | ServerRole::Leader => {
                // Someone else claims to lead: tell them who we follow (they may demote).
                if let Some(leader) = self.disk.leader.filter(|_| term < self.disk.term) {
                    cx.send(
                        from,
                        Msg::LeaderIs {
                            leader,
                            term: self.disk.term,
                        },
                    );
                }
            }
            ServerRole::Spare => {}
        }
    }

    fn on_rewind(&mut self, cx: &mut Cx, from: NodeId, common: u64, term: u32, snapshot: bool) {
        if Some(from) != self.disk.leader || self.disk.role != ServerRole::Follower {
            return;
        }
        let own_last = self.disk.last_index();
        if common < own_last {
            cx.write_durable(DiskWrite::Truncate { after: common }.into());
        }
        self.mem.written.clear();
        if snapshot || self.disk.applied > common || common < self.disk.base {
            // Pages already hold the discarded changes: start over from a base backup.
            cx.note(Note::Info(format!(
                "{}: log diverged after entry {common} (term {term}); re-initialising from a base backup",
                self.name
            )));
            self.mem.stream = Stream::Snapshot { received: 0, of: 0 };
            self.mem.snapshot_in.clear();
            cx.send(from, Msg::SnapshotRequest);
        } else {
            self.mem.stream = Stream::Connecting;
            self.mem.connect_sent_at = cx.now();
            cx.send(
                from,
                Msg::StartStreaming {
                    last_index: common,
                    last_term: self.term_of(common),
                },
            );
        }
    }

    fn term_of(&self, index: u64) -> u32 {
        self.disk
            .entry(index)
            .map_or(self.disk.base_term, |e| e.term)
    }

    // ------------------------------------------------------------------ snapshots

    fn on_snapshot_request(&mut self, cx: &mut Cx, from: NodeId) {
        if self.disk.role != ServerRole::Leader {
            return;
        }
        let chunks = self.take_snapshot();
        let consistent_at = self.disk.last_index();
        cx.note(Note::Info(format!(
            "{}: base backup for {} consistent at entry {consistent_at} ({} chunks)",
            self.name,
            self.directory.name(from),
            chunks.len()
        )));
        self.mem.followers.insert(
            from,
            FollowerProgress {
                sent: consistent_at,
                write: 0,
                flush: 0,
                apply: 0,
                state: FollowerState::Backup,
                stalled: None,
                last_reply: cx.now(),
            },
        );
        self.mem.snapshots_out.insert(
            from,
            OutgoingSnapshot {
                chunks,
                next: 0,
                consistent_at,
            },
        );
        self.send_snapshot_chunk(cx, from);
    }

    /// A consistent copy of the data: every page (WAL) or the schema and every row.
    fn take_snapshot(&self) -> Vec<SnapshotData> {
        let db = &self.disk.db;
        match self.method() {
            Method::Wal => {
                let pages: Vec<WalRecord> = (0..db.page_count())
                    .filter_map(|n| {
                        db.page(n).map(|bytes| WalRecord {
                            lsn: db.wal_end(),
                            change: PageChange::FullPage {
                                page: n,
                                image: bytes.to_vec(),
                            },
                        })
                    })
                    .collect();
                pages
                    .chunks(SNAPSHOT_CHUNK)
                    .map(|records| {
                        SnapshotData::Pages(PageChanges {
                            format: db.format(),
                            start: db.wal_end(),
                            end: db.wal_end(),
                            commit_lsn: db.wal_end(),
                            records: records.to_vec(),
                        })
                    })
                    .collect()
            }
            _ => {
                let mut ddl = Vec::new();
                let mut rows = Vec::new();
                for schema in db.tables() {
                    if schema.name == trigger::CHANGELOG_TABLE {
                        continue;
                    }
                    ddl.push(schema.to_sql());
                    if let Ok(table_rows) = db.rows(&schema.name) {
                        let columns = schema.column_names();
                        let key_column = schema.key_column().name.clone();
                        for row in table_rows {
                            let key = row
                                .get(schema.primary_key)
                                .cloned()
                                .unwrap_or(crate::engine::Value::Null);
                            rows.push(RowChange {
                                table: schema.name.clone(),
                                op: crate::engine::RowOp::Insert,
                                key_column: key_column.clone(),
                                key,
                                columns: columns.clone(),
                                before: None,
                                after: Some(row),
                            });
                        }
                    }
                }
                let mut chunks = vec![SnapshotData::Rows {
                    ddl,
                    rows: Vec::new(),
                }];
                for part in rows.chunks(SNAPSHOT_CHUNK * 3) {
                    chunks.push(SnapshotData::Rows {
                        ddl: Vec::new(),
                        rows: part.to_vec(),
                    });
                }
                chunks
            }
        }
    }

    fn send_snapshot_chunk(&mut self, cx: &mut Cx, to: NodeId) {
        let Some(out) = self.mem.snapshots_out.get_mut(&to) else {
            return;
        };
        let of = out.chunks.len() as u32;
        let Some(data) = out.chunks.get(out.next as usize).cloned() else {
            self.mem.snapshots_out.remove(&to);
            return;
        };
        let chunk = out.next;
        out.next += 1;
        let consistent_at = out.consistent_at;
        cx.send(
            to,
            Msg::SnapshotChunk {
                chunk,
                chunks: of,
                data,
                consistent_at,
                term: self.disk.term,
                history: self.disk.history.clone(),
            },
        );
        if chunk + 1 < of {
            let per_chunk = Time::micros(
                self.config.timings.snapshot_per_page.as_micros() * SNAPSHOT_CHUNK as u64,
            );
            cx.set_timer(Timer::SnapshotSend(to), per_chunk);
        } else {
            self.mem.snapshots_out.remove(&to);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_snapshot_chunk(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        chunk: u32,
        chunks: u32,
        data: SnapshotData,
        consistent_at: u64,
        term: u32,
        history: TermHistory,
    ) {
        if !matches!(self.mem.stream, Stream::Snapshot { .. }) {
            return;
        }
        if chunk as usize != self.mem.snapshot_in.len() {
            return;
        }
        self.mem.snapshot_in.push(data);
        self.mem.stream = Stream::Snapshot {
            received: chunk + 1,
            of: chunks,
        };
        if chunk + 1 < chunks {
            return;
        }
        // The whole backup is here: install it, then ask for the backlog. Page chunks are
        // one base backup: replayed together, since a catalog may point at a later page.
        let mut parts: Vec<SnapshotData> = Vec::new();
        for part in std::mem::take(&mut self.mem.snapshot_in) {
            match (parts.last_mut(), part) {
                (Some(SnapshotData::Pages(all)), SnapshotData::Pages(more)) => {
                    all.records.extend(more.records);
                    all.end = all.end.max(more.end);
                }
                (_, part) => parts.push(part),
            }
        }
        let mut db = Database::new(self.spec.format);
        let mut error = None;
        let now_micros = self.clock(cx.now());
        let carries_ddl = self.method().carries_ddl();
        for part in parts {
            let result = match part {
                SnapshotData::Pages(pages) => {
                    if pages.format != self.spec.format {
                        let (theirs, ours) = (pages.format.number(), self.spec.format.number());
                        Err(format!(
                            "FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version {theirs}, which is not compatible with this version {ours}."
                        ))
                    } else {
                        db.apply(&pages).map_err(|e| format!("FATAL:  {e}"))
                    }
                }
                SnapshotData::Rows { ddl, rows } => {
                    let mut env = NodeEnv {
                        now_micros,
                        rng: &mut self.rng,
                    };
                    let schema_sql = match (&self.spec.schema, carries_ddl) {
                        (Some(own), false) if !ddl.is_empty() => own.clone(),
                        _ => ddl,
                    };
                    let mut result = Ok(());
                    for sql in schema_sql {
                        if let Err(e) = db.run(&sql, &mut env) {
                            result = Err(format!("ERROR:  {e}"));
                        }
                    }
                    if result.is_ok() && !rows.is_empty() {
                        result = db
                            .apply_row_changes(&rows)
                            .map(|_| ())
                            .map_err(|e| format!("ERROR:  {e}"));
                    }
                    result
                }
            };
            if let Err(e) = result {
                error = Some(e);
                break;
            }
        }
        if let Some(error) = error {
            cx.note(Note::StreamRefused {
                node: self.name.clone(),
                error: error.clone(),
            });
            self.mem.stream = Stream::Refused(error);
            return;
        }
        self.disk.db = db;
        let base_end = match self.method() {
            Method::Statement { .. } => BINLOG_START,
            _ => self.disk.db.wal_end().0,
        };
        cx.note(Note::Info(format!(
            "{}: base backup installed at entry {consistent_at}; streaming the backlog",
            self.name
        )));
        cx.write_durable(
            DiskWrite::Reset {
                base: consistent_at,
                base_term: term,
                base_end,
            }
            .into(),
        );
        cx.write_durable(
            DiskWrite::Role {
                role: ServerRole::Follower,
                term,
                leader: Some(from),
                history,
            }
            .into(),
        );
        self.mem.stream = Stream::Connecting;
        self.mem.connect_sent_at = cx.now();
        cx.send(
            from,
            Msg::StartStreaming {
                last_index: consistent_at,
                last_term: term,
            },
        );
        self.arm_leader_silence(cx);
    }

    // ------------------------------------------------------------------ failover

    fn arm_leader_silence(&mut self, cx: &mut Cx) {
        if let (Some(timeout), ServerRole::Follower) =
            (self.config.failover.timeout, self.disk.role)
        {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }

    fn on_leader_silent(&mut self, cx: &mut Cx) {
        if self.disk.role != ServerRole::Follower || matches!(self.mem.stream, Stream::Refused(_)) {
            return;
        }
        cx.note(Note::LeaderSilent {
            node: self.name.clone(),
        });
        let mut votes = BTreeMap::new();
        votes.insert(cx.me(), (self.disk.last_term(), self.disk.last_index()));
        self.mem.election = Some(votes);
        for peer in self.directory.other_servers(cx.me()) {
            if Some(peer) != self.disk.leader {
                cx.send(
                    peer,
                    Msg::ElectionQuery {
                        term: self.disk.term + 1,
                    },
                );
            }
        }
        cx.set_timer(Timer::ElectionDone, ELECTION_WINDOW);
    }

    fn on_election_query(&mut self, cx: &mut Cx, from: NodeId) {
        match self.disk.role {
            ServerRole::Leader if self.mem.accepting_writes => cx.send(
                from,
                Msg::LeaderIs {
                    leader: cx.me(),
                    term: self.disk.term,
                },
            ),
            ServerRole::Follower => cx.send(
                from,
                Msg::ElectionInfo {
                    term: self.disk.term,
                    last_term: self.disk.last_term(),
                    last_index: self.disk.last_index(),
                },
            ),
            _ => {}
        }
    }

    fn on_election_done(&mut self, cx: &mut Cx) {
        let Some(votes) = self.mem.election.take() else {
            return;
        };
        if self.disk.role != ServerRole::Follower {
            return;
        }
        // The most up-to-date follower wins; ties go to the first in the configuration.
        let best = votes
            .iter()
            .max_by(|(a_id, a), (b_id, b)| a.cmp(b).then(b_id.cmp(a_id)))
            .map(|(id, _)| *id);
        if best == Some(cx.me()) {
            self.promote(cx);
        } else {
            // Wait for the winner's announcement; if none comes, try again.
            self.arm_leader_silence(cx);
        }
    }

    /// Becomes the leader of a new term.
    fn promote(&mut self, cx: &mut Cx) {
        // Replay everything flushed first, as a promoted standby does.
        self.mem.stalled = None;
        self.apply_flushed(cx);
        let new_term = self.disk.term + 1;
        let mut history = self.disk.history.clone();
        history.ended.push((self.disk.term, self.disk.last_index()));
        cx.write_durable(
            DiskWrite::Role {
                role: ServerRole::Leader,
                term: new_term,
                leader: Some(cx.me()),
                history,
            }
            .into(),
        );
        cx.note(Note::Promoted {
            node: self.name.clone(),
            term: new_term,
            last_index: self.disk.last_index(),
        });
        self.mem = Memory {
            accepting_writes: true,
            last_heard_follower: cx.now(),
            ..Memory::default()
        };
        for peer in self.directory.everyone_but(cx.me()) {
            cx.send(
                peer,
                Msg::NewLeader {
                    leader: cx.me(),
                    term: new_term,
                },
            );
        }
        cx.cancel_timer(Timer::LeaderSilent);
        cx.set_timer(Timer::Keepalive, Time::micros(1));
        cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
    }

    fn on_leader_is(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        if leader == cx.me() {
            return;
        }
        let newer = term > self.disk.term;
        let electing = self.mem.election.is_some() && term >= self.disk.term;
        let asking = self.disk.role == ServerRole::Leader
            && !self.mem.accepting_writes
            && term >= self.disk.term;
        if self.disk.role == ServerRole::Leader && self.mem.accepting_writes && !self.mem.rejoining
        {
            // An unfenced leader ignores the news: that is split brain.
            if newer && self.config.failover.fencing {
                self.demote_and_follow(cx, leader, term);
            }
            return;
        }
        if newer || electing || asking || self.mem.rejoining {
            self.mem.election = None;
            if self.disk.role == ServerRole::Leader {
                self.demote_and_follow(cx, leader, term);
            } else if self.disk.role == ServerRole::Follower
                && (self.disk.leader != Some(leader) || newer)
            {
                self.follow(cx, leader, term, self.disk.history.clone());
            }
        }
    }

    fn demote_and_follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        cx.note(Note::Demoted {
            node: self.name.clone(),
            new_leader: self.directory.name(leader).to_string(),
        });
        // Answer what was waiting with an error: the client cannot know whether it survives.
        for pending in std::mem::take(&mut self.mem.waiting) {
            cx.send(
                pending.client,
                Msg::QueryResult {
                    request: pending.request,
                    outcome: Err(
                        "WARNING:  canceling wait for synchronous replication due to demotion\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby.".into(),
                    ),
                },
            );
        }
        self.mem = Memory::default();
        cx.cancel_timer(Timer::Keepalive);
        cx.cancel_timer(Timer::Checkpoint);
        self.follow(cx, leader, term, self.disk.history.clone());
    }

    /// Follows `leader` in `term`: records it and asks to stream from the last flushed entry.
    fn follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32, history: TermHistory) {
        cx.write_durable(
            DiskWrite::Role {
                role: ServerRole::Follower,
                term: term.max(self.disk.term),
                leader: Some(leader),
                history,
            }
            .into(),
        );
        self.mem.stream = Stream::Connecting;
        self.mem.connect_sent_at = cx.now();
        self.mem.written.clear();
        self.mem.rejoining = false;
        self.mem.last_from_leader = cx.now();
        cx.send(
            leader,
            Msg::StartStreaming {
                last_index: self.disk.last_index(),
                last_term: self.disk.last_term(),
            },
        );
        if let Some(timeout) = self.config.failover.timeout {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }

    // ------------------------------------------------------------------ trigger-based

    fn on_poll_changelog(&mut self, cx: &mut Cx, from: NodeId, after_seq: i64) {
        if self.disk.role != ServerRole::Leader {
            return;
        }
        let rows = trigger::read_changelog(&self.disk.db, after_seq);
        let schemas = self
            .config
            .replicated_tables
            .iter()
            .filter_map(|t| self.disk.db.schema(t).cloned())
            .collect();
        cx.send(from, Msg::ChangelogRows { rows, schemas });
    }

    fn on_apply_changes(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        through_seq: i64,
        changes: Vec<RowChange>,
    ) {
        if self.disk.role != ServerRole::Follower || through_seq <= self.mem.applied_seq {
            cx.send(
                from,
                Msg::ChangesApplied {
                    through_seq: self.mem.applied_seq.max(through_seq),
                    error: None,
                },
            );
            return;
        }
        let result = self.disk.db.apply_row_changes(&changes);
        let error = result.err().map(|e| format!("ERROR:  {e}"));
        match &error {
            None => {
                self.mem.applied_seq = through_seq;
                cx.note(Note::Applied {
                    node: self.name.clone(),
                    index: through_seq.max(0) as u64,
                });
            }
            Some(e) => cx.note(Note::ApplyFailed {
                node: self.name.clone(),
                index: through_seq.max(0) as u64,
                error: e.clone(),
            }),
        }
        cx.send(
            from,
            Msg::ChangesApplied {
                through_seq: if error.is_none() {
                    through_seq
                } else {
                    self.mem.applied_seq
                },
                error,
            },
        );
    }
}

/// A logical change cut down to MySQL's MINIMAL row image: the key, and for updates only
/// the changed columns.
fn minimal_row_change(change: &RowChange) -> RowChange {
    let minimal = change.minimal();
    let mut columns: Vec<String> = Vec::new();
    let mut values = Vec::new();
    if change.op != crate::engine::RowOp::Delete {
        if !minimal
            .after
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(&change.key_column))
        {
            columns.push(change.key_column.clone());
            values.push(change.key.clone());
        }
        for (c, v) in minimal.after {
            columns.push(c);
            values.push(v);
        }
        // The before image is the key alone (MINIMAL), aligned with the columns shipped.
        let before = (change.op == crate::engine::RowOp::Update).then(|| {
            columns
                .iter()
                .map(|c| {
                    if c.eq_ignore_ascii_case(&change.key_column) {
                        change.key.clone()
                    } else {
                        crate::engine::Value::Null
                    }
                })
                .collect()
        });
        RowChange {
            columns,
            before,
            after: Some(values),
            ..change.clone()
        }
    } else {
        RowChange {
            columns: vec![change.key_column.clone()],
            before: Some(vec![change.key.clone()]),
            after: None,
            ..change.clone()
        }
    }
}

/// Whether a statement only reads (and so may run on a follower).
fn is_read_only(sql: &str) -> bool {
    matches!(
        first_keyword(sql).as_str(),
        "SELECT" | "BEGIN" | "START" | "COMMIT" | "ROLLBACK"
    )
}

fn first_keyword(sql: &str) -> String {
    sql.split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// PostgreSQL's command tag: `INSERT 0 1`, `UPDATE 3`, `SELECT 2`...
fn command_tag(report: &StatementReport) -> String {
    let n = report.rows_affected;
    match report.kind {
        StatementKind::CreateTable => "CREATE TABLE".into(),
        StatementKind::Insert => format!("INSERT 0 {n}"),
        StatementKind::Update => format!("UPDATE {n}"),
        StatementKind::Delete => format!("DELETE {n}"),
        StatementKind::Select => format!(
            "SELECT {}",
            report.result.as_ref().map_or(0, |r| r.rows.len())
        ),
        StatementKind::Begin => "BEGIN".into(),
        StatementKind::Commit => "COMMIT".into(),
        StatementKind::Rollback => "ROLLBACK".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_statements_are_recognised_by_their_first_keyword() {
        assert!(is_read_only("  select * from t"));
        assert!(is_read_only("SELECT 1"));
        assert!(!is_read_only("INSERT INTO t VALUES (1)"));
        assert!(!is_read_only("update t set a = 1"));
        assert_eq!(first_keyword("(delete"), "DELETE");
        assert_eq!(first_keyword(""), "");
    }
}
