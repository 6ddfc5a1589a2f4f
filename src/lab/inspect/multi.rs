//! The inspector for a leader of a multi-leader cluster: its change log in PostgreSQL's
//! words (test_decoding, with origins) and then the last few transactions as MySQL's binlog
//! of a ring shows them (the page has one Log tab, so both views are in it, each headed by
//! what it is); its rows with their versions; and its status: the topology in force, what it
//! has applied of every leader, held changes, `pg_replication_origin_status`, PostgreSQL
//! 18's conflict counters in `pg_stat_subscription_stats` (one subscription per leader it
//! receives from) and the last conflicts as its server log reports them.
//!
//! None of single-leader replication's words (walsender, standby, follower) appear here: a
//! multi-leader server has no leader to follow.
//!
//! Reads the world; never changes it.

use crate::engine::{TableSchema, Value};
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
use crate::replication::render::slots::{log_time, ApplyContext};
use crate::replication::server::Server;
use crate::sim::{NodeId, World};

use super::{activity_status, tables, wall_clock, Inspection, LOG_ENTRIES_SHOWN};

/// How many of the newest transactions the MySQL view repeats under PostgreSQL's.
const BINLOG_ENTRIES_SHOWN: usize = 3;
/// How many of the newest conflicts the status tab reports in the server log's words.
const CONFLICTS_SHOWN: usize = 3;

/// Where each change in a leader's log came from, found by its dot.
struct Provenance {
    /// (dot, position here, the server id it came from or this leader's own, origin xid),
    /// sorted by dot.
    by_dot: Vec<(Dot, u64, u32, u64)>,
}

impl Provenance {
    fn of(server: &Server, me: u32) -> Provenance {
        let mut by_dot: Vec<(Dot, u64, u32, u64)> = server
            .disk
            .multi
            .log
            .iter()
            .map(|l| {
                let from = upstream(l, me).unwrap_or(me);
                (l.change.dot, l.pos, from, l.change.xid)
            })
            .collect();
        by_dot.sort_by_key(|e| e.0);
        Provenance { by_dot }
    }

    fn find(&self, dot: Dot) -> Option<&(Dot, u64, u32, u64)> {
        self.by_dot
            .binary_search_by_key(&dot, |e| e.0)
            .ok()
            .and_then(|i| self.by_dot.get(i))
    }

    /// The server id a write reached this leader from (its own: `me`).
    fn upstream(&self, dot: Dot) -> u32 {
        self.find(dot).map_or(dot.server_id, |e| e.2)
    }

    fn xid(&self, dot: Dot) -> u64 {
        self.find(dot).map_or(0, |e| e.3)
    }
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
    let provenance = Provenance::of(server, leaders.me);
    let version = |table: &str, key: &Value| {
        server
            .disk
            .multi
            .versions
            .get(&(table.to_string(), key.clone()))
            .map(|versions| version_words(server, versions))
    };
    Inspection {
        name,
        log: log_lines(server, leaders, method, &schemas),
        log_tool: "test_decoding, then mysqlbinlog".into(),
        tables: tables(server, &[], version),
        status: status_lines(world, server, leaders, &schemas, &provenance),
        progress: None,
        discarded: Vec::new(),
        answers: Vec::new(),
    }
}

/// `leader-c #2 [1:1, 3:2]`; concurrent versions the leader keeps (after a conflict)
/// joined by ` | ` after `concurrent: `.
fn version_words(server: &Server, versions: &[RowVersion]) -> String {
    let words: Vec<String> = versions
        .iter()
        .map(|v| format!("{} {}", server.dot_name(v.dot), v.seen.text()))
        .collect();
    match words.as_slice() {
        [one] => one.clone(),
        many => format!("concurrent: {}", many.join(" | ")),
    }
}

/// PostgreSQL's view of the newest changes, then MySQL's view of the last few.
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
    let mut lines = ml::test_decoding_view(&shown, leaders, identity, schemas, forwards);
    let skip = log.len().saturating_sub(BINLOG_ENTRIES_SHOWN);
    let first_start = ml::BINLOG_FIRST + log.iter().take(skip).map(ml::binlog_size).sum::<u64>();
    let last: Vec<Logged> = log.iter_from(skip).cloned().collect();
    lines.push(String::new());
    lines.extend(ml::ring_binlog_view(&last, leaders, first_start));
    lines
}

