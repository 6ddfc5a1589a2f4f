//! What a node is to the world: a [`Process`] whose handlers return [`Effect`]s as data.
//!
//! Handlers never touch the event queue, the network or the trace. They read [`Context::now`]
//! and [`Context::me`], change their own state, and *describe* what should happen next by
//! pushing effects into the [`Context`] (`cx.send(..)`, `cx.set_timer(..)`, ...). When the
//! handler returns, the world applies the effects in the order they were pushed, and traces
//! each one. Because effects are plain values, a process can be unit-tested without a world:
//! build a [`Context::new`], call a handler, and inspect [`Context::effects`].
//!
//! **Durable state.** A process keeps two kinds of state: volatile (lost on a crash) and
//! durable (on "disk", survives crashes). Durable changes go through the world: a handler
//! pushes [`Effect::Durable`], and after the handler returns the world calls
//! [`Process::apply_durable`] with it and traces the write and the notes it returns. Routing
//! durable writes through the world makes every one visible in the trace, and leaves room to
//! model slow disks or writes lost in a crash later without changing processes. A consequence:
//! a handler does not see its own durable write until it has returned.
//!
//! This module knows nothing about databases or replication; those are `Process` impls
//! elsewhere.

use super::input::InputId;
use super::node::NodeId;
use super::time::Time;
use core::fmt::Debug;
use core::hash::Hash;

/// A node's behaviour: state plus handlers that react to events by returning effects.
///
/// `Debug` is required so the world and its traces can be inspected; `Clone` so the world can be
/// cloned as a checkpoint.
pub trait Process: Clone + Debug {
    /// What nodes send each other.
    type Msg: Clone + Debug + Hash;
    /// A timer's name. Setting a timer that is already set moves it.
    type Timer: Clone + Debug + Hash + Ord;
    /// A request from outside the system (a user action), injected with
    /// [`crate::sim::Input::Request`].
    type Request: Clone + Debug + Hash;
    /// The answer to a request, sent with [`Context::reply`].
    type Reply: Clone + Debug + Hash;
    /// A durable write, applied by the world with [`Process::apply_durable`].
    type Durable: Clone + Debug + Hash;
    /// A domain event worth showing in the trace (log appended, row changed, commit, ...).
    type Note: Clone + Debug + Hash;

    /// The node starts: when added to the world, and again after each restart.
    fn on_start(&mut self, cx: &mut Context<Self>);

    /// A message from `from` arrived.
    fn on_message(&mut self, cx: &mut Context<Self>, from: NodeId, msg: Self::Msg);

    /// A timer set earlier fired.
    fn on_timer(&mut self, cx: &mut Context<Self>, timer: Self::Timer);

    /// A request from outside arrived. `request` is the id to answer with [`Context::reply`]
    /// (possibly later, or from another node if the request is forwarded with its id).
    fn on_request(&mut self, cx: &mut Context<Self>, request: InputId, req: Self::Request);

    /// Applies a durable write the process asked for with [`Effect::Durable`], returning notes
    /// for the trace. Must not depend on volatile state that a crash drops.
    fn apply_durable(&mut self, write: Self::Durable) -> Vec<Self::Note>;

    /// The node crashed: drop all volatile state, keep the durable state. The world has already
    /// cancelled its timers and will drop messages to it until it restarts.
    fn on_crash(&mut self);
}

/// Something a handler asks the world to do.
#[derive(Clone, Debug)]
pub enum Effect<P: Process> {
    /// Send `msg` to `to` over the network.
    Send {
        /// The receiver.
        to: NodeId,
        /// The message.
        msg: P::Msg,
    },
    /// Fire `timer` after `after`, replacing the same timer if it is already set. A zero
    /// `after` fires at the same instant, after the events already due then; a process that
    /// keeps re-arming with zero would stall virtual time, so don't.
    SetTimer {
        /// Which timer.
        timer: P::Timer,
        /// How long from now.
        after: Time,
    },
    /// Forget `timer` if it is set.
    CancelTimer {
        /// Which timer.
        timer: P::Timer,
    },
    /// Write to durable storage (see the module docs).
    Durable(P::Durable),
    /// Complete the outside request `request`.
    Reply {
        /// The id `on_request` was given.
        request: InputId,
        /// The answer.
        reply: P::Reply,
    },
    /// Record a domain event in the trace.
    Note(P::Note),
}

/// What a handler can see (the time, its own id) and where it puts its effects.
#[derive(Clone, Debug)]
pub struct Context<P: Process> {
    now: Time,
    me: NodeId,
    effects: Vec<Effect<P>>,
}

impl<P: Process> Context<P> {
    /// A context for running a handler by hand, e.g. in a process's unit tests.
    pub fn new(now: Time, me: NodeId) -> Context<P> {
        Context::with_buffer(now, me, Vec::new())
    }

    /// A context that collects effects into `buffer` (cleared first): the world reuses one
    /// buffer for every handler call so that handling an event does not allocate.
    pub(crate) fn with_buffer(now: Time, me: NodeId, mut buffer: Vec<Effect<P>>) -> Context<P> {
        buffer.clear();
        Context {
            now,
            me,
            effects: buffer,
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// The node this handler runs on.
    pub fn me(&self) -> NodeId {
        self.me
    }

    /// Sends `msg` to `to`.
    pub fn send(&mut self, to: NodeId, msg: P::Msg) {
        self.effects.push(Effect::Send { to, msg });
    }

    /// Fires `timer` after `after`, replacing it if already set.
    pub fn set_timer(&mut self, timer: P::Timer, after: Time) {
        self.effects.push(Effect::SetTimer { timer, after });
    }

    /// Forgets `timer` if it is set.
    pub fn cancel_timer(&mut self, timer: P::Timer) {
        self.effects.push(Effect::CancelTimer { timer });
    }

    /// Writes to durable storage; applied after the handler returns.
    pub fn write_durable(&mut self, write: P::Durable) {
        self.effects.push(Effect::Durable(write));
    }

    /// Completes the outside request `request` with `reply`.
    pub fn reply(&mut self, request: InputId, reply: P::Reply) {
        self.effects.push(Effect::Reply { request, reply });
    }

    /// Records a domain event in the trace.
    pub fn note(&mut self, note: P::Note) {
        self.effects.push(Effect::Note(note));
    }

    /// The effects pushed so far, in order.
    pub fn effects(&self) -> &[Effect<P>] {
        &self.effects
    }

    /// The effects pushed, in order, taking them out of the context.
    pub fn into_effects(self) -> Vec<Effect<P>> {
        self.effects
    }
}
