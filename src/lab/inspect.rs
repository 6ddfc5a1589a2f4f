//! What the inspector shows for one node: its replication log as the real tool prints it,
//! its tables with the cells that differ from the leader's marked, and its replication
//! status (`pg_stat_replication` on a leader, the receiver's positions on a follower).
//!
//! Reads the world; never changes it. Plain data out, so the UI only lays it out.

use crate::engine::{TableSchema, Value};
use crate::replication::checks::{current_leader, replicated_differences, DivergedRow};
use crate::replication::config::{AckPolicy, Method, StandbySet};
use crate::replication::node::LabNode;
use crate::replication::render::{
    self, render_pg_stat_replication, render_sl_log_1, RenderOptions, StandbyStatus,
};
use crate::replication::server::{Server, ServerRole, Stream};
use crate::replication::trigger::CHANGELOG_TABLE;
use crate::sim::{NodeId, NodeStatus, Time, World};

/// How many log entries the inspector renders (the most recent ones).
const LOG_ENTRIES_SHOWN: usize = 12;

/// One node, inspected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    pub name: String,
    /// Lines of the node's replication log, as the method's tool prints it.
    pub log: Vec<String>,
    /// What the log view is (`mysqlbinlog`, `pg_waldump`, `test_decoding`, `sl_log_1`).
    pub log_tool: String,
    pub tables: Vec<TableView>,
    /// Status lines (psql's expanded output or a short list of facts).
    pub status: Vec<String>,
    /// Entries this node discarded when it rejoined a new leader, rendered.
    pub discarded: Vec<String>,
    /// For a client: its answers, newest first.
    pub answers: Vec<AnswerView>,
}

/// A client's statement and the answer it got, as the console shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerView {
    pub sql: String,
    /// The server that answered.
    pub server: String,
    pub sent_at: u64,
    /// Microseconds from sending to the answer.
    pub latency: u64,
    pub outcome: Result<AnswerOk, String>,
}

/// A successful answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerOk {
    /// `INSERT 0 1`, `SELECT 2`...
    pub tag: String,
    /// What the commit waited for (`flush on follower-1`), if it committed.
    pub waited_for: Option<String>,
    /// MySQL's note for an unsafe statement under statement-based replication.
    pub warning: Option<String>,
    /// A SELECT's columns and rows, as text.
    pub result: Option<(Vec<String>, Vec<Vec<String>>)>,
}

/// A table as the Rows tab shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableView {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    /// Rows the leader has and this follower lacks (shown after the others).
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowView {
    pub cells: Vec<CellView>,
    /// This row does not exist on the leader.
    pub extra: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellView {
    pub text: String,
    /// When this follower's value differs from the leader's: the leader's value.
    pub leader_value: Option<String>,
}

/// Inspects node `id` of `world`.
pub fn inspect(world: &World<LabNode>, method: Method, id: NodeId) -> Option<Inspection> {
    let name = world.node_name(id)?.to_string();
    let node = world.node(id)?;
    let Some(server) = node.as_server() else {
        return Some(Inspection {
            name,
            log: Vec::new(),
            log_tool: String::new(),
            tables: Vec::new(),
            status: other_status(node, world.now()),
            discarded: Vec::new(),
            answers: node.as_client().map(answers).unwrap_or_default(),
        });
    };
    let schemas: Vec<TableSchema> = server.disk.db.tables().into_iter().cloned().collect();
    let options = RenderOptions {
        schemas: &schemas,
        ..RenderOptions::default()
    };
    let log = match method {
        Method::Trigger => {
            render_sl_log_1(&server.disk.db.rows(CHANGELOG_TABLE).unwrap_or_default())
        }
        // pg_waldump chains each record's `prev` across commits: render the entries together.
        Method::Wal => {
            let skip = server.disk.log.len().saturating_sub(LOG_ENTRIES_SHOWN);
            render::waldump::render_entries(&server.disk.log[skip..])
        }
        _ => {
            let skip = server.disk.log.len().saturating_sub(LOG_ENTRIES_SHOWN);
            server.disk.log[skip..]
                .iter()
                .flat_map(|e| render::render_entry_with(method, e, &options))
                .collect()
        }
    };
    let discarded = server
        .disk
        .discarded
        .iter()
        .flat_map(|e| render::render_entry_with(method, e, &options))
        .collect();
    let leader = current_leader(world).filter(|(leader_id, _)| *leader_id != id);
    let differences = match (leader, server.disk.role) {
        (Some((_, leader)), ServerRole::Follower) => replicated_differences(leader, server, &name),
        _ => Vec::new(),
    };
    let status = match server.disk.role {
        ServerRole::Leader => leader_status(server, method, world.now()),
        _ => follower_status(server, method, world.node_status(id)),
    };
    Some(Inspection {
        name,
        log,
        log_tool: log_tool(method).into(),
        tables: tables(server, &differences),
        status,
        discarded,
        answers: Vec::new(),
    })
}

/// A client's answers, newest first.
fn answers(client: &crate::replication::client::Client) -> Vec<AnswerView> {
    client
        .answered
        .iter()
        .rev()
        .map(|a| AnswerView {
            sql: a.sql.clone(),
            server: client.directory.name(a.server).to_string(),
            sent_at: a.sent_at.as_micros(),
            latency: a.answered_at.saturating_sub(a.sent_at).as_micros(),
            outcome: match &a.outcome {
                Ok(ok) => Ok(AnswerOk {
                    tag: ok.tag.clone(),
                    waited_for: ok.waited_for.clone(),
                    warning: ok.warning.clone(),
                    result: ok.result.as_ref().map(|r| {
                        (
                            r.columns.clone(),
                            r.rows
                                .iter()
                                .map(|row| row.iter().map(Value::to_string).collect())
                                .collect(),
                        )
                    }),
                }),
                Err(e) => Err(e.clone()),
            },
        })
        .collect()
}

/// A position as SQL functions and views print it: LSNs unpadded (`0/16B3748`, as in
/// `pg_stat_replication`; only pg_waldump pads), binlog positions as file:offset.
fn sql_position(method: Method, bytes: u64) -> String {
    match method {
        Method::Wal | Method::Logical { .. } => crate::engine::Lsn(bytes).unpadded(),
        _ => render::format_position(method, bytes),
    }
}

fn log_tool(method: Method) -> &'static str {
    match method {
        Method::Statement { .. } => "mysqlbinlog",
        Method::Wal => "pg_waldump",
        Method::Logical { .. } => "pg_recvlogical (test_decoding)",
        Method::Trigger => "SELECT * FROM sl_log_1",
    }
}

