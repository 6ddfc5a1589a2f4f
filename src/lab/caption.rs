//! The caption: one line over the diagram saying what just happened, in words a student can
//! follow ("follower-1 received WAL up to 0/0100018D (entry 3)"). It is written from the
//! trace — the typed notes and the messages sent and delivered — at the latest *moment* that
//! changed something visible.
//!
//! This module also decides what counts as visible ([`seen`]): a note (a commit, a replay, a
//! crash…), a fault, and a message that carries the lesson — a client's statement or answer,
//! or replication data — sent, delivered or lost. Heartbeats, acknowledgements and timers
//! travel and tick too, but make no moment of their own: an idle cluster keeps sending them.
//! Step ([`super::stepping`]) goes from one visible moment to the next.
//!
//! Reads the world; never changes it, and knows nothing of how anything is drawn.

use super::narrate::EventLine;
use crate::replication::config::Method;
use crate::replication::family::{self, MessageKind};
use crate::replication::messages::{ClientMsg, Msg, SingleLeaderMsg};
use crate::replication::node::{LabNode, Note};
use crate::sim::{MessageId, Trace, TraceEvent, TraceKind, World};
use crate::view::Micros;

/// Visible events closer together than this (in virtual time) make one moment: one Step
/// takes them together and the caption tells them together. A message crosses a link in
/// about 5 ms, so a moment moves the markers by a fifth of a link at most.
pub const MOMENT: Micros = 1_000;

/// How many trace events a search looks back at most (for a delivered message's body, or
/// for the latest moment).
const LOOKBACK: u64 = 20_000;

/// What a person sees of one trace event: `who` did `what` (to `to`). `rank` orders what the
/// caption tells first: a crash or a failover before a replay, a replay before a send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phrase {
    pub rank: u8,
    pub who: String,
    pub what: String,
    pub to: Vec<String>,
}

impl Phrase {
    fn new(rank: u8, who: &str, what: String) -> Phrase {
        Phrase {
            rank,
            who: subject(who),
            what,
            to: Vec::new(),
        }
    }

    fn to(mut self, whom: &str) -> Phrase {
        self.to.push(subject(whom));
        self
    }

    fn words(&self) -> String {
        let mut text = format!("{} {}", self.who, self.what);
        if !self.to.is_empty() {
            text.push_str(" to ");
            text.push_str(&and(&self.to));
        }
        text.trim().to_string()
    }
}

/// A node as the subject of a sentence: "the leader", "follower-1".
fn subject(name: &str) -> String {
    if name == "leader" {
        "the leader".into()
    } else {
        name.into()
    }
}

fn and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What the method's log is called when it travels: `WAL`, `binlog events`, `changes`.
fn log_word(method: Method) -> &'static str {
    if method.ships_pages() {
        "WAL"
    } else if method.speaks_mysql() {
        "binlog events"
    } else if method == Method::Trigger {
        "sl_log_1 rows"
    } else {
        "changes"
    }
}

/// Whether `msg` carries the lesson (a client's statement or answer, replication data), so
/// its journey is a visible change and worth slowing down for.
pub fn carries_lesson(msg: &Msg, method: Method) -> bool {
    match msg {
        Msg::Client(_) => true,
        _ => matches!(family::message(msg, method), Some((MessageKind::Data, _))),
    }
}

/// The body of message `id`, from its `Sent` event before trace index `before`.
fn sent_before(trace: &Trace<LabNode>, before: u64, id: MessageId) -> Option<&Msg> {
    let mut index = before;
    while index > before.saturating_sub(LOOKBACK) {
        index -= 1;
        if let TraceKind::Sent { id: sent, msg, .. } = &trace.get(index)?.kind {
            if *sent == id {
                return Some(msg);
            }
            // Ids grow with time: an older id means the one sought is not further back.
            if *sent < id {
                return None;
            }
        }
    }
    None
}

