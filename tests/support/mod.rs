//! Small data-like helpers for the replication behaviour tests: build a cluster, script
//! inputs at virtual times, and read servers and clients by name.
#![allow(dead_code)]

pub mod orders;

use replication_lab::engine::{compare_pages, compare_rows, Value};
use replication_lab::replication::checks::{self, Checks};
use replication_lab::replication::client::Answered;
use replication_lab::replication::cluster;
use replication_lab::replication::config::{ClusterConfig, Method};
use replication_lab::replication::messages::Request;
use replication_lab::replication::node::LabNode;
use replication_lab::replication::server::Server;
use replication_lab::sim::{Chunked, Fault, Input, LinkConfig, NetworkConfig, NodeId, Time, World};

pub struct Run {
    pub world: World<LabNode>,
    pub seed: u64,
}

pub fn ms(n: u64) -> Time {
    Time::millis(n)
}

/// The default network, but every link between two servers takes `latency` one way (the
/// followers are in another region).
pub fn far_followers(config: &ClusterConfig, latency: Time) -> NetworkConfig {
    let mut network = cluster::default_network();
    let servers = config.servers.len() as u32;
    for a in 0..servers {
        for b in 0..servers {
            if a != b {
                network = network.with_link(NodeId(a), NodeId(b), LinkConfig::new(latency));
            }
        }
    }
    network
}

impl Run {
    pub fn new(config: &ClusterConfig, seed: u64) -> Run {
        Run {
            world: cluster::build(config, seed, cluster::default_network()),
            seed,
        }
    }

    pub fn with_network(config: &ClusterConfig, seed: u64, network: NetworkConfig) -> Run {
        Run {
            world: cluster::build(config, seed, network),
            seed,
        }
    }

    pub fn id(&self, name: &str) -> NodeId {
        self.world
            .nodes()
            .find(|n| n.name == name)
            .map(|n| n.id)
            .unwrap_or_else(|| panic!("no node called {name} (seed {})", self.seed))
    }

    /// `client` sends `sql` to its leader at `at`.
    pub fn sql(&mut self, at: Time, client: &str, sql: &str) -> &mut Run {
        let node = self.id(client);
        self.input(
            at,
            Input::Request {
                node,
                req: Request::Sql(sql.into()),
            },
        )
    }

    /// `client` sends `sql` to `server` at `at` (a read from a follower, say).
    pub fn sql_on(&mut self, at: Time, client: &str, server: &str, sql: &str) -> &mut Run {
        let (node, server) = (self.id(client), self.id(server));
        self.input(
            at,
            Input::Request {
                node,
                req: Request::SqlOn {
                    server,
                    sql: sql.into(),
                },
            },
        )
    }

    pub fn request(&mut self, at: Time, node: &str, req: Request) -> &mut Run {
        let node = self.id(node);
        self.input(at, Input::Request { node, req })
    }

    pub fn crash(&mut self, at: Time, node: &str) -> &mut Run {
        let node = self.id(node);
        self.input(at, Input::Fault(Fault::Crash(node)))
    }

    pub fn restart(&mut self, at: Time, node: &str) -> &mut Run {
        let node = self.id(node);
        self.input(at, Input::Fault(Fault::Restart(node)))
    }

    pub fn partition(&mut self, at: Time, a: &str, b: &str) -> &mut Run {
        let (a, b) = (self.id(a), self.id(b));
        self.input(
            at,
            Input::Fault(Fault::Partition {
                a,
                b,
                two_way: true,
            }),
        )
    }

    pub fn heal(&mut self, at: Time, a: &str, b: &str) -> &mut Run {
        let (a, b) = (self.id(a), self.id(b));
        self.input(at, Input::Fault(Fault::Heal { a, b }))
    }

    pub fn input(&mut self, at: Time, input: Input<LabNode>) -> &mut Run {
        self.world
            .schedule(at, input)
            .unwrap_or_else(|e| panic!("schedule at {at}: {e:?} (seed {})", self.seed));
        self
    }

    pub fn run_until(&mut self, t: Time) -> &mut Run {
        self.world.run_until(t);
        self
    }

    pub fn server(&self, name: &str) -> &Server {
        let id = self.id(name);
        self.world
            .node(id)
            .and_then(LabNode::as_server)
            .unwrap_or_else(|| panic!("{name} is not a server (seed {})", self.seed))
    }

    pub fn answers(&self, client: &str) -> &Chunked<Answered> {
        let id = self.id(client);
        &self
            .world
            .node(id)
            .and_then(LabNode::as_client)
            .unwrap_or_else(|| panic!("{client} is not a client (seed {})", self.seed))
            .answered
    }

    /// The first answer `client` got to `sql`.
    pub fn answer_to(&self, client: &str, sql: &str) -> &Answered {
        self.answers(client)
            .iter()
            .find(|a| a.sql == sql)
            .unwrap_or_else(|| panic!("{client} got no answer to {sql} (seed {})", self.seed))
    }

    /// The command tag of `client`'s answer to `sql`, which must have succeeded.
    pub fn ok_tag(&self, client: &str, sql: &str) -> String {
        match &self.answer_to(client, sql).outcome {
            Ok(ok) => ok.tag.clone(),
            Err(e) => panic!("{client}: {sql}: {e} (seed {})", self.seed),
        }
    }

    /// The error of `client`'s answer to `sql`, which must have failed.
    pub fn error_text(&self, client: &str, sql: &str) -> String {
        match &self.answer_to(client, sql).outcome {
            Ok(ok) => panic!("{client}: {sql} answered {} (seed {})", ok.tag, self.seed),
            Err(e) => e.clone(),
        }
    }

    /// The rows of `table` on `server`, as text, in key order.
    pub fn rows(&self, server: &str, table: &str) -> Vec<Vec<String>> {
        self.server(server)
            .disk
            .db
            .rows(table)
            .unwrap_or_default()
            .into_iter()
            .map(|row| row.iter().map(Value::to_string).collect())
            .collect()
    }

    /// Keys whose rows differ between two servers.
    pub fn differing_keys(&self, a: &str, b: &str) -> usize {
        compare_rows(&self.server(a).disk.db, &self.server(b).disk.db)
            .differences
            .len()
    }

    /// The live checks, for `method`.
    pub fn checks(&self, method: Method) -> Checks {
        checks::check(&self.world, method)
    }

    pub fn pages_identical(&self, a: &str, b: &str) -> bool {
        compare_pages(&self.server(a).disk.db, &self.server(b).disk.db).identical()
    }
}
