//! Single-leader replication on top of the simulated world: database servers (leader or
//! follower), clients, and the trigger-based applier, as [`crate::sim::Process`]es.
//!
//! Each server owns a lab [`crate::engine::Database`]. The leader turns each commit into a
//! [`log::LogEntry`] in the shape of the configured [`config::Method`], ships it, and answers
//! the client when the [`config::AckPolicy`] is met.
//!
//! Knows nothing of the UI.

pub mod config;
pub mod log;
pub mod render;
