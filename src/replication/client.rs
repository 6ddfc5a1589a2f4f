//! An application client: sends SQL (typed by the user or scripted by a lesson) to the
//! leader it knows, or to a chosen server for a read, and reports each answer with its
//! latency. It learns of a new leader when one announces itself.
//!
//! Knows nothing of the UI.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::sim::{Context, InputId, NodeId, Time};

use super::directory::Directory;
use super::messages::{Msg, QueryOk, Reply, Request};
use super::node::{LabNode, Note, Timer};

type Cx = Context<LabNode>;

/// A statement sent and not yet answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outstanding {
    pub sql: String,
    pub server: NodeId,
    pub sent_at: Time,
}

/// A statement and its answer, kept for the lab's checks (was an acknowledged write lost?).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answered {
    pub sql: String,
    pub server: NodeId,
    pub sent_at: Time,
    pub answered_at: Time,
    pub outcome: Result<QueryOk, String>,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub name: String,
    /// The leader this client sends writes to.
    pub leader: NodeId,
    pub leader_term: u32,
    pub outstanding: BTreeMap<InputId, Outstanding>,
    pub answered: Vec<Answered>,
    pub directory: Rc<Directory>,
}

impl Client {
    pub fn new(name: &str, leader: NodeId, directory: Rc<Directory>) -> Client {
        Client {
            name: name.to_string(),
            leader,
            leader_term: 1,
            outstanding: BTreeMap::new(),
            answered: Vec::new(),
            directory,
        }
    }

    pub fn on_start(&mut self, _cx: &mut Cx) {}

    pub fn on_crash(&mut self) {
        self.outstanding.clear();
    }

    pub fn on_request(&mut self, cx: &mut Cx, request: InputId, req: Request) {
        let (server, sql) = match req {
            Request::Sql(sql) => (self.leader, sql),
            Request::SqlOn { server, sql } => (server, sql),
            Request::Cancel => {
                for (&id, waiting) in &self.outstanding {
                    cx.send(waiting.server, Msg::Cancel { request: id });
                }
                return;
            }
            _ => return,
        };
        self.outstanding.insert(
            request,
            Outstanding {
                sql: sql.clone(),
                server,
                sent_at: cx.now(),
            },
        );
        cx.send(server, Msg::Query { request, sql });
    }

    pub fn on_message(&mut self, cx: &mut Cx, from: NodeId, msg: Msg) {
        match msg {
            Msg::ConnectionsReset => self.lose_requests_to(cx, from),
            Msg::QueryResult { request, outcome } => self.answer(cx, request, outcome),
            Msg::NewLeader { leader, term } | Msg::LeaderIs { leader, term }
                if term > self.leader_term =>
            {
                self.follow_leader(cx, leader, term)
            }
            _ => {}
        }
    }

    pub fn on_timer(&mut self, _cx: &mut Cx, _timer: Timer) {}

    /// Sends writes to the new leader from now on. The connection to the old one is gone:
    /// what it still owed this client is lost.
    fn follow_leader(&mut self, cx: &mut Cx, leader: NodeId, term: u32) {
        let old_leader = std::mem::replace(&mut self.leader, leader);
        self.leader_term = term;
        cx.note(Note::Info(format!(
            "{} now sends writes to {}",
            self.name,
            self.directory.name(leader)
        )));
        if old_leader != leader {
            self.lose_requests_to(cx, old_leader);
        }
    }

    /// The connection to `server` is gone: every statement still waiting on it fails.
    fn lose_requests_to(&mut self, cx: &mut Cx, server: NodeId) {
        let lost: Vec<InputId> = self
            .outstanding
            .iter()
            .filter(|(_, o)| o.server == server)
            .map(|(id, _)| *id)
            .collect();
        for id in lost {
            self.answer(
                cx,
                id,
                Err("server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally before or while processing the request.".into()),
            );
        }
    }

    fn answer(&mut self, cx: &mut Cx, request: InputId, outcome: Result<QueryOk, String>) {
        let Some(sent) = self.outstanding.remove(&request) else {
            return;
        };
        let latency = cx.now().saturating_sub(sent.sent_at).as_micros();
        cx.note(Note::ClientAnswer {
            client: self.name.clone(),
            sql: sent.sql.clone(),
            ok: outcome.is_ok(),
            latency,
        });
        cx.reply(
            request,
            Reply {
                sql: sent.sql.clone(),
                outcome: outcome.clone(),
                latency,
            },
        );
        self.answered.push(Answered {
            sql: sent.sql,
            server: sent.server,
            sent_at: sent.sent_at,
            answered_at: cx.now(),
            outcome,
        });
    }
}
