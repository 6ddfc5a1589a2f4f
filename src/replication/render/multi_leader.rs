//! A multi-leader cluster's log and conflicts as the real databases print them, from the same
//! [`Logged`] changes the leaders apply:
//! - [`test_decoding_view`]: PostgreSQL's view of a leader's changes, as `pg_recvlogical
//!   --plugin=test_decoding -o include-xids=0 -o include-timestamp=1` prints them. A change
//!   applied from another leader is decoded with its origin's commit time (the apply worker
//!   commits with the origin's timestamp), and a `-- origin` line names the replication
//!   origin pgoutput's Origin message carries (test_decoding itself prints none);
//! - [`ring_binlog_view`]: MySQL's view of a ring, `mysqlbinlog -v` of a server's binlog with
//!   `log_replica_updates=ON`: every event header keeps the `server id` of the server that
//!   wrote the transaction, and its GTID is the origin's;
//! - [`conflict_log`]: PostgreSQL 18's conflict report (`conflict detected on relation …:
//!   conflict=…`, its DETAIL and CONTEXT lines) as `ReportApplyConflict` writes it;
//! - [`pg_replication_origin_status`] and [`pg_stat_subscription_stats`]: a leader's
//!   replication origins and its subscriptions' conflict counters, PostgreSQL 18's columns.
//!
//! Subscription oids, origin names and LSNs are the lab's: a subscription to the leader with
//! server id `n` has oid `16393 + n` and origin `pg_<oid>`; an LSN stands for a position in a
//! leader's change log ([`lsn`]). The renderings say so on screen.
//!
//! Pure functions of plain data: nothing of the world, the network or the UI.

use super::binlog::{row_transaction_as, server_uuid, Gtid};
use super::decoding::{decoding_change, ReplicaIdentity};
use super::psql::{aligned_table, expanded, Cell};
use super::slots::ApplyContext;
use super::status::pg_timestamptz;
use super::text::pg_text;
use super::RenderOptions;
use crate::engine::{RowOp, TableSchema, Value};
use crate::replication::config::RowImage;
use crate::replication::log::{payload_bytes, LogEntry, LogEntryData, Payload};
use crate::replication::multi_leader::messages::Logged;
use crate::replication::multi_leader::state::ConflictKind;

/// The leaders as the renderings name them.
#[derive(Clone, Copy, Debug)]
pub struct Leaders<'a> {
    /// The server id of the leader whose log or status is shown.
    pub me: u32,
    /// The leaders' names, by server id (the first is server id 1).
    pub names: &'a [String],
}

impl Leaders<'_> {
    /// `leader-b` for server id 2 (`server 9` for an id no leader has).
    pub fn name(&self, server_id: u32) -> String {
        server_id
            .checked_sub(1)
            .and_then(|i| self.names.get(i as usize))
            .cloned()
            .unwrap_or_else(|| format!("server {server_id}"))
    }
}

/// The oid of a leader's subscription to the leader with server id `upstream`.
pub fn subscription_oid(upstream: u32) -> u32 {
    16_393 + upstream
}

/// The replication origin of that subscription, as PostgreSQL names it: `pg_<oid>`.
pub fn origin_name(upstream: u32) -> String {
    format!("pg_{}", subscription_oid(upstream))
}

/// The subscription's name: `sub_leader_a` for the subscription to `leader-a`.
pub fn subscription_name(upstream_name: &str) -> String {
    format!("sub_{}", upstream_name.replace('-', "_"))
}

/// The lab's LSN for position `pos` of a leader's change log (184 bytes a transaction from
/// `0/3000000`), as PostgreSQL prints one: `0/30000B8`.
pub fn lsn(pos: u64) -> String {
    let bytes = 0x300_0000u64.saturating_add(pos.saturating_mul(0xB8));
    format!("{:X}/{:X}", bytes >> 32, bytes & 0xFFFF_FFFF)
}

/// The leader a logged change came from (None: this leader's own commit): the server id
/// before this leader's on its path.
pub fn upstream(logged: &Logged, me: u32) -> Option<u32> {
    let path = &logged.change.path;
    match path.as_slice() {
        [only] if *only == me => None,
        [.., from, last] if *last == me => Some(*from),
        [.., last] => Some(*last),
        [] => None,
    }
}

/// Why the PostgreSQL view of a forwarding topology is the lab's, in one line.
const NO_RING_IN_POSTGRES: &str = "-- lab: PostgreSQL has no ring or star: an applied change \
     keeps the origin of the subscription that applied it, not of the leader that wrote it, and \
     a subscription with origin = any would send it round forever; the lab ends loops by the \
     server ids a change passed, as MySQL does";

