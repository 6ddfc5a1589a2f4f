//! An append-only list whose clones share what they have in common, for state that only grows
//! (a server's log, a client's answers) inside a world that the timeline clones at every
//! checkpoint.
//!
//! It follows the trace's scheme (see [`crate::sim::trace`]): items live in chunks behind
//! `Arc`s; cloning copies only the list of chunk pointers; a push goes onto the last chunk only
//! if no clone shares it (`Arc::get_mut`), else it starts a new chunk. So a checkpoint costs
//! the pointers, not the items, and a clone and its original can both keep appending. Unlike
//! the trace it can also be cut back ([`Chunked::truncate`], for a log that diverged): a shared
//! chunk that is cut in the middle is copied first (at most [`CHUNK_CAPACITY`] items).
//!
//! It knows nothing about what the items are.

use std::sync::Arc;

/// The most items one chunk holds before a new one starts.
pub const CHUNK_CAPACITY: usize = 256;

#[derive(Debug)]
struct Chunk<T> {
    /// The index of its first item.
    start: usize,
    items: Arc<Vec<T>>,
}

impl<T> Clone for Chunk<T> {
    fn clone(&self) -> Self {
        Chunk {
            start: self.start,
            items: Arc::clone(&self.items),
        }
    }
}

/// An append-only list with shared chunks (see the module docs).
pub struct Chunked<T> {
    chunks: Vec<Chunk<T>>,
    len: usize,
}

impl<T> Clone for Chunked<T> {
    fn clone(&self) -> Self {
        Chunked {
            chunks: self.chunks.clone(),
            len: self.len,
        }
    }
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Chunked<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: PartialEq> PartialEq for Chunked<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Eq> Eq for Chunked<T> {}

impl<T> Chunked<T> {
    pub fn new() -> Chunked<T> {
        Chunked::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `item`, in place if the last chunk has room and is not shared.
    pub fn push(&mut self, item: T) {
        if let Some(last) = self.chunks.last_mut() {
            if last.items.len() < CHUNK_CAPACITY {
                if let Some(items) = Arc::get_mut(&mut last.items) {
                    items.push(item);
                    self.len += 1;
                    return;
                }
            }
        }
        let mut items = Vec::with_capacity(CHUNK_CAPACITY.min(16));
        items.push(item);
        self.chunks.push(Chunk {
            start: self.len,
            items: Arc::new(items),
        });
        self.len += 1;
    }

    /// The chunk holding item `index`, if there is one.
    fn chunk_of(&self, index: usize) -> Option<&Chunk<T>> {
        if index >= self.len {
            return None;
        }
        let at = self
            .chunks
            .partition_point(|chunk| chunk.start <= index)
            .checked_sub(1)?;
        self.chunks.get(at)
    }

    pub fn get(&self, index: usize) -> Option<&T> {
        let chunk = self.chunk_of(index)?;
        chunk.items.get(index - chunk.start)
    }

    pub fn first(&self) -> Option<&T> {
        self.chunks.first().and_then(|chunk| chunk.items.first())
    }

    pub fn last(&self) -> Option<&T> {
        self.chunks.last().and_then(|chunk| chunk.items.last())
    }

    /// Every item, in order (also backwards: `.rev()`).
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + '_ {
        self.chunks.iter().flat_map(|chunk| chunk.items.iter())
    }

    /// The items from index `first` on, in order.
    pub fn iter_from(&self, first: usize) -> impl DoubleEndedIterator<Item = &T> + '_ {
        let at = self
            .chunks
            .partition_point(|chunk| chunk.start <= first)
            .saturating_sub(1);
        self.chunks[at.min(self.chunks.len())..]
            .iter()
            .flat_map(move |chunk| chunk.items.iter().skip(first.saturating_sub(chunk.start)))
    }

    /// A copy of the items, in order (as `slice::to_vec`).
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.iter().cloned().collect()
    }

    /// Forgets every item.
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }

    /// How many chunks hold the items (for tests of the sharing scheme).
    pub fn chunk_count(&self) -> usize {
        self.chunks.len()
    }
}

