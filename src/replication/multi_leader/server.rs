//! The multi-leader server: every server takes writes. A local commit becomes a [`Change`]
//! in its log, named by a dot and carrying what it depended on; the log is shipped to the
//! leaders the topology names (forwarded on in a ring or a star); a change from another
//! leader is applied unless it passed this leader already (loop prevention), held while it
//! waits for what it depends on, and checked against the row's versions: a concurrent one is
//! a conflict, which the configured [`Resolver`] settles the same way on every leader.
//!
//! Shipping: each leader sends a peer what it has not sent, a batch at a time (the next on
//! each acknowledgement or commit), and after `RESEND_EVERY` without an acknowledgement's
//! progress resends from the peer's last acknowledgement (a cut link or a crash loses
//! messages); a receiver takes a batch only if it follows on from what it has of that kind
//! of stream — a peer's whole log (a ring, a star) or only its own changes (all-to-all) —
//! and skips, by dot, a change that reached it by another path.
//!
//! Knows nothing of the UI.

use crate::engine::{MissingRow, RowChange, RowOp, StatementReport, Value};
use crate::replication::messages::{ClientMsg, Msg, QueryOk, Request};
use crate::replication::node::{Note, Timer};
use crate::replication::server::{Cx, Server};
use crate::sim::{InputId, NodeId, Time};

use super::config::{MultiLeaderConfig, Topology};
use super::messages::{Change, Logged, MultiLeaderMsg};
use super::resolve::{resolve, Resolved};
use super::state::{Conflict, ConflictKind, Resolution};
use super::version::{Dot, RowVersion, VersionVector};

/// How often a leader resends what a peer has not acknowledged.
const RESEND_EVERY: Time = Time::millis(400);
/// The most changes in one message.
const BATCH: usize = 32;

/// A leader's MySQL `server_id`: its place among the servers, from 1.
pub fn server_id(node: NodeId) -> u32 {
    node.0 + 1
}

impl Server {
    /// Whether this server belongs to a multi-leader cluster.
    pub fn is_multi_leader(&self) -> bool {
        self.config.multi_leader.is_some()
    }

    fn ml_config(&self) -> MultiLeaderConfig {
        self.config.multi_leader.unwrap_or_default()
    }

    /// The topology this leader sends by now.
    pub fn topology(&self) -> Topology {
        self.disk
            .multi
            .topology
            .unwrap_or_else(|| self.ml_config().topology)
    }

    /// The leaders this one sends to.
    pub fn downstream(&self, me: NodeId) -> Vec<NodeId> {
        let leaders = self.directory.servers.len();
        self.topology()
            .downstream(me.0 as usize, leaders)
            .into_iter()
            .map(|i| self.directory.servers[i].0)
            .collect()
    }

    // ------------------------------------------------------------------ lifecycle

    pub(crate) fn ml_start(&mut self, cx: &mut Cx) {
        if let Some(leader) = self.mem.role.leader_mut() {
            leader.accepting_writes = true;
        }
        cx.set_timer(Timer::MultiResend, RESEND_EVERY);
        self.ml_ship(cx);
    }

    pub(crate) fn ml_on_request(&mut self, cx: &mut Cx, _request: InputId, req: Request) {
        if let Request::SetTopology(topology) = req {
            if self.topology() == topology {
                return;
            }
            self.disk.multi.topology = Some(topology);
            // New peers start from the beginning of the log; receivers drop what they have.
            self.mem.multi.sent.clear();
            self.mem.multi.acked.clear();
            self.mem.multi.scanned.clear();
            cx.note(Note::TopologyChanged {
                node: self.name.clone(),
                topology,
            });
            self.ml_ship(cx);
        }
    }

