//! `pg_waldump` output (PostgreSQL 16 style) for the lab's WAL: one line per record with
//! its resource manager, lengths, transaction id, LSN and the previous record's LSN.
//!
//! The lab's WAL holds byte-range writes and full-page images, not PostgreSQL's heap and
//! btree operations, so the rendering says so in a `# lab:` header and maps honestly:
//! - a byte-range write prints as `rmgr: Heap ... desc: WRITE off: <offset>, len: <n>`;
//! - a full-page image prints as PostgreSQL prints one (`rmgr: XLOG ... desc: FPI , blkref
//!   #0: ... FPW`);
//! - the commit record prints as `rmgr: Transaction ... desc: COMMIT <timestamp> UTC`, the
//!   time with six fractional digits as pg_waldump prints it;
//! - a checkpoint between two commits prints as `rmgr: XLOG ... desc: CHECKPOINT_ONLINE`
//!   (shortened: the lab has no OIDs or multixacts to report).
//!
//! Record sizes and positions are PostgreSQL's (see [`crate::engine::wal`]): 24-byte record
//! headers, 34-byte commit records, records 8-byte aligned after each page header. `prev` is
//! the previous record's LSN even for the first line shown, when the caller passes the entry
//! before the first one shown.
//!
//! The lab keeps every page in one data file, so every block reference names one relation,
//! [`LAB_RELATION`] (tablespace 1663 `pg_default`, database 16384, relfilenode 16385 — the
//! numbers a fresh PostgreSQL cluster gives its first user database and table), with the
//! lab's page number as the block number.
//!
//! Knows WAL records only: not rows, not the network, not the UI.

use super::text::civil_time;
use crate::engine::wal::{
    CHECKPOINT_RECORD_SIZE, COMMIT_RECORD_SIZE, FULL_PAGE_RECORD_HEADER, WAL_LONG_PAGE_HEADER,
    WAL_START, WRITE_RECORD_HEADER,
};
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

/// `2026-11-26 09:31:07.104211 UTC`: a commit time as pg_waldump prints it (always six
/// fractional digits, unlike psql's trimmed timestamps).
pub fn waldump_time(micros: i64) -> String {
    let t = civil_time(micros);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06} UTC",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros
    )
}

/// At most this many checkpoint records are looked for between two commits.
const MAX_CHECKPOINTS_BETWEEN: usize = 64;

/// The checkpoint records the lab wrote between `after` (where the previous commit's WAL
/// ended) and `before` (where the next one's starts): the only records it writes outside
/// commits. Empty when the gap is not a whole number of checkpoint records.
fn checkpoints_between(after: Lsn, before: Lsn) -> Vec<Lsn> {
    let mut found = Vec::new();
    let mut at = after;
    while at < before && found.len() < MAX_CHECKPOINTS_BETWEEN {
        found.push(at);
        at = at.advance(CHECKPOINT_RECORD_SIZE);
    }
    if at == before {
        found
    } else {
        Vec::new()
    }
}

fn checkpoint_line(lsn: Lsn, prev: Lsn, term: u32, next_xid: u64) -> String {
    line(
        "XLOG",
        CHECKPOINT_RECORD_SIZE,
        CHECKPOINT_RECORD_SIZE,
        0,
        lsn,
        prev,
        &format!(
            "CHECKPOINT_ONLINE redo {}; tli {term}; prev tli {term}; fpw true; xid 0:{next_xid}; \
             oldest running xid {next_xid}; online",
            lsn.unpadded()
        ),
    )
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
        &format!("COMMIT {}", waldump_time(committed_at)),
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
/// the record before it (entries that are not WAL are skipped).
pub fn render_entries(entries: &[LogEntry]) -> Vec<String> {
    render_entries_after(None, entries)
}

/// [`render_entries`] for a window of a longer log: `before` is the entry just before the
/// first one shown, so that the first line's `prev` names the record before it, as
/// pg_waldump prints it. Checkpoint records between two commits shown print in their place.
pub fn render_entries_after(before: Option<&LogEntry>, entries: &[LogEntry]) -> Vec<String> {
    // The previous commit's last record and where its WAL ended.
    let last: Option<(Lsn, Lsn)> = before.and_then(|e| match &e.payload {
        Payload::Wal(changes) => Some((changes.commit_lsn, changes.end)),
        _ => None,
    });
    render_chain(last, entries)
}

/// [`render_entries`] when the record before the first one shown is known only by its LSN
/// (the first entry of a log whose earlier WAL — the schema, a base backup — is not in it).
pub fn render_entries_with_prev(prev: Option<Lsn>, entries: &[LogEntry]) -> Vec<String> {
    let start = entries.iter().find_map(|e| match &e.payload {
        Payload::Wal(changes) => Some(changes.start),
        _ => None,
    });
    render_chain(prev.zip(start), entries)
}

/// The record that ends where `start` begins: the checkpoint at `checkpoint` if it does,
/// else the commit record every lab transaction ends with (the only other record the lab
/// writes); `None` at the very start of the WAL.
pub fn record_before(start: Lsn, checkpoint: Option<Lsn>) -> Option<Lsn> {
    if start.0 <= WAL_START {
        return None;
    }
    if let Some(c) = checkpoint.filter(|c| c.advance(CHECKPOINT_RECORD_SIZE) == start) {
        return Some(c);
    }
    let farthest = COMMIT_RECORD_SIZE + 8 + WAL_LONG_PAGE_HEADER;
    (COMMIT_RECORD_SIZE..=farthest)
        .filter_map(|back| start.0.checked_sub(back))
        .filter(|p| p % 8 == 0)
        .find(|p| Lsn(*p).advance(COMMIT_RECORD_SIZE) == start)
        .map(Lsn)
}

fn render_chain(mut last: Option<(Lsn, Lsn)>, entries: &[LogEntry]) -> Vec<String> {
    let first = entries.iter().find_map(|e| match &e.payload {
        Payload::Wal(changes) => Some(changes),
        _ => None,
    });
    let mut out = header(first);
    let mut shown_any = false;
    for entry in entries {
        let Payload::Wal(changes) = &entry.payload else {
            continue;
        };
        let mut prev = None;
        if let Some((commit, end)) = last {
            prev = Some(commit);
            for checkpoint in checkpoints_between(end, changes.start) {
                if shown_any {
                    let before = prev.unwrap_or(commit);
                    out.push(checkpoint_line(checkpoint, before, entry.term, entry.xid));
                }
                prev = Some(checkpoint);
            }
        }
        let (lines, last_lsn) = records(changes, entry.xid, entry.committed_at, prev);
        out.extend(lines);
        last = Some((last_lsn, changes.end));
        shown_any = true;
    }
    out
}
