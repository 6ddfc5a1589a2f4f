//! The UI's state as a reducer: the core's lab, the view drawn from it at the current virtual
//! time, the playback speed, whether it plays, and what the user has selected. Actions are
//! plain values; every change goes through [`UiState::reduce`].
//!
//! It drives the lab through its API (time, `perform`, `view`, `inspect`, `checks`, `events`).
//! The details the panels show ([`Details`]) are computed here, once per change that matters
//! (see [`UiState::with_lab`]), not on every animation frame. It must not know how anything is
//! drawn, nor the DOM.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use replication_lab::lab::inspect::Inspection;
use replication_lab::lab::narrate::EventLine;
use replication_lab::lab::{Lab, LabAction, LabSettings};
use replication_lab::replication::checks::Checks;
use replication_lab::replication::config::ClusterConfig;
use replication_lab::view::{format_time, Micros, NodeKind, View};

use super::choices::{AckChoice, MethodChoice};
use yew::Reducible;

/// How fast virtual time runs compared with real time, as virtual microseconds per real
/// millisecond (1x is 1000). The ladder is slow-motion first: replication happens in
/// milliseconds, so at the default [`Speed::DEFAULT`] a message that travels 5 ms glides for
/// one real second, long enough for a class to follow it with their eyes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Speed {
    micros_per_real_ms: u64,
}

impl Speed {
    /// 1/1000x: one real second shows one virtual millisecond.
    pub const SLOWEST: Speed = Speed::new(1);
    /// 1/200x: a 5 ms message takes one second on screen. The default for teaching.
    pub const DEFAULT: Speed = Speed::new(5);
    /// Every speed the transport offers, slowest first.
    pub const LADDER: [Speed; 5] = [
        Speed::SLOWEST,
        Speed::DEFAULT,
        Speed::new(50),
        Speed::new(1_000),
        Speed::new(10_000),
    ];

    const fn new(micros_per_real_ms: u64) -> Speed {
        Speed { micros_per_real_ms }
    }

    /// Virtual microseconds per real millisecond.
    pub fn micros_per_real_ms(self) -> u64 {
        self.micros_per_real_ms
    }

    /// The factor as people say it: `1/200×`, `1×`, `10×`.
    pub fn label(self) -> String {
        let per = self.micros_per_real_ms;
        if per >= 1_000 {
            format!("{}×", per / 1_000)
        } else {
            format!("1/{}×", 1_000 / per.max(1))
        }
    }

    /// What one real second shows, for the tooltip-free explanation next to the factor:
    /// `1 s shows 5 ms`.
    pub fn explanation(self) -> String {
        let per_second = self.micros_per_real_ms.saturating_mul(1_000);
        let shown = if per_second >= 1_000_000 {
            format!("{} s", per_second / 1_000_000)
        } else {
            format!("{} ms", per_second / 1_000)
        };
        format!("1 s shows {shown}")
    }
}

/// With reduced motion, playing moves time in jumps this far apart in real time instead of
/// gliding: messages appear at a new place once a second, they do not slide.
pub const REDUCED_MOTION_JUMP_MS: f64 = 1_000.0;

/// How many event-log lines the UI keeps.
pub const EVENTS_SHOWN: usize = 60;
/// How many new events one announcement reads out at most.
const ANNOUNCED_AT_ONCE: usize = 3;

/// What the panels show besides the diagram: the live checks, the event log, the selected
/// node's inspection and the console client's answers. Pure functions of the world, computed
/// when something happened rather than on every frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub checks: Rc<Checks>,
    pub events: Rc<Vec<EventLine>>,
    /// The selected node, inspected.
    pub inspection: Option<Rc<Inspection>>,
    /// The console's client, inspected (its status lines are its answers).
    pub client: Option<Rc<Inspection>>,
}

/// A statement the console sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub client: u32,
    pub sql: String,
    /// The virtual time it was sent at.
    pub at: Micros,
    /// Where it went, in words (`the leader`, `follower-1`).
    pub to: String,
}

