//! The lab: the one object the UI holds. It owns the simulated cluster (a world of servers,
//! clients and, for trigger-based replication, the applier) and answers with [`View`]s of it;
//! user actions come back to it as plain values.
//!
//! An action that would do nothing now (promoting the leader, SQL "from" a server…) is
//! refused with a [`LabError`] before it reaches the world; one that is taken returns the id
//! its answer carries ([`Lab::answer`]). What happened is kept as typed events for the whole
//! session ([`Lab::history`]), from which the event log's sentences are written.
//!
//! It must not know how anything is drawn.

pub mod api;
pub mod caption;
pub mod conflicts;
pub mod controls;
pub mod describe;
pub mod inspect;
pub mod json;
pub mod link;
pub mod marks;
pub mod narrate;
mod stepping;

pub use stepping::Stepped;

// What the UI needs from the rest of the core, named here so that the UI names only `lab`
// and `view`: the live checks it lists, and the settings its pickers choose.
pub use crate::replication::checks::Checks;
pub use crate::replication::config::{
    AckPolicy, ClusterConfig, Method, MultiLeaderConfig, Resolver, Topology,
};
pub use crate::replication::routing::ReadRouting;

use crate::replication::checks;
use crate::replication::client::Client;
use crate::replication::cluster;
use crate::replication::family::{self, Command, Refusal};
use crate::replication::messages::{Reply, Request};
use crate::replication::node::LabNode;
use crate::replication::server::Server;
use crate::sim::{Fault, Input, InputError, InputId, NodeId, Time, TraceKind, World};
use crate::timeline::Timeline;
use crate::view::{Micros, NodeCommand, View};

/// How a lab starts: its cluster and the seed every random draw comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabSettings {
    pub seed: u64,
    pub cluster: ClusterConfig,
}

impl Default for LabSettings {
    fn default() -> Self {
        LabSettings {
            seed: 1,
            cluster: ClusterConfig::lab_default(Method::Wal),
        }
    }
}

/// What a person (or a lesson) can do to the lab. Plain values: a lesson or a link can carry
/// a list of them, stamped with times.
///
/// In JSON ([`json`]) an action is externally tagged in snake_case: `{"crash": 2}`,
/// `{"sql": {"client": 4, "sql": "SELECT 1"}}`, `{"set_ack": "async"}`; nodes are ids here
/// (a lesson file names them instead: `crate::lesson::format::ScriptAction`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabAction {
    /// `client` runs `sql` on the leader it knows.
    Sql {
        client: u32,
        sql: String,
    },
    /// `client` runs `sql` on `server` (a read from a follower, say).
    SqlOn {
        client: u32,
        server: u32,
        sql: String,
    },
    Crash(u32),
    Restart(u32),
    /// Manual failover: this follower becomes the leader.
    Promote(u32),
    /// This spare joins as a new follower from a snapshot.
    Join(u32),
    /// This old leader steps down and rejoins as a follower.
    Rejoin(u32),
    Partition {
        a: u32,
        b: u32,
    },
    Heal {
        a: u32,
        b: u32,
    },
    /// The leader's acknowledgement policy changes.
    SetAck(AckPolicy),
    /// This server checkpoints now.
    Checkpoint(u32),
    /// This client cancels the statements it is waiting on.
    Cancel(u32),
    /// This client routes its reads this way from now on (writes always go to the leader).
    SetReadRouting {
        client: u32,
        routing: ReadRouting,
    },
    /// Multi-leader: every leader sends by this topology from now on.
    SetTopology(Topology),
}

impl LabAction {
    /// The action a node's offered `command` stands for (see `NodeView::actions`).
    pub fn on(node: u32, command: NodeCommand) -> LabAction {
        match command {
            NodeCommand::Crash => LabAction::Crash(node),
            NodeCommand::Restart => LabAction::Restart(node),
            NodeCommand::Promote => LabAction::Promote(node),
            NodeCommand::Join => LabAction::Join(node),
            NodeCommand::Rejoin => LabAction::Rejoin(node),
            NodeCommand::Checkpoint => LabAction::Checkpoint(node),
            NodeCommand::Cancel => LabAction::Cancel(node),
        }
    }
}

/// How far the timeline slider reaches at least.
const MIN_HORIZON: Micros = 10_000_000;

