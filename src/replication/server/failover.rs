//! Leader failure: detecting silence, choosing the most up-to-date follower, promotion,
//! demotion and following a new leader.

use super::*;

impl Server {
    pub(super) fn arm_leader_silence(&mut self, cx: &mut Cx) {
        if let (Some(timeout), ServerRole::Follower) =
            (self.config.failover.timeout, self.disk.role)
        {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }

    pub(super) fn on_leader_silent(&mut self, cx: &mut Cx) {
        if self.disk.role != ServerRole::Follower || matches!(self.mem.stream, Stream::Refused(_)) {
            return;
        }
        cx.note(Note::LeaderSilent {
            node: self.name.clone(),
        });
        let mut votes = BTreeMap::new();
        votes.insert(cx.me(), self.candidacy());
        self.mem.election = Some(votes);
        for peer in self.directory.other_servers(cx.me()) {
            if Some(peer) != self.disk.leader {
                cx.send(
                    peer,
                    Msg::ElectionQuery {
                        term: self.disk.term + 1,
                    },
                );
            }
        }
        cx.set_timer(Timer::ElectionDone, ELECTION_WINDOW);
    }

    pub(super) fn on_election_query(&mut self, cx: &mut Cx, from: NodeId) {
        match self.disk.role {
            ServerRole::Leader if self.mem.accepting_writes => cx.send(
                from,
                Msg::LeaderIs {
                    leader: cx.me(),
                    term: self.disk.term,
                },
            ),
            // A follower that still hears its leader says so: one cut link is no reason to
            // replace a leader the rest of the cluster can reach.
            ServerRole::Follower if self.hears_leader(cx.now()) => {
                if let Some(leader) = self.disk.leader {
                    cx.send(
                        from,
                        Msg::LeaderIs {
                            leader,
                            term: self.disk.term,
                        },
                    );
                }
            }
            ServerRole::Follower => {
                let (last_term, last_index) = self.candidacy();
                cx.send(
                    from,
                    Msg::ElectionInfo {
                        term: self.disk.term,
                        last_term,
                        last_index,
                    },
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
            .is_some_and(|timeout| now.saturating_sub(self.mem.last_from_leader) < timeout)
    }

    /// How far this server could lead from: its last flushed entry, or, when replay has
    /// stopped on an error, the last entry it could replay (its pages hold no more).
    fn candidacy(&self) -> (u32, u64) {
        if self.mem.stalled.is_some() {
            (self.term_of(self.disk.applied), self.disk.applied)
        } else {
            (self.disk.last_term(), self.disk.last_index())
        }
    }

    pub(super) fn on_election_done(&mut self, cx: &mut Cx) {
        let Some(votes) = self.mem.election.take() else {
            return;
        };
        if self.disk.role != ServerRole::Follower {
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
            let why = PromotionReason::MostUpToDate {
                answered: u32::try_from(votes.len()).unwrap_or(u32::MAX),
                servers: u32::try_from(servers).unwrap_or(u32::MAX),
            };
            self.promote(cx, why);
        } else {
            // Wait for the winner's announcement; if none comes, try again.
            self.arm_leader_silence(cx);
        }
    }

    /// Becomes the leader of a new term.
    pub(super) fn promote(&mut self, cx: &mut Cx, why: PromotionReason) {
        // Replay everything flushed first, as a promoted standby does.
        self.mem.stalled = None;
        self.apply_flushed(cx);
        let new_term = self.disk.term + 1;
        let mut history = self.disk.history.clone();
        history.ended.push((self.disk.term, self.disk.last_index()));
        cx.write_durable(
            DiskWrite::Role {
                role: ServerRole::Leader,
                term: new_term,
                leader: Some(cx.me()),
                history,
            }
            .into(),
        );
        cx.note(Note::Promoted {
            node: self.name.clone(),
            term: new_term,
            last_index: self.disk.last_index(),
            end: self.disk.last_end(),
            why,
        });
        self.mem = Memory {
            accepting_writes: true,
            last_heard_follower: cx.now(),
            ..Memory::default()
        };
        for peer in self.directory.everyone_but(cx.me()) {
            cx.send(
                peer,
                Msg::NewLeader {
                    leader: cx.me(),
                    term: new_term,
                },
            );
        }
        cx.cancel_timer(Timer::LeaderSilent);
        cx.set_timer(Timer::Keepalive, Time::micros(1));
        cx.set_timer(Timer::Checkpoint, self.config.timings.checkpoint_every);
    }

    pub(super) fn on_leader_is(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        if leader == cx.me() {
            return;
        }
        let newer = term > self.disk.term;
        let electing = self.mem.election.is_some() && term >= self.disk.term;
        let asking = self.disk.role == ServerRole::Leader
            && !self.mem.accepting_writes
            && term >= self.disk.term;
        if self.disk.role == ServerRole::Leader && self.mem.accepting_writes && !self.mem.rejoining
        {
            // An unfenced leader ignores the news: that is split brain.
            if newer && self.config.failover.fencing {
                self.demote_and_follow(cx, leader, term);
            }
            return;
        }
        // (`asking` covers a leader asked to rejoin: it only follows a leader at least as new.)
        if newer || electing || asking {
            self.mem.election = None;
            if self.disk.role == ServerRole::Leader {
                self.demote_and_follow(cx, leader, term);
            } else if self.disk.role == ServerRole::Follower
                && (self.disk.leader != Some(leader) || newer)
            {
                self.follow(cx, leader, term, self.disk.history.clone());
            }
        }
    }

    pub(super) fn demote_and_follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        cx.note(Note::Demoted {
            node: self.name.clone(),
            new_leader: self.directory.name(leader).to_string(),
        });
        // Answer what was waiting with an error: the client cannot know whether it survives.
        for pending in std::mem::take(&mut self.mem.waiting) {
            cx.send(
                pending.client,
                Msg::QueryResult {
                    request: pending.request,
                    // The old primary shuts down to rejoin: waiting backends are terminated.
                    outcome: Err(
                        "FATAL:  terminating connection due to administrator command".into(),
                    ),
                },
            );
        }
        self.mem = Memory::default();
        cx.cancel_timer(Timer::Keepalive);
        cx.cancel_timer(Timer::Checkpoint);
        self.follow(cx, leader, term, self.disk.history.clone());
    }

    /// Follows `leader` in `term`: records it and asks to stream from the last flushed entry.
    pub(super) fn follow(&mut self, cx: &mut Cx, leader: NodeId, term: u32, history: TermHistory) {
        self.persist_following(cx, leader, term, history);
        self.mem.rejoining = false;
        self.mem.last_from_leader = cx.now();
        self.request_stream(cx, leader, self.disk.last_index(), self.disk.last_term());
        if let Some(timeout) = self.config.failover.timeout {
            cx.set_timer(Timer::LeaderSilent, timeout);
        }
    }
}
