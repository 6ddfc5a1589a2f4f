//! Physical change records: what a commit did to pages, byte ranges or full-page images, and
//! where they sit in the node's write-ahead log. An [`Lsn`] is a byte position in that log.
//!
//! Knows pages as byte arrays only; says nothing about rows, SQL or the network.

use super::page::{FormatVersion, PAGE_SIZE};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where the log starts on a fresh database (PostgreSQL's first segment begins near here too).
pub const WAL_START: u64 = 0x0100_0000;
/// Bytes a byte-range record takes besides its data (length, kind, page, offset).
pub const WRITE_RECORD_HEADER: u64 = 12;
/// Bytes a full-page record takes besides the image.
pub const FULL_PAGE_RECORD_HEADER: u64 = 8;
/// Bytes of the commit record that ends every committed transaction.
pub const COMMIT_RECORD_SIZE: u64 = 16;
/// Bytes of a checkpoint record.
pub const CHECKPOINT_RECORD_SIZE: u64 = 32;
/// Changed runs separated by fewer unchanged bytes than this are sent as one range: a record
/// header costs about as much as that many bytes.
const MERGE_GAP: usize = WRITE_RECORD_HEADER as usize;

/// A log sequence number: a byte position in a node's WAL. Displays as PostgreSQL does,
/// `0/016B3748` (see [`Lsn::unpadded`] for `0/16B3748`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Lsn(pub u64);

impl Lsn {
    /// `0/16B3748`: the older, unpadded PostgreSQL spelling.
    pub fn unpadded(self) -> String {
        format!("{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }

    pub fn advance(self, bytes: u64) -> Lsn {
        Lsn(self.0.saturating_add(bytes))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:X}/{:08X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// One physical change to one page.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WalRecord {
    pub lsn: Lsn,
    pub change: PageChange,
}

/// Everything one commit wrote: what a WAL-shipping follower replays with
/// [`Database::apply`](super::Database::apply). `start..end` is the WAL range the commit's
/// records occupy, the last [`COMMIT_RECORD_SIZE`] bytes of it (from `commit_lsn`) being the
/// commit record.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
