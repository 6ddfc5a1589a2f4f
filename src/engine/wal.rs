//! Physical change records: what a commit did to pages, byte ranges or full-page images, and
//! where they sit in the node's write-ahead log. An [`Lsn`] is a byte position in that log.
//!
//! Knows pages as byte arrays only; says nothing about rows, SQL or the network.

use super::page::{FormatVersion, PAGE_SIZE};
use std::fmt;

/// Bytes of a WAL page (`XLOG_BLCKSZ`); every page starts with a page header.
pub const WAL_PAGE_SIZE: u64 = 8192;
/// Bytes of a WAL segment (`wal_segment_size`, 16 MB); its first page has the long header.
pub const WAL_SEGMENT_SIZE: u64 = 16 * 1024 * 1024;
/// `SizeOfXLogShortPHD`, MAXALIGNed: the header of a page inside a segment.
pub const WAL_SHORT_PAGE_HEADER: u64 = 24;
/// `SizeOfXLogLongPHD`, MAXALIGNed: the header of a segment's first page.
pub const WAL_LONG_PAGE_HEADER: u64 = 40;
/// Where the log starts on a fresh database: the first record of segment 1, right after its
/// long page header (PostgreSQL's records start at `…/xx000028` in a new segment).
pub const WAL_START: u64 = 0x0100_0000 + WAL_LONG_PAGE_HEADER;
/// `SizeOfXLogRecord`: the fixed header every record starts with.
pub const RECORD_HEADER: u64 = 24;
/// A block reference to one page of a relation: `XLogRecordBlockHeader` (4) plus
/// `RelFileLocator` (12) and the block number (4).
const BLOCK_REFERENCE: u64 = 4 + 12 + 4;
/// Bytes a byte-range record takes besides its data: the record header, one block
/// reference, the short main-data header (2) and the offset and length (2 + 2).
pub const WRITE_RECORD_HEADER: u64 = RECORD_HEADER + BLOCK_REFERENCE + 2 + 4;
/// Bytes a full-page record takes besides the image: the record header, one block reference
/// and its `XLogRecordBlockImageHeader` (5) — the `49` pg_waldump prints before `/ tot`.
pub const FULL_PAGE_RECORD_HEADER: u64 = RECORD_HEADER + BLOCK_REFERENCE + 5;
/// Bytes of the commit record that ends every committed transaction: the record header, the
/// short main-data header (2) and `xl_xact_commit`'s commit time (8) — PostgreSQL's 34 with
/// `wal_level=replica` and nothing to invalidate.
pub const COMMIT_RECORD_SIZE: u64 = RECORD_HEADER + 2 + 8;
/// Bytes of a checkpoint record (`CHECKPOINT_ONLINE`, 114 in PostgreSQL 15).
pub const CHECKPOINT_RECORD_SIZE: u64 = 114;
/// Changed runs separated by fewer unchanged bytes than this are sent as one range (about
/// what a small record's bookkeeping costs).
const MERGE_GAP: usize = 12;

/// The page header that starts at `position`, if a page starts there: 40 bytes at a segment's
/// start, 24 at any other page's.
fn page_header_at(position: u64) -> u64 {
    if position % WAL_SEGMENT_SIZE == 0 {
        WAL_LONG_PAGE_HEADER
    } else if position % WAL_PAGE_SIZE == 0 {
        WAL_SHORT_PAGE_HEADER
    } else {
        0
    }
}

/// A log sequence number: a byte position in a node's WAL. Displays as PostgreSQL does,
/// `0/016B3748` (see [`Lsn::unpadded`] for `0/16B3748`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Lsn(pub u64);