/// The SQL console's settings and last outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Console {
    /// The client that sends; `None` means the first client.
    pub client: Option<u32>,
    /// The server a read goes to; `None` means the leader the client knows.
    pub target: Option<u32>,
    pub sent: Option<Sent>,
    /// Why the lab refused the last run, in its words.
    pub refusal: Option<String>,
}

/// Everything the UI remembers.
#[derive(Clone, Debug)]
pub struct UiState {
    /// The core. Shared, not cloned, between successive states: cloning a simulated cluster
    /// (its checkpoints included) on every animation frame would be wasteful. Only
    /// [`UiState::reduce`] mutates it, and every field below is re-read from it after each
    /// change, so an older state keeps a consistent (older) picture.
    lab: Rc<RefCell<Lab>>,
    /// The lab at the current virtual time.
    pub view: View,
    /// Checks, events and inspections at the current time (shared: frames that change only
    /// the positions of messages keep the same details).
    pub details: Rc<Details>,
    /// The end of the timeline slider.
    pub horizon: Micros,
    pub speed: Speed,
    pub playing: bool,
    /// Play in jumps instead of gliding (the reader prefers reduced motion).
    pub reduced_motion: bool,
    /// Real milliseconds played but not yet turned into virtual time (the fraction of a
    /// microsecond left by slow speeds, or the time until the next reduced-motion jump).
    /// A counter, not something drawn: a frame that only adds to it keeps the same state, so
    /// Yew does not re-render.
    unplayed_real_ms: Cell<f64>,
    /// Virtual microseconds counted by the last frame and not yet shown.
    due_micros: Cell<u64>,
    /// The node whose details the inspector shows.
    pub selected: Option<u32>,
    pub method: MethodChoice,
    /// Whether failover is fenced through the coordination service (otherwise split brain is
    /// possible).
    pub fencing: bool,
    pub ack: AckChoice,
    /// Why the lab refused the last ack change.
    pub ack_refusal: Option<String>,
    pub console: Console,
    /// Why the lab refused the last node or link action: (node, sentence).
    pub refusal: Option<(u32, String)>,
    /// What a screen reader should say now: the events since the last announcement, read
    /// out when the user steps, pauses or acts, never while playing.
    pub announcement: String,
    /// The time up to which events were announced.
    announced_up_to: Micros,
}

impl UiState {
    pub fn new(settings: LabSettings) -> UiState {
        let method = MethodChoice::of(settings.cluster.method);
        let fencing = settings.cluster.failover.fencing;
        let ack = AckChoice::ALL
            .into_iter()
            .find(|a| a.policy() == settings.cluster.ack)
            .unwrap_or(AckChoice::Async);
        let lab = Lab::new(settings);
        let view = lab.view();
        let horizon = lab.horizon();
        let selected = view.leader().map(|n| n.id);
        let mut state = UiState {
            lab: Rc::new(RefCell::new(lab)),
            view,
            details: Rc::default(),
            horizon,
            speed: Speed::DEFAULT,
            playing: false,
            reduced_motion: false,
            unplayed_real_ms: Cell::new(0.0),
            due_micros: Cell::new(0),
            selected,
            method,
            fencing,
            ack,
            ack_refusal: None,
            console: Console::default(),
            refusal: None,
            announcement: String::new(),
            announced_up_to: 0,
        };
        state.refresh_details();
        state
    }

    /// The current virtual time.
    pub fn time(&self) -> Micros {
        self.view.time
    }

    /// The client the console sends from: the one picked, or the first.
    pub fn console_client(&self) -> Option<u32> {
        let clients = || {
            self.view
                .nodes
                .iter()
                .filter(|n| n.kind == NodeKind::Client)
        };
        self.console
            .client
            .filter(|id| clients().any(|n| n.id == *id))
            .or_else(|| clients().next().map(|n| n.id))
    }

