//! Running clients' SQL: execution in a session, logging each commit in the shape of the
//! method, shipping it, and answering when the acknowledgement policy is met.
//!
//! Sessions run concurrently with row locks (see `engine::locks`): a statement that must wait
//! for another transaction is parked on its connection and re-run when that transaction ends;
//! a commit held for its synchronous standby stays invisible to other sessions (and keeps its
//! row locks) until the wait ends. `Server::activity` shows both as `pg_stat_activity` does.

use super::*;
use crate::engine::{ErrorKind, Isolation, OnError};

impl Server {
    pub(super) fn on_query(&mut self, cx: &mut Cx, client: NodeId, request: InputId, sql: String) {
        // A connection runs its statements in order: behind a statement waiting for a lock, or
        // a commit waiting for its standby (the backend is busy until the wait ends), a
        // statement waits.
        let behind_commit = self
            .mem
            .waiting
            .iter()
            .find(|p| p.client == client)
            .and_then(|p| p.hidden);
        if let Some(connection) = self.mem.connections.get_mut(&client) {
            if !connection.parked.is_empty() || behind_commit.is_some() {
                let waits_for = if connection.parked.is_empty() {
                    behind_commit
                } else {
                    None
                };
                connection.parked.push_back(Parked {
                    request,
                    sql,
                    since: cx.now(),
                    waits_for,
                });
                return;
            }
        }
        let now = cx.now();
        self.run_statement(cx, client, request, sql, now);
        self.wake_parked(cx);
    }

    /// Why this server refuses to run `sql` now, if it does.
    fn refusal(&self, sql: &str) -> Option<String> {
        if is_read_only(sql) {
            return None;
        }
        self.write_refusal(sql)
    }

    /// Runs a statement and answers it, or parks it on its connection if it must wait for a
    /// row lock (it changed nothing; it runs again when the holder's transaction ends).
    fn run_statement(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
        sql: String,
        since: Time,
    ) {
        if let Some(why) = self.refusal(&sql) {
            cx.send(
                client,
                Msg::QueryResult {
                    request,
                    outcome: Err(why),
                },
            );
            return;
        }
        if let Some(connection) = self.mem.connections.get_mut(&client) {
            connection.blocked = None;
        }
        let outcome = if self.disk.role == ServerRole::Leader && self.method() == Method::Trigger {
            trigger::execute_with_triggers(self, cx.now(), client, &sql)
        } else {
            self.execute(cx.now(), client, &sql)
        };
        let connection = self.mem.connections.entry(client).or_default();
        connection.last_query = sql.clone();
        connection.last_at = cx.now();
        if let Some(holder) = connection.blocked.take() {
            connection.parked.push_front(Parked {
                request,
                sql,
                since,
                waits_for: Some(holder),
            });
            cx.note(Note::LockWait {
                node: self.name.clone(),
                client: self.directory.name(client).to_string(),
                holder,
            });
            // InnoDB gives up after innodb_lock_wait_timeout (counted from when the statement
            // first waited); PostgreSQL waits for as long as it takes (lock_timeout = 0).
            if self.speaks_mysql() {
                let at = since + self.config.timings.innodb_lock_wait_timeout;
                cx.set_timer(
                    Timer::LockWaitTimeout(client, request),
                    at.saturating_sub(cx.now()),
                );
            }
            return;
        }
        self.finish_statement(cx, client, request, outcome);
    }

    /// The first connection whose parked statement can run now (its lock holder's transaction
    /// ended).
    fn ready_parked(&self) -> Option<NodeId> {
        self.mem.connections.iter().find_map(|(&client, c)| {
            let front = c.parked.front()?;
            (!front
                .waits_for
                .is_some_and(|x| self.disk.db.transaction_open(x)))
            .then_some(client)
        })
    }

    /// Schedules the re-run of parked statements that can run now. Each runs in a handler of
    /// its own, at the same virtual time, so each commit is logged after the one before it
    /// is durable.
    pub(super) fn wake_parked(&mut self, cx: &mut Cx) {
        if self.ready_parked().is_some() {
            cx.set_timer(Timer::WakeParked, Time::ZERO);
        }
    }

