//! What comes from outside the simulated system: user requests and injected faults, as data.
//!
//! An [`Input`] is either a client [`Input::Request`] to one node or a [`Fault`]. Inputs are
//! plain values so a scenario is a list of `(time, input)` pairs that can be saved, replayed and
//! hashed. Invalid inputs (an unknown node, restarting a running node, partitioning a node from
//! itself...) never panic: applying them returns an [`InputError`], which is also traced.
//!
//! This module knows nothing about what requests mean.

use super::network::LinkConfig;
use super::node::NodeId;
use super::process::Process;
use super::rng::Probability;
use super::time::Time;
use core::fmt;
use core::hash::{Hash, Hasher};

/// The number of an input given to the world, unique in a world. For a request, this is the id
/// the process receives in `on_request` and answers with `Context::reply`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct InputId(pub u64);

impl fmt::Display for InputId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "r{}", self.0)
    }
}

/// Something that goes wrong (or is repaired) in the world, as a plain value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The node stops: volatile state, timers and connections are lost.
    Crash(NodeId),
    /// A crashed node starts again from its durable state.
    Restart(NodeId),
    /// Cuts `a -> b`, and `b -> a` too when `two_way`.
    Partition {
        /// One side.
        a: NodeId,
        /// The other side.
        b: NodeId,
        /// Whether `b -> a` is cut as well.
        two_way: bool,
    },
    /// Restores both directions between `a` and `b` (each on a new stream if it was cut).
    Heal {
        /// One side.
        a: NodeId,
        /// The other side.
        b: NodeId,
    },
    /// Cuts every link to and from the node.
    Isolate(NodeId),
    /// Restores every cut link.
    HealAll,
    /// `from -> to` behaves like `config` from now on.
    SetLink {
        /// The sender's side.
        from: NodeId,
        /// The receiver's side.
        to: NodeId,
        /// The new behaviour.
        config: LinkConfig,
    },
    /// Changes only the delay of `from -> to`.
    SetDelay {
        /// The sender's side.
        from: NodeId,
        /// The receiver's side.
        to: NodeId,
        /// New base latency.
        latency: Time,
        /// New jitter.
        jitter: Time,
    },
    /// Changes only the loss probability of `from -> to`.
    SetLoss {
        /// The sender's side.
        from: NodeId,
        /// The receiver's side.
        to: NodeId,
        /// New loss probability.
        loss: Probability,
    },
    /// `from -> to` goes back to the default behaviour.
    ClearLink {
        /// The sender's side.
        from: NodeId,
        /// The receiver's side.
        to: NodeId,
    },
    /// Links without their own configuration behave like `config` from now on.
    SetDefaultLink(LinkConfig),
}

/// An input to the world: a client request to a node, or a fault.
#[derive(Clone, Debug)]
pub enum Input<P: Process> {
    /// A client request delivered to `node` (dropped with an error if the node is crashed).
    Request {
        /// The node that receives it.
        node: NodeId,
        /// The request.
        req: P::Request,
    },
    /// A fault injected into the world.
    Fault(Fault),
}

// Hand-written because `#[derive(Hash)]` would demand `P: Hash` of the process itself.
impl<P: Process> Hash for Input<P> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Input::Request { node, req } => {
                state.write_u8(0);
                node.hash(state);
                req.hash(state);
            }
            Input::Fault(fault) => {
                state.write_u8(1);
                fault.hash(state);
            }
        }
    }
}

/// Why an input could not be applied. Nothing changed in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputError {
    /// The input names a node that does not exist.
    UnknownNode(NodeId),
    /// A request to a crashed node.
    NodeDown(NodeId),
    /// A crash of a node that is already crashed.
    AlreadyCrashed(NodeId),
    /// A restart of a node that is running.
    NotCrashed(NodeId),
    /// A partition or heal between a node and itself.
    SameNode(NodeId),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::UnknownNode(n) => write!(f, "there is no node {n}"),
            InputError::NodeDown(n) => write!(f, "node {n} is down"),
            InputError::AlreadyCrashed(n) => write!(f, "node {n} is already crashed"),
            InputError::NotCrashed(n) => write!(f, "node {n} is running, not crashed"),
            InputError::SameNode(n) => write!(f, "node {n} cannot be cut off from itself"),
        }
    }
}

impl std::error::Error for InputError {}

/// Why an input could not be scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScheduleError {
    /// `at` is before the world's current time.
    InThePast {
        /// The requested time.
        at: Time,
        /// The world's time.
        now: Time,
    },
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScheduleError::InThePast { at, now } => {
                write!(f, "cannot schedule at {at}: it is already {now}")
            }
        }
    }
}

impl std::error::Error for ScheduleError {}