    /// Runs `change` on the lab, then returns the state showing the lab afterwards. The
    /// details are recomputed when something happened (a node, a link or the set of messages
    /// in flight changed) or when `force` says so; a frame that only moves messages along
    /// their links keeps them. If the lab is busy (it never is: reducers do not nest),
    /// nothing changes.
    fn with_lab(mut self, force: bool, change: impl FnOnce(&mut Lab)) -> UiState {
        let Ok(mut lab) = self.lab.try_borrow_mut() else {
            return self;
        };
        change(&mut lab);
        let view = lab.view();
        let happened = force
            || view.nodes != self.view.nodes
            || view.links != self.view.links
            || view.messages.len() != self.view.messages.len()
            || view
                .messages
                .iter()
                .zip(&self.view.messages)
                .any(|(a, b)| a.id != b.id);
        self.view = view;
        self.horizon = lab.horizon().max(self.view.time);
        if happened {
            self.details = Rc::new(details(&lab, self.selected, self.console_client()));
            // The picker shows the level in force at this moment of the timeline.
            if let Some(ack) = lab
                .ack()
                .and_then(|policy| AckChoice::ALL.into_iter().find(|a| a.policy() == policy))
            {
                self.ack = ack;
            }
        }
        drop(lab);
        self
    }

    /// Recomputes the details now.
    fn refresh_details(&mut self) {
        let client = self.console_client();
        if let Ok(lab) = self.lab.try_borrow() {
            self.details = Rc::new(details(&lab, self.selected, client));
        }
    }

    /// Sets the announcement: `lead`, then the events since the last announcement (the
    /// newest few), and remembers that they were read.
    fn announce(&mut self, lead: String) {
        let now = self.time();
        let since = self.announced_up_to;
        let fresh: Vec<&EventLine> = self
            .details
            .events
            .iter()
            .filter(|e| e.time > since && e.time <= now)
            .collect();
        let mut text = lead;
        let skipped = fresh.len().saturating_sub(ANNOUNCED_AT_ONCE);
        if skipped > 0 {
            text.push_str(&format!(" {skipped} earlier events, then:"));
        }
        for event in &fresh[skipped..] {
            text.push(' ');
            text.push_str(&event.text);
            text.push('.');
        }
        self.announcement = text;
        self.announced_up_to = now;
    }

    /// Performs `actions` now, in order; the first refusal stops them and is returned.
    fn perform(self, actions: Vec<LabAction>) -> (UiState, Result<(), String>) {
        let mut outcome = Ok(());
        let next = self.with_lab(true, |lab| {
            for action in actions {
                if let Err(why) = lab.perform(action) {
                    outcome = Err(why.to_string());
                    break;
                }
            }
        });
        (next, outcome)
    }

    /// A fresh lab with `method` (and the current acknowledgement level), at time zero.
    fn restart_with(self, method: MethodChoice, fencing: bool) -> UiState {
        let seed = self
            .lab
            .try_borrow()
            .map(|lab| lab.settings().seed)
            .unwrap_or(1);
        let mut cluster = ClusterConfig::lab_default(method.method());
        cluster.ack = self.ack.policy();
        cluster.failover.fencing = fencing;
        let mut next = UiState::new(LabSettings { seed, cluster });
        next.speed = self.speed;
        next.reduced_motion = self.reduced_motion;
        next.announcement = format!(
            "New lab with {} replication, {}, at t = 0.000 s.",
            method.label(),
            if fencing {
                "fenced through etcd"
            } else {
                "without fencing"
            }
        );
        next
    }

    /// How many whole virtual microseconds `real_ms` more of playing makes, keeping what is
    /// left over in the counter. Zero while the time to move has not come yet.
    fn play_for(&self, real_ms: f64) -> u64 {
        let unplayed = self.unplayed_real_ms.get() + real_ms.max(0.0);
        if self.reduced_motion && unplayed < REDUCED_MOTION_JUMP_MS {
            self.unplayed_real_ms.set(unplayed);
            return 0;
        }
        let per_ms = self.speed.micros_per_real_ms().max(1) as f64;
        let virtual_us = (unplayed * per_ms).floor();
        // Keep the fraction for the next frame, so slow speeds still move on average.
        self.unplayed_real_ms.set(unplayed - virtual_us / per_ms);
        let due = self.due_micros.get().saturating_add(virtual_us as u64);
        self.due_micros.set(due);
        due
    }