    /// `Timer::WakeParked`: re-runs one ready parked statement, and schedules the next.
    pub(super) fn on_wake_parked(&mut self, cx: &mut Cx) {
        let Some(client) = self.ready_parked() else {
            return;
        };
        let parked = self
            .mem
            .connections
            .get_mut(&client)
            .and_then(|c| c.parked.pop_front());
        if let Some(p) = parked {
            self.run_statement(cx, client, p.request, p.sql, p.since);
        }
        self.wake_parked(cx);
    }

    /// Drops every client connection (a fenced leader): open transactions roll back and
    /// parked statements are answered with `error`.
    pub fn drop_connections(&mut self, cx: &mut Cx, error: &str) {
        let connections = std::mem::take(&mut self.mem.connections);
        for (client, connection) in connections {
            for parked in connection.parked {
                cx.send(
                    client,
                    Msg::QueryResult {
                        request: parked.request,
                        outcome: Err(error.to_string()),
                    },
                );
            }
        }
        self.disk.db.end_open_transactions();
    }

    /// Whether this server speaks as MySQL (its errors in MySQL's form, REPEATABLE READ): see
    /// [`crate::replication::config::speaks_mysql`].
    pub fn speaks_mysql(&self) -> bool {
        crate::replication::config::speaks_mysql(self.method(), &self.disk.ack)
    }

    /// Every client session as `pg_stat_activity` shows it, in client order; a commit held
    /// for its synchronous standby shows as `IPC` / `SyncRep`, a statement waiting for a row
    /// lock as `Lock` / `transactionid`.
    pub fn activity(&self) -> Vec<Activity> {
        let pid_of = |client: NodeId| {
            self.mem
                .connections
                .get(&client)
                .and_then(|c| c.session.pid())
        };
        // The process whose transaction `xid` is (open, or committed and waiting).
        let holder_pid = |xid: u64| {
            self.mem
                .connections
                .values()
                .find(|c| c.session.xid() == Some(xid))
                .and_then(|c| c.session.pid())
                .or_else(|| {
                    let p = self.mem.waiting.iter().find(|p| p.hidden == Some(xid))?;
                    pid_of(p.client)
                })
        };
        let mut out = Vec::new();
        for (&client, connection) in &self.mem.connections {
            let Some(pid) = connection.session.pid() else {
                continue;
            };
            let mut row = Activity {
                pid,
                client: self.directory.name(client).to_string(),
                state: if connection.session.aborted() {
                    "idle in transaction (aborted)"
                } else if connection.session.in_transaction() {
                    "idle in transaction"
                } else {
                    "idle"
                },
                wait_event_type: None,
                wait_event: None,
                query: connection.last_query.clone(),
                blocking_pids: vec![],
                waiting_since: None,
                state_change: connection.last_at,
                blocking_xid: None,
            };
            if let Some(pending) = self.mem.waiting.iter().find(|p| p.client == client) {
                row.state = "active";
                row.wait_event_type = Some("IPC");
                row.wait_event = Some("SyncRep");
                row.query = pending.query.clone();
                row.waiting_since = Some(pending.since);
                row.state_change = pending.since;
            } else if let Some(parked) = connection.parked.front() {
                row.state = "active";
                row.wait_event_type = Some("Lock");
                row.wait_event = Some("transactionid");
                row.query = parked.sql.clone();
                row.blocking_pids = parked.waits_for.and_then(holder_pid).into_iter().collect();
                row.waiting_since = Some(parked.since);
                row.state_change = parked.since;
                row.blocking_xid = parked.waits_for;
            }
            out.push(row);
        }
        out
    }

