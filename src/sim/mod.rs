//! A generic, deterministic discrete-event simulator: the world the replicas live in.
//!
//! The simulator runs any number of nodes, each a [`Process`]: state plus handlers that react
//! to messages, timers and outside requests by returning [`Effect`]s as plain data. The
//! [`World`] applies those effects — it sends messages over a simulated [`Network`] with
//! latency, jitter, loss and partitions, sets timers, applies durable writes — and records
//! everything in a [`Trace`] with a portable running hash.
//!
//! It must stay pure and deterministic: no wall clock, no OS entropy, no unordered iteration,
//! no `usize` in anything hashed. The same seed and the same [`Input`]s give the same trace on
//! every platform, which is what lets the UI rewind (replay from a cloned checkpoint) and lets
//! tests compare whole runs by one hash.
//!
//! It knows nothing about databases or replication: those are `Process` implementations built
//! on top of it.
//!
//! A tour:
//! * [`time`]: virtual time in microseconds.
//! * [`rng`]: the one seeded RNG, integer probabilities.
//! * [`hash`]: the portable FNV-1a-64 hasher behind trace hashes.
//! * [`node`]: node ids and liveness.
//! * [`process`]: the [`Process`] trait, [`Context`] and [`Effect`].
//! * [`network`]: links, latency, loss, partitions, FIFO streams.
//! * [`input`]: requests and [`Fault`]s injected from outside.
//! * [`queue`]: the time-ordered event queue.
//! * [`trace`]: the record of everything that happened, cheap to clone.
//! * [`world`]: the [`World`] that ties them together.

pub mod hash;
pub mod input;
pub mod network;
pub mod node;
pub mod process;
pub mod queue;
pub mod rng;
pub mod time;
pub mod trace;
pub mod world;

pub use hash::{stable_hash, StableHasher};
pub use input::{Fault, Input, InputError, InputId, ScheduleError};
pub use network::{
    DropReason, InFlight, LinkConfig, LinkView, MessageId, Network, NetworkConfig, MIN_LATENCY,
};
pub use node::{NodeId, NodeStatus};
pub use process::{Context, Effect, Process};
pub use rng::{Probability, SimRng};
pub use time::Time;
pub use trace::{Trace, TraceEvent, TraceKind};
pub use world::{NodeView, World};
