//! Names for nodes and their liveness.
//!
//! This module knows nothing about what a node does; see [`crate::sim::process`] for that.

use core::fmt;

/// A node of the world, numbered from zero in the order nodes were added.
///
/// A `u32` rather than a `usize` so it hashes and serialises the same on every platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeId(pub u32);

impl NodeId {
    /// This id as an index into per-node vectors.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n{}", self.0)
    }
}

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeStatus {
    /// Running: handles messages, timers and requests.
    Up,
    /// Crashed: handles nothing, and messages to it are dropped, until a restart.
    Crashed,
}
