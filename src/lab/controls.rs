//! What the UI's controls mean, as plain values a host test can check: the settings the
//! header offers (the family — single-leader with its method, fencing and acknowledgement
//! level, or multi-leader with its leaders, topology, resolver and clocks), the speed ladder and the clock that turns
//! real milliseconds into virtual time, the keyboard shortcuts, what a screen reader is told,
//! which client the console sends from, and what the panels show besides the diagram
//! ([`Details`], [`Shown`]).
//!
//! It knows the [`Lab`] and the [`View`]; it must not know the DOM, Yew or any browser API,
//! and it never changes the lab.

use std::rc::Rc;

use super::conflicts::ConflictLine;
use super::inspect::Inspection;
use super::narrate::EventLine;
use super::{Checks, ClusterConfig, Lab, MultiLeaderConfig, Resolver, Topology};
use crate::replication::config::{AckPolicy, AckStage, Method, RowImage};
use crate::sim::Time;
use crate::view::{format_time, MessageKind, Micros, NodeKind, View};

/// The follower the synchronous levels wait for.
pub const SYNC_STANDBY: &str = "follower-1";

/// A replication method as the header offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    StatementNaive,
    StatementContext,
    Wal,
    LogicalFull,
    LogicalMinimal,
    Trigger,
}

impl MethodChoice {
    pub const ALL: [MethodChoice; 6] = [
        MethodChoice::StatementNaive,
        MethodChoice::StatementContext,
        MethodChoice::Wal,
        MethodChoice::LogicalFull,
        MethodChoice::LogicalMinimal,
        MethodChoice::Trigger,
    ];

    pub fn method(self) -> Method {
        match self {
            MethodChoice::StatementNaive => Method::Statement {
                context_events: false,
            },
            MethodChoice::StatementContext => Method::Statement {
                context_events: true,
            },
            MethodChoice::Wal => Method::Wal,
            MethodChoice::LogicalFull => Method::Logical {
                image: RowImage::Full,
            },
            MethodChoice::LogicalMinimal => Method::Logical {
                image: RowImage::Minimal,
            },
            MethodChoice::Trigger => Method::Trigger,
        }
    }

    /// The choice that stands for `method`.
    pub fn of(method: Method) -> MethodChoice {
        MethodChoice::ALL
            .into_iter()
            .find(|c| c.method() == method)
            .unwrap_or(MethodChoice::Wal)
    }

    pub fn label(self) -> &'static str {
        match self {
            MethodChoice::StatementNaive => "Statement (naive)",
            MethodChoice::StatementContext => "Statement + context",
            MethodChoice::Wal => "WAL",
            MethodChoice::LogicalFull => "Logical FULL",
            MethodChoice::LogicalMinimal => "Row MINIMAL (MySQL)",
            MethodChoice::Trigger => "Trigger",
        }
    }

    /// A stable key for the `<select>`'s values.
    pub fn key(self) -> &'static str {
        match self {
            MethodChoice::StatementNaive => "statement-naive",
            MethodChoice::StatementContext => "statement-context",
            MethodChoice::Wal => "wal",
            MethodChoice::LogicalFull => "logical-full",
            MethodChoice::LogicalMinimal => "logical-minimal",
            MethodChoice::Trigger => "trigger",
        }
    }

    pub fn from_key(key: &str) -> Option<MethodChoice> {
        MethodChoice::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// An acknowledgement level as the header offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckChoice {
    Async,
    SemiSync,
    RemoteWrite,
    On,
    RemoteApply,
}

impl AckChoice {
    pub const ALL: [AckChoice; 5] = [
        AckChoice::Async,
        AckChoice::SemiSync,
        AckChoice::RemoteWrite,
        AckChoice::On,
        AckChoice::RemoteApply,
    ];

    pub fn policy(self) -> AckPolicy {
        match self {
            AckChoice::Async => AckPolicy::Async,
            // MySQL's semi-sync: any one replica, falling back to async after 10 s.
            AckChoice::SemiSync => {
                AckPolicy::mysql_semi_sync(&[SYNC_STANDBY, "follower-2"], Time::secs(10))
            }
            AckChoice::RemoteWrite => AckPolicy::postgres(AckStage::Write, SYNC_STANDBY),
            AckChoice::On => AckPolicy::postgres(AckStage::Flush, SYNC_STANDBY),
            AckChoice::RemoteApply => AckPolicy::postgres(AckStage::Apply, SYNC_STANDBY),
        }
    }

    /// The choice that stands for `policy`, if the header offers it.
    pub fn of(policy: &AckPolicy) -> Option<AckChoice> {
        AckChoice::ALL.into_iter().find(|a| a.policy() == *policy)
    }

