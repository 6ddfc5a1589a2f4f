//! The lab: the one object the UI holds. It owns the simulated cluster and answers with
//! [`View`]s of it; user actions come back to it as plain values.
//!
//! It must not know how anything is drawn.

use crate::view::{LinkKind, LinkView, Micros, NodeKind, NodeStatus, NodeView, Role, View};

/// How a lab starts: its cluster's shape and the seed every random draw comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabSettings {
    pub seed: u64,
    pub followers: u32,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            seed: 1,
            followers: 2,
        }
    }
}

/// A running lab.
#[derive(Clone, Debug)]
pub struct Lab {
    settings: LabSettings,
    nodes: Vec<NodeView>,
    time: Micros,
}

impl Lab {
    /// A cluster of one leader and `settings.followers` followers.
    pub fn new(settings: LabSettings) -> Lab {
        let mut nodes = vec![database_node(0, "leader".into(), Role::Leader)];
        for i in 1..=settings.followers {
            nodes.push(database_node(i, format!("follower-{i}"), Role::Follower));
        }
        Lab {
            settings,
            nodes,
            time: 0,
        }
    }

    // The time API the UI drives. (Placeholder bodies until the lab runs a world: the clock
    // moves, nothing else happens yet.)

    /// The virtual time the lab shows.
    pub fn time(&self) -> Micros {
        self.time
    }

    /// Shows the lab at time `t` (forward or back).
    pub fn seek(&mut self, t: Micros) {
        self.time = t;
    }

    /// Moves to the next event's time; false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.time += 100_000;
        true
    }

    /// Moves back to the previous event's time; false at the start.
    pub fn step_back(&mut self) -> bool {
        if self.time == 0 {
            return false;
        }
        self.time = self.time.saturating_sub(100_000);
        true
    }

    /// How far the timeline reaches: the end of what has been computed, and at least a little
    /// past the current time, so the slider has room.
    pub fn horizon(&self) -> Micros {
        self.time.max(10_000_000)
    }

    pub fn settings(&self) -> &LabSettings {
        &self.settings
    }

    /// The lab as the UI draws it now.
    pub fn view(&self) -> View {
        let leader = self.nodes.iter().find(|n| n.role == Role::Leader);
        let links = leader
            .map(|leader| {
                self.nodes
                    .iter()
                    .filter(|n| n.role == Role::Follower)
                    .map(|f| LinkView {
                        from: leader.id,
                        to: f.id,
                        kind: LinkKind::Replication,
                        cut: false,
                    })
                    .collect()
            })
            .unwrap_or_default();
        View {
            time: self.time,
            nodes: self.nodes.clone(),
            links,
            messages: Vec::new(),
        }
    }
}

fn database_node(id: u32, name: String, role: Role) -> NodeView {
    NodeView {
        id,
        name,
        kind: NodeKind::Database,
        role,
        status: NodeStatus::Up,
        state: match role {
            Role::Leader => "accepting writes".into(),
            _ => "streaming".into(),
        },
        position: String::new(),
        format: "v16".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_lab_has_one_leader_and_two_followers() {
        let view = Lab::new(LabSettings::default()).view();
        let roles: Vec<Role> = view.nodes.iter().map(|n| n.role).collect();
        assert_eq!(roles, vec![Role::Leader, Role::Follower, Role::Follower]);
        assert_eq!(view.links.len(), 2);
        assert!(view.links.iter().all(|l| l.from == 0));
    }
}
