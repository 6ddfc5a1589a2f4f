//! The leader's side of the stream (walsender): handshakes, catch-up batches, standby
//! feedback and keepalives. A leader keeps taking writes whatever its followers do: whether
//! it may lead is the leader key's business (`failover.rs`), not a count of followers.

use crate::replication::config::AckPolicy;
use crate::replication::log::{LogEntry, BINLOG_FILE};
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::node::Note;
use crate::replication::node::Timer;
use crate::replication::server::*;
use crate::sim::NodeId;

/// Entries per message while catching up, so catch-up is visible as a stream.
const CATCHUP_BATCH: usize = 4;

impl Server {
    pub(crate) fn on_start_streaming(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        last_index: u64,
        last_term: u32,
        applied: u64,
    ) {
        if self.mem.role.fenced() {
            // Demoted to read-only: no walsender serves from it until it leads again.
            return;
        }
        if self.disk.family.role != ServerRole::Leader {
            if let (Some(leader), ServerRole::Follower) =
                (self.disk.family.leader, self.disk.family.role)
            {
                cx.send(
                    from,
                    Msg::SingleLeader(SingleLeaderMsg::LeaderIs {
                        leader,
                        term: self.disk.family.term,
                    }),
                );
            }
            return;
        }
        let own_last = self.disk.last_index();
        let common = self.disk.family.history.common_prefix(
            last_term,
            last_index,
            self.disk.family.term,
            own_last,
        );
        if common < last_index || last_index < self.disk.base {
            cx.send(
                from,
                Msg::SingleLeader(SingleLeaderMsg::Rewind {
                    common: common.min(last_index),
                    term: self.disk.family.term,
                    snapshot: common.min(last_index) < self.disk.base,
                }),
            );
            return;
        }
        let Some(memory) = self.mem.role.leader_mut() else {
            return;
        };
        memory.followers.insert(
            from,
            FollowerProgress {
                sent: last_index,
                write: last_index,
                flush: last_index,
                apply: applied.min(last_index),
                state: if last_index == own_last {
                    FollowerState::Streaming
                } else {
                    FollowerState::Catchup
                },
                stalled: None,
                last_reply: cx.now(),
            },
        );
        cx.send(
            from,
            Msg::SingleLeader(SingleLeaderMsg::StreamStart {
                term: self.disk.family.term,
                format: self.disk.db.format(),
                history: self.disk.family.history.clone(),
                leader_last: own_last,
            }),
        );
        self.send_backlog(cx, from);
    }

    /// Catch-up: sends the next batch of entries the follower lacks.
    pub(crate) fn send_backlog(&mut self, cx: &mut Cx, to: NodeId) {
        let own_last = self.disk.last_index();
        let Some(progress) = self
            .mem
            .role
            .leader_mut()
            .and_then(|l| l.followers.get_mut(&to))
        else {
            return;
        };
        if progress.sent >= own_last {
            return;
        }
        let entries: Vec<LogEntry> = ((progress.sent + 1)..=own_last)
            .take(CATCHUP_BATCH)
            .filter_map(|i| self.disk.entry(i).cloned())
            .collect();
        if let Some(last) = entries.last() {
            progress.sent = last.index;
            cx.send(
                to,
                Msg::SingleLeader(SingleLeaderMsg::Entries {
                    entries,
                    leader_last: own_last,
                }),
            );
        }
    }

    pub(crate) fn on_feedback(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        write: u64,
        flush: u64,
        apply: u64,
        stalled: Option<String>,
    ) {
        if self.disk.family.role != ServerRole::Leader {
            return;
        }
        let own_last = self.disk.last_index();
        let listed = match &self.disk.ack {
            AckPolicy::Sync { standbys, .. } => standbys
                .names()
                .iter()
                .any(|n| n == self.directory.name(from)),
            AckPolicy::Async => false,
        };
        let Some(progress) = self
            .mem
            .role
            .leader_mut()
            .and_then(|l| l.followers.get_mut(&from))
        else {
            return;
        };
        progress.write = progress.write.max(write);
        progress.flush = progress.flush.max(flush);
        progress.apply = progress.apply.max(apply);
        progress.stalled = stalled;
        progress.last_reply = cx.now();
        let caught_up = progress.sent >= own_last;
        if caught_up && progress.state == FollowerState::Catchup {
            progress.state = FollowerState::Streaming;
            cx.note(Note::CaughtUp {
                node: self.directory.name(from).to_string(),
                leader: self.name.clone(),
            });
        }
        let flushed_all = progress.flush >= own_last;
        if !caught_up {
            self.send_backlog(cx, from);
        }
        if self.mem.role.semi_sync_off() && flushed_all && listed {
            if let Some(leader) = self.mem.role.leader_mut() {
                leader.semi_sync_off = false;
            }
            // MySQL: `Semi-sync replication switched ON at (binlog.000001, 2927).` — the
            // position the replica has now acknowledged.
            cx.note(Note::SemiSyncOn {
                node: self.name.clone(),
                file: BINLOG_FILE.into(),
                pos: self.disk.end_of(flush.min(own_last)),
            });
        }
        self.release_acknowledged(cx, None);
    }

    pub(crate) fn on_keepalive_timer(&mut self, cx: &mut Cx) {
        if self.disk.family.role != ServerRole::Leader {
            return;
        }
        let leader_last = self.disk.last_index();
        for peer in self.directory.other_servers(cx.me()) {
            let sent = self
                .mem
                .role
                .leader()
                .and_then(|l| l.followers.get(&peer))
                .filter(|p| p.state != FollowerState::Backup)
                .map(|p| p.sent);
            cx.send(
                peer,
                Msg::SingleLeader(SingleLeaderMsg::Keepalive {
                    term: self.disk.family.term,
                    leader_last,
                    sent,
                }),
            );
        }
        // wal_sender_timeout: a standby that stopped answering loses its stream.
        let timeout = self.config.timings.sender_timeout;
        let silent: Vec<NodeId> = self
            .mem
            .role
            .leader()
            .into_iter()
            .flat_map(|l| l.followers.iter())
            .filter(|(_, p)| cx.now().saturating_sub(p.last_reply) > timeout)
            .map(|(id, _)| *id)
            .collect();
        for id in silent {
            if let Some(leader) = self.mem.role.leader_mut() {
                leader.followers.remove(&id);
            }
            cx.note(Note::SenderTimeout {
                node: self.name.clone(),
                follower: self.directory.name(id).to_string(),
            });
        }
        if !self.mem.role.waiting().is_empty() {
            self.release_acknowledged(cx, None);
        }
        cx.set_timer(Timer::Keepalive, self.config.timings.keepalive);
    }
}
