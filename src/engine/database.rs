//! A node's database: its pages (the only durable state), its WAL position, and the sessions
//! that run statements against it.
//!
//! # Design: effects as data
//! A statement never writes the durable pages directly. It runs in a [`Session`] against the
//! durable pages plus the session's copy-on-write [`Overlay`]. At commit (COMMIT, or the end of
//! an autocommit statement) the overlay is diffed against the durable pages into
//! [`PageChanges`] — byte ranges, or full-page images for new pages and for the first change to
//! a page after a [`Database::checkpoint`] — and those are applied with [`Database::apply`]:
//! the same function a WAL-shipping follower calls with the leader's changes, so leader and
//! follower pages are byte-identical by construction. ROLLBACK drops the overlay; a failed
//! statement restores the overlay as it was before the statement, and then, as the session's
//! [`OnError`] says, either the transaction goes on (InnoDB) or it is aborted (PostgreSQL: the
//! overlay dropped, locks released, the block open until COMMIT or ROLLBACK).
//!
//! # Concurrent transactions
//! Sessions run side by side with row-level locks ([`super::locks`]). At READ COMMITTED
//! (PostgreSQL's default) a statement sees what was committed (and made visible) when it
//! starts plus its own transaction's changes — its overlay is rebuilt from the transaction's
//! row changes when the pages moved. At REPEATABLE READ (InnoDB's default) plain SELECTs in a
//! transaction read a copy of the pages taken at its first SELECT (plus its own changes),
//! while writes read the latest rows, as InnoDB's locking reads do. It runs on its own copy; if another transaction holds a row it changed, its
//! effects are dropped and it reports [`ErrorKind::LockWait`] (the caller runs it again when
//! that transaction ends) or, if waiting would close a cycle, [`ErrorKind::Deadlock`] (its
//! transaction is rolled back). A COMMIT whose pages moved is a *rebase*: a fresh overlay on
//! the current pages with the transaction's row changes re-applied, then diffed as usual — so
//! WAL followers still receive byte-identical pages. A commit can be kept invisible to other
//! sessions ([`Database::hide_last_commit`], for a synchronous-standby wait): they read
//! through an overlay that undoes it, which is never committed by diff.
//!
//! The catalog and key index are derived from pages. A commit merges the overlay's changes to
//! them; replaying another node's changes updates them for the touched pages only (and
//! re-derives the catalog only if a catalog page changed). Either way they end up equal to a
//! rebuild from all pages, which `check_invariants` verifies.

use super::catalog::TableSchema;
use super::env::{Env, ExecOptions};
use super::error::{ErrorKind, SqlError};
use super::eval::StatementContext;
use super::exec;
use super::locks::{keys_of, Conflict, HiddenCommit, Locks};
use super::logical::apply_one;
use super::page::{FormatVersion, Page, PageKind, PAGE_SIZE};
use super::page_list::PageList;
use super::report::{
    CommitReport, ContextValues, Ddl, RowChange, RowOp, StatementKind, StatementReport,
};
use super::sql::{ast::Statement, parse};
use super::storage::{apply_plan, load, plan_incremental, Derived, Overlay, Store};
use super::value::Value;
use super::wal::{
    diff, Lsn, PageChange, PageChanges, WalRecord, CHECKPOINT_RECORD_SIZE, COMMIT_RECORD_SIZE,
    WAL_START,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A row's key and its stored bytes (see [`Database::stored_rows`]).
pub(super) type StoredRow<'a> = (&'a Value, Option<&'a [u8]>);

/// One node's database.
#[derive(Clone, Debug)]
pub struct Database {
    pub(super) format: FormatVersion,
    /// Copy-on-write per page: clones of the database (the timeline's checkpoints, a REPEATABLE
    /// READ snapshot) share every page that did not change since.
    pub(super) pages: PageList,
    wal_end: Lsn,
    /// The redo point of the last checkpoint: a page whose LSN is older gets a full-page image
    /// on its next change.
    checkpoint: Option<Lsn>,
    /// Bumped by every apply, so a transaction can tell the pages moved under it.
    generation: u64,
    pub(super) derived: Derived,
    /// Row locks, waits, sequences and not-yet-visible commits (volatile: see
    /// [`Database::reset_sessions`]).
    locks: Locks,
    /// MySQL's `auto_increment_increment` and `auto_increment_offset`, when set.
    auto_increment_step: Option<(i64, i64)>,
}

/// Where [`Database::apply_inner`] gets the derived state of the new pages from.
enum Derive {
    /// This node's own commit: the overlay already knows it.
    Overlay(Overlay),
    /// Replay: update the old derived state for the touched pages.
    Incremental,
    /// Replay: rebuild from all pages.
    FullReload,
}

/// An open transaction: its overlay and what it did so far.
#[derive(Clone, Debug)]
struct Transaction {
    xid: u64,
    overlay: Overlay,
    /// The database's (generation, visibility epoch) the overlay was built at: when either
    /// moved, the next statement sees the latest committed data (READ COMMITTED).
    view: (u64, u64),
    /// Whether the overlay undoes commits that are not yet visible: such an overlay is never
    /// committed by diff (the commit rebuilds it on the current pages).
    undone: bool,
    row_changes: Vec<RowChange>,
    ddl: Vec<Ddl>,
    /// REPEATABLE READ: the pages of the first SELECT.
    snapshot: Option<Box<Snapshot>>,
}

/// What a transaction's plain SELECTs see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Isolation {
    /// PostgreSQL's default: every statement sees what is committed when it starts.
    #[default]
    ReadCommitted,
    /// InnoDB's default: plain SELECTs see the snapshot taken at the transaction's first
    /// SELECT (plus its own changes); writes read the latest committed rows, as InnoDB's
    /// locking reads do.
    RepeatableRead,
}

/// The pages a REPEATABLE READ transaction's first SELECT saw.
#[derive(Clone, Debug)]
struct Snapshot {
    pages: PageList,
    derived: Derived,
    /// Commits that were invisible then (undone for the snapshot's readers).
    hidden: Vec<HiddenCommit>,
}

/// What an error inside a transaction block does to the transaction. The engine is neutral:
/// the caller chooses the database it speaks as.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum OnError {
    /// PostgreSQL: any error aborts the transaction. Its work is undone and its locks are
    /// released at once (PostgreSQL's `AbortTransaction` runs at the error); the block stays
    /// open, every further statement but COMMIT and ROLLBACK fails with `current transaction
    /// is aborted, commands ignored until end of transaction block`, and COMMIT rolls back
    /// (its command tag is `ROLLBACK`).
    #[default]
    AbortTransaction,
    /// InnoDB: only the failed statement is undone; the transaction stays open. (A deadlock
    /// still rolls back the whole transaction, under both.)
    RollbackStatement,
}

/// A connection's volatile state: its backend process id, isolation level, error semantics and
/// at most one open transaction (or an aborted transaction block). End it with
/// [`Database::end_session`] (which rolls back and releases its locks).
#[derive(Clone, Debug, Default)]
pub struct Session {
    pid: Option<u32>,
    isolation: Isolation,
    on_error: OnError,
    transaction: Option<Transaction>,
    /// PostgreSQL's aborted transaction block: the transaction is gone (work undone, locks
    /// released) but the block is open until COMMIT or ROLLBACK.
    aborted: bool,
}

impl Session {
    pub fn new() -> Session {
        Session::default()
    }

    /// Whether a transaction block is open (an aborted one too: it is open until COMMIT or
    /// ROLLBACK).
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some() || self.aborted
    }

    /// Whether the transaction block is aborted ([`OnError::AbortTransaction`] after an
    /// error): only COMMIT or ROLLBACK end it.
    pub fn aborted(&self) -> bool {
        self.aborted
    }

    pub fn on_error(&self) -> OnError {
        self.on_error
    }

    /// Sets what an error inside a transaction block does (from the next error on).
    pub fn set_on_error(&mut self, on_error: OnError) {
        self.on_error = on_error;
    }

    /// The backend process id the database gave this session (after its first statement).
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    /// The open transaction's id.
    pub fn xid(&self) -> Option<u64> {
        self.transaction.as_ref().map(|t| t.xid)
    }

    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// Sets the isolation level (for the next SELECT on; a snapshot already taken stays).
    pub fn set_isolation(&mut self, isolation: Isolation) {
        self.isolation = isolation;
    }
}

impl Database {
    /// An empty database: page 0, the catalog root.
    pub fn new(format: FormatVersion) -> Database {
        let mut root = Page::new(format, PageKind::Catalog, 0);
        root.refresh_checksum(0);
        Database {
            format,
            pages: std::iter::once(Arc::new(root)).collect(),
            wal_end: Lsn(WAL_START),
            checkpoint: None,
            generation: 0,
            derived: Derived::default(),
            locks: Locks::default(),
            auto_increment_step: None,
        }
    }

