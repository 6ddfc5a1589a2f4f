//! Multi-leader replication (DDIA 5.2): every leader takes writes — one per datacenter,
//! with its clients nearby — and sends its changes to the others asynchronously, as logical
//! row changes that carry their origin. This folder owns what only this family has:
//! - [`config`]: topology (circular, star, all-to-all), resolver, version vectors,
//!   auto-increment offsets, the latency between datacenters;
//! - [`version`]: version vectors, dots and row versions: what tells a later write from a
//!   concurrent one;
//! - [`messages`]: changes as they travel (origin, path, dependencies, rows) and acks;
//! - `server.rs`: the server's part, as an `impl Server` block over the shared database
//!   host — local commits, shipping by topology, loop prevention, holding a change until
//!   its dependencies arrive, applying with conflict detection;
//! - [`resolve`]: the resolvers, each a function of the set of concurrent versions;
//! - [`state`]: what a leader keeps on disk (log, progress by origin, row versions,
//!   conflicts, lost writes) and in memory;
//! - [`cluster`]: building the world (leaders, clients by their leader, the datacenters'
//!   network);
//! - [`checks`]: what the lab flags live (conflicts, writes lost to conflict resolution,
//!   leaders that differ once everything has arrived, changes held);
//! - [`describe`]: how its nodes are described to the lab.
//!
//! Knows nothing of the UI.

pub mod checks;
pub mod cluster;
pub mod config;
pub mod describe;
pub mod messages;
pub mod resolve;
mod server;
pub mod state;
pub mod version;

pub use config::{MultiLeaderConfig, Resolver, Topology};
pub use server::server_id;