    pub fn label(self) -> &'static str {
        self.key()
    }

    /// What the commit waits for, in a few words.
    pub fn explanation(self) -> &'static str {
        match self {
            AckChoice::Async => "live: commits return at once",
            AckChoice::SemiSync => "live: waits for 1 replica, 10 s timeout",
            AckChoice::RemoteWrite => "live: waits for follower-1 to write",
            AckChoice::On => "live: waits for follower-1 to flush",
            AckChoice::RemoteApply => "live: waits for follower-1 to replay",
        }
    }

    /// A stable key for the `<select>`'s values (also the setting's name).
    pub fn key(self) -> &'static str {
        match self {
            AckChoice::Async => "async",
            AckChoice::SemiSync => "semi-sync",
            AckChoice::RemoteWrite => "remote_write",
            AckChoice::On => "on",
            AckChoice::RemoteApply => "remote_apply",
        }
    }

    pub fn from_key(key: &str) -> Option<AckChoice> {
        AckChoice::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// How far the clock of [`SKEWED_LEADER`] is off, as the header offers it: enough for last
/// write wins to keep the older of two writes a second apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SkewChoice {
    #[default]
    InStep,
    Behind,
    Ahead,
}

/// The leader whose clock the header sets (`leader-b`, by place).
pub const SKEWED_LEADER: usize = 1;

impl SkewChoice {
    pub const ALL: [SkewChoice; 3] = [SkewChoice::InStep, SkewChoice::Behind, SkewChoice::Ahead];

    /// The skew in microseconds (`ServerSpec::clock_skew`).
    pub fn micros(self) -> i64 {
        match self {
            SkewChoice::InStep => 0,
            SkewChoice::Behind => -2_000_000,
            SkewChoice::Ahead => 2_000_000,
        }
    }

    /// The words the picker shows (also its values).
    pub fn label(self) -> &'static str {
        match self {
            SkewChoice::InStep => "in step",
            SkewChoice::Behind => "2 s behind",
            SkewChoice::Ahead => "2 s ahead",
        }
    }

    pub fn from_label(label: &str) -> Option<SkewChoice> {
        SkewChoice::ALL.into_iter().find(|c| c.label() == label)
    }
}

/// A topology by the word the page shows.
pub fn topology_from_label(label: &str) -> Option<Topology> {
    Topology::ALL.into_iter().find(|t| t.label() == label)
}

/// A resolver by the word the page shows.
pub fn resolver_from_label(label: &str) -> Option<Resolver> {
    Resolver::ALL.into_iter().find(|r| r.label() == label)
}

/// A multi-leader lab as the header offers it. The topology is also a live setting: the
/// header shows the one in force, and a new lab starts with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultiChoice {
    /// 2 or 3.
    pub leaders: u32,
    pub topology: Topology,
    pub resolver: Resolver,
    pub version_vectors: bool,
    pub auto_increment_offsets: bool,
    /// `leader-b`'s clock.
    pub skew: SkewChoice,
}

impl Default for MultiChoice {
    fn default() -> Self {
        let core = MultiLeaderConfig::default();
        MultiChoice {
            leaders: 3,
            topology: core.topology,
            resolver: core.resolver,
            version_vectors: core.version_vectors,
            auto_increment_offsets: core.auto_increment_offsets,
            skew: SkewChoice::InStep,
        }
    }
}

impl MultiChoice {
    /// The cluster this choice builds.
    pub fn cluster(self) -> ClusterConfig {
        let mut cluster = ClusterConfig::multi_leader(
            self.leaders,
            MultiLeaderConfig {
                topology: self.topology,
                resolver: self.resolver,
                version_vectors: self.version_vectors,
                auto_increment_offsets: self.auto_increment_offsets,
                ..MultiLeaderConfig::default()
            },
        );
        if let Some(server) = cluster.servers.get_mut(SKEWED_LEADER) {
            server.clock_skew = self.skew.micros();
        }
        cluster
    }

    /// The choice that stands for `cluster`, if it is multi-leader (a skew the header does
    /// not offer reads as in step).
    pub fn of(cluster: &ClusterConfig) -> Option<MultiChoice> {
        let multi = cluster.multi_leader.as_ref()?;
        let skew = cluster
            .servers
            .get(SKEWED_LEADER)
            .map_or(0, |s| s.clock_skew);
        Some(MultiChoice {
            leaders: cluster.servers.len() as u32,
            topology: multi.topology,
            resolver: multi.resolver,
            version_vectors: multi.version_vectors,
            auto_increment_offsets: multi.auto_increment_offsets,
            skew: SkewChoice::ALL
                .into_iter()
                .find(|c| c.micros() == skew)
                .unwrap_or_default(),
        })
    }

    /// `3 leaders, all-to-all, last write wins` and whatever else is on.
    pub fn words(self) -> String {
        let mut words = format!(
            "{} leaders, {}, {}",
            self.leaders,
            self.topology.label(),
            self.resolver.label()
        );
        if self.version_vectors {
            words.push_str(", version vectors");
        }
        if self.auto_increment_offsets {
            words.push_str(", auto-increment offsets");
        }
        if self.skew != SkewChoice::InStep {
            words.push_str(&format!(", leader-b's clock {}", self.skew.label()));
        }
        words
    }
}

/// The lab the header's settings build: a replication family and its settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    Single { method: MethodChoice, fencing: bool },
    Multi(MultiChoice),
}

impl Setup {
    /// The single-leader lab the page opens with.
    pub fn single_default() -> Setup {
        let cluster = super::LabSettings::default().cluster;
        Setup::Single {
            method: MethodChoice::of(cluster.method),
            fencing: cluster.failover.fencing,
        }
    }

