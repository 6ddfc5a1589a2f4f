//! Running clients' SQL: execution in a session, parking on row locks, cancels, and the
//! answer — handed to the family (`on_statement_done`) once the statement ran, since what a
//! commit does next (logged, shipped, acknowledged) is replication's.
//!
//! Sessions run concurrently with row locks (see `engine::locks`): a statement that must wait
//! for another transaction is parked on its connection and re-run when that transaction ends;
//! a commit held for its synchronous standby stays invisible to other sessions (and keeps its
//! row locks) until the wait ends. `Server::activity` shows both as `pg_stat_activity` does.

use super::*;
use crate::engine::{ErrorKind, Isolation, OnError};

impl Server {
    pub(crate) fn on_query(&mut self, cx: &mut Cx, client: NodeId, request: InputId, sql: String) {
        // A connection runs its statements in order: behind a statement waiting for a lock, or
        // a commit waiting for its standby (the backend is busy until the wait ends), a
        // statement waits.
        let behind_commit = self
            .mem
            .role
            .waiting()
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
                Msg::Client(ClientMsg::QueryResult {
                    request,
                    outcome: Err(why),
                }),
            );
            return;
        }
        if let Some(connection) = self.mem.connections.get_mut(&client) {
            connection.blocked = None;
        }
        let outcome = if self.disk.family.role == ServerRole::Leader
            && self.method().captures_in_database()
        {
            self.execute_with_triggers(cx.now(), client, &sql)
        } else {
            self.execute(cx.now(), client, &sql)
        };
        let connection = self
            .mem
            .connections
            .get_or_insert_with(client, Connection::default);
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
    pub(crate) fn wake_parked(&mut self, cx: &mut Cx) {
        if self.ready_parked().is_some() {
            cx.set_timer(Timer::WakeParked, Time::ZERO);
        }
    }

    /// `Timer::WakeParked`: re-runs one ready parked statement, and schedules the next.
    pub(crate) fn on_wake_parked(&mut self, cx: &mut Cx) {
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
                    Msg::Client(ClientMsg::QueryResult {
                        request: parked.request,
                        outcome: Err(error.to_string()),
                    }),
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
                    let p = self
                        .mem
                        .role
                        .waiting()
                        .iter()
                        .find(|p| p.hidden == Some(xid))?;
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
            if let Some(pending) = self.mem.role.waiting().iter().find(|p| p.client == client) {
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

    /// Runs a client's statement on the leader with the trigger method's capture triggers
    /// (see [`method::trigger::execute_with_triggers`]), counting what they wrote.
    fn execute_with_triggers(
        &mut self,
        now: Time,
        client: NodeId,
        sql: &str,
    ) -> Result<StatementReport, String> {
        let in_transaction = self
            .mem
            .connections
            .get(&client)
            .is_some_and(|c| c.session.in_transaction());
        let config = self.config.clone();
        let xid = self.disk.next_xid;
        let mut captured = method::trigger::Captured::default();
        let outcome = method::trigger::execute_with_triggers(
            &mut |sql| self.execute(now, client, sql),
            sql,
            in_transaction,
            &config.replicated_tables,
            xid,
            &mut captured,
        );
        self.disk.changelog_writes += captured.changelog_rows;
        if captured.txid_used {
            self.disk.next_xid += 1;
        }
        outcome
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
        let connection = self
            .mem
            .connections
            .get_or_insert_with(client, Connection::default);
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
        self.config.method.buffer_statement(
            &report,
            connection.session.in_transaction(),
            &mut connection.statements,
        );
        Ok(report)
    }

    /// Logs a committed statement, ships it, and answers the client now or when the
    /// acknowledgement policy is met.
    pub(crate) fn finish_statement(
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
                    Msg::Client(ClientMsg::QueryResult {
                        request,
                        outcome: Err(error),
                    }),
                );
                return;
            }
        };
        let reply = QueryOk {
            tag: command_tag(&report),
            result: report.result.clone(),
            warning: self.method().statement_warning(&report),
            committed: None,
            row_changes: Vec::new(),
            waited_for: None,
            server: cx.me(),
        };
        if self.is_multi_leader() {
            self.ml_on_statement_done(cx, client, request, report, reply);
        } else {
            self.on_statement_done(cx, client, request, report, reply);
        }
    }

    /// A client cancelled a statement: one parked on a row lock fails; otherwise the family
    /// may release a commit waiting for its acknowledgement.
    pub(crate) fn on_cancel(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
        if self.cancel_parked(cx, client, request) || self.cancel_read_wait(cx, client, request) {
            return;
        }
        self.cancel_commit_wait(cx, client, request);
    }

    /// Answers `request` with the database's cancel error, as its client program prints it.
    pub(crate) fn answer_cancelled(&self, cx: &mut Cx, client: NodeId, request: InputId) {
        let error = if self.speaks_mysql() {
            "ERROR 1317 (70100): Query execution was interrupted"
        } else {
            "ERROR:  canceling statement due to user request"
        };
        cx.send(
            client,
            Msg::Client(ClientMsg::QueryResult {
                request,
                outcome: Err(error.into()),
            }),
        );
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
        self.answer_cancelled(cx, client, request);
        self.wake_parked(cx);
        true
    }

    /// `Timer::LockWaitTimeout`: InnoDB's lock wait timeout. If the client's statement still
    /// waits for a row lock and has waited `innodb_lock_wait_timeout`, it fails with ERROR
    /// 1205; it changed nothing, and its transaction stays open
    /// (`innodb_rollback_on_timeout=OFF`).
    pub(crate) fn on_lock_wait_timeout(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
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