/// A running lab: a [`Timeline`] over the cluster's world, so any moment can be shown
/// exactly, forward or back, and an action at a moment forks the future from there.
#[derive(Clone, Debug)]
pub struct Lab {
    settings: LabSettings,
    timeline: Timeline<LabNode>,
    /// The narrated events of the session, kept beside the timeline so a long session keeps
    /// them all (see [`narrate::History`]).
    history: narrate::History,
    /// After a Step that found nothing visible: the trace length it ended at, and the times
    /// it went from and to (for the caption).
    quiet: Option<(u64, Micros, Micros)>,
    /// The live checks seen firing as the timeline was computed (for the slider's marks).
    fired: marks::Fired,
    /// The checks the slider's watch last ran, with the time and trace length of the world
    /// they describe: the panels ask for the same checks in the same frame, and the diverged
    /// rows check compares whole tables.
    checked: Option<(Micros, u64, Checks)>,
    /// When the slider's watch last ran (see [`marks::applied_watch_interval`]).
    watched_at: Micros,
    /// How many times the watch ran the checks (for the history benchmark and the test that
    /// keeps it from running at every write).
    watch_runs: u64,
    /// The actions taken that the timeline still holds, in the order they were taken: what a
    /// link carries (see [`link`]).
    taken: Vec<link::Taken>,
}

/// What an action taken before later ones (after a step back) does with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Later {
    /// They are forgotten: the future is recomputed without them.
    Discard,
    /// They happen again at their times in the recomputed future.
    Keep,
}

impl Lab {
    /// A cluster as `settings` describe it, at time zero.
    pub fn new(settings: LabSettings) -> Lab {
        let world = cluster::build(
            &settings.cluster,
            settings.seed,
            cluster::network_for(&settings.cluster),
        );
        let mut lab = Lab {
            timeline: Timeline::new(world),
            settings,
            history: narrate::History::default(),
            quiet: None,
            fired: marks::Fired::default(),
            checked: None,
            watched_at: 0,
            watch_runs: 0,
            taken: Vec::new(),
        };
        lab.catch_up();
        lab
    }

    /// Every conflict the leaders of a multi-leader cluster detected, in order (empty for a
    /// single-leader cluster).
    pub fn conflicts(&self) -> Vec<conflicts::ConflictLine> {
        conflicts::conflicts(self.world())
    }

    /// The topology the running multi-leader servers send by (None: not multi-leader, or
    /// none running).
    pub fn topology(&self) -> Option<Topology> {
        self.world()
            .nodes()
            .filter(|n| n.status == crate::sim::NodeStatus::Up)
            .filter_map(|n| n.process.as_server())
            .find(|s| s.is_multi_leader())
            .map(Server::topology)
    }

    /// How `client` routes its reads now (None: not a client).
    pub fn read_routing(&self, client: u32) -> Option<ReadRouting> {
        self.world()
            .node(NodeId(client))
            .and_then(LabNode::as_client)
            .map(|c| c.reads.routing)
    }

    /// The actions taken that the timeline still holds (forgotten ones gone), in the order
    /// they were taken: taken again in that order, each at its time, on a fresh lab with the
    /// same settings, they give the same trace (see [`link::replay`]).
    pub fn taken(&self) -> &[link::Taken] {
        &self.taken
    }

    pub fn settings(&self) -> &LabSettings {
        &self.settings
    }

    /// The world at the current time (for tests and inspectors).
    pub fn world(&self) -> &World<LabNode> {
        self.timeline.world()
    }

    /// The virtual time the lab shows.
    pub fn time(&self) -> Micros {
        self.timeline.time().as_micros()
    }

    /// Shows the lab at time `t`, forward or back.
    pub fn seek(&mut self, t: Micros) {
        self.timeline.seek(Time::micros(t));
        self.catch_up();
    }

    /// Moves to the next event's time; false when nothing is left to happen.
    pub fn step(&mut self) -> bool {
        let moved = self.timeline.step();
        self.catch_up();
        moved
    }

    /// Moves back to the previous event's time; false at the start.
    pub fn step_back(&mut self) -> bool {
        let moved = self.timeline.step_back();
        self.catch_up();
        moved
    }

    /// How far the timeline reaches: the furthest time computed so far, and at least
    /// [`MIN_HORIZON`], so the slider has room ahead of the present.
    pub fn horizon(&self) -> Micros {
        self.timeline.horizon().as_micros().max(MIN_HORIZON)
    }

