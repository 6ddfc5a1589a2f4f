//! The inspector for a leader of a multi-leader cluster: its change log in PostgreSQL's
//! words (test_decoding, with origins); its rows; and its status: the topology in force,
//! what it has applied of every leader, held changes, `pg_replication_origin_status`,
//! PostgreSQL 18's conflict counters in `pg_stat_subscription_stats` (one subscription per
//! leader it receives from) and the last conflicts as its server log reports them.
//!
//! None of single-leader replication's words (walsender, standby, follower) appear here: a
//! multi-leader server has no leader to follow.
//!
//! Reads the world; never changes it.

use crate::engine::TableSchema;
use crate::lab::conflicts::resolution_words;
use crate::replication::config::Method;
use crate::replication::multi_leader::messages::{Change, Logged};
use crate::replication::multi_leader::server_id;
use crate::replication::multi_leader::state::{Conflict, ConflictKind};
use crate::replication::multi_leader::version::{Dot, RowVersion};
use crate::replication::node::LabNode;
use crate::replication::render::decoding::ReplicaIdentity;
use crate::replication::render::multi_leader::{
    self as ml, conflict_log, lsn, origin_name, pg18_behaviour, subscription_name,
    subscription_oid, upstream, ConflictReport, Leaders, LocalWrite, OriginStatus,
    SubscriptionStats,
};
use crate::replication::render::slots::ApplyContext;
use crate::replication::server::Server;
use crate::sim::{NodeId, World};

use super::{activity_status, tables, Inspection, LOG_ENTRIES_SHOWN};

/// How many of the newest conflicts the status tab reports in the server log's words.
const CONFLICTS_SHOWN: usize = 3;

/// A logged change by its dot (the newest first: what a conflict met is recent).
fn find_logged(server: &Server, dot: Dot) -> Option<&Logged> {
    server
        .disk
        .multi
        .log
        .iter()
        .rev()
        .find(|l| l.change.dot == dot)
}

/// The server id a write reached this leader from (`me` for its own), and its xid.
fn source(server: &Server, me: u32, dot: Dot) -> (u32, u64) {
    find_logged(server, dot).map_or((dot.server_id, 0), |l| {
        (upstream(l, me).unwrap_or(me), l.change.xid)
    })
}

/// For each of the leader's conflicts, in order, the server id its incoming change came
/// from. A change is logged right after the conflicts it met, so one walk through the log
/// beside the conflicts finds them all.
fn conflict_sources(server: &Server, me: u32) -> Vec<u32> {
    let log = &server.disk.multi.log;
    let mut at = 0;
    let mut sources = Vec::new();
    for c in server.disk.multi.conflicts.iter() {
        let mut from = c.remote.dot.server_id;
        if let Some(offset) = log.iter_from(at).position(|l| l.change.dot == c.remote.dot) {
            at += offset;
            if let Some(up) = log.iter_from(at).next().and_then(|l| upstream(l, me)) {
                from = up;
            }
        }
        sources.push(from);
    }
    sources
}

/// The leaders' names by server id.
fn leader_names(server: &Server) -> Vec<String> {
    server
        .directory
        .servers
        .iter()
        .map(|(_, n)| n.clone())
        .collect()
}

/// A leader of a multi-leader cluster, inspected.
pub(super) fn inspect_leader(
    world: &World<LabNode>,
    server: &Server,
    id: NodeId,
    name: String,
    method: Method,
) -> Inspection {
    let names = leader_names(server);
    let leaders = Leaders {
        me: server_id(id),
        names: &names,
    };
    let schemas: Vec<TableSchema> = server.disk.db.tables().into_iter().cloned().collect();
    Inspection {
        name,
        log: log_lines(server, leaders, method, &schemas),
        log_tool: log_tool(server).into(),
        tables: tables(server, &[]),
        status: status_lines(world, server, leaders, &schemas),
        progress: None,
        discarded: Vec::new(),
        answers: Vec::new(),
    }
}