    /// The setup that builds `cluster` (as near as the header offers).
    pub fn of(cluster: &ClusterConfig) -> Setup {
        match MultiChoice::of(cluster) {
            Some(multi) => Setup::Multi(multi),
            None => Setup::Single {
                method: MethodChoice::of(cluster.method),
                fencing: cluster.failover.fencing,
            },
        }
    }

    /// The cluster it builds; a single-leader one at acknowledgement level `ack`.
    pub fn cluster(self, ack: AckChoice) -> ClusterConfig {
        match self {
            Setup::Single { method, fencing } => {
                let mut cluster = ClusterConfig::lab_default(method.method());
                cluster.ack = ack.policy();
                cluster.failover.fencing = fencing;
                cluster
            }
            Setup::Multi(multi) => multi.cluster(),
        }
    }

    /// Its replication in a word or two: `WAL`, `multi-leader`.
    pub fn label(self) -> &'static str {
        match self {
            Setup::Single { method, .. } => method.label(),
            Setup::Multi(_) => "multi-leader",
        }
    }

    /// What a restart from `now` to this setup brings, for the question before it
    /// (`with WAL replication`, `without fencing`).
    pub fn restart_words(self, now: Setup) -> String {
        match (self, now) {
            (Setup::Single { method, fencing }, Setup::Single { method: was, .. })
                if method == was =>
            {
                if fencing {
                    "with fencing through etcd".to_string()
                } else {
                    "without fencing".to_string()
                }
            }
            (Setup::Single { method, .. }, _) => format!("with {} replication", method.label()),
            (Setup::Multi(multi), _) => {
                format!("with multi-leader replication ({})", multi.words())
            }
        }
    }

    /// The sentence for a new lab with this setup.
    pub fn announcement(self) -> String {
        match self {
            Setup::Single { method, fencing } => restart_announcement(method, fencing),
            Setup::Multi(multi) => format!(
                "New lab with multi-leader replication: {}, at {}.",
                multi.words(),
                time_words(0)
            ),
        }
    }
}

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

    /// What one real second shows, for the explanation next to the factor: `1 s shows 5 ms`.
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

/// The shortest real time, in milliseconds, a message that carries the lesson takes to cross
/// its link while playing (see [`paced`]): long enough for the eye to follow it.
pub const MESSAGE_SHOWN_MS: u64 = 600;

/// The slowest speed that is slowed down for messages: 1×. Slower, a message glides for a
/// tenth of a second or more and is seen anyway.
pub const FAST: Speed = Speed::new(1_000);

/// The speed playing goes at in `view`: `speed`, or — from [`FAST`] up — slower while a
/// message that carries the lesson is in flight (a statement, an answer, replication data,
/// or an acknowledgement while a client waits for its answer), so that the shortest such
/// journey takes [`MESSAGE_SHOWN_MS`] of real time. Heartbeats never slow it down. Positions
/// still come from virtual time: only the pace changes.
pub fn paced(speed: Speed, view: &View) -> Speed {
    if speed.micros_per_real_ms < FAST.micros_per_real_ms {
        return speed;
    }
    let waiting = view.nodes.iter().any(|n| n.awaiting_answers);
    let journey = view
        .messages
        .iter()
        .filter(|m| m.sent <= view.time && view.time < m.delivers)
        .filter(|m| match m.kind {
            MessageKind::Client | MessageKind::Data => true,
            MessageKind::Ack => waiting,
            MessageKind::Heartbeat => false,
        })
        .map(|m| m.delivers - m.sent)
        .min();
    match journey {
        Some(us) => Speed::new((us / MESSAGE_SHOWN_MS).clamp(1, speed.micros_per_real_ms)),
        None => speed,
    }
}

/// With reduced motion, playing moves time in jumps this far apart in real time instead of
/// gliding: messages appear at a new place once a second, they do not slide.
pub const REDUCED_MOTION_JUMP_MS: f64 = 1_000.0;

/// The clock that plays virtual time: it turns the real milliseconds of animation frames into
/// whole virtual microseconds, keeping the fraction slow speeds leave (or, with reduced
/// motion, the time until the next jump) for the next frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Player {
    /// Real milliseconds played but not yet turned into virtual time.
    unplayed_real_ms: f64,
}

impl Player {
    /// How many virtual microseconds are due after `real_ms` more of playing at `speed`
    /// (zero while the time to move has not come yet).
    pub fn frame(&mut self, real_ms: f64, speed: Speed, reduced_motion: bool) -> Micros {
        let unplayed = self.unplayed_real_ms + real_ms.max(0.0);
        if reduced_motion && unplayed < REDUCED_MOTION_JUMP_MS {
            self.unplayed_real_ms = unplayed;
            return 0;
        }
        let per_ms = speed.micros_per_real_ms().max(1) as f64;
        let virtual_us = (unplayed * per_ms).floor();
        // Keep the fraction for the next frame, so slow speeds still move on average.
        self.unplayed_real_ms = unplayed - virtual_us / per_ms;
        virtual_us as Micros
    }

    /// Starts a fresh count (on play, pause, a step, a new speed).
    pub fn restart(&mut self) {
        self.unplayed_real_ms = 0.0;
    }
}

