//! Fixed-size slotted pages, the only durable thing a lab database has.
//!
//! Layout (offsets differ by [`FormatVersion`], see [`Layout`]):
//!
//! ```text
//! +--------+-----------------+ ...free space... +---------+---------+
//! | header | slot 0 | slot 1 |                  | tuple 1 | tuple 0 |
//! +--------+-----------------+------------------+---------+---------+
//!          ^ header_size     ^ lower            ^ upper             ^ PAGE_SIZE
//! ```
//!
//! A slot is `(offset u16, length u16)`; offset 0 marks a dead slot (reusable). Tuples grow
//! down from the end of the page. The header holds the page LSN, a checksum, the page kind,
//! the owning table, the next page of the chain and the free-space pointers.
//!
//! This module knows bytes only: not what a tuple means, nor SQL, nor replication.

use std::fmt;

/// Bytes per page: small on purpose, so a handful of rows fill a page and page changes show.
pub const PAGE_SIZE: usize = 256;
/// Bytes per slot-array entry.
pub const SLOT_SIZE: usize = 4;
/// "No next page" in a chain.
pub const NO_PAGE: u32 = u32::MAX;

/// The on-disk format of a database. Two versions store the same rows in different bytes:
/// V17 has a longer page header (a magic word and a 32-bit table id) and a tuple header with an
/// attribute count and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FormatVersion {
    V16,
    V17,
}

impl FormatVersion {
    pub fn number(self) -> u8 {
        match self {
            FormatVersion::V16 => 16,
            FormatVersion::V17 => 17,
        }
    }

    pub(crate) fn layout(self) -> &'static Layout {
        match self {
            FormatVersion::V16 => &V16_LAYOUT,
            FormatVersion::V17 => &V17_LAYOUT,
        }
    }

    /// The largest tuple a page of this format can hold.
    pub fn max_tuple_size(self) -> usize {
        PAGE_SIZE - self.layout().header_size - SLOT_SIZE
    }
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "V{}", self.number())
    }
}

/// Byte offsets of the header fields for one format version.
#[derive(Debug)]
pub struct Layout {
    pub header_size: usize,
    pub magic: Option<(usize, [u8; 4])>,
    pub lsn: usize,
    pub checksum: usize,
    pub kind: usize,
    pub version: usize,
    pub table: usize,
    /// 2 (V16) or 4 (V17) bytes.
    pub table_width: usize,
    pub next: usize,
    pub slot_count: usize,
    pub lower: usize,
    pub upper: usize,
}

static V16_LAYOUT: Layout = Layout {
    header_size: 24,
    magic: None,
    lsn: 0,
    checksum: 8,
    kind: 10,
    version: 11,
    next: 12,
    slot_count: 16,
    lower: 18,
    upper: 20,
    table: 22,
    table_width: 2,
};

static V17_LAYOUT: Layout = Layout {
    header_size: 32,
    magic: Some((0, *b"RL17")),
    lsn: 4,
    checksum: 12,
    kind: 14,
    version: 15,
    table: 16,
    table_width: 4,
    next: 20,
    slot_count: 24,
    lower: 26,
    upper: 28,
};

/// What a page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// Table definitions (the catalog); page 0 is always one.
    Catalog,
    /// Rows of one table.
    Heap,
}

impl PageKind {
    fn tag(self) -> u8 {
        match self {
            PageKind::Catalog => 1,
            PageKind::Heap => 2,
        }
    }
}

/// One page: its bytes and the format they are in.
#[derive(Clone, PartialEq, Eq)]
pub struct Page {
    version: FormatVersion,
    bytes: [u8; PAGE_SIZE],
}

impl fmt::Debug for Page {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Page({}, {:?}, slots={}, lsn={})",
            self.version,
            self.kind(),
            self.slot_count(),
            self.lsn()
        )
    }
}

fn get_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

impl Page {
    /// An empty page of `kind` owned by `table` (0 for catalog pages).
    pub fn new(version: FormatVersion, kind: PageKind, table: u32) -> Page {
        let l = version.layout();
        let mut page = Page {
            version,
            bytes: [0; PAGE_SIZE],
        };
        if let Some((at, magic)) = l.magic {
            page.bytes[at..at + 4].copy_from_slice(&magic);
        }
        page.bytes[l.kind] = kind.tag();
        page.bytes[l.version] = version.number();
        page.set_table(table);
        page.set_next_page(None);
        page.set_lower(l.header_size as u16);
        page.set_upper(PAGE_SIZE as u16);
        page
    }

