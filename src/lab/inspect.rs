//! What the inspector shows for one node: its replication log as the real tool prints it,
//! its tables with the cells that differ from the leader's marked, and its replication
//! status in the words of the database the method speaks ([`Dialect`]): MySQL's
//! `SHOW BINARY LOG STATUS` / `SHOW REPLICAS` / semi-sync variables on a source and
//! `SHOW REPLICA STATUS\G` on a replica; PostgreSQL's `pg_stat_replication` on a primary and
//! `pg_stat_wal_receiver` on a standby, `pg_replication_slots` on a primary and
//! `pg_stat_subscription` on a logical subscriber; Slony-I's `sl_status` on the origin. Below
//! them, the server's sessions: `pg_stat_activity`, or MySQL's `SHOW PROCESSLIST` and
//! `sys.innodb_lock_waits`.
//!
//! Reads the world; never changes it. Plain data out, so the UI only lays it out.

use std::borrow::Cow;

use crate::engine::{TableSchema, Value};
use crate::replication::checks::{current_leader, replicated_differences, DivergedRow};
use crate::replication::config::{AckPolicy, Method, StandbySet};
use crate::replication::log::{LogEntry, Payload};
use crate::replication::method::trigger::CHANGELOG_TABLE;
use crate::replication::node::LabNode;
use crate::replication::render::mysql::{
    self as my, IoThread, ReplicaHost, ReplicaStatus, SemiSyncStatus,
};
use crate::replication::render::processlist::{
    show_innodb_lock_waits, show_processlist, LockWaitRow, ProcessRow,
};
use crate::replication::render::slony::{render_sl_status, SlStatus};
use crate::replication::render::slots::{
    apply_error_log, render_pg_replication_slots, render_pg_stat_subscription, ApplyContext,
    ApplyWorker, SlotStatus, SubscriptionStatus,
};
use crate::replication::render::status::render_standby_functions;
use crate::replication::render::{
    self, render_pg_stat_replication, render_pg_stat_wal_receiver, render_sl_log_1, RenderOptions,
    StandbyStatus, WalReceiverStatus,
};
use crate::replication::server::{
    Activity, FollowerMemory, FollowerState, LeaderMemory, Server, ServerRole, Stream,
    LAB_EPOCH_MICROS,
};
use crate::replication::single_leader::progress::{progress, ReplicaProgress};
use crate::sim::{NodeId, Time, World};

mod multi;

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
    /// For a replica: where it stands, beginning with its node's words (`catching up, 3
    /// behind`), then what that means.
    pub progress: Option<String>,
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
    /// When this copy's value differs from the copy it is compared with (the view's
    /// `FamilyWords::reference`: the leader, in single-leader): that copy's value.
    pub reference_value: Option<String>,
}

/// Inspects node `id` of `world`.
pub fn inspect(world: &World<LabNode>, method: Method, id: NodeId) -> Option<Inspection> {
    let name = world.node_name(id)?.to_string();
    let node = world.node(id)?;
    if let Some(server) = node.as_server().filter(|s| s.is_multi_leader()) {
        return Some(multi::inspect_leader(world, server, id, name, method));
    }
    let Some(server) = node.as_server() else {
        return Some(Inspection {
            name,
            log: Vec::new(),
            log_tool: String::new(),
            tables: Vec::new(),
            status: other_status(node, method, world.now()),
            progress: None,
            discarded: Vec::new(),
            answers: node
                .as_client()
                .map(|c| answers(c, method))
                .unwrap_or_default(),
        });
    };
    let schemas: Vec<TableSchema> = server.disk.db.tables().into_iter().cloned().collect();
    let options = RenderOptions {
        schemas: &schemas,
        ..RenderOptions::default()
    };
    let log = match (method.captures_in_database(), method.ships_pages()) {
        // The changelog is a table in the leader's database.
        (true, _) => render_sl_log_1(&server.disk.db.rows(CHANGELOG_TABLE).unwrap_or_default()),
        // pg_waldump chains each record's `prev` across commits, the first line's too: render
        // the entries together, after the one before them.
        (false, true) => {
            let skip = server.disk.log.len().saturating_sub(LOG_ENTRIES_SHOWN);
            let shown = &server.disk.log.iter_from(skip).cloned().collect::<Vec<_>>();
            match skip.checked_sub(1).and_then(|i| server.disk.log.get(i)) {
                Some(before) => render::waldump::render_entries_after(Some(before), shown),
                // The log's first entry: the record before it is the schema's commit (or a
                // checkpoint), not in the log; find it by where it must have ended.
                None => {
                    let prev = shown.first().and_then(|e| {
                        render::waldump::record_before(
                            crate::engine::Lsn(e.start),
                            server.disk.db.last_checkpoint(),
                        )
                    });
                    render::waldump::render_entries_with_prev(prev, shown)
                }
            }
        }
        _ => {
            let skip = server.disk.log.len().saturating_sub(LOG_ENTRIES_SHOWN);
            server
                .disk
                .log
                .iter_from(skip)
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
    let differences = match (leader, server.disk.family.role) {
        (Some((_, leader)), ServerRole::Follower) => replicated_differences(leader, server, &name),
        _ => Vec::new(),
    };
    let mut status = match server.disk.family.role {
        ServerRole::Leader => leader_status(world, server, method),
        _ => follower_status(server, method, world.now()),
    };
    status.extend(activity_status(server, method, world.now()));
    Some(Inspection {
        name,
        log,
        log_tool: method.log_tool().into(),
        tables: tables(server, &differences),
        status,
        progress: progress(world, id).map(progress_line),
        discarded,
        answers: Vec::new(),
    })
}

/// A client's answers, newest first.
fn answers(client: &crate::replication::client::Client, method: Method) -> Vec<AnswerView> {
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
                Err(e) => Err(client_error(e, method)),
            },
        })
        .collect()
}