/// What the transport's controls (and their keys) do to virtual time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeControl {
    ToStart,
    /// Back to the previous visible moment (see `Lab::step_back_visible`).
    StepBack,
    /// One event back, whatever it is.
    FineStepBack,
    Play,
    Pause,
    /// Play if paused, pause if playing (the Space key).
    Toggle,
    /// On to the next visible moment (see `Lab::step_visible`).
    Step,
    /// One event on, a timer tick or a heartbeat too.
    FineStep,
    /// Show the lab at this virtual time (the slider); playing goes on from there.
    Seek(Micros),
    SetSpeed(Speed),
}

/// The control a shortcut key stands for (the `key` of a `keydown` event, and whether Shift
/// was held): the arrows step to the next visible moment, with Shift one event at a time.
pub fn shortcut(key: &str, shift: bool) -> Option<TimeControl> {
    match (key, shift) {
        (" ", _) => Some(TimeControl::Toggle),
        ("ArrowLeft", false) => Some(TimeControl::StepBack),
        ("ArrowRight", false) => Some(TimeControl::Step),
        ("ArrowLeft", true) => Some(TimeControl::FineStepBack),
        ("ArrowRight", true) => Some(TimeControl::FineStep),
        ("Home", _) => Some(TimeControl::ToStart),
        _ => None,
    }
}

/// What a presenter's key does (like RaftScope's): lesson steps, one-key actions on the
/// selected node, presenter mode. Lesson keys do nothing outside a lesson (Space then plays
/// or pauses, see [`shortcut`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PresenterKey {
    /// The lesson's next step (Space or `.`).
    Next,
    /// The lesson's previous step, exactly as it was (`B`).
    Back,
    /// The lesson's step with this index, from 0 (the digits `1`–`9`).
    GoTo(usize),
    /// Crash the selected node (`C`).
    Crash,
    /// Bring the selected node back up (`U`).
    Revive,
    /// Fail over to the selected follower (`F`).
    Promote,
    /// One write from the console's client (`W`): [`PRESENTER_WRITE`].
    Write,
    /// Presenter mode on or off (`P`).
    Presenter,
    /// Out of presenter mode (`Escape`).
    LeavePresenter,
}

/// The statement the `W` key sends.
pub const PRESENTER_WRITE: &str = "INSERT INTO orders (status) VALUES ('new')";

/// The presenter keys as the key help lists them: the keys, and what they do.
pub const PRESENTER_HELP: [(&str, &str); 9] = [
    ("Space / .", "next step"),
    ("B", "back a step"),
    ("1–9", "go to step"),
    ("C", "crash the selected node"),
    ("U", "restart the selected node"),
    ("F", "promote the selected follower"),
    ("W", "write a row"),
    ("P", "presenter mode"),
    ("Esc", "leave presenter mode"),
];

/// The presenter key `key` (a `keydown`'s `key`, no Ctrl, Alt or Meta held) stands for;
/// the lesson's keys only `in_lesson`.
pub fn presenter_key(key: &str, in_lesson: bool) -> Option<PresenterKey> {
    let lesson = |k: PresenterKey| in_lesson.then_some(k);
    match key {
        " " | "." => lesson(PresenterKey::Next),
        "b" | "B" => lesson(PresenterKey::Back),
        "c" | "C" => Some(PresenterKey::Crash),
        "u" | "U" => Some(PresenterKey::Revive),
        "f" | "F" => Some(PresenterKey::Promote),
        "w" | "W" => Some(PresenterKey::Write),
        "p" | "P" => Some(PresenterKey::Presenter),
        "Escape" => Some(PresenterKey::LeavePresenter),
        _ => {
            let digit = key.parse::<usize>().ok().filter(|d| (1..=9).contains(d))?;
            lesson(PresenterKey::GoTo(digit - 1))
        }
    }
}

/// How many event-log lines the UI keeps.
pub const EVENTS_SHOWN: usize = 60;
/// How many new events one announcement reads out at most.
pub const ANNOUNCED_AT_ONCE: usize = 3;

/// What a screen reader is told: `lead`, then the events after `since` up to `now`, the
/// newest few (older ones are counted, not read).
pub fn announcement(lead: &str, events: &[EventLine], since: Micros, now: Micros) -> String {
    let fresh: Vec<&EventLine> = events
        .iter()
        .filter(|e| e.time > since && e.time <= now)
        .collect();
    let mut text = lead.to_string();
    let skipped = fresh.len().saturating_sub(ANNOUNCED_AT_ONCE);
    if skipped > 0 {
        text.push_str(&format!(" {skipped} earlier events, then:"));
    }
    for event in &fresh[skipped..] {
        text.push(' ');
        text.push_str(&event.text);
        text.push('.');
    }
    text
}

/// The sentence for a new lab.
pub fn restart_announcement(method: MethodChoice, fencing: bool) -> String {
    format!(
        "New lab with {} replication, {}, at {}.",
        method.label(),
        if fencing {
            "fenced through etcd"
        } else {
            "without fencing"
        },
        time_words(0)
    )
}

/// `t = 1.250 s`.
pub fn time_words(t: Micros) -> String {
    format!("t = {}", format_time(t))
}