    pub(crate) fn ml_on_timer(&mut self, cx: &mut Cx) {
        let now = cx.now();
        for peer in self.downstream(cx.me()) {
            let acked = self.mem.multi.acked.get(&peer).copied().unwrap_or(0);
            let sent = self.mem.multi.sent.get(&peer).copied().unwrap_or(acked);
            let since = self
                .mem
                .multi
                .waiting_since
                .get(&peer)
                .copied()
                .unwrap_or(Time::ZERO);
            // No acknowledgement for a while of something sent: it was lost (a cut link, a
            // crash) or refused (it did not follow on); send again from the last ack. Judged
            // by the acks' progress, not by the last send, so steady writes cannot hide a gap.
            if acked < sent && now.saturating_sub(since) >= RESEND_EVERY {
                self.mem.multi.sent.insert(peer, acked);
                // What was scanned past lies beyond own changes now to be sent again.
                self.mem.multi.scanned.remove(&peer);
            }
        }
        self.ml_ship(cx);
        cx.set_timer(Timer::MultiResend, RESEND_EVERY);
    }

    // ------------------------------------------------------------------ shipping

    /// Sends every downstream peer the part of the log it has not been sent (one batch; the
    /// next goes when this one is acknowledged, or with the next commit).
    fn ml_ship(&mut self, cx: &mut Cx) {
        let me = cx.me();
        let end = self.disk.multi.end();
        let own_only = !self.topology().forwards();
        for peer in self.downstream(me) {
            let acked = self.mem.multi.acked.get(&peer).copied().unwrap_or(0);
            let from = self.mem.multi.sent.get(&peer).copied().unwrap_or(acked);
            if from >= end {
                continue;
            }
            let mut entries = Vec::new();
            let mut upto = from;
            if own_only {
                // Only this leader's own changes go: scan past what it applied from others
                // (each stretch once: `scanned` remembers where a scan found none), and say
                // nothing when there is nothing of its own to send.
                let scanned = self.mem.multi.scanned.get(&peer).copied().unwrap_or(0);
                upto = from.max(scanned);
                for logged in self.disk.multi.log.iter_from(upto as usize) {
                    if entries.len() == BATCH {
                        break;
                    }
                    upto = logged.pos;
                    if logged.change.origin == me {
                        entries.push(logged.clone());
                    }
                }
                if entries.is_empty() {
                    self.mem.multi.scanned.insert(peer, upto);
                    continue;
                }
            } else {
                for logged in self.disk.multi.log.iter_from(from as usize).take(BATCH) {
                    upto = logged.pos;
                    entries.push(logged.clone());
                }
            }
            if from <= acked {
                // Nothing was outstanding: the wait for an acknowledgement starts now.
                self.mem.multi.waiting_since.insert(peer, cx.now());
            }
            self.mem.multi.sent.insert(peer, upto);
            cx.send(
                peer,
                Msg::MultiLeader(MultiLeaderMsg::Changes {
                    from,
                    upto,
                    entries,
                    own_only,
                }),
            );
        }
    }

    pub(crate) fn ml_on_message(&mut self, cx: &mut Cx, from: NodeId, msg: MultiLeaderMsg) {
        match msg {
            MultiLeaderMsg::Changes {
                from: start,
                upto,
                entries,
                own_only,
            } => {
                let upto = self.ml_take(cx, from, start, upto, entries, own_only);
                cx.send(
                    from,
                    Msg::MultiLeader(MultiLeaderMsg::Ack { upto, own_only }),
                );
            }
            MultiLeaderMsg::Ack { upto, own_only } => {
                if own_only == self.topology().forwards() {
                    // An ack of the stream this leader sent before its topology changed.
                    return;
                }
                let acked = self.mem.multi.acked.get(&from).copied().unwrap_or(0);
                if upto <= acked {
                    return;
                }
                self.mem.multi.acked.insert(from, upto);
                self.mem.multi.waiting_since.insert(from, cx.now());
                let sent = self.mem.multi.sent.get(&from).copied().unwrap_or(0);
                self.mem.multi.sent.insert(from, sent.max(upto));
                self.ml_ship(cx);
            }
        }
    }

