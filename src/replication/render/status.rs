//! PostgreSQL's replication views as psql's expanded display (`\x`) prints them, which fits
//! a narrow inspector panel better than a wide table:
//! - [`render_pg_stat_replication`]: `pg_stat_replication` on the primary, one record per
//!   standby, behind the `SELECT` that picks the columns the lab knows (it has no backend
//!   pids, client addresses or ports to show, so it does not invent them);
//! - [`render_pg_stat_wal_receiver`]: `pg_stat_wal_receiver` on a standby, likewise;
//! - [`render_standby_functions`]: `pg_is_in_recovery()` and the standby's receive / replay
//!   positions as psql's aligned table.
//!
//! The caller supplies positions already formatted and lags in microseconds; lags print as
//! PostgreSQL intervals, an unknown lag (NULL) as empty, times as `timestamptz` in UTC.
//!
//! Knows text and numbers; nothing of the world, the network or the UI.

use super::psql::{aligned_table, expanded, Cell};
use super::text::{pg_interval, pg_timestamp};

/// One row of `pg_stat_replication`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandbyStatus {
    /// `application_name`: the standby's name (`follower-1`).
    pub name: String,
    /// `startup`, `catchup`, `streaming`, `backup` or `stopping`.
    pub state: String,
    pub sent: String,
    pub write: String,
    pub flush: String,
    pub replay: String,
    pub write_lag: Option<u64>,
    pub flush_lag: Option<u64>,
    pub replay_lag: Option<u64>,
    /// 0 for an asynchronous standby, else its priority in `synchronous_standby_names`.
    pub sync_priority: u32,
    /// `async`, `potential`, `sync` or `quorum`.
    pub sync_state: String,
    /// When the standby last replied (epoch microseconds); `None` prints NULL.
    pub reply_time: Option<i64>,
}

/// The view's columns the lab shows, in the view's order.
pub const PG_STAT_REPLICATION_COLUMNS: [&str; 12] = [
    "application_name",
    "state",
    "sent_lsn",
    "write_lsn",
    "flush_lsn",
    "replay_lsn",
    "write_lag",
    "flush_lag",
    "replay_lag",
    "sync_priority",
    "sync_state",
    "reply_time",
];

/// A `timestamptz` as psql prints it with `TimeZone=UTC`: `2026-11-28 13:31:53.696885+00`.
pub fn pg_timestamptz(micros: i64) -> String {
    format!("{}+00", pg_timestamp(micros))
}

/// `SELECT <columns> FROM <view>;` under psql's prompt, then each row as a `\x` record.
fn select_expanded<const N: usize>(
    columns: &[&str; N],
    view: &str,
    rows: impl Iterator<Item = [String; N]>,
) -> Vec<String> {
    let records: Vec<Vec<(String, String)>> = rows
        .map(|values| columns.iter().map(|c| c.to_string()).zip(values).collect())
        .collect();
    let mut out = vec![query_line(columns, view)];
    out.extend(expanded(&records));
    out
}

/// The psql prompt and query a view is shown under.
fn query_line(columns: &[&str], view: &str) -> String {
    format!("postgres=# SELECT {} FROM {view};", columns.join(", "))
}

/// The standbys as psql's `\x` display of `pg_stat_replication` (`(0 rows)` for none),
/// under the `SELECT` that picks its columns.
pub fn render_pg_stat_replication(standbys: &[StandbyStatus]) -> Vec<String> {
    let lag = |l: Option<u64>| l.map(pg_interval).unwrap_or_default();
    let records = standbys.iter().map(|s| {
        [
            s.name.clone(),
            s.state.clone(),
            s.sent.clone(),
            s.write.clone(),
            s.flush.clone(),
            s.replay.clone(),
            lag(s.write_lag),
            lag(s.flush_lag),
            lag(s.replay_lag),
            s.sync_priority.to_string(),
            s.sync_state.clone(),
            s.reply_time.map(pg_timestamptz).unwrap_or_default(),
        ]
    });
    select_expanded(&PG_STAT_REPLICATION_COLUMNS, "pg_stat_replication", records)
}

/// One row of `pg_stat_wal_receiver`: a standby's WAL receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalReceiverStatus {
    /// `streaming`, `starting`, `waiting`, `restarting` or `stopping`.
    pub status: String,
    pub written_lsn: String,
    pub flushed_lsn: String,
    /// The timeline of the last WAL received.
    pub received_tli: u32,
    /// When the last message from the primary arrived (epoch microseconds).
    pub last_msg_receipt_time: Option<i64>,
    /// The last position reported back to the primary.
    pub latest_end_lsn: String,
    /// The primary's host (the lab's node name).
    pub sender_host: String,
    /// The standby's own name, its `application_name` in `primary_conninfo`.
    pub application_name: String,
}

/// The `pg_stat_wal_receiver` columns the lab shows, in the view's order.
pub const PG_STAT_WAL_RECEIVER_COLUMNS: [&str; 9] = [
    "status",
    "written_lsn",
    "flushed_lsn",
    "received_tli",
    "last_msg_receipt_time",
    "latest_end_lsn",
    "sender_host",
    "sender_port",
    "conninfo",
];

/// `pg_stat_wal_receiver` on a standby as psql's `\x` display prints it; `None` (no WAL
/// receiver running) is `(0 rows)`.
pub fn render_pg_stat_wal_receiver(receiver: Option<&WalReceiverStatus>) -> Vec<String> {
    let records = receiver.iter().map(|r| {
        [
            r.status.clone(),
            r.written_lsn.clone(),
            r.flushed_lsn.clone(),
            r.received_tli.to_string(),
            r.last_msg_receipt_time
                .map(pg_timestamptz)
                .unwrap_or_default(),
            r.latest_end_lsn.clone(),
            r.sender_host.clone(),
            "5432".to_string(),
            format!(
                "user=postgres dbname=replication host={} port=5432 application_name={} \
                     fallback_application_name=walreceiver",
                r.sender_host, r.application_name
            ),
        ]
    });
    select_expanded(
        &PG_STAT_WAL_RECEIVER_COLUMNS,
        "pg_stat_wal_receiver",
        records,
    )
}

/// `SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(),
/// pg_last_xact_replay_timestamp();` on a standby, as psql's aligned table.
pub fn render_standby_functions(
    in_recovery: bool,
    receive_lsn: Option<&str>,
    replay_lsn: Option<&str>,
    last_replay: Option<i64>,
) -> Vec<String> {
    let mut out = vec![
        "postgres=# SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), pg_last_xact_replay_timestamp();".to_string(),
    ];
    out.extend(aligned_table(
        &[
            "pg_is_in_recovery",
            "pg_last_wal_receive_lsn",
            "pg_last_wal_replay_lsn",
            "pg_last_xact_replay_timestamp",
        ],
        &[vec![
            Cell::left(if in_recovery { "t" } else { "f" }),
            Cell::left(receive_lsn.unwrap_or("")),
            Cell::left(replay_lsn.unwrap_or("")),
            Cell::left(last_replay.map(pg_timestamptz).unwrap_or_default()),
        ]],
    ));
    out
}
