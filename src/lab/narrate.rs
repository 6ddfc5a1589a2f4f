//! The event log: what happened, in sentences a person can follow (and a screen reader can
//! read aloud), built from the trace's domain notes, faults and client answers. Messages and
//! timers are left out: the diagram shows those.
//!
//! Reads the trace; never changes it.

use crate::replication::node::{LabNode, Note};
use crate::sim::{Fault, TraceEvent, TraceKind, World};
use crate::view::{format_time, Micros};

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    pub time: Micros,
    pub text: String,
    /// Something a teacher would stop on: a lost write, a crash, a failover, an error.
    pub important: bool,
}

/// How far back the event log looks, in trace events (keeps each frame cheap).
const LOOKBACK: u64 = 4_000;

/// The last `limit` narrated events up to the world's present, oldest first.
pub fn recent_events(world: &World<LabNode>, limit: usize) -> Vec<EventLine> {
    let trace = world.trace();
    let from = trace.len().saturating_sub(LOOKBACK);
    let mut lines: Vec<EventLine> = trace
        .iter_from(from)
        .filter_map(|event| narrate(world, event))
        .collect();
    let skip = lines.len().saturating_sub(limit);
    lines.drain(..skip);
    lines
}

/// A sentence for `event`, if it is worth one.
pub fn narrate(world: &World<LabNode>, event: &TraceEvent<LabNode>) -> Option<EventLine> {
    let name = |id: crate::sim::NodeId| world.node_name(id).unwrap_or("unknown node").to_string();
    let (text, important) = match &event.kind {
        TraceKind::Crashed { node } => (format!("{} crashed", name(*node)), true),
        TraceKind::Restarted { node } => (format!("{} restarted", name(*node)), true),
        TraceKind::FaultApplied { fault } => match fault {
            Fault::Partition { a, b, two_way } => (
                format!(
                    "network partition between {} and {}{}",
                    name(*a),
                    name(*b),
                    if *two_way { "" } else { " (one way)" }
                ),
                true,
            ),
            Fault::Heal { a, b } => (format!("link {} – {} healed", name(*a), name(*b)), false),
            _ => return None,
        },
        TraceKind::FaultRejected { error, .. } => (
            format!(
                "refused: {}",
                crate::lab::describe_input_error(world, *error)
            ),
            false,
        ),
        TraceKind::RequestRejected { node, error, .. } => (
            format!(
                "{} could not take the request: {}",
                name(*node),
                crate::lab::describe_input_error(world, *error)
            ),
            false,
        ),
        TraceKind::Note { note, .. } => describe(note)?,
        _ => return None,
    };
    Some(EventLine {
        time: event.at.as_micros(),
        text,
        important,
    })
}

fn describe(note: &Note) -> Option<(String, bool)> {
    Some(match note {
        Note::Committed {
            node, index, rows, ..
        } => (
            format!("{node} committed entry {index} ({rows} row changes)"),
            false,
        ),
        Note::WaitingForAck {
            node,
            index,
            policy,
        } => (
            format!("{node} holds commit {index} until a standby confirms ({policy})"),
            false,
        ),
        Note::Acknowledged {
            node,
            index,
            waited,
        } => (
            if *waited == 0 {
                format!("{node} acknowledged commit {index} at once")
            } else {
                format!(
                    "{node} acknowledged commit {index} after waiting {}",
                    format_time(*waited)
                )
            },
            false,
        ),
        Note::Applied { node, index } => (format!("{node} replayed up to entry {index}"), false),
        Note::Flushed { .. } => return None,
        Note::ApplyFailed { node, error, .. } => (
            format!("{node} stopped applying: {}", first_line(error)),
            true,
        ),
        Note::StreamRefused { node, error } => (
            format!("{node} refused the stream: {}", first_line(error)),
            true,
        ),
        Note::StatementFailed { node, error } => (format!("{node}: {}", first_line(error)), false),
        Note::SemiSyncOff { node } => (
            format!("{node}: timeout waiting for a replica; semi-sync replication switched OFF"),
            true,
        ),
        Note::LeaderSilent { node } => (
            format!(
                "{node} has not heard from the leader: looking for the most up-to-date follower"
            ),
            true,
        ),
        Note::Promoted {
            node,
            term,
            last_index,
        } => (
            format!("{node} promoted to leader (term {term}, log up to entry {last_index})"),
            true,
        ),
        Note::Demoted { node, new_leader } => {
            (format!("{node} stepped down: {new_leader} leads now"), true)
        }
        Note::Fenced { node } => (
            format!(
                "{node} no longer holds the leader key: it demotes itself and refuses writes \
                 (read-only), as Patroni restarts a primary that lost its key (it cannot tell a \
                 crashed etcd from a cut link)"
            ),
            true,
        ),
        Note::KeyAcquired { node, term } => (
            format!("etcd: {node} acquired the leader key (term {term})"),
            true,
        ),
        Note::KeyExpired { holder } => (
            format!("etcd: the leader key of {holder} expired (not renewed within its TTL)"),
            true,
        ),
        Note::Discarded {
            node,
            entries,
            after,
        } => (
            format!(
                "{node} discarded {entries} entries after {after} that the new leader never had"
            ),
            true,
        ),
        Note::ClientAnswer {
            client,
            sql,
            ok,
            latency,
        } => (
            format!(
                "{client}: {} {} ({})",
                short(sql),
                if *ok { "succeeded" } else { "failed" },
                format_time(*latency)
            ),
            !ok,
        ),
        Note::Info(text) => (text.clone(), false),
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn short(sql: &str) -> String {
    const MAX: usize = 48;
    if sql.chars().count() <= MAX {
        sql.to_string()
    } else {
        let mut s: String = sql.chars().take(MAX - 1).collect();
        s.push('…');
        s
    }
}
