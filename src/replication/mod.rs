//! Single-leader replication on top of the simulated world: database servers (leader or
//! follower), clients, the trigger-based applier and the coordination service, as one [`crate::sim::Process`]
//! ([`node::LabNode`]).
//!
//! Each server owns a lab [`crate::engine::Database`]. The leader turns each commit into a
//! [`log::LogEntry`] in the shape of the configured [`config::Method`], ships it, and answers
//! the client when the [`config::AckPolicy`] is met. [`cluster`] builds a world from a
//! [`config::ClusterConfig`]; [`checks`] computes what the lab flags live.
//!
//! Knows nothing of the UI.

pub mod applier;
pub mod checks;
pub mod client;
pub mod cluster;
pub mod config;
pub mod coordinator;
pub mod directory;
pub mod log;
pub mod messages;
pub mod method;
pub mod node;
pub mod render;
pub mod server;