fn tables(server: &Server, differences: &[DivergedRow]) -> Vec<TableView> {
    let db = &server.disk.db;
    db.tables()
        .into_iter()
        .map(|schema| {
            let columns = schema.column_names();
            let pk = schema.primary_key;
            let here: Vec<&DivergedRow> = differences
                .iter()
                .filter(|d| d.table == schema.name)
                .collect();
            let rows = db
                .rows(&schema.name)
                .unwrap_or_default()
                .into_iter()
                .map(|row| {
                    let key = row.get(pk).cloned().unwrap_or(Value::Null);
                    let diff = here.iter().find(|d| d.key == key);
                    RowView {
                        extra: diff.is_some_and(|d| d.missing_on_leader),
                        cells: row
                            .iter()
                            .zip(&columns)
                            .map(|(value, column)| CellView {
                                text: value.to_string(),
                                leader_value: diff.and_then(|d| {
                                    d.columns
                                        .iter()
                                        .find(|(c, _, _)| c.eq_ignore_ascii_case(column))
                                        .map(|(_, leader, _)| {
                                            leader.as_ref().map_or("NULL".into(), Value::to_string)
                                        })
                                }),
                            })
                            .collect(),
                    }
                })
                .collect();
            let missing = here
                .iter()
                .filter(|d| d.missing_on_follower)
                .map(|d| d.key.to_string())
                .collect();
            TableView {
                name: schema.name.clone(),
                columns,
                rows,
                missing,
            }
        })
        .collect()
}

/// `pg_stat_replication` as the leader sees its standbys, plus the acknowledgement setting.
fn leader_status(server: &Server, method: Method, now: Time) -> Vec<String> {
    let last = server.disk.last_index();
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let lag = |stage: u64| {
        (stage < last)
            .then(|| server.mem.commit_times.get(&(stage + 1)))
            .flatten()
            .map(|t| now.saturating_sub(*t).as_micros())
    };
    let standbys: Vec<StandbyStatus> = server
        .mem
        .followers
        .iter()
        .map(|(id, p)| StandbyStatus {
            name: server.directory.name(*id).to_string(),
            state: p.state.name().into(),
            sent: position(p.sent),
            write: position(p.write),
            flush: position(p.flush),
            replay: position(p.apply),
            write_lag: lag(p.write),
            flush_lag: lag(p.flush),
            replay_lag: lag(p.apply),
            sync_state: sync_state(&server.disk.ack, server, *id),
        })
        .collect();
    let mut lines = vec![
        format!("-- {}", server.disk.ack.describe()),
        format!(
            "-- pg_current_wal_lsn: {}   term (timeline): {}",
            position(last),
            server.disk.term
        ),
    ];
    if !server.mem.accepting_writes {
        lines.push("-- not accepting writes".into());
    }
    if server.mem.semi_sync_off {
        lines.push("-- semi-sync replication switched OFF (timed out): asynchronous".into());
    }
    if !server.mem.waiting.is_empty() {
        lines.push(format!(
            "-- {} commits waiting (wait_event = SyncRep)",
            server.mem.waiting.len()
        ));
    }
    if method == Method::Trigger {
        lines.push(format!(
            "-- changelog rows written by triggers: {}",
            server.disk.changelog_writes
        ));
    }
    if standbys.is_empty() {
        lines.push("(0 rows)".into());
    } else {
        lines.extend(render_pg_stat_replication(&standbys));
    }
    lines
}

