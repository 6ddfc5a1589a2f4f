//! `pg_waldump` output (PostgreSQL 16 style) for the lab's WAL: one line per record with
//! its resource manager, lengths, transaction id, LSN and the previous record's LSN.
//!
//! The lab's WAL holds byte-range writes and full-page images, not PostgreSQL's heap and
//! btree operations, so the rendering says so in a `# lab:` header and maps honestly:
//! - a byte-range write prints as `rmgr: Heap ... desc: WRITE off: <offset>, len: <n>`;
//! - a full-page image prints as PostgreSQL prints one (`rmgr: XLOG ... desc: FPI , blkref
//!   #0: ... FPW`);
//! - the commit record prints as `rmgr: Transaction ... desc: COMMIT <timestamp> UTC`.
//!
//! The lab keeps every page in one data file, so every block reference names one relation,
//! [`LAB_RELATION`] (tablespace 1663 `pg_default`, database 16384, relfilenode 16385 — the
//! numbers a fresh PostgreSQL cluster gives its first user database and table), with the
//! lab's page number as the block number.
//!
//! Knows WAL records only: not rows, not the network, not the UI.

use super::text::pg_timestamp;
use crate::engine::wal::{COMMIT_RECORD_SIZE, FULL_PAGE_RECORD_HEADER, WRITE_RECORD_HEADER};
use crate::engine::{Lsn, PageChange, PageChanges};
use crate::replication::log::{LogEntry, Payload};

/// The relation every lab page belongs to, as `pg_waldump` names it.
pub const LAB_RELATION: &str = "1663/16384/16385";

/// The `# lab:` lines that explain the mapping; print them once above the records.
pub fn header(changes: Option<&PageChanges>) -> Vec<String> {
    let mut out = vec![format!(
        "# lab: the lab's WAL logs page byte ranges and full-page images, not heap/btree \
         operations: byte writes show as Heap WRITE, page images as XLOG FPI; every page is \
         block <page> of rel {LAB_RELATION}"
    )];
    if let Some(changes) = changes {
        out.push(format!(
            "# lab: pages in storage format {}: a standby must run the same format to replay them",
            changes.format
        ));
    }
    out
}

fn line(rmgr: &str, rec: u64, tot: u64, xid: u64, lsn: Lsn, prev: Lsn, desc: &str) -> String {
    format!(
        "rmgr: {rmgr:<11} len (rec/tot): {rec:>6}/{tot:>6}, tx: {xid:>10}, lsn: {lsn}, prev {prev}, desc: {desc}"
    )
}

/// The records of one commit, then its commit record. `prev` is the LSN of the record before
/// the first one (the previous commit's commit record); `None` prints `0/00000000`.
/// Returns the lines and the LSN of the last record printed (the next call's `prev`).
pub fn records(
    changes: &PageChanges,
    xid: u64,
    committed_at: i64,
    prev: Option<Lsn>,
) -> (Vec<String>, Lsn) {
    let mut prev = prev.unwrap_or_default();
    let mut out = Vec::with_capacity(changes.records.len() + 1);
    for record in &changes.records {
        let text = match &record.change {
            PageChange::Write {
                page,
                offset,
                bytes,
            } => {
                let len = bytes.len() as u64;
                line(
                    "Heap",
                    WRITE_RECORD_HEADER + len,
                    WRITE_RECORD_HEADER + len,
                    xid,
                    record.lsn,
                    prev,
                    &format!(
                        "WRITE off: {offset}, len: {len}, blkref #0: rel {LAB_RELATION} blk {page}"
                    ),
                )
            }
            PageChange::FullPage { page, .. } => line(
                "XLOG",
                FULL_PAGE_RECORD_HEADER,
                record.change.wal_size(),
                xid,
                record.lsn,
                prev,
                &format!("FPI , blkref #0: rel {LAB_RELATION} blk {page} FPW"),
            ),
        };
        out.push(text);
        prev = record.lsn;
    }
    out.push(line(
        "Transaction",
        COMMIT_RECORD_SIZE,
        COMMIT_RECORD_SIZE,
        xid,
        changes.commit_lsn,
        prev,
        &format!("COMMIT {} UTC", pg_timestamp(committed_at)),
    ));
    (out, changes.commit_lsn)
}

/// One WAL entry as pg_waldump prints it, with the `# lab:` header.
pub fn render(entry: &LogEntry, prev: Option<Lsn>) -> Vec<String> {
    match &entry.payload {
        Payload::Wal(changes) => {
            let mut out = header(Some(changes));
            out.extend(records(changes, entry.xid, entry.committed_at, prev).0);
            out
        }
        _ => vec!["# lab: this entry carries no WAL records".into()],
    }
}

/// Several WAL entries in log order, the `prev` of each commit's first record chained to
/// the previous commit's commit record (entries that are not WAL are skipped).
pub fn render_entries(entries: &[LogEntry]) -> Vec<String> {
    let first = entries.iter().find_map(|e| match &e.payload {
        Payload::Wal(changes) => Some(changes),
        _ => None,
    });
    let mut out = header(first);
    let mut prev = None;
    for entry in entries {
        if let Payload::Wal(changes) = &entry.payload {
            let (lines, last) = records(changes, entry.xid, entry.committed_at, prev);
            out.extend(lines);
            prev = Some(last);
        }
    }
    out
}
