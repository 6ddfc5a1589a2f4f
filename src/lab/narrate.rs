//! The event log: what happened, in sentences a person can follow (and a screen reader can
//! read aloud). Two steps: the trace's domain notes, faults and refusals become typed
//! [`LabEvent`]s (facts with their numbers, which lessons and tests read), and each typed event
//! becomes a sentence ([`sentence`]). Messages and timers are left out: the diagram shows those.
//!
//! Where a database prints the event itself (MySQL's error log for semi-sync, PostgreSQL's
//! server log for a new timeline or a history that forked), the sentence starts with the
//! database's own line(s), then says in plain words what it means.
//!
//! The lab keeps the typed events of a session in a [`History`], so the whole lesson stays
//! available however long the trace grows.
//!
//! Reads the trace; never changes it.

use crate::replication::config::Method;
use crate::replication::node::{Ignored, LabNode, Note, PromotionReason};
use crate::sim::{Fault, NodeId, TraceEvent, TraceKind, World};
use crate::view::{format_time, Micros};

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventLine {
    pub time: Micros,
    pub text: String,
    /// Something a teacher would stop on: a lost write, a crash, a failover, an error.
    pub important: bool,
}

/// Something that happened, as a fact: what the event log narrates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabEvent {
    /// The virtual time it happened.
    pub time: Micros,
    /// Its position in the world's trace.
    pub trace_index: u64,
    pub kind: EventKind,
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    Crashed {
        node: String,
    },
    Restarted {
        node: String,
    },
    Partitioned {
        a: String,
        b: String,
        two_way: bool,
    },
    Healed {
        a: String,
        b: String,
    },
    /// A fault the world could not apply, and why.
    FaultRefused {
        why: String,
    },
    /// A request a crashed (or unknown) node could not take.
    RequestRefused {
        node: String,
        why: String,
    },
    /// A node's domain event.
    Note(Note),
    /// A client's answer came with PostgreSQL's `WARNING:` (and `DETAIL:`) lines, as psql
    /// prints them (a cancelled wait for a synchronous standby). MySQL's notes are read with
    /// `SHOW WARNINGS`: the console shows them, the log does not.
    Warning {
        client: String,
        text: String,
    },
}

/// The most events a [`History`] keeps: far more than a lesson or an hour of clicking
/// produces (a busy minute of virtual time narrates a few thousand); past it the oldest are
/// dropped, so memory stays bounded (each event is a few hundred bytes at most).
pub const HISTORY_LIMIT: usize = 100_000;

/// The typed events of a session, from its start, kept beside the timeline.
///
/// The trace is append-only and a world at an earlier time holds a prefix of a later world's
/// trace, so events are keyed by their trace index: going back in time hides the events past
/// the present (they come back, identical, going forward again); an action that forks the
/// future ([`History::forget_from`]) drops them. Bounded by [`HISTORY_LIMIT`].
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The kept events are `events[first..]`; the ones before `first` are past the limit and
    /// are removed in one go once there are as many of them as kept ones, so trimming costs
    /// O(1) per event instead of moving the whole list on every catch-up.
    events: Vec<LabEvent>,
    first: usize,
    /// The trace length read so far.
    read: u64,
}

impl History {
    /// Reads the trace events of `world` not read yet.
    pub fn catch_up(&mut self, world: &World<LabNode>) {
        let trace = world.trace();
        if trace.len() <= self.read {
            return;
        }
        for (offset, event) in trace.iter_from(self.read).enumerate() {
            let index = self.read + offset as u64;
            if let Some(event) = typed(world, index, event) {
                self.events.push(event);
            }
        }
        self.read = trace.len();
        self.first = self
            .first
            .max(self.events.len().saturating_sub(HISTORY_LIMIT));
        if self.first >= HISTORY_LIMIT {
            self.events.drain(..self.first);
            self.first = 0;
        }
    }

    /// Forgets what happened from trace index `len` on (the future an action replaces).
    pub fn forget_from(&mut self, len: u64) {
        let keep = self.kept().partition_point(|e| e.trace_index < len);
        self.events.truncate(self.first + keep);
        self.read = self.read.min(len);
    }