/// The newest changes as the database whose setup the topology is prints them: a ring or a
/// star is MySQL's circular replication (`log_replica_updates`), so its binlog, each event
/// with its writer's `server id`; all-to-all is PostgreSQL's subscriptions with
/// `origin = none`, so `test_decoding` with each transaction's origin.
fn log_lines(
    server: &Server,
    leaders: Leaders,
    method: Method,
    schemas: &[TableSchema],
) -> Vec<String> {
    let log = &server.disk.multi.log;
    let skip = log.len().saturating_sub(LOG_ENTRIES_SHOWN);
    let shown: Vec<Logged> = log.iter_from(skip).cloned().collect();
    if shown.is_empty() {
        return Vec::new();
    }
    let identity = match method {
        Method::Logical { image } => ReplicaIdentity::from(image),
        _ => ReplicaIdentity::Full,
    };
    let forwards = server.topology().forwards();
    if forwards {
        let start = log
            .iter()
            .take(skip)
            .fold(ml::BINLOG_FIRST, |at, logged| at + ml::binlog_size(logged));
        return ml::ring_binlog_view(&shown, leaders, start);
    }
    ml::test_decoding_view(&shown, leaders, identity, schemas, forwards)
}

/// The tool [`log_lines`] speaks as.
fn log_tool(server: &Server) -> &'static str {
    if server.topology().forwards() {
        "mysqlbinlog -v (a ring's binlog)"
    } else {
        "pg_recvlogical (test_decoding)"
    }
}

/// The server ids this leader receives from: those whose topology sends to it, and any it
/// has received from before (an origin stays after the topology changes).
fn receives_from(server: &Server, me: u32) -> Vec<u32> {
    let leaders = server.directory.servers.len();
    let topology = server.topology();
    let mine = me.saturating_sub(1) as usize;
    let mut from = Vec::new();
    for i in 0..leaders {
        if topology.downstream(i, leaders).contains(&mine)
            || server.disk.multi.received.get(&NodeId(i as u32)).is_some()
        {
            from.push(i as u32 + 1);
        }
    }
    from
}

/// The first change a held one waits for (`leader-a #3`).
fn waits_for(server: &Server, change: &Change) -> String {
    let applied = &server.disk.multi.applied;
    let next = applied.get(change.dot.server_id) + 1;
    if next < change.dot.seq {
        return server.dot_name(Dot {
            server_id: change.dot.server_id,
            seq: next,
        });
    }
    change
        .deps
        .0
        .iter()
        .find(|(id, seq)| applied.get(**id) < **seq)
        .map_or_else(
            || "nothing (it applies next)".to_string(),
            |(id, _)| {
                server.dot_name(Dot {
                    server_id: *id,
                    seq: applied.get(*id) + 1,
                })
            },
        )
}