/// PostgreSQL's `sync_state` for standby `id` under `policy`.
fn sync_state(policy: &AckPolicy, server: &Server, id: NodeId) -> String {
    let AckPolicy::Sync { standbys, .. } = policy else {
        return "async".into();
    };
    let name = server.directory.name(id);
    if !standbys.names().iter().any(|n| n == name) {
        return "async".into();
    }
    match standbys {
        // Quorum candidates are the listed standbys that stream; the others wait their turn.
        StandbySet::Any { .. } => {
            let streaming =
                server.mem.followers.get(&id).is_some_and(|p| {
                    p.state == crate::replication::server::FollowerState::Streaming
                });
            if streaming { "quorum" } else { "potential" }.into()
        }
        StandbySet::First { count, names } => {
            let streaming: Vec<&String> = names
                .iter()
                .filter(|n| {
                    server.directory.server_id(n).is_some_and(|sid| {
                        server.mem.followers.get(&sid).is_some_and(|p| {
                            p.state == crate::replication::server::FollowerState::Streaming
                        })
                    })
                })
                .collect();
            let rank = streaming.iter().position(|n| *n == name);
            match rank {
                Some(r) if r < *count as usize => "sync".into(),
                _ => "potential".into(),
            }
        }
    }
}

/// A follower's own view: where its receiver and replay stand.
fn follower_status(server: &Server, method: Method, status: Option<NodeStatus>) -> Vec<String> {
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let mut lines = Vec::new();
    if status == Some(NodeStatus::Crashed) {
        lines.push("crashed: what it flushed is on disk; it resumes from there".into());
    }
    lines.push(format!(
        "role: {}",
        match server.disk.role {
            ServerRole::Spare => "spare (empty, not replicating)",
            _ => "follower (pg_is_in_recovery = t)",
        }
    ));
    if let Some(leader) = server.disk.leader {
        lines.push(format!("following: {}", server.directory.name(leader)));
    }
    lines.push(format!(
        "receiver: {}",
        match &server.mem.stream {
            Stream::Idle => "idle".to_string(),
            Stream::Connecting => "connecting".to_string(),
            Stream::Streaming => "streaming".to_string(),
            Stream::Refused(_) => "stopped (refused)".to_string(),
            Stream::Snapshot { received, of } => format!("base backup {received}/{of}"),
        }
    ));
    let written = server
        .mem
        .written
        .last()
        .map_or(server.disk.last_index(), |e| e.index);
    lines.push(format!("written:  {}", position(written)));
    lines.push(format!("flushed:  {}", position(server.disk.last_index())));
    lines.push(format!("replayed: {}", position(server.disk.applied)));
    if server.mem.leader_last > server.disk.applied {
        lines.push(format!(
            "behind the leader by {} entries",
            server.mem.leader_last - server.disk.applied
        ));
    }
    if let Some(error) = &server.mem.stalled {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
        lines.push("(retries every 5 s)".into());
    }
    if let Stream::Refused(error) = &server.mem.stream {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
    }
    lines
}

fn other_status(node: &LabNode, now: crate::sim::Time) -> Vec<String> {
    match node {
        LabNode::Client(client) => {
            let mut lines = vec![format!(
                "sends writes to: {}",
                client.directory.name(client.leader)
            )];
            for answered in client.answered.iter().rev().take(8) {
                let latency = answered.answered_at.saturating_sub(answered.sent_at);
                let outcome = match &answered.outcome {
                    Ok(ok) => match &ok.waited_for {
                        Some(waited) => format!("{} in {latency} (waited for {waited})", ok.tag),
                        None => format!("{} in {latency}", ok.tag),
                    },
                    Err(e) => e.lines().next().unwrap_or("").to_string(),
                };
                lines.push(format!("{} → {outcome}", answered.sql));
            }
            lines
        }
        LabNode::Applier(applier) => {
            let mut lines = vec![format!("read sl_log_1 up to action {}", applier.fetched)];
            for (id, s) in &applier.subscribers {
                lines.push(format!(
                    "{}: confirmed {}{}",
                    applier.directory.name(*id),
                    s.confirmed,
                    s.error
                        .as_ref()
                        .map(|e| format!(" — {e}"))
                        .unwrap_or_default()
                ));
            }
            lines
        }
        LabNode::Coordinator(service) => {
            // As `etcdctl get` prints Patroni's leader key: the key, then its value.
            let mut lines = vec!["$ etcdctl get /service/lab/leader".to_string()];
            match service.live_key(now) {
                Some(key) => {
                    lines.push("/service/lab/leader".into());
                    lines.push(service.directory.name(key.holder).to_string());
                    let left = key.expires.saturating_sub(now).as_micros();
                    lines.push(format!(
                        "-- lease TTL {} ms, {} ms left (term {})",
                        service.ttl.as_micros() / 1_000,
                        left / 1_000,
                        key.term
                    ));
                }
                None => {
                    lines.push("-- no leader key: nobody may lead until one acquires it".into())
                }
            }
            lines.push(String::new());
            lines.push(
                "-- The lab runs etcd as one node, not a Raft group of 3 or 5: crashing it is \
                 losing quorum. Patroni's leader key lives 30 s; the lab's lives as long as its \
                 failover timeout."
                    .into(),
            );
            lines
        }
        LabNode::Server(_) => Vec::new(),
    }
}