    /// Takes a batch of `peer`'s log if it follows on from what this leader has of that
    /// kind of stream; returns how far it has the stream now (what it acknowledges).
    fn ml_take(
        &mut self,
        cx: &mut Cx,
        peer: NodeId,
        start: u64,
        upto: u64,
        entries: Vec<Logged>,
        own_only: bool,
    ) -> u64 {
        let whole = self.disk.multi.received.get(&peer).copied().unwrap_or(0);
        let own = self
            .disk
            .multi
            .received_own
            .get(&peer)
            .copied()
            .unwrap_or(0);
        let mut have = if own_only { whole.max(own) } else { whole };
        if start > have {
            return have;
        }
        let mut took = false;
        for logged in entries {
            if logged.pos <= have {
                continue;
            }
            have = logged.pos;
            took |= self.ml_receive(cx, logged.change);
        }
        have = have.max(upto);
        if own_only {
            self.disk.multi.received_own.insert(peer, have);
        } else {
            self.disk.multi.received.insert(peer, have);
            if have > own {
                self.disk.multi.received_own.insert(peer, have);
            }
        }
        if took {
            self.ml_ship(cx);
        }
        have
    }

    // ------------------------------------------------------------------ receiving

    /// Whether `change` may be applied now: the origin's earlier commits are here, and with
    /// version vectors everything it depended on.
    fn ready(&self, change: &Change) -> bool {
        let applied = &self.disk.multi.applied;
        if applied.get(change.dot.server_id) + 1 != change.dot.seq {
            return false;
        }
        !self.ml_config().version_vectors || applied.dominates(&change.deps)
    }

    /// Takes one change from another leader: dropped if it passed here already (loop
    /// prevention) or is here already (it came by two paths), held if it must wait, else
    /// applied, with every held change that can follow it. Whether anything was applied.
    fn ml_receive(&mut self, cx: &mut Cx, change: Change) -> bool {
        let me = server_id(cx.me());
        if change.path.contains(&me) {
            cx.note(Note::ChangeDropped {
                node: self.name.clone(),
                origin: self.directory.name(change.origin).to_string(),
                seq: change.dot.seq,
                own: change.origin == cx.me(),
            });
            return false;
        }
        if self.disk.multi.applied.includes(change.dot)
            || self.disk.multi.held.iter().any(|h| h.dot == change.dot)
        {
            // It came by another path too (after a change of topology).
            return false;
        }
        if !self.ready(&change) {
            let waits_for = self.missing_dependency(&change);
            cx.note(Note::ChangeHeld {
                node: self.name.clone(),
                origin: self.directory.name(change.origin).to_string(),
                seq: change.dot.seq,
                waits_for,
            });
            self.disk.multi.held.push(change);
            return false;
        }
        self.ml_apply(cx, change);
        // Held changes whose dependencies are now here, in the order they arrived.
        while let Some(at) = self.disk.multi.held.iter().position(|c| self.ready(c)) {
            let change = self.disk.multi.held.remove(at);
            self.ml_apply(cx, change);
        }
        true
    }

    /// The first change `change` waits for, as `origin #seq`.
    fn missing_dependency(&self, change: &Change) -> String {
        let applied = &self.disk.multi.applied;
        let origin_next = applied.get(change.dot.server_id) + 1;
        if origin_next < change.dot.seq {
            return self.dot_name(Dot {
                server_id: change.dot.server_id,
                seq: origin_next,
            });
        }
        change
            .deps
            .0
            .iter()
            .find(|(id, seq)| applied.get(**id) < **seq)
            .map(|(id, _)| {
                self.dot_name(Dot {
                    server_id: *id,
                    seq: applied.get(*id) + 1,
                })
            })
            .unwrap_or_default()
    }

    /// `leader-a #3`.
    pub fn dot_name(&self, dot: Dot) -> String {
        let name = self
            .directory
            .servers
            .get(dot.server_id.saturating_sub(1) as usize)
            .map_or("?", |(_, n)| n.as_str());
        format!("{name} #{}", dot.seq)
    }

