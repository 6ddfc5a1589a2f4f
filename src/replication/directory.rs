//! Who is who in a cluster: node ids and names of the servers, clients, the applier and the
//! coordination service. Built
//! once when the cluster is; shared (read-only) by every node, like a hosts file.

use crate::sim::NodeId;

/// The cluster's nodes by role, in configuration order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directory {
    /// Database servers: the first is the initial leader.
    pub servers: Vec<(NodeId, String)>,
    pub clients: Vec<(NodeId, String)>,
    pub applier: Option<NodeId>,
    /// The coordination service holding the leader key (with fencing).
    pub coordinator: Option<NodeId>,
}

impl Directory {
    /// The id of the server called `name`.
    pub fn server_id(&self, name: &str) -> Option<NodeId> {
        self.servers
            .iter()
            .find(|(_, n)| n == name)
            .map(|(id, _)| *id)
    }

    /// The name of any node, or `node-N` for one the directory does not know.
    pub fn name(&self, id: NodeId) -> &str {
        self.servers
            .iter()
            .chain(self.clients.iter())
            .find(|(n, _)| *n == id)
            .map(|(_, name)| name.as_str())
            .unwrap_or(if Some(id) == self.applier {
                "applier"
            } else if Some(id) == self.coordinator {
                super::coordinator::COORDINATOR_NAME
            } else {
                "unknown node"
            })
    }

    /// Every server but `me`.
    pub fn other_servers(&self, me: NodeId) -> Vec<NodeId> {
        self.servers
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| *id != me)
            .collect()
    }

    /// Every node but `me`: servers, clients and the applier (the coordination service is
    /// asked, never told).
    pub fn everyone_but(&self, me: NodeId) -> Vec<NodeId> {
        self.servers
            .iter()
            .chain(self.clients.iter())
            .map(|(id, _)| *id)
            .chain(self.applier)
            .filter(|id| *id != me)
            .collect()
    }

    /// A server's IP address on the lab's network: `10.0.0.11` for the first server, then
    /// one up per server in configuration order (`10.0.0.12` for `follower-1`, …); clients
    /// and the applier live on `10.0.1.x`.
    pub fn address(&self, id: NodeId) -> String {
        match self.servers.iter().position(|(n, _)| *n == id) {
            Some(i) => format!("10.0.0.{}", 11 + i),
            None => format!("10.0.1.{}", 11 + id.0),
        }
    }

    pub fn is_server(&self, id: NodeId) -> bool {
        self.servers.iter().any(|(n, _)| *n == id)
    }
}