    /// How many times the slider's watch has run the checks (each run compares whole tables
    /// and reads every answer), for the history benchmark.
    pub fn watch_runs(&self) -> u64 {
        self.watch_runs
    }

    /// The inputs of the session's timeline with their times, oldest first: what a lesson
    /// made from the session replays.
    pub fn inputs(&self) -> &[(Time, Input<LabNode>)] {
        self.timeline.inputs()
    }

    /// How many timeline checkpoints are kept (for the history benchmark).
    pub fn checkpoint_count(&self) -> usize {
        self.timeline.checkpoint_count()
    }

    /// Does something now (a client's SQL, a crash, a partition): the future after now is
    /// recomputed from here, without the inputs that were after now. An input the world
    /// rejects (a crashed node's request) is kept and traced as rejected, and the error says
    /// why. Returns the input's id (for a request, the id its answer carries).
    pub fn act(&mut self, input: Input<LabNode>) -> Result<InputId, InputError> {
        self.act_with(input, Later::Discard)
    }

    /// [`Lab::act`], keeping the inputs after now: they happen again at their times.
    pub fn act_keeping_future(&mut self, input: Input<LabNode>) -> Result<InputId, InputError> {
        self.act_with(input, Later::Keep)
    }

    fn act_with(&mut self, input: Input<LabNode>, later: Later) -> Result<InputId, InputError> {
        // The events after now belong to the future this input replaces (kept inputs are
        // recomputed with it).
        let now = self.world().trace().len();
        self.history.forget_from(now);
        // At the newest time computed there is no future to forget, and the watch's counts
        // are already this world's: running the checks here (whole tables compared) at every
        // write made computing a long history quadratic.
        if self.timeline.time() < self.timeline.horizon() {
            let checks = self.checks();
            self.fired.forget_from(now, &checks);
        }
        // A world of the new future may reach this time and length with other events.
        self.checked = None;
        // A watch later than now belonged to the future being replaced. (Resetting it to 0
        // here ran the checks at every write again.)
        self.watched_at = self.watched_at.min(self.time());
        let result = match later {
            Later::Discard => self.timeline.act(input),
            Later::Keep => self.timeline.act_keeping_future(input),
        };
        self.catch_up();
        result
    }

    /// Does `action` now; the future after now is recomputed without the actions that were
    /// after now. Returns the id of the request it sent (a client's answer carries it: see
    /// [`Lab::answer`]), or of the fault.
    ///
    /// An action that would do nothing — promoting a leader, a join by a streaming follower,
    /// SQL "from" a server, a checkpoint on a client, restarting a running node… — is refused
    /// with a [`LabError`] saying why, and nothing changes. A statement for a server that is
    /// down is not refused: the client's connection attempt fails at once, in the words of its
    /// client program, and that is its answer.
    pub fn perform(&mut self, action: LabAction) -> Result<InputId, LabError> {
        self.perform_with(action, Later::Discard)
    }

    /// [`Lab::perform`], deciding what becomes of the actions after now (see [`Later`]).
    pub fn perform_with(&mut self, action: LabAction, later: Later) -> Result<InputId, LabError> {
        self.check(&action)?;
        let (now, taken) = (self.time(), action.clone());
        let result = self.perform_checked(action, later);
        // An ack change with no leader to take it did nothing; every other checked action
        // reached the timeline (a rejected input is kept and traced there too).
        if !(matches!(taken, LabAction::SetAck(_)) && result == Err(LabError::NoLeader)) {
            self.record(now, taken, later);
        }
        result
    }

    /// Keeps `action`, taken at `now`, beside the timeline's inputs: what the timeline
    /// forgets (the inputs after now, unless kept) is forgotten here too. Kept ones stay
    /// before it, in the order they were taken: a replay keeps them the same way.
    fn record(&mut self, now: Micros, action: LabAction, later: Later) {
        if later == Later::Discard {
            self.taken.retain(|taken| taken.at <= now);
        }
        self.taken.push(link::Taken {
            at: now,
            action,
            keep: later == Later::Keep,
        });
    }

