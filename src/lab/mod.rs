//! The lab: the one object the UI holds. It owns the simulated cluster (a world of servers,
//! clients and, for trigger-based replication, the applier) and answers with [`View`]s of it;
//! user actions come back to it as plain values.
//!
//! It must not know how anything is drawn.

pub mod describe;
pub mod inspect;
pub mod narrate;

use crate::replication::checks::{self, Checks};
use crate::replication::cluster;
use crate::replication::config::{AckPolicy, ClusterConfig, Method};
use crate::replication::messages::Request;
use crate::replication::node::LabNode;
use crate::sim::{Fault, Input, InputError, NodeId, Time, World};
use crate::timeline::Timeline;
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
            cluster: ClusterConfig::lab_default(Method::Wal),
        }
    }
}

/// What a person (or a lesson) can do to the lab. Plain values: a lesson or a link can carry
/// a list of them, stamped with times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabAction {
    /// `client` runs `sql` on the leader it knows.
    Sql {
        client: u32,
        sql: String,
    },
    /// `client` runs `sql` on `server` (a read from a follower, say).
    SqlOn {
        client: u32,
        server: u32,
        sql: String,
    },
    Crash(u32),
    Restart(u32),
    /// Manual failover: this follower becomes the leader.
    Promote(u32),
    /// This spare joins as a new follower from a snapshot.
    Join(u32),
    /// This old leader steps down and rejoins as a follower.
    Rejoin(u32),
    Partition {
        a: u32,
        b: u32,
    },
    Heal {
        a: u32,
        b: u32,
    },
    /// The leader's acknowledgement policy changes.
    SetAck(AckPolicy),
    /// This server checkpoints now.
    Checkpoint(u32),
    /// This client cancels the statements it is waiting on.
    Cancel(u32),
}

/// How far the timeline slider reaches at least.
const MIN_HORIZON: Micros = 10_000_000;

/// A running lab: a [`Timeline`] over the cluster's world, so any moment can be shown
/// exactly, forward or back, and an action at a moment forks the future from there.
#[derive(Clone, Debug)]
pub struct Lab {
    settings: LabSettings,
    timeline: Timeline<LabNode>,
}

impl Lab {
    /// A cluster as `settings` describe it, at time zero.
    pub fn new(settings: LabSettings) -> Lab {
        let world = cluster::build(&settings.cluster, settings.seed, cluster::default_network());
        Lab {
            timeline: Timeline::new(world),
            settings,
        }
    }

    pub fn settings(&self) -> &LabSettings {
        &self.settings
    }

    /// The world at the current time (for tests and inspectors).
    pub fn world(&self) -> &World<LabNode> {
        self.timeline.world()
    }

    /// The virtual time the lab shows.
    pub fn time(&self) -> Micros {
        self.timeline.time().as_micros()
    }

    /// Shows the lab at time `t`, forward or back.
    pub fn seek(&mut self, t: Micros) {
        self.timeline.seek(Time::micros(t));
    }

