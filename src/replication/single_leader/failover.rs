//! Leader failure: detecting silence, choosing the most up-to-date follower, promotion,
//! demotion and following a new leader; with fencing, the leader key in the coordination
//! service.
//!
//! Fencing is Patroni's: the leader renews a key with a time to live in the coordination
//! service (`etcd`); a leader that could not renew it before it expired demotes itself to
//! read-only (Patroni restarts PostgreSQL read-only), whatever its followers do. Followers
//! still notice the leader's silence and choose the most up-to-date among them, but the chosen
//! one promotes only once it holds the key, so two sides of a partition never both lead.
//! What the lab leaves out: STONITH (powering the old node off) and Patroni's watchdog.

use crate::engine::small_map::SmallMap;
use crate::replication::messages::{ClientMsg, Msg, SingleLeaderMsg};
use crate::replication::node::Note;
use crate::replication::node::Timer;
use crate::replication::server::*;

use crate::replication::log::TermHistory;
use crate::replication::node::PromotionReason;
use crate::sim::{NodeId, Time};

/// How long a follower waits for the others' answers before choosing a new leader.
const ELECTION_WINDOW: Time = Time::millis(100);

impl Server {
    pub(crate) fn arm_leader_silence(&mut self, cx: &mut Cx) {
        if let (Some(timeout), ServerRole::Follower) =
            (self.config.failover.timeout, self.disk.family.role)
        {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }

    pub(crate) fn on_leader_silent(&mut self, cx: &mut Cx) {
        if self.disk.family.role != ServerRole::Follower
            || matches!(self.mem.role.stream(), Stream::Refused(_))
        {
            return;
        }
        cx.note(Note::LeaderSilent {
            node: self.name.clone(),
        });
        let mut votes = SmallMap::default();
        votes.insert(cx.me(), self.candidacy());
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.election = Some(votes);
        }
        for peer in self.directory.other_servers(cx.me()) {
            if Some(peer) != self.disk.family.leader {
                cx.send(
                    peer,
                    Msg::SingleLeader(SingleLeaderMsg::ElectionQuery {
                        term: self.disk.family.term + 1,
                    }),
                );
            }
        }
        cx.set_timer(Timer::ElectionDone, ELECTION_WINDOW);
    }

    pub(crate) fn on_election_query(&mut self, cx: &mut Cx, from: NodeId) {
        match self.disk.family.role {
            ServerRole::Leader if self.mem.role.accepting_writes() => cx.send(
                from,
                Msg::SingleLeader(SingleLeaderMsg::LeaderIs {
                    leader: cx.me(),
                    term: self.disk.family.term,
                }),
            ),
            // A follower that still hears its leader says so: one cut link is no reason to
            // replace a leader the rest of the cluster can reach.
            ServerRole::Follower if self.hears_leader(cx.now()) => {
                if let Some(leader) = self.disk.family.leader {
                    cx.send(
                        from,
                        Msg::SingleLeader(SingleLeaderMsg::LeaderIs {
                            leader,
                            term: self.disk.family.term,
                        }),
                    );
                }
            }
            ServerRole::Follower => {
                let (last_term, last_index) = self.candidacy();
                cx.send(
                    from,
                    Msg::SingleLeader(SingleLeaderMsg::ElectionInfo {
                        term: self.disk.family.term,
                        last_term,
                        last_index,
                    }),
                );
            }
            _ => {}
        }
    }

    /// Whether this follower heard from its leader within the failover timeout.
    fn hears_leader(&self, now: Time) -> bool {
        self.config
            .failover
            .timeout
            .zip(self.mem.role.follower())
            .is_some_and(|(timeout, f)| now.saturating_sub(f.last_from_leader) < timeout)
    }

    /// How far this server could lead from: its last flushed entry, or, when replay has
    /// stopped on an error, the last entry it could replay (its pages hold no more).
    fn candidacy(&self) -> (u32, u64) {
        if self.mem.role.stalled().is_some() {
            (self.term_of(self.disk.applied), self.disk.applied)
        } else {
            (self.disk.last_term(), self.disk.last_index())
        }
    }