/// What a person sees of trace event number `index` of `world`, or `None` when it changes
/// nothing visible (timers, heartbeats, acknowledgements, durable writes without a note).
pub fn seen(
    world: &World<LabNode>,
    method: Method,
    index: u64,
    event: &TraceEvent<LabNode>,
) -> Option<Phrase> {
    let name = |id| world.node_name(id).unwrap_or("a node");
    match &event.kind {
        TraceKind::Sent { from, to, msg, .. } if carries_lesson(msg, method) => {
            Some(sent(name(*from), name(*to), msg, method))
        }
        TraceKind::Delivered { id, to, .. } => {
            let msg = sent_before(world.trace(), index, *id)?;
            carries_lesson(msg, method).then(|| delivered(name(*to), msg, method))
        }
        TraceKind::Dropped { from, to, msg, .. } if carries_lesson(msg, method) => {
            let label = label(msg, method);
            Some(Phrase::new(
                5,
                "",
                format!("{label} from {} to {} was lost", name(*from), name(*to)),
            ))
        }
        TraceKind::Note { note, .. } => Some(noted(note, method).unwrap_or_else(narrated)),
        TraceKind::Crashed { .. }
        | TraceKind::Restarted { .. }
        | TraceKind::FaultApplied { .. }
        | TraceKind::FaultRejected { .. }
        | TraceKind::RequestRejected { .. } => Some(narrated()),
        _ => None,
    }
}

/// An event the event log narrates (a crash, a failover, a refusal…): the caption takes the
/// event log's line for it (see [`caption`]), so here it has no words yet.
fn narrated() -> Phrase {
    Phrase::new(NARRATED, "", String::new())
}

/// The rank of a narrated event: above a statement's journey.
const NARRATED: u8 = 7;

/// The message's label as the diagram draws it.
fn label(msg: &Msg, method: Method) -> String {
    match msg {
        Msg::Client(ClientMsg::Query { sql, .. }) => short(sql),
        Msg::Client(_) => "an answer".into(),
        _ => family::message(msg, method).map_or_else(String::new, |(_, label)| label),
    }
}

/// How far a batch of log entries reaches: `WAL up to 0/0100018D (entry 3)`.
fn reach(msg: &Msg, method: Method) -> Option<String> {
    let Msg::SingleLeader(SingleLeaderMsg::Entries { entries, .. }) = msg else {
        return None;
    };
    let last = entries.last()?;
    let first = entries.first().map_or(last.index, |e| e.index);
    let which = if first == last.index {
        format!("entry {first}")
    } else {
        format!("entries {first}–{}", last.index)
    };
    Some(format!(
        "{} up to {} ({which})",
        log_word(method),
        method.format_position(last.end)
    ))
}

fn sent(from: &str, to: &str, msg: &Msg, method: Method) -> Phrase {
    match msg {
        Msg::Client(ClientMsg::Query { sql, .. }) => {
            Phrase::new(4, from, format!("sent {}", short(sql))).to(to)
        }
        Msg::Client(ClientMsg::QueryResult {
            outcome: Err(_), ..
        }) => Phrase::new(3, from, "sent an error".into()).to(to),
        Msg::Client(ClientMsg::QueryResult { .. }) => {
            Phrase::new(3, from, format!("answered {}", subject(to)))
        }
        _ => {
            let what = reach(msg, method).unwrap_or_else(|| label(msg, method));
            Phrase::new(2, from, format!("sent {what}")).to(to)
        }
    }
}

fn delivered(to: &str, msg: &Msg, method: Method) -> Phrase {
    match (msg, reach(msg, method)) {
        // The client's note ("got its answer") or the server's commit says the rest.
        (Msg::Client(_), _) => Phrase::new(1, to, format!("received {}", label(msg, method))),
        (_, Some(reach)) => Phrase::new(4, to, format!("received {reach}")),
        (_, None) => Phrase::new(3, to, format!("received {}", label(msg, method))),
    }
}

