//! A map kept as a list sorted by key, for the engine's small maps (open transactions, waiting
//! processes, sequences, the catalog's tuples by location): ordered as a `BTreeMap`, and much
//! smaller in the wasm binary than a `BTreeMap` of a type of its own, whose insert, remove,
//! clone and drop code is instantiated per key and value type. Inserting is linear in the
//! length, so it is only for maps of at most a few thousand entries.

/// A sorted list of `(key, value)`, one entry a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    fn find(&self, key: &K) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(key))
    }

    pub fn get(&self, key: &K) -> Option<&V> {
        let i = self.find(key).ok()?;
        Some(&self.0[i].1)
    }

    pub fn contains_key(&self, key: &K) -> bool {
        self.find(key).is_ok()
    }

    /// Inserts or replaces the value of `key`.
    pub fn insert(&mut self, key: K, value: V) {
        match self.find(&key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    pub fn remove(&mut self, key: &K) {
        if let Ok(i) = self.find(key) {
            self.0.remove(i);
        }
    }

    /// The keys, ascending.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// It behaves as a `BTreeMap`: ordered keys, one entry a key.
    #[test]
    fn small_map_is_an_ordered_map() {
        let mut small = SmallMap::default();
        let mut plain = BTreeMap::new();
        for (k, v) in [(5u64, 1u32), (2, 2), (9, 3), (2, 4), (7, 5), (1, 6)] {
            small.insert(k, v);
            plain.insert(k, v);
        }
        for k in [9, 3, 1] {
            small.remove(&k);
            plain.remove(&k);
        }
        assert!(small.keys().eq(plain.keys()));
        for k in 0..12 {
            assert_eq!(small.get(&k), plain.get(&k));
            assert_eq!(small.contains_key(&k), plain.contains_key(&k));
        }
        assert!(!small.is_empty());
        small.clear();
        assert!(small.is_empty());
    }
}