    pub(crate) fn on_election_done(&mut self, cx: &mut Cx) {
        let Some(votes) = self.mem.role.follower_mut().and_then(|f| f.election.take()) else {
            return;
        };
        if self.disk.family.role != ServerRole::Follower {
            return;
        }
        // Only a majority of the servers may choose: two halves of a partition must not both
        // promote someone (two leaders of one term).
        let servers = self
            .config
            .servers
            .iter()
            .filter(|s| s.starts_streaming)
            .count();
        if votes.len() * 2 <= servers {
            cx.note(Note::NoMajority {
                node: self.name.clone(),
                answered: u32::try_from(votes.len()).unwrap_or(u32::MAX),
                servers: u32::try_from(servers).unwrap_or(u32::MAX),
            });
            self.arm_leader_silence(cx);
            return;
        }
        // The most up-to-date follower wins; ties go to the first in the configuration.
        let best = votes
            .iter()
            .max_by(|(a_id, a), (b_id, b)| a.cmp(b).then(b_id.cmp(a_id)))
            .map(|(id, _)| *id);
        if best == Some(cx.me()) {
            if self.directory.coordinator.is_some() {
                let why = PromotionReason::MostUpToDate {
                    answered: u32::try_from(votes.len()).unwrap_or(u32::MAX),
                    servers: u32::try_from(servers).unwrap_or(u32::MAX),
                };
                self.want_key(cx, why, false);
                // No answer (the service is down or cut off): no failover; try again later.
                self.arm_leader_silence(cx);
            } else {
                let why = PromotionReason::MostUpToDate {
                    answered: u32::try_from(votes.len()).unwrap_or(u32::MAX),
                    servers: u32::try_from(servers).unwrap_or(u32::MAX),
                };
                self.promote(cx, why, Time::ZERO);
            }
        } else {
            // Wait for the winner's announcement; if none comes, try again.
            self.arm_leader_silence(cx);
        }
    }