    /// Moves to the next event's time; false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        self.timeline.step()
    }

    /// Moves back to the previous event's time; false at the start.
    pub fn step_back(&mut self) -> bool {
        self.timeline.step_back()
    }

    /// How far the timeline reaches: the furthest time computed so far, and at least
    /// [`MIN_HORIZON`], so the slider has room ahead of the present.
    pub fn horizon(&self) -> Micros {
        self.timeline.horizon().as_micros().max(MIN_HORIZON)
    }

    /// Does something now (a client's SQL, a crash, a partition): the future after now is
    /// recomputed from here. An input the world rejects (a crashed node's request) is kept
    /// and traced as rejected, and the error says why.
    pub fn act(&mut self, input: Input<LabNode>) -> Result<(), InputError> {
        self.timeline.act(input).map(|_| ())
    }

    /// Does `action` now; the future after now is recomputed. An action the world cannot
    /// take (a request to a crashed node, a partition of a node with itself) is refused with
    /// a sentence saying why, and nothing changes... except the trace noting the refusal.
    pub fn perform(&mut self, action: LabAction) -> Result<(), String> {
        let request = |node: u32, req: Request| Input::Request {
            node: NodeId(node),
            req,
        };
        let input = match action {
            LabAction::Sql { client, sql } => request(client, Request::Sql(sql)),
            LabAction::SqlOn {
                client,
                server,
                sql,
            } => request(
                client,
                Request::SqlOn {
                    server: NodeId(server),
                    sql,
                },
            ),
            LabAction::Crash(node) => Input::Fault(Fault::Crash(NodeId(node))),
            LabAction::Restart(node) => Input::Fault(Fault::Restart(NodeId(node))),
            LabAction::Promote(node) => request(node, Request::Promote),
            LabAction::Join(node) => request(node, Request::Join),
            LabAction::Rejoin(node) => request(node, Request::Rejoin),
            LabAction::Partition { a, b } => Input::Fault(Fault::Partition {
                a: NodeId(a),
                b: NodeId(b),
                two_way: true,
            }),
            LabAction::Heal { a, b } => Input::Fault(Fault::Heal {
                a: NodeId(a),
                b: NodeId(b),
            }),
            LabAction::SetAck(policy) => {
                // The cluster's setting: every running server records it; a crashed one
                // keeps the old setting until it is changed again (like its config file).
                let servers: Vec<NodeId> = self
                    .world()
                    .nodes()
                    .filter(|n| n.process.as_server().is_some())
                    .filter(|n| n.status == crate::sim::NodeStatus::Up)
                    .map(|n| n.id)
                    .collect();
                if checks::current_leader(self.world()).is_none() {
                    return Err("there is no leader to change".into());
                }
                for server in servers {
                    let _ = self.act(Input::Request {
                        node: server,
                        req: Request::SetAck(policy.clone()),
                    });
                }
                return Ok(());
            }
            LabAction::Checkpoint(node) => request(node, Request::Checkpoint),
            LabAction::Cancel(client) => request(client, Request::Cancel),
        };
        self.act(input)
            .map_err(|e| describe_input_error(self.world(), e))
    }

    /// The acknowledgement setting the current leader applies now (it follows the timeline:
    /// step back past a change and the old setting is back).
    pub fn ack(&self) -> Option<AckPolicy> {
        checks::current_leader(self.world()).map(|(_, leader)| leader.disk.ack.clone())
    }

    /// Inspects one node: its log, rows and replication status.
    pub fn inspect(&self, node: u32) -> Option<inspect::Inspection> {
        inspect::inspect(self.world(), self.settings.cluster.method, NodeId(node))
    }

    /// What the lab flags now.
    pub fn checks(&self) -> Checks {
        checks::check(self.world(), self.settings.cluster.method)
    }

    /// The last `limit` narrated events up to now.
    pub fn events(&self, limit: usize) -> Vec<narrate::EventLine> {
        narrate::recent_events(self.world(), limit)
    }

    /// The lab as the UI draws it now.
    pub fn view(&self) -> View {
        describe::view(self.timeline.world(), self.settings.cluster.method)
    }
}

/// An input error in words.
pub(crate) fn describe_input_error(world: &World<LabNode>, error: InputError) -> String {
    let name = |id: NodeId| world.node_name(id).unwrap_or("that node").to_string();
    match error {
        InputError::UnknownNode(id) => format!("there is no node {}", id.0),
        InputError::NodeDown(id) => format!("{} is crashed: restart it first", name(id)),
        InputError::AlreadyCrashed(id) => format!("{} is already crashed", name(id)),
        InputError::NotCrashed(id) => format!("{} is running", name(id)),
        InputError::SameNode(id) => format!("{} cannot be cut off from itself", name(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::Role;

    #[test]
    fn default_lab_has_a_leader_two_followers_a_spare_and_a_client() {
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
                ("follower-3".to_string(), Role::Follower),
                ("client-1".to_string(), Role::None),
                ("etcd".to_string(), Role::None),
            ]
        );
        // Every server but the spare talks to the coordination service.
        assert_eq!(
            view.links
                .iter()
                .filter(|l| l.kind == crate::view::LinkKind::Coordination)
                .count(),
            3
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
