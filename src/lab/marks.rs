//! The timeline's marks: what the slider shows along its length — the actions you took (and
//! those still to come after the present, kept after a step back), the inputs the world
//! refused when their time came, commits, role changes and the live checks firing — as plain
//! data, bounded however long the session is: the slider has two lanes (what was done and
//! checks above the track, what the world did below) and marks of one lane that fall in the
//! same [`BUCKETS`]th of the slider merge into one that counts them and shows the most
//! important.
//!
//! Actions come from the timeline's inputs; commits, role changes and refusals from the
//! session's typed history (read only); a check firing is seen as the timeline is computed
//! ([`Fired`]). It must not know how anything is drawn.

use super::narrate::{EventKind, LabEvent};
use super::{Checks, Lab};
use crate::replication::messages::Request;
use crate::replication::node::{LabNode, Note};
use crate::sim::{Fault, Input, NodeId, World};
use crate::view::Micros;

/// How many stretches the slider is cut into: marks of one lane in one stretch merge (at
/// 1280 px a stretch is some 20 px; a long session draws at most a few hundred marks).
pub const BUCKETS: u64 = 32;

/// The most check firings remembered (the oldest are forgotten past it).
const FIRED_LIMIT: usize = 1_000;

/// What a mark stands for. The order is the order of importance (the last is drawn on top).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkKind {
    /// A commit on a leader.
    Commit,
    /// A server's role changed: promoted, stepped down, fenced.
    Role,
    /// Something you did, at or before the present.
    Action,
    /// Something you did that is still to come: after the present, kept by a step back.
    Queued,
    /// An input the world refused when its time came (a kept action that no longer made
    /// sense then, a request to a crashed node).
    Refused,
    /// A live check's count went up: two leaders, a lost acknowledged write, …
    Check,
}

impl MarkKind {
    /// 0 below the slider's track (what the world did), 1 above it (what was done, checks).
    pub fn lane(self) -> usize {
        usize::from(self > MarkKind::Role)
    }
}

/// One mark on the slider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub time: Micros,
    pub kind: MarkKind,
    /// What happened, in a few words (the most important of them when several merged).
    pub label: String,
    /// How many merged into this mark (1 when it stands for one thing).
    pub count: u32,
}

impl Lab {
    /// The slider's marks from the start to the horizon: in each lane, those of one stretch
    /// of the slider ([`BUCKETS`]) merge, the most important kind showing. Actions first,
    /// then the history's, then the checks', each oldest first (the slider places them by
    /// time; sorting them all would cost the page a sort's code): a stretch holds at most one
    /// mark per lane and source.
    pub fn marks(&self) -> Vec<Mark> {
        let now = self.time();
        let end = self.horizon().max(now).max(1);
        let bucket = |time: Micros| time.min(end).saturating_mul(BUCKETS) / end;
        let mut marks: Vec<Mark> = Vec::new();
        // Each source is in time order, so a mark merges into the last one of its kind.
        let mut last: [Option<usize>; 2] = [None; 2];
        let mut add = |time: Micros, kind: MarkKind, label: String| {
            let slot = &mut last[kind.lane()];
            if let Some(mark) = slot.and_then(|index| marks.get_mut(index)) {
                if bucket(mark.time) == bucket(time) {
                    mark.count += 1;
                    if kind > mark.kind {
                        (mark.time, mark.kind, mark.label) = (time, kind, label);
                    }
                    return;
                }
            }
            *slot = Some(marks.len());
            marks.push(Mark {
                time,
                kind,
                label,
                count: 1,
            });
        };
        for (time, label) in self.actions() {
            let kind = if time > now {
                MarkKind::Queued
            } else {
                MarkKind::Action
            };
            add(time, kind, label);
        }
        for event in self.history.upto(u64::MAX) {
            if let Some((kind, label)) = event_mark(event) {
                add(event.time, kind, label);
            }
        }
        for &(time, _, what) in &self.fired.fired {
            add(time, MarkKind::Check, format!("check: {what}"));
        }
        marks
    }

