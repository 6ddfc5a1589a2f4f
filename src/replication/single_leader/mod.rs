//! Single-leader replication (DDIA 5.1): one server takes writes and ships its log; the
//! others follow it, and one of them may be promoted when it fails. This folder owns what
//! only this family has:
//! - the server roles, as `impl Server` blocks over the family-neutral database host
//!   ([`crate::replication::server`]): `server.rs` (start, requests, dispatch by role),
//!   `leader.rs` (the walsender side), `commit.rs` (logging, shipping and acknowledging a
//!   commit), `follower.rs` (walreceiver and replay), `snapshot.rs` (base backups),
//!   `failover.rs` (detection, election, promotion, demotion, fencing) and `triggered.rs`
//!   (trigger-based apply); [`state`] holds the state they keep by role, and [`messages`]
//!   what they say to each other;
//! - the other nodes of its clusters: [`coordinator`] (the etcd-like leader key) and
//!   [`applier`] (Slony's `slon`);
//! - [`cluster`]: building a world whose first server leads;
//! - [`describe`]: how its nodes are described to the lab (roles, states, links, the
//!   commands offered and refused, message labels);
//! - [`checks`]: what the lab flags live (two leaders, lost acknowledged writes, diverged
//!   rows, stalled followers);
//! - [`progress`]: where a replica stands (catching up, streaming, crashed...) and how far
//!   behind: the one source of the state words the node, the checks and the inspector show.
//!
//! A new family (multi-leader, leaderless) is a sibling folder with the same parts; the
//! database host, the log methods, the client and the renderings stay shared.
//!
//! Knows nothing of the UI.

pub mod applier;
pub mod checks;
pub mod cluster;
mod commit;
pub mod coordinator;
pub mod describe;
mod failover;
mod follower;
mod leader;
pub mod messages;
pub mod progress;
mod server;
mod snapshot;
pub mod state;
mod triggered;
