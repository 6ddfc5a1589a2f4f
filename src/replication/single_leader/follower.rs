//! The follower's side of the stream (walreceiver and startup process): connecting,
//! writing, flushing and replaying entries, reconnecting after a broken stream, rewinding a
//! diverged log.

use crate::engine::{FormatVersion, RowChange};
use crate::replication::log::{LogEntry, TermHistory};
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::method::wal::incompatible_format;
use crate::replication::node::Note;
use crate::replication::node::Timer;
use crate::replication::server::*;
use crate::sim::{NodeId, Time};

impl Server {
    pub(crate) fn connect(&mut self, cx: &mut Cx) {
        if !self.method().streams() {
            return;
        }
        if let Stream::Refused(_) = self.mem.role.stream() {
            return;
        }
        let Some(leader) = self.disk.family.leader else {
            return;
        };
        self.request_stream(cx, leader, self.disk.last_index(), self.disk.last_term());
    }

    /// Asks `leader` to stream everything after entry `last_index` (of `last_term`). Whatever
    /// was written and not flushed is dropped: the leader sends it again.
    pub(crate) fn request_stream(
        &mut self,
        cx: &mut Cx,
        leader: NodeId,
        last_index: u64,
        last_term: u32,
    ) {
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stream = Stream::Connecting;
            follower.connect_sent_at = cx.now();
            follower.written.clear();
        }
        cx.send(
            leader,
            Msg::SingleLeader(SingleLeaderMsg::StartStreaming {
                last_index,
                last_term,
                applied: self.disk.applied.min(last_index),
            }),
        );
    }

    /// This follower cannot take the stream (a storage format it cannot read, a base backup
    /// it could not install): it says why and stops asking until something changes.
    pub(crate) fn refuse_stream(&mut self, cx: &mut Cx, error: String) {
        cx.note(Note::StreamRefused {
            node: self.name.clone(),
            error: error.clone(),
        });
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stream = Stream::Refused(error);
        }
    }

    pub(crate) fn on_stream_start(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        term: u32,
        format: FormatVersion,
        history: TermHistory,
        leader_last: u64,
    ) {
        if self.disk.family.role != ServerRole::Follower || Some(from) != self.disk.family.leader {
            return;
        }
        if self.method().ships_pages() && format != self.disk.db.format() {
            let error = incompatible_format(format, self.disk.db.format());
            self.refuse_stream(cx, error);
            return;
        }
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stream = Stream::Streaming;
            follower.leader_last = leader_last;
        }
        if term >= self.disk.family.term && history != self.disk.family.history {
            self.persist_following(cx, from, term, history);
        }
    }

    pub(crate) fn on_entries(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        entries: Vec<LogEntry>,
        leader_last: u64,
    ) {
        if self.disk.family.role != ServerRole::Follower
            || Some(from) != self.disk.family.leader
            || *self.mem.role.stream() != Stream::Streaming
        {
            return;
        }
        let mut last = self.written_last();
        let Some(follower) = self.mem.role.follower_mut() else {
            return;
        };
        follower.leader_last = follower.leader_last.max(leader_last);
        for entry in entries {
            if entry.index == last + 1 {
                last = entry.index;
                follower.written.push(entry);
            }
        }
        self.send_feedback(cx);
        if let Some(follower) = self.mem.role.follower_mut() {
            if !follower.written.is_empty() && !follower.flush_scheduled {
                follower.flush_scheduled = true;
                cx.set_timer(Timer::Flush, self.config.timings.flush_delay);
            }
        }
    }

    pub(crate) fn written_last(&self) -> u64 {
        self.mem
            .role
            .follower()
            .and_then(|f| f.written.last())
            .map_or(self.disk.last_index(), |e| e.index)
    }

    pub(crate) fn flush(&mut self, cx: &mut Cx) {
        let Some(follower) = self.mem.role.follower_mut() else {
            return;
        };
        follower.flush_scheduled = false;
        if follower.written.is_empty() {
            return;
        }
        let entries = std::mem::take(&mut follower.written);
        let flushed = entries.last().map_or(self.disk.last_index(), |e| e.index);
        cx.write_durable(DiskWrite::Append(entries).into());
        self.feedback(cx, flushed, flushed, self.disk.applied);
        if let Some(follower) = self.mem.role.follower_mut() {
            if !follower.apply_scheduled {
                follower.apply_scheduled = true;
                cx.set_timer(Timer::Apply, self.config.timings.apply_delay);
            }
        }
    }

    /// Replays flushed entries into the engine, in order, until one fails.
    pub(crate) fn apply_flushed(&mut self, cx: &mut Cx) {
        if self.mem.role.stalled().is_some() {
            return;
        }
        let before = self.disk.applied;
        while self.disk.applied < self.disk.last_index() {
            let index = self.disk.applied + 1;
            let Some(entry) = self.disk.entry(index).cloned() else {
                break;
            };
            match self.apply_entry(cx.now(), &entry) {
                Ok(skipped) => {
                    self.disk.applied = index;
                    for change in skipped {
                        cx.note(Note::RowMissing {
                            node: self.name.clone(),
                            index,
                            change: Box::new(change),
                            // The lab's FULL row image is PostgreSQL's REPLICA IDENTITY FULL.
                            full_identity: self.method().full_row_identity(),
                        });
                    }
                }
                Err(error) => {
                    cx.note(Note::ApplyFailed {
                        node: self.name.clone(),
                        index,
                        error: error.clone(),
                    });
                    if let Some(follower) = self.mem.role.follower_mut() {
                        follower.stalled = Some(error);
                        follower.apply_errors += 1;
                        follower.apply_failed_at = cx.now();
                    }
                    // PostgreSQL's apply worker (and startup process) try again every few
                    // seconds. MySQL's replication SQL thread stays stopped until START
                    // REPLICA; in the lab, restarting the replica starts it again.
                    if !self.speaks_mysql() {
                        cx.set_timer(Timer::ApplyRetry, self.config.timings.apply_retry);
                    }
                    break;
                }
            }
        }
        if self.disk.applied > before {
            cx.note(Note::Applied {
                node: self.name.clone(),
                index: self.disk.applied,
            });
            self.release_read_waits(cx);
        }
        self.send_feedback(cx);
    }

    /// Replays one entry the way its method says. Returns the row changes skipped because
    /// their row was missing (PostgreSQL's logical apply skips them; MySQL's stops).
    pub(crate) fn apply_entry(
        &mut self,
        now: Time,
        entry: &LogEntry,
    ) -> Result<Vec<RowChange>, String> {
        let mysql = self.speaks_mysql();
        // A naive statement log re-evaluates NOW() with the follower's own clock.
        let mut env = NodeEnv {
            now_micros: self.clock(now),
            rng: &mut self.rng,
        };
        self.config
            .method
            .apply(&mut self.disk.db, &entry.payload, &mut env, mysql)
    }

    pub(crate) fn send_feedback(&mut self, cx: &mut Cx) {
        let write = self.written_last();
        let flush = self.disk.last_index();
        let apply = self.disk.applied;
        self.feedback(cx, write, flush, apply);
    }

    pub(crate) fn feedback(&mut self, cx: &mut Cx, write: u64, flush: u64, apply: u64) {
        if self.disk.family.role != ServerRole::Follower
            || *self.mem.role.stream() != Stream::Streaming
        {
            return;
        }
        if let Some(leader) = self.disk.family.leader {
            cx.send(
                leader,
                Msg::SingleLeader(SingleLeaderMsg::Feedback {
                    write,
                    flush,
                    apply,
                    stalled: self.mem.role.stalled().map(str::to_string),
                }),
            );
        }
    }

    pub(crate) fn on_keepalive(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        term: u32,
        leader_last: u64,
        sent: Option<u64>,
    ) {
        match self.disk.family.role {
            ServerRole::Follower if Some(from) == self.disk.family.leader => {
                let written_last = self.written_last();
                let Some(follower) = self.mem.role.follower_mut() else {
                    return;
                };
                follower.leader_last = follower.leader_last.max(leader_last);
                // The stream broke (a partition, a lost message): start it again from what
                // is flushed, as a walreceiver does after a connection error.
                let broken = match (&follower.stream, sent) {
                    (Stream::Idle, _) => true,
                    (Stream::Streaming, None) => true,
                    (Stream::Streaming, Some(sent)) => sent > written_last,
                    (Stream::Connecting, _) => {
                        cx.now().saturating_sub(follower.connect_sent_at)
                            > self.config.timings.keepalive
                    }
                    _ => false,
                };
                if broken {
                    self.connect(cx);
                }
                self.retry_stalled_snapshot(cx, from);
                // Answer every keepalive, streaming or not: it is how the leader knows it can
                // still reach a follower (`wal_sender_timeout`).
                cx.send(
                    from,
                    Msg::SingleLeader(SingleLeaderMsg::Feedback {
                        write: self.written_last(),
                        flush: self.disk.last_index(),
                        apply: self.disk.applied,
                        stalled: self.mem.role.stalled().map(str::to_string),
                    }),
                );
            }
            ServerRole::Follower if term > self.disk.family.term => {
                self.follow(cx, from, term, self.disk.family.history.clone());
            }
            // A leader that lost its key hears the one that leads now: it follows it.
            ServerRole::Leader
                if !self.mem.role.accepting_writes() && term > self.disk.family.term =>
            {
                self.on_leader_is(cx, from, term);
            }
            ServerRole::Follower | ServerRole::Leader => {
                // Someone else claims to lead: tell them who we follow (they may demote).
                if let Some(leader) = self
                    .disk
                    .family
                    .leader
                    .filter(|_| term < self.disk.family.term)
                {
                    cx.send(
                        from,
                        Msg::SingleLeader(SingleLeaderMsg::LeaderIs {
                            leader,
                            term: self.disk.family.term,
                        }),
                    );
                }
            }
            ServerRole::Spare if Some(from) == self.disk.family.leader => {
                self.retry_stalled_snapshot(cx, from);
            }
            ServerRole::Spare => {}
        }
    }

    pub(crate) fn on_rewind(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        common: u64,
        term: u32,
        snapshot: bool,
    ) {
        if Some(from) != self.disk.family.leader || self.disk.family.role != ServerRole::Follower {
            return;
        }
        let own_last = self.disk.last_index();
        if common < own_last {
            // PostgreSQL's walsender refuses a start point past the fork of its history.
            cx.note(Note::HistoryDiverged {
                node: self.name.clone(),
                leader: self.directory.name(from).to_string(),
                requested: self.disk.last_end(),
                timeline: self.disk.last_term(),
                forked_timeline: self.term_of(common),
                forked_at: self.disk.end_of(common),
            });
            cx.write_durable(DiskWrite::Truncate { after: common }.into());
        }
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.written.clear();
        }
        if snapshot || self.disk.applied > common || common < self.disk.base {
            // Pages already hold the discarded changes: start over from a base backup.
            cx.note(Note::Reinitialising {
                node: self.name.clone(),
                leader: self.directory.name(from).to_string(),
                common,
                term,
            });
            self.request_snapshot(cx, from);
        } else {
            let term = self.term_of(common);
            self.request_stream(cx, from, common, term);
        }
    }

    pub(crate) fn term_of(&self, index: u64) -> u32 {
        self.disk
            .entry(index)
            .map_or(self.disk.base_term, |e| e.term)
    }
}

