//! The lab: the one object the UI holds. It owns the simulated cluster (a world of servers,
//! clients and, for trigger-based replication, the applier) and answers with [`View`]s of it;
//! user actions come back to it as plain values.
//!
//! It must not know how anything is drawn.

pub mod describe;

use crate::replication::cluster;
use crate::replication::config::{ClusterConfig, Method};
use crate::replication::node::LabNode;
use crate::sim::{Time, World};
use crate::view::{Micros, View};

/// How a lab starts: its cluster and the seed every random draw comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabSettings {
    pub seed: u64,
    pub cluster: ClusterConfig,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            seed: 1,
            cluster: ClusterConfig::standard(Method::Wal, 2),
        }
    }
}

/// How far ahead of the current time the timeline slider reaches when nothing has been
/// computed beyond it.
const MIN_HORIZON: Micros = 10_000_000;

/// A running lab.
#[derive(Clone, Debug)]
pub struct Lab {
    settings: LabSettings,
    /// The world as built at time zero: going back in time replays from here.
    origin: World<LabNode>,
    world: World<LabNode>,
    horizon: Micros,
}

impl Lab {
    /// A cluster as `settings` describe it, at time zero.
    pub fn new(settings: LabSettings) -> Lab {
        let world = cluster::build(&settings.cluster, settings.seed, cluster::default_network());
        Lab {
            origin: world.clone(),
            world,
            settings,
            horizon: MIN_HORIZON,
        }
    }

    pub fn settings(&self) -> &LabSettings {
        &self.settings
    }

    /// The world at the current time (for tests and inspectors).
    pub fn world(&self) -> &World<LabNode> {
        &self.world
    }

    /// The virtual time the lab shows.
    pub fn time(&self) -> Micros {
        self.world.now().as_micros()
    }

    /// Shows the lab at time `t`, forward or back (back replays from the start).
    pub fn seek(&mut self, t: Micros) {
        if t < self.time() {
            self.world = self.origin.clone();
        }
        self.world.run_until(Time::micros(t));
        self.horizon = self.horizon.max(t);
    }

    /// Moves to the next event's time; false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        match self.world.next_event_time() {
            Some(next) => {
                self.seek(next.as_micros());
                true
            }
            None => false,
        }
    }

    /// Moves back to the previous event's time; false at the start.
    pub fn step_back(&mut self) -> bool {
        let now = self.world.now();
        if now == Time::ZERO {
            return false;
        }
        let previous = self
            .world
            .trace()
            .iter()
            .map(|e| e.at)
            .filter(|at| *at < now)
            .max()
            .unwrap_or(Time::ZERO);
        self.seek(previous.as_micros());
        true
    }

    /// How far the timeline reaches: the furthest time shown so far, and at least a little
    /// past the current time, so the slider has room.
    pub fn horizon(&self) -> Micros {
        self.horizon.max(self.time()).max(MIN_HORIZON)
    }

    /// The lab as the UI draws it now.
    pub fn view(&self) -> View {
        describe::view(&self.world, self.settings.cluster.method)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Role;

    #[test]
    fn default_lab_has_one_leader_and_two_followers_and_a_client() {
        let view = Lab::new(LabSettings::default()).view();
        let roles: Vec<(String, Role)> = view
            .nodes
            .iter()
            .map(|n| (n.name.clone(), n.role))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("leader".to_string(), Role::Leader),
                ("follower-1".to_string(), Role::Follower),
                ("follower-2".to_string(), Role::Follower),
                ("client-1".to_string(), Role::None),
            ]
        );
        assert_eq!(
            view.links
                .iter()
                .filter(|l| l.kind == crate::view::LinkKind::Replication)
                .count(),
            2
        );
    }

    #[test]
    fn stepping_back_returns_to_the_same_view() {
        let mut lab = Lab::new(LabSettings::default());
        for _ in 0..5 {
            assert!(lab.step());
        }
        let (t, view) = (lab.time(), lab.view());
        assert!(lab.step());
        assert!(lab.step_back());
        assert_eq!(lab.time(), t);
        assert_eq!(lab.view(), view);
    }
}
