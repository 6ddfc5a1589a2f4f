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
//! A minimal process and run:
//!
//! ```
//! use replication_lab::sim::*;
//!
//! /// Sends "hello" to node 1 once a second; counts what it receives.
//! #[derive(Clone, Debug, Default)]
//! struct Greeter { heard: u32 }
//!
//! impl Process for Greeter {
//!     type Msg = &'static str;
//!     type Timer = ();
//!     type Request = ();
//!     type Reply = u32;
//!     type Durable = ();
//!     type Note = u32;
//!     fn on_start(&mut self, cx: &mut Context<Self>) {
//!         cx.set_timer((), Time::secs(1));
//!     }
//!     fn on_timer(&mut self, cx: &mut Context<Self>, _: ()) {
//!         cx.send(NodeId(1), "hello");
//!         cx.set_timer((), Time::secs(1));
//!     }
//!     fn on_message(&mut self, cx: &mut Context<Self>, _from: NodeId, _msg: &'static str) {
//!         self.heard += 1;
//!         cx.note(self.heard);
//!     }
//!     fn on_request(&mut self, cx: &mut Context<Self>, id: InputId, _: ()) {
//!         cx.reply(id, self.heard);
//!     }
//!     fn apply_durable(&mut self, _: ()) -> Vec<u32> { Vec::new() }
//!     fn on_crash(&mut self) { self.heard = 0; }
//! }
//!
//! let mut world = World::new(42, NetworkConfig::uniform(LinkConfig::new(Time::millis(10))));
//! let a = world.add_node("a", Greeter::default());
//! let b = world.add_node("b", Greeter::default());
//! world.schedule(Time::millis(2_500), Input::Fault(Fault::Crash(b))).unwrap();
//! world.run_until(Time::secs(4));
//! assert_eq!(world.node(b).unwrap().heard, 0); // the crash dropped its volatile count
//! assert_eq!(world.node_status(b), Some(NodeStatus::Crashed));
//! assert_eq!(world.now().to_string(), "4.000 s");
//! let lost = world.trace().iter().filter(|e| matches!(
//!     e.kind,
//!     TraceKind::Dropped { reason: DropReason::ReceiverDown, .. },
//! ));
//! assert_eq!(lost.count(), 1); // the hello sent at 3 s (the one at 4 s is still flying)
//! # let _ = a;
//! ```
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

pub mod chunked;
pub mod hash;
pub mod input;
pub mod network;
pub mod node;
pub mod process;
pub mod queue;
pub mod rng;
pub use crate::small_map;
pub mod time;
pub mod trace;
pub mod world;

pub use chunked::Chunked;
pub use hash::{stable_hash, StableHasher};
pub use input::{Fault, Input, InputError, InputId, ScheduleError};
pub use network::{
    DropReason, InFlight, LinkConfig, LinkView, MessageId, Network, NetworkConfig, MIN_LATENCY,
};
pub use node::{NodeId, NodeStatus};
pub use process::{Context, Effect, Process};
pub use rng::{Probability, SimRng};
pub use time::Time;
pub use trace::{describe_event, Trace, TraceDifference, TraceEvent, TraceKind};
pub use world::{NodeView, World};