    /// Sets MySQL's `auto_increment_increment` and `auto_increment_offset` (multi-leader
    /// clusters set them so leaders hand out ids apart: 1, 4, 7… and 2, 5, 8…).
    pub fn set_auto_increment_step(&mut self, increment: i64, offset: i64) {
        self.auto_increment_step = Some((increment, offset));
    }

    pub fn format(&self) -> FormatVersion {
        self.format
    }

    /// The end of this node's WAL (where the next record goes).
    pub fn wal_end(&self) -> Lsn {
        self.wal_end
    }

    /// Runs one statement in `session`. Outside BEGIN ... COMMIT it commits by itself.
    /// A failed statement changes nothing. Inside a transaction block, what else an error
    /// undoes is the session's [`OnError`]: the whole transaction (PostgreSQL: the block stays
    /// open, aborted) or only the statement (InnoDB). A statement that must wait for a row lock
    /// ([`ErrorKind::LockWait`]) is not an error: it changed nothing and runs again later.
    pub fn execute(
        &mut self,
        session: &mut Session,
        sql: &str,
        env: &mut dyn Env,
        options: &ExecOptions,
    ) -> Result<StatementReport, SqlError> {
        let in_block = session.in_transaction();
        let parsed = parse(sql);
        let ends_block = matches!(parsed, Ok(Statement::Commit | Statement::Rollback));
        // PostgreSQL parses before it looks at the block's state: a syntax error is reported
        // as such even in an aborted block.
        if session.aborted && parsed.is_ok() {
            if ends_block {
                // COMMIT of an aborted transaction rolls it back: PostgreSQL answers with the
                // tag ROLLBACK and no error.
                self.end_session(session);
                return Ok(Self::report(sql, StatementKind::Rollback, session));
            }
            return Err(SqlError::new(
                ErrorKind::TransactionAborted,
                "current transaction is aborted, commands ignored until end of transaction block",
            ));
        }
        // BEGIN inside a block is only a warning in PostgreSQL (the lab refuses it): it does
        // not abort the transaction.
        let keeps_block = ends_block || matches!(parsed, Ok(Statement::Begin));
        let result = parsed.and_then(|stmt| self.execute_inner(session, stmt, sql, env, options));
        if let Err(e) = &result {
            // A failed COMMIT ended its transaction; ROLLBACK cannot fail. A deadlock victim's
            // transaction is already rolled back: under PostgreSQL its block is aborted too.
            if in_block
                && !keeps_block
                && e.kind != ErrorKind::LockWait
                && session.on_error == OnError::AbortTransaction
            {
                self.end_session(session);
                session.aborted = true;
            }
        }
        result.map_err(|e| e.locate(sql))
    }

    /// PostgreSQL's abort at an error inside a transaction block: the transaction's work is
    /// dropped and its locks released now (waiters go on at once), and the block stays open
    /// and aborted until COMMIT or ROLLBACK. Also what a cancelled statement does to its
    /// transaction under PostgreSQL. Nothing if no block is open.
    pub fn abort_transaction(&mut self, session: &mut Session) {
        if !session.in_transaction() {
            return;
        }
        self.end_session(session);
        session.aborted = true;
    }

    /// Runs one statement in a session of its own (autocommit) with no overrides.
    pub fn run(&mut self, sql: &str, env: &mut dyn Env) -> Result<StatementReport, SqlError> {
        self.execute(&mut Session::new(), sql, env, &ExecOptions::default())
    }

    fn report(sql: &str, kind: StatementKind, session: &Session) -> StatementReport {
        StatementReport {
            sql: sql.to_string(),
            kind,
            rows_affected: 0,
            result: None,
            context: ContextValues::default(),
            unsafe_reasons: vec![],
            row_changes: vec![],
            ddl: None,
            commit: None,
            in_transaction: session.in_transaction(),
        }
    }

    fn execute_inner(
        &mut self,
        session: &mut Session,
        stmt: Statement,
        sql: &str,
        env: &mut dyn Env,
        options: &ExecOptions,
    ) -> Result<StatementReport, SqlError> {
        let pid = match session.pid {
            Some(pid) => pid,
            None => {
                let pid = self.locks.new_pid();
                session.pid = Some(pid);
                pid
            }
        };
        match stmt {
            Statement::Begin => {
                if session.in_transaction() {
                    return Err(SqlError::new(
                        ErrorKind::Transaction,
                        "a transaction is already in progress",
                    ));
                }
                let (overlay, undone) = self.view_overlay(&[])?;
                let xid = self.locks.begin(pid);
                session.transaction = Some(Transaction {
                    xid,
                    overlay,
                    view: self.view_stamp(),
                    undone,
                    row_changes: vec![],
                    ddl: vec![],
                    snapshot: None,
                });
                return Ok(Self::report(sql, StatementKind::Begin, session));
            }
            Statement::Commit => {
                let mut report = Self::report(sql, StatementKind::Commit, session);
                self.locks.stop_waiting(pid);
                if let Some(tx) = session.transaction.take() {
                    // A transaction that wrote nothing has nothing to commit: a read-only
                    // transaction on a replaying standby commits.
                    if tx.row_changes.is_empty() && tx.ddl.is_empty() {
                        self.locks.release(tx.xid);
                        report.in_transaction = false;
                        return Ok(report);
                    }
                    let stale = tx.undone || tx.view.0 != self.generation;
                    report.commit = self.finish_commit(
                        Some(tx.xid),
                        pid,
                        tx.overlay,
                        stale,
                        tx.row_changes,
                        tx.ddl,
                    )?;
                }
                report.in_transaction = false;
                return Ok(report);
            }
            Statement::Rollback => {
                self.end_session(session);
                return Ok(Self::report(sql, StatementKind::Rollback, session));
            }
            _ => {}
        }
        if let (Statement::Select(_), Isolation::RepeatableRead) = (&stmt, session.isolation) {
            if let Some(report) = self.snapshot_select(session, &stmt, sql, env, options) {
                return report;
            }
        }
        let mut transaction = session.transaction.take();
        // READ COMMITTED: each statement sees what is committed (and visible) when it starts,
        // plus the transaction's own changes.
        let stamp = self.view_stamp();
        if let Some(tx) = &mut transaction {
            if tx.view != stamp {
                let rebuilt = if tx.ddl.is_empty() {
                    self.view_overlay(&tx.row_changes)
                } else {
                    Err(serialization_failure())
                };
                match rebuilt {
                    Ok((overlay, undone)) => {
                        tx.overlay = overlay;
                        tx.undone = undone;
                        tx.view = stamp;
                    }
                    Err(e) => {
                        self.locks.release(tx.xid);
                        self.locks.stop_waiting(pid);
                        return Err(e);
                    }
                }
            }
        }
        let (mut overlay, undone) = match &mut transaction {
            Some(tx) => (
                std::mem::replace(&mut tx.overlay, Overlay::new(0, &Derived::default())),
                tx.undone,
            ),
            None => self.view_overlay(&[])?,
        };
        // Inside a transaction a failed or waiting statement must leave the overlay as it was:
        // the overlay records what the statement changes (not a copy of the whole overlay,
        // which grew with the transaction).
        if transaction.is_some() {
            overlay.begin_statement();
        }
        let restore = |session: &mut Session,
                       transaction: Option<Transaction>,
                       mut overlay: Overlay,
                       base: &PageList| {
            if let Some(mut tx) = transaction {
                overlay.rollback_statement(base);
                tx.overlay = overlay;
                session.transaction = Some(tx);
            }
        };
        let mut cx = StatementContext::new(env, *options).stepping(self.auto_increment_step);
        let result = {
            let mut store = Store {
                base: &self.pages,
                format: self.format,
                overlay: &mut overlay,
            };
            let caught_up = if matches!(stmt, Statement::Insert(_)) {
                catch_up_sequences(&self.locks, &mut store)
            } else {
                Ok(())
            };
            caught_up.and_then(|()| exec::execute(&stmt, sql, &mut store, &mut cx))
        };
        let outcome = match result {
            Ok(o) => o,
            Err(e) => {
                restore(session, transaction, overlay, &self.pages);
                self.locks.stop_waiting(pid);
                return Err(e);
            }
        };
        // Row locks: the statement ran on its own copy; it keeps its effects only if no other
        // transaction holds a row it changed.
        let keys: Vec<_> = outcome.row_changes.iter().flat_map(keys_of).collect();
        let me = transaction.as_ref().map(|t| t.xid);
        if let Err(conflict) = self.locks.acquire(pid, me, &keys, outcome.ddl.is_some()) {
            return Err(match conflict {
                Conflict::Wait { holder, holder_pid } => {
                    restore(session, transaction, overlay, &self.pages);
                    SqlError::new(
                        ErrorKind::LockWait,
                        format!(
                            "process {pid} waits for ShareLock on transaction {holder}; blocked by process {holder_pid}"
                        ),
                    )
                }
                Conflict::Deadlock(cycle) => {
                    // The transaction that closed the cycle is rolled back (PostgreSQL aborts
                    // the one whose deadlock check found it).
                    if let Some(tx) = transaction {
                        self.locks.release(tx.xid);
                    }
                    let detail: Vec<String> = cycle
                        .iter()
                        .map(|w| {
                            format!(
                                "Process {} waits for ShareLock on transaction {}; blocked by process {}.",
                                w.pid, w.holder, w.holder_pid
                            )
                        })
                        .collect();
                    SqlError::new(
                        ErrorKind::Deadlock,
                        format!(
                            "deadlock detected\nDETAIL:  {}\nHINT:  See server log for query details.",
                            detail.join("\n")
                        ),
                    )
                }
            });
        }
        if matches!(stmt, Statement::Insert(_)) {
            for def in overlay.catalog.tables.values() {
                self.locks
                    .advance_sequence(&def.schema.name, def.next_auto_increment);
            }
        }
        let mut report = Self::report(sql, outcome.kind, session);
        report.rows_affected = outcome.rows_affected;
        report.result = outcome.result;
        report.context = cx.values;
        report.unsafe_reasons = outcome.unsafe_reasons;
        report.row_changes = outcome.row_changes;
        report.ddl = outcome.ddl;
        match transaction {
            Some(mut tx) => {
                overlay.end_statement();
                tx.overlay = overlay;
                tx.row_changes.extend(report.row_changes.iter().cloned());
                tx.ddl.extend(report.ddl.iter().cloned());
                session.transaction = Some(tx);
                report.in_transaction = true;
            }
            None => {
                let ddl = report.ddl.iter().cloned().collect();
                report.commit = self.finish_commit(
                    None,
                    pid,
                    overlay,
                    undone,
                    report.row_changes.clone(),
                    ddl,
                )?;
            }
        }
        Ok(report)
    }

