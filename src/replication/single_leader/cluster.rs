//! Builds a simulated world from a [`ClusterConfig`]: the servers (the first leads), the
//! clients, for trigger-based replication the applier, and with fencing the coordination
//! service (`etcd`), with a directory of who is who.
//!
//! Node ids follow the configuration: servers first, then clients, then the applier or the
//! coordination service.

use std::rc::Rc;

use crate::sim::{LinkConfig, NetworkConfig, NodeId, Time, World};

use super::applier::Applier;
use super::coordinator::{Coordinator, COORDINATOR_NAME};
use crate::replication::client::{Client, ClientProgram, Router};
use crate::replication::config::ClusterConfig;
use crate::replication::directory::Directory;
use crate::replication::node::LabNode;
use crate::replication::server::Server;

/// The network the lab uses unless a lesson says otherwise: a few milliseconds one way, with
/// a little jitter, like servers in one region.
pub fn default_network() -> NetworkConfig {
    NetworkConfig::uniform(LinkConfig::new(Time::millis(4)).with_jitter(Time::millis(2)))
}

/// The network a configuration runs on: [`default_network`], or for a multi-leader cluster
/// its datacenters' ([`crate::replication::multi_leader::cluster::network`]).
pub fn network_for(config: &ClusterConfig) -> NetworkConfig {
    match &config.multi_leader {
        Some(multi) => crate::replication::multi_leader::cluster::network(config, multi),
        None => default_network(),
    }
}

/// The directory a configuration implies.
pub fn directory(config: &ClusterConfig) -> Directory {
    let servers: Vec<(NodeId, String)> = config
        .servers
        .iter()
        .enumerate()
        .map(|(i, s)| (NodeId(i as u32), s.name.clone()))
        .collect();
    let first_client = servers.len() as u32;
    let clients: Vec<(NodeId, String)> = config
        .clients
        .iter()
        .enumerate()
        .map(|(i, name)| (NodeId(first_client + i as u32), name.clone()))
        .collect();
    let applier = (!config.method.streams()).then(|| NodeId(first_client + clients.len() as u32));
    let next = first_client + clients.len() as u32 + u32::from(applier.is_some());
    Directory {
        servers,
        clients,
        applier,
        coordinator: has_coordinator(config).then_some(NodeId(next)),
    }
}

/// Whether the cluster runs a coordination service: with fencing, for the methods whose
/// servers fail over themselves (a Slony origin moves only by hand).
pub fn has_coordinator(config: &ClusterConfig) -> bool {
    config.failover.fencing && config.method.streams()
}

/// A world running `config`, seeded with `seed`.
pub fn build(config: &ClusterConfig, seed: u64, network: NetworkConfig) -> World<LabNode> {
    if config.multi_leader.is_some() {
        return crate::replication::multi_leader::cluster::build(config, seed, network);
    }
    let config = Rc::new(config.clone());
    let directory = Rc::new(directory(&config));
    let leader = NodeId(0);
    let mut world = World::new(seed, network);
    for (i, spec) in config.servers.iter().enumerate() {
        let (config, directory, spec) = (config.clone(), directory.clone(), spec.clone());
        world.add_node_with(spec.name.clone(), |_, node_seed| {
            LabNode::Server(Box::new(Server::new(
                spec,
                config,
                directory,
                node_seed,
                leader,
                i == 0,
            )))
        });
    }
    // The servers a client may read from: every one that starts streaming, the first leader
    // included (a follower again after a failover).
    let replicas: Vec<NodeId> = directory
        .servers
        .iter()
        .zip(&config.servers)
        .enumerate()
        .filter(|(i, (_, spec))| *i == 0 || spec.starts_streaming)
        .map(|(_, ((id, _), _))| *id)
        .collect();
    for name in &config.clients {
        world.add_node(
            name.clone(),
            LabNode::Client(
                Client::new(name, Router::to_leader(leader), directory.clone())
                    .speaking(ClientProgram::for_cluster(config.method, &config.ack))
                    .reading_from(replicas.clone()),
            ),
        );
    }
    if directory.applier.is_some() {
        // Spares are not subscribed: a Slony subscriber is set up with its tables first.
        let followers: Vec<NodeId> = directory
            .servers
            .iter()
            .zip(&config.servers)
            .skip(1)
            .filter(|(_, spec)| spec.starts_streaming)
            .map(|((id, _), _)| *id)
            .collect();
        world.add_node(
            "applier",
            LabNode::Applier(Applier::new(
                leader,
                &followers,
                config.timings.applier_poll,
                directory.clone(),
            )),
        );
    }
    if directory.coordinator.is_some() {
        world.add_node(
            COORDINATOR_NAME,
            LabNode::Coordinator(Coordinator::new(
                config.failover.key_ttl,
                leader,
                directory.clone(),
            )),
        );
    }
    world
}