    /// Runs `sql` in `client`'s session on this server's engine.
    pub(in crate::replication) fn execute(
        &mut self,
        now: Time,
        client: NodeId,
        sql: &str,
    ) -> Result<StatementReport, String> {
        let now_micros = self.clock(now);
        let mysql = self.speaks_mysql();
        let connection = self.mem.connections.entry(client).or_default();
        // The default isolation and the error semantics of the database the method speaks.
        connection.session.set_isolation(if mysql {
            Isolation::RepeatableRead
        } else {
            Isolation::ReadCommitted
        });
        connection.session.set_on_error(if mysql {
            OnError::RollbackStatement
        } else {
            OnError::AbortTransaction
        });
        let mut env = NodeEnv {
            now_micros,
            rng: &mut self.rng,
        };
        let result = self.disk.db.execute(
            &mut connection.session,
            sql,
            &mut env,
            &ExecOptions::default(),
        );
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                // A failure that ended the transaction (a failed COMMIT, a deadlock, an
                // aborted block) takes its buffered statements with it; inside a live
                // transaction they stay.
                if connection.session.xid().is_none() {
                    connection.statements.clear();
                }
                return Err(match e.kind {
                    ErrorKind::LockWait => {
                        // Parked by the caller; the text is only for a caller that does not.
                        let holder = connection.session.pid().and_then(|p| self.disk.db.waiting_for(p));
                        connection.blocked = Some(holder.unwrap_or(0));
                        format!("ERROR:  {e}")
                    }
                    ErrorKind::Deadlock if mysql => {
                        "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction".into()
                    }
                    _ => format!("ERROR:  {e}"),
                });
            }
        };
        if let Method::Statement { context_events } = self.config.method {
            if (report.kind.writes() && report.rows_affected > 0) || report.ddl.is_some() {
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
            // Outside a transaction, a statement that changed nothing logs nothing.
            if matches!(report.kind, StatementKind::Rollback)
                || (!connection.session.in_transaction() && report.commit.is_none())
            {
                connection.statements.clear();
            }
        }
        Ok(report)
    }

    /// Logs a committed statement, ships it, and answers the client now or when the
    /// acknowledgement policy is met.
    pub(super) fn finish_statement(
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
            if self.method() == Method::Trigger
                && report.commit.is_some()
                && self.disk.role == ServerRole::Leader
            {
                // No acknowledgement level reaches a trigger-replicated follower. A write on a
                // subscriber is an ordinary local commit: it replicates nowhere.
                reply.waited_for = Some(
                    "nothing: trigger-based replication is asynchronous (the applier polls the changelog)"
                        .into(),
                );
            }
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
            AckPolicy::Sync { timeout, .. } if !(self.mem.semi_sync_off && timeout.is_some()) => {
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
                self.mem.waiting.push(pending);
                self.release_acknowledged(cx, None);
            }
            _ => self.answer(cx, pending, None),
        }
    }

    /// Turns a commit into a log entry in the shape of the method (None if it has nothing to
    /// ship: a read-only commit, DDL under a method that does not carry it, trigger-based).
    pub(super) fn log_commit(
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
                    cx.note(Note::DdlNotReplicated {
                        node: self.name.clone(),
                    });
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
    pub(super) fn ship(&mut self, cx: &mut Cx, entry: &LogEntry) {
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
    pub(super) fn release_acknowledged(&mut self, cx: &mut Cx, policy: Option<&AckPolicy>) {
        let policy = policy.cloned().unwrap_or_else(|| self.disk.ack.clone());
        let waiting = std::mem::take(&mut self.mem.waiting);
        for pending in waiting {
            match self.acknowledged_by(&policy, pending.index) {
                Some(by) => self.answer(cx, pending, Some(by)),
                None => self.mem.waiting.push(pending),
            }
        }
        self.wake_parked(cx);
    }

    /// Whether `index` is acknowledged under `policy`; if so, by whom, in words.
    pub(super) fn acknowledged_by(&self, policy: &AckPolicy, index: u64) -> Option<String> {
        let AckPolicy::Sync {
            stage,
            standbys,
            timeout,
        } = policy
        else {
            return Some("nothing (asynchronous)".into());
        };
        // Only MySQL's semi-sync (a policy with a timeout) falls back to asynchronous.
        if self.mem.semi_sync_off && timeout.is_some() {
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
        // In words (`flush on follower-1`), not the setting: `on` would read "on on follower-1".
        let reached_stage = match stage {
            AckStage::Write => "write",
            AckStage::Flush => "flush",
            AckStage::Apply => "apply",
        };
        Some(format!("{reached_stage} on {}", reached.join(", ")))
    }

    pub(super) fn answer(&mut self, cx: &mut Cx, mut pending: PendingCommit, by: Option<String>) {
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
            Msg::QueryResult {
                request: pending.request,
                outcome: Ok(pending.reply),
            },
        );
    }

    /// A client cancelled a statement. Only a commit held for its acknowledgement can be
    /// cancelled here: it has committed locally already, so it returns — with PostgreSQL's
    /// warning that it may not have reached the standby.
    pub(super) fn on_cancel(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
        if self.cancel_parked(cx, client, request) {
            return;
        }
        let Some(at) = self
            .mem
            .waiting
            .iter()
            .position(|p| p.client == client && p.request == request)
        else {
            return;
        };
        let mut pending = self.mem.waiting.remove(at);
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

    /// Cancels a statement parked on a row lock (or queued behind one): it never ran, so it
    /// fails with the database's cancel error. Under MySQL the transaction stays open; under
    /// PostgreSQL the cancel of the waiting statement is an error like any other and aborts
    /// its transaction (a statement queued behind it never started: its cancel aborts
    /// nothing). Whether it was.
    fn cancel_parked(&mut self, cx: &mut Cx, client: NodeId, request: InputId) -> bool {
        let mysql = self.speaks_mysql();
        let Some(connection) = self.mem.connections.get_mut(&client) else {
            return false;
        };
        let Some(at) = connection.parked.iter().position(|p| p.request == request) else {
            return false;
        };
        connection.parked.remove(at);
        if at == 0 {
            self.disk.db.stop_waiting(&connection.session);
            if !mysql {
                self.disk.db.abort_transaction(&mut connection.session);
                connection.statements.clear();
            }
        }
        let error = if mysql {
            "ERROR 1317 (70100): Query execution was interrupted"
        } else {
            "ERROR:  canceling statement due to user request"
        };
        cx.send(
            client,
            Msg::QueryResult {
                request,
                outcome: Err(error.into()),
            },
        );
        self.wake_parked(cx);
        true
    }

    /// `Timer::LockWaitTimeout`: InnoDB's lock wait timeout. If the client's statement still
    /// waits for a row lock and has waited `innodb_lock_wait_timeout`, it fails with ERROR
    /// 1205; it changed nothing, and its transaction stays open
    /// (`innodb_rollback_on_timeout=OFF`).
    pub(super) fn on_lock_wait_timeout(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
        let timeout = self.config.timings.innodb_lock_wait_timeout;
        let now = cx.now();
        let Some(connection) = self.mem.connections.get_mut(&client) else {
            return;
        };
        let waited_long_enough = connection.parked.front().is_some_and(|p| {
            p.request == request && p.waits_for.is_some() && now.saturating_sub(p.since) >= timeout
        });
        let Some(pid) = connection.session.pid() else {
            return;
        };
        // Still waiting for a row lock (not for its own commit's acknowledgement).
        if !waited_long_enough || self.disk.db.waiting_for(pid).is_none() {
            return;
        }
        connection.parked.pop_front();
        self.disk.db.stop_waiting(&connection.session);
        self.finish_statement(
            cx,
            client,
            request,
            Err(
                "ERROR 1205 (HY000): Lock wait timeout exceeded; try restarting transaction".into(),
            ),
        );
        self.wake_parked(cx);
    }

    pub(super) fn on_ack_timeout(&mut self, cx: &mut Cx, index: u64) {
        if !self.mem.waiting.iter().any(|p| p.index <= index) {
            return;
        }
        self.mem.semi_sync_off = true;
        // MySQL's error log names the commit that timed out and how far replicas had
        // acknowledged (`semi-sync up to file …, position …`).
        let timed_out = self
            .mem
            .waiting
            .iter()
            .map(|p| p.index)
            .filter(|i| *i <= index)
            .max()
            .unwrap_or(index);
        let acked = self
            .mem
            .followers
            .values()
            .map(|p| p.flush)
            .max()
            .unwrap_or(self.disk.base)
            .min(self.disk.last_index());
        cx.note(Note::SemiSyncOff {
            node: self.name.clone(),
            file: BINLOG_FILE.into(),
            pos: self.disk.end_of(timed_out),
            acked_file: BINLOG_FILE.into(),
            acked_pos: self.disk.end_of(acked),
        });
        let waiting = std::mem::take(&mut self.mem.waiting);
        for pending in waiting {
            self.answer(
                cx,
                pending,
                Some("nothing: timed out, semi-sync switched off (falls back to async)".into()),
            );
        }
        self.wake_parked(cx);
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
        StatementKind::AlterTable => "ALTER TABLE".into(),
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
