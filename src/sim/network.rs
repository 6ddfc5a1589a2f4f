//! The network model: per-link latency, jitter, loss, partitions and FIFO streams.
//!
//! Every ordered pair of nodes `(from, to)` is a *link*. A link behaves like one TCP stream:
//!
//! * **Timing.** A message sent at `t` is due at `t + latency + jitter`, the jitter drawn
//!   uniformly from `0..=jitter` with the world's seeded RNG. It never overtakes an earlier
//!   message on the same stream: its delivery time is at least the previous one's. Every
//!   message takes at least [`MIN_LATENCY`], so time always moves on and two nodes answering
//!   each other cannot loop forever at one instant.
//! * **Loss.** With the link's loss probability, a message is lost. The decision is drawn when
//!   it is sent, but it still travels and disappears at its delivery time, so a view can
//!   animate it vanishing.
//! * **Partitions.** A link can be *cut* (one direction at a time). Sends on a cut link are
//!   dropped at once; messages already in flight on it are dropped when they arrive.
//! * **Streams.** Each link has a stream number. Healing a cut link, or a crash or restart of
//!   either end, starts a new stream: nothing sent on an older stream is ever delivered, exactly
//!   like a TCP connection that was torn down and re-established.
//!
//! Configuration is a default [`LinkConfig`] plus per-link overrides ([`NetworkConfig`]).
//! This module knows about nodes only as [`NodeId`]s: it does not know whether they are up
//! (the world does) or what the messages mean.

use super::node::NodeId;
use super::rng::{Probability, SimRng};
use super::time::Time;
use core::fmt;
use std::collections::BTreeMap;

/// The smallest delay any message has, so simulated time always advances with each hop.
pub const MIN_LATENCY: Time = Time::micros(1);

/// How one link (or, as the default, every link) behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkConfig {
    /// The base one-way delay.
    pub latency: Time,
    /// The largest extra random delay added to `latency`.
    pub jitter: Time,
    /// The probability that a message is lost.
    pub loss: Probability,
}

impl LinkConfig {
    /// A reliable link with a fixed delay.
    pub const fn new(latency: Time) -> LinkConfig {
        LinkConfig {
            latency,
            jitter: Time::ZERO,
            loss: Probability::NEVER,
        }
    }

    /// The same link with base delay `latency`.
    pub const fn with_latency(self, latency: Time) -> LinkConfig {
        LinkConfig { latency, ..self }
    }

    /// The same link with up to `jitter` extra random delay.
    pub const fn with_jitter(self, jitter: Time) -> LinkConfig {
        LinkConfig { jitter, ..self }
    }

    /// The same link losing messages with probability `loss`.
    pub const fn with_loss(self, loss: Probability) -> LinkConfig {
        LinkConfig { loss, ..self }
    }
}

impl Default for LinkConfig {
    /// 5 ms, no jitter, no loss: a quiet data-centre network.
    fn default() -> Self {
        LinkConfig::new(Time::millis(5))
    }
}

/// The network's configuration: a default for every link plus per-link exceptions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NetworkConfig {
    /// How links behave unless overridden.
    pub default: LinkConfig,
    /// Exceptions, by `(from, to)`. May name nodes not yet added; they apply once added.
    pub overrides: BTreeMap<(NodeId, NodeId), LinkConfig>,
}

impl NetworkConfig {
    /// Every link behaves like `default`.
    pub fn uniform(default: LinkConfig) -> NetworkConfig {
        NetworkConfig {
            default,
            overrides: BTreeMap::new(),
        }
    }

    /// The same configuration with `from -> to` behaving like `config`.
    pub fn with_link(mut self, from: NodeId, to: NodeId, config: LinkConfig) -> NetworkConfig {
        self.overrides.insert((from, to), config);
        self
    }

    /// How `from -> to` behaves.
    pub fn link(&self, from: NodeId, to: NodeId) -> LinkConfig {
        self.overrides
            .get(&(from, to))
            .copied()
            .unwrap_or(self.default)
    }
}

/// A message's number, unique in a world, in the order messages were sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MessageId(pub u64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "m{}", self.0)
    }
}