    /// [`Lab::perform_with`] once the action passed its check.
    fn perform_checked(&mut self, action: LabAction, later: Later) -> Result<InputId, LabError> {
        let request = |node: u32, req: Request| Input::Request {
            node: NodeId(node),
            req,
        };
        let input = match action {
            LabAction::Sql { client, sql } => {
                // The leader it knows, or for a read the server its routing picks.
                let now = self.timeline.time();
                let target = self
                    .world()
                    .node(NodeId(client))
                    .and_then(LabNode::as_client)
                    .map(|c| c.route(NodeId(client), &sql, now).server);
                match target {
                    Some(server) if self.is_down(server) => {
                        request(client, Request::Unreachable { server, sql })
                    }
                    _ => request(client, Request::Sql(sql)),
                }
            }
            LabAction::SqlOn {
                client,
                server,
                sql,
            } => {
                let server = NodeId(server);
                if self.is_down(server) {
                    request(client, Request::Unreachable { server, sql })
                } else {
                    request(client, Request::SqlOn { server, sql })
                }
            }
            LabAction::Crash(node) => {
                let id = self
                    .act_with(Input::Fault(Fault::Crash(NodeId(node))), later)
                    .map_err(|e| LabError::from_input(self.world(), e))?;
                // The crashed server's sockets close with it: clients waiting on it learn
                // at once (libpq's "server closed the connection unexpectedly").
                for client in self.clients_waiting_on(NodeId(node)) {
                    let _ = self.act_with(
                        Input::Request {
                            node: client,
                            req: Request::ServerGone {
                                server: NodeId(node),
                            },
                        },
                        later,
                    );
                }
                return Ok(id);
            }
            LabAction::Restart(node) => Input::Fault(Fault::Restart(NodeId(node))),
            LabAction::Promote(node) => request(node, Request::Promote),
            LabAction::Join(node) => request(node, Request::Join),
            LabAction::Rejoin(node) => request(node, Request::Rejoin),
            LabAction::Partition { a, b } => Input::Fault(Fault::Partition {
                a: NodeId(a),
                b: NodeId(b),
                two_way: true,
            }),
            LabAction::Heal { a, b } => Input::Fault(Fault::Heal {
                a: NodeId(a),
                b: NodeId(b),
            }),
            LabAction::SetAck(policy) => {
                // The cluster's setting: every running server records it; a crashed one
                // keeps the old setting until it is changed again (like its config file).
                let leader = checks::current_leader(self.world())
                    .map(|(id, _)| id)
                    .ok_or(LabError::NoLeader)?;
                let servers: Vec<NodeId> = self
                    .world()
                    .nodes()
                    .filter(|n| n.process.as_server().is_some())
                    .filter(|n| n.status == crate::sim::NodeStatus::Up)
                    .map(|n| n.id)
                    .collect();
                let mut leader_request = None;
                for server in servers {
                    let id = self.act_with(
                        Input::Request {
                            node: server,
                            req: Request::SetAck(policy.clone()),
                        },
                        later,
                    );
                    if server == leader {
                        leader_request = id.ok();
                    }
                }
                return leader_request.ok_or(LabError::NoLeader);
            }
            LabAction::Checkpoint(node) => request(node, Request::Checkpoint),
            LabAction::Cancel(client) => request(client, Request::Cancel),
            LabAction::SetReadRouting { client, routing } => {
                request(client, Request::SetReadRouting(routing))
            }
            LabAction::SetTopology(topology) => {
                // Every running leader is reconfigured; a crashed one keeps its old topology
                // until it is changed again (as its configuration file would).
                let servers: Vec<NodeId> = self
                    .world()
                    .nodes()
                    .filter(|n| n.process.as_server().is_some())
                    .filter(|n| n.status == crate::sim::NodeStatus::Up)
                    .map(|n| n.id)
                    .collect();
                let mut first = None;
                for server in servers {
                    let id =
                        self.act_with(request(server.0, Request::SetTopology(topology)), later);
                    first = first.or(id.ok());
                }
                return first.ok_or(LabError::NoLeader);
            }
        };
        self.act_with(input, later)
            .map_err(|e| LabError::from_input(self.world(), e))
    }