impl Lsn {
    /// `0/16B3748`: the older, unpadded PostgreSQL spelling.
    pub fn unpadded(self) -> String {
        format!("{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }

    /// Where the next record starts after a record of `bytes` bytes that starts here, as
    /// PostgreSQL lays records out: a record continues past a page boundary after the next
    /// page's header, and the next record starts 8-byte aligned (MAXALIGN), after a page
    /// header if it falls on a page boundary.
    pub fn advance(self, bytes: u64) -> Lsn {
        // Records are at most a few pages; anything absurd just adds (no loop of 2^50 pages).
        if bytes > WAL_SEGMENT_SIZE {
            return Lsn(self.0.saturating_add(bytes));
        }
        let mut position = self.0;
        position = position.saturating_add(page_header_at(position));
        let mut remaining = bytes;
        loop {
            let room = WAL_PAGE_SIZE - position % WAL_PAGE_SIZE;
            if remaining <= room {
                position = position.saturating_add(remaining);
                break;
            }
            remaining -= room;
            position = position.saturating_add(room);
            position = position.saturating_add(page_header_at(position));
        }
        position = position.saturating_add(7) & !7;
        position = position.saturating_add(page_header_at(position));
        Lsn(position)
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:08X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One physical change to one page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PageChange {
    /// Overwrite `bytes.len()` bytes at `offset`.
    Write {
        page: u32,
        offset: u16,
        bytes: Vec<u8>,
    },
    /// The whole page (first change after a checkpoint, or a new page).
    FullPage { page: u32, image: Vec<u8> },
}

impl PageChange {
    pub fn page(&self) -> u32 {
        match self {
            PageChange::Write { page, .. } | PageChange::FullPage { page, .. } => *page,
        }
    }

    /// Bytes this record occupies in the WAL.
    pub fn wal_size(&self) -> u64 {
        match self {
            PageChange::Write { bytes, .. } => WRITE_RECORD_HEADER + bytes.len() as u64,
            PageChange::FullPage { .. } => FULL_PAGE_RECORD_HEADER + PAGE_SIZE as u64,
        }
    }

    pub fn is_full_page(&self) -> bool {
        matches!(self, PageChange::FullPage { .. })
    }
}

/// A change and the LSN where its record starts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WalRecord {
    pub lsn: Lsn,
    pub change: PageChange,
}

/// Everything one commit wrote: what a WAL-shipping follower replays with
/// [`Database::apply`](super::Database::apply). `start..end` is the WAL range the commit's
/// records occupy, the last [`COMMIT_RECORD_SIZE`] bytes of it (from `commit_lsn`) being the
/// commit record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageChanges {
    pub format: FormatVersion,
    pub start: Lsn,
    pub end: Lsn,
    pub commit_lsn: Lsn,
    pub records: Vec<WalRecord>,
}

impl PageChanges {
    /// WAL bytes this commit takes.
    pub fn wal_bytes(&self) -> u64 {
        self.end.0.saturating_sub(self.start.0)
    }

    /// Distinct pages touched, ascending.
    pub fn pages(&self) -> Vec<u32> {
        let mut p: Vec<u32> = self.records.iter().map(|r| r.change.page()).collect();
        p.dedup();
        p
    }
}

/// The byte ranges where `new` differs from `old` (same length), nearby runs merged.
pub(crate) fn diff(old: &[u8], new: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < new.len() {
        if old.get(i) == Some(&new[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < new.len() && old.get(i) != Some(&new[i]) {
            i += 1;
        }
        match runs.last_mut() {
            Some(last) if start - last.1 < MERGE_GAP => last.1 = i,
            _ => runs.push((start, i)),
        }
    }
    runs.into_iter()
        .map(|(s, e)| (s as u16, new[s..e].to_vec()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_displays_like_postgres() {
        assert_eq!(Lsn(0x016B_3748).to_string(), "0/016B3748");
        assert_eq!(Lsn(0x016B_3748).unpadded(), "0/16B3748");
        assert_eq!(Lsn(0x1_0000_0001).to_string(), "1/00000001");
    }

    #[test]
    fn records_are_aligned_and_skip_page_headers() {
        assert_eq!(Lsn(WAL_START).to_string(), "0/01000028");
        // 8-byte alignment after each record.
        assert_eq!(Lsn(WAL_START).advance(34), Lsn(0x0100_0050));
        assert_eq!(Lsn(0x0100_0050).advance(48), Lsn(0x0100_0080));
        // A record that ends exactly at a page end: the next starts after the short header.
        assert_eq!(Lsn(0x0100_1FF0).advance(16), Lsn(0x0100_2018));
        // A record that crosses a page boundary continues after the page header.
        assert_eq!(Lsn(0x0100_1FF0).advance(34), Lsn(0x0100_2018 + 24));
        // A segment's first page has the long header.
        assert_eq!(Lsn(0x01FF_FFF0).advance(16), Lsn(0x0200_0028));
        assert_eq!(Lsn(0x0200_0000).advance(0), Lsn(0x0200_0028));
        // Total near the top of the range: no overflow, no panic.
        let _ = Lsn(u64::MAX - 3).advance(5);
        for start in [WAL_START, 0x0100_1F00, 0x01FF_FF00] {
            let mut at = Lsn(start);
            for size in [34, 49 + 256, 48 + 3, 114, 1, 7000] {
                let next = at.advance(size);
                assert_eq!(next.0 % 8, 0);
                assert!(next.0 % WAL_PAGE_SIZE >= WAL_SHORT_PAGE_HEADER);
                assert!(next.0 >= at.0 + size);
                at = next;
            }
        }
    }

    #[test]
    fn diff_finds_and_merges_runs() {
        let old = [0u8; 64];
        let mut new = old;
        new[3] = 1;
        new[5] = 1;
        new[40] = 2;
        assert_eq!(diff(&old, &new), vec![(3, vec![1, 0, 1]), (40, vec![2])]);
        assert!(diff(&old, &old).is_empty());
    }
}
