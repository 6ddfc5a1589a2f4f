//! Reads that wait for replay: a client that routes "at least position P" sends its read with
//! the position of its last commit, and a follower answers it only once it has replayed that
//! far — PostgreSQL's `pg_wal_replay_wait` (MySQL's `WAIT_FOR_EXECUTED_GTID_SET`) followed by
//! the statement. No timeout, as the functions have none by default: a follower cut off from
//! its leader holds the read until the client cancels it or the follower is promoted.
//!
//! The waits are memory: a crash loses them (the client's connection goes with it).

use super::*;

/// A read held until the server has replayed `position`.
#[derive(Clone, Debug)]
pub struct ReadWait {
    pub client: NodeId,
    pub request: InputId,
    pub sql: String,
    pub position: u64,
}

/// PostgreSQL's error for a replay wait on a server that is no longer a standby.
const NOT_IN_RECOVERY: &str = "ERROR:  recovery is not in progress\nDETAIL:  Recovery ended before replaying target LSN; the server was promoted.";

impl Server {
    /// A read to run once this server has replayed `position`: now, if it has (a leader has
    /// everything it committed), else held.
    pub(crate) fn on_query_after(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
        sql: String,
        position: u64,
    ) {
        if self.replayed(position) {
            self.on_query(cx, client, request, sql);
            return;
        }
        cx.note(Note::ReadWaits {
            node: self.name.clone(),
            client: self.directory.name(client).to_string(),
            position,
            applied: self.disk.applied,
        });
        self.mem.read_waits.push(ReadWait {
            client,
            request,
            sql,
            position,
        });
    }

    fn replayed(&self, position: u64) -> bool {
        self.disk.family.role == ServerRole::Leader || self.disk.applied >= position
    }

    /// Runs the held reads whose position is now replayed (after an apply).
    pub(crate) fn release_read_waits(&mut self, cx: &mut Cx) {
        while let Some(at) = (self.mem.read_waits.iter()).position(|w| self.replayed(w.position)) {
            let wait = self.mem.read_waits.remove(at);
            self.on_query(cx, wait.client, wait.request, wait.sql);
        }
    }

    /// A client cancelled a held read: it fails with the cancel error. Whether it was held.
    pub(crate) fn cancel_read_wait(
        &mut self,
        cx: &mut Cx,
        client: NodeId,
        request: InputId,
    ) -> bool {
        let Some(at) = self
            .mem
            .read_waits
            .iter()
            .position(|w| w.client == client && w.request == request)
        else {
            return false;
        };
        self.mem.read_waits.remove(at);
        self.answer_cancelled(cx, client, request);
        true
    }

    /// The server stops being a standby (promoted): the held reads fail, as the replay wait
    /// does when recovery ends.
    pub(crate) fn end_read_waits(&mut self, cx: &mut Cx) {
        for wait in std::mem::take(&mut self.mem.read_waits) {
            cx.send(
                wait.client,
                Msg::Client(ClientMsg::QueryResult {
                    request: wait.request,
                    outcome: Err(NOT_IN_RECOVERY.into()),
                }),
            );
        }
    }
}