    /// Why `action` would do nothing now, if it would.
    fn check(&self, action: &LabAction) -> Result<(), LabError> {
        let world = self.world();
        let name = |id: u32| {
            world
                .node_name(NodeId(id))
                .unwrap_or("that node")
                .to_string()
        };
        let exists = |id: u32| {
            if world.node(NodeId(id)).is_some() {
                Ok(())
            } else {
                Err(LabError::UnknownNode(id))
            }
        };
        let client = |id: u32| -> Result<&Client, LabError> {
            exists(id)?;
            world
                .node(NodeId(id))
                .and_then(LabNode::as_client)
                .ok_or_else(|| LabError::NotAClient { node: name(id) })
        };
        let server = |id: u32| -> Result<&Server, LabError> {
            exists(id)?;
            world
                .node(NodeId(id))
                .and_then(LabNode::as_server)
                .ok_or_else(|| LabError::NotAServer { node: name(id) })
        };
        let down = |id: u32| -> Result<(), LabError> {
            if self.is_down(NodeId(id)) {
                Err(LabError::Down { node: name(id) })
            } else {
                Ok(())
            }
        };
        match action {
            LabAction::Sql { client: c, .. } => {
                client(*c)?;
            }
            LabAction::SqlOn {
                client: c,
                server: s,
                ..
            } => {
                client(*c)?;
                server(*s)?;
            }
            LabAction::SetReadRouting { client: c, routing } => {
                if client(*c)?.reads.routing == *routing {
                    return Err(LabError::SameRouting {
                        client: name(*c),
                        routing: routing.label(),
                    });
                }
            }
            LabAction::Cancel(c) => {
                let waiting = client(*c)?;
                down(*c)?;
                if waiting.outstanding.is_empty() {
                    return Err(LabError::NothingToCancel { client: name(*c) });
                }
            }
            LabAction::Crash(n) | LabAction::Restart(n) => exists(*n)?,
            LabAction::Promote(n)
            | LabAction::Join(n)
            | LabAction::Rejoin(n)
            | LabAction::Checkpoint(n) => {
                let command = match action {
                    LabAction::Promote(_) => Command::Promote,
                    LabAction::Join(_) => Command::Join,
                    LabAction::Rejoin(_) => Command::Rejoin,
                    _ => Command::Checkpoint,
                };
                server(*n)?;
                down(*n)?;
                // Whether the command would do anything now is the family's to say.
                family::refuse(world, NodeId(*n), command)
                    .map_err(|refusal| LabError::refused(name(*n), refusal, name))?;
            }
            LabAction::Partition { a, b } | LabAction::Heal { a, b } => {
                exists(*a)?;
                exists(*b)?;
                if a == b {
                    return Err(LabError::SameNode { node: name(*a) });
                }
                let cut = |from: u32, to: u32| {
                    world
                        .network()
                        .link(NodeId(from), NodeId(to))
                        .is_some_and(|l| l.cut)
                };
                let both_cut = cut(*a, *b) && cut(*b, *a);
                let any_cut = cut(*a, *b) || cut(*b, *a);
                if matches!(action, LabAction::Partition { .. }) && both_cut {
                    return Err(LabError::AlreadyCut {
                        a: name(*a),
                        b: name(*b),
                    });
                }
                if matches!(action, LabAction::Heal { .. }) && !any_cut {
                    return Err(LabError::NotCut {
                        a: name(*a),
                        b: name(*b),
                    });
                }
            }
            LabAction::SetTopology(topology) => {
                if !family::is_multi_leader(world) {
                    return Err(LabError::NotModelled {
                        what: "a topology for a single-leader cluster",
                    });
                }
                // Refused only when every running leader sends by it already: one that was
                // down when the topology last changed still sends by the old one.
                let running_have_it = world
                    .nodes()
                    .filter(|n| n.status == crate::sim::NodeStatus::Up)
                    .filter_map(|n| n.process.as_server())
                    .all(|s| s.topology() == *topology);
                if running_have_it {
                    return Err(LabError::SameTopology {
                        topology: topology.label(),
                    });
                }
            }
            LabAction::SetAck(policy) => {
                if let Some(current) = self.ack() {
                    if &current == policy {
                        return Err(LabError::SameAck {
                            setting: policy.describe(),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `node` is crashed.
    fn is_down(&self, node: NodeId) -> bool {
        self.world().node_status(node) == Some(crate::sim::NodeStatus::Crashed)
    }

    /// The running clients with a statement outstanding on `server`.
    fn clients_waiting_on(&self, server: NodeId) -> Vec<NodeId> {
        self.world()
            .nodes()
            .filter(|n| n.status == crate::sim::NodeStatus::Up)
            .filter(|n| {
                n.process
                    .as_client()
                    .is_some_and(|c| c.outstanding.values().any(|o| o.server == server))
            })
            .map(|n| n.id)
            .collect()
    }

    /// The answer to the request `id` (what [`Lab::perform`] returned), once its client has
    /// it: up to the present of the timeline.
    pub fn answer(&self, id: InputId) -> Option<Reply> {
        self.world()
            .trace()
            .iter()
            .find_map(|event| match &event.kind {
                TraceKind::Replied { request, reply, .. } if *request == id => {
                    Some((**reply).clone())
                }
                _ => None,
            })
    }

    /// Every typed event of the session up to now, oldest first (at most
    /// [`narrate::HISTORY_LIMIT`]): what the event log narrates, as facts.
    pub fn history(&self) -> &[narrate::LabEvent] {
        self.history.upto(self.world().trace().len())
    }

    /// Reads the new trace events into the history.
    fn catch_up(&mut self) {
        let read = self.history.upto(u64::MAX).len();
        self.history.catch_up(self.timeline.world());
        let fresh = self.history.upto(u64::MAX).get(read..).unwrap_or(&[]);
        let due = |lab: &Lab| {
            marks::urgent(fresh)
                || lab.time()
                    >= lab
                        .watched_at
                        .saturating_add(marks::applied_watch_interval(lab.time()))
        };
        if let Some(cause) = marks::may_fire(fresh).filter(|_| due(self)) {
            self.watched_at = self.time();
            self.watch_runs += 1;
            let checks = self.checks();
            self.fired.watch(cause, &checks);
            self.checked = Some((self.time(), self.world().trace().len(), checks));
        }
    }

    /// The acknowledgement setting the current leader applies now (it follows the timeline:
    /// step back past a change and the old setting is back).
    pub fn ack(&self) -> Option<AckPolicy> {
        checks::current_leader(self.world()).map(|(_, leader)| leader.disk.ack.clone())
    }

    /// Inspects one node: its log, rows and replication status.
    pub fn inspect(&self, node: u32) -> Option<inspect::Inspection> {
        inspect::inspect(self.world(), self.settings.cluster.method, NodeId(node))
    }

    /// What the lab flags now.
    // One copy in the wasm, shared by the panels and the slider's marks.
    #[inline(never)]
    pub fn checks(&self) -> Checks {
        match &self.checked {
            Some((time, len, checks))
                if *time == self.time() && *len == self.world().trace().len() =>
            {
                checks.clone()
            }
            _ => checks::check(self.world(), self.settings.cluster.method),
        }
    }

    /// The last `limit` narrated events up to now.
    pub fn events(&self, limit: usize) -> Vec<narrate::EventLine> {
        narrate::recent_events(
            &self.history,
            self.world(),
            self.settings.cluster.method,
            limit,
        )
    }

    /// One line saying what the last visible moment did, or that a Step found nothing
    /// visible ahead (see [`caption`]).
    pub fn caption(&self) -> String {
        self.caption_after(&self.events(1))
    }

    /// [`Lab::caption`], given the event log's latest lines (`events`, as [`Lab::events`]
    /// gives them): the page reads them anyway, and reading them once keeps it small.
    pub fn caption_after(&self, events: &[narrate::EventLine]) -> String {
        match self.quiet {
            Some((len, from, to)) if len == self.world().trace().len() => format!(
                "Nothing visible happened from {} to {} (heartbeats and timers only): Shift+→ steps one event",
                controls::time_words(from),
                controls::time_words(to)
            ),
            _ => caption::caption(self.world(), self.settings.cluster.method, events.last()),
        }
    }

    /// The lab as the UI draws it now.
    pub fn view(&self) -> View {
        describe::view(self.timeline.world(), self.settings.cluster.method)
    }
}

/// Why the lab refused an action: it would do nothing (or cannot be done) now. Its
/// [`Display`](std::fmt::Display) is the sentence a user reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LabError {
    /// The world refused the input (a crashed node's request, a restart of a running node…),
    /// in words.
    Input(String),
    UnknownNode(u32),
    /// SQL (or a cancel) "from" a node that is not a client.
    NotAClient {
        node: String,
    },
    /// A server's action on a node that is not a database server.
    NotAServer {
        node: String,
    },
    /// A server action on a crashed server.
    Down {
        node: String,
    },
    /// Promote on the leader.
    AlreadyLeader {
        node: String,
    },
    /// Promote on an empty spare.
    EmptySpare {
        node: String,
    },
    /// Promote on a follower whose replay stopped on an error.
    ReplayStopped {
        node: String,
        applied: u64,
        error: String,
    },
    /// Join on a node that is not an empty spare (`role`: what it is).
    NotASpare {
        node: String,
        role: &'static str,
    },
    /// Join on a spare whose leader (the base backup's source) is down.
    SourceDown {
        node: String,
        leader: String,
    },
    /// Join on a spare already receiving its base backup.
    AlreadyJoining {
        node: String,
    },
    /// Rejoin on a node that is not a leader.
    NotALeader {
        node: String,
    },
    /// Rejoin on the only leader there is.
    OnlyLeader {
        node: String,
    },
    /// Checkpoint on a follower or a spare.
    CheckpointNotLeader {
        node: String,
    },
    /// Cancel with nothing to cancel.
    NothingToCancel {
        client: String,
    },
    SameNode {
        node: String,
    },
    AlreadyCut {
        a: String,
        b: String,
    },
    NotCut {
        a: String,
        b: String,
    },
    /// An acknowledgement setting already in force.
    SameAck {
        setting: String,
    },
    /// A client's read routing already in force.
    SameRouting {
        client: String,
        routing: &'static str,
    },
    /// A multi-leader topology already in force.
    SameTopology {
        topology: &'static str,
    },
    /// There is no running leader.
    NoLeader,
    /// Something the lab does not model.
    NotModelled {
        what: &'static str,
    },
}

impl LabError {
    /// The error for `node`'s family refusing a command; `name` names other nodes.
    fn refused(node: String, refusal: Refusal, name: impl Fn(u32) -> String) -> LabError {
        match refusal {
            Refusal::AlreadyWritable => LabError::AlreadyLeader { node },
            Refusal::EmptySpare => LabError::EmptySpare { node },
            Refusal::ReplayStopped { applied, error } => LabError::ReplayStopped {
                node,
                applied,
                error,
            },
            Refusal::NotASpare { role } => LabError::NotASpare { node, role },
            Refusal::AlreadyJoining => LabError::AlreadyJoining { node },
            Refusal::NoSource => LabError::NoLeader,
            Refusal::SourceDown { source } => LabError::SourceDown {
                node,
                leader: name(source.0),
            },
            Refusal::NotWritable => LabError::NotALeader { node },
            Refusal::OnlyWritable => LabError::OnlyLeader { node },
            Refusal::NoCheckpoint => LabError::CheckpointNotLeader { node },
            Refusal::NotModelled { what } => LabError::NotModelled { what },
        }
    }

    fn from_input(world: &World<LabNode>, error: InputError) -> LabError {
        LabError::Input(describe_input_error(world, error))
    }
}

impl std::fmt::Display for LabError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LabError::Input(why) => f.write_str(why),
            LabError::UnknownNode(id) => write!(f, "there is no node {id}"),
            LabError::NotAClient { node } => write!(
                f,
                "{node} is a database server, not a client: send SQL from a client"
            ),
            LabError::NotAServer { node } => {
                write!(f, "{node} is not a database server")
            }
            LabError::Down { node } => write!(f, "{node} is crashed: restart it first"),
            LabError::AlreadyLeader { node } => write!(
                f,
                "{node} is the leader already: only a follower can be promoted (pg_ctl: cannot promote server; server is not in standby mode)"
            ),
            LabError::EmptySpare { node } => write!(
                f,
                "{node} is an empty spare with no data to lead with: let it join first"
            ),
            LabError::ReplayStopped {
                node,
                applied,
                error,
            } => write!(
                f,
                "{node} cannot replay entry {} ({error}): fix that before promoting it",
                applied + 1
            ),
            LabError::NotASpare { node, role } => write!(
                f,
                "{node} is {role}: only an empty spare joins from a base backup"
            ),
            LabError::SourceDown { node, leader } => write!(
                f,
                "{node} would copy its base backup from {leader}, which is crashed"
            ),
            LabError::AlreadyJoining { node } => {
                write!(f, "{node} is already receiving its base backup")
            }
            LabError::NotALeader { node } => write!(
                f,
                "{node} is not a leader: only an old leader rejoins as a follower"
            ),
            LabError::OnlyLeader { node } => write!(
                f,
                "{node} is the only leader: there is no other leader to rejoin"
            ),
            LabError::CheckpointNotLeader { node } => write!(
                f,
                "{node} is not the leader: in the lab only the leader checkpoints"
            ),
            LabError::NothingToCancel { client } => {
                write!(f, "{client} is not waiting on any statement")
            }
            LabError::SameNode { node } => write!(f, "{node} cannot be cut off from itself"),
            LabError::AlreadyCut { a, b } => {
                write!(f, "the link between {a} and {b} is already cut")
            }
            LabError::NotCut { a, b } => write!(f, "the link between {a} and {b} is not cut"),
            LabError::SameAck { setting } => {
                write!(f, "the acknowledgement setting is already {setting}")
            }
            LabError::SameRouting { client, routing } => {
                write!(f, "{client} already reads from: {routing}")
            }
            LabError::SameTopology { topology } => {
                write!(f, "the leaders already replicate {topology}")
            }
            LabError::NoLeader => f.write_str("there is no leader running"),
            LabError::NotModelled { what } => write!(f, "{what} is not modelled by the lab"),
        }
    }
}

impl std::error::Error for LabError {}

/// An input error in words.
pub(crate) fn describe_input_error(world: &World<LabNode>, error: InputError) -> String {
    let name = |id: NodeId| world.node_name(id).unwrap_or("that node").to_string();
    match error {
        InputError::UnknownNode(id) => format!("there is no node {}", id.0),
        InputError::NodeDown(id) => format!("{} is crashed: restart it first", name(id)),
        InputError::AlreadyCrashed(id) => format!("{} is already crashed", name(id)),
        InputError::NotCrashed(id) => format!("{} is running", name(id)),
        InputError::SameNode(id) => format!("{} cannot be cut off from itself", name(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::RoleKind;

    #[test]
    fn default_lab_has_a_leader_two_followers_a_spare_and_two_clients() {
        let view = Lab::new(LabSettings::default()).view();
        let roles: Vec<(&str, &str, RoleKind)> = view
            .nodes
            .iter()
            .map(|n| (n.name.as_str(), n.role.text, n.role.kind))
            .collect();
        assert_eq!(
            roles,
            vec![
                ("leader", "leader", RoleKind::Writable),
                ("follower-1", "follower", RoleKind::Replica),
                ("follower-2", "follower", RoleKind::Replica),
                ("follower-3", "follower", RoleKind::Replica),
                ("client-1", "client", RoleKind::None),
                ("client-2", "client", RoleKind::None),
                ("etcd", "coordinator", RoleKind::None),
            ]
        );
        // Every server but the spare talks to the coordination service.
        assert_eq!(
            view.links
                .iter()
                .filter(|l| l.kind == crate::view::LinkKind::Coordination)
                .count(),
            3
        );
        assert_eq!(
            view.links
                .iter()
                .filter(|l| l.kind == crate::view::LinkKind::Replication)
                .count(),
            2
        );
    }

    #[test]
    fn the_checks_kept_for_the_slider_are_the_checks_of_the_world_shown() {
        let mut lab = Lab::new(LabSettings::default());
        let fresh = |lab: &Lab| checks::check(lab.world(), lab.settings.cluster.method);
        lab.perform(LabAction::Crash(0))
            .expect("the leader crashes");
        let mut flagged = false;
        for t in (100_000..8_000_000).step_by(250_000) {
            lab.seek(t);
            assert_eq!(lab.checks(), fresh(&lab), "at {t} µs");
            flagged |= lab.checks() != Checks::default();
        }
        // Back, and a new future from there: nothing kept from the old one is shown.
        lab.seek(3_000_000);
        assert_eq!(lab.checks(), fresh(&lab));
        lab.perform(LabAction::Restart(0))
            .expect("the old leader restarts");
        for t in (3_100_000..8_000_000).step_by(250_000) {
            lab.seek(t);
            assert_eq!(lab.checks(), fresh(&lab), "after the fork, at {t} µs");
        }
        assert!(
            flagged,
            "the run flags something (a failover), so the test means something"
        );
    }

    #[test]
    fn stepping_back_returns_to_the_same_view() {
        let mut lab = Lab::new(LabSettings::default());
        for _ in 0..5 {
            assert!(lab.step());
        }
        let (t, view) = (lab.time(), lab.view());
        assert!(lab.step());
        assert!(lab.step_back());
        assert_eq!(lab.time(), t);
        assert_eq!(lab.view(), view);
    }
}