/// The caption's own words for the notes of a statement's journey; others are narrated.
fn noted(note: &Note, method: Method) -> Option<Phrase> {
    Some(match note {
        Note::Committed { node, index, .. } => {
            Phrase::new(5, node, format!("committed entry {index}"))
        }
        Note::Flushed { node, index } if node.as_str() != "leader" => Phrase::new(
            4,
            node,
            format!("flushed entry {index} to disk; replay follows"),
        ),
        // At once: the answer says it.
        Note::Acknowledged {
            node, waited: 0, ..
        } => Phrase::new(0, node, String::new()),
        Note::Acknowledged {
            node,
            index,
            waited,
        } => Phrase::new(
            6,
            node,
            format!(
                "released commit {index} after {}: the standby confirmed",
                crate::view::format_time(*waited)
            ),
        ),
        // The leader flushes as it commits: the commit says it.
        Note::Flushed { node, .. } => Phrase::new(0, node, String::new()),
        Note::Applied { node, index } => Phrase::new(
            5,
            node,
            format!(
                "{} entry {index}: its rows show it now",
                if method.ships_pages() {
                    "replayed"
                } else {
                    "applied"
                }
            ),
        ),
        Note::ClientAnswer {
            client,
            sql,
            ok,
            error,
            ..
        } => match error {
            Some(error) if !ok => Phrase::new(6, client, format!("got an error: {error}")),
            _ => Phrase::new(5, client, format!("got the answer to {}", short(sql))),
        },
        _ => return None,
    })
}

fn short(sql: &str) -> String {
    const MAX: usize = 48;
    if sql.chars().count() <= MAX {
        return sql.to_string();
    }
    let mut cut: String = sql.chars().take(MAX - 1).collect();
    cut.push('…');
    cut
}

/// The caption for `world` now: what happened at the latest visible moment (the visible
/// events within [`MOMENT`] before the latest one), the most telling first, at most two
/// sentences; a hint when nothing has happened yet. `narrated` is the event log's latest
/// line: a crash, a failover or a refusal in the moment is told in its words (its last
/// line: the first may be the database's own log line).
pub fn caption(world: &World<LabNode>, method: Method, narrated: Option<&EventLine>) -> String {
    let trace = world.trace();
    let mut phrases: Vec<Phrase> = Vec::new();
    let mut latest: Option<Micros> = None;
    let mut index = trace.len();
    while index > trace.len().saturating_sub(LOOKBACK) {
        index -= 1;
        let Some(event) = trace.get(index) else {
            break;
        };
        let at = event.at.as_micros();
        if latest.is_some_and(|latest| at + MOMENT < latest) {
            break;
        }
        if let Some(mut phrase) = seen(world, method, index, event) {
            latest.get_or_insert(at);
            if phrase.rank == NARRATED {
                let line = narrated
                    .filter(|line| line.time == at)
                    .map(|line| &line.text);
                let text = line.map_or("", |t| t.rfind('\n').map_or(t, |i| &t[i + 1..]));
                phrase.what = text.to_string();
                phrase.rank = if text.is_empty() { 0 } else { NARRATED };
            }
            // Oldest first, so equal ranks read in the order they happened.
            phrases.insert(0, phrase);
        }
    }
    let told = tell(phrases);
    if told.is_empty() && latest.is_none() {
        return "Nothing has happened yet: send a statement from the console, then Play or Step"
            .into();
    }
    told
}