    /// The events of a world whose trace has `len` events, oldest first.
    pub fn upto(&self, len: u64) -> &[LabEvent] {
        let kept = self.kept();
        &kept[..kept.partition_point(|e| e.trace_index < len)]
    }

    /// The events within the limit, oldest first.
    fn kept(&self) -> &[LabEvent] {
        self.events.get(self.first..).unwrap_or(&[])
    }
}

/// The last `limit` narrated events up to the world's present, oldest first, from the
/// session's `history`.
pub fn recent_events(
    history: &History,
    world: &World<LabNode>,
    method: Method,
    limit: usize,
) -> Vec<EventLine> {
    let mut lines = Vec::new();
    for event in history.upto(world.trace().len()).iter().rev() {
        if lines.len() >= limit {
            break;
        }
        if let Some(line) = sentence(event, method) {
            lines.push(line);
        }
    }
    lines.reverse();
    lines
}

/// The typed form of trace event number `index`, if it is worth narrating.
pub fn typed(world: &World<LabNode>, index: u64, event: &TraceEvent<LabNode>) -> Option<LabEvent> {
    let name = |id: NodeId| world.node_name(id).unwrap_or("unknown node").to_string();
    let kind = match &event.kind {
        TraceKind::Crashed { node } => EventKind::Crashed { node: name(*node) },
        TraceKind::Restarted { node } => EventKind::Restarted { node: name(*node) },
        TraceKind::FaultApplied { fault } => match fault {
            Fault::Partition { a, b, two_way } => EventKind::Partitioned {
                a: name(*a),
                b: name(*b),
                two_way: *two_way,
            },
            Fault::Heal { a, b } => EventKind::Healed {
                a: name(*a),
                b: name(*b),
            },
            _ => return None,
        },
        TraceKind::FaultRejected { error, .. } => EventKind::FaultRefused {
            why: crate::lab::describe_input_error(world, *error),
        },
        TraceKind::RequestRejected { node, error, .. } => EventKind::RequestRefused {
            node: name(*node),
            why: crate::lab::describe_input_error(world, *error),
        },
        // Flushes are shown by the log positions, not narrated.
        TraceKind::Note { note, .. } if matches!(**note, Note::Flushed { .. }) => return None,
        TraceKind::Note { note, .. } => EventKind::Note((**note).clone()),
        TraceKind::Replied { node, reply, .. } => EventKind::Warning {
            client: name(*node),
            text: (reply.outcome.as_ref().ok()?.warning.clone())
                .filter(|w| w.starts_with("WARNING:"))?,
        },
        _ => return None,
    };
    Some(LabEvent {
        time: event.at.as_micros(),
        trace_index: index,
        kind,
    })
}

/// The sentence for `event` in a cluster replicating with `method`, if it is worth one.
pub fn sentence(event: &LabEvent, method: Method) -> Option<EventLine> {
    let (text, important) = match &event.kind {
        EventKind::Crashed { node } => (format!("{node} crashed"), true),
        EventKind::Restarted { node } => (format!("{node} restarted"), true),
        EventKind::Partitioned { a, b, two_way } => (
            format!(
                "network partition between {a} and {b}{}",
                if *two_way { "" } else { " (one way)" }
            ),
            true,
        ),
        EventKind::Healed { a, b } => (format!("link {a} – {b} healed"), false),
        EventKind::FaultRefused { why } => (format!("refused: {why}"), false),
        EventKind::RequestRefused { node, why } => {
            (format!("{node} could not take the request: {why}"), false)
        }
        EventKind::Note(note) => describe(note, method)?,
        EventKind::Warning { client, text } => (format!("{client}: {text}"), true),
    };
    Some(EventLine {
        time: event.time,
        text,
        important,
    })
}

/// A PostgreSQL server-log LSN, as `%X/%X` prints it (`0/4067280`).
fn pg_lsn(bytes: u64) -> String {
    format!("{:X}/{:X}", bytes >> 32, bytes & 0xFFFF_FFFF)
}

