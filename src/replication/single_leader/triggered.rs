//! Trigger-based replication at a server: the leader answers the applier's polls of its
//! changelog; a follower applies the changes the applier ships.

use crate::engine::RowChange;
use crate::replication::messages::{Msg, SingleLeaderMsg};
use crate::replication::method;
use crate::replication::node::Note;
use crate::replication::server::*;
use crate::sim::NodeId;

impl Server {
    pub(crate) fn on_poll_changelog(&mut self, cx: &mut Cx, from: NodeId, after_seq: i64) {
        if self.disk.family.role != ServerRole::Leader {
            return;
        }
        // Like a Slony SYNC, a poll covers only what committed: changelog rows from the first
        // one an open transaction wrote are left for a later poll (its action sequence was
        // handed out before later transactions committed theirs).
        let horizon = self
            .disk
            .db
            .locked_keys(method::trigger::CHANGELOG_TABLE)
            .iter()
            .filter_map(|k| match k {
                crate::engine::Value::Integer(n) => Some(*n),
                _ => None,
            })
            .min();
        let rows: Vec<_> = method::trigger::read_changelog(&self.disk.db, after_seq)
            .into_iter()
            .take_while(|row| match (horizon, row.get(method::trigger::ACTIONSEQ)) {
                (Some(h), Some(crate::engine::Value::Integer(seq))) => *seq < h,
                _ => true,
            })
            .collect();
        let schemas = self
            .config
            .replicated_tables
            .iter()
            .filter_map(|t| self.disk.db.schema(t).cloned())
            .collect();
        cx.send(
            from,
            Msg::SingleLeader(SingleLeaderMsg::ChangelogRows { rows, schemas }),
        );
    }

    pub(crate) fn on_apply_changes(
        &mut self,
        cx: &mut Cx,
        from: NodeId,
        through_seq: i64,
        changes: Vec<RowChange>,
    ) {
        if self.disk.family.role != ServerRole::Follower || through_seq <= self.disk.applied_seq {
            cx.send(
                from,
                Msg::SingleLeader(SingleLeaderMsg::ChangesApplied {
                    through_seq: self.disk.applied_seq.max(through_seq),
                    error: None,
                }),
            );
            return;
        }
        let result = self.disk.db.apply_row_changes(&changes);
        let error = result.err().map(|e| format!("ERROR:  {e}"));
        match &error {
            None => {
                self.disk.applied_seq = through_seq;
                cx.note(Note::Applied {
                    node: self.name.clone(),
                    index: through_seq.max(0) as u64,
                });
            }
            Some(e) => cx.note(Note::ApplyFailed {
                node: self.name.clone(),
                index: through_seq.max(0) as u64,
                error: e.clone(),
            }),
        }
        cx.send(
            from,
            Msg::SingleLeader(SingleLeaderMsg::ChangesApplied {
                through_seq: if error.is_none() {
                    through_seq
                } else {
                    self.disk.applied_seq
                },
                error,
            }),
        );
    }
}