/// A leader's changes as test_decoding prints them (`include-xids=0`,
/// `include-timestamp=1`), each applied one after a `-- origin` line. `forwards`: the
/// topology sends on what a leader received (a ring or a star), which PostgreSQL cannot.
pub fn test_decoding_view(
    entries: &[Logged],
    leaders: Leaders,
    identity: ReplicaIdentity,
    schemas: &[TableSchema],
    forwards: bool,
) -> Vec<String> {
    let mut out = vec![format!(
        "-- lab: {}'s changes as pg_recvlogical --plugin=test_decoding -o include-xids=0 -o \
         include-timestamp=1 prints them; test_decoding prints no origin (only-local=1 would \
         leave out what came from elsewhere): the -- origin line is what pgoutput's Origin \
         message carries, and COMMIT shows the origin's commit time",
        leaders.name(leaders.me)
    )];
    if forwards {
        out.push(NO_RING_IN_POSTGRES.into());
    }
    for logged in entries {
        let change = &logged.change;
        if let Some(from) = upstream(logged, leaders.me) {
            let began = if change.dot.server_id == from {
                String::new()
            } else {
                format!(", written at {}", leaders.name(change.dot.server_id))
            };
            out.push(format!(
                "-- origin \"{}\" (from {}{began})",
                origin_name(from),
                leaders.name(from)
            ));
        }
        out.push("BEGIN".into());
        for (row, _) in &change.rows {
            out.extend(
                decoding_change(row, identity, schemas)
                    .split('\n')
                    .map(str::to_string),
            );
        }
        out.push(format!("COMMIT (at {})", pg_timestamptz(change.commit_ts)));
    }
    out
}

/// Where the binlog's first transaction starts in a fresh MySQL 8 binlog (after the format
/// description and previous-GTIDs events).
pub const BINLOG_FIRST: u64 = 157;

/// How many binlog bytes a logged change takes: its row events plus the GTID, `BEGIN`,
/// table map and Xid events around them.
pub fn binlog_size(logged: &Logged) -> u64 {
    let rows = logged.change.rows.iter().map(|(r, _)| r.clone()).collect();
    payload_bytes(&Payload::Rows(rows)) + 250
}

/// A server's binlog in a ring (`log_replica_updates=ON`) as `mysqlbinlog -v` prints it:
/// each transaction's events carry the `server id` of the server that wrote it and its
/// GTID is that server's; `first_start` is where the first of `entries` starts.
pub fn ring_binlog_view(entries: &[Logged], leaders: Leaders, first_start: u64) -> Vec<String> {
    let mut out = vec![format!(
        "# lab: {}'s binary log (server_id={}, log_replica_updates=ON) as mysqlbinlog -v prints \
         it, binlog_row_image=FULL: a transaction it applied keeps the server id and GTID of the \
         server that wrote it; a server skips events with its own server id \
         (replicate-same-server-id=0), which ends a ring's loop; immediate_commit_timestamp \
         shows the original's",
        leaders.name(leaders.me),
        leaders.me
    )];
    let mut start = first_start;
    for logged in entries {
        let change = &logged.change;
        let end = start + binlog_size(logged);
        let changes: Vec<_> = change.rows.iter().map(|(r, _)| r.clone()).collect();
        let entry = LogEntry::new(LogEntryData {
            index: logged.pos,
            term: change.dot.server_id,
            xid: change.xid,
            committed_at: change.commit_ts,
            start,
            end,
            payload: Payload::Rows(changes.clone()),
        });
        let options = RenderOptions {
            server_id: change.dot.server_id,
            ..RenderOptions::default()
        };
        let gtid = Gtid {
            uuid: server_uuid(change.dot.server_id),
            number: change.dot.seq,
        };
        let lines = row_transaction_as(&entry, &changes, RowImage::Full, &options, &gtid);
        // Each transaction's own `# lab:` line says what the header above says.
        out.extend(lines.into_iter().skip_while(|l| l.starts_with("# lab:")));
        start = end;
    }
    out
}

/// A value as `ExecBuildSlotValueDescription` writes it: the type's output text, `null`,
/// cut to 64 bytes with `...`.
fn slot_value(value: &Value) -> String {
    let text = pg_text(value).unwrap_or_else(|| "null".into());
    if text.len() <= 64 {
        return text;
    }
    let mut cut = 64;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}...", &text[..cut])
}

