//! pg_waldump renderings: record lines in PostgreSQL 16 shape, full-page images as XLOG FPI,
//! the commit record, records 8-byte aligned with PostgreSQL's sizes, and `prev` chained record
//! to record and entry to entry, the first line shown included.

use replication_lab::engine::wal::{CHECKPOINT_RECORD_SIZE, COMMIT_RECORD_SIZE, WAL_START};
use replication_lab::engine::{FormatVersion, Lsn, PageChange, PageChanges, WalRecord, PAGE_SIZE};
use replication_lab::replication::config::Method;
use replication_lab::replication::log::{LogEntry, LogEntryData, Payload};
use replication_lab::replication::render::render_entry;
use replication_lab::replication::render::waldump::{
    record_before, render_entries, render_entries_after, render_entries_with_prev, waldump_time,
    LAB_RELATION,
};

const COMMITTED_AT: i64 = 1_795_685_467_104_211;

/// A commit whose records sit one after the other from `start` as the engine lays them out
/// (aligned, past page headers), then its commit record.
fn commit(start: u64, changes: Vec<PageChange>) -> PageChanges {
    let mut lsn = Lsn(start);
    let records: Vec<WalRecord> = changes
        .into_iter()
        .map(|change| {
            let record = WalRecord { lsn, change };
            lsn = lsn.advance(record.change.wal_size());
            record
        })
        .collect();
    PageChanges {
        format: FormatVersion::V16,
        start: Lsn(start),
        end: lsn.advance(COMMIT_RECORD_SIZE),
        commit_lsn: lsn,
        records,
    }
}

fn wal_entry(xid: u64, changes: PageChanges) -> LogEntry {
    LogEntryData {
        index: 1,
        term: 1,
        xid,
        committed_at: COMMITTED_AT,
        start: changes.start.0,
        end: changes.end.0,
        payload: Payload::Wal(changes),
    }
    .into()
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
            // An FPI: 24-byte record header, 20-byte block reference, 5-byte image header.
            "rmgr: XLOG        len (rec/tot):     49/   305, tx:        748, lsn: 0/016B3748, prev 0/00000000, desc: FPI , blkref #0: rel 1663/16384/16385 blk 2 FPW",
            // 0x016B3748 + 305 = 0x016B3879, aligned up to 8.
            "rmgr: Heap        len (rec/tot):     97/    97, tx:        748, lsn: 0/016B3880, prev 0/016B3748, desc: WRITE off: 40, len: 47, blkref #0: rel 1663/16384/16385 blk 2",
            // 0x016B3880 + 97 = 0x016B38E1, aligned up; the commit record is 34 bytes.
            "rmgr: Transaction len (rec/tot):     34/    34, tx:        748, lsn: 0/016B38E8, prev 0/016B3880, desc: COMMIT 2026-11-26 09:31:07.104211 UTC",
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
        "rmgr: Transaction len (rec/tot):     34/    34, tx:          1, lsn: 0/01000028, prev 0/00000000, desc: COMMIT 2026-11-26 09:31:07.104211 UTC"
    );
}

#[test]
fn non_wal_entries_render_without_panicking() {
    let entry = LogEntryData {
        index: 1,
        term: 1,
        xid: 1,
        committed_at: 0,
        start: 0,
        end: 0,
        payload: Payload::Rows(vec![]),
    }
    .into();
    assert_eq!(
        replication_lab::replication::render::waldump::render(&entry, None).len(),
        1
    );
    assert!(render_entries(&[entry]).iter().all(|l| l.starts_with('#')));
}

#[test]
fn commit_times_print_six_fractional_digits() {
    assert_eq!(
        waldump_time(1_795_685_467_100_000),
        "2026-11-26 09:31:07.100000 UTC"
    );
    assert_eq!(
        waldump_time(1_795_685_467_000_000),
        "2026-11-26 09:31:07.000000 UTC"
    );
}

