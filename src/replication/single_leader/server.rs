//! The single-leader server's lifecycle and dispatch: what a server does at start in its
//! role (leader, follower, spare), which outside requests it takes (promote, join, rejoin,
//! acknowledgement policy), and which handler each of the family's messages and timers goes
//! to. The database host ([`crate::replication::server`]) calls in here for everything that
//! is not a client's SQL.
//!
//! Knows nothing of the UI.

use crate::replication::log::TermHistory;
use crate::replication::messages::{Msg, Request, SingleLeaderMsg};
use crate::replication::node::{Ignored, Note, Timer};
use crate::replication::server::*;
use crate::sim::{InputId, NodeId, Time};

/// How long a restarted old leader waits to hear who leads before leading again.
const WHO_LEADS_WINDOW: Time = Time::millis(300);

impl Server {
    /// Asks every other server who leads; if no newer leader answers in time, this one leads
    /// on (see `Timer::WhoLeadsDone`).
    pub(crate) fn ask_who_leads(&mut self, cx: &mut Cx) {
        for peer in self.directory.other_servers(cx.me()) {
            cx.send(peer, Msg::SingleLeader(SingleLeaderMsg::WhoLeads));
        }
        cx.set_timer(Timer::WhoLeadsDone, WHO_LEADS_WINDOW);
    }

    /// Records durably that this server follows `leader` in `term`.
    pub(crate) fn persist_following(
        &self,
        cx: &mut Cx,
        leader: NodeId,
        term: u32,
        history: TermHistory,
    ) {
        cx.write_durable(
            DiskWrite::Role(DurableRole {
                role: ServerRole::Follower,
                term: term.max(self.disk.family.term),
                leader: Some(leader),
                history,
            })
            .into(),
        );
    }

    /// Whether this server leads and takes writes now.
    pub fn is_writable_leader(&self) -> bool {
        self.disk.family.role == ServerRole::Leader && self.mem.role.accepting_writes()
    }

    // ------------------------------------------------------------------ lifecycle