fn row_desc(row: &[Value]) -> String {
    let cells: Vec<String> = row.iter().map(slot_value).collect();
    format!("({})", cells.join(", "))
}

/// Who last wrote the local row a conflict met, as PostgreSQL's commit timestamps record it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalWrite {
    /// The row here (None: it is deleted here).
    pub row: Option<Vec<Value>>,
    /// The replication origin that applied it (None: written locally).
    pub origin: Option<String>,
    pub xid: u64,
    /// Its commit timestamp (epoch microseconds).
    pub committed: i64,
}

/// One conflict, as the apply worker reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConflictReport {
    pub kind: ConflictKind,
    pub table: String,
    pub key_column: String,
    pub key: Value,
    /// The local row's last write (None for `update_missing` and `delete_missing`).
    pub local: Option<LocalWrite>,
    /// The remote new row (an INSERT's or UPDATE's).
    pub remote: Option<Vec<Value>>,
    /// Where the apply worker was (its CONTEXT line).
    pub context: Option<ApplyContext>,
}

/// The message type a conflict's remote change was (`INSERT`, `UPDATE`, `DELETE`).
pub fn message_type(op: RowOp) -> &'static str {
    match op {
        RowOp::Insert => "INSERT",
        RowOp::Update => "UPDATE",
        RowOp::Delete => "DELETE",
    }
}

/// The first line of a conflict report: `LOG:  conflict detected on relation
/// "public.orders": conflict=update_origin_differs` (`ERROR:` for `insert_exists`, which
/// stops the apply worker). `kind` is PostgreSQL's name for it.
pub fn conflict_headline(kind: &str, table: &str) -> String {
    let level = if kind == ConflictKind::InsertExists.name() {
        "ERROR"
    } else {
        "LOG"
    };
    format!("{level}:  conflict detected on relation \"public.{table}\": conflict={kind}")
}

/// What PostgreSQL 18 itself does with a conflict of this kind.
pub fn pg18_behaviour(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::InsertExists => {
            "PostgreSQL 18 stops here: the apply worker exits with this ERROR and retries \
             every 5 s until the local row is removed"
        }
        ConflictKind::UpdateOriginDiffers | ConflictKind::DeleteOriginDiffers => {
            "PostgreSQL 18 only logs it and applies the remote change"
        }
        ConflictKind::UpdateMissing | ConflictKind::DeleteMissing => {
            "PostgreSQL 18 logs it and skips the change"
        }
    }
}

/// A conflict as PostgreSQL 18's `ReportApplyConflict` logs it: the headline, `DETAIL:`
/// with the explanation and, on a line of its own (tab-indented, as the server log prints a
/// message's next lines), the key, the existing local row, the remote row and the replica
/// identity, then the `CONTEXT:` line.
pub fn conflict_log(report: &ConflictReport) -> Vec<String> {
    let kind = report.kind;
    let table = &report.table;
    let written = |what: &str| match &report.local {
        Some(LocalWrite {
            origin: Some(origin),
            xid,
            committed,
            ..
        }) => format!(
            "{what} by a different origin \"{origin}\" in transaction {xid} at {}.",
            pg_timestamptz(*committed)
        ),
        Some(LocalWrite { xid, committed, .. }) => format!(
            "{what} locally in transaction {xid} at {}.",
            pg_timestamptz(*committed)
        ),
        None => format!("{what}."),
    };
    let explanation = match kind {
        ConflictKind::InsertExists => {
            let index = format!("Key already exists in unique index \"{table}_pkey\"");
            match &report.local {
                Some(LocalWrite {
                    origin: Some(origin),
                    xid,
                    committed,
                    ..
                }) => format!(
                    "{index}, modified by origin \"{origin}\" in transaction {xid} at {}.",
                    pg_timestamptz(*committed)
                ),
                Some(LocalWrite { xid, committed, .. }) => format!(
                    "{index}, modified locally in transaction {xid} at {}.",
                    pg_timestamptz(*committed)
                ),
                None => format!("{index}."),
            }
        }
        ConflictKind::UpdateOriginDiffers => written("Updating the row that was modified"),
        ConflictKind::DeleteOriginDiffers => written("Deleting the row that was modified"),
        ConflictKind::UpdateMissing => "Could not find the row to be updated.".into(),
        ConflictKind::DeleteMissing => "Could not find the row to be deleted.".into(),
    };
    // The values, in ReportApplyConflict's order; the first part capitalised.
    let key = format!("({})=({})", report.key_column, slot_value(&report.key));
    let mut parts: Vec<String> = Vec::new();
    if kind == ConflictKind::InsertExists {
        parts.push(format!("key {key}"));
    }
    let local_row = report.local.as_ref().and_then(|l| l.row.as_ref());
    if let Some(row) = local_row {
        parts.push(format!("existing local row {}", row_desc(row)));
    }
    if let Some(row) = &report.remote {
        parts.push(format!("remote row {}", row_desc(row)));
    }
    if kind != ConflictKind::InsertExists {
        parts.push(format!("replica identity {key}"));
    }
    let mut values = parts.join("; ");
    if let Some(first) = values.get(..1) {
        values = format!("{}{}.", first.to_ascii_uppercase(), &values[1..]);
    }
    let mut out = vec![
        conflict_headline(kind.name(), table),
        format!("DETAIL:  {explanation}"),
        format!("\t{values}"),
    ];
    if let Some(c) = &report.context {
        let relation = c
            .relation
            .as_ref()
            .map(|r| format!(" for replication target relation \"{r}\""))
            .unwrap_or_default();
        out.push(format!(
            "CONTEXT:  processing remote data for replication origin \"{}\" during message \
             type \"{}\"{relation} in transaction {}, finished at {}",
            c.origin, c.message_type, c.xid, c.finished_at
        ));
    }
    out
}