/// Three commits from the start of the WAL, a checkpoint between the second and the third.
fn three_commits() -> Vec<LogEntry> {
    let write = |page: u32, n: usize| PageChange::Write {
        page,
        offset: 40,
        bytes: vec![1; n],
    };
    let first = commit(WAL_START, vec![write(1, 13)]);
    let second = commit(first.end.0, vec![write(1, 5), write(2, 9)]);
    let checkpoint = second.end;
    let third = commit(
        checkpoint.advance(CHECKPOINT_RECORD_SIZE).0,
        vec![write(2, 3)],
    );
    vec![
        wal_entry(740, first),
        wal_entry(741, second),
        wal_entry(742, third),
    ]
}

fn field(line: &str, name: &str) -> String {
    line.split(name)
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn lsns_are_aligned_after_the_segment_header_and_prev_chains_through_a_checkpoint() {
    let entries = three_commits();
    let lines = render_entries(&entries);
    let records: Vec<&String> = lines.iter().filter(|l| l.starts_with("rmgr: ")).collect();
    // 2 + 3 + 1 checkpoint + 2.
    assert_eq!(records.len(), 8, "{lines:#?}");
    // The segment's first record right after the long page header.
    assert_eq!(field(records[0], "lsn: "), "0/01000028");
    for r in &records {
        let lsn = u64::from_str_radix(&field(r, "lsn: ").replace('/', ""), 16).unwrap();
        assert_eq!(lsn % 8, 0, "8-byte aligned: {r}");
    }
    for pair in records.windows(2) {
        assert_eq!(field(pair[1], "prev "), field(pair[0], "lsn: "));
    }
    assert!(
        records[5].starts_with("rmgr: XLOG        len (rec/tot):    114/   114, tx:          0,")
    );
    assert!(records[5].contains("desc: CHECKPOINT_ONLINE redo "));
}

#[test]
fn the_first_line_shown_names_the_record_before_it() {
    let entries = three_commits();
    // Showing only the third commit: its first record's prev is the checkpoint between.
    let lines = render_entries_after(Some(&entries[1]), &entries[2..]);
    let records: Vec<&String> = lines.iter().filter(|l| l.starts_with("rmgr: ")).collect();
    let Payload::Wal(second) = &entries[1].payload else {
        unreachable!()
    };
    assert_eq!(field(records[0], "prev "), second.end.to_string());
    assert_ne!(field(records[0], "prev "), "0/00000000");
    // Showing the last two: the second's first record names the first's commit record.
    let lines = render_entries_after(Some(&entries[0]), &entries[1..]);
    let first_shown = lines.iter().find(|l| l.starts_with("rmgr: ")).unwrap();
    let Payload::Wal(first) = &entries[0].payload else {
        unreachable!()
    };
    assert_eq!(field(first_shown, "prev "), first.commit_lsn.to_string());
}

#[test]
fn the_record_before_the_first_entry_is_found_by_where_it_ended() {
    assert_eq!(record_before(Lsn(WAL_START), None), None);
    // A commit record (34 bytes, aligned to 40) ends where the entry starts.
    assert_eq!(
        record_before(Lsn(0x0100_0250), None),
        Some(Lsn(0x0100_0228))
    );
    // Across a page header: a commit that ended at a page's end.
    let at = Lsn(0x0100_1FD8);
    assert_eq!(at.advance(COMMIT_RECORD_SIZE), Lsn(0x0100_2018));
    assert_eq!(record_before(Lsn(0x0100_2018), None), Some(at));
    // A checkpoint that ends there wins.
    let checkpoint = Lsn(0x0100_0300);
    let start = checkpoint.advance(CHECKPOINT_RECORD_SIZE);
    assert_eq!(record_before(start, Some(checkpoint)), Some(checkpoint));
    let entries = three_commits();
    let lines = render_entries_with_prev(Some(Lsn(0x0100_0000)), &entries[..1]);
    let first = lines.iter().find(|l| l.starts_with("rmgr: ")).unwrap();
    assert!(first.contains("prev 0/01000000,"), "{first}");
}