/// The server ids this leader receives from: those whose topology sends to it, and any it
/// has received from before (an origin stays after the topology changes).
fn receives_from(server: &Server, me: u32) -> Vec<u32> {
    let leaders = server.directory.servers.len();
    let topology = server.topology();
    let mut from: Vec<u32> = (0..leaders)
        .filter(|&i| {
            topology
                .downstream(i, leaders)
                .contains(&((me - 1) as usize))
        })
        .map(|i| i as u32 + 1)
        .collect();
    for (peer, _) in server.disk.multi.received.iter() {
        let id = server_id(*peer);
        if !from.contains(&id) {
            from.push(id);
        }
    }
    from.sort_unstable();
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
    provenance: &Provenance,
) -> Vec<String> {
    let me = leaders.me;
    let topology = server.topology();
    let config = server.config.multi_leader.clone().unwrap_or_default();
    let names_of = |ids: &[u32]| -> String {
        let names: Vec<String> = ids.iter().map(|i| leaders.name(*i)).collect();
        if names.is_empty() {
            "nobody".into()
        } else {
            names.join(", ")
        }
    };
    let sends_to: Vec<u32> = server
        .downstream(NodeId(me - 1))
        .into_iter()
        .map(server_id)
        .collect();
    let from = receives_from(server, me);
    let mut lines = vec![
        format!(
            "-- one of {} leaders, topology {} (sends to {}; receives from {}){}",
            leaders.names.len(),
            topology.label(),
            names_of(&sends_to),
            names_of(&from),
            if topology.forwards() {
                ", forwarding what it receives"
            } else {
                ""
            }
        ),
        format!(
            "-- resolver: {}; version vectors: {}; auto_increment offsets: {}",
            config.resolver.label(),
            if config.version_vectors { "on" } else { "off" },
            if config.auto_increment_offsets {
                "on"
            } else {
                "off"
            }
        ),
        format!(
            "-- applied of every leader (server id:count): {}",
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
    // Replication origins, one per subscription (its id in the order they were created).
    let origins: Vec<OriginStatus> = from
        .iter()
        .enumerate()
        .map(|(i, &up)| {
            let remote = server
                .disk
                .multi
                .received
                .get(&NodeId(up - 1))
                .copied()
                .unwrap_or(0);
            let local = server
                .disk
                .multi
                .log
                .iter()
                .rev()
                .find(|l| upstream(l, me) == Some(up))
                .map_or(0, |l| l.pos);
            OriginStatus {
                local_id: i as u32 + 1,
                external_id: origin_name(up),
                remote_lsn: if remote == 0 {
                    "0/0".into()
                } else {
                    lsn(remote)
                },
                local_lsn: if local == 0 { "0/0".into() } else { lsn(local) },
            }
        })
        .collect();
    lines.extend(ml::pg_replication_origin_status(&origins));
    lines.push(
        "-- lab: an LSN stands for a position in a leader's change log; a subscription's oid is \
         16393 + its publisher's server id"
            .into(),
    );
    lines.push(String::new());
    let conflicts: Vec<&Conflict> = server.disk.multi.conflicts.iter().collect();
    let subs: Vec<SubscriptionStats> = from
        .iter()
        .map(|&up| SubscriptionStats {
            subid: subscription_oid(up),
            subname: subscription_name(&leaders.name(up)),
            conflicts: conflicts
                .iter()
                .filter(|c| provenance.upstream(c.remote.dot) == up)
                .map(|c| c.kind)
                .collect(),
        })
        .collect();
    lines.extend(ml::pg_stat_subscription_stats(&subs));
    lines.push(format!(
        "-- lab: the leaders run with track_commit_timestamp = on (PostgreSQL 18 detects \
         *_origin_differs only then) and settle every conflict the same way on every leader, \
         as pglogical and BDR do ({}), where PostgreSQL 18 stops on insert_exists and applies \
         the remote change otherwise",
        config.resolver.label()
    ));
    let shown = conflicts.len().saturating_sub(CONFLICTS_SHOWN);
    if !conflicts.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "-- {}'s server log, the last {} of {} conflicts:",
            leaders.name(me),
            conflicts.len() - shown,
            conflicts.len()
        ));
    }
    for c in &conflicts[shown..] {
        lines.extend(conflict_lines(
            world, server, leaders, schemas, provenance, c,
        ));
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
fn local_write(v: &RowVersion, me: u32, provenance: &Provenance) -> LocalWrite {
    let from = provenance.upstream(v.dot);
    LocalWrite {
        row: v.image.clone(),
        origin: (from != me).then(|| origin_name(from)),
        xid: provenance.xid(v.dot),
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
    provenance: &Provenance,
    c: &Conflict,
) -> Vec<String> {
    let me = leaders.me;
    let from = provenance.upstream(c.remote.dot);
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
        local: c.local.first().map(|v| local_write(v, me, provenance)),
        remote: c.remote.image.clone(),
        context: Some(ApplyContext {
            origin: origin_name(from),
            message_type: message_type.into(),
            relation: Some(format!("public.{}", c.table)),
            xid: provenance.xid(c.remote.dot),
            finished_at: lsn(finished),
        }),
    };
    // The apply worker of the subscription the change came through.
    let pid = 9_700 + 10 * me + from;
    let prefix = format!("{} [{pid}] ", log_time(wall_clock(server, c.at)));
    let mut lines: Vec<String> = conflict_log(&report)
        .into_iter()
        .map(|l| {
            if l.starts_with('\t') {
                l
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect();
    lines.push(format!(
        "-- lab: {}; the lab's resolver: {}",
        pg18_behaviour(c.kind),
        resolution_words(server, c)
    ));
    if c.local.len() > 1 {
        lines.push(format!(
            "-- lab: {} versions were here (siblings); PostgreSQL keeps one row, the report \
             shows the first",
            c.local.len()
        ));
    }
    lines
}
