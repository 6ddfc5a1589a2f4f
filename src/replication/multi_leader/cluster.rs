//! Builds a multi-leader world: every server a leader in its own datacenter, one client
//! beside each leader (sending there), and a network where a message inside a datacenter
//! takes a few milliseconds and one between datacenters takes the configured latency.
//!
//! Node ids: the leaders first (`leader-a`, `leader-b`, …), then their clients.

use std::rc::Rc;

use crate::sim::{LinkConfig, NetworkConfig, NodeId, Time, World};

use crate::replication::client::{Client, ClientProgram, Router};
use crate::replication::config::ClusterConfig;
use crate::replication::node::LabNode;
use crate::replication::server::Server;
use crate::replication::single_leader::cluster::directory;

use super::config::{MultiLeaderConfig, Resolver};

/// The leaders' names, by place.
pub const LEADER_NAMES: [&str; 3] = ["leader-a", "leader-b", "leader-c"];
/// The clients' names, by their leader's place.
pub const CLIENT_NAMES: [&str; 3] = ["client-a", "client-b", "client-c"];

/// The datacenter a node is in (servers by place, clients by their leader's).
fn datacenter(config: &ClusterConfig, node: NodeId) -> usize {
    let leaders = config.servers.len();
    let i = node.0 as usize;
    if i < leaders {
        i
    } else {
        (i - leaders) % leaders.max(1)
    }
}

/// The network between the datacenters: nearby a few milliseconds, between two of them the
/// configured latency (with a little jitter).
pub fn network(config: &ClusterConfig, multi: &MultiLeaderConfig) -> NetworkConfig {
    let near = LinkConfig::new(Time::millis(4)).with_jitter(Time::millis(2));
    let far = LinkConfig::new(multi.inter_dc_latency).with_jitter(Time::millis(4));
    let nodes = (config.servers.len() + config.clients.len()) as u32;
    let mut network = NetworkConfig::uniform(near);
    for a in 0..nodes {
        for b in 0..nodes {
            let (from, to) = (NodeId(a), NodeId(b));
            if a != b && datacenter(config, from) != datacenter(config, to) {
                network = network.with_link(from, to, far);
            }
        }
    }
    network
}

/// A world running the multi-leader `config`, seeded with `seed`.
pub fn build(config: &ClusterConfig, seed: u64, network: NetworkConfig) -> World<LabNode> {
    let multi = config.multi_leader.unwrap_or_default();
    let config = Rc::new(config.clone());
    let directory = Rc::new(directory(&config));
    let mut world = World::new(seed, network);
    let leaders = config.servers.len();
    for (i, spec) in config.servers.iter().enumerate() {
        let (config, directory, spec) = (config.clone(), directory.clone(), spec.clone());
        world.add_node_with(spec.name.clone(), |_, node_seed| {
            let mut server =
                Server::new(spec, config, directory, node_seed, NodeId(i as u32), true);
            if multi.auto_increment_offsets {
                // MySQL: auto_increment_increment = the number of leaders,
                // auto_increment_offset = this leader's place.
                server
                    .disk
                    .db
                    .set_auto_increment_step(leaders as i64, i as i64 + 1);
            }
            LabNode::Server(Box::new(server))
        });
    }
    let leader_ids: Vec<NodeId> = directory.servers.iter().map(|(id, _)| *id).collect();
    for (i, name) in config.clients.iter().enumerate() {
        let nearby = leader_ids[i % leaders.max(1)];
        let router = if multi.resolver == Resolver::HomeLeader {
            Router::Home {
                nearby,
                leaders: leader_ids.clone(),
            }
        } else {
            Router::Nearby { leader: nearby }
        };
        world.add_node(
            name.clone(),
            LabNode::Client(
                Client::new(name, router, directory.clone())
                    .speaking(ClientProgram::for_cluster(config.method, &config.ack))
                    .reading_from(leader_ids.clone()),
            ),
        );
    }
    world
}