/// An error as the method's client prints it: the `mysql` client's one line
/// (`ERROR 1062 (23000): Duplicate entry ...`) under a MySQL method, a text already in that
/// form or any other method's as it is.
fn client_error(error: &str, method: Method) -> String {
    if Dialect::of(method) == Dialect::MySql && error.starts_with("ERROR:") {
        my::mysql_error(error, "shop").client_line()
    } else {
        error.to_string()
    }
}

/// A position as SQL functions and views print it (see [`Method::sql_position`]).
fn sql_position(method: Method, bytes: u64) -> String {
    method.sql_position(bytes)
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
                                reference_value: diff.and_then(|d| {
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

/// Which database's views a method's status tab shows (decided by the method).
pub use crate::replication::method::Dialect;

/// A server's clock at virtual time `now`, as its renderings print times.
fn wall_clock(server: &Server, now: Time) -> i64 {
    LAB_EPOCH_MICROS
        .saturating_add(now.as_micros() as i64)
        .saturating_add(server.spec.clock_skew)
}

/// MySQL's `server_id` for a node: its position in the cluster, from 1.
fn mysql_server_id(id: NodeId) -> u32 {
    id.0.saturating_add(1)
}

/// A replica's own `server_uuid` (the GTIDs it applies carry its source's).
fn replica_uuid(name: &str) -> String {
    let h = render::crc32(name.as_bytes());
    format!(
        "{h:08x}-{:04x}-11f1-{:04x}-0242ac11{:04x}",
        h >> 16,
        0x8000 | (h & 0x0fff),
        h & 0xffff
    )
}

/// The GTID set of entries `1..=upto` of `server`'s log: one range per term, each term's
/// source with its own `server_uuid` (entries before the base backup count with its term).
fn gtid_set_upto(server: &Server, upto: u64) -> String {
    let mut ranges: Vec<(String, u64, u64)> = Vec::new();
    let mut push = |term: u32, index: u64| {
        let uuid = render::binlog::server_uuid(term);
        match ranges.last_mut() {
            Some((u, _, last)) if *u == uuid => *last = index,
            _ => ranges.push((uuid, index, index)),
        }
    };
    let base = server.disk.base.min(upto);
    if base > 0 {
        push(server.disk.base_term, 1);
        push(server.disk.base_term, base);
    }
    for entry in server.disk.log.iter().filter(|e| e.index <= upto) {
        push(entry.term, entry.index);
    }
    my::gtid_set(&ranges)
}

/// The leader's status in its method's words, plus the lab's own notes (`-- ` lines).
fn leader_status(world: &World<LabNode>, server: &Server, method: Method) -> Vec<String> {
    let now = world.now();
    let mut lines = match Dialect::of(method) {
        Dialect::MySql => mysql_source_status(world, server),
        Dialect::Postgres => pg_primary_status(server, method, now),
        Dialect::Slony => {
            let mut lines = pg_primary_status(server, method, now);
            lines.extend(sl_status(world, server));
            lines
        }
    };
    if !server.mem.role.accepting_writes() {
        lines.insert(0, "-- not accepting writes".into());
    }
    lines
}

/// How many commits on `leader` returned acknowledged by a replica (`yes`) and how many
/// without (`no`: timed out, or committed while semi-sync was off), counted from the answers
/// the clients got (the lab's server keeps no such counter; MySQL's counts since startup).
fn semi_sync_transactions(world: &World<LabNode>, leader: NodeId) -> (u64, u64) {
    let mut yes = 0;
    let mut no = 0;
    for node in world.nodes() {
        let Some(client) = node.process.as_client() else {
            continue;
        };
        for answered in client.answered.iter().filter(|a| a.server == leader) {
            match answered
                .outcome
                .as_ref()
                .ok()
                .and_then(|ok| ok.waited_for.as_ref())
            {
                Some(waited) if waited.starts_with("nothing") => no += 1,
                Some(_) => yes += 1,
                None => {}
            }
        }
    }
    (yes, no)
}

/// `SHOW BINARY LOG STATUS`, `SHOW REPLICAS`, and the semi-sync variables when semi-sync is
/// on.
fn mysql_source_status(world: &World<LabNode>, server: &Server) -> Vec<String> {
    let last = server.disk.last_index();
    let mut lines = Vec::new();
    match &server.disk.ack {
        AckPolicy::Async => {
            lines.push("-- asynchronous replication (rpl_semi_sync_source_enabled = OFF)".into())
        }
        AckPolicy::Sync { timeout: None, .. } => lines.push(format!(
            "-- lab: {} is PostgreSQL's; MySQL has no such level, the lab waits as PostgreSQL would",
            server.disk.ack.describe()
        )),
        AckPolicy::Sync { timeout: Some(_), .. } => {}
    }
    lines.extend(my::show_binary_log_status(
        server.disk.end_of(last),
        &gtid_set_upto(server, last),
    ));
    let replicas: Vec<ReplicaHost> = leader_memory(server)
        .followers
        .keys()
        .map(|id| {
            let name = server.directory.name(*id).to_string();
            ReplicaHost {
                server_id: mysql_server_id(*id),
                server_uuid: replica_uuid(&name),
                host: name,
            }
        })
        .collect();
    let own_id = server
        .directory
        .server_id(&server.name)
        .map_or(1, mysql_server_id);
    lines.extend(my::show_replicas(own_id, &replicas));
    if let AckPolicy::Sync {
        timeout: Some(timeout),
        standbys,
        ..
    } = &server.disk.ack
    {
        let clients = leader_memory(server)
            .followers
            .iter()
            .filter(|(id, p)| {
                p.state == FollowerState::Streaming
                    && standbys
                        .names()
                        .iter()
                        .any(|n| n == server.directory.name(**id))
            })
            .count();
        let own = server.directory.server_id(&server.name);
        let (yes_tx, no_tx) = own.map_or((0, 0), |id| semi_sync_transactions(world, id));
        lines.extend(my::show_semi_sync_status(&SemiSyncStatus {
            yes_tx,
            no_tx,
            clients: clients as u32,
            on: !server.mem.role.semi_sync_off(),
            wait_sessions: server.mem.role.waiting().len() as u32,
            timeout_ms: timeout.as_millis(),
        }));
    }
    lines
}

/// The server's client sessions in its database's words: who waits for a row lock or a
/// standby. PostgreSQL's `pg_stat_activity`; MySQL's `SHOW PROCESSLIST` and, while a statement
/// waits for a row lock, `sys.innodb_lock_waits`.
// Not inlined: both inspectors call it, and one copy is enough in the page.
#[inline(never)]
fn activity_status(server: &Server, method: Method, now: Time) -> Vec<String> {
    let sessions = server.activity();
    if sessions.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![String::new()];
    if Dialect::of(method) == Dialect::MySql {
        lines.extend(mysql_sessions(server, &sessions, now));
    } else {
        lines.extend(render::activity::render_pg_stat_activity(&sessions));
    }
    lines
}

/// Whole seconds from `since` to `now` (MySQL's `Time`, `wait_age_secs`).
fn seconds_since(now: Time, since: Time) -> u64 {
    now.saturating_sub(since).as_micros() / 1_000_000
}

/// What a statement waiting for a lock is, for MySQL's views: its table and whether it is
/// DDL (a metadata lock) or an INSERT (a duplicate-key check takes a shared record lock).
enum Waiter {
    Ddl,
    Insert(String),
    Change(String),
    Other,
}

fn waiter(sql: &str) -> Waiter {
    use crate::engine::sql::ast::Statement;
    match crate::engine::sql::parse(sql) {
        Ok(Statement::AlterTable(_) | Statement::CreateTable(_)) => Waiter::Ddl,
        Ok(Statement::Insert(i)) => Waiter::Insert(i.table.name),
        Ok(Statement::Update(u)) => Waiter::Change(u.table.name),
        Ok(Statement::Delete(d)) => Waiter::Change(d.table.name),
        _ => Waiter::Other,
    }
}

/// `SHOW PROCESSLIST` (the event scheduler, a `Binlog Dump GTID` thread per replica on a
/// source, the receiver and applier threads on a replica, the clients' connections, and the
/// session asking) and `sys.innodb_lock_waits`
/// when a statement waits for a row lock.
fn mysql_sessions(server: &Server, sessions: &[Activity], now: Time) -> Vec<String> {
    let database = RenderOptions::default().database;
    let host_of = |client: &str, pid: u32| {
        let address = server
            .directory
            .clients
            .iter()
            .find(|(_, n)| n == client)
            .map_or_else(
                || "10.0.1.1".into(),
                |(id, _)| server.directory.address(*id),
            );
        // An ephemeral port per connection.
        format!("{address}:{}", 50_000 + pid % 10_000)
    };
    let mut rows = vec![ProcessRow {
        id: 5,
        user: "event_scheduler".into(),
        host: "localhost".into(),
        db: None,
        command: "Daemon".into(),
        time: seconds_since(now, Time::ZERO),
        state: "Waiting on empty queue".into(),
        info: None,
    }];
    if server.disk.family.role == ServerRole::Leader {
        let last = server.disk.last_index();
        for (id, p) in &leader_memory(server).followers {
            rows.push(ProcessRow {
                id: 10 + u64::from(id.0),
                user: "repl".into(),
                host: format!("{}:{}", server.directory.address(*id), 40_000 + id.0),
                db: None,
                command: "Binlog Dump GTID".into(),
                time: seconds_since(now, p.last_reply),
                state: if p.sent < last {
                    "Sending binlog event to replica"
                } else {
                    "Source has sent all binlog to replica; waiting for more updates"
                }
                .into(),
                info: None,
            });
        }
    }
    if server.disk.family.role == ServerRole::Follower && server.disk.family.leader.is_some() {
        // The replica's receiver (I/O) thread and applier (SQL) thread, while they run.
        let since_source = seconds_since(now, follower_memory(server).last_from_leader);
        let io_state = match server.mem.role.stream() {
            Stream::Streaming => Some("Waiting for source to send event"),
            Stream::Connecting => Some("Connecting to source"),
            _ => None,
        };
        if let Some(state) = io_state {
            rows.push(ProcessRow {
                id: 7,
                user: "system user".into(),
                host: "connecting host".into(),
                db: None,
                command: "Connect".into(),
                time: since_source,
                state: state.into(),
                info: None,
            });
        }
        if server.mem.role.stalled().is_none() {
            rows.push(ProcessRow {
                id: 8,
                user: "system user".into(),
                host: String::new(),
                db: None,
                command: "Query".into(),
                time: since_source,
                state: if server.disk.applied < received_index(server) {
                    "Waiting for dependent transaction to commit"
                } else {
                    "Replica has read all relay log; waiting for more updates"
                }
                .into(),
                info: None,
            });
        }
    }
    let mut waits = Vec::new();
    for a in sessions {
        let (command, state, info) = match (a.wait_event_type, a.wait_event) {
            (Some("IPC"), _) => (
                "Query",
                "Waiting for semi-sync ACK from replica",
                Some(a.query.clone()),
            ),
            (Some("Lock"), _) => {
                let kind = waiter(&a.query);
                let state = match &kind {
                    Waiter::Ddl => "Waiting for table metadata lock",
                    Waiter::Insert(_) => "update",
                    Waiter::Change(_) => "updating",
                    Waiter::Other => "executing",
                };
                let table = match kind {
                    Waiter::Insert(t) => Some((t, "S,REC_NOT_GAP")),
                    Waiter::Change(t) => Some((t, "X,REC_NOT_GAP")),
                    Waiter::Ddl | Waiter::Other => None,
                };
                if let (Some((table, mode)), Some(xid), Some(blocker)) =
                    (table, a.blocking_xid, a.blocking_pids.first())
                {
                    let blocking_query = sessions
                        .iter()
                        .find(|b| b.pid == *blocker && b.state == "active")
                        .map(|b| b.query.clone());
                    waits.push(LockWaitRow {
                        wait_age_secs: seconds_since(now, a.state_change),
                        locked_table: format!("`{database}`.`{}`", table.to_ascii_lowercase()),
                        locked_index: "PRIMARY".into(),
                        waiting_pid: u64::from(a.pid),
                        waiting_query: a.query.clone(),
                        waiting_lock_mode: mode.into(),
                        blocking_trx_id: xid,
                        blocking_pid: u64::from(*blocker),
                        blocking_query,
                        blocking_lock_mode: "X,REC_NOT_GAP".into(),
                    });
                }
                ("Query", state, Some(a.query.clone()))
            }
            _ => ("Sleep", "", None),
        };
        rows.push(ProcessRow {
            id: u64::from(a.pid),
            user: "root".into(),
            host: host_of(&a.client, a.pid),
            db: Some(database.clone()),
            command: command.into(),
            time: seconds_since(now, a.state_change),
            state: state.into(),
            info,
        });
    }
    let own = rows.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    rows.push(ProcessRow {
        id: own,
        user: "root".into(),
        host: "localhost".into(),
        db: Some(database),
        command: "Query".into(),
        time: 0,
        state: "init".into(),
        info: Some("SHOW PROCESSLIST".into()),
    });
    let mut lines = show_processlist(&rows);
    if !waits.is_empty() {
        lines.extend(show_innodb_lock_waits(&waits));
    }
    lines
}

/// `pg_stat_replication` as the primary sees its standbys, the acknowledgement setting, and
/// `pg_current_wal_lsn()`.
fn pg_primary_status(server: &Server, method: Method, now: Time) -> Vec<String> {
    let last = server.disk.last_index();
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let lag = |stage: u64| {
        (stage < last)
            .then(|| {
                leader_memory(server)
                    .commit_times
                    .get(&(stage + 1))
                    .copied()
            })
            .flatten()
            .map(|t| now.saturating_sub(t).as_micros())
    };
    let standbys: Vec<StandbyStatus> = leader_memory(server)
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
            sync_priority: sync_priority(&server.disk.ack, server, *id),
            sync_state: sync_state(&server.disk.ack, server, *id),
            reply_time: Some(wall_clock(server, p.last_reply)),
        })
        .collect();
    let mut lines = vec![
        format!("-- {}", server.disk.ack.describe()),
        format!(
            "-- pg_current_wal_lsn: {}   timeline: {}",
            position(last),
            server.disk.family.term
        ),
    ];
    if let AckPolicy::Sync {
        timeout: Some(_), ..
    } = server.disk.ack
    {
        lines.push(
            "-- lab: the semi-sync timeout is MySQL's; PostgreSQL's SyncRep waits without one"
                .into(),
        );
    }
    if server.mem.role.semi_sync_off() {
        lines.push("-- semi-sync replication switched OFF (timed out): asynchronous".into());
    }
    if !server.mem.role.waiting().is_empty() {
        let n = server.mem.role.waiting().len();
        let plural = if n == 1 { "" } else { "s" };
        lines.push(format!(
            "-- {n} commit{plural} waiting (wait_event = SyncRep)"
        ));
    }
    if method.captures_in_database() {
        lines.push(format!(
            "-- changelog rows written by triggers: {}",
            server.disk.changelog_writes
        ));
    }
    lines.extend(render_pg_stat_replication(&standbys));
    lines.extend(pg_replication_slots(server, method));
    lines
}

/// The subscription a logical subscriber has, named after it (`sub_follower_1`); its slot on
/// the publisher has the same name, as `CREATE SUBSCRIPTION` creates it.
fn subscription_name(server_name: &str) -> String {
    format!("sub_{}", server_name.replace('-', "_"))
}

/// The replication origin a subscription's apply worker names in its CONTEXT lines
/// (`pg_<subscription oid>`; the lab's subscriptions all get the sample's oid).
const SUBSCRIPTION_ORIGIN: &str = "pg_16394";

/// `pg_replication_slots` on a PostgreSQL primary: none under WAL streaming (the lab's
/// standbys stream without slots, PostgreSQL's default), a `pgoutput` slot per connected
/// subscriber under logical replication.
fn pg_replication_slots(server: &Server, method: Method) -> Vec<String> {
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let mut lines = vec![String::new()];
    match (method.ships_pages(), method.dialect()) {
        (true, _) => {
            lines.extend(render_pg_replication_slots(&[]));
            lines.push(
                "-- lab: the standbys stream without replication slots (no primary_slot_name, \
                 PostgreSQL's default for physical replication); the lab's primary keeps all \
                 its WAL, so no standby finds the segment it needs removed"
                    .into(),
            );
        }
        (false, Dialect::Postgres) => {
            let slots: Vec<SlotStatus> = leader_memory(server)
                .followers
                .iter()
                .map(|(id, p)| SlotStatus {
                    slot_name: subscription_name(server.directory.name(*id)),
                    plugin: Some("pgoutput".into()),
                    database: Some("postgres".into()),
                    // A subscriber's apply worker exits on an error, and its walsender
                    // with it: the slot is inactive until the worker starts again.
                    active: p.stalled.is_none(),
                    // A subscriber confirms what it has applied and committed (it keeps no
                    // copy of the WAL): the slot holds everything after that.
                    catalog_xmin: Some(
                        server
                            .disk
                            .entry(p.apply + 1)
                            .map_or(server.disk.next_xid, |e| e.xid),
                    ),
                    restart_lsn: position(p.apply),
                    confirmed_flush_lsn: Some(position(p.apply)),
                })
                .collect();
            lines.extend(render_pg_replication_slots(&slots));
            lines.push(
                "-- lab: a slot is listed while its subscriber is connected; PostgreSQL keeps \
                 it (and the WAL it needs) while the subscriber is away, and its restart_lsn \
                 may lag confirmed_flush_lsn"
                    .into(),
            );
        }
        _ => return Vec::new(),
    }
    lines
}

/// A PostgreSQL logical subscriber: `pg_stat_subscription` and `pg_stat_subscription_stats`,
/// and while apply is stalled the apply worker's error as the server log prints it.
fn pg_subscriber_status(server: &Server, method: Method) -> Vec<String> {
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let mut lines = Vec::new();
    if let Some(leader) = server.disk.family.leader {
        lines.push(format!(
            "-- CREATE SUBSCRIPTION {} CONNECTION 'host={} dbname=postgres' PUBLICATION lab_pub",
            subscription_name(&server.name),
            server.directory.name(leader)
        ));
    }
    let worker = (server.mem.role.stalled().is_none()
        && *server.mem.role.stream() == Stream::Streaming)
        .then(|| ApplyWorker {
            received_lsn: position(received_index(server)),
            last_msg_receipt_time: wall_clock(server, follower_memory(server).last_from_leader),
            latest_end_lsn: position(server.disk.last_index()),
        });
    lines.extend(render_pg_stat_subscription(&SubscriptionStatus {
        subname: subscription_name(&server.name),
        worker,
        apply_error_count: follower_memory(server).apply_errors,
        sync_error_count: 0,
    }));
    if let Some(error) = &server.mem.role.stalled() {
        let failed = server.disk.entry(server.disk.applied + 1);
        let context = failed.map(|entry| {
            let first = match &entry.payload {
                Payload::Rows(changes) => changes.first(),
                _ => None,
            };
            // A missing relation or column fails while opening the relation: no relation in
            // the CONTEXT line then.
            let opened =
                !(error.contains("does not exist") || error.contains("missing replicated column"));
            ApplyContext {
                origin: SUBSCRIPTION_ORIGIN.into(),
                message_type: first
                    .map_or("INSERT", |c| match c.op {
                        crate::engine::RowOp::Insert => "INSERT",
                        crate::engine::RowOp::Update => "UPDATE",
                        crate::engine::RowOp::Delete => "DELETE",
                    })
                    .into(),
                relation: first
                    .filter(|_| opened)
                    .map(|c| format!("public.{}", c.table)),
                xid: entry.xid,
                finished_at: sql_position(method, entry.end),
            }
        });
        let attempts = u32::try_from(follower_memory(server).apply_errors).unwrap_or(u32::MAX);
        lines.push(String::new());
        lines.push(format!("-- {}'s server log:", server.name));
        lines.extend(apply_error_log(
            wall_clock(server, follower_memory(server).apply_failed_at),
            APPLY_WORKER_PID.saturating_add(attempts),
            POSTMASTER_PID,
            error,
            context.as_ref(),
        ));
        lines.push(format!(
            "-- lab: the apply worker starts again every 5 s (wal_retrieve_retry_interval) and \
             fails until the cause is fixed; the lab's receiver keeps receiving meanwhile \
             (received {}, replayed {})",
            position(received_index(server)),
            position(server.disk.applied)
        ));
    }
    if let Stream::Refused(error) = &server.mem.role.stream() {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
    }
    lines
}

/// The subscriber's postmaster, and the base of its apply workers' pids (a new worker, a new
/// pid, on each start).
const POSTMASTER_PID: u32 = 9200;
const APPLY_WORKER_PID: u32 = 20_000;

/// `sl_status` on the origin: each subscriber's confirmed position against the last change
/// captured, from the `slon` applier's bookkeeping. The lab's events are the captured
/// changes (`log_actionseq`); a caught-up subscriber shows no lag (Slony's idle SYNC events
/// keep it within a few seconds).
fn sl_status(world: &World<LabNode>, server: &Server) -> Vec<String> {
    let log = server.disk.db.rows(CHANGELOG_TABLE).unwrap_or_default();
    let int = |row: &Vec<Value>, i: usize| match row.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    };
    // The commit time of each captured change: its transaction's entry in the leader's log.
    let commit_time = |seq: i64| -> Option<i64> {
        let row = log
            .iter()
            .find(|r| int(r, crate::replication::method::trigger::ACTIONSEQ) == seq)?;
        let txid = u64::try_from(int(row, 1)).ok()?;
        server
            .disk
            .log
            .iter()
            .find(|e| e.xid == txid)
            .map(|e| e.committed_at)
    };
    let last_event = log
        .iter()
        .map(|r| int(r, crate::replication::method::trigger::ACTIONSEQ))
        .max()
        .unwrap_or(0);
    let now = wall_clock(server, world.now());
    let origin = server
        .directory
        .server_id(&server.name)
        .map_or(1, |id| i64::from(mysql_server_id(id)));
    let mut rows = Vec::new();
    for node in world.nodes() {
        let LabNode::Applier(applier) = node.process else {
            continue;
        };
        for (id, subscriber) in &applier.subscribers {
            let confirmed = subscriber.confirmed;
            let received_event_ts = commit_time(confirmed);
            let lag_time = if confirmed >= last_event {
                Some(0)
            } else {
                received_event_ts
                    .or_else(|| commit_time(confirmed + 1))
                    .map(|t| u64::try_from(now.saturating_sub(t)).unwrap_or(0))
            };
            rows.push(SlStatus {
                origin,
                received: i64::from(mysql_server_id(*id)),
                last_event,
                last_event_ts: commit_time(last_event),
                last_received: confirmed,
                last_received_ts: None,
                last_received_event_ts: received_event_ts,
                lag_time,
            });
        }
    }
    let mut lines = render_sl_status(&rows);
    if rows.iter().any(|r| r.lag_time.is_none()) {
        lines.push(
            "-- lab: sl_log_1 here keeps no event times, so st_lag_time is NULL while a \
             subscriber is behind; st_lag_num_events counts the changes it has to apply"
                .into(),
        );
    }
    lines
}

