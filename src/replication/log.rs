//! The replication log: what a leader ships, one entry per committed transaction, in the shape
//! of the method that ships it. The renderings (`mysqlbinlog`, `pg_waldump`, `test_decoding`,
//! `sl_log_1`) and the followers read the same entries, so what is shown is what is applied.
//!
//! An entry's position is its `index` (1, 2, 3, ...) within the leader's history; `end` is the
//! byte position after it in the log as the real tool would count it (an LSN for WAL and
//! logical decoding, a binlog offset for statements), so lag can be shown in bytes too.
//!
//! Knows nothing of the network or the UI.

use core::fmt;
use core::ops::Deref;
use std::sync::Arc;

use crate::engine::{PageChanges, RowChange, UnsafeReason};

/// Where a binary log starts: MySQL's first event follows the 4-byte magic and a format
/// description event.
pub const BINLOG_START: u64 = 4 + 120;

/// The one binary log file the lab's statement-based leader writes.
pub const BINLOG_FILE: &str = "binlog.000001";

/// A statement as a statement-based log carries it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LoggedStatement {
    /// The SQL text as the client sent it.
    pub sql: String,
    /// MySQL's context events, when the method logs them.
    pub context: Option<StatementContext>,
    /// Why MySQL would call it unsafe (logged anyway, with warning 1592).
    pub unsafe_reasons: Vec<UnsafeReason>,
}

/// The context events MySQL writes before a statement so that it replays with the leader's
/// values: `SET TIMESTAMP`, `SET INSERT_ID`, `SET @@RAND_SEED1/2`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct StatementContext {
    /// The statement's start time on the leader (microseconds since the epoch).
    pub timestamp: Option<i64>,
    /// The first auto-increment id the statement used.
    pub insert_id: Option<i64>,
    /// The two RAND() seeds.
    pub rand_seeds: Option<(u64, u64)>,
}

/// What one log entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Payload {
    /// Statement-based: the transaction's statements, in order.
    Statements(Vec<LoggedStatement>),
    /// WAL shipping: the page changes of the commit.
    Wal(PageChanges),
    /// Logical: the row changes of the commit (FULL images; MINIMAL is derived when shipped
    /// and rendered).
    Rows(Vec<RowChange>),
}

/// One committed transaction in the leader's replication log.
///
/// A cheap handle: cloning shares the entry. One entry lives in the leader's log, in the
/// entries messages to each follower, in each server's durable write and in each follower's
/// log — and the trace keeps the messages and writes for the whole session — so copies
/// would multiply a long history's memory by the number of places an entry passes through.
/// It reads as its [`LogEntryData`] (`entry.index`, `entry.payload`), and hashes, compares,
/// prints and serializes exactly as that data does, so the trace is unchanged.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LogEntry(Arc<LogEntryData>);

impl LogEntry {
    pub fn new(data: LogEntryData) -> LogEntry {
        LogEntry(Arc::new(data))
    }

    /// The entry's data to change, copied first if it is shared (so no other holder sees
    /// the change).
    pub fn make_mut(&mut self) -> &mut LogEntryData {
        Arc::make_mut(&mut self.0)
    }
}

impl From<LogEntryData> for LogEntry {
    fn from(data: LogEntryData) -> Self {
        LogEntry::new(data)
    }
}

impl Deref for LogEntry {
    type Target = LogEntryData;

    fn deref(&self) -> &LogEntryData {
        &self.0
    }
}

// Printed as the entry itself (the golden trace's text names `LogEntry { index: .. }`).
impl fmt::Debug for LogEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &*self.0;
        f.debug_struct("LogEntry")
            .field("index", &e.index)
            .field("term", &e.term)
            .field("xid", &e.xid)
            .field("committed_at", &e.committed_at)
            .field("start", &e.start)
            .field("end", &e.end)
            .field("payload", &e.payload)
            .finish()
    }
}

/// What a [`LogEntry`] holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogEntryData {
    /// Position in the log: 1 for the first entry.
    pub index: u64,
    /// The leader's term (PostgreSQL's timeline) when it was written. A promoted follower
    /// starts a new term; entries of an old term past the point the new leader took over are
    /// the old leader's divergent tail.
    pub term: u32,
    /// The leader's transaction id.
    pub xid: u64,
    /// The leader's clock at commit (microseconds since the epoch), for the renderings.
    pub committed_at: i64,
    /// The byte position where the entry starts in the log.
    pub start: u64,
    /// The byte position after it.
    pub end: u64,
    pub payload: Payload,
}