    /// Applies a change from another leader: each row against its versions here, conflicts
    /// resolved, the rows written as one local transaction, the change logged (with this
    /// leader added to its path) and its origin's progress recorded, all at once. The row
    /// versions and conflicts are kept only if the engine takes the rows: a change the
    /// engine refuses leaves the rows and their versions as they were (and is noted).
    fn ml_apply(&mut self, cx: &mut Cx, change: Change) {
        let resolver = self.ml_config().resolver;
        let now = cx.now();
        let me = cx.me();
        let mut writes = Vec::new();
        let mut versions = Vec::new();
        let mut conflicts = Vec::new();
        for (row, version) in &change.rows {
            let key = (row.table.clone(), row.key.clone());
            let local = self
                .disk
                .multi
                .versions
                .get(&key)
                .cloned()
                .unwrap_or_default();
            if local.iter().any(|l| l.supersedes(version)) {
                continue;
            }
            let concurrent: Vec<RowVersion> = local
                .iter()
                .filter(|l| !version.supersedes(l))
                .cloned()
                .collect();
            let current = self.disk.db.row(&row.table, &row.key);
            if concurrent.is_empty() && current.is_none() && row.op != RowOp::Insert {
                let kind = if row.op == RowOp::Delete {
                    ConflictKind::DeleteMissing
                } else {
                    ConflictKind::UpdateMissing
                };
                // PostgreSQL skips it: the write is lost (a DELETE too: the row it meant to
                // remove has not arrived yet, and will stay when it does).
                conflicts.push((
                    kind,
                    row.clone(),
                    Vec::new(),
                    version.clone(),
                    Resolution::Skipped,
                    vec![version.dot],
                ));
                continue;
            }
            if concurrent.is_empty() {
                versions.push((key, vec![version.clone()]));
                writes.extend(engine_write(row, current, version.image.clone()));
                continue;
            }
            let kind = match row.op {
                RowOp::Insert => ConflictKind::InsertExists,
                RowOp::Update => ConflictKind::UpdateOriginDiffers,
                RowOp::Delete => ConflictKind::DeleteOriginDiffers,
            };
            let mut all = concurrent.clone();
            all.push(version.clone());
            let Resolved {
                image,
                resolution,
                lost,
            } = resolve(resolver, &all, version.dot);
            versions.push((key, all));
            writes.extend(engine_write(row, current, image));
            conflicts.push((
                kind,
                row.clone(),
                concurrent,
                version.clone(),
                resolution,
                lost,
            ));
        }
        match self
            .disk
            .db
            .apply_row_changes_with(&writes, MissingRow::Skip)
        {
            Ok(_) => {
                for (key, kept) in versions {
                    self.disk.multi.versions.insert(key, kept);
                }
                for (kind, row, local, remote, resolution, lost) in conflicts {
                    self.record_conflict(cx, kind, &row, local, &remote, resolution, lost);
                }
            }
            Err(e) => cx.note(Note::ApplyFailed {
                node: self.name.clone(),
                index: change.dot.seq,
                error: e.message.clone(),
            }),
        }
        let dot = change.dot;
        let mut applied = self.disk.multi.applied.get(dot.server_id);
        applied = applied.max(dot.seq);
        self.disk.multi.applied.set(dot.server_id, applied);
        let mut change = change;
        change.path.push(server_id(me));
        let pos = self.disk.multi.end() + 1;
        cx.note(Note::ChangeApplied {
            node: self.name.clone(),
            origin: self.directory.name(change.origin).to_string(),
            seq: dot.seq,
            at: now.as_micros(),
        });
        self.disk.multi.log.push(Logged { pos, change });
    }

    #[allow(clippy::too_many_arguments)]
    fn record_conflict(
        &mut self,
        cx: &mut Cx,
        kind: ConflictKind,
        row: &RowChange,
        local: Vec<RowVersion>,
        remote: &RowVersion,
        resolution: Resolution,
        lost: Vec<Dot>,
    ) {
        cx.note(Note::Conflict {
            node: self.name.clone(),
            kind: kind.name(),
            table: row.table.clone(),
            key: row.key.to_string(),
            lost: lost.len() as u64,
        });
        for dot in &lost {
            self.disk.multi.lost.push(*dot);
        }
        self.disk.multi.conflicts.push(Conflict {
            at: cx.now(),
            node: cx.me(),
            kind,
            table: row.table.clone(),
            key: row.key.clone(),
            local,
            remote: remote.clone(),
            resolution,
            lost,
        });
    }