    /// A page from raw bytes (e.g. a full-page image from another node).
    pub fn from_bytes(version: FormatVersion, bytes: &[u8]) -> Option<Page> {
        let bytes: [u8; PAGE_SIZE] = bytes.try_into().ok()?;
        Some(Page { version, bytes })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn version(&self) -> FormatVersion {
        self.version
    }

    /// Whether `other` holds the same things: the same format and the same bytes apart from
    /// the page LSN and checksum, which say when and on which node the page was last written
    /// (a follower's pages carry its own LSNs under logical and statement-based replication).
    pub fn same_contents(&self, other: &Page) -> bool {
        if self.version != other.version {
            return false;
        }
        let l = self.layout();
        let (lsn, checksum) = (l.lsn..l.lsn + 8, l.checksum..l.checksum + 2);
        let (a, b) = (&self.bytes, &other.bytes);
        // The LSN and checksum are adjacent in both layouts: compare around them.
        let (skip_from, skip_to) = (lsn.start.min(checksum.start), lsn.end.max(checksum.end));
        a[..skip_from] == b[..skip_from] && a[skip_to..] == b[skip_to..]
    }

    fn layout(&self) -> &'static Layout {
        self.version.layout()
    }

    /// Overwrites raw bytes (physical replay). The caller checked the range.
    pub(crate) fn write_bytes(&mut self, offset: usize, data: &[u8]) {
        self.bytes[offset..offset + data.len()].copy_from_slice(data);
    }