    /// Becomes the leader of a new term, holding the leader key until `key_until` (as
    /// granted just now; zero without a coordination service).
    pub(crate) fn promote(&mut self, cx: &mut Cx, why: PromotionReason, key_until: Time) {
        // Replay everything flushed first, as a promoted standby does.
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stalled = None;
        }
        self.apply_flushed(cx);
        let new_term = self.disk.family.term + 1;
        let mut history = self.disk.family.history.clone();
        history
            .ended
            .push((self.disk.family.term, self.disk.last_index()));
        cx.write_durable(
            DiskWrite::Role(DurableRole {
                role: ServerRole::Leader,
                term: new_term,
                leader: Some(cx.me()),
                history,
            })
            .into(),
        );
        cx.note(Note::Promoted {
            node: self.name.clone(),
            term: new_term,
            last_index: self.disk.last_index(),
            end: self.disk.last_end(),
            why,
        });
        self.end_read_waits(cx);
        // A leader's memory starts afresh: no connections, no followers yet.
        self.mem = Memory {
            role: RoleMemory::Leader(LeaderMemory {
                accepting_writes: true,
                key_until,
                ..LeaderMemory::default()
            }),
            ..Memory::for_role(ServerRole::Leader)
        };
        for peer in self.directory.everyone_but(cx.me()) {
            cx.send(
                peer,
                Msg::SingleLeader(SingleLeaderMsg::NewLeader {
                    leader: cx.me(),
                    term: new_term,
                }),
            );
        }
        cx.cancel_timer(Timer::LeaderSilent);
        cx.set_timer(Timer::Keepalive, Time::micros(1));
        cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
        if self.directory.coordinator.is_some() {
            cx.set_timer(Timer::KeyRenew, self.next_renewal(cx.now()));
        }
    }

    /// A manual failover. With a coordination service it goes through it, as
    /// `patronictl failover` does: the chosen follower takes the leader key (whoever holds
    /// it) and promotes once it has it. Without, the follower promotes at once
    /// (`pg_ctl promote`).
    pub(crate) fn manual_promote(&mut self, cx: &mut Cx) {
        if self.directory.coordinator.is_some() {
            self.want_key(cx, PromotionReason::Manual, true);
            // No answer (the service is down or cut off): ask again.
            cx.set_timer(Timer::KeyRenew, self.config.failover.key_renew_every());
        } else {
            self.promote(cx, PromotionReason::Manual, Time::ZERO);
        }
    }

    /// Commits still waiting for their acknowledgement end as PostgreSQL ends their backends
    /// when the server stops serving: the client cannot know whether its commit survives.
    fn terminate_waiting_commits(&mut self, cx: &mut Cx) {
        for pending in self.take_waiting() {
            cx.send(
                pending.client,
                Msg::Client(ClientMsg::QueryResult {
                    request: pending.request,
                    outcome: Err(
                        "FATAL:  terminating connection due to administrator command".into(),
                    ),
                }),
            );
        }
    }

    /// Asks the coordination service for the leader key for the next term, remembering why
    /// (the promotion it leads to); a manual failover takes it by force.
    fn want_key(&mut self, cx: &mut Cx, why: PromotionReason, manual: bool) {
        cx.note(Note::AskingForKey {
            node: self.name.clone(),
            manual,
        });
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.wants_key = true;
            follower.key_wanted_for = why;
        }
        self.ask_for_key(cx, self.disk.family.term + 1, manual);
    }

    /// Asks the coordination service for the leader key (or to renew it) for `term`.
    fn ask_for_key(&self, cx: &mut Cx, term: u32, force: bool) {
        if let Some(service) = self.directory.coordinator {
            cx.send(
                service,
                Msg::SingleLeader(SingleLeaderMsg::AcquireKey {
                    term,
                    asked_at: cx.now(),
                    force,
                }),
            );
        }
    }

    /// When a leader next renews its key: every third of the TTL, and never after the key
    /// would expire.
    fn next_renewal(&self, now: Time) -> Time {
        let every = self.config.failover.key_renew_every();
        match self.mem.role.leader() {
            Some(leader) if leader.accepting_writes && leader.key_until > now => {
                every.min(leader.key_until.saturating_sub(now))
            }
            _ => every,
        }
    }

    /// The leader's key loop (Patroni's HA loop): a leader whose key expired unrenewed stops
    /// taking writes; a leader renews (or, fenced or just restarted, asks for the key again).
    pub(crate) fn on_key_renew_timer(&mut self, cx: &mut Cx) {
        if self.disk.family.role == ServerRole::Follower
            && self.mem.role.follower().is_some_and(|f| f.wants_key)
        {
            // A follower that wants the key (a manual failover) asks until it is answered.
            self.ask_for_key(cx, self.disk.family.term + 1, false);
            cx.set_timer(Timer::KeyRenew, self.config.failover.key_renew_every());
            return;
        }
        if self.disk.family.role != ServerRole::Leader || self.directory.coordinator.is_none() {
            return;
        }
        if self
            .mem
            .role
            .leader()
            .is_some_and(|l| l.accepting_writes && cx.now() >= l.key_until)
        {
            cx.note(Note::KeyNotRenewed {
                node: self.name.clone(),
                ttl_ms: self.config.failover.key_ttl.as_micros() / 1_000,
            });
            self.demote_read_only(cx);
        }
        if !self.mem.role.leader().is_some_and(|l| l.rejoining) {
            self.ask_for_key(cx, self.disk.family.term, false);
        }
        cx.set_timer(Timer::KeyRenew, self.next_renewal(cx.now()));
    }

    /// Stops taking writes, as Patroni demotes a primary that lost its key: PostgreSQL is
    /// restarted read-only, so every connection is closed (a commit waiting for a standby
    /// gets the FATAL) and the walsenders are gone.
    fn demote_read_only(&mut self, cx: &mut Cx) {
        if let Some(leader) = self.mem.role.leader_mut() {
            leader.accepting_writes = false;
            leader.fenced = true;
            leader.followers.clear();
            leader.semi_sync_off = false;
        }
        self.mem.connections.clear();
        self.terminate_waiting_commits(cx);
        cx.cancel_timer(Timer::Keepalive);
        cx.note(Note::Fenced {
            node: self.name.clone(),
        });
        // The restart closes the walsenders: the followers' streams break at once, and they
        // look for a new leader without waiting out the failover timeout.
        for peer in self.directory.other_servers(cx.me()) {
            cx.send(peer, Msg::Client(ClientMsg::ConnectionsReset));
        }
    }

    /// The leader closed the replication connection (it demoted itself): look for a new
    /// leader now.
    pub(crate) fn on_stream_closed(&mut self, cx: &mut Cx, from: NodeId) {
        if self.disk.family.role != ServerRole::Follower || Some(from) != self.disk.family.leader {
            return;
        }
        cx.note(Note::StreamClosed {
            node: self.name.clone(),
            leader: self.directory.name(from).to_string(),
        });
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stream = Stream::Idle;
        }
        // Automatic failover only: and from now on this follower no longer vouches for that
        // leader when the others ask.
        if let Some(timeout) = self.config.failover.timeout {
            if let Some(follower) = self.mem.role.follower_mut() {
                follower.last_from_leader = cx.now().saturating_sub(timeout);
            }
            self.on_leader_silent(cx);
        }
    }

    pub(crate) fn on_key_answer(
        &mut self,
        cx: &mut Cx,
        granted: bool,
        holder: Option<NodeId>,
        term: u32,
        asked_at: Time,
        others_ttl: Time,
    ) {
        let valid_until = asked_at.saturating_add(self.config.failover.key_ttl);
        match self.disk.family.role {
            ServerRole::Leader if granted => {
                let Some(memory) = self.mem.role.leader_mut() else {
                    return;
                };
                memory.key_until = memory.key_until.max(valid_until);
                if !memory.accepting_writes && !memory.rejoining && cx.now() < valid_until {
                    let was_fenced = memory.fenced;
                    memory.accepting_writes = true;
                    memory.fenced = false;
                    cx.cancel_timer(Timer::WhoLeadsDone);
                    cx.set_timer(Timer::Keepalive, Time::micros(1));
                    cx.set_timer(Timer::KeyRenew, self.next_renewal(cx.now()));
                    cx.note(Note::HoldsKey {
                        node: self.name.clone(),
                        again: was_fenced,
                    });
                }
            }
            // Another server holds the key: this one no longer leads. It follows the new
            // leader once that one is heard leading (its announcement or keepalive): the
            // holder may still be waiting to promote, or may crash before it does, and then
            // the key comes back to whoever asks.
            ServerRole::Leader if self.mem.role.accepting_writes() => {
                cx.note(Note::KeyHeldByOther {
                    node: self.name.clone(),
                    holder: holder.map(|h| self.directory.name(h).to_string()),
                    term: None,
                });
                self.demote_read_only(cx);
            }
            ServerRole::Follower if self.mem.role.follower().is_some_and(|f| f.wants_key) => {
                if granted && others_ttl > Time::ZERO {
                    // Taken by force from a holder whose lease still runs: promote once it
                    // has surely stopped (asking again then renews the key).
                    cx.note(Note::WaitsForOldLease {
                        node: self.name.clone(),
                        wait_ms: others_ttl.as_micros() / 1_000,
                    });
                    cx.set_timer(Timer::KeyRenew, others_ttl.saturating_add(Time::millis(1)));
                    return;
                }
                let Some(follower) = self.mem.role.follower_mut() else {
                    return;
                };
                follower.wants_key = false;
                if granted {
                    let why = follower.key_wanted_for.clone();
                    self.promote(cx, why, valid_until);
                } else if let Some(holder) = holder {
                    cx.note(Note::KeyHeldByOther {
                        node: self.name.clone(),
                        holder: Some(self.directory.name(holder).to_string()),
                        term: Some(term),
                    });
                    // The holder is followed once it is heard leading (it may still be
                    // waiting to promote, or crash first).
                    if let Some(timeout) = self.config.failover.timeout {
                        // Try again when the key would expire, if the leader stays silent.
                        cx.set_timer(
                            Timer::LeaderSilent,
                            timeout.min(others_ttl.saturating_add(Time::millis(1))),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    pub(crate) fn on_leader_is(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        if leader == cx.me() {
            return;
        }
        let newer = term > self.disk.family.term;
        let electing = self
            .mem
            .role
            .follower()
            .is_some_and(|f| f.election.is_some())
            && term >= self.disk.family.term;
        let asking = self.disk.family.role == ServerRole::Leader
            && !self.mem.role.accepting_writes()
            && term >= self.disk.family.term;
        if self.disk.family.role == ServerRole::Leader
            && self
                .mem
                .role
                .leader()
                .is_some_and(|l| l.accepting_writes && !l.rejoining)
        {
            // An unfenced leader ignores the news: that is split brain.
            if newer && self.config.failover.fencing {
                self.demote_and_follow(cx, leader, term);
            }
            return;
        }
        // (`asking` covers a leader asked to rejoin: it only follows a leader at least as new.)
        if newer || electing || asking {
            if let Some(follower) = self.mem.role.follower_mut() {
                follower.election = None;
            }
            if self.disk.family.role == ServerRole::Leader {
                self.demote_and_follow(cx, leader, term);
            } else if self.disk.family.role == ServerRole::Follower
                && (self.disk.family.leader != Some(leader) || newer)
            {
                self.follow(cx, leader, term, self.disk.family.history.clone());
            }
        }
    }

    pub(crate) fn demote_and_follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        cx.note(Note::Demoted {
            node: self.name.clone(),
            new_leader: self.directory.name(leader).to_string(),
        });
        // The old primary shuts down to rejoin: waiting backends are terminated.
        self.terminate_waiting_commits(cx);
        // A follower's memory starts afresh.
        self.mem = Memory::for_role(ServerRole::Follower);
        cx.cancel_timer(Timer::Keepalive);
        cx.cancel_timer(Timer::Checkpoint);
        self.follow(cx, leader, term, self.disk.family.history.clone());
    }

    /// Follows `leader` in `term`: records it and asks to stream from the last flushed entry.
    pub(crate) fn follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32, history: TermHistory) {
        self.persist_following(cx, leader, term, history);
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.last_from_leader = cx.now();
        }
        self.request_stream(cx, leader, self.disk.last_index(), self.disk.last_term());
        if let Some(timeout) = self.config.failover.timeout {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }
}