/// PostgreSQL's `sync_priority`: a listed standby's 1-based place in a FIRST list, 1 for
/// every listed standby of an ANY list, 0 otherwise.
fn sync_priority(policy: &AckPolicy, server: &Server, id: NodeId) -> u32 {
    let AckPolicy::Sync { standbys, .. } = policy else {
        return 0;
    };
    let name = server.directory.name(id);
    let place = standbys.names().iter().position(|n| n == name);
    match (standbys, place) {
        (_, None) => 0,
        (StandbySet::Any { .. }, Some(_)) => 1,
        (StandbySet::First { .. }, Some(p)) => p as u32 + 1,
    }
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
            let streaming = leader_memory(server)
                .followers
                .get(&id)
                .is_some_and(|p| p.state == FollowerState::Streaming);
            if streaming { "quorum" } else { "potential" }.into()
        }
        StandbySet::First { count, names } => {
            let streaming: Vec<&String> = names
                .iter()
                .filter(|n| {
                    server.directory.server_id(n).is_some_and(|sid| {
                        leader_memory(server)
                            .followers
                            .get(&sid)
                            .is_some_and(|p| p.state == FollowerState::Streaming)
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

/// A follower's own view in its method's words: `SHOW REPLICA STATUS\G` on a MySQL replica,
/// the recovery functions and `pg_stat_wal_receiver` on a PostgreSQL standby, the positions
/// and apply error of a logical or Slony subscriber.
fn follower_status(server: &Server, method: Method, now: Time) -> Vec<String> {
    let mut lines = Vec::new();
    match (method.dialect(), method.ships_pages()) {
        (Dialect::MySql, _) => lines.extend(mysql_replica_status(server, now)),
        (Dialect::Postgres, true) => lines.extend(pg_standby_status(server, method)),
        (Dialect::Postgres, false) => lines.extend(pg_subscriber_status(server, method)),
        _ => lines.extend(subscriber_status(server, method)),
    }
    lines
}

/// Where a replica stands, in the words its node and the live checks use (one source:
/// [`progress`]), and what "behind" counts.
fn progress_line(progress: ReplicaProgress) -> String {
    let why = match progress {
        ReplicaProgress::Crashed => "what it flushed is on disk; it resumes from there",
        _ if progress.behind() == 0 => return progress.to_string(),
        _ => "behind counts the entries the leader has logged that it has not applied",
    };
    format!("{progress} ({why})")
}

/// A server's leader-side memory, or an empty one for a server that does not lead (what
/// its status views show for it: no standbys, no commit times).
fn leader_memory(server: &Server) -> Cow<'_, LeaderMemory> {
    server
        .mem
        .role
        .leader()
        .map_or_else(|| Cow::Owned(LeaderMemory::default()), Cow::Borrowed)
}

/// A server's follower-side memory, or an empty one for a leader (nothing received).
fn follower_memory(server: &Server) -> Cow<'_, FollowerMemory> {
    server
        .mem
        .role
        .follower()
        .map_or_else(|| Cow::Owned(FollowerMemory::default()), Cow::Borrowed)
}

/// The entry the follower received last (written, maybe not yet flushed).
fn received_index(server: &Server) -> u64 {
    follower_memory(server)
        .written
        .last()
        .map_or(server.disk.last_index(), |e| e.index)
}

/// `SHOW REPLICA STATUS\G` from the replica's receiver and applier.
fn mysql_replica_status(server: &Server, now: Time) -> Vec<String> {
    let read = received_index(server);
    let applied = server.disk.applied;
    let position_of = |index: u64| {
        follower_memory(server)
            .written
            .iter()
            .find(|e| e.index == index)
            .map_or_else(|| server.disk.end_of(index), |e| e.end)
    };
    let io = match &server.mem.role.stream() {
        Stream::Streaming => IoThread::Running,
        Stream::Connecting => IoThread::Connecting,
        Stream::Idle | Stream::Refused(_) | Stream::Snapshot { .. } => IoThread::Stopped,
    };
    let io_error = match &server.mem.role.stream() {
        // The receiver stops on a refusal: MySQL's I/O thread reports the source's error 1236.
        Stream::Refused(error) => Some((
            13114,
            format!(
                "Got fatal error 1236 from source when reading data from binary log: '{}'",
                error
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("FATAL:")
                    .trim()
            ),
        )),
        _ => None,
    };
    let failed = server.disk.entry(applied + 1);
    // MySQL 8.4 applies through worker threads (replica_parallel_workers = 4 by default; the
    // lab's serial apply is one worker): the worker's error goes to performance_schema, and
    // Last_SQL_Error carries the coordinator's summary naming the transaction.
    let worker_error = server.mem.role.stalled().as_ref().map(|text| {
        let (code, detail) = mysql_apply_error(text, failed);
        let (gtid, end) = failed.map_or((String::new(), 0), |e| {
            (
                format!("{}:{}", render::binlog::server_uuid(e.term), e.index),
                e.end,
            )
        });
        let at = format!(
            "Worker 1 failed executing transaction '{gtid}' at source log {}, end_log_pos {end}",
            my::BINLOG_FILE
        );
        (code, at, detail)
    });
    let sql_error = worker_error.as_ref().map(|(code, at, _)| {
        (
            *code,
            format!(
                "Coordinator stopped because there were error(s) in the worker(s). The most \
                 recent failure being: {at}. See error log and/or \
                 performance_schema.replication_applier_status_by_worker table for more \
                 details about this failure or others, if any."
            ),
        )
    });
    let seconds_behind = if applied >= read {
        Some(0)
    } else {
        failed.map(|e| {
            let behind = wall_clock(server, now).saturating_sub(e.committed_at);
            u64::try_from(behind / 1_000_000).unwrap_or(0)
        })
    };
    let mut lines = my::show_replica_status(&ReplicaStatus {
        name: server.name.clone(),
        source: server
            .disk
            .family
            .leader
            .map(|l| server.directory.name(l).to_string()),
        source_server_id: server.disk.family.leader.map_or(1, mysql_server_id),
        source_uuid: render::binlog::server_uuid(server.disk.family.term),
        io,
        read_pos: position_of(read),
        exec_pos: server.disk.end_of(applied),
        seconds_behind,
        sql_error,
        io_error,
        retrieved_gtid_set: gtid_set_upto(server, read),
        executed_gtid_set: gtid_set_upto(server, applied),
    });
    if let Some((code, at, detail)) = worker_error {
        lines.extend(my::show_worker_error(code, &format!("{at}; {detail}")));
        lines.push(
            "-- lab: the SQL thread retries the transaction every 5 s; MySQL waits for START \
             REPLICA"
                .into(),
        );
    }
    lines
}

/// The replica's apply error in MySQL's words, for the entry that failed: a statement's
/// `Error '...' on query`, a row event's `Could not execute ..._rows event`. A text already
/// in MySQL's words passes through with its code.
fn mysql_apply_error(text: &str, failed: Option<&LogEntry>) -> (u32, String) {
    let first = text.lines().next().unwrap_or("").trim();
    if first.starts_with("Could not execute") || first.starts_with("Error '") {
        let code = first
            .split("Error_code: ")
            .nth(1)
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(1105);
        return (code, first.to_string());
    }
    let error = my::mysql_error(text, "shop");
    let message = match failed.map(|e| (&e.payload, e)) {
        Some((Payload::Statements(statements), _)) => my::statement_apply_error(
            &error,
            "shop",
            statements.first().map_or("", |s| s.sql.as_str()),
        ),
        Some((Payload::Rows(changes), entry)) => {
            let (event, table) = changes.first().map_or(("Write_rows", "orders"), |c| {
                (
                    match c.op {
                        crate::engine::RowOp::Insert => "Write_rows",
                        crate::engine::RowOp::Update => "Update_rows",
                        crate::engine::RowOp::Delete => "Delete_rows",
                    },
                    c.table.as_str(),
                )
            });
            my::row_apply_error(&error, event, "shop", table, entry.end)
        }
        _ => error.message.clone(),
    };
    (error.code, message)
}

/// A PostgreSQL standby: the recovery functions and `pg_stat_wal_receiver`.
fn pg_standby_status(server: &Server, method: Method) -> Vec<String> {
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let following = server.disk.family.role == ServerRole::Follower;
    let mut lines = Vec::new();
    if let Some(leader) = server.disk.family.leader {
        lines.push(format!(
            "-- following {} (primary_conninfo), timeline {}",
            server.directory.name(leader),
            server.disk.family.term
        ));
    }
    let last_replay = server
        .disk
        .entry(server.disk.applied)
        .map(|e| e.committed_at);
    lines.extend(render_standby_functions(
        following,
        following
            .then(|| position(server.disk.last_index()))
            .as_deref(),
        following.then(|| position(server.disk.applied)).as_deref(),
        last_replay,
    ));
    let receiver = match (&server.mem.role.stream(), server.disk.family.leader) {
        (Stream::Streaming | Stream::Connecting, Some(leader)) => Some(WalReceiverStatus {
            status: if *server.mem.role.stream() == Stream::Streaming {
                "streaming"
            } else {
                "starting"
            }
            .into(),
            written_lsn: position(received_index(server)),
            flushed_lsn: position(server.disk.last_index()),
            received_tli: server.disk.last_term(),
            last_msg_receipt_time: Some(wall_clock(
                server,
                follower_memory(server).last_from_leader,
            )),
            latest_end_lsn: position(server.disk.last_index()),
            sender_host: server.directory.name(leader).to_string(),
            application_name: server.name.clone(),
        }),
        _ => None,
    };
    lines.extend(render_pg_stat_wal_receiver(receiver.as_ref()));
    if let Some(error) = &server.mem.role.stalled() {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
    }
    if let Stream::Refused(error) = &server.mem.role.stream() {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
    }
    lines
}

/// A logical or Slony subscriber: where its receiver and apply stand, and its apply error.
fn subscriber_status(server: &Server, method: Method) -> Vec<String> {
    let position = |index: u64| sql_position(method, server.disk.end_of(index));
    let mut lines = Vec::new();
    if let Some(leader) = server.disk.family.leader {
        lines.push(format!("following: {}", server.directory.name(leader)));
    }
    lines.push(format!(
        "receiver: {}",
        match &server.mem.role.stream() {
            Stream::Idle => "idle".to_string(),
            Stream::Connecting => "connecting".to_string(),
            Stream::Streaming => "streaming".to_string(),
            Stream::Refused(_) => "stopped (refused)".to_string(),
            Stream::Snapshot { received, of } => format!("base backup {received}/{of}"),
        }
    ));
    lines.push(format!("written:  {}", position(received_index(server))));
    lines.push(format!("flushed:  {}", position(server.disk.last_index())));
    lines.push(format!("replayed: {}", position(server.disk.applied)));
    if let Some(error) = &server.mem.role.stalled() {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
        lines.push("(retries every 5 s)".into());
    }
    if let Stream::Refused(error) = &server.mem.role.stream() {
        lines.push(String::new());
        lines.extend(error.lines().map(str::to_string));
    }
    lines
}

fn other_status(node: &LabNode, method: Method, now: crate::sim::Time) -> Vec<String> {
    match node {
        LabNode::Client(client) => {
            let mut lines = vec![format!(
                "sends writes to: {}",
                client.directory.name(client.router.target())
            )];
            lines.push(format!("reads go to: {}", client.reads.routing.label()));
            if let Some(position) = client.reads.last_commit() {
                lines.push(format!("last commit at position: {position}"));
            }
            for answered in client.answered.iter().rev().take(8) {
                let latency = answered.answered_at.saturating_sub(answered.sent_at);
                let outcome = match &answered.outcome {
                    Ok(ok) => match &ok.waited_for {
                        Some(waited) => format!("{} in {latency} (waited for {waited})", ok.tag),
                        None => format!("{} in {latency}", ok.tag),
                    },
                    Err(e) => client_error(e, method)
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string(),
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
