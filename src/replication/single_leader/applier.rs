//! Trigger-based replication, the daemon's half (Slony-I's `slon`): a process of its own that
//! polls the leader's changelog table, turns each row back into a row change, and applies the
//! changes to every follower in action-sequence order, tracking how far each has confirmed.
//!
//! Knows nothing of the UI.

use crate::engine::small_map::SmallMap;
use std::rc::Rc;

use crate::engine::{RowChange, TableSchema, Value};
use crate::sim::{Context, NodeId, Time};

use crate::replication::directory::Directory;
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::method::trigger::{ACTIONSEQ, CMDARGS, CMDTYPE, RELNAME, UPDNCOLS};
use crate::replication::node::{LabNode, Note, Timer};
use crate::replication::render::parse_slony_cmdargs;

type Cx = Context<LabNode>;

/// A follower as the applier tracks it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subscriber {
    /// The last action sequence the follower confirmed.
    pub confirmed: i64,
    /// The last action sequence sent and not yet confirmed.
    pub in_flight: Option<i64>,
    pub error: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Applier {
    pub leader: NodeId,
    pub leader_term: u32,
    pub poll_every: Time,
    /// Changes read from the changelog and not yet confirmed by every follower.
    pub pending: Vec<(i64, RowChange)>,
    /// The last action sequence read.
    pub fetched: i64,
    pub subscribers: SmallMap<NodeId, Subscriber>,
    /// Changelog rows it could not turn into changes.
    pub unreadable: Vec<String>,
    pub directory: Rc<Directory>,
}

impl Applier {
    pub fn new(
        leader: NodeId,
        followers: &[NodeId],
        poll_every: Time,
        directory: Rc<Directory>,
    ) -> Applier {
        Applier {
            leader,
            leader_term: 1,
            poll_every,
            pending: Vec::new(),
            fetched: 0,
            subscribers: followers
                .iter()
                .map(|f| (*f, Subscriber::default()))
                .collect(),
            unreadable: Vec::new(),
            directory,
        }
    }

    pub fn on_start(&mut self, cx: &mut Cx) {
        cx.set_timer(Timer::Poll, self.poll_every);
    }

    pub fn on_crash(&mut self) {
        // The daemon's buffer is memory; the followers' confirmed positions are theirs.
        self.pending.clear();
        for s in self.subscribers.values_mut() {
            s.in_flight = None;
        }
        self.fetched = self
            .subscribers
            .values()
            .map(|s| s.confirmed)
            .min()
            .unwrap_or(0);
    }

    pub fn on_timer(&mut self, cx: &mut Cx, timer: Timer) {
        if timer == Timer::Poll {
            cx.send(
                self.leader,
                Msg::SingleLeader(SingleLeaderMsg::PollChangelog {
                    after_seq: self.fetched,
                }),
            );
            // Resend to followers that did not confirm (lost message, crash, error).
            for s in self.subscribers.values_mut() {
                s.in_flight = None;
            }
            self.push(cx);
            cx.set_timer(Timer::Poll, self.poll_every);
        }
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        match msg {
            Msg::SingleLeader(SingleLeaderMsg::ChangelogRows { rows, schemas })
                if from == self.leader =>
            {
                self.read(cx, rows, &schemas);
                self.push(cx);
            }
            Msg::SingleLeader(SingleLeaderMsg::ChangesApplied { through_seq, error }) => {
                if let Some(s) = self.subscribers.get_mut(&from) {
                    s.confirmed = s.confirmed.max(through_seq);
                    s.in_flight = None;
                    s.error = error;
                }
                let low = self
                    .subscribers
                    .values()
                    .map(|s| s.confirmed)
                    .min()
                    .unwrap_or(0);
                self.pending.retain(|(seq, _)| *seq > low);
                self.push(cx);
            }
            Msg::SingleLeader(SingleLeaderMsg::NewLeader { leader, term })
                if term > self.leader_term =>
            {
                self.leader = leader;
                self.leader_term = term;
                self.subscribers.remove(&leader);
                cx.note(Note::ApplierFollows {
                    leader: self.directory.name(leader).to_string(),
                });
            }
            _ => {}
        }
    }

    fn read(&mut self, cx: &mut Cx, rows: Vec<Vec<Value>>, schemas: &[TableSchema]) {
        for row in rows {
            let Some(Value::Integer(seq)) = row.get(ACTIONSEQ).cloned() else {
                continue;
            };
            if seq <= self.fetched {
                continue;
            }
            self.fetched = seq;
            let text = |i: usize| match row.get(i) {
                Some(Value::Text(s)) => s.clone(),
                _ => String::new(),
            };
            let updncols = match row.get(UPDNCOLS) {
                Some(Value::Integer(n)) => *n,
                _ => 0,
            };
            let table = text(RELNAME);
            let Some(schema) = schemas.iter().find(|s| s.name.eq_ignore_ascii_case(&table)) else {
                self.unreadable
                    .push(format!("sl_log_1 {seq}: table {table} is not replicated"));
                continue;
            };
            let cmdtype = text(CMDTYPE).chars().next().unwrap_or('?');
            match parse_slony_cmdargs(schema, cmdtype, updncols, &text(CMDARGS)) {
                Ok(change) => self.pending.push((seq, change)),
                Err(error) => {
                    cx.note(Note::ChangelogUnreadable {
                        seq,
                        error: error.clone(),
                    });
                    self.unreadable.push(error);
                }
            }
        }
    }

    /// Sends each idle follower the changes it has not confirmed.
    fn push(&mut self, cx: &mut Cx) {
        for (&follower, s) in self.subscribers.iter_mut() {
            if s.in_flight.is_some() {
                continue;
            }
            let changes: Vec<(i64, RowChange)> = self
                .pending
                .iter()
                .filter(|(seq, _)| *seq > s.confirmed)
                .cloned()
                .collect();
            let Some(through) = changes.last().map(|(seq, _)| *seq) else {
                continue;
            };
            s.in_flight = Some(through);
            cx.send(
                follower,
                Msg::SingleLeader(SingleLeaderMsg::ApplyChanges {
                    through_seq: through,
                    changes: changes.into_iter().map(|(_, c)| c).collect(),
                }),
            );
        }
    }
}
