//! The world: nodes, network, event queue, clock and trace, driven one event at a time.
//!
//! A [`World`] owns every [`Process`], the [`Network`], a queue of pending events (message
//! deliveries, timers, scheduled inputs), the virtual clock, one seeded RNG and the [`Trace`].
//! [`World::step`] takes the earliest event, advances the clock to it, runs the handler it
//! calls for, and applies the handler's effects. Nothing else moves time.
//!
//! **Determinism.** Same seed + same nodes + same inputs at the same times gives the same trace
//! and the same [`World::trace_hash`], natively and on wasm32: the queue breaks time ties by
//! insertion order, all maps are ordered, randomness comes only from the seeded RNG, and ids are
//! fixed-width integers.
//!
//! **Checkpoints.** `World` is `Clone`. A clone shares the trace's events with the original
//! (see [`crate::sim::trace`]), so keeping a clone every few hundred events costs the nodes'
//! state, the queue and the messages in flight, not the history. Running a clone forward
//! replays exactly what the original did from the same point.
//!
//! **Faults are inputs.** Crashes, restarts, partitions and link changes arrive as
//! [`Input::Fault`] values, applied at once ([`World::apply`]) or at a chosen time
//! ([`World::schedule`]). Invalid ones return an error and are traced as rejected; they never
//! panic.
//!
//! This module knows nothing about databases or replication.

use super::input::{Fault, Input, InputError, InputId, ScheduleError};
use super::network::{DropReason, InFlight, MessageId, Network, NetworkConfig};
use super::node::{NodeId, NodeStatus};
use super::process::{Context, Effect, Process};
use super::queue::EventQueue;
use super::rng::{derive_seed, SimRng};
use super::small_map::SmallMap;
use super::time::Time;
use super::trace::{Trace, TraceEvent, TraceKind};

/// A deterministic simulated world of `P` processes (see the module docs).
#[derive(Clone, Debug)]
pub struct World<P: Process> {
    seed: u64,
    now: Time,
    rng: SimRng,
    network: Network,
    nodes: Vec<NodeSlot<P>>,
    queue: EventQueue<Pending<P>>,
    in_flight: SmallMap<MessageId, InFlight<P::Msg>>,
    trace: Trace<P>,
    next_message: u64,
    next_input: u64,
    next_timer_token: u64,
    events_processed: u64,
    /// Reused by every handler call for its effects, so handling an event does not allocate.
    effects_buffer: Vec<Effect<P>>,
}

#[derive(Clone, Debug)]
struct NodeSlot<P: Process> {
    name: String,
    status: NodeStatus,
    process: P,
    timers: SmallMap<P::Timer, ActiveTimer>,
}

/// A timer that is set. The queue may also hold older entries for the same timer (moved or
/// cancelled); only the one whose token matches fires.
#[derive(Clone, Copy, Debug)]
struct ActiveTimer {
    token: u64,
    fires_at: Time,
}

/// Something waiting in the queue.
#[derive(Clone, Debug)]
enum Pending<P: Process> {
    /// The message with this id (its body waits in `in_flight`) arrives.
    Deliver(MessageId),
    /// A timer fires, if `token` still matches the node's active timer.
    Timer {
        node: NodeId,
        timer: P::Timer,
        token: u64,
    },
    /// A scheduled input is applied. Boxed: inputs are rare, and a small `Pending` keeps the
    /// heap's moves cheap for the frequent deliveries and timers.
    Input { id: InputId, input: Box<Input<P>> },
}

/// A node as a view sees it.
#[derive(Debug)]
pub struct NodeView<'a, P: Process> {
    /// Its id.
    pub id: NodeId,
    /// Its name.
    pub name: &'a str,
    /// Whether it is running.
    pub status: NodeStatus,
    /// Its process (state).
    pub process: &'a P,
}