/// The most telling phrases (at most two), merged where they say the same thing.
fn tell(phrases: Vec<Phrase>) -> String {
    let mut merged: Vec<Phrase> = Vec::new();
    for phrase in phrases.into_iter().filter(|p| p.rank > 0) {
        if let Some(same) = merged
            .iter_mut()
            .find(|m| m.who == phrase.who && m.what == phrase.what)
        {
            for to in phrase.to {
                if !same.to.contains(&to) {
                    same.to.push(to);
                }
            }
        } else if let Some(same) = merged
            .iter_mut()
            .find(|m| m.what == phrase.what && m.to == phrase.to && !m.who.is_empty())
        {
            same.who = format!("{} and {}", same.who, phrase.who);
        } else {
            merged.push(phrase);
        }
    }
    // The two most telling; of equal ranks, the one that happened first.
    let Some(best) = (0..merged.len()).min_by_key(|&i| (u8::MAX - merged[i].rank, i)) else {
        return String::new();
    };
    let first = merged.remove(best);
    let second = (0..merged.len())
        .min_by_key(|&i| (u8::MAX - merged[i].rank, i))
        .map(|i| merged.swap_remove(i));
    merged = std::iter::once(first).chain(second).collect();
    match merged.as_slice() {
        [] => String::new(),
        [one] => one.words(),
        // One subject doing two things: "the leader committed entry 3 and answered client-1".
        [first, second, ..] if first.who == second.who && !first.who.is_empty() => {
            let second = second.words();
            let rest = second.strip_prefix(first.who.as_str()).unwrap_or(&second);
            format!("{} and{rest}", first.words())
        }
        [first, second, ..] => format!("{}; {}", first.words(), second.words()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{Lab, LabAction, LabSettings};

    fn insert(lab: &mut Lab) {
        let client = lab
            .view()
            .nodes
            .iter()
            .find(|n| n.name == "client-1")
            .map(|n| n.id)
            .expect("client-1");
        lab.perform(LabAction::Sql {
            client,
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
    }

    #[test]
    fn a_statement_is_told_from_the_send_to_the_replay() {
        let mut lab = Lab::new(LabSettings::default());
        assert!(lab.caption().starts_with("Nothing has happened yet"));
        lab.seek(1_000_000);
        insert(&mut lab);
        assert_eq!(
            lab.caption(),
            "client-1 sent INSERT INTO orders (status) VALUES ('new') to the leader"
        );
        let mut told = Vec::new();
        for _ in 0..8 {
            lab.step_visible();
            told.push(lab.caption());
        }
        let all = told.join("\n");
        assert!(
            all.contains("the leader committed entry 1"),
            "the commit is told:\n{all}"
        );
        assert!(
            all.contains("follower-1 received WAL up to 0/")
                || all.contains("follower-1 and follower-2 received WAL up to 0/")
                || all.contains("follower-2 and follower-1 received WAL up to 0/"),
            "the WAL's arrival is told with its LSN:\n{all}"
        );
        assert!(
            all.contains("replayed entry 1: its rows show it now"),
            "the replay is told:\n{all}"
        );
    }

    #[test]
    fn statement_based_replication_speaks_of_binlog_positions() {
        let mut settings = LabSettings::default();
        settings.cluster = crate::lab::ClusterConfig::lab_default(Method::Statement {
            context_events: true,
        });
        let mut lab = Lab::new(settings);
        lab.seek(1_000_000);
        insert(&mut lab);
        let mut told = Vec::new();
        for _ in 0..4 {
            lab.step_visible();
            told.push(lab.caption());
        }
        let all = told.join("\n");
        assert!(
            all.contains("binlog events up to binlog.000001:"),
            "binlog positions, not LSNs:\n{all}"
        );
        assert!(!all.contains("WAL"), "no WAL under statements:\n{all}");
    }

    #[test]
    fn a_crash_is_told_in_the_event_logs_words() {
        let mut lab = Lab::new(LabSettings::default());
        lab.seek(1_000_000);
        let follower = lab
            .view()
            .nodes
            .iter()
            .find(|n| n.name == "follower-1")
            .map(|n| n.id)
            .expect("follower-1");
        lab.perform(LabAction::Crash(follower)).expect("crashed");
        assert_eq!(lab.caption(), "follower-1 crashed");
    }

    #[test]
    fn phrases_that_say_the_same_thing_are_merged() {
        let phrases = vec![
            Phrase::new(2, "leader", "sent WAL up to X".into()).to("follower-1"),
            Phrase::new(2, "leader", "sent WAL up to X".into()).to("follower-2"),
            Phrase::new(4, "follower-1", "flushed entry 1".into()),
            Phrase::new(4, "follower-2", "flushed entry 1".into()),
            Phrase::new(0, "leader", String::new()),
        ];
        assert_eq!(
            tell(phrases),
            "follower-1 and follower-2 flushed entry 1; the leader sent WAL up to X to follower-1 and follower-2"
        );
    }
}
