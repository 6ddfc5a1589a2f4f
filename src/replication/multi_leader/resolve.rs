//! Conflict resolution: from the concurrent versions of one row (none saw the others), the
//! row the table holds, what became of the conflict, and which writes were thrown away.
//!
//! Every leader that holds the same versions picks the same row, whatever order they arrived
//! in: each resolver is a function of the set alone (ties broken by server id). That is what
//! makes the leaders converge; it is not what makes them right (DDIA: last write wins loses
//! data silently, and a skewed clock makes an older write "newer").
//!
//! Knows nothing of the world or the UI.

use crate::engine::Value;

use super::config::Resolver;
use super::state::Resolution;
use super::version::{Dot, RowVersion};

/// What a resolver made of concurrent versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The row the table holds now (`None`: deleted).
    pub image: Option<Vec<Value>>,
    pub resolution: Resolution,
    /// The writes discarded.
    pub lost: Vec<Dot>,
}

/// The version last write wins keeps: the latest commit timestamp by its origin's clock,
/// ties to the higher server id.
pub fn latest(versions: &[RowVersion]) -> Option<&RowVersion> {
    versions
        .iter()
        .max_by_key(|v| (v.commit_ts, v.dot.server_id, v.dot.seq))
}

/// The version from the leader with the highest server id.
fn highest_id(versions: &[RowVersion]) -> Option<&RowVersion> {
    versions
        .iter()
        .max_by_key(|v| (v.dot.server_id, v.commit_ts, v.dot.seq))
}

/// The version `resolver` shows of concurrent `versions` (for merge, the one whose other
/// columns are kept; for siblings, the one the table shows).
pub fn winner(resolver: Resolver, versions: &[RowVersion]) -> Option<&RowVersion> {
    match resolver {
        Resolver::HighestReplicaId => highest_id(versions),
        _ => latest(versions),
    }
}

/// Resolves `versions` (at least two, concurrent), `incoming` being the one that arrived.
pub fn resolve(resolver: Resolver, versions: &[RowVersion], incoming: Dot) -> Resolved {
    let Some(winner) = winner(resolver, versions) else {
        return Resolved {
            image: None,
            resolution: Resolution::Skipped,
            lost: Vec::new(),
        };
    };
    let others = || {
        versions
            .iter()
            .filter(|v| v.dot != winner.dot)
            .map(|v| v.dot)
    };
    let kept = if winner.dot == incoming {
        Resolution::KeptRemote
    } else {
        Resolution::KeptLocal
    };
    match resolver {
        Resolver::LastWriteWins | Resolver::HighestReplicaId | Resolver::HomeLeader => Resolved {
            image: winner.image.clone(),
            resolution: kept,
            lost: others().collect(),
        },
        Resolver::Siblings => Resolved {
            image: winner.image.clone(),
            resolution: Resolution::Siblings { shown: winner.dot },
            lost: Vec::new(),
        },
        Resolver::Merge => Resolved {
            image: merge(versions, winner),
            resolution: Resolution::Merged,
            lost: Vec::new(),
        },
    }
}

/// Text columns joined from every version (in server-id order, each distinct value once,
/// `" + "` between them; a version with NULL there adds nothing, so a text one version set
/// where the winner has NULL is kept); other columns as `winner` has them. A delete merged
/// with an update keeps the row.
fn merge(versions: &[RowVersion], winner: &RowVersion) -> Option<Vec<Value>> {
    let mut sorted: Vec<&RowVersion> = versions.iter().filter(|v| v.image.is_some()).collect();
    sorted.sort_by_key(|v| (v.dot.server_id, v.dot.seq));
    let base = winner
        .image
        .clone()
        .or_else(|| sorted.last().and_then(|v| v.image.clone()))?;
    let mut merged = base;
    for (i, value) in merged.iter_mut().enumerate() {
        if !matches!(value, Value::Text(_) | Value::Null) {
            continue;
        }
        let mut parts: Vec<String> = Vec::new();
        for v in &sorted {
            if let Some(Value::Text(t)) = v.image.as_ref().and_then(|img| img.get(i)) {
                // A value already joined from these parts counts as its parts.
                for part in t.split(" + ") {
                    if !parts.iter().any(|p| p == part) {
                        parts.push(part.to_string());
                    }
                }
            }
        }
        if !parts.is_empty() {
            *value = Value::Text(parts.join(" + "));
        }
    }
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::multi_leader::version::VersionVector;

    fn version(server_id: u32, ts: i64, status: &str) -> RowVersion {
        let dot = Dot { server_id, seq: 1 };
        let mut seen = VersionVector::default();
        seen.set(server_id, 1);
        RowVersion {
            dot,
            seen,
            commit_ts: ts,
            columns: vec!["id".into(), "status".into()],
            image: Some(vec![Value::Integer(1), Value::Text(status.into())]),
        }
    }

    fn status(r: &Resolved) -> Value {
        r.image.as_ref().map_or(Value::Null, |i| i[1].clone())
    }

    #[test]
    fn each_resolver_gives_its_documented_outcome() {
        // Leader 1 wrote later by its clock; leader 2 has the higher id.
        let a = version(1, 2_000, "paid");
        let b = version(2, 1_000, "shipped");
        let both = [a.clone(), b.clone()];
        let lww = resolve(Resolver::LastWriteWins, &both, b.dot);
        assert_eq!(status(&lww), Value::Text("paid".into()));
        assert_eq!(lww.lost, vec![b.dot]);
        assert_eq!(lww.resolution, Resolution::KeptLocal);
        let id = resolve(Resolver::HighestReplicaId, &both, b.dot);
        assert_eq!(status(&id), Value::Text("shipped".into()));
        assert_eq!(id.lost, vec![a.dot]);
        let merged = resolve(Resolver::Merge, &both, b.dot);
        assert_eq!(status(&merged), Value::Text("paid + shipped".into()));
        assert!(merged.lost.is_empty());
        let siblings = resolve(Resolver::Siblings, &both, b.dot);
        assert_eq!(siblings.resolution, Resolution::Siblings { shown: a.dot });
        assert!(siblings.lost.is_empty());
    }

    #[test]
    fn merge_keeps_a_text_set_by_one_where_the_other_has_null() {
        let mut a = version(1, 2_000, "paid");
        let mut b = version(2, 1_000, "paid");
        a.columns.push("note".into());
        b.columns.push("note".into());
        if let (Some(ai), Some(bi)) = (a.image.as_mut(), b.image.as_mut()) {
            ai.push(Value::Null);
            bi.push(Value::Text("gift".into()));
        }
        let merged = resolve(Resolver::Merge, &[a.clone(), b.clone()], b.dot);
        let image = merged.image.expect("a row");
        assert_eq!(image[1], Value::Text("paid".into()));
        assert_eq!(image[2], Value::Text("gift".into()));
    }

    #[test]
    fn the_outcome_does_not_depend_on_arrival_order() {
        let vs = [version(1, 5, "a"), version(2, 9, "b"), version(3, 7, "c")];
        for resolver in Resolver::ALL {
            let forward = resolve(resolver, &vs, vs[0].dot);
            let mut rev = vs.clone();
            rev.reverse();
            let backward = resolve(resolver, &rev, vs[0].dot);
            assert_eq!(forward.image, backward.image, "{resolver:?}");
            let (mut l1, mut l2) = (forward.lost.clone(), backward.lost.clone());
            l1.sort();
            l2.sort();
            assert_eq!(l1, l2, "{resolver:?}");
        }
    }
}
