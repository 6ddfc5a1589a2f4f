//! Version vectors and row versions: how a multi-leader cluster tells a change that follows
//! another (it saw it) from one made concurrently (neither saw the other: a conflict).
//!
//! A leader's server id is its place among the leaders plus one (MySQL's `server_id`). A
//! write is named by a dot — its origin's server id and the origin's own count of commits —
//! and carries the vector of what its origin had seen of every origin when it wrote.
//!
//! Knows nothing of the world, the engine's pages or the UI.

use crate::engine::small_map::SmallMap;
use crate::engine::Value;

/// For each origin (by server id), how many of its commits are included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct VersionVector(pub SmallMap<u32, u64>);

/// A write's name: its origin's server id and the origin's commit count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Dot {
    pub server_id: u32,
    pub seq: u64,
}

impl VersionVector {
    pub fn get(&self, server_id: u32) -> u64 {
        self.0.get(&server_id).copied().unwrap_or(0)
    }

    pub fn set(&mut self, server_id: u32, seq: u64) {
        self.0.insert(server_id, seq);
    }

    /// Whether `dot` is included.
    pub fn includes(&self, dot: Dot) -> bool {
        self.get(dot.server_id) >= dot.seq
    }

    /// Whether everything `other` includes, this includes too.
    pub fn dominates(&self, other: &VersionVector) -> bool {
        other.0.iter().all(|(id, seq)| self.get(*id) >= *seq)
    }

    /// Takes the larger count of every origin.
    pub fn join(&mut self, other: &VersionVector) {
        for (id, seq) in other.0.iter() {
            if *seq > self.get(*id) {
                self.set(*id, *seq);
            }
        }
    }

    /// `[1:3, 2:1]`, as the page prints a vector.
    pub fn text(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, seq)| **seq > 0)
            .map(|(id, seq)| format!("{id}:{seq}"))
            .collect();
        format!("[{}]", parts.join(", "))
    }
}

/// One version of a row: the write that made it, what that write had seen, when its
/// origin's clock says it committed, and the row it left (`None`: deleted).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowVersion {
    pub dot: Dot,
    /// What the write had seen of this row's history, its own dot included.
    pub seen: VersionVector,
    /// The origin's commit timestamp (its own clock, skew included), in microseconds.
    pub commit_ts: i64,
    /// Column names, then the row's values in that order (`None` for a delete).
    pub columns: Vec<String>,
    pub image: Option<Vec<Value>>,
}

impl RowVersion {
    /// Whether this version already includes everything `other` is (it saw it, or is it).
    pub fn supersedes(&self, other: &RowVersion) -> bool {
        self.seen.includes(other.dot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vv(pairs: &[(u32, u64)]) -> VersionVector {
        let mut v = VersionVector::default();
        for (id, seq) in pairs {
            v.set(*id, *seq);
        }
        v
    }

    #[test]
    fn concurrent_vectors_dominate_neither_way_and_join_to_both() {
        let a = vv(&[(1, 2), (2, 1)]);
        let b = vv(&[(1, 1), (2, 2)]);
        assert!(!a.dominates(&b) && !b.dominates(&a));
        let mut j = a.clone();
        j.join(&b);
        assert!(j.dominates(&a) && j.dominates(&b));
        assert_eq!(j.text(), "[1:2, 2:2]");
        assert!(j.includes(Dot {
            server_id: 2,
            seq: 2
        }));
        assert!(!j.includes(Dot {
            server_id: 3,
            seq: 1
        }));
    }
}
