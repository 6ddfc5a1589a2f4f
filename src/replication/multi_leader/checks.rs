//! What the lab checks live in a multi-leader cluster:
//!
//! - **conflicts**: how many the leaders detected (each leader detects its own);
//! - **writes lost to conflict resolution**: every write a resolver threw away (last write
//!   wins, highest replica id) or an apply skipped (`update_missing`), once each, named by
//!   its origin and number;
//! - **diverged rows**: once every running leader has applied the same changes (nothing in
//!   flight, nothing held), rows that still differ between two of them;
//! - **held**: changes waiting for what they depend on (version vectors).
//!
//! Reads the world; never changes it. Knows nothing of the UI.

use std::collections::BTreeSet;

use crate::sim::{NodeStatus, World};

use crate::replication::node::LabNode;
use crate::replication::server::Server;
use crate::replication::single_leader::checks::{diverged_rows, Checks, LostToConflict};

use super::version::Dot;

/// Runs every check on a multi-leader `world`.
pub fn check(world: &World<LabNode>) -> Checks {
    let mut checks = Checks::default();
    let servers: Vec<(&str, &Server, bool)> = world
        .nodes()
        .filter_map(|n| {
            n.process
                .as_server()
                .map(|s| (n.name, s, n.status == NodeStatus::Up))
        })
        .collect();
    let mut lost: BTreeSet<Dot> = BTreeSet::new();
    for (name, server, up) in &servers {
        checks.conflicts += server.disk.multi.conflicts.len();
        if *up {
            checks.held += server.disk.multi.held.len();
        }
        for conflict in server.disk.multi.conflicts.iter() {
            for dot in &conflict.lost {
                if !lost.insert(*dot) {
                    continue;
                }
                checks.lost_to_conflicts.push(LostToConflict {
                    write: server.dot_name(*dot),
                    table: conflict.table.clone(),
                    key: conflict.key.clone(),
                    kind: conflict.kind.name(),
                    node: name.to_string(),
                });
            }
        }
    }
    // Rows are compared only between running leaders that have applied the same changes:
    // until then a difference is lag, not divergence.
    let running: Vec<&(&str, &Server, bool)> = servers.iter().filter(|s| s.2).collect();
    if let Some((_, first, _)) = running.first() {
        let settled = running.iter().all(|(_, s, _)| {
            s.disk.multi.applied == first.disk.multi.applied && s.disk.multi.held.is_empty()
        });
        if settled {
            for (name, other, _) in running.iter().skip(1) {
                checks
                    .diverged_rows
                    .extend(diverged_rows(&first.disk.db, &other.disk.db, name));
            }
        }
    }
    checks
}