/// One row of `pg_replication_origin_status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginStatus {
    pub local_id: u32,
    pub external_id: String,
    pub remote_lsn: String,
    pub local_lsn: String,
}

/// `SELECT * FROM pg_replication_origin_status;` as psql prints it.
pub fn pg_replication_origin_status(origins: &[OriginStatus]) -> Vec<String> {
    let rows: Vec<Vec<Cell>> = origins
        .iter()
        .map(|o| {
            vec![
                Cell::right(o.local_id.to_string()),
                Cell::left(o.external_id.clone()),
                Cell::left(o.remote_lsn.clone()),
                Cell::left(o.local_lsn.clone()),
            ]
        })
        .collect();
    let mut out = vec!["postgres=# SELECT * FROM pg_replication_origin_status;".to_string()];
    out.extend(aligned_table(
        &["local_id", "external_id", "remote_lsn", "local_lsn"],
        &rows,
    ));
    out
}

/// PostgreSQL 18's conflict counters, in `pg_stat_subscription_stats`'s column order.
pub const CONFLICT_COLUMNS: [&str; 7] = [
    "confl_insert_exists",
    "confl_update_origin_differs",
    "confl_update_exists",
    "confl_update_missing",
    "confl_delete_origin_differs",
    "confl_delete_missing",
    "confl_multiple_unique_conflicts",
];

/// The counter column a conflict kind counts in.
pub fn conflict_column(kind: ConflictKind) -> &'static str {
    match kind {
        ConflictKind::InsertExists => CONFLICT_COLUMNS[0],
        ConflictKind::UpdateOriginDiffers => CONFLICT_COLUMNS[1],
        ConflictKind::UpdateMissing => CONFLICT_COLUMNS[3],
        ConflictKind::DeleteOriginDiffers => CONFLICT_COLUMNS[4],
        ConflictKind::DeleteMissing => CONFLICT_COLUMNS[5],
    }
}

/// One subscription's row of `pg_stat_subscription_stats`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionStats {
    pub subid: u32,
    pub subname: String,
    /// The conflict kinds it met, one entry per conflict.
    pub conflicts: Vec<ConflictKind>,
}

/// `SELECT * FROM pg_stat_subscription_stats;` in psql's expanded form (`\x`): PostgreSQL
/// 18's columns, `stats_reset` NULL (never reset).
pub fn pg_stat_subscription_stats(subs: &[SubscriptionStats]) -> Vec<String> {
    let records: Vec<Vec<(String, String)>> = subs
        .iter()
        .map(|s| {
            let mut record = vec![
                ("subid".to_string(), s.subid.to_string()),
                ("subname".to_string(), s.subname.clone()),
                ("apply_error_count".to_string(), "0".to_string()),
                ("sync_error_count".to_string(), "0".to_string()),
            ];
            for column in CONFLICT_COLUMNS {
                let n = s
                    .conflicts
                    .iter()
                    .filter(|k| conflict_column(**k) == column)
                    .count();
                record.push((column.to_string(), n.to_string()));
            }
            record.push(("stats_reset".to_string(), String::new()));
            record
        })
        .collect();
    let mut out = vec!["postgres=# SELECT * FROM pg_stat_subscription_stats;".to_string()];
    out.extend(expanded(&records));
    out
}