    /// Starts the role this server has on disk (after a crash too).
    pub(crate) fn start_role(&mut self, cx: &mut Cx, restart: bool) {
        // A follower counts its leader as heard from at start: silence is measured from here.
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.last_from_leader = cx.now();
        }
        match self.disk.family.role {
            ServerRole::Leader => {
                let fenced_restart = restart && self.config.failover.fencing;
                if fenced_restart {
                    // Fencing: a leader back from a crash asks before taking writes (and,
                    // with a coordination service, takes writes only once it holds the key).
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.accepting_writes = false;
                    }
                    self.ask_who_leads(cx);
                    cx.note(Note::LeaderRestarted {
                        node: self.name.clone(),
                        fenced: true,
                    });
                } else {
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.accepting_writes = true;
                        // The first leader holds the key the coordination service starts
                        // with.
                        leader.key_until = self.config.failover.key_ttl;
                    }
                    if restart {
                        cx.note(Note::LeaderRestarted {
                            node: self.name.clone(),
                            fenced: false,
                        });
                    }
                }
                cx.set_timer(Timer::Keepalive, self.config.timings.keepalive);
                cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
                if self.directory.coordinator.is_some() {
                    let first = if restart {
                        Time::micros(1)
                    } else {
                        self.config.failover.key_renew_every()
                    };
                    cx.set_timer(Timer::KeyRenew, first);
                }
            }
            ServerRole::Follower => {
                // Crash recovery: replay what was flushed but not yet applied.
                self.apply_flushed(cx);
                self.connect(cx);
                self.arm_leader_silence(cx);
            }
            ServerRole::Spare => {}
        }
    }

    /// A follower counts any message from its leader as a sign of life.
    pub(crate) fn heard_from(&mut self, cx: &mut Cx, from: NodeId) {
        if Some(from) == self.disk.family.leader && self.disk.family.role == ServerRole::Follower {
            if let Some(follower) = self.mem.role.follower_mut() {
                follower.last_from_leader = cx.now();
            }
            self.arm_leader_silence(cx);
        }
    }

    // ------------------------------------------------------------------ requests

    pub(crate) fn on_family_request(&mut self, cx: &mut Cx, request: InputId, req: Request) {
        match req {
            Request::Promote => {
                if self.disk.family.role != ServerRole::Follower {
                    return;
                }
                if !self.method().failover_modelled() {
                    cx.note(Note::Ignored {
                        node: self.name.clone(),
                        why: Ignored::SlonyFailover,
                    });
                } else if let Some(error) = self.mem.role.stalled() {
                    cx.note(Note::Ignored {
                        node: self.name.clone(),
                        why: Ignored::ReplayStopped {
                            applied: self.disk.applied,
                            error: error.to_string(),
                        },
                    });
                } else {
                    self.manual_promote(cx);
                }
            }
            Request::Join => {
                if self.disk.family.role == ServerRole::Spare && !self.method().join_modelled() {
                    cx.note(Note::Ignored {
                        node: self.name.clone(),
                        why: Ignored::SlonySubscribe,
                    });
                } else if self.disk.family.role == ServerRole::Spare {
                    if let Some(leader) = self.disk.family.leader {
                        self.request_snapshot(cx, leader);
                        cx.note(Note::JoinRequested {
                            node: self.name.clone(),
                            leader: self.directory.name(leader).to_string(),
                        });
                    }
                }
            }
            Request::SetAck(policy) => {
                // Every server keeps the cluster's setting (as Patroni keeps
                // synchronous_standby_names), so a promoted follower applies it too.
                cx.write_durable(DiskWrite::Ack(policy.clone()).into());
                if self.disk.family.role == ServerRole::Leader {
                    cx.note(Note::AckChanged {
                        node: self.name.clone(),
                        policy: policy.clone(),
                    });
                    // A new setting starts from its own rules, not a fallback of the old one.
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.semi_sync_off = false;
                    }
                    // Re-evaluate with the new policy now (the durable copy lands after).
                    self.release_acknowledged(cx, Some(&policy));
                }
            }
            Request::Checkpoint => {
                let lsn = self.disk.db.checkpoint();
                cx.note(Note::Checkpoint {
                    node: self.name.clone(),
                    lsn: lsn.0,
                    requested: true,
                });
            }
            Request::Rejoin => {
                if self.disk.family.role == ServerRole::Leader {
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.accepting_writes = false;
                    }
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.rejoining = true;
                    }
                    self.ask_who_leads(cx);
                }
            }
            Request::Sql(_)
            | Request::SqlOn { .. }
            | Request::Cancel
            | Request::Unreachable { .. }
            | Request::ServerGone { .. }
            | Request::SetReadRouting(_)
            | Request::SetTopology(_) => {
                // Servers take SQL from clients over the network, not from outside.
                let _ = request;
            }
        }
    }

    // ------------------------------------------------------------------ messages

    pub(crate) fn on_family_message(&mut self, cx: &mut Cx, from: NodeId, msg: SingleLeaderMsg) {
        match msg {
            SingleLeaderMsg::StartStreaming {
                last_index,
                last_term,
                applied,
            } => self.on_start_streaming(cx, from, last_index, last_term, applied),
            SingleLeaderMsg::StreamStart {
                term,
                format,
                history,
                leader_last,
            } => self.on_stream_start(cx, from, term, format, history, leader_last),
            SingleLeaderMsg::Entries {
                entries,
                leader_last,
            } => self.on_entries(cx, from, entries, leader_last),
            SingleLeaderMsg::Rewind {
                common,
                term,
                snapshot,
            } => self.on_rewind(cx, from, common, term, snapshot),
            SingleLeaderMsg::Keepalive {
                term,
                leader_last,
                sent,
            } => self.on_keepalive(cx, from, term, leader_last, sent),
            SingleLeaderMsg::Feedback {
                write,
                flush,
                apply,
                stalled,
            } => self.on_feedback(cx, from, write, flush, apply, stalled),
            SingleLeaderMsg::SnapshotRequest => self.on_snapshot_request(cx, from),
            SingleLeaderMsg::SnapshotChunk {
                chunk,
                chunks,
                data,
                consistent_at,
                term,
                history,
            } => {
                self.on_snapshot_chunk(cx, from, chunk, chunks, *data, consistent_at, term, history)
            }
            SingleLeaderMsg::ElectionQuery { .. } => self.on_election_query(cx, from),
            SingleLeaderMsg::ElectionInfo {
                last_term,
                last_index,
                ..
            } => {
                if let Some(votes) = self
                    .mem
                    .role
                    .follower_mut()
                    .and_then(|f| f.election.as_mut())
                {
                    votes.insert(from, (last_term, last_index));
                }
            }
            SingleLeaderMsg::LeaderIs { leader, term } => self.on_leader_is(cx, leader, term),
            SingleLeaderMsg::WhoLeads => {
                let leader = match self.disk.family.role {
                    ServerRole::Leader if self.mem.role.accepting_writes() => Some(cx.me()),
                    ServerRole::Follower => self.disk.family.leader,
                    _ => None,
                };
                if let Some(leader) = leader {
                    cx.send(
                        from,
                        Msg::SingleLeader(SingleLeaderMsg::LeaderIs {
                            leader,
                            term: self.disk.family.term,
                        }),
                    );
                }
            }
            SingleLeaderMsg::NewLeader { leader, term } => self.on_leader_is(cx, leader, term),
            SingleLeaderMsg::KeyAnswer {
                granted,
                holder,
                term,
                asked_at,
                others_ttl,
            } => self.on_key_answer(cx, granted, holder, term, asked_at, others_ttl),
            SingleLeaderMsg::PollChangelog { after_seq } => {
                self.on_poll_changelog(cx, from, after_seq)
            }
            SingleLeaderMsg::ApplyChanges {
                through_seq,
                changes,
            } => self.on_apply_changes(cx, from, through_seq, changes),
            SingleLeaderMsg::ChangelogRows { .. }
            | SingleLeaderMsg::ChangesApplied { .. }
            | SingleLeaderMsg::AcquireKey { .. } => {}
        }
    }

    // ------------------------------------------------------------------ timers

    pub(crate) fn on_family_timer(&mut self, cx: &mut Cx, timer: Timer) {
        match timer {
            Timer::Keepalive => self.on_keepalive_timer(cx),
            Timer::Flush => self.flush(cx),
            Timer::Apply => {
                if let Some(follower) = self.mem.role.follower_mut() {
                    follower.apply_scheduled = false;
                }
                self.apply_flushed(cx);
            }
            Timer::ApplyRetry => {
                if let Some(error) = self.mem.role.follower_mut().and_then(|f| f.stalled.take()) {
                    cx.note(Note::ApplyRetry {
                        node: self.name.clone(),
                        error,
                    });
                }
                self.apply_flushed(cx);
            }
            Timer::LeaderSilent => self.on_leader_silent(cx),
            Timer::ElectionDone => self.on_election_done(cx),
            Timer::KeyRenew => self.on_key_renew_timer(cx),
            Timer::WhoLeadsDone => {
                if self.disk.family.role == ServerRole::Leader && !self.mem.role.accepting_writes()
                {
                    if let Some(leader) = self.mem.role.leader_mut() {
                        leader.rejoining = false;
                    }
                    if self.directory.coordinator.is_some() {
                        // With a coordination service, only the leader key lets it take
                        // writes: ask for it now.
                        cx.set_timer(Timer::KeyRenew, Time::micros(1));
                    } else {
                        if let Some(leader) = self.mem.role.leader_mut() {
                            leader.accepting_writes = true;
                        }
                        cx.note(Note::NoOtherLeader {
                            node: self.name.clone(),
                        });
                    }
                }
            }
            Timer::Checkpoint => {
                if self.disk.family.role == ServerRole::Leader {
                    let lsn = self.disk.db.checkpoint();
                    cx.note(Note::Checkpoint {
                        node: self.name.clone(),
                        lsn: lsn.0,
                        requested: false,
                    });
                    cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
                }
            }
            Timer::AckTimeout(index) => self.on_ack_timeout(cx, index),
            Timer::SnapshotSend(to) => self.send_snapshot_chunk(cx, to),
            Timer::WakeParked
            | Timer::LockWaitTimeout(..)
            | Timer::ClientTimeout(_)
            | Timer::Poll
            | Timer::KeyExpiry
            | Timer::MultiResend => {}
        }
    }
}
