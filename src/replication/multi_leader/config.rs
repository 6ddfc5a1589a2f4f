//! How a multi-leader cluster replicates: which leaders send to which (the topology), how a
//! conflict is resolved, whether changes wait for what they depend on (version vectors), and
//! whether leaders hand out auto-increment ids apart. Plain data, chosen before a run (the
//! topology may change during one, by request), so a lesson or a link can carry it.
//!
//! Knows nothing of the world or the UI.

use crate::sim::Time;

/// Which leaders send their changes to which (DDIA figure 5-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Topology {
    /// Each leader sends to the next in a ring, forwarding what it received (MySQL's
    /// circular replication with `log_replica_updates`).
    Circular,
    /// The first leader is the hub: the others send to it, it forwards to all of them.
    Star,
    /// Every leader sends its own changes to every other (PostgreSQL subscriptions with
    /// `origin = none`); nothing is forwarded.
    AllToAll,
}

impl Topology {
    pub const ALL: [Topology; 3] = [Topology::Circular, Topology::Star, Topology::AllToAll];

    /// The leaders (by index among `leaders`) that leader `me` sends to.
    pub fn downstream(self, me: usize, leaders: usize) -> Vec<usize> {
        if leaders < 2 || me >= leaders {
            return Vec::new();
        }
        match self {
            Topology::Circular => vec![(me + 1) % leaders],
            Topology::Star if me == 0 => (1..leaders).collect(),
            Topology::Star => vec![0],
            Topology::AllToAll => (0..leaders).filter(|&i| i != me).collect(),
        }
    }

    /// Whether a leader sends on what it received from others (not only its own changes).
    pub fn forwards(self) -> bool {
        !matches!(self, Topology::AllToAll)
    }

    /// The word the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Topology::Circular => "circular",
            Topology::Star => "star",
            Topology::AllToAll => "all-to-all",
        }
    }
}

/// What a leader does when a change from another leader conflicts with a concurrent one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Resolver {
    /// The version with the latest commit timestamp wins, by the origin's own clock
    /// (pglogical's `last_update_wins`; Cassandra's only way). Ties: higher server id.
    LastWriteWins,
    /// The version from the leader with the highest server id wins.
    HighestReplicaId,
    /// Text columns keep both values, joined; other columns as last write wins.
    Merge,
    /// Both versions are kept as siblings for the application to resolve; the table shows
    /// the last write's.
    Siblings,
    /// Avoidance: every row has a home leader (by its key) and clients send writes to it;
    /// a conflict that still happens (the home was down) falls back to last write wins.
    HomeLeader,
}

impl Resolver {
    pub const ALL: [Resolver; 5] = [
        Resolver::LastWriteWins,
        Resolver::HighestReplicaId,
        Resolver::Merge,
        Resolver::Siblings,
        Resolver::HomeLeader,
    ];

    /// The word the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Resolver::LastWriteWins => "last write wins",
            Resolver::HighestReplicaId => "highest replica id wins",
            Resolver::Merge => "merge (text joined)",
            Resolver::Siblings => "keep siblings",
            Resolver::HomeLeader => "home leader per key",
        }
    }

    /// Whether the resolver throws a version away (the live check counts those writes).
    pub fn discards(self) -> bool {
        matches!(
            self,
            Resolver::LastWriteWins | Resolver::HighestReplicaId | Resolver::HomeLeader
        )
    }
}

/// A multi-leader cluster's replication settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MultiLeaderConfig {
    pub topology: Topology,
    pub resolver: Resolver,
    /// A change waits at a leader until every change it depends on has been applied there.
    pub version_vectors: bool,
    /// MySQL's `auto_increment_increment` = number of leaders and `auto_increment_offset` =
    /// the leader's place: leader 1 hands out 1, 4, 7…, leader 2 hands out 2, 5, 8…
    pub auto_increment_offsets: bool,
    /// One-way latency between two leaders (each in its own datacenter).
    pub inter_dc_latency: Time,
}

impl Default for MultiLeaderConfig {
    fn default() -> Self {
        MultiLeaderConfig {
            topology: Topology::AllToAll,
            resolver: Resolver::LastWriteWins,
            version_vectors: false,
            auto_increment_offsets: false,
            inter_dc_latency: Time::millis(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_topology_reaches_every_leader_from_every_leader() {
        for topology in Topology::ALL {
            for n in 2..=3 {
                for start in 0..n {
                    // Follow the links (forwarding where the topology forwards).
                    let mut reached = vec![start];
                    let mut frontier = vec![start];
                    while let Some(at) = frontier.pop() {
                        if at != start && !topology.forwards() {
                            continue;
                        }
                        for next in topology.downstream(at, n) {
                            if !reached.contains(&next) {
                                reached.push(next);
                                frontier.push(next);
                            }
                        }
                    }
                    assert_eq!(reached.len(), n, "{topology:?} from {start} of {n}");
                }
            }
        }
    }

    #[test]
    fn a_ring_sends_to_the_next_and_a_star_through_its_hub() {
        assert_eq!(Topology::Circular.downstream(2, 3), vec![0]);
        assert_eq!(Topology::Star.downstream(0, 3), vec![1, 2]);
        assert_eq!(Topology::Star.downstream(2, 3), vec![0]);
        assert_eq!(Topology::AllToAll.downstream(1, 3), vec![0, 2]);
        assert!(Topology::Circular.downstream(0, 1).is_empty());
    }
}