/// The client the console sends from: the one `picked` while it exists, else the first.
pub fn console_client(view: &View, picked: Option<u32>) -> Option<u32> {
    let mut clients = view.of_kind(NodeKind::Client);
    picked
        .filter(|id| view.of_kind(NodeKind::Client).any(|n| n.id == *id))
        .or_else(|| clients.next().map(|n| n.id))
}

/// Which nodes the panels look at closely.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Focus {
    /// The node the inspector shows.
    pub selected: Option<u32>,
    /// The client the console sends from.
    pub client: Option<u32>,
}

/// What the panels show besides the diagram: the live checks, the event log, the selected
/// node's inspection and the console client's answers. Pure functions of the world, computed
/// when something happened rather than on every frame.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub checks: Rc<Checks>,
    pub events: Rc<Vec<EventLine>>,
    /// What the last visible moment did, in one line (see `Lab::caption`).
    pub caption: String,
    /// The selected node, inspected.
    pub inspection: Option<Rc<Inspection>>,
    /// The console's client, inspected (its status lines are its answers).
    pub client: Option<Rc<Inspection>>,
    /// The timeline slider's marks (see [`Lab::marks`]).
    pub marks: Rc<Vec<super::marks::Mark>>,
    /// The conflicts a multi-leader cluster's leaders detected, in order (see
    /// [`Lab::conflicts`]); none in a single-leader cluster.
    pub conflicts: Rc<Vec<ConflictLine>>,
}

impl Details {
    /// The details of `lab` now, for `focus`.
    pub fn of(lab: &Lab, focus: Focus) -> Details {
        let events = lab.events(EVENTS_SHOWN);
        Details {
            checks: Rc::new(lab.checks()),
            caption: lab.caption_after(&events),
            events: Rc::new(events),
            inspection: focus.selected.and_then(|id| lab.inspect(id)).map(Rc::new),
            client: focus.client.and_then(|id| lab.inspect(id)).map(Rc::new),
            marks: Rc::new(lab.marks()),
            conflicts: Rc::new(lab.conflicts()),
        }
    }
}

/// What the lab shows now, for the UI to keep: the view (shared, never copied into the
/// components' props), the end of the timeline and — when something happened — fresh
/// [`Details`] and the acknowledgement level in force.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub view: Rc<View>,
    /// The end of the timeline slider.
    pub horizon: Micros,
    /// `None` when only messages moved along their links: the panels keep what they show.
    pub details: Option<Rc<Details>>,
    /// The level the leader applies at this moment of the timeline, when the header offers it
    /// (read with the details).
    pub ack: Option<AckChoice>,
    /// The topology multi-leader servers send by at this moment (read with the details).
    pub topology: Option<Topology>,
}

impl Shown {
    /// What `lab` shows now. The details are recomputed when something happened since
    /// `before` (a node, a link or the set of messages in flight changed), or when there is
    /// no `before`; a frame that only moves messages keeps them.
    pub fn of(lab: &Lab, before: Option<&View>, focus: Focus) -> Shown {
        let view = lab.view();
        let happened = before.is_none_or(|before| something_happened(before, &view));
        let horizon = lab.horizon().max(view.time);
        let (details, ack, topology) = if happened {
            (
                Some(Rc::new(Details::of(lab, focus))),
                lab.ack().as_ref().and_then(AckChoice::of),
                lab.topology(),
            )
        } else {
            (None, None, None)
        };
        Shown {
            view: Rc::new(view),
            horizon,
            details,
            ack,
            topology,
        }
    }
}