impl LogEntryData {
    /// Bytes the entry takes in the log.
    pub fn bytes(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// The row changes it carries, when the payload has them.
    pub fn row_changes(&self) -> &[RowChange] {
        match &self.payload {
            Payload::Rows(changes) => changes,
            _ => &[],
        }
    }
}

/// How many bytes an entry takes, roughly as the real tool would write it: statements as
/// their text plus event headers, WAL as its records, rows as their images.
pub fn payload_bytes(payload: &Payload) -> u64 {
    /// A binlog event header (19 bytes) plus the Query event's fixed part.
    const EVENT_OVERHEAD: u64 = 19 + 13;
    match payload {
        Payload::Statements(statements) => {
            let mut total = 0;
            for s in statements {
                total += EVENT_OVERHEAD + s.sql.len() as u64;
                if let Some(context) = &s.context {
                    total += context.timestamp.map_or(0, |_| 8)
                        + context.insert_id.map_or(0, |_| EVENT_OVERHEAD)
                        + context.rand_seeds.map_or(0, |_| EVENT_OVERHEAD);
                }
            }
            // The Xid event that ends the transaction.
            total + 31
        }
        Payload::Wal(changes) => changes.wal_bytes().max(1),
        Payload::Rows(changes) => {
            let mut total = 0;
            for c in changes {
                let image = |values: &Option<Vec<crate::engine::Value>>| {
                    values.as_ref().map_or(0, |vs| {
                        vs.iter().map(|v| v.to_string().len() as u64 + 2).sum()
                    })
                };
                total += 24 + c.table.len() as u64 + image(&c.before) + image(&c.after);
            }
            total.max(1)
        }
    }
}

/// The leader's history of terms, like PostgreSQL's timeline history files: term `t` ended
/// (was taken over) after entry `ended_after`. Used to find where a rejoining node's log
/// diverged from the new leader's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TermHistory {
    /// `(term, last index of that term)` for every term before the current one, ascending.
    pub ended: Vec<(u32, u64)>,
}

impl TermHistory {
    /// Given a node whose last entry is `(term, index)`, the index up to which its log agrees
    /// with this history's owner, whose log ends at `own_last`.
    pub fn common_prefix(&self, term: u32, index: u64, current_term: u32, own_last: u64) -> u64 {
        if term == current_term {
            return index.min(own_last);
        }
        match self.ended.iter().find(|(t, _)| *t == term) {
            Some((_, ended_after)) => index.min(*ended_after),
            // A term this leader never saw: nothing of it is shared beyond what came before.
            None => self
                .ended
                .iter()
                .filter(|(t, _)| *t < term)
                .map(|(_, e)| *e)
                .max()
                .unwrap_or(0)
                .min(index),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefix_follows_the_term_history() {
        let history = TermHistory {
            ended: vec![(1, 10), (2, 14)],
        };
        // Same term as the leader's current one: agrees up to its own end.
        assert_eq!(history.common_prefix(3, 16, 3, 20), 16);
        // An old leader of term 2 that wrote up to 17: the new leader took over after 14.
        assert_eq!(history.common_prefix(2, 17, 3, 20), 14);
        // A follower of term 1 that stopped at 9: nothing to discard.
        assert_eq!(history.common_prefix(1, 9, 3, 20), 9);
        // A term never seen (a split-brain leader's own): only what came before is shared.
        assert_eq!(history.common_prefix(5, 30, 3, 20), 14);
    }

    #[test]
    fn statement_payloads_grow_with_their_text_and_context() {
        let plain = Payload::Statements(vec![LoggedStatement {
            sql: "INSERT INTO t VALUES (1)".into(),
            context: None,
            unsafe_reasons: vec![],
        }]);
        let with_context = Payload::Statements(vec![LoggedStatement {
            sql: "INSERT INTO t VALUES (1)".into(),
            context: Some(StatementContext {
                timestamp: Some(1),
                insert_id: Some(8),
                rand_seeds: None,
            }),
            unsafe_reasons: vec![],
        }]);
        assert!(payload_bytes(&with_context) > payload_bytes(&plain));
    }
}
