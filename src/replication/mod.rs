//! Replication on top of the simulated world, as one [`crate::sim::Process`]
//! ([`node::LabNode`]). Family-neutral parts:
//! - [`server`]: the database host — a lab [`crate::engine::Database`], its sessions and
//!   connections, running clients' SQL; what survives a crash ([`server::Disk`]) and what
//!   does not;
//! - [`method`]: the log methods (statement, WAL, logical, trigger), one module each;
//! - [`log`], [`config`], [`directory`], [`render`]: the log's shapes, the settings, who is
//!   who, and the log and status as the real tools print them;
//! - [`client`]: the application client, routed by its family's [`client::Router`], its
//!   reads by its [`routing::ReadRouting`] setting;
//! - [`messages`]: the client protocol, and the envelope that carries a family's own;
//! - [`family`]: what a family tells the lab about its nodes (roles, states, links, the
//!   commands offered and refused), in terms every family shares, and the one place that
//!   picks a cluster's family for it.
//!
//! One folder per replication family owns its server roles, internal messages, checks,
//! cluster building and how it is described (`describe.rs`): [`single_leader`] now
//! (leader, followers, failover, a coordination service); multi-leader and leaderless
//! replication go in sibling folders.
//!
//! Knows nothing of the UI.

pub mod client;
pub mod config;
pub mod directory;
pub mod family;
pub mod log;
pub mod messages;
pub mod method;
pub mod multi_leader;
pub mod node;
pub mod render;
pub mod routing;
pub mod server;
pub mod single_leader;

// Transitional re-exports: the single-leader family's modules at their old paths, for the
// lab, the UI and the tests until they name `single_leader` themselves.
pub use single_leader::{applier, checks, cluster, coordinator};
