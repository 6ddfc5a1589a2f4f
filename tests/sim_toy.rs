//! A toy process for the simulator's behaviour tests and benchmark: it pings its peers on a
//! timer, echoes pings as pongs, keeps a durable log, and answers a few outside requests.
//!
//! Included by the `sim_*` tests with `#[path = "sim_toy.rs"] mod toy;` (cargo also builds it
//! as an empty test crate of its own, hence the `allow`).
#![allow(dead_code)]

use replication_lab::sim::{
    Context, Input, InputId, LinkConfig, NetworkConfig, NodeId, Process, Time, World,
};

/// What toy nodes send each other.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum ToyMsg {
    Ping(u64),
    Pong(u64),
}

/// The toy's timers.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord)]
pub enum ToyTimer {
    Tick,
    Other(u8),
}

/// Outside requests a test can make.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum ToyRequest {
    /// Send `Ping(n)` to `to`.
    Send { to: NodeId, n: u64 },
    /// Append `v` to the durable log, then reply `v`.
    Write(u64),
    /// Set timer `Other(k)` after `after`.
    SetTimer { k: u8, after: Time },
    /// Cancel timer `Other(k)`.
    CancelTimer { k: u8 },
}

/// Domain notes.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum ToyNote {
    Appended { len: u64 },
    GotPong(u64),
}

/// A node of the toy system.
#[derive(Clone, Debug, Default)]
pub struct Toy {
    /// Configuration: who to ping.
    pub peers: Vec<NodeId>,
    /// Configuration: ping every `tick`, if set.
    pub tick: Option<Time>,
    /// Configuration: answer pings with pongs.
    pub echo: bool,
    /// Counts `on_start` calls; kept across crashes so tests can see restarts.
    pub starts: u32,
    /// Volatile: messages received since the last start.
    pub received: Vec<(NodeId, ToyMsg)>,
    /// Volatile: pings sent since the last start.
    pub sent: u64,
    /// Durable: the log.
    pub log: Vec<u64>,
}

impl Toy {
    pub fn ticking(peers: Vec<NodeId>, tick: Time) -> Toy {
        Toy {
            peers,
            tick: Some(tick),
            echo: true,
            ..Toy::default()
        }
    }

    pub fn quiet() -> Toy {
        Toy::default()
    }
}

impl Process for Toy {
    type Msg = ToyMsg;
    type Timer = ToyTimer;
    type Request = ToyRequest;
    type Reply = u64;
    type Durable = u64;
    type Note = ToyNote;

    fn on_start(&mut self, cx: &mut Context<Self>) {
        self.starts += 1;
        if let Some(tick) = self.tick {
            cx.set_timer(ToyTimer::Tick, tick);
        }
    }

    fn on_message(&mut self, cx: &mut Context<Self>, from: NodeId, msg: ToyMsg) {
        self.received.push((from, msg.clone()));
        match msg {
            ToyMsg::Ping(n) if self.echo => cx.send(from, ToyMsg::Pong(n)),
            ToyMsg::Ping(_) => {}
            ToyMsg::Pong(n) => cx.note(ToyNote::GotPong(n)),
        }
    }

    fn on_timer(&mut self, cx: &mut Context<Self>, timer: ToyTimer) {
        if timer == ToyTimer::Tick {
            for &peer in &self.peers {
                cx.send(peer, ToyMsg::Ping(self.sent));
                self.sent += 1;
            }
            if let Some(tick) = self.tick {
                cx.set_timer(ToyTimer::Tick, tick);
            }
        }
    }

    fn on_request(&mut self, cx: &mut Context<Self>, request: InputId, req: ToyRequest) {
        match req {
            ToyRequest::Send { to, n } => cx.send(to, ToyMsg::Ping(n)),
            ToyRequest::Write(v) => {
                cx.write_durable(v);
                cx.reply(request, v);
            }
            ToyRequest::SetTimer { k, after } => cx.set_timer(ToyTimer::Other(k), after),
            ToyRequest::CancelTimer { k } => cx.cancel_timer(ToyTimer::Other(k)),
        }
    }

    fn apply_durable(&mut self, write: u64) -> Vec<ToyNote> {
        self.log.push(write);
        vec![ToyNote::Appended {
            len: self.log.len() as u64,
        }]
    }

    fn on_crash(&mut self) {
        self.received.clear();
        self.sent = 0;
    }
}

/// `n` ticking nodes, each pinging all the others every `tick`.
pub fn ticking_world(seed: u64, n: u32, tick: Time, link: LinkConfig) -> World<Toy> {
    let mut world = World::new(seed, NetworkConfig::uniform(link));
    for i in 0..n {
        let peers = (0..n).filter(|&j| j != i).map(NodeId).collect();
        world.add_node(format!("node {i}"), Toy::ticking(peers, tick));
    }
    world
}

/// `n` nodes that only act on requests.
pub fn quiet_world(seed: u64, n: u32, link: LinkConfig) -> World<Toy> {
    let mut world = World::new(seed, NetworkConfig::uniform(link));
    for i in 0..n {
        world.add_node(format!("node {i}"), Toy::quiet());
    }
    world
}

/// Asks `from` to send `Ping(n)` to `to` at `at`.
pub fn ping_at(world: &mut World<Toy>, at: Time, from: NodeId, to: NodeId, n: u64) {
    world
        .schedule(
            at,
            Input::Request {
                node: from,
                req: ToyRequest::Send { to, n },
            },
        )
        .expect("test schedules in the future");
}

/// Schedules a request.
pub fn request_at(world: &mut World<Toy>, at: Time, node: NodeId, req: ToyRequest) -> InputId {
    world
        .schedule(at, Input::Request { node, req })
        .expect("test schedules in the future")
}