fn describe(note: &Note, method: Method) -> Option<(String, bool)> {
    // PostgreSQL's physical replication prints its own log lines (timelines, pg_rewind).
    let wal = method.ships_pages();
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
            format!(
                "{node} holds commit {index} until a standby confirms ({})",
                policy.describe()
            ),
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
        Note::RowMissing {
            node,
            change,
            full_identity,
            ..
        } => {
            let log = crate::engine::pg_missing_row_log(change, *full_identity);
            let line = log.first().map_or("", |l| l.trim_start_matches("LOG:  "));
            (
                format!("{node} skipped a change whose row it does not have: {line}"),
                true,
            )
        }
        Note::LockWait {
            node,
            client,
            holder,
        } => (
            format!(
                "{node}: a statement of {client} waits for a row lock held by transaction {holder}"
            ),
            false,
        ),
        Note::StreamRefused { node, error } => (
            format!("{node} refused the stream: {}", first_line(error)),
            true,
        ),
        Note::StatementFailed { node, error } => (format!("{node}: {}", first_line(error)), false),
        Note::SemiSyncOff {
            node,
            file,
            pos,
            acked_file,
            acked_pos,
        } => (
            format!(
                "{node}: [Warning] [MY-011153] [Repl] Timeout waiting for reply of binlog (file: {file}, pos: {pos}), semi-sync up to file {acked_file}, position {acked_pos}.\n\
                 {node}: [Note] [MY-011155] [Repl] Semi-sync replication switched OFF.\n\
                 No replica acknowledged in time: commits stop waiting (asynchronous) until one catches up"
            ),
            true,
        ),
        Note::SemiSyncOn { node, file, pos } => (
            format!(
                "{node}: [Note] [MY-011156] [Repl] Semi-sync replication switched ON at ({file}, {pos}).\n\
                 A replica caught up: commits wait for its acknowledgement again"
            ),
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
            end,
            why,
        } => {
            let why = match why {
                PromotionReason::Manual => "manual failover".to_string(),
                PromotionReason::MostUpToDate { answered, servers } => format!(
                    "the leader went silent; the most up-to-date of the {answered} of {servers} servers that answered"
                ),
            };
            let text = if wal {
                // PostgreSQL's startup process, and the history file it writes.
                let previous = term.saturating_sub(1);
                format!(
                    "{node}: LOG:  selected new timeline ID: {term}\n\
                     {node} wrote {term:08X}.history: {previous}\t{}\tno recovery target specified\n\
                     {node} promoted to leader ({why}; timeline {term} forks off timeline {previous} at {}, after entry {last_index})",
                    pg_lsn(*end),
                    pg_lsn(*end),
                )
            } else {
                format!(
                    "{node} promoted to leader ({why}; term {term}, log up to entry {last_index})"
                )
            };
            (text, true)
        }
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
        Note::AskingForKey { node, manual } => (
            if *manual {
                format!("manual failover: {node} takes the leader key from etcd")
            } else {
                format!("{node} is the most up-to-date: asking etcd for the leader key")
            },
            false,
        ),
        Note::KeyNotRenewed { node, ttl_ms } => (
            format!("{node}: could not renew its leader key in etcd within its TTL ({ttl_ms} ms)"),
            true,
        ),
        Note::StreamClosed { node, leader } => (
            format!("{node}: {leader} closed the replication connection (restarting read-only)"),
            false,
        ),
        Note::HoldsKey { node, again } => (
            format!(
                "{node}: holds the leader key{}; taking writes",
                if *again { " again" } else { "" }
            ),
            true,
        ),
        Note::KeyHeldByOther { node, holder, term } => {
            let holder = holder.as_deref().unwrap_or("another server");
            let text = match term {
                Some(term) => {
                    format!("{node}: etcd says {holder} holds the leader key (term {term}): not promoting")
                }
                None => format!("{node}: etcd says {holder} holds the leader key now"),
            };
            (text, true)
        }
        Note::WaitsForOldLease { node, wait_ms } => (
            format!(
                "{node}: holds the leader key; waits {wait_ms} ms for the old leader's lease to run out before promoting"
            ),
            false,
        ),
        Note::KeyTtlRestarted { holder, ttl_ms } => (
            format!(
                "etcd: back up; the leader key of {holder} lives another {} s",
                seconds(*ttl_ms)
            ),
            false,
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
        Note::HistoryDiverged {
            node,
            leader,
            requested,
            timeline,
            forked_timeline,
            forked_at,
        } => {
            let text = if wal {
                // The standby's log line (the new primary logs the same ERROR and DETAIL).
                format!(
                    "{node}: FATAL:  could not start WAL streaming: ERROR:  requested starting point {} on timeline {timeline} is not in this server's history\n\
                     \tDETAIL:  This server's history forked from timeline {forked_timeline} at {}.\n\
                     {node} has WAL that {leader} never had: it must be wound back to the fork (pg_rewind) before it can follow",
                    pg_lsn(*requested),
                    pg_lsn(*forked_at),
                )
            } else {
                format!(
                    "{node}'s log goes past where {leader}'s history forked (term {timeline} vs term {forked_timeline}, at position {forked_at}): it must be wound back before it can follow"
                )
            };
            (text, true)
        }
        Note::Reinitialising {
            node,
            leader,
            common,
            term,
        } => (
            format!(
                "{node}: log diverged after entry {common} (term {term}); its pages already hold the discarded changes, so it starts over from a base backup of {leader}"
            ),
            true,
        ),
        Note::ClientAnswer {
            client,
            sql,
            ok,
            error,
            latency,
            ..
        } => (
            match error {
                Some(error) if !ok => format!(
                    "{client}: {} failed ({}): {error}",
                    short(sql),
                    format_time(*latency)
                ),
                _ => format!(
                    "{client}: {} {} ({})",
                    short(sql),
                    if *ok { "succeeded" } else { "failed" },
                    format_time(*latency)
                ),
            },
            !ok,
        ),
        Note::ClientFollows { client, leader } => {
            (format!("{client} now sends writes to {leader}"), false)
        }
        Note::TopologyChanged { node, topology } => (
            format!("{node} now sends by the {} topology", topology.label()),
            false,
        ),
        Note::ChangeDropped {
            node,
            origin,
            seq,
            own,
        } => (
            if *own {
                format!("{node} skipped its own change #{seq} coming back round: it carries {node}'s server id (the loop ends here)")
            } else {
                format!("{node} skipped {origin}'s change #{seq}: it carries {node}'s server id, so it came this way before")
            },
            false,
        ),
        Note::ChangeHeld {
            node,
            origin,
            seq,
            waits_for,
        } => (
            format!("{node} holds {origin}'s change #{seq} until {waits_for} arrives (it depends on it)"),
            false,
        ),
        Note::ChangeApplied {
            node, origin, seq, ..
        } => (format!("{node} applied {origin}'s change #{seq}"), false),
        Note::Conflict {
            node,
            kind,
            table,
            key,
            lost,
        } => (conflict_sentence(node, kind, table, key, *lost), true),
        Note::ReadRouted {
            client,
            server,
            routing,
            wait_for,
        } => (
            match wait_for {
                Some(position) => format!(
                    "{client} reads from {server} (reads: {}); it must first replay position {position}, {client}'s last commit",
                    routing.label()
                ),
                None => format!("{client} reads from {server} (reads: {})", routing.label()),
            },
            false,
        ),
        Note::ReadWaits {
            node,
            client,
            position,
            applied,
        } => (
            format!(
                "{node} holds {client}'s read until it has replayed position {position} (it is at {applied}), as pg_wal_replay_wait does"
            ),
            false,
        ),
        Note::SnapshotTaken {
            node,
            follower,
            at,
            position,
            chunks,
        } => (
            format!(
                "{node}: base backup for {follower} consistent at entry {at} ({}, {chunks} chunks)",
                crate::replication::render::format_position(method, *position)
            ),
            false,
        ),
        Note::SnapshotStalled { node } => (
            format!("{node}: the base backup stopped arriving; asking again"),
            false,
        ),
        Note::SnapshotInstalled { node, at } => (
            format!("{node}: base backup installed at entry {at}; streaming the backlog"),
            false,
        ),
        Note::JoinRequested { node, leader } => (
            format!("{node} asks {leader} for a base backup to join as a follower"),
            false,
        ),
        Note::Checkpoint {
            node,
            lsn,
            requested,
        } => (
            format!(
                "{node}: {}checkpoint at {}",
                if *requested { "requested " } else { "" },
                crate::engine::Lsn(*lsn)
            ),
            false,
        ),
        Note::AckChanged { policy, .. } => {
            (format!("acknowledgement: {}", policy.describe()), false)
        }
        Note::ApplyRetry { node, error } => (
            format!("{node}: retrying after: {}", first_line(error)),
            false,
        ),
        Note::LeaderRestarted { node, fenced } => (
            if *fenced {
                format!("{node} restarted as leader: asking who leads before taking writes")
            } else {
                format!("{node} restarted and takes writes again (no fencing)")
            },
            true,
        ),
        Note::NoOtherLeader { node } => (
            format!("{node}: no other leader answered; taking writes again"),
            true,
        ),
        Note::Unfenced { node, follower } => (
            format!("{node}: {follower} answered again; taking writes"),
            true,
        ),
        // The leader's walsender decides it (pg_stat_replication.state catchup → streaming);
        // the node's word changes at this same event (see `single_leader::progress`).
        Note::CaughtUp { node, leader } => (
            format!("{node} caught up: {leader} has sent it everything it missed; streaming now"),
            false,
        ),
        Note::SenderTimeout { node, follower } => (
            format!("{node}: terminating walsender process for {follower} due to replication timeout"),
            false,
        ),
        Note::DdlNotReplicated { node } => (
            format!("{node}: DDL is not replicated by logical replication"),
            false,
        ),
        Note::NoMajority {
            node,
            answered,
            servers,
        } => (
            format!(
                "{node}: only {answered} of {servers} servers answered: no majority, no failover"
            ),
            true,
        ),
        Note::Ignored { node, why } => (
            match why {
                Ignored::SlonyFailover => format!(
                    "{node}: not promoted: moving a Slony origin (FAILOVER) is not modelled by the lab"
                ),
                Ignored::SlonySubscribe => format!(
                    "{node}: not joined: subscribing a new Slony node is not modelled by the lab"
                ),
                Ignored::ReplayStopped { applied, error } => format!(
                    "{node}: not promoted: replay stopped at entry {applied} ({})",
                    first_line(error)
                ),
            },
            false,
        ),
        Note::ApplierFollows { leader } => {
            (format!("applier: now reads the changelog of {leader}"), false)
        }
        Note::ChangelogUnreadable { seq, error } => (
            format!("applier: sl_log_1 {seq}: {}", first_line(error)),
            true,
        ),
    })
}

