//! The caption: one line over the diagram saying what just happened, in words a student can
//! follow ("follower-1 received WAL up to 0/0100018D (entry 3)"). It is written from the
//! trace — the typed notes and the messages sent and delivered — at the latest *moment* that
//! changed something visible, telling its most telling event.
//!
//! This module also decides what counts as visible ([`seen`]): a note (a commit, a replay, a
//! crash…), a fault, and a message that carries the lesson — a client's statement or answer,
//! or replication data — sent, delivered or lost. Heartbeats, acknowledgements and timers
//! travel and tick too, but make no moment of their own: an idle cluster keeps sending them.
//! Step ([`super::stepping`]) goes from one visible moment to the next.
//!
//! Reads the world; never changes it, and knows nothing of how anything is drawn.

use super::describe::describe_message;
use super::narrate::EventLine;
use crate::replication::config::Method;
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::node::{LabNode, Note};
use crate::sim::{MessageId, Trace, TraceEvent, TraceKind, World};
use crate::view::{MessageKind, Micros};

/// Visible events closer together than this (in virtual time) make one moment: one Step
/// takes them together. A message crosses a link in about 5 ms, so a moment moves the
/// markers by a fifth of a link at most.
pub const MOMENT: Micros = 1_000;

/// How many trace events a search looks back at most (for a delivered message's body, or
/// for the latest moment).
const LOOKBACK: u64 = 20_000;

/// What a person sees of one event: its words, and how telling they are (a crash or a
/// failover before a replay, a replay before a send). Rank 0: visible, but other events of
/// the same moment say it (the leader's own flush is its commit).
pub type Phrase = (u8, String);

/// An event the event log narrates (a crash, a failover, a refusal…): the caption takes the
/// event log's line for it (see [`caption`]), so [`seen`] gives it no words.
const NARRATED: u8 = 7;

/// A node as the subject of a sentence: "the leader", "follower-1".
fn subject(name: &str) -> &str {
    if name == "leader" {
        "the leader"
    } else {
        name
    }
}

/// What the method's log is called when it travels: `WAL`, `binlog events`, `changes`.
fn log_word(method: Method) -> &'static str {
    if method.ships_pages() {
        "WAL"
    } else if method.speaks_mysql() {
        "binlog events"
    } else {
        "changes"
    }
}

/// Whether a message of this kind carries the lesson (a client's statement or answer,
/// replication data): its journey is a visible change, and worth slowing down for.
pub fn carries_lesson(kind: MessageKind) -> bool {
    matches!(kind, MessageKind::Client | MessageKind::Data)
}

/// What became of a message.
#[derive(Clone, Copy)]
enum Journey {
    Sent,
    Delivered,
    Lost,
}
use Journey::{Delivered, Lost, Sent};

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
    let name = |id| subject(world.node_name(id).unwrap_or("a node"));
    // Sent, delivered or lost.
    let (how, msg, from, to) = match &event.kind {
        TraceKind::Sent { from, to, msg, .. } => (Sent, &**msg, from, to),
        TraceKind::Delivered { id, from, to } => {
            (Delivered, sent_before(world.trace(), index, *id)?, from, to)
        }
        TraceKind::Dropped { from, to, msg, .. } => (Lost, &**msg, from, to),
        TraceKind::Note { note, .. } => return Some(noted(note, method)),
        TraceKind::Crashed { .. }
        | TraceKind::Restarted { .. }
        | TraceKind::FaultApplied { .. }
        | TraceKind::FaultRejected { .. }
        | TraceKind::RequestRejected { .. } => return Some((NARRATED, String::new())),
        _ => return None,
    };
    let sender = world.node(*from).and_then(LabNode::as_server);
    let (kind, label) = describe_message(msg, method, sender);
    if !carries_lesson(kind) {
        return None;
    }
    let (from, to) = (name(*from), name(*to));
    // Log entries say how far they reach: `WAL up to 0/0100018D (entry 3)`.
    let what = match msg {
        Msg::SingleLeader(SingleLeaderMsg::Entries { entries, .. }) => match entries.last() {
            Some(last) => format!(
                "{} up to {} (entry {})",
                log_word(method),
                method.format_position(last.end),
                last.index
            ),
            None => label,
        },
        // Between leaders, whose it is (its label) and which leader it came from.
        Msg::MultiLeader(_) => {
            let what = if label.ends_with("changes") {
                label
            } else {
                format!("change {label}")
            };
            return Some(match how {
                Lost => (6, format!("{what} from {from} to {to} was lost")),
                Delivered => (5, format!("{to} received {what} from {from}")),
                Sent => (2, format!("{from} sent {what} to {to}")),
            });
        }
        _ => label,
    };
    Some(match (how, kind) {
        (Lost, _) => (6, format!("{what} from {from} to {to} was lost")),
        // Its answer, or the server's commit, says more.
        (Delivered, MessageKind::Client) => (1, format!("{to} received {what}")),
        (Delivered, _) => (5, format!("{to} received {what}")),
        (Sent, MessageKind::Client) => (4, format!("{from} sent {what} to {to}")),
        (Sent, _) => (2, format!("{from} sent {what} to {to}")),
    })
}