/// Why a message was not delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The link was cut (partition) when it was sent or when it arrived.
    LinkCut,
    /// The network lost it (the link's loss probability).
    Lost,
    /// Its stream was torn down while it travelled (heal after a cut, crash or restart).
    StreamReset,
    /// The receiver was crashed when it arrived.
    ReceiverDown,
    /// The receiver does not exist.
    UnknownNode,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::LinkCut => "link cut",
            DropReason::Lost => "lost",
            DropReason::StreamReset => "connection reset",
            DropReason::ReceiverDown => "receiver down",
            DropReason::UnknownNode => "no such node",
        })
    }
}

/// A message travelling on the network, as listed by the world for views to animate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct InFlight<M> {
    /// Its number.
    pub id: MessageId,
    /// The sender.
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// The stream of the link it was sent on (see the module docs).
    pub stream: u64,
    /// When it was sent.
    pub sent_at: Time,
    /// When it arrives (or is dropped, if something happens to it on the way).
    pub deliver_at: Time,
    /// Whether the network will lose it: decided when it was sent, shown when it arrives.
    pub lost: bool,
    /// The message itself.
    pub msg: M,
}

/// What the network decided for a message being sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Route {
    pub stream: u64,
    pub deliver_at: Time,
    pub lost: bool,
}

/// The state of one link, beyond its configuration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct LinkState {
    cut: bool,
    stream: u64,
    /// Delivery time of the last message sent on the current stream (the FIFO floor).
    last_delivery: Time,
}

/// What a view may want to show about a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkView {
    /// How it behaves.
    pub config: LinkConfig,
    /// Whether it is cut by a partition.
    pub cut: bool,
    /// Its current stream number.
    pub stream: u64,
}

/// The network: configuration plus the state of every link among `node_count` nodes.
#[derive(Clone, Debug)]
pub struct Network {
    config: NetworkConfig,
    node_count: u32,
    /// Row-major `node_count x node_count` matrix indexed by `(from, to)`.
    links: Vec<LinkState>,
}