fn status_lines(
    world: &World<LabNode>,
    server: &Server,
    leaders: Leaders,
    schemas: &[TableSchema],
) -> Vec<String> {
    let me = leaders.me;
    let topology = server.topology();
    let config = server.config.multi_leader.unwrap_or_default();
    let names_of = |ids: &[u32]| -> String {
        let mut names = String::new();
        for id in ids {
            if !names.is_empty() {
                names.push_str(", ");
            }
            names.push_str(&leaders.name(*id));
        }
        if names.is_empty() {
            names.push_str("nobody");
        }
        names
    };
    let mut sends_to = Vec::new();
    for peer in server.downstream(NodeId(me - 1)) {
        sends_to.push(server_id(peer));
    }
    let from = receives_from(server, me);
    let on_off = |on: bool| if on { "on" } else { "off" };
    let mut lines = vec![
        format!(
            "-- {} topology: sends to {}; receives from {}",
            topology.label(),
            names_of(&sends_to),
            names_of(&from)
        ),
        format!(
            "-- resolver: {}; version vectors {}",
            config.resolver.label(),
            on_off(config.version_vectors)
        ),
        format!(
            "-- applied (server id:count): {}",
            server.disk.multi.applied.text()
        ),
    ];
    for held in &server.disk.multi.held {
        lines.push(format!(
            "-- held: {} waits for {}",
            server.dot_name(held.dot),
            waits_for(server, held)
        ));
    }
    lines.push(String::new());
    // One subscription per leader it receives from, each with its replication origin (its
    // local id in the order they were created) and the conflicts that came through it.
    let conflicts: Vec<&Conflict> = server.disk.multi.conflicts.iter().collect();
    let sources = conflict_sources(server, me);
    let mut origins = Vec::new();
    let mut subs = Vec::new();
    for (i, &up) in from.iter().enumerate() {
        let remote = server.disk.multi.received.get(&NodeId(up - 1)).copied();
        let local = server
            .disk
            .multi
            .log
            .iter()
            .rev()
            .find(|l| upstream(l, me) == Some(up));
        origins.push(OriginStatus {
            local_id: i as u32 + 1,
            external_id: origin_name(up),
            remote_lsn: lsn(remote.unwrap_or(0)),
            local_lsn: lsn(local.map_or(0, |l| l.pos)),
        });
        let mut kinds = Vec::new();
        for (c, source) in conflicts.iter().zip(&sources) {
            if *source == up {
                kinds.push(c.kind);
            }
        }
        subs.push(SubscriptionStats {
            subid: subscription_oid(up),
            subname: subscription_name(&leaders.name(up)),
            conflicts: kinds,
        });
    }
    lines.extend(ml::pg_replication_origin_status(&origins));
    lines.push("-- lab: LSNs are positions in the leaders' change logs".into());
    lines.push(String::new());
    lines.extend(ml::pg_stat_subscription_stats(&subs));
    lines.push(
        "-- lab: track_commit_timestamp = on; transaction ids are the writing leader's; the \
         leaders settle conflicts alike, as pglogical and BDR do"
            .into(),
    );
    let shown = conflicts.len().saturating_sub(CONFLICTS_SHOWN);
    if !conflicts.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "-- {}'s server log (log_line_prefix = ''), the last {} of {} conflicts:",
            leaders.name(me),
            conflicts.len() - shown,
            conflicts.len()
        ));
    }
    for c in &conflicts[shown..] {
        lines.extend(conflict_lines(world, server, leaders, schemas, c));
    }
    lines.extend(activity_status(
        server,
        Method::Logical {
            image: crate::replication::config::RowImage::Full,
        },
        world.now(),
    ));
    lines
}

/// The position of `dot` in the log of the leader with server id `at` (0 if unknown).
fn position_at(world: &World<LabNode>, at: u32, dot: Dot) -> u64 {
    world
        .node(NodeId(at.saturating_sub(1)))
        .and_then(LabNode::as_server)
        .and_then(|s| s.disk.multi.log.iter().find(|l| l.change.dot == dot))
        .map_or(0, |l| l.pos)
}

/// What a conflict's local row was, as PostgreSQL records its last write.
fn local_write(server: &Server, v: &RowVersion, me: u32) -> LocalWrite {
    let (from, xid) = source(server, me, v.dot);
    LocalWrite {
        row: v.image.clone(),
        origin: (from != me).then(|| origin_name(from)),
        xid,
        committed: v.commit_ts,
    }
}

/// One conflict as the server log reports it (`%m [%p] ` before each line), then the lab's
/// line: what PostgreSQL 18 would do, and what the resolver did.
fn conflict_lines(
    world: &World<LabNode>,
    server: &Server,
    leaders: Leaders,
    schemas: &[TableSchema],
    c: &Conflict,
) -> Vec<String> {
    let me = leaders.me;
    let (from, xid) = source(server, me, c.remote.dot);
    let key_column = schemas
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(&c.table))
        .and_then(|s| s.columns.get(s.primary_key))
        .map_or_else(|| "id".to_string(), |col| col.name.clone());
    let message_type = match c.kind {
        ConflictKind::InsertExists => "INSERT",
        ConflictKind::UpdateOriginDiffers | ConflictKind::UpdateMissing => "UPDATE",
        ConflictKind::DeleteOriginDiffers | ConflictKind::DeleteMissing => "DELETE",
    };
    let finished = position_at(world, from, c.remote.dot);
    let report = ConflictReport {
        kind: c.kind,
        table: c.table.clone(),
        key_column,
        key: c.key.clone(),
        local: c.local.first().map(|v| local_write(server, v, me)),
        remote: c.remote.image.clone(),
        context: Some(ApplyContext {
            origin: origin_name(from),
            message_type: message_type.into(),
            relation: Some(format!("public.{}", c.table)),
            xid,
            finished_at: lsn(finished),
        }),
    };
    let mut lines = conflict_log(&report);
    lines.push(format!(
        "-- lab: {}; the lab's resolver: {}",
        pg18_behaviour(c.kind),
        resolution_words(server, c)
    ));
    lines
}
