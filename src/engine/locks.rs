//! Row-level locks between the sessions of one database: who holds which row, who waits for
//! whom (and whether that wait closes a cycle: a deadlock), the database-wide lock DDL takes,
//! the sequence values already handed out, and commits that are durable but not yet visible to
//! other sessions (a commit waiting for its synchronous standby).
//!
//! Plain volatile data: a crash loses it, as a real server loses its lock manager. How a
//! statement uses it (execute, then take the locks of the rows it changed, or report whom it
//! waits for and change nothing) is in [`super::database`].
//!
//! # Simplifications, said once
//! - A lock is taken on a row's primary key (old and new key for an UPDATE that moves it); a
//!   statement that would change a locked row waits for the holder's whole transaction, as
//!   PostgreSQL waits on the holder's transaction id (`Lock` / `transactionid`).
//! - DDL takes a database-wide exclusive lock: it waits until no other transaction holds a row
//!   lock, and writes of other transactions wait while it is held.

use super::report::{RowChange, RowOp};
use super::small_map::SmallMap;
use super::value::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The first transaction id handed out (PostgreSQL's are in the hundreds on a fresh cluster).
const FIRST_XID: u64 = 750;
/// The first backend process id handed out.
const FIRST_PID: u32 = 9400;

/// A lockable row: its table (lower-cased) and primary key.
pub type RowKey = (String, Value);

/// A commit that is durable but not yet visible to other sessions: the row changes to undo
/// for them, in the order they were made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HiddenCommit {
    pub xid: u64,
    pub pid: u32,
    pub row_changes: Vec<RowChange>,
}

/// Why a statement did not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Conflict {
    /// It waits for transaction `holder` (of process `holder_pid`) to end.
    Wait { holder: u64, holder_pid: u32 },
    /// Waiting would close a cycle: the waits, starting with the statement's own.
    Deadlock(Vec<Wait>),
}

/// One edge of the waits-for graph, for the deadlock report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub pid: u32,
    pub holder: u64,
    pub holder_pid: u32,
}

/// The lock manager's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locks {
    next_xid: u64,
    next_pid: u32,
    /// Row locks: the transaction holding each.
    rows: BTreeMap<RowKey, u64>,
    /// The transaction holding the database-wide DDL lock.
    ddl: Option<u64>,
    /// Transactions that may hold locks (open ones and hidden commits), with their process.
    owners: SmallMap<u64, u32>,
    /// Processes whose statement waits, and for which transaction.
    waits: SmallMap<u32, u64>,
    /// Commits not yet visible to other sessions, in commit order.
    pub(super) hidden: Vec<HiddenCommit>,
    /// Bumped whenever `hidden` changes, so a session can tell its view is stale.
    pub(super) epoch: u64,
    /// Per table, the next AUTO_INCREMENT / SERIAL value not yet handed out by any session
    /// (sequences are not transactional: a value handed out is never handed out again).
    sequences: SmallMap<String, i64>,
    /// The last commit's transaction, process and row changes (so the caller can hide it).
    pub(super) last_commit: Option<HiddenCommit>,
}

impl Default for Locks {
    fn default() -> Self {
        Locks {
            next_xid: FIRST_XID,
            next_pid: FIRST_PID,
            rows: BTreeMap::new(),
            ddl: None,
            owners: SmallMap::default(),
            waits: SmallMap::default(),
            hidden: Vec::new(),
            epoch: 0,
            sequences: SmallMap::default(),
            last_commit: None,
        }
    }
}

/// The rows a change touches: its key, and its new key if an UPDATE moved it.
pub fn keys_of(change: &RowChange) -> Vec<RowKey> {
    let table = change.table.to_ascii_lowercase();
    let mut keys = vec![(table.clone(), change.key.clone())];
    if change.op == RowOp::Update {
        let at = change
            .columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(&change.key_column));
        if let Some(new) = at.and_then(|i| change.after.as_ref()?.get(i)) {
            if new != &change.key {
                keys.push((table, new.clone()));
            }
        }
    }
    keys
}

impl Locks {
    /// A new backend process id.
    pub fn new_pid(&mut self) -> u32 {
        let pid = self.next_pid;
        self.next_pid += 1;
        pid
    }

    /// Starts a transaction for process `pid`.
    pub fn begin(&mut self, pid: u32) -> u64 {
        let xid = self.next_xid;
        self.next_xid += 1;
        self.owners.insert(xid, pid);
        xid
    }