    pub fn lsn(&self) -> u64 {
        let at = self.layout().lsn;
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.bytes[at..at + 8]);
        u64::from_le_bytes(b)
    }

    pub fn set_lsn(&mut self, lsn: u64) {
        let at = self.layout().lsn;
        self.bytes[at..at + 8].copy_from_slice(&lsn.to_le_bytes());
    }

    pub fn kind(&self) -> Option<PageKind> {
        match self.bytes[self.layout().kind] {
            1 => Some(PageKind::Catalog),
            2 => Some(PageKind::Heap),
            _ => None,
        }
    }

    pub fn table(&self) -> u32 {
        let l = self.layout();
        if l.table_width == 2 {
            u32::from(get_u16(&self.bytes, l.table))
        } else {
            get_u32(&self.bytes, l.table)
        }
    }

    fn set_table(&mut self, table: u32) {
        let l = self.layout();
        if l.table_width == 2 {
            put_u16(&mut self.bytes, l.table, table as u16);
        } else {
            put_u32(&mut self.bytes, l.table, table);
        }
    }

    pub fn next_page(&self) -> Option<u32> {
        match get_u32(&self.bytes, self.layout().next) {
            NO_PAGE => None,
            n => Some(n),
        }
    }

    pub fn set_next_page(&mut self, next: Option<u32>) {
        let at = self.layout().next;
        put_u32(&mut self.bytes, at, next.unwrap_or(NO_PAGE));
    }

    pub fn slot_count(&self) -> u16 {
        get_u16(&self.bytes, self.layout().slot_count)
    }

    fn set_slot_count(&mut self, n: u16) {
        let at = self.layout().slot_count;
        put_u16(&mut self.bytes, at, n);
    }

    /// End of the slot array (start of free space).
    pub fn lower(&self) -> u16 {
        get_u16(&self.bytes, self.layout().lower)
    }

    fn set_lower(&mut self, v: u16) {
        let at = self.layout().lower;
        put_u16(&mut self.bytes, at, v);
    }

    /// Start of the tuple area (end of free space).
    pub fn upper(&self) -> u16 {
        get_u16(&self.bytes, self.layout().upper)
    }

    fn set_upper(&mut self, v: u16) {
        let at = self.layout().upper;
        put_u16(&mut self.bytes, at, v);
    }

    fn slot_at(&self, slot: u16) -> usize {
        self.layout().header_size + usize::from(slot) * SLOT_SIZE
    }

    /// `(offset, length)` of a slot; offset 0 means dead.
    pub fn slot(&self, slot: u16) -> (u16, u16) {
        let at = self.slot_at(slot);
        if at + SLOT_SIZE > PAGE_SIZE {
            return (0, 0);
        }
        (get_u16(&self.bytes, at), get_u16(&self.bytes, at + 2))
    }

    fn set_slot(&mut self, slot: u16, offset: u16, len: u16) {
        let at = self.slot_at(slot);
        put_u16(&mut self.bytes, at, offset);
        put_u16(&mut self.bytes, at + 2, len);
    }

    /// The tuple in `slot`, if the slot exists, is live and points inside the page.
    pub fn tuple(&self, slot: u16) -> Option<&[u8]> {
        if slot >= self.slot_count() || self.slot_at(slot) + SLOT_SIZE > PAGE_SIZE {
            return None;
        }
        let (off, len) = self.slot(slot);
        let (off, len) = (usize::from(off), usize::from(len));
        if off == 0 || off + len > PAGE_SIZE {
            return None;
        }
        Some(&self.bytes[off..off + len])
    }

    /// Live tuples in slot order.
    pub fn tuples(&self) -> impl Iterator<Item = (u16, &[u8])> {
        (0..self.slot_count()).filter_map(move |s| self.tuple(s).map(|t| (s, t)))
    }

    fn live_bytes(&self) -> usize {
        self.tuples().map(|(_, t)| t.len()).sum()
    }

    fn first_dead_slot(&self) -> Option<u16> {
        (0..self.slot_count()).find(|&s| self.slot(s).0 == 0)
    }

    /// Free bytes if the page were compacted.
    pub fn total_free(&self) -> usize {
        PAGE_SIZE
            .saturating_sub(usize::from(self.lower()))
            .saturating_sub(self.live_bytes())
    }

    /// Whether a tuple of `len` bytes would fit (possibly after compaction).
    pub fn can_fit(&self, len: usize) -> bool {
        len != 0 && len <= self.room()
    }

    /// The longest tuple this page can take (0: none): free bytes, counting those of dead
    /// tuples (compaction reclaims them), less a new slot entry unless a dead slot can be
    /// reused. What the free-space map records per heap page.
    pub fn room(&self) -> usize {
        // One pass over the slots: `first_dead_slot` and `live_bytes` together.
        let mut dead = false;
        let mut live = 0;
        for s in 0..self.slot_count() {
            let (off, l) = self.slot(s);
            let (off, l) = (usize::from(off), usize::from(l));
            if off == 0 {
                dead = true;
            } else if off + l <= PAGE_SIZE {
                live += l;
            }
        }
        let slot_cost = if dead { 0 } else { SLOT_SIZE };
        PAGE_SIZE
            .saturating_sub(usize::from(self.lower()))
            .saturating_sub(live)
            .saturating_sub(slot_cost)
    }

    /// Stores a tuple, compacting if needed; returns its slot or `None` when it does not fit.
    pub fn insert(&mut self, tuple: &[u8]) -> Option<u16> {
        if !self.can_fit(tuple.len()) {
            return None;
        }
        // Make room first: a new slot entry must not be written over a tuple that only
        // compaction would move out of its way.
        let slot_cost = if self.first_dead_slot().is_some() {
            0
        } else {
            SLOT_SIZE
        };
        if usize::from(self.upper()) < usize::from(self.lower()) + slot_cost + tuple.len() {
            self.compact();
        }
        let slot = match self.first_dead_slot() {
            Some(s) => s,
            None => {
                let s = self.slot_count();
                self.set_slot_count(s + 1);
                self.set_lower(self.lower() + SLOT_SIZE as u16);
                self.set_slot(s, 0, 0);
                s
            }
        };
        let off = self.upper() - tuple.len() as u16;
        self.write_bytes(usize::from(off), tuple);
        self.set_upper(off);
        self.set_slot(slot, off, tuple.len() as u16);
        Some(slot)
    }

    /// Marks a slot dead; trailing dead slots are trimmed from the slot array.
    pub fn delete(&mut self, slot: u16) {
        if slot >= self.slot_count() {
            return;
        }
        self.set_slot(slot, 0, 0);
        while self.slot_count() > 0 && self.slot(self.slot_count() - 1).0 == 0 {
            let n = self.slot_count() - 1;
            self.set_slot_count(n);
            self.set_lower(self.lower() - SLOT_SIZE as u16);
            // Clear the trimmed slot so the free space reads as zeros.
            self.set_slot(n, 0, 0);
        }
        if self.slot_count() == 0 {
            self.set_upper(PAGE_SIZE as u16);
        }
    }

    /// Replaces the tuple in `slot`, keeping the slot number. In place when the new tuple is not
    /// longer; otherwise moved within the page. Returns `false` (page unchanged) if it cannot fit.
    pub fn replace(&mut self, slot: u16, tuple: &[u8]) -> bool {
        let Some(old) = self.tuple(slot) else {
            return false;
        };
        let old_len = old.len();
        let (off, _) = self.slot(slot);
        if tuple.len() <= old_len {
            self.write_bytes(usize::from(off), tuple);
            self.set_slot(slot, off, tuple.len() as u16);
            return true;
        }
        if self.total_free() + old_len < tuple.len() {
            return false;
        }
        // Free the old copy, compact, then append the new one under the same slot number.
        self.set_slot(slot, 0, 0);
        if usize::from(self.upper()) < usize::from(self.lower()) + tuple.len() {
            self.compact();
        }
        let off = self.upper() - tuple.len() as u16;
        self.write_bytes(usize::from(off), tuple);
        self.set_upper(off);
        self.set_slot(slot, off, tuple.len() as u16);
        true
    }

    /// Packs live tuples against the end of the page (in slot order) and zeroes the gap.
    pub fn compact(&mut self) {
        let live: Vec<(u16, Vec<u8>)> = self.tuples().map(|(s, t)| (s, t.to_vec())).collect();
        let mut upper = PAGE_SIZE;
        for (slot, t) in &live {
            upper -= t.len();
            self.write_bytes(upper, t);
            self.set_slot(*slot, upper as u16, t.len() as u16);
        }
        let lower = usize::from(self.lower());
        self.bytes[lower..upper].fill(0);
        self.set_upper(upper as u16);
    }

    /// The checksum over the page with the checksum field taken as zero, mixed with the page
    /// number so a page written to the wrong place is caught (as PostgreSQL does).
    pub fn compute_checksum(&self, page_no: u32) -> u16 {
        let at = self.layout().checksum;
        let mut h: u32 = 0x811C_9DC5 ^ page_no;
        for (i, &b) in self.bytes.iter().enumerate() {
            let b = if i == at || i == at + 1 { 0 } else { b };
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        ((h >> 16) ^ (h & 0xFFFF)) as u16
    }

    pub fn stored_checksum(&self) -> u16 {
        get_u16(&self.bytes, self.layout().checksum)
    }

    pub fn refresh_checksum(&mut self, page_no: u32) {
        let c = self.compute_checksum(page_no);
        let at = self.layout().checksum;
        put_u16(&mut self.bytes, at, c);
    }

    /// Structural sanity: header fields, pointers and slots within bounds and not overlapping.
    pub fn check(&self, page_no: u32) -> Result<(), String> {
        let l = self.layout();
        let fail = |what: String| Err(format!("page {page_no}: {what}"));
        if let Some((at, magic)) = l.magic {
            if self.bytes[at..at + 4] != magic {
                return fail("bad magic".into());
            }
        }
        if self.bytes[l.version] != self.version.number() {
            return fail(format!(
                "format byte {} is not {}",
                self.bytes[l.version], self.version
            ));
        }
        if self.kind().is_none() {
            return fail(format!("unknown page kind {}", self.bytes[l.kind]));
        }
        if self.stored_checksum() != self.compute_checksum(page_no) {
            return fail(format!(
                "checksum {:04x} does not match contents ({:04x})",
                self.stored_checksum(),
                self.compute_checksum(page_no)
            ));
        }
        let (lower, upper) = (usize::from(self.lower()), usize::from(self.upper()));
        if lower != l.header_size + usize::from(self.slot_count()) * SLOT_SIZE {
            return fail(format!(
                "lower {lower} does not match {} slots",
                self.slot_count()
            ));
        }
        if lower > upper || upper > PAGE_SIZE {
            return fail(format!(
                "free space pointers lower {lower} upper {upper} are inverted"
            ));
        }
        // Which bytes a tuple covers: a byte covered twice is an overlap. (A map of the page
        // rather than sorting the spans: sort code is sizeable in the wasm binary.)
        let mut covered = [false; PAGE_SIZE];
        let mut overlap = false;
        for s in 0..self.slot_count() {
            let (off, len) = self.slot(s);
            let (off, len) = (usize::from(off), usize::from(len));
            if off == 0 {
                continue;
            }
            if len == 0 || off < upper || off + len > PAGE_SIZE {
                return fail(format!("slot {s} ({off}, {len}) outside the tuple area"));
            }
            for byte in &mut covered[off..off + len] {
                overlap |= std::mem::replace(byte, true);
            }
        }
        if overlap {
            return fail("tuples overlap".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heap(v: FormatVersion) -> Page {
        Page::new(v, PageKind::Heap, 3)
    }

    #[test]
    fn same_contents_ignores_only_the_lsn_and_checksum() {
        for v in [FormatVersion::V16, FormatVersion::V17] {
            let mut a = heap(v);
            a.insert(b"row one").expect("room");
            let mut b = a.clone();
            b.set_lsn(0x0100_0838);
            b.write_bytes(v.layout().checksum, &[0xAB, 0xCD]);
            assert!(a.same_contents(&b), "{v}: LSN and checksum only");
            let mut c = a.clone();
            c.insert(b"row two").expect("room");
            assert!(!a.same_contents(&c), "{v}: a tuple more");
            let mut d = a.clone();
            d.write_bytes(PAGE_SIZE - 1, b"X");
            assert!(!a.same_contents(&d), "{v}: a tuple's last byte");
            let mut e = a.clone();
            e.write_bytes(v.layout().kind, &[9]);
            assert!(!a.same_contents(&e), "{v}: the byte after the checksum");
        }
        let (a, b) = (heap(FormatVersion::V16), heap(FormatVersion::V17));
        assert!(!a.same_contents(&b), "another format");
    }

    #[test]
    fn headers_differ_between_versions() {
        let a = heap(FormatVersion::V16);
        let b = heap(FormatVersion::V17);
        assert_eq!(a.lower(), 24);
        assert_eq!(b.lower(), 32);
        assert_eq!(&b.bytes()[0..4], b"RL17");
        assert_eq!(a.table(), 3);
        assert_eq!(b.table(), 3);
        assert_eq!(a.next_page(), None);
    }

    #[test]
    fn insert_delete_replace_keep_page_sane() {
        for v in [FormatVersion::V16, FormatVersion::V17] {
            let mut p = heap(v);
            let a = p.insert(&[1; 40]).unwrap();
            let b = p.insert(&[2; 40]).unwrap();
            assert_eq!((a, b), (0, 1));
            p.delete(a);
            assert_eq!(p.slot_count(), 2, "dead slot in the middle stays");
            assert_eq!(p.insert(&[3; 10]), Some(0), "dead slot is reused");
            assert!(p.replace(1, &[4; 60]));
            assert_eq!(p.tuple(1), Some(&[4u8; 60][..]));
            assert_eq!(p.tuple(0), Some(&[3u8; 10][..]));
            p.refresh_checksum(7);
            p.check(7).unwrap();
            assert!(p.check(8).is_err(), "checksum depends on the page number");
        }
    }

    #[test]
    fn fills_up_then_compacts_into_holes() {
        let mut p = heap(FormatVersion::V16);
        let mut n = 0;
        while p.insert(&[9; 50]).is_some() {
            n += 1;
        }
        assert_eq!(n, 4);
        assert!(!p.can_fit(50));
        p.delete(1);
        assert_eq!(p.insert(&[8; 50]), Some(1));
        p.refresh_checksum(0);
        p.check(0).unwrap();
    }

    #[test]
    fn a_new_slot_never_overwrites_a_tuple_before_compaction() {
        for v in [FormatVersion::V16, FormatVersion::V17] {
            let mut p = heap(v);
            // Two tuples filling the page exactly: no gap between the slot array and tuples.
            let len = (PAGE_SIZE - p.lower() as usize - 2 * SLOT_SIZE) / 2;
            assert_eq!(p.insert(&vec![1; len]), Some(0));
            assert_eq!(p.insert(&vec![2; len]), Some(1));
            assert_eq!(p.lower(), p.upper());
            // Shrinking leaves a hole inside the tuple area, not next to the slot array.
            assert!(p.replace(0, &[3; 20]));
            assert_eq!(p.insert(&[4; 30]), Some(2), "fits after compaction");
            assert_eq!(p.tuple(0), Some(&[3u8; 20][..]));
            assert_eq!(p.tuple(1), Some(&vec![2u8; len][..]));
            assert_eq!(p.tuple(2), Some(&[4u8; 30][..]));
            p.refresh_checksum(0);
            p.check(0).unwrap();
        }
    }

    /// `can_fit` in one pass says what `first_dead_slot` and `total_free` say, on real pages
    /// and on garbage.
    #[test]
    fn can_fit_agrees_with_its_definition() {
        let slow = |p: &Page, len: usize| {
            let slot_cost = if p.first_dead_slot().is_some() {
                0
            } else {
                SLOT_SIZE
            };
            len > 0 && len + slot_cost <= p.total_free()
        };
        let mut pages = vec![];
        let mut p = heap(FormatVersion::V16);
        for i in 0..12u8 {
            pages.push(p.clone());
            if p.insert(&vec![i; usize::from(i) * 3 + 5]).is_none() {
                p.delete(u16::from(i) % p.slot_count().max(1));
            }
            if i % 4 == 0 {
                p.delete(0);
            }
        }
        for seed in 0..64u32 {
            let bytes: Vec<u8> = (0..PAGE_SIZE as u32)
                .map(|i| (i.wrapping_mul(seed.wrapping_mul(2_654_435_761) | 1) >> 7) as u8)
                .collect();
            pages.extend(Page::from_bytes(FormatVersion::V17, &bytes));
        }
        for p in &pages {
            for len in [0, 1, 4, 17, 40, 100, 200, 300] {
                assert_eq!(p.can_fit(len), slow(p, len), "{len}");
            }
        }
    }

    #[test]
    fn refuses_tuples_that_cannot_fit() {
        let mut p = heap(FormatVersion::V17);
        assert_eq!(
            p.insert(&vec![0; FormatVersion::V17.max_tuple_size() + 1]),
            None
        );
        assert!(p
            .insert(&vec![1; FormatVersion::V17.max_tuple_size()])
            .is_some());
        assert!(!p.replace(0, &vec![1; 300]));
    }

    #[test]
    fn deleting_everything_resets_the_page() {
        let mut p = heap(FormatVersion::V16);
        p.insert(&[1; 20]);
        p.insert(&[2; 20]);
        p.delete(1);
        p.delete(0);
        assert_eq!(p.slot_count(), 0);
        assert_eq!(p.upper() as usize, PAGE_SIZE);
    }

    #[test]
    fn check_finds_tuples_that_overlap_and_accepts_ones_that_touch() {
        for v in [FormatVersion::V16, FormatVersion::V17] {
            let mut p = heap(v);
            for t in [&b"first"[..], b"second", b"third"] {
                p.insert(t).expect("fits");
            }
            p.refresh_checksum(7);
            assert_eq!(p.check(7), Ok(()), "adjacent tuples do not overlap");
            // Tuples fill the page from its end: the second lies before the first. The first
            // now starts two bytes into the second.
            let (second, _) = p.slot(1);
            let (_, first_len) = p.slot(0);
            p.set_slot(0, second + 2, first_len);
            p.refresh_checksum(7);
            assert_eq!(p.check(7), Err("page 7: tuples overlap".to_string()));
        }
    }

    #[test]
    fn garbage_bytes_are_rejected_not_panicked_on() {
        let p = Page::from_bytes(FormatVersion::V16, &[0xFF; PAGE_SIZE]).unwrap();
        assert!(p.check(0).is_err());
        assert!(p.tuple(3).is_none());
        assert_eq!(p.tuples().count(), 0);
    }
}