    // ------------------------------------------------------------------ local commits

    /// After a client's statement: a commit is named, versioned, logged and shipped; the
    /// answer goes back at once (replication between leaders is asynchronous).
    pub(crate) fn ml_on_statement_done(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
        report: StatementReport,
        mut reply: QueryOk,
    ) {
        if let Some(commit) = report.commit.filter(|c| !c.row_changes.is_empty()) {
            let me = cx.me();
            let sid = server_id(me);
            let seq = self.disk.multi.own_seq + 1;
            let dot = Dot {
                server_id: sid,
                seq,
            };
            let commit_ts = self.clock(cx.now());
            let deps = self.disk.multi.applied.clone();
            let mut rows = Vec::new();
            for row in &one_per_row(&commit.row_changes) {
                let key = (row.table.clone(), row.key.clone());
                let mut seen = VersionVector::default();
                for v in self.disk.multi.versions.get(&key).into_iter().flatten() {
                    seen.join(&v.seen);
                }
                seen.set(sid, seq);
                let version = RowVersion {
                    dot,
                    seen,
                    commit_ts,
                    columns: row.columns.clone(),
                    image: row.after.clone(),
                };
                self.disk.multi.versions.insert(key, vec![version.clone()]);
                rows.push((row.clone(), version));
            }
            self.disk.multi.own_seq = seq;
            self.disk.multi.applied.set(sid, seq);
            let xid = self.disk.next_xid;
            self.disk.next_xid += 1;
            let pos = self.disk.multi.end() + 1;
            self.disk.multi.log.push(Logged {
                pos,
                change: Change {
                    dot,
                    origin: me,
                    path: vec![sid],
                    commit_ts,
                    deps,
                    xid,
                    rows,
                },
            });
            cx.note(Note::Committed {
                node: self.name.clone(),
                term: 1,
                index: pos,
                xid,
                rows: commit.row_changes.len() as u64,
            });
            reply.row_changes = commit.row_changes;
            reply.committed = Some((1, pos));
            self.ml_ship(cx);
        }
        cx.send(
            client,
            Msg::Client(ClientMsg::QueryResult {
                request,
                outcome: Ok(reply.into()),
            }),
        );
    }
}

/// The row change that makes this leader's row (`current`, if it has one) become `image`
/// (`None`: deleted), in `row`'s table and columns.
fn engine_write(
    row: &RowChange,
    current: Option<Vec<Value>>,
    image: Option<Vec<Value>>,
) -> Option<RowChange> {
    let op = match (&current, &image) {
        (None, None) => return None,
        (None, Some(_)) => RowOp::Insert,
        (Some(_), Some(_)) => RowOp::Update,
        (Some(_), None) => RowOp::Delete,
    };
    Some(RowChange {
        table: row.table.clone(),
        op,
        key_column: row.key_column.clone(),
        key: row.key.clone(),
        columns: row.columns.clone(),
        before: current,
        after: image,
    })
}

/// A transaction's row changes with one per row: a row changed twice (inserted then updated,
/// updated twice) travels as one change from its first image to its last, as the version
/// it made is one; a row inserted and deleted again travels not at all.
fn one_per_row(changes: &[RowChange]) -> Vec<RowChange> {
    let mut rows: Vec<RowChange> = Vec::new();
    for change in changes {
        match rows
            .iter_mut()
            .find(|r| r.table == change.table && r.key == change.key)
        {
            Some(row) => {
                row.after = change.after.clone();
                row.columns = change.columns.clone();
            }
            None => rows.push(change.clone()),
        }
    }
    rows.retain_mut(|row| {
        row.op = match (&row.before, &row.after) {
            (None, None) => return false,
            (None, Some(_)) => RowOp::Insert,
            (Some(_), Some(_)) => RowOp::Update,
            (Some(_), None) => RowOp::Delete,
        };
        true
    });
    rows
}