impl<T: Clone> Chunked<T> {
    /// Keeps the first `len` items (nothing changes if there are no more than that). A shared
    /// chunk cut in the middle is copied; the other clones keep theirs whole.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.len {
            return;
        }
        let keep = self.chunks.partition_point(|chunk| chunk.start < len);
        self.chunks.truncate(keep);
        if let Some(last) = self.chunks.last_mut() {
            let in_chunk = len - last.start;
            if in_chunk < last.items.len() {
                Arc::make_mut(&mut last.items).truncate(in_chunk);
            }
        }
        self.len = len;
    }

    /// Removes and returns the items from index `at` on (as [`Vec::split_off`]; nothing if
    /// `at` is past the end).
    pub fn split_off(&mut self, at: usize) -> Vec<T> {
        let tail = self.iter_from(at).cloned().collect();
        self.truncate(at);
        tail
    }
}

impl<T> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut list = Chunked::new();
        for item in iter {
            list.push(item);
        }
        list
    }
}

impl<T> Extend<T> for Chunked<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<T> core::ops::Index<usize> for Chunked<T> {
    type Output = T;

    /// Item `index`; panics if there is none, as a slice does.
    fn index(&self, index: usize) -> &T {
        match self.get(index) {
            Some(item) => item,
            None => panic!("index {index} out of range for a list of {}", self.len),
        }
    }
}

impl<'a, T> IntoIterator for &'a Chunked<T> {
    type Item = &'a T;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a T> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(list: &Chunked<u32>) -> Vec<u32> {
        list.iter().copied().collect()
    }

    #[test]
    fn clones_share_chunks_and_diverge_independently() {
        let mut original: Chunked<u32> = (0..10).collect();
        let snapshot = original.clone();
        assert!(Arc::ptr_eq(
            &original.chunks[0].items,
            &snapshot.chunks[0].items
        ));
        original.push(10);
        assert_eq!(items(&snapshot), (0..10).collect::<Vec<_>>());
        assert_eq!(items(&original), (0..11).collect::<Vec<_>>());
        // The shared chunk was left alone: the push started a new one.
        assert_eq!(original.chunk_count(), 2);
        assert!(Arc::ptr_eq(
            &original.chunks[0].items,
            &snapshot.chunks[0].items
        ));
    }

    #[test]
    fn indexing_and_ranges_across_chunks() {
        let mut list = Chunked::new();
        for i in 0..(CHUNK_CAPACITY as u32 * 2 + 5) {
            list.push(i);
            // A clone now and then makes chunks of uneven sizes.
            if i % 97 == 0 {
                let _ = list.clone();
                let keep = list.clone();
                list.push(1_000_000 + i);
                list.truncate(list.len() - 1);
                drop(keep);
            }
        }
        let len = list.len();
        assert_eq!(len, CHUNK_CAPACITY * 2 + 5);
        for i in 0..len {
            assert_eq!(list.get(i), Some(&(i as u32)));
        }
        assert_eq!(list.get(len), None);
        assert_eq!(list.last(), Some(&(len as u32 - 1)));
        assert_eq!(list.first(), Some(&0));
        for from in [0, 1, 96, 97, 98, 300, len - 1, len, len + 3] {
            let expected: Vec<u32> = (from as u32..len as u32).collect();
            assert_eq!(list.iter_from(from).copied().collect::<Vec<_>>(), expected);
        }
        assert_eq!(list.iter().next_back(), Some(&(len as u32 - 1)));
        assert_eq!(list.iter().rev().nth(1), Some(&(len as u32 - 2)));
    }

    #[test]
    fn truncating_a_shared_chunk_leaves_the_clone_whole() {
        let mut list: Chunked<u32> = (0..20).collect();
        let snapshot = list.clone();
        let tail = list.split_off(15);
        assert_eq!(tail, vec![15, 16, 17, 18, 19]);
        assert_eq!(items(&list), (0..15).collect::<Vec<_>>());
        assert_eq!(items(&snapshot), (0..20).collect::<Vec<_>>());
        list.push(99);
        assert_eq!(list.get(15), Some(&99));
        assert_eq!(list.len(), 16);
        list.truncate(0);
        assert!(list.is_empty());
        assert_eq!(list.split_off(3), Vec::<u32>::new());
        assert_eq!(snapshot.len(), 20);
        assert_eq!(snapshot.to_vec(), (0..20).collect::<Vec<_>>());
    }
}
