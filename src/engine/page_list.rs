//! A database's list of pages, in chunks that clones share, so that keeping a copy of a
//! database (the timeline keeps one per checkpoint) costs the chunks that changed since, not
//! a pointer per page.
//!
//! Pages are held behind `Arc`s already, so a clone never copies a page; but a flat
//! `Vec<Arc<Page>>` still copies one pointer per page per clone, which at tens of thousands of
//! pages and hundreds of checkpoints is most of a long history's memory. Here the pointers
//! live in chunks of [`CHUNK`] behind `Arc`s too: a clone copies the chunk list, and a write
//! copies only the chunk it lands in, and only if a clone still shares it (`Arc::make_mut`).
//! Every chunk but the last is full, so page `n` is in chunk `n / CHUNK`.
//!
//! It knows nothing of what pages hold.

use std::ops::Index;
use std::sync::Arc;

use super::page::Page;

/// Pages per chunk: a write copies at most this many pointers.
const CHUNK: usize = 64;

/// The pages of a database, page `n` at index `n` (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageList {
    chunks: Vec<Arc<Vec<Arc<Page>>>>,
    len: usize,
}

impl PageList {
    pub fn new() -> PageList {
        PageList::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, n: usize) -> Option<&Arc<Page>> {
        self.chunks.get(n / CHUNK)?.get(n % CHUNK)
    }

    /// Replaces page `n` (which must exist).
    pub fn set(&mut self, n: usize, page: Arc<Page>) {
        assert!(n < self.len, "page {n} of {}", self.len);
        Arc::make_mut(&mut self.chunks[n / CHUNK])[n % CHUNK] = page;
    }

    pub fn push(&mut self, page: Arc<Page>) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(page),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(page);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    /// Keeps the first `len` pages.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let chunks = len.div_ceil(CHUNK);
        self.chunks.truncate(chunks);
        if let Some(last) = self.chunks.last_mut() {
            let keep = len - (chunks - 1) * CHUNK;
            if keep < last.len() {
                Arc::make_mut(last).truncate(keep);
            }
        }
        self.len = len;
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Page>> {
        self.chunks.iter().flat_map(|chunk| chunk.iter())
    }
}

impl Index<usize> for PageList {
    type Output = Arc<Page>;

    fn index(&self, n: usize) -> &Arc<Page> {
        &self.chunks[n / CHUNK][n % CHUNK]
    }
}

impl Extend<Arc<Page>> for PageList {
    fn extend<I: IntoIterator<Item = Arc<Page>>>(&mut self, pages: I) {
        for page in pages {
            self.push(page);
        }
    }
}

impl FromIterator<Arc<Page>> for PageList {
    fn from_iter<I: IntoIterator<Item = Arc<Page>>>(pages: I) -> Self {
        let mut list = PageList::new();
        list.extend(pages);
        list
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::page::{FormatVersion, PageKind};

    /// A page told apart by its table number.
    fn page(tag: u32) -> Arc<Page> {
        Arc::new(Page::new(FormatVersion::V16, PageKind::Heap, tag))
    }

    fn tags(list: &PageList) -> Vec<u32> {
        list.iter().map(|p| p.table()).collect()
    }

    #[test]
    fn reads_what_was_pushed_set_and_cut_across_chunks() {
        let n = 3 * CHUNK as u32 + 5;
        let mut list: PageList = (0..n).map(page).collect();
        assert_eq!(list.len(), n as usize);
        assert_eq!(tags(&list), (0..n).collect::<Vec<_>>());
        list.set(CHUNK + 1, page(1000));
        assert_eq!(list[CHUNK + 1].table(), 1000);
        assert_eq!(list.get(n as usize), None);
        list.truncate(CHUNK);
        assert_eq!(tags(&list), (0..CHUNK as u32).collect::<Vec<_>>());
        list.truncate(CHUNK - 3);
        list.push(page(7));
        assert_eq!(list.len(), CHUNK - 2);
        assert_eq!(list[CHUNK - 3].table(), 7);
    }

    #[test]
    fn a_clone_shares_untouched_chunks_and_never_sees_later_writes() {
        let mut list: PageList = (0..4 * CHUNK as u32).map(page).collect();
        let kept = list.clone();
        list.set(0, page(1000));
        list.push(page(2000));
        list.truncate(CHUNK);
        assert_eq!(kept.len(), 4 * CHUNK);
        assert_eq!(kept[0].table(), 0);
        assert_eq!(tags(&kept), (0..4 * CHUNK as u32).collect::<Vec<_>>());
        // Only the written chunk was copied; the clone's other chunks are still shared.
        let list2 = kept.clone();
        assert!(Arc::ptr_eq(&list2.chunks[1], &kept.chunks[1]));
        let mut list3 = kept.clone();
        list3.set(0, page(5));
        assert!(!Arc::ptr_eq(&list3.chunks[0], &kept.chunks[0]));
        assert!(Arc::ptr_eq(&list3.chunks[3], &kept.chunks[3]));
    }
}