impl<P: Process> World<P> {
    /// An empty world at time zero whose every random draw follows from `seed`.
    pub fn new(seed: u64, network: NetworkConfig) -> World<P> {
        World {
            seed,
            now: Time::ZERO,
            // Part 0 of the seed is the world's own RNG; node `i` gets part `i + 1`.
            rng: SimRng::new(derive_seed(seed, 0)),
            network: Network::new(network),
            nodes: Vec::new(),
            queue: EventQueue::new(),
            in_flight: SmallMap::default(),
            trace: Trace::new(),
            next_message: 0,
            next_input: 0,
            next_timer_token: 0,
            events_processed: 0,
            effects_buffer: Vec::new(),
        }
    }

    /// The seed the world was made with.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// A seed for node `id`'s own randomness, derived from the world's seed (so a process that
    /// needs an RNG stays deterministic). Defined for any id, added or not.
    pub fn node_seed(&self, id: NodeId) -> u64 {
        derive_seed(self.seed, u64::from(id.0) + 1)
    }

    /// Adds a node and starts it now (runs `on_start`).
    pub fn add_node(&mut self, name: impl Into<String>, process: P) -> NodeId {
        self.add_node_with(name, |_, _| process)
    }

    /// Adds a node built from its id and its [`World::node_seed`], and starts it now.
    pub fn add_node_with(
        &mut self,
        name: impl Into<String>,
        build: impl FnOnce(NodeId, u64) -> P,
    ) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        let name = name.into();
        let process = build(id, self.node_seed(id));
        self.nodes.push(NodeSlot {
            name: name.clone(),
            status: NodeStatus::Up,
            process,
            timers: SmallMap::default(),
        });
        self.network.add_node();
        self.record(TraceKind::NodeAdded { node: id, name });
        self.run_handler(id, |process, cx| process.on_start(cx));
        self.discard_stale_timers();
        id
    }

    // ----- reading the world -----

    /// The current virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// When the next event is due, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.peek().map(|(at, _)| at)
    }

    /// How many events (deliveries, drops on arrival, timers, scheduled inputs) were processed.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// How many nodes were added.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Node `id`'s process, if it exists.
    pub fn node(&self, id: NodeId) -> Option<&P> {
        self.slot(id).map(|slot| &slot.process)
    }

    /// Node `id`'s name, if it exists.
    pub fn node_name(&self, id: NodeId) -> Option<&str> {
        self.slot(id).map(|slot| slot.name.as_str())
    }

    /// Whether node `id` is running, if it exists.
    pub fn node_status(&self, id: NodeId) -> Option<NodeStatus> {
        self.slot(id).map(|slot| slot.status)
    }

    /// Every node in id order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeView<'_, P>> + '_ {
        self.nodes.iter().enumerate().map(|(index, slot)| NodeView {
            id: NodeId(index as u32),
            name: &slot.name,
            status: slot.status,
            process: &slot.process,
        })
    }

    /// Node `id`'s set timers and when they fire (empty for unknown or crashed nodes).
    pub fn timers(&self, id: NodeId) -> impl Iterator<Item = (&P::Timer, Time)> + '_ {
        self.slot(id)
            .into_iter()
            .flat_map(|slot| slot.timers.iter())
            .map(|(timer, active)| (timer, active.fires_at))
    }

    /// The network's configuration and link states.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The messages travelling now, oldest first, with send and delivery times to animate.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight<P::Msg>> + '_ {
        self.in_flight.values()
    }

    /// Everything that happened so far.
    pub fn trace(&self) -> &Trace<P> {
        &self.trace
    }

    /// Frees spare room the world's append-only parts hold (see [`Trace::shrink_to_fit`]),
    /// before a clone that is kept shares them. Changes nothing the world shows.
    pub fn shrink_to_fit(&mut self) {
        self.trace.shrink_to_fit();
    }

    /// The portable hash of the whole trace (see [`crate::sim::hash`]).
    pub fn trace_hash(&self) -> u64 {
        self.trace.hash()
    }

    // ----- driving the world -----

    /// Queues `input` to be applied at `at` (after anything already due at `at`). Returns the
    /// input's id, which for a request is the id its node will reply with.
    pub fn schedule(&mut self, at: Time, input: Input<P>) -> Result<InputId, ScheduleError> {
        if at < self.now {
            return Err(ScheduleError::InThePast { at, now: self.now });
        }
        let id = self.next_input_id();
        self.queue.push(
            at,
            Pending::Input {
                id,
                input: Box::new(input),
            },
        );
        Ok(id)
    }

    /// Applies `input` now, without waiting for queued events due now. Returns its id, or why it
    /// could not be applied (also traced).
    pub fn apply(&mut self, input: Input<P>) -> Result<InputId, InputError> {
        let id = self.next_input_id();
        let result = self.apply_input(id, input);
        self.discard_stale_timers();
        result.map(|()| id)
    }

    /// Processes the earliest event; returns its time, or `None` if nothing is pending.
    pub fn step(&mut self) -> Option<Time> {
        // Stale timer entries are discarded after every change, so the head is a real event.
        let (at, pending) = self.queue.pop()?;
        self.now = self.now.max(at);
        self.events_processed += 1;
        match pending {
            Pending::Deliver(id) => self.deliver(id),
            Pending::Timer { node, timer, token } => self.fire_timer(node, timer, token),
            Pending::Input { id, input } => {
                // An invalid input is traced by `apply_input`; nothing more to do.
                let _ = self.apply_input(id, *input);
            }
        }
        self.discard_stale_timers();
        Some(at)
    }

    /// Processes every event due at or before `until`, then sets the clock to `until` (if it
    /// is later). Returns the number of events processed.
    pub fn run_until(&mut self, until: Time) -> u64 {
        let before = self.events_processed;
        while self.next_event_time().is_some_and(|at| at <= until) {
            self.step();
        }
        self.now = self.now.max(until);
        self.events_processed - before
    }

    /// [`World::run_until`] `now + span`.
    pub fn run_for(&mut self, span: Time) -> u64 {
        self.run_until(self.now + span)
    }

    // ----- inside -----

    fn slot(&self, id: NodeId) -> Option<&NodeSlot<P>> {
        self.nodes.get(id.index())
    }

    fn next_input_id(&mut self) -> InputId {
        let id = InputId(self.next_input);
        self.next_input += 1;
        id
    }

    fn record(&mut self, kind: TraceKind<P>) {
        self.trace.push(TraceEvent { at: self.now, kind });
    }

    /// Pops queue entries for timers that were moved, cancelled or wiped by a crash, so the
    /// head of the queue is always an event that will really happen (`next_event_time` is
    /// exact and `step` never processes a no-op).
    fn discard_stale_timers(&mut self) {
        while let Some((_, Pending::Timer { node, timer, token })) = self.queue.peek() {
            let live = self
                .slot(*node)
                .and_then(|slot| slot.timers.get(timer))
                .is_some_and(|active| active.token == *token);
            if live {
                break;
            }
            self.queue.pop();
        }
    }

    /// Runs one handler of node `node` (if it exists) and applies its effects.
    fn run_handler(&mut self, node: NodeId, handler: impl FnOnce(&mut P, &mut Context<P>)) {
        let buffer = std::mem::take(&mut self.effects_buffer);
        let mut cx = Context::with_buffer(self.now, node, buffer);
        if let Some(slot) = self.nodes.get_mut(node.index()) {
            handler(&mut slot.process, &mut cx);
        }
        let mut effects = cx.into_effects();
        for effect in effects.drain(..) {
            self.apply_effect(node, effect);
        }
        self.effects_buffer = effects;
    }

    fn apply_effect(&mut self, node: NodeId, effect: Effect<P>) {
        match effect {
            Effect::Send { to, msg } => self.send(node, to, msg),
            Effect::SetTimer { timer, after } => {
                let token = self.next_timer_token;
                self.next_timer_token += 1;
                let fires_at = self.now + after;
                let Some(slot) = self.nodes.get_mut(node.index()) else {
                    return;
                };
                slot.timers
                    .insert(timer.clone(), ActiveTimer { token, fires_at });
                self.record(TraceKind::TimerSet {
                    node,
                    timer: timer.clone(),
                    fires_at,
                });
                self.queue
                    .push(fires_at, Pending::Timer { node, timer, token });
            }
            Effect::CancelTimer { timer } => {
                let removed = self
                    .nodes
                    .get_mut(node.index())
                    .and_then(|slot| slot.timers.remove(&timer));
                if removed.is_some() {
                    self.record(TraceKind::TimerCancelled { node, timer });
                }
            }
            Effect::Durable(write) => {
                self.record(TraceKind::DurableWritten {
                    node,
                    write: Box::new(write.clone()),
                });
                let notes = match self.nodes.get_mut(node.index()) {
                    Some(slot) => slot.process.apply_durable(write),
                    None => Vec::new(),
                };
                for note in notes {
                    self.record(TraceKind::Note {
                        node,
                        note: Box::new(note),
                    });
                }
            }
            Effect::Reply { request, reply } => {
                self.record(TraceKind::Replied {
                    node,
                    request,
                    reply: Box::new(reply),
                });
            }
            Effect::Note(note) => self.record(TraceKind::Note {
                node,
                note: Box::new(note),
            }),
        }
    }

    fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        let id = MessageId(self.next_message);
        self.next_message += 1;
        match self.network.route(&mut self.rng, self.now, from, to) {
            Err(reason) => self.record(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
                msg: Box::new(msg),
            }),
            Ok(route) => {
                self.record(TraceKind::Sent {
                    id,
                    from,
                    to,
                    stream: route.stream,
                    deliver_at: route.deliver_at,
                    msg: Box::new(msg.clone()),
                });
                self.in_flight.insert(
                    id,
                    InFlight {
                        id,
                        from,
                        to,
                        stream: route.stream,
                        sent_at: self.now,
                        deliver_at: route.deliver_at,
                        lost: route.lost,
                        msg,
                    },
                );
                self.queue.push(route.deliver_at, Pending::Deliver(id));
            }
        }
    }

    fn deliver(&mut self, id: MessageId) {
        let Some(flight) = self.in_flight.remove(&id) else {
            return;
        };
        let InFlight {
            from,
            to,
            stream,
            lost,
            msg,
            ..
        } = flight;
        let verdict = match self.node_status(to) {
            None => Err(DropReason::UnknownNode),
            Some(NodeStatus::Crashed) => Err(DropReason::ReceiverDown),
            Some(NodeStatus::Up) if lost => self
                .network
                .admits(from, to, stream)
                .and(Err(DropReason::Lost)),
            Some(NodeStatus::Up) => self.network.admits(from, to, stream),
        };
        match verdict {
            Err(reason) => self.record(TraceKind::Dropped {
                id,
                from,
                to,
                reason,
                msg: Box::new(msg),
            }),
            Ok(()) => {
                self.record(TraceKind::Delivered { id, from, to });
                self.run_handler(to, |process, cx| process.on_message(cx, from, msg));
            }
        }
    }

    fn fire_timer(&mut self, node: NodeId, timer: P::Timer, token: u64) {
        let Some(slot) = self.nodes.get_mut(node.index()) else {
            return;
        };
        // Defensive: stale entries are normally discarded before they reach here.
        if slot
            .timers
            .get(&timer)
            .is_none_or(|active| active.token != token)
        {
            return;
        }
        slot.timers.remove(&timer);
        self.record(TraceKind::TimerFired {
            node,
            timer: timer.clone(),
        });
        self.run_handler(node, |process, cx| process.on_timer(cx, timer));
    }

    fn apply_input(&mut self, id: InputId, input: Input<P>) -> Result<(), InputError> {
        match input {
            Input::Request { node, req } => {
                let checked = match self.node_status(node) {
                    None => Err(InputError::UnknownNode(node)),
                    Some(NodeStatus::Crashed) => Err(InputError::NodeDown(node)),
                    Some(NodeStatus::Up) => Ok(()),
                };
                match checked {
                    Err(error) => {
                        self.record(TraceKind::RequestRejected {
                            node,
                            request: id,
                            req: Box::new(req),
                            error,
                        });
                    }
                    Ok(()) => {
                        self.record(TraceKind::RequestReceived {
                            node,
                            request: id,
                            req: Box::new(req.clone()),
                        });
                        self.run_handler(node, |process, cx| process.on_request(cx, id, req));
                    }
                }
                checked
            }
            Input::Fault(fault) => {
                let checked = self.check_fault(fault);
                match checked {
                    Err(error) => self.record(TraceKind::FaultRejected { fault, error }),
                    Ok(()) => {
                        self.record(TraceKind::FaultApplied { fault });
                        self.apply_fault(fault);
                    }
                }
                checked
            }
        }
    }

    /// Whether `fault` can be applied, without changing anything.
    fn check_fault(&self, fault: Fault) -> Result<(), InputError> {
        let known = |node: NodeId| match self.node_status(node) {
            Some(status) => Ok(status),
            None => Err(InputError::UnknownNode(node)),
        };
        let distinct = |a: NodeId, b: NodeId| {
            known(a)?;
            known(b)?;
            if a == b {
                Err(InputError::SameNode(a))
            } else {
                Ok(())
            }
        };
        match fault {
            Fault::Crash(node) => match known(node)? {
                NodeStatus::Up => Ok(()),
                NodeStatus::Crashed => Err(InputError::AlreadyCrashed(node)),
            },
            Fault::Restart(node) => match known(node)? {
                NodeStatus::Crashed => Ok(()),
                NodeStatus::Up => Err(InputError::NotCrashed(node)),
            },
            Fault::Partition { a, b, .. } | Fault::Heal { a, b } => distinct(a, b),
            Fault::Isolate(node) => known(node).map(|_| ()),
            Fault::HealAll | Fault::SetDefaultLink(_) => Ok(()),
            Fault::SetLink { from, to, .. }
            | Fault::SetDelay { from, to, .. }
            | Fault::SetLoss { from, to, .. }
            | Fault::ClearLink { from, to } => {
                known(from)?;
                known(to)?;
                Ok(())
            }
        }
    }

    /// Applies a fault that passed [`World::check_fault`].
    fn apply_fault(&mut self, fault: Fault) {
        match fault {
            Fault::Crash(node) => {
                if let Some(slot) = self.nodes.get_mut(node.index()) {
                    slot.status = NodeStatus::Crashed;
                    slot.timers.clear();
                    slot.process.on_crash();
                }
                // Its connections die with it: nothing in flight to or from it arrives.
                self.network.reset_streams_of(node);
                self.record(TraceKind::Crashed { node });
            }
            Fault::Restart(node) => {
                if let Some(slot) = self.nodes.get_mut(node.index()) {
                    slot.status = NodeStatus::Up;
                }
                // Messages sent to it while it was down must not arrive after it is back.
                self.network.reset_streams_of(node);
                self.record(TraceKind::Restarted { node });
                self.run_handler(node, |process, cx| process.on_start(cx));
            }
            Fault::Partition { a, b, two_way } => {
                self.network.cut(a, b);
                if two_way {
                    self.network.cut(b, a);
                }
            }
            Fault::Heal { a, b } => {
                self.network.heal(a, b);
                self.network.heal(b, a);
            }
            Fault::Isolate(node) => self.network.isolate(node),
            Fault::HealAll => self.network.heal_all(),
            Fault::SetLink { from, to, config } => self.network.set_link(from, to, config),
            Fault::SetDelay {
                from,
                to,
                latency,
                jitter,
            } => {
                let config = self.network.config().link(from, to);
                self.network
                    .set_link(from, to, config.with_jitter(jitter).with_latency(latency));
            }
            Fault::SetLoss { from, to, loss } => {
                let config = self.network.config().link(from, to);
                self.network.set_link(from, to, config.with_loss(loss));
            }
            Fault::ClearLink { from, to } => self.network.clear_link(from, to),
            Fault::SetDefaultLink(config) => self.network.set_default_link(config),
        }
    }
}