/// A conflict: the leader's own log line (PostgreSQL 18's), then in plain words what met
/// what and what the resolver threw away (the caption tells the last line).
fn conflict_sentence(node: &str, kind: &str, table: &str, key: &str, lost: u64) -> String {
    let what = match kind {
        "insert_exists" => "was inserted at another leader too (PostgreSQL 18 stops here; the lab's resolver settles it)",
        "update_origin_differs" => "was changed concurrently at another leader",
        "delete_origin_differs" => "was deleted at another leader while changed here",
        "update_missing" => "is not here to update: skipped",
        "delete_missing" => "is not here to delete: skipped",
        other => other,
    };
    let lost = match lost {
        0 => String::new(),
        1 => "; 1 write lost to conflict resolution".into(),
        n => format!("; {n} writes lost to conflict resolution"),
    };
    format!(
        "{node}: {}\n{node}: {table} row {key} {what}{lost}",
        crate::replication::render::multi_leader::conflict_headline(kind, table)
    )
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

/// Milliseconds as seconds the way a person writes them (`3`, `3.5`, `1.25`), with integer
/// arithmetic: the float formatter is kilobytes of code in the page.
fn seconds(ms: u64) -> String {
    let (whole, fraction) = (ms / 1000, ms % 1000);
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:03}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_read_as_a_person_writes_them() {
        assert_eq!(super::seconds(3000), "3");
        assert_eq!(super::seconds(3500), "3.5");
        assert_eq!(super::seconds(1250), "1.25");
        assert_eq!(super::seconds(7), "0.007");
    }
}
