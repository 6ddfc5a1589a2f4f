//! Base backups: the leader takes a consistent snapshot tied to a log position and sends it
//! in timed chunks; a new (or rewound) follower installs it and streams the backlog.

use crate::replication::log::TermHistory;
use crate::replication::messages::SnapshotData;
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::method::SNAPSHOT_CHUNK;
use crate::replication::node::Note;
use crate::replication::node::Timer;
use crate::replication::server::*;
use crate::sim::{NodeId, Time};

impl Server {
    /// Asks `leader` for a base backup, dropping whatever part of an earlier one arrived.
    pub(crate) fn request_snapshot(&mut self, cx: &mut Cx, leader: NodeId) {
        if let Some(follower) = self.mem.role.follower_mut() {
            follower.stream = Stream::Snapshot { received: 0, of: 0 };
            follower.snapshot_in.clear();
            follower.snapshot_from = None;
            follower.snapshot_progress_at = cx.now();
        }
        cx.send(leader, Msg::SingleLeader(SingleLeaderMsg::SnapshotRequest));
    }

    /// A base backup that stopped arriving (a lost chunk, a partition) is asked for again.
    pub(crate) fn retry_stalled_snapshot(&mut self, cx: &mut Cx, leader: NodeId) {
        let patience = Time::micros(self.config.timings.keepalive.as_micros() * 4);
        let Some(follower) = self.mem.role.follower() else {
            return;
        };
        if matches!(follower.stream, Stream::Snapshot { .. })
            && cx.now().saturating_sub(follower.snapshot_progress_at) > patience
        {
            cx.note(Note::SnapshotStalled {
                node: self.name.clone(),
            });
            self.request_snapshot(cx, leader);
        }
    }

    pub(crate) fn on_snapshot_request(&mut self, cx: &mut Cx, from: NodeId) {
        if self.disk.family.role != ServerRole::Leader {
            return;
        }
        let chunks = self.take_snapshot();
        let consistent_at = self.disk.last_index();
        cx.note(Note::SnapshotTaken {
            node: self.name.clone(),
            follower: self.directory.name(from).to_string(),
            at: consistent_at,
            position: self.disk.last_end(),
            chunks: u32::try_from(chunks.len()).unwrap_or(u32::MAX),
        });
        let Some(leader) = self.mem.role.leader_mut() else {
            return;
        };
        leader.followers.insert(
            from,
            FollowerProgress {
                sent: consistent_at,
                write: 0,
                flush: 0,
                apply: 0,
                state: FollowerState::Backup,
                stalled: None,
                last_reply: cx.now(),
            },
        );
        leader.snapshots_out.insert(
            from,
            OutgoingSnapshot {
                chunks,
                next: 0,
                consistent_at,
            },
        );
        self.send_snapshot_chunk(cx, from);
    }

    /// A consistent copy of the data, in the method's shape (see [`Method::snapshot`]).
    pub(crate) fn take_snapshot(&self) -> Vec<SnapshotData> {
        self.method().snapshot(&self.disk.db)
    }

    pub(crate) fn send_snapshot_chunk(&mut self, cx: &mut Cx, to: NodeId) {
        let Some(leader) = self.mem.role.leader_mut() else {
            return;
        };
        let Some(out) = leader.snapshots_out.get_mut(&to) else {
            return;
        };
        let of = out.chunks.len() as u32;
        let Some(data) = out.chunks.get(out.next as usize).cloned() else {
            leader.snapshots_out.remove(&to);
            return;
        };
        let chunk = out.next;
        out.next += 1;
        let consistent_at = out.consistent_at;
        cx.send(
            to,
            Msg::SingleLeader(SingleLeaderMsg::SnapshotChunk {
                chunk,
                chunks: of,
                data: Box::new(data),
                consistent_at,
                term: self.disk.family.term,
                history: self.disk.family.history.clone(),
            }),
        );
        if chunk + 1 < of {
            let per_chunk = Time::micros(
                self.config.timings.snapshot_per_page.as_micros() * SNAPSHOT_CHUNK as u64,
            );
            cx.set_timer(Timer::SnapshotSend(to), per_chunk);
        } else if let Some(leader) = self.mem.role.leader_mut() {
            leader.snapshots_out.remove(&to);
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn on_snapshot_chunk(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        chunk: u32,
        chunks: u32,
        data: SnapshotData,
        consistent_at: u64,
        term: u32,
        history: TermHistory,
    ) {
        let leader = self.disk.family.leader;
        let Some(follower) = self.mem.role.follower_mut() else {
            return;
        };
        if !matches!(follower.stream, Stream::Snapshot { .. }) || Some(from) != leader {
            return;
        }
        // Chunks of one backup only: a chunk of an earlier, abandoned attempt is ignored.
        if chunk == 0 {
            follower.snapshot_in.clear();
            follower.snapshot_from = Some((from, consistent_at));
        }
        if follower.snapshot_from != Some((from, consistent_at))
            || chunk as usize != follower.snapshot_in.len()
        {
            return;
        }
        follower.snapshot_progress_at = cx.now();
        follower.snapshot_in.push(data);
        follower.stream = Stream::Snapshot {
            received: chunk + 1,
            of: chunks,
        };
        if chunk + 1 < chunks {
            return;
        }
        // The whole backup is here: install it, then ask for the backlog.
        let chunks = std::mem::take(&mut follower.snapshot_in);
        let mut env = NodeEnv {
            now_micros: self.clock(cx.now()),
            rng: &mut self.rng,
        };
        let installed = self.config.method.install(
            chunks,
            self.spec.format,
            self.spec.schema.as_ref(),
            &mut env,
        );
        let db = match installed {
            Ok(db) => db,
            Err(error) => {
                self.refuse_stream(cx, error);
                return;
            }
        };
        self.disk.db = db;
        let base_end = self.method().log_start(&self.disk.db);
        cx.note(Note::SnapshotInstalled {
            node: self.name.clone(),
            at: consistent_at,
        });
        cx.write_durable(
            DiskWrite::Reset {
                base: consistent_at,
                base_term: term,
                base_end,
            }
            .into(),
        );
        self.persist_following(cx, from, term, history);
        self.request_stream(cx, from, consistent_at, term);
        self.arm_leader_silence(cx);
    }
}
