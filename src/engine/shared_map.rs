//! An ordered map whose clones share what they have in common, for the key indexes: a
//! database is cloned at every timeline checkpoint, and a plain `BTreeMap` index would be
//! copied whole by the first write after each one (it sits behind an `Arc`, made unique on
//! write), so the history would hold one copy of every index per checkpoint.
//!
//! The map is a sorted list of leaves (each a small `BTreeMap` behind an `Arc`, at most
//! [`LEAF_CAPACITY`] entries), keyed by each leaf's smallest key. Cloning copies the list of
//! leaf pointers; a write copies only the leaf it changes if a clone shares it. It reads and
//! iterates exactly as a `BTreeMap` with the same entries.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

/// The most entries a leaf holds before it is split in two.
pub const LEAF_CAPACITY: usize = 64;

/// An ordered map with shared leaves (see the module docs).
#[derive(Clone)]
pub struct SharedMap<K, V> {
    /// Each leaf under its smallest key; no leaf is empty.
    leaves: BTreeMap<K, Arc<BTreeMap<K, V>>>,
    len: usize,
}

impl<K, V> Default for SharedMap<K, V> {
    fn default() -> Self {
        SharedMap {
            leaves: BTreeMap::new(),
            len: 0,
        }
    }
}

impl<K: core::fmt::Debug, V: core::fmt::Debug> core::fmt::Debug for SharedMap<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: PartialEq, V: PartialEq> PartialEq for SharedMap<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<K: Eq, V: Eq> Eq for SharedMap<K, V> {}

impl<K, V> SharedMap<K, V> {
    pub fn new() -> Self {
        SharedMap::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every entry in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.leaves.values().flat_map(|leaf| leaf.iter())
    }
}

impl<K: Ord + Clone, V: Clone> SharedMap<K, V> {
    /// The key of the leaf that holds (or would hold) `key`: the last leaf starting at or
    /// before it, else the first leaf.
    fn leaf_key(&self, key: &K) -> Option<K> {
        self.leaves
            .range(..=key)
            .next_back()
            .or_else(|| self.leaves.iter().next())
            .map(|(k, _)| k.clone())
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        self.leaves.range(..=key).next_back()?.1.get(key)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// The first entry at or after `key`.
    pub fn first_from(&self, key: &K) -> Option<(&K, &V)> {
        if let Some((_, leaf)) = self.leaves.range(..=key).next_back() {
            if let Some(entry) = leaf.range(key..).next() {
                return Some(entry);
            }
        }
        self.leaves
            .range((Bound::Excluded(key), Bound::Unbounded))
            .next()
            .and_then(|(_, leaf)| leaf.iter().next())
    }

    /// The entries at or after `key`, in key order.
    pub fn iter_from(&self, key: &K) -> impl Iterator<Item = (&K, &V)> + '_ {
        let leaves = match self.leaves.range(..=key).next_back() {
            Some((first, _)) => self.leaves.range(first.clone()..),
            None => self.leaves.range(..),
        };
        let key = key.clone();
        leaves.flat_map(move |(_, leaf)| leaf.range(key.clone()..))
    }

    /// The entry with the greatest key.
    pub fn last(&self) -> Option<(&K, &V)> {
        self.leaves.values().next_back()?.iter().next_back()
    }

    /// Inserts, returning the value `key` had (as `BTreeMap::insert`).
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        let Some(at) = self.leaf_key(&key) else {
            self.leaves
                .insert(key.clone(), Arc::new(BTreeMap::from([(key, value)])));
            self.len = 1;
            return None;
        };
        // A key below every leaf goes into the first leaf, which then starts at it.
        let mut leaf = self.leaves.remove(&at)?;
        let entries = Arc::make_mut(&mut leaf);
        let old = entries.insert(key, value);
        if old.is_none() {
            self.len += 1;
        }
        if entries.len() > LEAF_CAPACITY {
            let middle = entries.keys().nth(entries.len() / 2).cloned();
            if let Some(middle) = middle {
                let upper = entries.split_off(&middle);
                self.leaves.insert(middle, Arc::new(upper));
            }
        }
        if let Some(first) = leaf.keys().next().cloned() {
            self.leaves.insert(first, leaf);
        }
        old
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.leaves.range(..=key).next_back()?.0.clone();
        if !self.leaves.get(&at)?.contains_key(key) {
            return None;
        }
        let mut leaf = self.leaves.remove(&at)?;
        let old = Arc::make_mut(&mut leaf).remove(key);
        if old.is_some() {
            self.len -= 1;
        }
        if let Some(first) = leaf.keys().next().cloned() {
            self.leaves.insert(first, leaf);
        }
        old
    }
}

impl<K: Ord + Clone, V: Clone> Extend<(K, V)> for SharedMap<K, V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (key, value) in iter {
            self.insert(key, value);
        }
    }
}

impl<K: Ord + Clone, V: Clone> FromIterator<(K, V)> for SharedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SharedMap::new();
        map.extend(iter);
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic mix of inserts and removes, checked against a `BTreeMap` after each.
    #[test]
    fn behaves_as_a_btree_map_and_clones_stay_apart() {
        let mut shared: SharedMap<u32, u32> = SharedMap::new();
        let mut plain: BTreeMap<u32, u32> = BTreeMap::new();
        let mut kept = Vec::new();
        let mut x: u32 = 12345;
        for step in 0..5_000u32 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let key = (x >> 8) % 700;
            if x % 3 == 0 {
                assert_eq!(shared.remove(&key), plain.remove(&key));
            } else {
                assert_eq!(shared.insert(key, step), plain.insert(key, step));
            }
            assert_eq!(shared.len(), plain.len());
            assert_eq!(shared.get(&key), plain.get(&key));
            assert_eq!(
                shared.contains_key(&(key + 1)),
                plain.contains_key(&(key + 1))
            );
            if step % 500 == 0 {
                kept.push((shared.clone(), plain.clone()));
            }
        }
        assert!(shared.iter().eq(plain.iter()));
        for probe in 0..720u32 {
            assert_eq!(shared.first_from(&probe), plain.range(probe..).next());
            assert!(shared.iter_from(&probe).eq(plain.range(probe..)));
        }
        assert_eq!(shared.last(), plain.iter().next_back());
        assert_eq!(SharedMap::<u32, u32>::new().last(), None);
        assert!(shared.leaves.values().all(|leaf| !leaf.is_empty()));
        assert!(shared
            .leaves
            .values()
            .all(|leaf| leaf.len() <= LEAF_CAPACITY));
        assert!(shared
            .leaves
            .iter()
            .all(|(k, leaf)| leaf.keys().next() == Some(k)));
        // Earlier clones kept what they had.
        for (clone, then) in kept {
            assert!(clone.iter().eq(then.iter()));
            assert_eq!(clone.len(), then.len());
        }
        let rebuilt: SharedMap<u32, u32> = plain.clone().into_iter().collect();
        assert_eq!(rebuilt, shared);
    }

    #[test]
    fn a_clone_shares_every_leaf_a_write_does_not_touch() {
        let mut map: SharedMap<u32, u32> = (0..1_000).map(|k| (k, k)).collect();
        let snapshot = map.clone();
        map.insert(1_000, 1_000);
        let shared = map
            .leaves
            .values()
            .filter(|leaf| snapshot.leaves.values().any(|s| Arc::ptr_eq(leaf, s)))
            .count();
        assert_eq!(shared, map.leaves.len() - 1);
    }
}
