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
use crate::replication::log::{LogEntry, LogEntryData, Payload};
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
/// `0/3000000`), as PostgreSQL prints one: `0/30000B8`; `0/0` for nothing yet.
pub fn lsn(pos: u64) -> String {
    if pos == 0 {
        return "0/0".into();
    }
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
const NO_RING_IN_POSTGRES: &str = "-- lab: PostgreSQL has no ring or star: a change keeps \
     the origin of the subscription that applied it, and origin = any would send it round \
     forever; the lab ends loops by server ids, as MySQL does";

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
        "-- lab: {}'s changes, pg_recvlogical --plugin=test_decoding -o include-xids=0 -o \
         include-timestamp=1; test_decoding prints no origin: -- origin is pgoutput's Origin \
         message",
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
            // A value with a newline prints across lines, as pg_recvlogical shows it.
            for line in decoding_change(row, identity, schemas).split('\n') {
                out.push(line.to_string());
            }
        }
        out.push(format!("COMMIT (at {})", pg_timestamptz(change.commit_ts)));
    }
    out
}

/// Where the binlog's first transaction starts in a fresh MySQL 8 binlog (after the format
/// description and previous-GTIDs events).
pub const BINLOG_FIRST: u64 = 157;

/// How many binlog bytes a logged change takes, roughly: the GTID, `BEGIN`, table map and
/// Xid events, and per row its event's header and images (about 8 bytes a value).
pub fn binlog_size(logged: &Logged) -> u64 {
    let mut size = 250;
    for (row, _) in &logged.change.rows {
        size += 30 + 16 * row.columns.len() as u64;
    }
    size
}

/// A server's binlog in a ring (`log_replica_updates=ON`) as `mysqlbinlog -v` prints it:
/// each transaction's events carry the `server id` of the server that wrote it and its
/// GTID is that server's; `first_start` is where the first of `entries` starts.
pub fn ring_binlog_view(entries: &[Logged], leaders: Leaders, first_start: u64) -> Vec<String> {
    let mut out = vec![format!(
        "# lab: mysqlbinlog -v of {}'s binlog (server_id={}, log_replica_updates=ON): applied \
         transactions keep their writer's server id and GTID; a server skips its own \
         (replicate-same-server-id=0), which ends a ring's loop",
        leaders.name(leaders.me),
        leaders.me
    )];
    let mut start = first_start;
    for logged in entries {
        let change = &logged.change;
        let end = start + binlog_size(logged);
        let mut changes = Vec::with_capacity(change.rows.len());
        for (row, _) in &change.rows {
            changes.push(row.clone());
        }
        let entry = LogEntry::new(LogEntryData {
            index: logged.pos,
            term: change.dot.server_id,
            xid: change.xid,
            committed_at: change.commit_ts,
            start,
            end,
            // The events are printed from `changes`; the entry gives positions and times.
            payload: Payload::Rows(Vec::new()),
        });
        let options = RenderOptions {
            server_id: change.dot.server_id,
            ..RenderOptions::default()
        };
        let gtid = Gtid {
            uuid: server_uuid(change.dot.server_id),
            number: change.dot.seq,
        };
        // Each transaction's own `# lab:` line says what the header above says.
        for line in row_transaction_as(&entry, &changes, RowImage::Full, &options, &gtid) {
            if !line.starts_with("# lab:") {
                out.push(line);
            }
        }
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
    let mut out = String::from("(");
    for (i, value) in row.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&slot_value(value));
    }
    out.push(')');
    out
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
            "PostgreSQL 18 stops here (the apply worker retries until the row is removed)"
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
    // Who last wrote the local row, after the conflict's own opening words.
    let modified = |lead: &str, by: &str| match &report.local {
        Some(LocalWrite {
            origin,
            xid,
            committed,
            ..
        }) => {
            let who = origin
                .as_ref()
                .map_or_else(|| "locally".to_string(), |o| format!("by {by} \"{o}\""));
            format!(
                "{lead} {who} in transaction {xid} at {}.",
                pg_timestamptz(*committed)
            )
        }
        None => format!("{lead}."),
    };
    let explanation = match kind {
        ConflictKind::InsertExists => modified(
            &format!("Key already exists in unique index \"{table}_pkey\", modified"),
            "origin",
        ),
        ConflictKind::UpdateOriginDiffers => {
            modified("Updating the row that was modified", "a different origin")
        }
        ConflictKind::DeleteOriginDiffers => {
            modified("Deleting the row that was modified", "a different origin")
        }
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
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for o in origins {
        rows.push(vec![
            Cell::right(o.local_id.to_string()),
            Cell::left(o.external_id.clone()),
            Cell::left(o.remote_lsn.clone()),
            Cell::left(o.local_lsn.clone()),
        ]);
    }
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
    let mut records: Vec<Vec<(String, String)>> = Vec::new();
    for s in subs {
        let mut record = vec![
            ("subid".to_string(), s.subid.to_string()),
            ("subname".to_string(), s.subname.clone()),
            ("apply_error_count".to_string(), "0".to_string()),
            ("sync_error_count".to_string(), "0".to_string()),
        ];
        for column in CONFLICT_COLUMNS {
            let mut n = 0;
            for kind in &s.conflicts {
                if conflict_column(*kind) == column {
                    n += 1;
                }
            }
            record.push((column.to_string(), n.to_string()));
        }
        record.push(("stats_reset".to_string(), String::new()));
        records.push(record);
    }
    let mut out = vec!["postgres=# SELECT * FROM pg_stat_subscription_stats;".to_string()];
    out.extend(expanded(&records));
    out
}
