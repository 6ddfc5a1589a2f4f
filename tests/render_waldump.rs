//! pg_waldump renderings: record lines in PostgreSQL 16 shape, full-page images as XLOG FPI,
//! the commit record, and `prev` chained record to record and entry to entry.

use replication_lab::engine::wal::{COMMIT_RECORD_SIZE, WAL_START};
use replication_lab::engine::{FormatVersion, Lsn, PageChange, PageChanges, WalRecord, PAGE_SIZE};
use replication_lab::replication::config::Method;
use replication_lab::replication::log::{LogEntry, Payload};
use replication_lab::replication::render::render_entry;
use replication_lab::replication::render::waldump::{render_entries, LAB_RELATION};

const COMMITTED_AT: i64 = 1_795_685_467_104_211;

/// A commit whose records sit back to back from `start`, then its commit record.
fn commit(start: u64, changes: Vec<PageChange>) -> PageChanges {
    let mut lsn = start;
    let records: Vec<WalRecord> = changes
        .into_iter()
        .map(|change| {
            let record = WalRecord {
                lsn: Lsn(lsn),
                change,
            };
            lsn += record.change.wal_size();
            record
        })
        .collect();
    PageChanges {
        format: FormatVersion::V16,
        start: Lsn(start),
        end: Lsn(lsn + COMMIT_RECORD_SIZE),
        commit_lsn: Lsn(lsn),
        records,
    }
}

fn wal_entry(xid: u64, changes: PageChanges) -> LogEntry {
    LogEntry {
        index: 1,
        term: 1,
        xid,
        committed_at: COMMITTED_AT,
        start: changes.start.0,
        end: changes.end.0,
        payload: Payload::Wal(changes),
    }
}

#[test]
fn records_read_like_pg_waldump() {
    let changes = commit(
        0x016B_3748,
        vec![
            PageChange::FullPage {
                page: 2,
                image: vec![0; PAGE_SIZE],
            },
            PageChange::Write {
                page: 2,
                offset: 40,
                bytes: vec![1; 47],
            },
        ],
    );
    let lines = render_entry(Method::Wal, &wal_entry(748, changes));
    assert!(lines[0].starts_with("# lab: "));
    assert!(lines[0].contains(LAB_RELATION));
    assert_eq!(
        lines[1],
        "# lab: pages in storage format V16: a standby must run the same format to replay them"
    );
    assert_eq!(
        &lines[2..],
        &[
            "rmgr: XLOG        len (rec/tot):      8/   264, tx:        748, lsn: 0/016B3748, prev 0/00000000, desc: FPI , blkref #0: rel 1663/16384/16385 blk 2 FPW",
            "rmgr: Heap        len (rec/tot):     59/    59, tx:        748, lsn: 0/016B3850, prev 0/016B3748, desc: WRITE off: 40, len: 47, blkref #0: rel 1663/16384/16385 blk 2",
            "rmgr: Transaction len (rec/tot):     16/    16, tx:        748, lsn: 0/016B388B, prev 0/016B3850, desc: COMMIT 2026-11-26 09:31:07.104211 UTC",
        ]
    );
}

#[test]
fn prev_chains_across_entries() {
    let first = commit(
        WAL_START,
        vec![PageChange::Write {
            page: 1,
            offset: 24,
            bytes: vec![7; 20],
        }],
    );
    let second = commit(
        first.end.0,
        vec![
            PageChange::Write {
                page: 1,
                offset: 60,
                bytes: vec![7; 3],
            },
            PageChange::Write {
                page: 3,
                offset: 200,
                bytes: vec![9; 5],
            },
        ],
    );
    let first_commit = first.commit_lsn;
    let lines = render_entries(&[wal_entry(748, first), wal_entry(749, second)]);
    let records: Vec<&String> = lines.iter().filter(|l| l.starts_with("rmgr: ")).collect();
    assert_eq!(records.len(), 5);
    let field = |line: &str, name: &str| -> String {
        line.split(name)
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    for pair in records.windows(2) {
        assert_eq!(field(pair[1], "prev "), field(pair[0], "lsn: "));
    }
    assert_eq!(field(records[1], "lsn: "), first_commit.to_string());
    assert!(records[2].contains("tx:        749"));
    // Only one header, above all records.
    assert_eq!(lines.iter().filter(|l| l.starts_with('#')).count(), 2);
}

#[test]
fn an_empty_commit_is_just_its_commit_record() {
    let changes = commit(WAL_START, vec![]);
    let lines = render_entry(Method::Wal, &wal_entry(1, changes));
    assert_eq!(
        lines.last().unwrap(),
        "rmgr: Transaction len (rec/tot):     16/    16, tx:          1, lsn: 0/01000000, prev 0/00000000, desc: COMMIT 2026-11-26 09:31:07.104211 UTC"
    );
}

#[test]
fn non_wal_entries_render_without_panicking() {
    let entry = LogEntry {
        index: 1,
        term: 1,
        xid: 1,
        committed_at: 0,
        start: 0,
        end: 0,
        payload: Payload::Rows(vec![]),
    };
    assert_eq!(
        replication_lab::replication::render::waldump::render(&entry, None).len(),
        1
    );
    assert!(render_entries(&[entry]).iter().all(|l| l.starts_with('#')));
}