    /// REPEATABLE READ: a SELECT inside a transaction reads the snapshot of the transaction's
    /// first SELECT plus its own changes. `None` when the snapshot does not apply (outside a
    /// transaction, or its own changes do not fit the snapshot: then the latest view serves).
    fn snapshot_select(
        &self,
        session: &mut Session,
        stmt: &Statement,
        sql: &str,
        env: &mut dyn Env,
        options: &ExecOptions,
    ) -> Option<Result<StatementReport, SqlError>> {
        let tx = session.transaction.as_mut()?;
        let snapshot = tx.snapshot.get_or_insert_with(|| {
            Box::new(Snapshot {
                pages: self.pages.clone(),
                derived: self.derived.clone(),
                hidden: self.locks.hidden.clone(),
            })
        });
        let mut overlay = Overlay::new(snapshot.pages.len() as u32, &snapshot.derived);
        let mut store = Store {
            base: &snapshot.pages,
            format: self.format,
            overlay: &mut overlay,
        };
        for hidden in snapshot.hidden.iter().rev() {
            for change in hidden.row_changes.iter().rev() {
                apply_one(&mut store, &invert(change)).ok()?;
            }
        }
        for change in &tx.row_changes {
            apply_one(&mut store, change).ok()?;
        }
        let mut cx = StatementContext::new(env, *options).stepping(self.auto_increment_step);
        let outcome = match exec::execute(stmt, sql, &mut store, &mut cx) {
            Ok(o) => o,
            Err(e) => return Some(Err(e)),
        };
        let mut report = Self::report(sql, outcome.kind, session);
        report.rows_affected = outcome.rows_affected;
        report.result = outcome.result;
        report.context = cx.values;
        report.in_transaction = true;
        Some(Ok(report))
    }

    /// (generation, visibility epoch): a session's view is stale when either moved.
    fn view_stamp(&self) -> (u64, u64) {
        (self.generation, self.locks.epoch)
    }

    /// A fresh overlay on the current pages as another session sees them: commits that are not
    /// yet visible undone (newest first), then `own` changes re-applied. Whether it undid any.
    fn view_overlay(&self, own: &[RowChange]) -> Result<(Overlay, bool), SqlError> {
        let mut overlay = Overlay::new(self.pages.len() as u32, &self.derived);
        let undone = !self.locks.hidden.is_empty();
        {
            let mut store = Store {
                base: &self.pages,
                format: self.format,
                overlay: &mut overlay,
            };
            for hidden in self.locks.hidden.iter().rev() {
                for change in hidden.row_changes.iter().rev() {
                    apply_one(&mut store, &invert(change)).map_err(|_| serialization_failure())?;
                }
            }
            for change in own {
                apply_one(&mut store, change).map_err(|_| serialization_failure())?;
            }
        }
        Ok((overlay, undone))
    }

    /// Commits a transaction's work. If the pages moved since its overlay was built (or the
    /// overlay undid invisible commits), the overlay is rebuilt on the current pages from the
    /// transaction's own row changes first: its row locks make that equal to having written in
    /// place. Releases the transaction's locks either way.
    fn finish_commit(
        &mut self,
        xid: Option<u64>,
        pid: u32,
        overlay: Overlay,
        stale: bool,
        row_changes: Vec<RowChange>,
        ddl: Vec<Ddl>,
    ) -> Result<Option<CommitReport>, SqlError> {
        let xid = xid.unwrap_or_else(|| self.locks.begin(pid));
        self.locks.last_commit = None;
        let overlay = match (stale, ddl.is_empty()) {
            (false, _) => Ok(overlay),
            // DDL holds the database-wide lock, so its transaction's pages cannot move.
            (true, false) => Err(serialization_failure()),
            (true, true) => {
                let mut fresh = Overlay::new(self.pages.len() as u32, &self.derived);
                let mut store = Store {
                    base: &self.pages,
                    format: self.format,
                    overlay: &mut fresh,
                };
                row_changes
                    .iter()
                    .try_for_each(|c| apply_one(&mut store, c).map(|_| ()))
                    .map_err(|_| serialization_failure())
                    .map(|()| fresh)
            }
        };
        let has_ddl = !ddl.is_empty();
        let result = overlay.and_then(|o| self.commit(o, row_changes.clone(), ddl));
        self.locks.release(xid);
        if let (Ok(Some(_)), false) = (&result, has_ddl) {
            self.locks.last_commit = Some(HiddenCommit {
                xid,
                pid,
                row_changes,
            });
        }
        result
    }

    /// Ends a session's transaction (ROLLBACK, or its connection went away): its work is
    /// dropped and its locks released.
    pub fn end_session(&mut self, session: &mut Session) {
        session.aborted = false;
        if let Some(tx) = session.transaction.take() {
            self.locks.release(tx.xid);
        }
        if let Some(pid) = session.pid {
            self.locks.stop_waiting(pid);
        }
    }

    /// The session's waiting statement was abandoned (cancelled): it no longer waits.
    pub fn stop_waiting(&mut self, session: &Session) {
        if let Some(pid) = session.pid {
            self.locks.stop_waiting(pid);
        }
    }

    /// Every open transaction's connection is gone (a fenced or demoted leader drops them):
    /// their locks go. Commits waiting to become visible keep theirs.
    pub fn end_open_transactions(&mut self) {
        self.locks.release_open();
    }

    /// A crash: every session, lock and wait is gone, and every commit is visible (it is on
    /// disk). Transaction ids, process ids and sequences keep counting up.
    pub fn reset_sessions(&mut self) {
        self.locks.reset();
    }

    /// Keys of `table` that open (or not yet visible) transactions changed: rows other
    /// sessions cannot see in their final form yet.
    pub fn locked_keys(&self, table: &str) -> Vec<Value> {
        self.locks.locked_keys(table)
    }

    /// Whether any transaction is open, waits, or is committed but not yet visible.
    pub fn has_sessions(&self) -> bool {
        self.locks.busy()
    }

    /// Makes the last commit (if it changed rows and no schema) invisible to other sessions,
    /// with its rows still locked, until [`Database::reveal`]: a commit waiting for its
    /// synchronous standby. Returns its transaction id.
    pub fn hide_last_commit(&mut self) -> Option<u64> {
        let commit = self.locks.last_commit.take()?;
        if commit.row_changes.is_empty() {
            return None;
        }
        let xid = commit.xid;
        self.locks.hide(commit);
        Some(xid)
    }

    /// Makes a hidden commit visible and releases its locks. Whether it was hidden.
    pub fn reveal(&mut self, xid: u64) -> bool {
        self.locks.reveal(xid)
    }

    /// The transaction whose lock process `pid`'s statement waits for, if it waits.
    pub fn waiting_for(&self, pid: u32) -> Option<u64> {
        self.locks.waiting_for(pid)
    }

    /// Whether transaction `xid` is still open (or committed but not yet visible).
    pub fn transaction_open(&self, xid: u64) -> bool {
        self.locks.is_open(xid)
    }

    /// Transaction ids of commits not yet visible to other sessions, in commit order.
    pub fn hidden_commits(&self) -> Vec<u64> {
        self.locks.hidden.iter().map(|h| h.xid).collect()
    }