    /// The virtual microseconds played and not shown yet; resets them.
    fn take_due_micros(&self) -> u64 {
        self.due_micros.replace(0)
    }

    /// Sets playing or paused and starts a fresh count of real time.
    fn restart_clock(self, playing: bool) -> UiState {
        self.unplayed_real_ms.set(0.0);
        self.due_micros.set(0);
        UiState { playing, ..self }
    }
}

/// The details of `lab` now, for the `selected` node and the console's `client`.
fn details(lab: &Lab, selected: Option<u32>, client: Option<u32>) -> Details {
    Details {
        checks: Rc::new(lab.checks()),
        events: Rc::new(lab.events(EVENTS_SHOWN)),
        inspection: selected.and_then(|id| lab.inspect(id)).map(Rc::new),
        client: client.and_then(|id| lab.inspect(id)).map(Rc::new),
    }
}

impl PartialEq for UiState {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view
            && (Rc::ptr_eq(&self.details, &other.details) || self.details == other.details)
            && self.horizon == other.horizon
            && self.speed == other.speed
            && self.playing == other.playing
            && self.reduced_motion == other.reduced_motion
            && self.selected == other.selected
            && self.method == other.method
            && self.ack == other.ack
            && self.ack_refusal == other.ack_refusal
            && self.console == other.console
            && self.refusal == other.refusal
            && self.announcement == other.announcement
    }
}

/// What the user (or the clock) can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Play,
    Pause,
    /// Play if paused, pause if playing (the Space key).
    Toggle,
    /// Pause and move to the next event's time.
    Step,
    /// Pause and move back to the previous event's time.
    StepBack,
    /// Pause and go back to the beginning.
    ToStart,
    /// Show the lab at this virtual time (the slider); playing goes on from there.
    Seek(Micros),
    SetSpeed(Speed),
    /// The reader's reduced-motion preference, as the browser reports it.
    SetReducedMotion(bool),
    /// Real milliseconds elapsed since the previous animation frame.
    Tick(f64),
    /// Show this node in the inspector.
    Select(u32),
    /// Node and link actions from the inspector, done now in order (cutting a node off from
    /// every other is several partitions).
    Perform(u32, Vec<LabAction>),
    /// The console runs `sql` from `client`, on `server` or (`None`) the leader it knows.
    RunSql {
        client: u32,
        server: Option<u32>,
        sql: String,
    },
    /// The console's client picker.
    SetConsoleClient(u32),
    /// The console's target picker: a server for reads, or `None` for the leader.
    SetConsoleTarget(Option<u32>),
    /// A new lab with this method (the header).
    SetMethod(MethodChoice),
    /// A new lab with or without fencing through the coordination service (the header).
    SetFencing(bool),
    /// The leader's acknowledgement level changes now (the header).
    SetAck(AckChoice),
}

impl Reducible for UiState {
    type Action = Action;