    /// Whether transaction `xid` still holds (or may hold) locks.
    pub fn is_open(&self, xid: u64) -> bool {
        self.owners.contains_key(&xid)
    }

    /// Which transaction (other than `me`) stands in the way of changing these rows, or of DDL.
    fn holder(&self, me: Option<u64>, keys: &[RowKey], ddl: bool) -> Option<u64> {
        let other = |x: &u64| Some(*x) != me;
        if let Some(x) = self.ddl.filter(other) {
            return Some(x);
        }
        if ddl {
            return self.rows.values().copied().find(other);
        }
        keys.iter()
            .filter_map(|k| self.rows.get(k).copied())
            .find(other)
    }

    /// Process `pid` (in transaction `me`, if any) wants these rows (or the DDL lock). Takes
    /// them, or says whom it waits for (recording the wait), or reports a deadlock (recording
    /// nothing).
    pub fn acquire(
        &mut self,
        pid: u32,
        me: Option<u64>,
        keys: &[RowKey],
        ddl: bool,
    ) -> Result<(), Conflict> {
        let Some(holder) = self.holder(me, keys, ddl) else {
            self.waits.remove(&pid);
            if let Some(me) = me {
                for k in keys {
                    self.rows.insert(k.clone(), me);
                }
                if ddl {
                    self.ddl = Some(me);
                }
            }
            return Ok(());
        };
        let holder_pid = self.owners.get(&holder).copied().unwrap_or(0);
        // Follow the waits-for chain from the holder: back to us is a deadlock.
        let mut cycle = vec![Wait {
            pid,
            holder,
            holder_pid,
        }];
        let mut at = holder_pid;
        let mut seen = BTreeSet::new();
        while let Some(&next) = self.waits.get(&at) {
            if !seen.insert(at) {
                break;
            }
            let next_pid = self.owners.get(&next).copied().unwrap_or(0);
            cycle.push(Wait {
                pid: at,
                holder: next,
                holder_pid: next_pid,
            });
            if next_pid == pid {
                self.waits.remove(&pid);
                return Err(Conflict::Deadlock(cycle));
            }
            at = next_pid;
        }
        self.waits.insert(pid, holder);
        Err(Conflict::Wait { holder, holder_pid })
    }

    /// Process `pid` stopped waiting (its statement ran, failed or was abandoned).
    pub fn stop_waiting(&mut self, pid: u32) {
        self.waits.remove(&pid);
    }

    /// The transaction process `pid` waits for, if it waits.
    pub fn waiting_for(&self, pid: u32) -> Option<u64> {
        self.waits.get(&pid).copied()
    }

    /// Transaction `xid` ended: its locks go.
    pub fn release(&mut self, xid: u64) {
        self.rows.retain(|_, x| *x != xid);
        if self.ddl == Some(xid) {
            self.ddl = None;
        }
        self.owners.remove(&xid);
    }

    /// Every open transaction ended (their connections are gone); hidden commits keep theirs.
    pub fn release_open(&mut self) {
        let open: Vec<u64> = self
            .owners
            .keys()
            .copied()
            .filter(|&x| !self.hidden.iter().any(|h| h.xid == x))
            .collect();
        for xid in open {
            self.release(xid);
        }
        self.waits.clear();
    }

    /// Keys of `table` locked by some transaction (rows it changed and has not made visible).
    pub fn locked_keys(&self, table: &str) -> Vec<Value> {
        let table = table.to_ascii_lowercase();
        self.rows
            .keys()
            .filter(|(t, _)| *t == table)
            .map(|(_, k)| k.clone())
            .collect()
    }

    /// Whether any transaction may hold locks or any process waits.
    pub fn busy(&self) -> bool {
        !self.owners.is_empty() || !self.waits.is_empty() || !self.hidden.is_empty()
    }

    /// A crash: locks, waits and hidden commits are gone; counters and sequences stay.
    pub fn reset(&mut self) {
        *self = Locks {
            next_xid: self.next_xid,
            next_pid: self.next_pid,
            sequences: std::mem::take(&mut self.sequences),
            ..Locks::default()
        };
    }