impl Network {
    pub(crate) fn new(config: NetworkConfig) -> Network {
        Network {
            config,
            node_count: 0,
            links: Vec::new(),
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &NetworkConfig {
        &self.config
    }

    /// What a view may want to show about `from -> to`; `None` for unknown nodes.
    pub fn link(&self, from: NodeId, to: NodeId) -> Option<LinkView> {
        let state = self.state(from, to)?;
        Some(LinkView {
            config: self.config.link(from, to),
            cut: state.cut,
            stream: state.stream,
        })
    }

    /// Whether `node` is one of the network's nodes.
    pub fn knows(&self, node: NodeId) -> bool {
        node.0 < self.node_count
    }

    fn slot(&self, from: NodeId, to: NodeId) -> Option<usize> {
        if self.knows(from) && self.knows(to) {
            Some(from.index() * self.node_count as usize + to.index())
        } else {
            None
        }
    }

    fn state(&self, from: NodeId, to: NodeId) -> Option<&LinkState> {
        self.slot(from, to).and_then(|i| self.links.get(i))
    }

    fn state_mut(&mut self, from: NodeId, to: NodeId) -> Option<&mut LinkState> {
        self.slot(from, to).and_then(move |i| self.links.get_mut(i))
    }

    /// Makes room for one more node, with fresh, uncut links to and from it.
    pub(crate) fn add_node(&mut self) {
        let old = self.node_count as usize;
        let new = old + 1;
        let mut links = vec![LinkState::default(); new * new];
        for from in 0..old {
            for to in 0..old {
                links[from * new + to] = self.links[from * old + to];
            }
        }
        self.links = links;
        self.node_count += 1;
    }

    /// Decides the fate of a message sent now: its stream, arrival time, and whether it will be
    /// lost; or why it is dropped at once.
    pub(crate) fn route(
        &mut self,
        rng: &mut SimRng,
        now: Time,
        from: NodeId,
        to: NodeId,
    ) -> Result<Route, DropReason> {
        let config = self.config.link(from, to);
        let Some(state) = self.state_mut(from, to) else {
            return Err(DropReason::UnknownNode);
        };
        if state.cut {
            return Err(DropReason::LinkCut);
        }
        let jitter = if config.jitter == Time::ZERO {
            Time::ZERO
        } else {
            Time(rng.up_to(config.jitter.0))
        };
        let lost = rng.chance(config.loss);
        let drawn = now + config.latency.max(MIN_LATENCY) + jitter;
        // FIFO: never before the previous message on this stream.
        let deliver_at = drawn.max(state.last_delivery);
        state.last_delivery = deliver_at;
        Ok(Route {
            stream: state.stream,
            deliver_at,
            lost,
        })
    }

    /// Whether a message sent on `stream` can be delivered now, as far as the network goes.
    pub(crate) fn admits(&self, from: NodeId, to: NodeId, stream: u64) -> Result<(), DropReason> {
        let Some(state) = self.state(from, to) else {
            return Err(DropReason::UnknownNode);
        };
        if state.stream != stream {
            Err(DropReason::StreamReset)
        } else if state.cut {
            Err(DropReason::LinkCut)
        } else {
            Ok(())
        }
    }

    /// Cuts `from -> to`. Cutting a node off from itself, or an unknown link, does nothing.
    pub(crate) fn cut(&mut self, from: NodeId, to: NodeId) {
        if from == to {
            return;
        }
        if let Some(state) = self.state_mut(from, to) {
            state.cut = true;
        }
    }

    /// Restores a cut `from -> to` on a new stream; a link that is not cut is left alone.
    pub(crate) fn heal(&mut self, from: NodeId, to: NodeId) {
        if let Some(state) = self.state_mut(from, to) {
            if state.cut {
                state.cut = false;
                Self::new_stream(state);
            }
        }
    }

    /// Cuts every link between `node` and the others.
    pub(crate) fn isolate(&mut self, node: NodeId) {
        for other in 0..self.node_count {
            self.cut(node, NodeId(other));
            self.cut(NodeId(other), node);
        }
    }

    /// Heals every cut link.
    pub(crate) fn heal_all(&mut self) {
        for state in &mut self.links {
            if state.cut {
                state.cut = false;
                Self::new_stream(state);
            }
        }
    }

    /// Tears down every stream to and from `node` (it crashed or restarted).
    pub(crate) fn reset_streams_of(&mut self, node: NodeId) {
        for other in 0..self.node_count {
            let other = NodeId(other);
            for (from, to) in [(node, other), (other, node)] {
                if let Some(state) = self.state_mut(from, to) {
                    Self::new_stream(state);
                }
            }
        }
    }

    /// `from -> to` behaves like `config` from now on.
    pub(crate) fn set_link(&mut self, from: NodeId, to: NodeId, config: LinkConfig) {
        self.config.overrides.insert((from, to), config);
    }

    /// `from -> to` behaves like the default from now on.
    pub(crate) fn clear_link(&mut self, from: NodeId, to: NodeId) {
        self.config.overrides.remove(&(from, to));
    }

    /// Links without an override behave like `config` from now on.
    pub(crate) fn set_default_link(&mut self, config: LinkConfig) {
        self.config.default = config;
    }

    fn new_stream(state: &mut LinkState) {
        state.stream = state.stream.wrapping_add(1);
        state.last_delivery = Time::ZERO;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn network(nodes: u32, config: LinkConfig) -> Network {
        let mut net = Network::new(NetworkConfig::uniform(config));
        for _ in 0..nodes {
            net.add_node();
        }
        net
    }

    const A: NodeId = NodeId(0);
    const B: NodeId = NodeId(1);
    const C: NodeId = NodeId(2);

    #[test]
    fn fixed_latency_without_jitter() {
        let mut net = network(2, LinkConfig::new(Time::millis(3)));
        let mut rng = SimRng::new(1);
        let route = net.route(&mut rng, Time::millis(10), A, B).unwrap();
        assert_eq!(route.deliver_at, Time::millis(13));
        assert!(!route.lost);
    }

    #[test]
    fn zero_latency_still_takes_a_microsecond() {
        let mut net = network(2, LinkConfig::new(Time::ZERO));
        let mut rng = SimRng::new(1);
        let route = net.route(&mut rng, Time::millis(10), A, B).unwrap();
        assert_eq!(route.deliver_at, Time::millis(10) + MIN_LATENCY);
    }

    #[test]
    fn jitter_never_reorders_a_stream() {
        let config = LinkConfig::new(Time::millis(1)).with_jitter(Time::millis(50));
        let mut net = network(2, config);
        let mut rng = SimRng::new(9);
        let mut last = Time::ZERO;
        for i in 0..1_000 {
            let route = net.route(&mut rng, Time::micros(i * 10), A, B).unwrap();
            assert!(route.deliver_at >= last);
            assert!(route.deliver_at <= Time::micros(i * 10) + Time::millis(51));
            last = route.deliver_at;
        }
    }

    #[test]
    fn cut_is_one_way_and_heal_starts_a_new_stream() {
        let mut net = network(2, LinkConfig::default());
        let mut rng = SimRng::new(1);
        let before = net.route(&mut rng, Time::ZERO, A, B).unwrap();
        net.cut(A, B);
        assert_eq!(
            net.route(&mut rng, Time::ZERO, A, B),
            Err(DropReason::LinkCut)
        );
        assert!(net.route(&mut rng, Time::ZERO, B, A).is_ok());
        assert_eq!(net.admits(A, B, before.stream), Err(DropReason::LinkCut));
        net.heal(A, B);
        assert_eq!(
            net.admits(A, B, before.stream),
            Err(DropReason::StreamReset)
        );
        let after = net.route(&mut rng, Time::ZERO, A, B).unwrap();
        assert_eq!(after.stream, before.stream + 1);
        // The new stream does not inherit the old FIFO floor.
        assert!(after.deliver_at <= before.deliver_at);
    }

    #[test]
    fn healing_an_uncut_link_keeps_its_stream() {
        let mut net = network(2, LinkConfig::default());
        net.heal(A, B);
        assert_eq!(net.link(A, B).unwrap().stream, 0);
    }

    #[test]
    fn isolate_cuts_both_ways_but_not_self() {
        let mut net = network(3, LinkConfig::default());
        net.isolate(B);
        for (from, to) in [(A, B), (B, A), (C, B), (B, C)] {
            assert!(net.link(from, to).unwrap().cut);
        }
        assert!(!net.link(A, C).unwrap().cut);
        assert!(!net.link(B, B).unwrap().cut);
        net.heal_all();
        assert!(!net.link(A, B).unwrap().cut);
        assert_eq!(net.link(A, B).unwrap().stream, 1);
        assert_eq!(net.link(A, C).unwrap().stream, 0);
    }

    #[test]
    fn unknown_nodes_are_harmless() {
        let mut net = network(1, LinkConfig::default());
        let mut rng = SimRng::new(1);
        let ghost = NodeId(7);
        assert_eq!(
            net.route(&mut rng, Time::ZERO, A, ghost),
            Err(DropReason::UnknownNode)
        );
        net.cut(A, ghost);
        net.heal(ghost, A);
        net.isolate(ghost);
        net.reset_streams_of(ghost);
        assert!(net.link(A, ghost).is_none());
        assert_eq!(net.admits(ghost, A, 0), Err(DropReason::UnknownNode));
    }

    #[test]
    fn overrides_apply_to_one_direction_and_growth_keeps_state() {
        let slow = LinkConfig::new(Time::secs(1));
        let mut net = network(2, LinkConfig::default());
        net.set_link(A, B, slow);
        net.cut(B, A);
        net.add_node();
        assert_eq!(net.link(A, B).unwrap().config, slow);
        assert_eq!(net.link(B, A).unwrap().config, LinkConfig::default());
        assert!(net.link(B, A).unwrap().cut);
        assert!(!net.link(C, A).unwrap().cut);
        net.clear_link(A, B);
        assert_eq!(net.link(A, B).unwrap().config, LinkConfig::default());
    }
}