    /// Returns the same `Rc` when nothing changes (Yew then skips the re-render) and a new one
    /// otherwise.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let unchanged = match &action {
            Action::Play => self.playing,
            Action::Pause => !self.playing,
            Action::SetSpeed(speed) => self.speed == *speed,
            Action::SetReducedMotion(reduced) => self.reduced_motion == *reduced,
            Action::Select(id) => self.selected == Some(*id),
            Action::SetConsoleClient(id) => self.console.client == Some(*id),
            Action::SetConsoleTarget(target) => self.console.target == *target,
            Action::SetMethod(method) => self.method == *method,
            Action::SetFencing(fencing) => self.fencing == *fencing,
            // Counts the frame; unchanged until a whole microsecond (or a jump) is due.
            Action::Tick(real_ms) => !self.playing || self.play_for(*real_ms) == 0,
            _ => false,
        };
        if unchanged {
            return self;
        }
        let mut next = Rc::unwrap_or_clone(self);
        next = match action {
            Action::Play => next.restart_clock(true),
            Action::Pause => {
                let mut next = next.restart_clock(false);
                next.announce(format!("Paused at t = {}.", format_time(next.time())));
                next
            }
            Action::Toggle => {
                let playing = !next.playing;
                let mut next = next.restart_clock(playing);
                if !playing {
                    next.announce(format!("Paused at t = {}.", format_time(next.time())));
                }
                next
            }
            Action::Step => {
                let before = next.time();
                let mut next = next.restart_clock(false).with_lab(false, |lab| {
                    lab.step();
                });
                next.announced_up_to = before;
                next.announce(format!("t = {}.", format_time(next.time())));
                next
            }
            Action::StepBack => {
                let mut next = next.restart_clock(false).with_lab(false, |lab| {
                    lab.step_back();
                });
                next.announce(format!("Back to t = {}.", format_time(next.time())));
                next
            }
            Action::ToStart => {
                let mut next = next.restart_clock(false).with_lab(false, |lab| lab.seek(0));
                next.announce("At the start, t = 0.000 s.".into());
                next
            }
            Action::Seek(t) => {
                let mut next = next.with_lab(false, |lab| lab.seek(t));
                // Dragging is not narrated event by event; what is now the past is not news.
                next.announced_up_to = next.time();
                next
            }
            Action::SetSpeed(speed) => {
                next.speed = speed;
                let playing = next.playing;
                next.restart_clock(playing)
            }
            Action::SetReducedMotion(reduced) => {
                next.reduced_motion = reduced;
                let playing = next.playing;
                next.restart_clock(playing)
            }
            Action::Tick(_) => {
                // `play_for` turned this frame into virtual time above; it is due now.
                let target = next.time().saturating_add(next.take_due_micros());
                next.with_lab(false, |lab| lab.seek(target))
            }
            Action::Select(id) => {
                next.selected = Some(id);
                next.refusal = None;
                next.refresh_details();
                next
            }
            Action::Perform(node, actions) => {
                let (mut next, outcome) = next.perform(actions);
                next.refusal = outcome.err().map(|why| (node, why));
                let lead = match &next.refusal {
                    Some((_, why)) => format!("Refused: {why}."),
                    None => format!("Done at t = {}.", format_time(next.time())),
                };
                next.announce(lead);
                next
            }
            Action::RunSql {
                client,
                server,
                sql,
            } => {
                let to = server
                    .and_then(|id| next.view.node(id))
                    .map_or("the leader".to_string(), |n| n.name.clone());
                let action = match server {
                    Some(server) => LabAction::SqlOn {
                        client,
                        server,
                        sql: sql.clone(),
                    },
                    None => LabAction::Sql {
                        client,
                        sql: sql.clone(),
                    },
                };
                let at = next.time();
                let (mut next, outcome) = next.perform(vec![action]);
                match outcome {
                    Ok(()) => {
                        next.console.refusal = None;
                        next.console.sent = Some(Sent {
                            client,
                            sql,
                            at,
                            to: to.clone(),
                        });
                        next.announce(format!(
                            "Sent to {to} at t = {}. Play or step to let it travel.",
                            format_time(at)
                        ));
                    }
                    Err(why) => {
                        next.console.refusal = Some(why.clone());
                        next.announce(format!("Refused: {why}."));
                    }
                }
                next
            }
            Action::SetConsoleClient(id) => {
                next.console.client = Some(id);
                next.refresh_details();
                next
            }
            Action::SetConsoleTarget(target) => {
                next.console.target = target;
                next
            }
            Action::SetMethod(method) => {
                let fencing = next.fencing;
                next.restart_with(method, fencing)
            }
            Action::SetFencing(fencing) => {
                let method = next.method;
                next.restart_with(method, fencing)
            }
            Action::SetAck(ack) => {
                let (mut next, outcome) = next.perform(vec![LabAction::SetAck(ack.policy())]);
                match outcome {
                    Ok(()) => {
                        next.ack = ack;
                        next.ack_refusal = None;
                    }
                    Err(why) => next.ack_refusal = Some(why),
                }
                next
            }
        };
        Rc::new(next)
    }
}