    /// Every action of the session's timeline, oldest first, in words: one a person took (a
    /// change of the acknowledgement level reaches every server, but is one action; the
    /// clients a crash disconnects are part of the crash).
    pub fn actions(&self) -> Vec<(Micros, String)> {
        let world = self.world();
        let mut actions: Vec<(Micros, String)> = Vec::new();
        for (at, input) in self.timeline.inputs() {
            let Some(label) = input_words(world, input) else {
                continue;
            };
            let time = at.as_micros();
            if actions.last() != Some(&(time, label.clone())) {
                actions.push((time, label));
            }
        }
        actions
    }

    /// The actions after the present (kept by a step back): what acting now would discard.
    pub fn later_actions(&self) -> Vec<(Micros, String)> {
        let now = self.time();
        let mut actions = self.actions();
        actions.retain(|(time, _)| *time > now);
        actions
    }
}

/// A user's input in a few words; `None` for one that is part of another action.
fn input_words(world: &World<LabNode>, input: &Input<LabNode>) -> Option<String> {
    let name = |id: &NodeId| world.node_name(*id).unwrap_or("a node").to_string();
    Some(match input {
        Input::Request { node, req } => {
            let node = name(node);
            match req {
                Request::Sql(sql)
                | Request::SqlOn { sql, .. }
                | Request::Unreachable { sql, .. } => format!("{node}: {}", short(sql)),
                Request::Promote => format!("promote {node}"),
                Request::Join => format!("{node} joins"),
                Request::Rejoin => format!("{node} rejoins"),
                Request::SetAck(policy) => format!("ack: {}", policy.describe()),
                Request::Checkpoint => format!("checkpoint on {node}"),
                Request::Cancel => format!("{node} cancels"),
                Request::ServerGone { .. } => return None,
                Request::SetReadRouting(routing) => format!("{node} reads: {}", routing.label()),
                Request::SetTopology(topology) => format!("topology: {}", topology.label()),
            }
        }
        Input::Fault(fault) => match fault {
            Fault::Crash(node) => format!("crash {}", name(node)),
            Fault::Restart(node) => format!("restart {}", name(node)),
            Fault::Partition { a, b, .. } => format!("cut {} – {}", name(a), name(b)),
            Fault::Heal { a, b } => format!("heal {} – {}", name(a), name(b)),
            _ => "network change".to_string(),
        },
    })
}

/// A statement cut to a few words for a mark's label.
fn short(sql: &str) -> String {
    const MOST: usize = 32;
    let sql = sql.trim();
    match sql.char_indices().nth(MOST) {
        Some((cut, _)) => format!("{}…", &sql[..cut]),
        None => sql.to_string(),
    }
}

/// The mark a narrated event makes, if any.
fn event_mark(event: &LabEvent) -> Option<(MarkKind, String)> {
    Some(match &event.kind {
        EventKind::FaultRefused { why } => (MarkKind::Refused, format!("refused: {why}")),
        EventKind::RequestRefused { node, why } => {
            (MarkKind::Refused, format!("refused at {node}: {why}"))
        }
        EventKind::Note(Note::Committed { node, index, .. }) => {
            (MarkKind::Commit, format!("{node} committed entry {index}"))
        }
        EventKind::Note(Note::Promoted { node, .. }) => {
            (MarkKind::Role, format!("{node} promoted"))
        }
        EventKind::Note(Note::Demoted { node, .. }) => {
            (MarkKind::Role, format!("{node} stepped down"))
        }
        EventKind::Note(Note::Fenced { node }) => (MarkKind::Role, format!("{node} fenced")),
        _ => return None,
    })
}

/// The checks a mark is made for, by name, and what each counts.
const WATCHED: [&str; 4] = [
    "two leaders",
    "lost acknowledged write",
    "diverged rows",
    "follower stalled",
];

fn counts(checks: &Checks) -> [usize; 4] {
    [
        checks.two_leaders.len(),
        checks.lost_acked_writes.len(),
        checks.diverged_rows.len(),
        checks.stalled.len(),
    ]
}