    /// Turns an overlay into WAL records, applies them, and reports them. `None` when the
    /// transaction changed no page.
    pub(super) fn commit(
        &mut self,
        overlay: Overlay,
        row_changes: Vec<RowChange>,
        ddl: Vec<Ddl>,
    ) -> Result<Option<CommitReport>, SqlError> {
        let mut records = Vec::new();
        let start = self.wal_end;
        let mut at = start;
        for (&n, page) in overlay.live_pages() {
            let mut page = page.clone();
            let base = self.pages.get(n as usize).map(|p| &**p);
            if base == Some(&page) {
                continue;
            }
            page.set_lsn(at.0);
            page.refresh_checksum(n);
            let full = match base {
                None => true,
                Some(b) => self.checkpoint.is_some_and(|c| b.lsn() < c.0),
            };
            let changes = match base {
                Some(b) if !full => diff(b.bytes(), page.bytes())
                    .into_iter()
                    .map(|(offset, bytes)| PageChange::Write {
                        page: n,
                        offset,
                        bytes,
                    })
                    .collect(),
                _ => vec![PageChange::FullPage {
                    page: n,
                    image: page.bytes().to_vec(),
                }],
            };
            for change in changes {
                let size = change.wal_size();
                records.push(WalRecord { lsn: at, change });
                at = at.advance(size);
            }
        }
        if records.is_empty() {
            return Ok(None);
        }
        let changes = PageChanges {
            format: self.format,
            start,
            end: at.advance(COMMIT_RECORD_SIZE),
            commit_lsn: at,
            records,
        };
        // The overlay's catalog and index changes already describe the new pages
        // (check_invariants verifies that), so merge them instead of deriving from the bytes.
        self.apply_inner(&changes, Derive::Overlay(overlay))?;
        Ok(Some(CommitReport {
            changes,
            row_changes,
            ddl,
        }))
    }

    /// Replays physical changes (this node's own commit, or a leader's on a WAL-shipping
    /// follower). All or nothing: if the result does not check out, nothing changes.
    ///
    /// The catalog and key index are updated for the pages the changes touched only (see
    /// [`plan_incremental`]); they end up exactly as a rebuild from all pages would make them.
    pub fn apply(&mut self, changes: &PageChanges) -> Result<(), SqlError> {
        self.apply_inner(changes, Derive::Incremental)
    }

    /// [`Database::apply`], but deriving the catalog and key index from all pages afterwards
    /// (what `apply` did before it became incremental). For tests and benchmarks that compare
    /// the two.
    #[doc(hidden)]
    pub fn apply_with_full_reload(&mut self, changes: &PageChanges) -> Result<(), SqlError> {
        self.apply_inner(changes, Derive::FullReload)
    }

    fn apply_inner(&mut self, changes: &PageChanges, derive: Derive) -> Result<(), SqlError> {
        let fail = |m: String| Err(SqlError::new(ErrorKind::Replication, m));
        if changes.format != self.format {
            return fail(format!(
                "WAL from a {} database cannot be replayed on a {} database",
                changes.format, self.format
            ));
        }
        let old_len = self.pages.len();
        let mut touched: BTreeMap<u32, Page> = BTreeMap::new();
        let mut new_pages: Vec<Page> = Vec::new();
        for r in &changes.records {
            let n = r.change.page();
            let total = old_len + new_pages.len();
            let page: &mut Page = if (n as usize) < old_len {
                touched
                    .entry(n)
                    .or_insert_with(|| Page::clone(&self.pages[n as usize]))
            } else if (n as usize) < total {
                &mut new_pages[n as usize - old_len]
            } else if n as usize == total && r.change.is_full_page() {
                new_pages.push(Page::new(self.format, PageKind::Heap, 0));
                let last = new_pages.len() - 1;
                &mut new_pages[last]
            } else {
                return fail(format!(
                    "WAL record at {} touches page {n}, which does not exist",
                    r.lsn
                ));
            };
            match &r.change {
                PageChange::FullPage { image, .. } => {
                    if image.len() != PAGE_SIZE {
                        return fail(format!(
                            "full-page image at {} has {} bytes",
                            r.lsn,
                            image.len()
                        ));
                    }
                    page.write_bytes(0, image);
                }
                PageChange::Write { offset, bytes, .. } => {
                    let end = usize::from(*offset) + bytes.len();
                    if end > PAGE_SIZE {
                        return fail(format!(
                            "WAL record at {} writes past the end of page {n}",
                            r.lsn
                        ));
                    }
                    page.write_bytes(usize::from(*offset), bytes);
                }
            }
        }
        // Check the result before making it durable.
        for (n, p) in &touched {
            p.check(*n)
                .or_else(|e| fail(format!("after replay: {e}")))?;
        }
        for (i, p) in new_pages.iter().enumerate() {
            p.check((old_len + i) as u32)
                .or_else(|e| fail(format!("after replay: {e}")))?;
        }
        let saved: Vec<(u32, Arc<Page>)> = touched
            .keys()
            .map(|&n| (n, Arc::clone(&self.pages[n as usize])))
            .collect();
        for (n, p) in touched {
            self.pages.set(n as usize, Arc::new(p));
        }
        let new_count = new_pages.len();
        self.pages.extend(new_pages.into_iter().map(Arc::new));
        let derived = match derive {
            Derive::Overlay(overlay) => {
                // Drop our references to the indexes first so the merge can change them in
                // place.
                self.derived = Derived::default();
                Ok(overlay.into_derived(&self.pages))
            }
            Derive::FullReload => load(self.format, &self.pages),
            Derive::Incremental => {
                // In page order: `saved` follows `touched`, and new pages come after.
                let changed: Vec<(u32, Option<&Page>)> = saved
                    .iter()
                    .map(|(n, p)| (*n, Some(&**p)))
                    .chain((old_len..old_len + new_count).map(|n| (n as u32, None)))
                    .collect();
                match plan_incremental(self.format, &self.pages, &self.derived, &changed) {
                    Ok(plan) => Ok(apply_plan(
                        std::mem::take(&mut self.derived),
                        plan,
                        &self.pages,
                    )),
                    // The incremental path gave up: the full rebuild decides (and explains).
                    Err(_) => {
                        #[cfg(test)]
                        tests::FALLBACKS.with(|f| f.set(f.get() + 1));
                        load(self.format, &self.pages)
                    }
                }
            }
        };
        match derived {
            Ok(derived) => self.derived = derived,
            Err(e) => {
                for (n, p) in saved {
                    self.pages.set(n as usize, p);
                }
                self.pages.truncate(old_len);
                return fail(format!("after replay: {e}"));
            }
        }
        self.wal_end = self.wal_end.max(changes.end);
        self.generation += 1;
        Ok(())
    }

    /// Starts a checkpoint: writes a checkpoint record and makes the next change to every
    /// page log a full-page image (PostgreSQL's full_page_writes). Returns the checkpoint's LSN.
    pub fn checkpoint(&mut self) -> Lsn {
        let lsn = self.wal_end;
        self.checkpoint = Some(lsn);
        self.wal_end = lsn.advance(CHECKPOINT_RECORD_SIZE);
        lsn
    }

    /// The LSN of the last checkpoint, if any.
    pub fn last_checkpoint(&self) -> Option<Lsn> {
        self.checkpoint
    }

    // ---- read access for the UI and for tests ----

    /// Table schemas in creation order.
    pub fn tables(&self) -> Vec<&TableSchema> {
        self.derived
            .catalog
            .tables
            .values()
            .map(|t| &t.schema)
            .collect()
    }

    pub fn schema(&self, table: &str) -> Option<&TableSchema> {
        self.derived.catalog.find(table).map(|t| &t.schema)
    }

    /// The next AUTO_INCREMENT value of a table.
    pub fn next_auto_increment(&self, table: &str) -> Option<i64> {
        self.derived
            .catalog
            .find(table)
            .map(|t| t.next_auto_increment)
    }

    /// A table's rows in primary-key order.
    pub fn rows(&self, table: &str) -> Result<Vec<Vec<Value>>, SqlError> {
        let def = self.derived.catalog.find(table).ok_or_else(|| {
            SqlError::new(
                ErrorKind::UnknownTable,
                format!("unknown table \"{table}\""),
            )
        })?;
        let Some(index) = self.derived.indexes.get(&def.id) else {
            return Ok(vec![]);
        };
        index
            .iter()
            .map(|(key, loc)| {
                self.row(&def.schema.name, key).ok_or_else(|| {
                    SqlError::new(
                        ErrorKind::Corruption,
                        format!("no row at page {} slot {}", loc.page, loc.slot),
                    )
                })
            })
            .collect()
    }