    /// Makes a just-made commit invisible to other sessions, its rows still locked.
    pub fn hide(&mut self, commit: HiddenCommit) {
        self.owners.insert(commit.xid, commit.pid);
        for change in &commit.row_changes {
            for k in keys_of(change) {
                self.rows.insert(k, commit.xid);
            }
        }
        self.hidden.push(commit);
        self.epoch += 1;
    }

    /// Makes a hidden commit visible and releases its locks. Whether it was hidden.
    pub fn reveal(&mut self, xid: u64) -> bool {
        let Some(at) = self.hidden.iter().position(|h| h.xid == xid) else {
            return false;
        };
        self.hidden.remove(at);
        self.release(xid);
        self.epoch += 1;
        true
    }

    /// The next value table `table`'s sequence hands out, if a session already moved it.
    pub fn sequence(&self, table: &str) -> Option<i64> {
        self.sequences.get(&table.to_ascii_lowercase()).copied()
    }

    /// Records that `table`'s sequence has handed out everything below `next`.
    pub fn advance_sequence(&mut self, table: &str, next: i64) {
        let table = table.to_ascii_lowercase();
        let next = self.sequences.get(&table).map_or(next, |&n| n.max(next));
        self.sequences.insert(table, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i64) -> Vec<RowKey> {
        vec![("t".into(), Value::Integer(n))]
    }

    #[test]
    fn a_second_writer_waits_and_a_cycle_is_a_deadlock() {
        let mut l = Locks::default();
        let (pa, pb) = (l.new_pid(), l.new_pid());
        let (a, b) = (l.begin(pa), l.begin(pb));
        assert_eq!(l.acquire(pa, Some(a), &key(1), false), Ok(()));
        assert_eq!(l.acquire(pb, Some(b), &key(2), false), Ok(()));
        assert_eq!(
            l.acquire(pb, Some(b), &key(1), false),
            Err(Conflict::Wait {
                holder: a,
                holder_pid: pa
            })
        );
        assert_eq!(l.waiting_for(pb), Some(a));
        match l.acquire(pa, Some(a), &key(2), false) {
            Err(Conflict::Deadlock(cycle)) => {
                assert_eq!(cycle.len(), 2);
                assert_eq!((cycle[0].pid, cycle[0].holder), (pa, b));
                assert_eq!((cycle[1].pid, cycle[1].holder), (pb, a));
            }
            other => panic!("expected a deadlock, got {other:?}"),
        }
        // A ends: B's row is free.
        l.release(a);
        assert_eq!(l.acquire(pb, Some(b), &key(1), false), Ok(()));
        assert_eq!(l.waiting_for(pb), None);
    }

    #[test]
    fn ddl_waits_for_every_row_lock_and_blocks_writers() {
        let mut l = Locks::default();
        let (pa, pb) = (l.new_pid(), l.new_pid());
        let (a, b) = (l.begin(pa), l.begin(pb));
        l.acquire(pa, Some(a), &key(1), false).expect("row");
        assert!(matches!(
            l.acquire(pb, Some(b), &[], true),
            Err(Conflict::Wait { holder, .. }) if holder == a
        ));
        l.release(a);
        l.acquire(pb, Some(b), &[], true).expect("ddl lock");
        let c = l.begin(pa);
        assert!(matches!(
            l.acquire(pa, Some(c), &key(9), false),
            Err(Conflict::Wait { holder, .. }) if holder == b
        ));
    }

    #[test]
    fn a_hidden_commit_keeps_its_locks_until_revealed() {
        let mut l = Locks::default();
        let (pa, pb) = (l.new_pid(), l.new_pid());
        let a = l.begin(pa);
        l.release(a);
        let change = RowChange {
            table: "T".into(),
            op: RowOp::Update,
            key_column: "id".into(),
            key: Value::Integer(1),
            columns: vec!["id".into()],
            before: Some(vec![Value::Integer(1)]),
            after: Some(vec![Value::Integer(2)]),
        };
        assert_eq!(keys_of(&change).len(), 2, "old and new key");
        l.hide(HiddenCommit {
            xid: a,
            pid: pa,
            row_changes: vec![change],
        });
        let b = l.begin(pb);
        assert!(l.acquire(pb, Some(b), &key(2), false).is_err());
        l.release_open();
        assert!(l.is_open(a), "a hidden commit outlives its connection");
        assert!(l.reveal(a));
        assert!(!l.reveal(a));
        let b = l.begin(pb);
        assert_eq!(l.acquire(pb, Some(b), &key(2), false), Ok(()));
    }
}