/// The live checks seen firing (a count going up) as the timeline is computed further.
///
/// Checks are a function of the world at one moment; the lab runs them when it reads new
/// events that may change them, at the newest time computed, and dates a firing by the last
/// such event read (the crash, the promotion, the replay that caused it). Read in one long
/// jump, two firings get the same date. Forgotten with the future an action replaces.
#[derive(Clone, Debug, Default)]
pub(super) struct Fired {
    /// What each of [`WATCHED`] counted at the newest time computed.
    counts: [usize; 4],
    /// (time, trace index, which check), oldest first, at most [`FIRED_LIMIT`].
    fired: Vec<(Micros, u64, &'static str)>,
}

impl Fired {
    /// The checks at the newest time computed, after the newly read event `cause` (the last
    /// that may change them, see [`may_fire`]).
    pub(super) fn watch(&mut self, cause: &LabEvent, checks: &Checks) {
        let now = counts(checks);
        for ((what, before), after) in WATCHED.iter().zip(self.counts).zip(now) {
            if after > before {
                self.fired.push((cause.time, cause.trace_index, what));
            }
        }
        self.counts = now;
        let over = self.fired.len().saturating_sub(FIRED_LIMIT);
        self.fired.drain(..over);
    }

    /// Forgets the firings from trace index `len` on; `checks` are the checks where the
    /// timeline forks.
    pub(super) fn forget_from(&mut self, len: u64, checks: &Checks) {
        self.fired.retain(|&(_, index, _)| index < len);
        self.counts = counts(checks);
    }
}

/// How often, in virtual time, the watch runs at least when the only news is followers
/// applying entries (with steady writes, every few milliseconds): the checks compare whole
/// tables and read every answer, so running them at each one made computing a long history
/// quadratic. Anything else that may fire a check (a crash, a promotion, a failed apply…) is
/// watched at once.
pub(super) const WATCH_APPLIED_EVERY: Micros = 100_000;

/// The slider's marks are grouped in [`BUCKETS`] stretches: later in a long session the
/// applies-only watch runs once per this fraction of the time so far, so the number of watches
/// grows with the logarithm of the session's length, not with it (and a mark still lands in
/// its stretch or the next).
const WATCHES_PER_SPAN: Micros = 64;

/// The virtual time before the applies-only watch runs again after running at `watched_at`,
/// now being `now`.
pub(super) fn applied_watch_interval(now: Micros) -> Micros {
    WATCH_APPLIED_EVERY.max(now / WATCHES_PER_SPAN)
}

/// Whether the newly read events `fresh` hold one that may change the checks other than a
/// follower applying an entry (or, alike, a multi-leader leader applying, holding, dropping
/// a change or settling a conflict: with steady writes, every few milliseconds too).
pub(super) fn urgent(fresh: &[LabEvent]) -> bool {
    fresh.iter().any(|event| {
        !matches!(
            event.kind,
            EventKind::Note(
                Note::Applied { .. }
                    | Note::ChangeApplied { .. }
                    | Note::ChangeHeld { .. }
                    | Note::ChangeDropped { .. }
                    | Note::Conflict { .. }
            )
        ) && may_fire(std::slice::from_ref(event)).is_some()
    })
}

/// The last of the newly read events `fresh` that may change what the watched checks flag, if
/// any (commits and answers alone do not: a write is lost when its leader's history is, a
/// follower stalls or diverges when it replays).
pub(super) fn may_fire(fresh: &[LabEvent]) -> Option<&LabEvent> {
    fresh.iter().rev().find(|event| {
        !matches!(
            event.kind,
            EventKind::Note(
                Note::Committed { .. }
                    | Note::WaitingForAck { .. }
                    | Note::Acknowledged { .. }
                    | Note::Flushed { .. }
                    | Note::ClientAnswer { .. }
                    | Note::ClientFollows { .. }
            )
        )
    })
}