/// The caption's own words for the notes of a statement's journey; the others are narrated.
fn noted(note: &Note, method: Method) -> Phrase {
    match note {
        Note::Committed { node, index, .. } => {
            (6, format!("{} committed entry {index}", subject(node)))
        }
        Note::Flushed { node, index } if node.as_str() != "leader" => (
            5,
            format!("{node} flushed entry {index} to disk; replay follows"),
        ),
        Note::Applied { node, index } => (
            6,
            format!(
                "{node} {} entry {index}: its rows show it now",
                if method.ships_pages() {
                    "replayed"
                } else {
                    "applied"
                }
            ),
        ),
        Note::ClientAnswer { client, ok, .. } => (
            4,
            format!(
                "{client} got its answer{}",
                if *ok { "" } else { ": an error" }
            ),
        ),
        // The leader's own flush and an immediate acknowledgement: the commit says it.
        Note::Flushed { .. } | Note::Acknowledged { waited: 0, .. } => (0, String::new()),
        _ => (NARRATED, String::new()),
    }
}

/// The caption for `world` now: the most telling event of the latest visible moment (the
/// visible events within [`MOMENT`] before the latest one; of equal ranks the latest); a hint
/// when nothing has happened yet. `narrated` is the event log's latest line: a crash, a
/// failover or a refusal is told in its words (its last line: the first may be the
/// database's own log line).
pub fn caption(world: &World<LabNode>, method: Method, narrated: Option<&EventLine>) -> String {
    let trace = world.trace();
    let mut best: Option<Phrase> = None;
    let mut latest: Option<Micros> = None;
    let mut index = trace.len();
    while let Some(event) = index.checked_sub(1).and_then(|i| trace.get(i)) {
        index -= 1;
        let at = event.at.as_micros();
        if latest.is_some_and(|latest| at + MOMENT < latest) || index + LOOKBACK < trace.len() {
            break;
        }
        let Some((mut rank, mut text)) = seen(world, method, index, event) else {
            continue;
        };
        latest.get_or_insert(at);
        if rank == NARRATED {
            let line = narrated
                .filter(|line| line.time == at)
                .map_or("", |l| &l.text);
            text = line
                .rfind('\n')
                .map_or(line, |i| &line[i + 1..])
                .to_string();
            rank = if text.is_empty() { 0 } else { NARRATED };
        }
        if best.as_ref().is_none_or(|(best, _)| rank > *best) {
            best = Some((rank, text));
        }
    }
    match best {
        None => {
            "Nothing has happened yet: send a statement from the console, then Play or Step".into()
        }
        Some((_, text)) => text,
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
        assert!(
            lab.caption()
                .starts_with("client-1 sent INSERT INTO orders"),
            "{}",
            lab.caption()
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
            all.contains("received WAL up to 0/"),
            "the WAL's arrival is told with its LSN:\n{all}"
        );
        assert!(
            all.contains("replayed entry 1: its rows show it now"),
            "the replay is told:\n{all}"
        );
    }

    #[test]
    fn statement_based_replication_speaks_of_binlog_positions() {
        let settings = LabSettings {
            cluster: crate::lab::ClusterConfig::lab_default(Method::Statement {
                context_events: true,
            }),
            ..LabSettings::default()
        };
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
}
