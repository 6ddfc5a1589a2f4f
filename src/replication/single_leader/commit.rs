//! What a commit does under single-leader replication: the leader logs it in the shape of
//! the method, ships it to the followers streaming in step, and answers the client when the
//! acknowledgement policy is met (PostgreSQL's `synchronous_commit` and
//! `synchronous_standby_names`, MySQL's semi-sync with its timeout); a cancelled wait
//! returns with PostgreSQL's warning. A commit held for its standby stays invisible to
//! other sessions (and keeps its row locks) until the wait ends.
//!
//! Knows nothing of the UI.

use crate::engine::StatementReport;
use crate::replication::config::{AckPolicy, AckStage, StandbySet};
use crate::replication::log::{LogEntry, LogEntryData, BINLOG_FILE};
use crate::replication::messages::{ClientMsg, Msg, QueryOk, SingleLeaderMsg};
use crate::replication::method;
use crate::replication::node::{Note, Timer};
use crate::replication::server::*;
use crate::sim::{InputId, NodeId};

impl Server {
    /// After a statement ran: a commit on the leader is logged, shipped and answered when
    /// acknowledged; anything else is answered now.
    pub(crate) fn on_statement_done(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
        report: StatementReport,
        mut reply: QueryOk,
    ) {
        let entry = match (&report.commit, self.disk.family.role) {
            (Some(commit), ServerRole::Leader) => {
                reply.row_changes = commit.row_changes.clone();
                self.log_commit(cx, client, commit)
            }
            _ => None,
        };
        let Some(entry) = entry else {
            if self.method().captures_in_database()
                && report.commit.is_some()
                && self.disk.family.role == ServerRole::Leader
            {
                // No acknowledgement level reaches a trigger-replicated follower. A write on a
                // subscriber is an ordinary local commit: it replicates nowhere.
                reply.waited_for = Some(method::trigger::NO_WAIT.into());
            }
            cx.send(
                client,
                Msg::Client(ClientMsg::QueryResult {
                    request,
                    outcome: Ok(reply.into()),
                }),
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
        if let Some(leader) = self.mem.role.leader_mut() {
            leader.commit_times.insert(entry.index, cx.now());
        }
        let index = entry.index;
        // The leader's pages already hold the commit: its replay position is the entry.
        self.disk.applied = index;
        cx.write_durable(DiskWrite::Append(vec![entry.clone()]).into());
        self.ship(cx, &entry);
        let mut pending = PendingCommit {
            client,
            request,
            index,
            since: cx.now(),
            reply,
            query: report.sql.clone(),
            hidden: None,
        };
        let ack = self.disk.ack.clone();
        match &ack {
            AckPolicy::Sync { timeout, .. }
                if !(self.mem.role.semi_sync_off() && timeout.is_some()) =>
            {
                if let Some(timeout) = timeout {
                    cx.set_timer(Timer::AckTimeout(index), *timeout);
                }
                cx.note(Note::WaitingForAck {
                    node: self.name.clone(),
                    index,
                    policy: ack.clone(),
                });
                // PostgreSQL's SyncRep wait and MySQL's AFTER_SYNC come before the commit is
                // visible: other sessions see the rows as they were, and its row locks stay.
                pending.hidden = self.disk.db.hide_last_commit();
                if let Some(leader) = self.mem.role.leader_mut() {
                    leader.waiting.push(pending);
                }
                self.release_acknowledged(cx, None);
            }
            _ => self.answer(cx, pending, None),
        }
    }

    /// A client cancelled a statement: a commit held for its acknowledgement has committed
    /// locally already, so it returns — with PostgreSQL's warning that it may not have
    /// reached the standby.
    pub(crate) fn cancel_commit_wait(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
        let Some(at) = self
            .mem
            .role
            .waiting()
            .iter()
            .position(|p| p.client == client && p.request == request)
        else {
            return;
        };
        let Some(mut pending) = self.mem.role.leader_mut().map(|l| l.waiting.remove(at)) else {
            return;
        };
        pending.reply.warning = Some(
            "WARNING:  canceling wait for synchronous replication due to user request\nDETAIL:  The transaction has already committed locally, but might not have been replicated to the standby."
                .into(),
        );
        self.answer(
            cx,
            pending,
            Some("no standby: the wait was cancelled".into()),
        );
        self.wake_parked(cx);
    }

    /// Turns a commit into a log entry in the shape of the method (None if it has nothing to
    /// ship: a read-only commit, DDL under a method that does not carry it, trigger-based).
    pub(crate) fn log_commit(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        commit: &crate::engine::CommitReport,
    ) -> Option<LogEntry> {
        let statements = self
            .mem
            .connections
            .get_mut(&client)
            .map(|c| std::mem::take(&mut c.statements))
            .unwrap_or_default();
        let capture = self
            .method()
            .capture(commit, statements, self.disk.last_end());
        if capture.ddl_dropped {
            cx.note(Note::DdlNotReplicated {
                node: self.name.clone(),
            });
        }
        let (payload, start, end) = capture.shipped?;
        let xid = self.disk.next_xid;
        self.disk.next_xid += 1;
        Some(LogEntry::new(LogEntryData {
            index: self.disk.last_index() + 1,
            term: self.disk.family.term,
            xid,
            committed_at: self.clock(cx.now()),
            start,
            end,
            payload,
        }))
    }

    /// The commits waiting for their acknowledgement, taken out of the leader's memory.
    pub(crate) fn take_waiting(&mut self) -> Vec<PendingCommit> {
        self.mem
            .role
            .leader_mut()
            .map(|leader| std::mem::take(&mut leader.waiting))
            .unwrap_or_default()
    }

    /// Sends a new entry to every follower streaming in step with the log.
    pub(crate) fn ship(&mut self, cx: &mut Cx, entry: &LogEntry) {
        let leader_last = entry.index;
        let Some(leader) = self.mem.role.leader_mut() else {
            return;
        };
        for (&follower, progress) in leader.followers.iter_mut() {
            if progress.state == FollowerState::Streaming && progress.sent + 1 == entry.index {
                progress.sent = entry.index;
                cx.send(
                    follower,
                    Msg::SingleLeader(SingleLeaderMsg::Entries {
                        entries: vec![entry.clone()],
                        leader_last,
                    }),
                );
            }
        }
    }

    /// Answers commits whose acknowledgement policy is now met. `policy` overrides the durable
    /// one when it has just been changed in this handler.
    pub(crate) fn release_acknowledged(&mut self, cx: &mut Cx, policy: Option<&AckPolicy>) {
        let policy = policy.cloned().unwrap_or_else(|| self.disk.ack.clone());
        for pending in self.take_waiting() {
            match self.acknowledged_by(&policy, pending.index) {
                Some(by) => self.answer(cx, pending, Some(by)),
                None => {
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.waiting.push(pending);
                    }
                }
            }
        }
        self.wake_parked(cx);
    }

    /// Whether `index` is acknowledged under `policy`; if so, by whom, in words.
    pub(crate) fn acknowledged_by(&self, policy: &AckPolicy, index: u64) -> Option<String> {
        let AckPolicy::Sync {
            stage,
            standbys,
            timeout,
        } = policy
        else {
            return Some("nothing (asynchronous)".into());
        };
        // Only MySQL's semi-sync (a policy with a timeout) falls back to asynchronous.
        if self.mem.role.semi_sync_off() && timeout.is_some() {
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
            if let Some(p) = self.mem.role.leader().and_then(|l| l.followers.get(&id)) {
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
        // In words (`flush on follower-1`), not the setting: `on` would read "on on follower-1".
        let reached_stage = match stage {
            AckStage::Write => "write",
            AckStage::Flush => "flush",
            AckStage::Apply => "apply",
        };
        Some(format!("{reached_stage} on {}", reached.join(", ")))
    }

    pub(crate) fn answer(&mut self, cx: &mut Cx, mut pending: PendingCommit, by: Option<String>) {
        // The wait is over (acknowledged, timed out, cancelled): the commit becomes visible.
        if let Some(xid) = pending.hidden.take() {
            self.disk.db.reveal(xid);
        }
        pending.reply.waited_for = Some(by.unwrap_or_else(|| "nothing (asynchronous)".into()));
        if let Some(connection) = self.mem.connections.get_mut(&pending.client) {
            connection.last_at = cx.now();
        }
        cx.note(Note::Acknowledged {
            node: self.name.clone(),
            index: pending.index,
            waited: cx.now().saturating_sub(pending.since).as_micros(),
        });
        cx.send(
            pending.client,
            Msg::Client(ClientMsg::QueryResult {
                request: pending.request,
                outcome: Ok(pending.reply.into()),
            }),
        );
    }

    pub(crate) fn on_ack_timeout(&mut self, cx: &mut Cx, index: u64) {
        if !self.mem.role.waiting().iter().any(|p| p.index <= index) {
            return;
        }
        if let Some(leader) = self.mem.role.leader_mut() {
            leader.semi_sync_off = true;
        }
        // MySQL's error log names the commit that timed out and how far replicas had
        // acknowledged (`semi-sync up to file …, position …`).
        let timed_out = self
            .mem
            .role
            .waiting()
            .iter()
            .map(|p| p.index)
            .filter(|i| *i <= index)
            .max()
            .unwrap_or(index);
        let acked = self
            .mem
            .role
            .leader()
            .and_then(|l| l.followers.values().map(|p| p.flush).max())
            .unwrap_or(self.disk.base)
            .min(self.disk.last_index());
        cx.note(Note::SemiSyncOff {
            node: self.name.clone(),
            file: BINLOG_FILE.into(),
            pos: self.disk.end_of(timed_out),
            acked_file: BINLOG_FILE.into(),
            acked_pos: self.disk.end_of(acked),
        });
        for pending in self.take_waiting() {
            self.answer(
                cx,
                pending,
                Some("nothing: timed out, semi-sync switched off (falls back to async)".into()),
            );
        }
        self.wake_parked(cx);
    }
}
