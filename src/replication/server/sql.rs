//! Running clients' SQL: execution in a session, logging each commit in the shape of the
//! method, shipping it, and answering when the acknowledgement policy is met.

use super::*;

impl Server {
    pub(super) fn on_query(&mut self, cx: &mut Cx, client: NodeId, request: InputId, sql: String) {
        let writable = self.is_writable_leader();
        if !writable && !is_read_only(&sql) {
            // A leader that lost its key was restarted read-only (Patroni): it says what a
            // standby says.
            let why = format!(
                "ERROR:  cannot execute {} in a read-only transaction",
                first_keyword(&sql)
            );
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
    pub(in crate::replication) fn execute(
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
        let result = self.disk.db.execute(
            &mut connection.session,
            sql,
            &mut env,
            &ExecOptions::default(),
        );
        let report = match result {
            Ok(report) => report,
            Err(e) => {
                // A failure that ended the transaction (a failed COMMIT) takes its buffered
                // statements with it; inside a live transaction they stay.
                if !connection.session.in_transaction() {
                    connection.statements.clear();
                }
                return Err(format!("ERROR:  {e}"));
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
            if self.method() == Method::Trigger && report.commit.is_some() {
                // No acknowledgement level reaches a trigger-replicated follower.
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
        let pending = PendingCommit {
            client,
            request,
            index,
            since: cx.now(),
            reply,
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
        Some(format!("{} on {}", stage.setting(), reached.join(", ")))
    }

    pub(super) fn answer(&mut self, cx: &mut Cx, mut pending: PendingCommit, by: Option<String>) {
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

    /// A client cancelled a statement. Only a commit held for its acknowledgement can be
    /// cancelled here: it has committed locally already, so it returns — with PostgreSQL's
    /// warning that it may not have reached the standby.
    pub(super) fn on_cancel(&mut self, cx: &mut Cx, client: NodeId, request: InputId) {
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
    }

    pub(super) fn on_ack_timeout(&mut self, cx: &mut Cx, index: u64) {
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