/// MySQL's refusal on a replica running with `super_read_only` (what a managed replica does).
pub const MYSQL_SUPER_READ_ONLY: &str = "ERROR 1290 (HY000): The MySQL server is running with the --super-read-only option so it cannot execute this statement";

impl Server {
    /// Why this server refuses a statement that writes, if it does. A leader refuses only
    /// while it is fenced. A physical standby is read-only (PostgreSQL's hot standby), and so
    /// is a MySQL replica (`super_read_only`, as replicas are run). A logical subscriber and a
    /// trigger-based subscriber are ordinary databases: writes and DDL run there (their own
    /// changes are not replicated anywhere). A spare waiting for its base backup refuses.
    pub(crate) fn write_refusal(&self, sql: &str) -> Option<String> {
        match self.disk.family.role {
            ServerRole::Leader if self.mem.role.accepting_writes() => None,
            // A leader that lost its key was restarted read-only (as Patroni does): it says
            // what a replica says.
            _ if self.speaks_mysql() => Some(MYSQL_SUPER_READ_ONLY.into()),
            ServerRole::Follower if self.method().subscriber_writable() => None,
            _ => Some(format!(
                "ERROR:  cannot execute {} in a read-only transaction",
                command_name(sql)
            )),
        }
    }
}

/// The command as PostgreSQL names it in errors: `INSERT`, `ALTER TABLE`, `CREATE TABLE`.
fn command_name(sql: &str) -> String {
    let mut words = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase);
    let first = words.next().unwrap_or_default();
    match (first.as_str(), words.next()) {
        ("ALTER" | "CREATE" | "DROP", Some(second)) => format!("{first} {second}"),
        _ => first,
    }
}