    /// A table's rows in primary-key order as the bytes stored on their pages (`None` for a
    /// row its location does not lead to): comparing two databases reads these, and decodes
    /// only the rows whose bytes differ.
    pub(super) fn stored_rows<'a>(
        &'a self,
        table: &str,
    ) -> Option<impl Iterator<Item = StoredRow<'a>> + 'a> {
        let def = self.derived.catalog.find(table)?;
        let rows = self
            .derived
            .indexes
            .get(&def.id)
            .into_iter()
            .flat_map(|index| index.iter())
            .map(move |(key, loc)| {
                let tuple = self
                    .pages
                    .get(loc.page as usize)
                    .and_then(|p| p.tuple(loc.slot));
                (key, tuple)
            });
        Some(rows)
    }

    /// Whether `other` holds the same pages apart from their LSNs and checksums (see
    /// [`Page::same_contents`]): then its catalog, keys and rows are this database's, since
    /// all of them are read from the pages. Pages shared between clones are not compared.
    pub(super) fn same_pages(&self, other: &Database) -> bool {
        self.format == other.format
            && self.pages.len() == other.pages.len()
            && self
                .pages
                .iter()
                .zip(other.pages.iter())
                .all(|(a, b)| Arc::ptr_eq(a, b) || a.same_contents(b))
    }

    /// A stored row's values (see [`Database::stored_rows`]), or `None` if it does not decode.
    pub(super) fn decode_stored(&self, schema: &TableSchema, bytes: &[u8]) -> Option<Vec<Value>> {
        super::codec::decode_row(self.format, schema, bytes).ok()
    }

    /// Up to `limit` of a table's rows, in primary-key order, from key `from` on (reading only
    /// those: a trigger applier polls a changelog that grows with the session).
    pub fn rows_from(&self, table: &str, from: &Value, limit: usize) -> Vec<Vec<Value>> {
        let Some(def) = self.derived.catalog.find(table) else {
            return vec![];
        };
        let Some(index) = self.derived.indexes.get(&def.id) else {
            return vec![];
        };
        index
            .iter_from(from)
            .take(limit)
            .filter_map(|(_, loc)| self.decode_at(&def.schema, loc.page, loc.slot))
            .collect()
    }

    /// A table's row with the greatest primary key.
    pub fn last_row(&self, table: &str) -> Option<Vec<Value>> {
        let def = self.derived.catalog.find(table)?;
        let (_, loc) = self.derived.indexes.get(&def.id)?.last()?;
        self.decode_at(&def.schema, loc.page, loc.slot)
    }

    fn decode_at(&self, schema: &TableSchema, page: u32, slot: u16) -> Option<Vec<Value>> {
        let tuple = self.pages.get(page as usize)?.tuple(slot)?;
        super::codec::decode_row(self.format, schema, tuple).ok()
    }

    /// One row by key.
    pub fn row(&self, table: &str, key: &Value) -> Option<Vec<Value>> {
        let def = self.derived.catalog.find(table)?;
        let loc = self.derived.indexes.get(&def.id)?.get(key)?;
        let t = self.pages.get(loc.page as usize)?.tuple(loc.slot)?;
        super::codec::decode_row(self.format, &def.schema, t).ok()
    }

    pub fn page_count(&self) -> u32 {
        self.pages.len() as u32
    }

    /// A page's bytes.
    pub fn page(&self, n: u32) -> Option<&[u8]> {
        self.pages.get(n as usize).map(|p| p.bytes())
    }

    /// A page with its decoded header, for the UI.
    pub fn page_view(&self, n: u32) -> Option<&Page> {
        self.pages.get(n as usize).map(|p| &**p)
    }

    /// Every row reachable by its key, chains sane, checksums and slot pointers consistent,
    /// and the in-memory index equal to one rebuilt from the pages.
    pub fn check_invariants(&self) -> Result<(), String> {
        for (n, p) in self.pages.iter().enumerate() {
            p.check(n as u32)?;
            if p.lsn() >= self.wal_end.0 {
                return Err(format!(
                    "page {n} has LSN {} at or past the WAL end {}",
                    Lsn(p.lsn()),
                    self.wal_end
                ));
            }
        }
        let rebuilt = load(self.format, &self.pages)?;
        if rebuilt != self.derived {
            return Err("the in-memory catalog or key index differs from the pages".into());
        }
        for def in self.derived.catalog.tables.values() {
            let index = self
                .derived
                .indexes
                .get(&def.id)
                .ok_or("a table has no index")?;
            for (key, loc) in index.iter() {
                let row = self.row(&def.schema.name, key).ok_or_else(|| {
                    format!(
                        "key {} of {} is not reachable at {loc:?}",
                        key.to_sql(),
                        def.schema.name
                    )
                })?;
                if &row[def.schema.primary_key] != key {
                    return Err(format!(
                        "key {} of {} leads to another row",
                        key.to_sql(),
                        def.schema.name
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The undo of a row change (to show other sessions the rows before an invisible commit).
fn invert(change: &RowChange) -> RowChange {
    let (op, before, after) = match change.op {
        RowOp::Insert => (RowOp::Delete, change.after.clone(), None),
        RowOp::Update => (RowOp::Update, change.after.clone(), change.before.clone()),
        RowOp::Delete => (RowOp::Insert, None, change.before.clone()),
    };
    RowChange {
        op,
        before,
        after,
        ..change.clone()
    }
}

/// Before an INSERT: a table's counter moves past every value other sessions handed out, so
/// concurrent transactions never hand out the same id (sequences are not transactional).
fn catch_up_sequences(locks: &Locks, store: &mut Store<'_>) -> Result<(), SqlError> {
    let behind: Vec<(u32, i64)> = store
        .catalog()
        .tables
        .iter()
        .filter_map(|(&id, def)| {
            let next = locks.sequence(&def.schema.name)?;
            (next > def.next_auto_increment).then_some((id, next))
        })
        .collect();
    for (id, next) in behind {
        store.set_next_auto_increment(id, next)?;
    }
    Ok(())
}

/// A transaction's changes no longer fit the pages (only when something that takes no row
/// locks, such as a subscriber's apply, changed the same rows): PostgreSQL's words.
fn serialization_failure() -> SqlError {
    SqlError::new(
        ErrorKind::Transaction,
        "could not serialize access due to concurrent update",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::compare::compare_pages;
    use crate::engine::env::SeededEnv;
    use std::cell::Cell;

    thread_local! {
        /// How often `apply` fell back from the incremental path to a full rebuild.
        pub(super) static FALLBACKS: Cell<u64> = const { Cell::new(0) };
    }

    /// xorshift64*, enough to pick statements.
    struct Pick(u64);

    impl Pick {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }

        fn name(&mut self) -> String {
            let len = self.below(70) as usize;
            (0..len)
                .map(|i| char::from(b'a' + ((i as u64 + self.below(26)) % 26) as u8))
                .collect()
        }
    }

    fn statement(pick: &mut Pick, step: usize) -> String {
        let id = pick.below(400) + 1;
        match pick.below(14) {
            0..=3 => format!(
                "INSERT INTO t (name, n) VALUES ('{}', {})",
                pick.name(),
                pick.below(100)
            ),
            4 => format!(
                "INSERT INTO k VALUES ('{}{}', {})",
                pick.name().chars().take(3).collect::<String>(),
                pick.below(50),
                id
            ),
            5 | 6 => format!("UPDATE t SET name = '{}' WHERE id = {id}", pick.name()),
            7 => format!("UPDATE t SET n = n + 1 WHERE n % 7 = {}", pick.below(7)),
            8 => format!("UPDATE t SET id = id + 500 WHERE id = {id}"),
            9 => format!("DELETE FROM t WHERE id = {id}"),
            10 => format!("DELETE FROM t WHERE n = {} LIMIT 3", pick.below(100)),
            11 => format!("UPDATE k SET v = v + 1, code = code || 'x' WHERE v = {id}"),
            12 => ["BEGIN", "COMMIT", "ROLLBACK", "COMMIT"][pick.below(4) as usize].to_string(),
            _ => format!(
                "CREATE TABLE IF NOT EXISTS x{} (a INTEGER PRIMARY KEY, b TEXT)",
                step % 23
            ),
        }
    }

    /// A follower replaying a long workload incrementally ends up, after every single commit,
    /// with the derived state a full rebuild gives, and never needs that rebuild.
    #[test]
    fn incremental_replay_equals_full_reload_after_every_commit() {
        for (seed, format) in [(1u64, FormatVersion::V16), (7, FormatVersion::V17)] {
            FALLBACKS.with(|f| f.set(0));
            let mut leader = Database::new(format);
            let mut follower = Database::new(format);
            let mut env = SeededEnv::new(seed, 1_700_000_000_000_000);
            let mut session = Session::new();
            let mut pick = Pick(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let setup = [
                "CREATE TABLE t (id SERIAL PRIMARY KEY, name TEXT, n INTEGER NOT NULL DEFAULT 0)",
                "CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER)",
            ];
            let mut commits = 0;
            for step in 0..2000 {
                let sql = match setup.get(step) {
                    Some(s) => s.to_string(),
                    None => statement(&mut pick, step),
                };
                if step % 37 == 0 {
                    leader.checkpoint();
                }
                let Ok(report) =
                    leader.execute(&mut session, &sql, &mut env, &ExecOptions::default())
                else {
                    continue;
                };
                if let Err(e) = leader.check_invariants() {
                    panic!("leader after {sql:?} (step {step}): {e}");
                }
                let Some(commit) = report.commit else {
                    continue;
                };
                commits += 1;
                follower.apply(&commit.changes).expect("replay");
                let full = load(format, &follower.pages).expect("the pages load");
                assert_eq!(follower.derived, full, "after {sql:?} (step {step})");
                assert!(
                    compare_pages(&leader, &follower).identical(),
                    "after {sql:?}"
                );
            }
            assert!(commits > 500, "only {commits} commits");
            assert_eq!(FALLBACKS.with(Cell::get), 0, "the incremental path gave up");
            assert!(leader.derived.catalog.tables.len() > 10);
            assert!(follower.page_count() > 50);
            follower.check_invariants().expect("follower invariants");
        }
    }

    /// A replay the pages do not check out after leaves everything as it was, derived state
    /// included, whichever path noticed.
    #[test]
    fn a_replay_that_breaks_a_chain_changes_nothing() {
        let mut db = Database::new(FormatVersion::V16);
        let mut env = SeededEnv::new(3, 0);
        db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT)", &mut env)
            .expect("create");
        for i in 0..40 {
            db.run(
                &format!("INSERT INTO t VALUES ({i}, 'row {i} of forty')"),
                &mut env,
            )
            .expect("insert");
        }
        let before = db.clone();
        // Point the table's first page at page 0 (the catalog root) instead of its successor.
        let mut page = Page::clone(&db.pages[1]);
        page.set_next_page(Some(0));
        page.refresh_checksum(1);
        let changes = PageChanges {
            format: db.format,
            start: db.wal_end,
            end: db.wal_end.advance(300),
            commit_lsn: db.wal_end.advance(280),
            records: vec![WalRecord {
                lsn: db.wal_end,
                change: PageChange::FullPage {
                    page: 1,
                    image: page.bytes().to_vec(),
                },
            }],
        };
        let err = db.apply(&changes).expect_err("a broken chain");
        assert!(err.message.contains("two chains"), "{}", err.message);
        assert_eq!(db.pages, before.pages);
        assert_eq!(db.derived, before.derived);
        db.check_invariants().expect("still sane");
    }

    // ---- concurrent sessions ----

    fn setup() -> (Database, SeededEnv) {
        let mut db = Database::new(FormatVersion::V16);
        let mut env = SeededEnv::new(11, 0);
        db.run(
            "CREATE TABLE t (id SERIAL PRIMARY KEY, s TEXT, n INTEGER NOT NULL DEFAULT 0)",
            &mut env,
        )
        .expect("create");
        for i in 1..=3 {
            db.run(&format!("INSERT INTO t (s) VALUES ('row {i}')"), &mut env)
                .expect("insert");
        }
        (db, env)
    }

    fn go(db: &mut Database, s: &mut Session, env: &mut SeededEnv, sql: &str) -> StatementReport {
        db.execute(s, sql, env, &ExecOptions::default())
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn fails(db: &mut Database, s: &mut Session, env: &mut SeededEnv, sql: &str) -> SqlError {
        match db.execute(s, sql, env, &ExecOptions::default()) {
            Ok(_) => panic!("{sql} should not have run"),
            Err(e) => e,
        }
    }

    fn names(db: &mut Database, s: &mut Session, env: &mut SeededEnv) -> Vec<String> {
        let r = go(db, s, env, "SELECT s FROM t ORDER BY id");
        r.result
            .expect("rows")
            .rows
            .iter()
            .map(|row| row[0].to_string())
            .collect()
    }

    #[test]
    fn interleaved_transactions_on_different_rows_both_commit_and_replay_byte_for_byte() {
        let (mut db, mut env) = setup();
        let mut follower = db.clone();
        follower.reset_sessions();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(&mut db, &mut b, &mut env, "BEGIN");
        let ia = go(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (s) VALUES ('from A')",
        );
        let ib = go(
            &mut db,
            &mut b,
            &mut env,
            "INSERT INTO t (s) VALUES ('from B')",
        );
        assert_eq!(ia.context.insert_id, Some(4));
        assert_eq!(
            ib.context.insert_id,
            Some(5),
            "sequences are not transactional"
        );
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A was here' WHERE id = 1",
        );
        go(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET s = 'B was here' WHERE id = 2",
        );
        // A does not see B's uncommitted row.
        assert!(!names(&mut db, &mut a, &mut env).contains(&"from B".to_string()));
        let cb = go(&mut db, &mut b, &mut env, "COMMIT")
            .commit
            .expect("B commits");
        follower.apply(&cb.changes).expect("replay B");
        // READ COMMITTED: A's next statement sees B's commit.
        assert!(names(&mut db, &mut a, &mut env).contains(&"from B".to_string()));
        let ca = go(&mut db, &mut a, &mut env, "COMMIT")
            .commit
            .expect("A commits");
        follower.apply(&ca.changes).expect("replay A");
        assert_eq!(
            names(&mut db, &mut Session::new(), &mut env),
            ["A was here", "B was here", "row 3", "from A", "from B"]
        );
        assert!(compare_pages(&db, &follower).identical());
        db.check_invariants().expect("leader");
        follower.check_invariants().expect("follower");
        let mut c = Session::new();
        let next = go(
            &mut db,
            &mut c,
            &mut env,
            "INSERT INTO t (s) VALUES ('next')",
        );
        assert_eq!(next.context.insert_id, Some(6));
    }

    #[test]
    fn a_second_writer_of_a_row_waits_then_sees_the_first_ones_value() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET n = n + 10 WHERE id = 1",
        );
        go(&mut db, &mut b, &mut env, "BEGIN");
        go(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET n = n + 1 WHERE id = 3",
        );
        let e = fails(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET n = n + 1 WHERE id = 1",
        );
        assert_eq!(e.kind, ErrorKind::LockWait);
        let (pb, xa) = (b.pid().expect("pid"), a.xid().expect("xid"));
        assert_eq!(db.waiting_for(pb), Some(xa));
        assert!(e.message.contains(&format!("transaction {xa}")), "{e}");
        // Still waiting while A is open; B's earlier work is intact.
        assert_eq!(
            fails(
                &mut db,
                &mut b,
                &mut env,
                "UPDATE t SET n = n + 1 WHERE id = 1"
            )
            .kind,
            ErrorKind::LockWait
        );
        go(&mut db, &mut a, &mut env, "COMMIT");
        assert!(!db.transaction_open(xa));
        let r = go(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET n = n + 1 WHERE id = 1",
        );
        assert_eq!(r.rows_affected, 1);
        assert_eq!(db.waiting_for(pb), None);
        go(&mut db, &mut b, &mut env, "COMMIT");
        let row = |db: &Database, id| db.row("t", &Value::Integer(id)).expect("row")[2].clone();
        assert_eq!(row(&db, 1), Value::Integer(11), "A's +10 and B's +1");
        assert_eq!(row(&db, 3), Value::Integer(1));
        db.check_invariants().expect("sane");
    }

    #[test]
    fn a_waiting_update_rechecks_its_where_clause_against_the_committed_row() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'shipped' WHERE id = 2",
        );
        let sql = "UPDATE t SET s = 'cancelled' WHERE id = 2 AND s = 'row 2'";
        assert_eq!(
            fails(&mut db, &mut b, &mut env, sql).kind,
            ErrorKind::LockWait
        );
        go(&mut db, &mut a, &mut env, "COMMIT");
        assert_eq!(go(&mut db, &mut b, &mut env, sql).rows_affected, 0);
        assert_eq!(
            db.row("t", &Value::Integer(2)).expect("row")[1],
            Value::Text("shipped".into())
        );
    }

    #[test]
    fn two_inserts_of_one_key_wait_then_collide_or_succeed() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (id, s) VALUES (50, 'A')",
        );
        let sql = "INSERT INTO t (id, s) VALUES (50, 'B')";
        assert_eq!(
            fails(&mut db, &mut b, &mut env, sql).kind,
            ErrorKind::LockWait
        );
        go(&mut db, &mut a, &mut env, "ROLLBACK");
        go(&mut db, &mut b, &mut env, sql);
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (id, s) VALUES (60, 'A')",
        );
        let sql = "INSERT INTO t (id, s) VALUES (60, 'B')";
        assert_eq!(
            fails(&mut db, &mut b, &mut env, sql).kind,
            ErrorKind::LockWait
        );
        go(&mut db, &mut a, &mut env, "COMMIT");
        assert_eq!(
            fails(&mut db, &mut b, &mut env, sql).kind,
            ErrorKind::DuplicateKey
        );
    }

    #[test]
    fn a_cycle_of_waits_is_a_deadlock_and_rolls_back_the_one_that_closed_it() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(&mut db, &mut b, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 1",
        );
        go(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET s = 'B' WHERE id = 2",
        );
        let waits = fails(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 2",
        );
        assert_eq!(waits.kind, ErrorKind::LockWait);
        let e = fails(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET s = 'B' WHERE id = 1",
        );
        assert_eq!(e.kind, ErrorKind::Deadlock);
        assert!(
            e.message
                .starts_with("deadlock detected\nDETAIL:  Process "),
            "{e}"
        );
        assert_eq!(
            e.message
                .matches("waits for ShareLock on transaction")
                .count(),
            2
        );
        // B was rolled back; under PostgreSQL (the default) its block stays open, aborted.
        assert_eq!(b.xid(), None, "B's transaction is gone");
        assert!(b.aborted() && b.in_transaction());
        // A now gets B's row.
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 2",
        );
        go(&mut db, &mut a, &mut env, "COMMIT");
        assert_eq!(
            fails(&mut db, &mut b, &mut env, "SELECT s FROM t").kind,
            ErrorKind::TransactionAborted
        );
        go(&mut db, &mut b, &mut env, "ROLLBACK");
        assert_eq!(
            names(&mut db, &mut b, &mut env),
            ["A", "A", "row 3"],
            "B's change is gone"
        );
    }

    #[test]
    fn innodb_ends_a_deadlock_victims_transaction_and_leaves_no_block_open() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        b.set_on_error(OnError::RollbackStatement);
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(&mut db, &mut b, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 1",
        );
        go(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET s = 'B' WHERE id = 2",
        );
        fails(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 2",
        );
        let e = fails(
            &mut db,
            &mut b,
            &mut env,
            "UPDATE t SET s = 'B' WHERE id = 1",
        );
        assert_eq!(e.kind, ErrorKind::Deadlock);
        assert!(!b.in_transaction() && !b.aborted());
        // B's next statement runs in autocommit and commits by itself.
        let r = go(&mut db, &mut b, &mut env, "UPDATE t SET n = 9 WHERE id = 3");
        assert!(r.commit.is_some() && !r.in_transaction);
    }

    #[test]
    fn an_error_aborts_a_postgresql_transaction_and_frees_its_rows_at_once() {
        let (mut db, mut env) = setup();
        let before = db.rows("t").expect("rows");
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'A' WHERE id = 1",
        );
        // B waits for A's row.
        let waits = "UPDATE t SET s = 'B' WHERE id = 1";
        assert_eq!(
            fails(&mut db, &mut b, &mut env, waits).kind,
            ErrorKind::LockWait
        );
        let xa = a.xid().expect("xid");
        let e = fails(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (id, s) VALUES (2, 'dup')",
        );
        assert_eq!(e.kind, ErrorKind::DuplicateKey);
        assert!(a.aborted() && a.in_transaction() && a.xid().is_none());
        assert!(!db.transaction_open(xa), "its locks went with the error");
        // The waiter goes on now, and sees the row as it was before A.
        assert_eq!(go(&mut db, &mut b, &mut env, waits).rows_affected, 1);
        for sql in [
            "SELECT s FROM t",
            "UPDATE t SET n = 1 WHERE id = 3",
            "BEGIN",
        ] {
            let e = fails(&mut db, &mut a, &mut env, sql);
            assert_eq!(e.kind, ErrorKind::TransactionAborted, "{sql}");
            assert_eq!(
                e.to_string(),
                "current transaction is aborted, commands ignored until end of transaction block"
            );
        }
        // PostgreSQL parses first: a syntax error is still a syntax error.
        assert_eq!(
            fails(&mut db, &mut a, &mut env, "SELEC 1").kind,
            ErrorKind::Syntax
        );
        // COMMIT ends the block as a ROLLBACK: nothing of A is committed.
        let c = go(&mut db, &mut a, &mut env, "COMMIT");
        assert_eq!(c.kind, StatementKind::Rollback);
        assert!(c.commit.is_none() && !c.in_transaction);
        assert!(!a.in_transaction() && !a.aborted());
        let mut expected = before.clone();
        expected[0][1] = Value::Text("B".into());
        assert_eq!(db.rows("t").expect("rows"), expected);
        // The session works again.
        go(&mut db, &mut a, &mut env, "UPDATE t SET n = 2 WHERE id = 3");
        db.check_invariants().expect("sane");
    }

    #[test]
    fn rollback_ends_an_aborted_block_and_an_error_outside_a_block_aborts_nothing() {
        let (mut db, mut env) = setup();
        let mut a = Session::new();
        fails(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (id, s) VALUES (1, 'dup')",
        );
        assert!(!a.in_transaction() && !a.aborted());
        go(&mut db, &mut a, &mut env, "BEGIN");
        fails(&mut db, &mut a, &mut env, "SELECT nope FROM t");
        assert!(a.aborted());
        assert_eq!(
            go(&mut db, &mut a, &mut env, "ROLLBACK").kind,
            StatementKind::Rollback
        );
        assert!(!a.aborted());
        go(&mut db, &mut a, &mut env, "BEGIN");
        // BEGIN inside a block is refused without aborting it (PostgreSQL only warns).
        fails(&mut db, &mut a, &mut env, "BEGIN");
        assert!(!a.aborted());
        go(&mut db, &mut a, &mut env, "UPDATE t SET n = 4 WHERE id = 2");
        assert!(go(&mut db, &mut a, &mut env, "COMMIT").commit.is_some());
    }

    /// A failed statement in a transaction that had grown rows, moved rows and new pages is
    /// undone exactly (the statement's undo record, not a copy of the overlay): the commit
    /// holds the other statements' work only, the free-space map and indexes equal a rebuild,
    /// and a WAL follower ends byte-identical.
    #[test]
    fn a_failed_statement_undoes_its_new_pages_moves_and_keys_exactly() {
        let (mut db, mut env) = setup();
        let mut follower = db.clone();
        let mut reference = db.clone();
        let mut a = Session::new();
        a.set_on_error(OnError::RollbackStatement);
        let batch = |from: i64, to: i64| {
            let rows: Vec<String> = (from..=to).map(|i| format!("({i}, 'row {i}')")).collect();
            format!("INSERT INTO t (id, s) VALUES {}", rows.join(", "))
        };
        let long = "UPDATE t SET s = 'a much longer text than before, so it moves' WHERE id <= 20";
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(&mut db, &mut a, &mut env, &batch(10, 40));
        // Many new rows (new pages), a moved row, then a duplicate key: all undone.
        let e = fails(
            &mut db,
            &mut a,
            &mut env,
            &format!("{}, (3, 'dup')", batch(41, 120)),
        );
        assert_eq!(e.kind, ErrorKind::DuplicateKey);
        let e = fails(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET id = 2, s = 'a much longer text than before, so it moves' WHERE id = 1",
        );
        assert_eq!(e.kind, ErrorKind::DuplicateKey);
        go(&mut db, &mut a, &mut env, long);
        go(&mut db, &mut a, &mut env, &batch(121, 130));
        let commit = go(&mut db, &mut a, &mut env, "COMMIT")
            .commit
            .expect("commit");
        db.check_invariants().expect("leader");
        follower.apply(&commit.changes).expect("replay");
        follower.check_invariants().expect("follower");
        for n in 0..db.page_count() {
            assert_eq!(db.page(n), follower.page(n), "page {n}");
        }
        // The same statements without the failed ones give the same pages.
        for sql in [batch(10, 40), long.to_string(), batch(121, 130)] {
            let mut s = Session::new();
            go(&mut reference, &mut s, &mut env, &sql);
        }
        let keys: Vec<i64> = db
            .rows("t")
            .expect("rows")
            .iter()
            .filter_map(|r| match r[0] {
                Value::Integer(i) => Some(i),
                _ => None,
            })
            .collect();
        let mut expected: Vec<i64> = (1..=3).chain(10..=40).chain(121..=130).collect();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(db.rows("t").ok(), reference.rows("t").ok());
        assert_eq!(db.page_count(), reference.page_count());
    }

    /// A CREATE TABLE that must wait leaves no trace once undone: a commit without it derives
    /// no index for the table that was not made, and one that makes it again (same table id,
    /// same page number) commits and replays exactly. The holder rolls back, so the waiting
    /// transaction goes on with its overlay (a commit would make it start from a fresh one).
    #[test]
    fn a_create_table_that_waits_is_undone_without_a_trace() {
        let create = "CREATE TABLE u (id INTEGER PRIMARY KEY, s TEXT)";
        let fill: Vec<String> = (1..=40).map(|i| format!("({i}, 'row {i} of u')")).collect();
        let fill = format!("INSERT INTO u (id, s) VALUES {}", fill.join(", "));
        for make_it_again in [false, true] {
            let (mut db, mut env) = setup();
            let mut follower = db.clone();
            let (mut a, mut b) = (Session::new(), Session::new());
            go(&mut db, &mut a, &mut env, "BEGIN");
            go(&mut db, &mut a, &mut env, "UPDATE t SET n = 1 WHERE id = 1");
            go(&mut db, &mut b, &mut env, "BEGIN");
            go(
                &mut db,
                &mut b,
                &mut env,
                "INSERT INTO t (s) VALUES ('from b')",
            );
            let pages_before = db.page_count();
            assert_eq!(
                fails(&mut db, &mut b, &mut env, create).kind,
                ErrorKind::LockWait
            );
            go(&mut db, &mut a, &mut env, "ROLLBACK");
            if make_it_again {
                go(&mut db, &mut b, &mut env, create);
                go(&mut db, &mut b, &mut env, &fill);
            }
            let b_commit = go(&mut db, &mut b, &mut env, "COMMIT").commit.expect("b");
            db.check_invariants().expect("leader");
            assert_eq!(db.rows("u").is_ok(), make_it_again);
            if make_it_again {
                assert_eq!(db.rows("u").expect("u").len(), 40);
                assert!(db.page_count() > pages_before + 1, "u took new pages");
            } else {
                assert_eq!(db.page_count(), pages_before);
            }
            follower.apply(&b_commit.changes).expect("replay");
            follower.check_invariants().expect("follower");
            for n in 0..db.page_count() {
                assert_eq!(db.page(n), follower.page(n), "page {n}");
            }
        }
    }

    /// Replay checks chains without walking them when they were only extended: a commit
    /// whose new pages link anywhere else is refused (nothing changes) or, if the result is
    /// a valid database after all, its derived state equals a rebuild.
    #[test]
    fn a_replay_whose_new_pages_link_elsewhere_is_refused_or_sane() {
        let (mut db, mut env) = setup();
        let follower = db.clone();
        let rows: Vec<String> = (10..60).map(|i| format!("({i}, 'row {i}')")).collect();
        let sql = format!("INSERT INTO t (id, s) VALUES {}", rows.join(", "));
        let commit = db
            .run(&sql, &mut env)
            .expect("insert")
            .commit
            .expect("commit");
        let old = follower.page_count();
        let new = db.page_count();
        assert!(new > old + 1, "the commit adds pages");
        let mut refused = 0;
        for rec in 0..commit.changes.records.len() {
            for to in [
                None,
                Some(0),
                Some(1),
                Some(old - 1),
                Some(old),
                Some(old + 1),
                Some(new - 1),
                Some(new),
            ] {
                let mut changes = commit.changes.clone();
                let PageChange::FullPage { page: n, image } = &mut changes.records[rec].change
                else {
                    continue;
                };
                let mut p = Page::new(FormatVersion::V16, PageKind::Heap, 0);
                p.write_bytes(0, image);
                if p.next_page() == to {
                    continue;
                }
                p.set_next_page(to);
                p.refresh_checksum(*n);
                *image = p.bytes().to_vec();
                let mut f = follower.clone();
                match f.apply(&changes) {
                    Ok(()) => f.check_invariants().expect("accepted, so sane"),
                    Err(_) => {
                        refused += 1;
                        assert_eq!(f.page_count(), old);
                        for k in 0..old {
                            assert_eq!(f.page(k), follower.page(k));
                        }
                    }
                }
            }
        }
        assert!(refused > 0, "some of these break a chain");
    }

    /// The free-space map is derived state: a stale entry is caught by `check_invariants`.
    #[test]
    fn check_invariants_catches_a_stale_free_space_map() {
        let (mut db, _env) = setup();
        db.check_invariants().expect("sane");
        let heap = (0..db.page_count())
            .find(|&n| {
                db.page_view(n)
                    .is_some_and(|p| p.kind() == Some(PageKind::Heap))
            })
            .expect("a heap page");
        Arc::make_mut(&mut db.derived.free).set(heap, None);
        assert!(db.check_invariants().is_err());
    }

    #[test]
    fn innodb_undoes_only_the_failed_statement() {
        let (mut db, mut env) = setup();
        let mut a = Session::new();
        a.set_on_error(OnError::RollbackStatement);
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'kept' WHERE id = 1",
        );
        let e = fails(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (id, s) VALUES (2, 'dup')",
        );
        assert_eq!(e.kind, ErrorKind::DuplicateKey);
        assert!(a.in_transaction() && !a.aborted() && a.xid().is_some());
        go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'also' WHERE id = 3",
        );
        let c = go(&mut db, &mut a, &mut env, "COMMIT");
        assert_eq!(c.kind, StatementKind::Commit);
        assert_eq!(c.commit.expect("committed").row_changes.len(), 2);
        assert_eq!(names(&mut db, &mut a, &mut env), ["kept", "row 2", "also"]);
    }

    #[test]
    fn ddl_waits_for_open_writers() {
        let (mut db, mut env) = setup();
        let (mut a, mut b) = (Session::new(), Session::new());
        go(&mut db, &mut a, &mut env, "BEGIN");
        go(&mut db, &mut a, &mut env, "DELETE FROM t WHERE id = 3");
        let ddl = "CREATE TABLE u (k INTEGER PRIMARY KEY)";
        assert_eq!(
            fails(&mut db, &mut b, &mut env, ddl).kind,
            ErrorKind::LockWait
        );
        assert!(db.schema("u").is_none());
        go(&mut db, &mut a, &mut env, "COMMIT");
        go(&mut db, &mut b, &mut env, ddl);
        assert!(db.schema("u").is_some());
    }

    #[test]
    fn a_hidden_commit_is_invisible_to_others_and_keeps_its_rows_locked() {
        let (mut db, mut env) = setup();
        let mut follower = db.clone();
        follower.reset_sessions();
        let (mut a, mut b) = (Session::new(), Session::new());
        let c = go(
            &mut db,
            &mut a,
            &mut env,
            "INSERT INTO t (s) VALUES ('waits')",
        );
        follower
            .apply(&c.commit.expect("commit").changes)
            .expect("replay");
        let c = go(
            &mut db,
            &mut a,
            &mut env,
            "UPDATE t SET s = 'hidden' WHERE id = 1",
        );
        follower
            .apply(&c.commit.expect("commit").changes)
            .expect("replay");
        let xid = db.hide_last_commit().expect("hidden");
        // (only the last commit is hidden: 'waits' was made visible at once)
        assert_eq!(db.hidden_commits(), [xid]);
        assert_eq!(
            names(&mut db, &mut b, &mut env),
            ["row 1", "row 2", "row 3", "waits"]
        );
        // The pages (and a follower) have it.
        assert_eq!(
            follower.row("t", &Value::Integer(1)).expect("row")[1],
            Value::Text("hidden".into())
        );
        // A writer of that row waits; other rows are free, and its commit is a rebase.
        go(&mut db, &mut b, &mut env, "BEGIN");
        go(&mut db, &mut b, &mut env, "UPDATE t SET n = 7 WHERE id = 2");
        assert_eq!(
            fails(&mut db, &mut b, &mut env, "UPDATE t SET n = 7 WHERE id = 1").kind,
            ErrorKind::LockWait
        );
        let cb = go(&mut db, &mut b, &mut env, "COMMIT")
            .commit
            .expect("commit");
        follower.apply(&cb.changes).expect("replay");
        assert!(compare_pages(&db, &follower).identical());
        assert_eq!(
            db.row("t", &Value::Integer(1)).expect("row")[1],
            Value::Text("hidden".into()),
            "B's commit kept the hidden change"
        );
        assert!(db.reveal(xid));
        assert_eq!(
            names(&mut db, &mut b, &mut env),
            ["hidden", "row 2", "row 3", "waits"]
        );
        go(&mut db, &mut b, &mut env, "UPDATE t SET n = 7 WHERE id = 1");
        db.check_invariants().expect("sane");
    }

    #[test]
    fn repeatable_read_selects_keep_their_snapshot_and_see_their_own_changes() {
        for (isolation, sees_later_commit) in [
            (Isolation::ReadCommitted, true),
            (Isolation::RepeatableRead, false),
        ] {
            let (mut db, mut env) = setup();
            let (mut a, mut b) = (Session::new(), Session::new());
            a.set_isolation(isolation);
            go(&mut db, &mut a, &mut env, "BEGIN");
            assert_eq!(names(&mut db, &mut a, &mut env).len(), 3);
            go(
                &mut db,
                &mut b,
                &mut env,
                "INSERT INTO t (s) VALUES ('from B')",
            );
            go(
                &mut db,
                &mut b,
                &mut env,
                "UPDATE t SET s = 'B' WHERE id = 1",
            );
            go(
                &mut db,
                &mut a,
                &mut env,
                "UPDATE t SET s = 'A' WHERE id = 2",
            );
            let seen = names(&mut db, &mut a, &mut env);
            assert_eq!(
                seen.contains(&"from B".to_string()),
                sees_later_commit,
                "{isolation:?}"
            );
            assert_eq!(seen[1], "A", "{isolation:?}: its own change");
            assert_eq!(
                seen[0] == "B",
                sees_later_commit,
                "{isolation:?}: another session's committed update"
            );
            // A write reads the latest row (InnoDB's locking read), and COMMIT keeps both.
            go(&mut db, &mut a, &mut env, "UPDATE t SET n = 5 WHERE id = 1");
            go(&mut db, &mut a, &mut env, "COMMIT");
            let after = names(&mut db, &mut a, &mut env);
            assert_eq!(after, ["B", "A", "row 3", "from B"], "{isolation:?}");
            db.check_invariants().expect("sane");
        }
    }
}