/// Whether anything but the messages' positions differs between two views.
fn something_happened(before: &View, now: &View) -> bool {
    now.nodes != before.nodes
        || now.links != before.links
        || now.messages.len() != before.messages.len()
        || now
            .messages
            .iter()
            .zip(&before.messages)
            .any(|(a, b)| a.id != b.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{LabAction, LabSettings};

    #[test]
    fn every_choice_round_trips_through_its_key_and_its_core_value() {
        for choice in MethodChoice::ALL {
            assert_eq!(MethodChoice::from_key(choice.key()), Some(choice));
            assert_eq!(MethodChoice::of(choice.method()), choice);
        }
        for choice in AckChoice::ALL {
            assert_eq!(AckChoice::from_key(choice.key()), Some(choice));
            assert_eq!(AckChoice::of(&choice.policy()), Some(choice));
        }
        assert_eq!(MethodChoice::from_key("paxos"), None);
    }

    #[test]
    fn a_multi_leader_choice_builds_its_cluster_and_reads_back_from_it() {
        let choice = MultiChoice {
            leaders: 2,
            topology: Topology::Circular,
            resolver: Resolver::HighestReplicaId,
            version_vectors: true,
            auto_increment_offsets: true,
            skew: SkewChoice::Behind,
        };
        let cluster = choice.cluster();
        assert_eq!(cluster.servers.len(), 2);
        assert_eq!(cluster.servers[SKEWED_LEADER].name, "leader-b");
        assert_eq!(cluster.servers[SKEWED_LEADER].clock_skew, -2_000_000);
        assert_eq!(cluster.servers[0].clock_skew, 0);
        let multi = cluster.multi_leader.as_ref().expect("multi-leader");
        assert_eq!(multi.topology, Topology::Circular);
        assert_eq!(multi.resolver, Resolver::HighestReplicaId);
        assert!(multi.version_vectors && multi.auto_increment_offsets);
        assert_eq!(MultiChoice::of(&cluster), Some(choice));
        assert_eq!(Setup::of(&cluster), Setup::Multi(choice));
        assert_eq!(
            MultiChoice::of(&ClusterConfig::lab_default(Method::Wal)),
            None
        );
        // Every label the pickers offer reads back as its choice.
        for t in Topology::ALL {
            assert_eq!(topology_from_label(t.label()), Some(t));
        }
        for r in Resolver::ALL {
            assert_eq!(resolver_from_label(r.label()), Some(r));
        }
        for k in SkewChoice::ALL {
            assert_eq!(SkewChoice::from_label(k.label()), Some(k));
        }
        assert_eq!(topology_from_label("mesh"), None);
        assert_eq!(
            choice.words(),
            "2 leaders, circular, highest replica id wins, version vectors, \
             auto-increment offsets, leader-b's clock 2 s behind"
        );
    }

    #[test]
    fn a_single_leader_setup_builds_the_lab_and_words_the_pickers_did() {
        // The page's first lab is the single-leader default, and building it again with the
        // current ack is what the method picker always did.
        let first = Setup::single_default();
        assert_eq!(first, Setup::of(&LabSettings::default().cluster));
        assert_eq!(
            first.cluster(AckChoice::Async),
            LabSettings::default().cluster
        );
        let Setup::Single { method, fencing } = first else {
            panic!("the default lab is single-leader");
        };
        let mut expected = ClusterConfig::lab_default(MethodChoice::Trigger.method());
        expected.ack = AckChoice::On.policy();
        expected.failover.fencing = fencing;
        let trigger = Setup::Single {
            method: MethodChoice::Trigger,
            fencing,
        };
        assert_eq!(trigger.cluster(AckChoice::On), expected);
        assert_eq!(trigger.restart_words(first), "with Trigger replication");
        let unfenced = Setup::Single {
            method,
            fencing: false,
        };
        assert_eq!(unfenced.restart_words(first), "without fencing");
        assert_eq!(
            trigger.announcement(),
            restart_announcement(MethodChoice::Trigger, fencing)
        );
        let multi = Setup::Multi(MultiChoice::default());
        assert_eq!(
            multi.restart_words(first),
            "with multi-leader replication (3 leaders, all-to-all, last write wins)"
        );
        assert_eq!(
            first.restart_words(multi),
            format!("with {} replication", method.label())
        );
        assert_eq!(multi.label(), "multi-leader");
        assert_eq!(
            multi.announcement(),
            "New lab with multi-leader replication: 3 leaders, all-to-all, last write wins, \
             at t = 0.000 s."
        );
    }

    #[test]
    fn a_multi_leader_lab_shows_its_topology_and_conflicts_with_its_details() {
        let mut lab = Lab::new(LabSettings {
            seed: 5,
            cluster: MultiChoice {
                leaders: 2,
                ..MultiChoice::default()
            }
            .cluster(),
        });
        let focus = Focus::default();
        let first = Shown::of(&lab, None, focus);
        assert_eq!(first.topology, Some(Topology::AllToAll));
        lab.perform(LabAction::SetTopology(Topology::Circular))
            .expect("a new topology");
        let shown = Shown::of(&lab, None, focus);
        assert_eq!(shown.topology, Some(Topology::Circular), "in force at once");
        // A conflict by hand: a row, a cut link, the same row written at both, heal.
        let sql = |lab: &mut Lab, at: Micros, client: u32, sql: &str| {
            lab.seek(at);
            lab.perform(LabAction::Sql {
                client,
                sql: sql.into(),
            })
            .expect("sent");
        };
        sql(
            &mut lab,
            10_000,
            2,
            "INSERT INTO orders (id, status) VALUES (1, 'new')",
        );
        lab.seek(500_000);
        lab.perform(LabAction::Partition { a: 0, b: 1 })
            .expect("cut");
        sql(
            &mut lab,
            600_000,
            2,
            "UPDATE orders SET status = 'paid' WHERE id = 1",
        );
        sql(
            &mut lab,
            700_000,
            3,
            "UPDATE orders SET status = 'gone' WHERE id = 1",
        );
        lab.perform(LabAction::Heal { a: 0, b: 1 }).expect("heal");
        lab.seek(3_000_000);
        let details = Details::of(&lab, focus);
        assert_eq!(details.conflicts.len(), 2, "each leader detects its own");
        assert_eq!(details.checks.lost_to_conflicts.len(), 1);
        assert_eq!(details.conflicts[0].lost, vec!["leader-a #2".to_string()]);
        assert_eq!(
            Details::of(&Lab::new(LabSettings::default()), focus)
                .conflicts
                .len(),
            0
        );
    }

    #[test]
    fn speeds_read_as_factors_and_say_what_a_second_shows() {
        let labels: Vec<String> = Speed::LADDER.iter().map(|s| s.label()).collect();
        assert_eq!(labels, ["1/1000×", "1/200×", "1/20×", "1×", "10×"]);
        assert_eq!(Speed::DEFAULT.explanation(), "1 s shows 5 ms");
        assert_eq!(Speed::new(10_000).explanation(), "1 s shows 10 s");
    }

    #[test]
    fn the_player_keeps_fractions_so_slow_speeds_still_move() {
        let mut player = Player::default();
        // 1/1000x: one virtual microsecond per real millisecond; 0.4 ms frames.
        let moved: Micros = (0..10)
            .map(|_| player.frame(0.4, Speed::SLOWEST, false))
            .sum();
        assert_eq!(moved, 4, "4 ms of frames make 4 µs");
        // 1/200x: 0.3 ms makes 1.5 µs: 1 now, the half carried to the next frame.
        assert_eq!(player.frame(0.3, Speed::DEFAULT, false), 1);
        assert_eq!(player.frame(0.3, Speed::DEFAULT, false), 2);
        player.restart();
        assert_eq!(player.frame(0.5, Speed::SLOWEST, false), 0);
        assert_eq!(
            player.frame(-3.0, Speed::SLOWEST, false),
            0,
            "never backwards"
        );
    }

    #[test]
    fn with_reduced_motion_the_player_jumps_once_a_second() {
        let mut player = Player::default();
        let frames: Vec<Micros> = (0..70)
            .map(|_| player.frame(16.0, Speed::DEFAULT, true))
            .collect();
        let jumps: Vec<usize> = (0..frames.len()).filter(|&i| frames[i] > 0).collect();
        assert_eq!(jumps, vec![62], "the 63rd frame passes one second");
        assert_eq!(frames[62], 1_008 * 5);
    }

    #[test]
    fn shortcuts_map_keys_to_time_controls() {
        assert_eq!(shortcut(" ", false), Some(TimeControl::Toggle));
        assert_eq!(shortcut("ArrowLeft", false), Some(TimeControl::StepBack));
        assert_eq!(shortcut("ArrowRight", false), Some(TimeControl::Step));
        assert_eq!(shortcut("ArrowLeft", true), Some(TimeControl::FineStepBack));
        assert_eq!(shortcut("ArrowRight", true), Some(TimeControl::FineStep));
        assert_eq!(shortcut("Home", false), Some(TimeControl::ToStart));
        assert_eq!(shortcut("a", false), None);
    }

    #[test]
    fn presenter_keys_step_lessons_only_in_a_lesson_and_act_everywhere() {
        assert_eq!(presenter_key(" ", true), Some(PresenterKey::Next));
        assert_eq!(presenter_key(".", true), Some(PresenterKey::Next));
        assert_eq!(presenter_key("B", true), Some(PresenterKey::Back));
        assert_eq!(presenter_key("b", true), Some(PresenterKey::Back));
        assert_eq!(presenter_key("3", true), Some(PresenterKey::GoTo(2)));
        assert_eq!(presenter_key("0", true), None);
        assert_eq!(presenter_key("10", true), None);
        // Outside a lesson Space is the transport's play/pause, and B and digits are free.
        assert_eq!(presenter_key(" ", false), None);
        assert_eq!(presenter_key("b", false), None);
        assert_eq!(presenter_key("3", false), None);
        assert_eq!(presenter_key("c", false), Some(PresenterKey::Crash));
        assert_eq!(presenter_key("U", true), Some(PresenterKey::Revive));
        assert_eq!(presenter_key("f", false), Some(PresenterKey::Promote));
        assert_eq!(presenter_key("w", false), Some(PresenterKey::Write));
        assert_eq!(presenter_key("p", false), Some(PresenterKey::Presenter));
        assert_eq!(
            presenter_key("Escape", false),
            Some(PresenterKey::LeavePresenter)
        );
        assert_eq!(presenter_key("x", true), None);
        // Every key the help lists is one the function knows (the first word of each).
        for (keys, _) in PRESENTER_HELP {
            let key = match keys.split(' ').next() {
                Some("Space") => " ",
                Some("Esc") => "Escape",
                Some("1–9") => "1",
                Some(other) => other,
                None => "",
            };
            assert!(presenter_key(key, true).is_some(), "{keys}");
        }
        // No presenter key takes a transport shortcut's key outside a lesson.
        for key in [" ", "ArrowLeft", "ArrowRight", "Home"] {
            assert!(shortcut(key, false).is_some());
            assert_eq!(presenter_key(key, false), None, "{key:?}");
        }
    }

    /// Plays `lab` at `speed` in 16 ms frames for `frames` frames, pacing by its view;
    /// returns how many frames showed a message that carries the lesson.
    fn play(lab: &mut Lab, speed: Speed, frames: usize) -> usize {
        let mut player = Player::default();
        let mut shown = 0;
        for _ in 0..frames {
            let view = lab.view();
            let pace = paced(speed, &view);
            if pace != speed {
                shown += 1;
            }
            let due = player.frame(16.0, pace, false);
            lab.seek(lab.time() + due);
        }
        shown
    }

    #[test]
    fn playing_fast_slows_down_while_a_statement_travels_and_only_then() {
        let mut lab = Lab::new(LabSettings::default());
        let fast = Speed::new(10_000);
        lab.seek(1_000_000);
        // Idle: keepalives and key renewals fly, and 10x stays 10x.
        assert_eq!(play(&mut lab, fast, 60), 0);
        let idle_end = lab.time();
        assert!(idle_end >= 1_000_000 + 59 * 160_000, "10x: {idle_end}");
        let client = console_client(&lab.view(), None).expect("a client");
        lab.perform(LabAction::Sql {
            client,
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
        let at = lab.time();
        // The statement's journey to the leader (about 5 ms) takes at least 0.6 s of frames.
        let view = lab.view();
        let query = view
            .messages
            .iter()
            .find(|m| m.kind == MessageKind::Client)
            .expect("the statement is on its way")
            .clone();
        let pace = paced(fast, &view);
        assert_eq!(
            pace.micros_per_real_ms(),
            (query.delivers - query.sent) / MESSAGE_SHOWN_MS
        );
        let mut player = Player::default();
        let mut frames = 0;
        while lab.time() < query.delivers {
            let due = player.frame(16.0, paced(fast, &lab.view()), false);
            lab.seek(lab.time() + due);
            frames += 1;
        }
        assert!(
            frames * 16 >= MESSAGE_SHOWN_MS as usize,
            "{frames} frames of 16 ms for the statement's journey"
        );
        // Exact: the world at the end is the world seeking there directly shows.
        let mut direct = Lab::new(LabSettings::default());
        direct.seek(1_000_000);
        direct.seek(idle_end);
        direct
            .perform(LabAction::Sql {
                client,
                sql: "INSERT INTO orders (status) VALUES ('new')".into(),
            })
            .expect("sent");
        direct.seek(lab.time());
        assert_eq!(direct.view(), lab.view());
        assert!(at < lab.time());
        // The WAL to the followers and the answer travel for 0.6 s of frames too, then 10x
        // again.
        let slowed = play(&mut lab, fast, 200);
        assert!(
            slowed * 16 >= MESSAGE_SHOWN_MS as usize,
            "{slowed} slowed frames"
        );
        let before = lab.time();
        assert_eq!(play(&mut lab, fast, 10), 0, "back to 10x once it is over");
        assert!(lab.time() >= before + 9 * 160_000);
    }

    #[test]
    fn slow_speeds_are_not_slowed_further() {
        let mut lab = Lab::new(LabSettings::default());
        let client = console_client(&lab.view(), None).expect("a client");
        lab.perform(LabAction::Sql {
            client,
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
        assert_eq!(paced(Speed::DEFAULT, &lab.view()), Speed::DEFAULT);
        assert_eq!(paced(Speed::new(50), &lab.view()), Speed::new(50));
        assert_ne!(paced(FAST, &lab.view()), FAST);
    }

    fn line(time: Micros, text: &str) -> EventLine {
        EventLine {
            time,
            text: text.into(),
            important: false,
        }
    }

    #[test]
    fn an_announcement_reads_the_newest_events_since_the_last_one() {
        let events: Vec<EventLine> = (1..=6).map(|i| line(i * 10, &format!("e{i}"))).collect();
        assert_eq!(announcement("Paused.", &events, 60, 60), "Paused.");
        assert_eq!(
            announcement("Stepped.", &events, 30, 50),
            "Stepped. e4. e5."
        );
        assert_eq!(
            announcement("Done.", &events, 0, 60),
            "Done. 3 earlier events, then: e4. e5. e6."
        );
    }

    #[test]
    fn the_console_sends_from_the_picked_client_while_it_exists() {
        let view = Lab::new(LabSettings::default()).view();
        let clients: Vec<u32> = view.of_kind(NodeKind::Client).map(|n| n.id).collect();
        assert_eq!(clients.len(), 2);
        assert_eq!(console_client(&view, None), Some(clients[0]));
        assert_eq!(console_client(&view, Some(clients[1])), Some(clients[1]));
        assert_eq!(
            console_client(&view, Some(0)),
            Some(clients[0]),
            "0 is a server"
        );
    }

    #[test]
    fn details_are_recomputed_when_something_happens_not_while_messages_glide() {
        let mut lab = Lab::new(LabSettings::default());
        let leader = lab.view().first_writable().map(|n| n.id);
        let focus = Focus {
            selected: leader,
            client: console_client(&lab.view(), None),
        };
        let first = Shown::of(&lab, None, focus);
        let details = first.details.as_ref().expect("a first look has details");
        assert_eq!(
            details.inspection.as_ref().map(|i| i.name.as_str()),
            Some("leader")
        );
        assert_eq!(first.ack, Some(AckChoice::Async));
        // Send a statement and step until it is on its way; then move by one microsecond.
        let client = focus.client.expect("a client");
        lab.perform(LabAction::Sql {
            client,
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
        let sent = Shown::of(&lab, Some(&first.view), focus);
        assert!(sent.details.is_some(), "a new message in flight is news");
        assert!(!sent.view.messages.is_empty());
        lab.seek(lab.time() + 1);
        let glided = Shown::of(&lab, Some(&sent.view), focus);
        assert_eq!(glided.details, None, "only positions moved");
        assert_eq!(glided.view.time, sent.view.time + 1);
        assert!(glided.horizon >= glided.view.time);
    }
}
