//! WAL shipping (PostgreSQL physical streaming replication): the log carries each commit's
//! page changes with their LSNs, and a standby replays them byte for byte — so it must run
//! the leader's storage format, and a base backup is a copy of every page
//! (`pg_basebackup`).
//!
//! Knows the engine and the log's shapes; nothing of servers or the network.

use crate::engine::{
    CommitReport, Database, FormatVersion, Lsn, PageChange, PageChanges, RowChange, WalRecord,
};
use crate::replication::log::{LogEntry, Payload};
use crate::replication::messages::SnapshotData;
use crate::replication::render::waldump;

use super::SNAPSHOT_CHUNK;

/// The tool whose output the log view shows.
pub const LOG_TOOL: &str = "pg_waldump";

/// PostgreSQL's refusal to run on a data directory of another storage format.
pub fn incompatible_format(theirs: FormatVersion, ours: FormatVersion) -> String {
    format!(
        "FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version {}, which is not compatible with this version {}.",
        theirs.number(),
        ours.number()
    )
}

// ------------------------------------------------------------------ capture and apply

/// A commit's page changes as an entry's payload, at their own LSNs (nothing for a commit
/// that wrote no page).
pub fn capture(commit: &CommitReport) -> Option<(Payload, u64, u64)> {
    if commit.changes.records.is_empty() {
        return None;
    }
    let (start, end) = (commit.changes.start.0, commit.changes.end.0);
    Some((Payload::Wal(commit.changes.clone()), start, end))
}

/// Replays page changes into a standby's pages.
pub fn apply(db: &mut Database, changes: &PageChanges) -> Result<Vec<RowChange>, String> {
    db.apply(changes)
        .map(|()| Vec::new())
        .map_err(|e| format!("FATAL:  {e}"))
}

// ------------------------------------------------------------------ snapshot

/// Every page of `db` as full-page images, in chunks of [`SNAPSHOT_CHUNK`] pages.
pub fn base_backup(db: &Database) -> Vec<SnapshotData> {
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

/// Replays a base backup's pages into a new database of storage format `ours`.
pub fn install(db: &mut Database, pages: &PageChanges, ours: FormatVersion) -> Result<(), String> {
    if pages.format != ours {
        return Err(incompatible_format(pages.format, ours));
    }
    db.apply(pages).map_err(|e| format!("FATAL:  {e}"))
}

// ------------------------------------------------------------------ position and render

/// Where the log starts on a database: the end of its WAL.
pub fn log_start(db: &Database) -> u64 {
    db.wal_end().0
}

/// An LSN as pg_waldump writes it (`0/016B3748`).
pub fn format_position(bytes: u64) -> String {
    Lsn(bytes).to_string()
}

/// An LSN as SQL functions and views print it (`0/16B3748`).
pub fn sql_position(bytes: u64) -> String {
    Lsn(bytes).unpadded()
}

/// An entry through `pg_waldump`.
pub fn render(entry: &LogEntry) -> Vec<String> {
    waldump::render(entry, None)
}
