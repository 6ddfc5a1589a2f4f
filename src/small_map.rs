//! A map kept as a list sorted by key, for the engine's small maps (open transactions, waiting
//! processes, sequences, the catalog's tuples by location) and replication's maps by node
//! (a server's connections, a leader's followers, a client's outstanding statements): ordered as a `BTreeMap`, and much
//! smaller in the wasm binary than a `BTreeMap` of a type of its own, whose insert, remove,
//! clone and drop code is instantiated per key and value type. Inserting is linear in the
//! length, so it is only for maps of at most a few thousand entries.

/// A sorted list of `(key, value)`, one entry a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(key).ok()?;
        Some(&mut self.0[i].1)
    }

    /// The value of `key`, inserted by `make` if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, make()));
                i
            }
        };
        &mut self.0[i].1
    }

    /// Removes `key`, returning its value if it had one.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.find(key).ok()?;
        Some(self.0.remove(i).1)
    }

    /// The keys, ascending.
    pub fn keys(&self) -> impl Iterator<Item = &K> {
        self.0.iter().map(|(k, _)| k)
    }

    /// The entries, in ascending key order.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.0.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<'a, K, V> IntoIterator for &'a SmallMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<K, V> IntoIterator for SmallMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    /// Later entries of a key replace earlier ones, as in a `BTreeMap`.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> Self {
        let mut map = SmallMap::default();
        for (k, v) in entries {
            map.insert(k, v);
        }
        map
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
        assert!(small.iter().eq(plain.iter()));
        assert!((&small).into_iter().eq(&plain));
        assert!(small.values().eq(plain.values()));
        assert_eq!(small.len(), plain.len());
        *small.get_mut(&5).unwrap() += 10;
        *plain.get_mut(&5).unwrap() += 10;
        for v in small.values_mut() {
            *v += 1;
        }
        for (_, v) in small.iter_mut() {
            *v += 1;
        }
        plain.values_mut().for_each(|v| *v += 2);
        *small.get_or_insert_with(3, || 40) += 1;
        *plain.entry(3).or_insert_with(|| 40) += 1;
        *small.get_or_insert_with(3, || 99) += 1;
        *plain.entry(3).or_insert_with(|| 99) += 1;
        assert_eq!(small.remove(&7), plain.remove(&7));
        assert_eq!(small.remove(&7), None);
        assert!(small.clone().into_iter().eq(plain.clone()));
        let collected: SmallMap<u64, u32> = [(4, 1), (2, 2), (4, 3)].into_iter().collect();
        assert!(collected.into_iter().eq(BTreeMap::from([(2, 2), (4, 3)])));
        assert!(!small.is_empty());
        small.clear();
        assert!(small.is_empty());
    }
}
