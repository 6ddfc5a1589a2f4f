//! PostgreSQL's views of replication slots and subscriptions, as psql prints them:
//! - [`render_pg_replication_slots`]: `pg_replication_slots` on a primary (`\x`), under the
//!   `SELECT` that picks the columns the lab knows (no backend pids: it does not invent them);
//! - [`render_pg_stat_subscription`]: a logical subscriber's apply worker
//!   (`pg_stat_subscription`, `\x`; a worker that exited on an error has NULLs, as the view's
//!   LEFT JOIN gives), and its error counters (`pg_stat_subscription_stats`, aligned);
//! - [`apply_error_log`]: the apply worker's failure as the subscriber's server log prints it
//!   (`log_line_prefix = '%m [%p] '`, PostgreSQL's default), with its CONTEXT line.
//!
//! Plain text from plain values: nothing of the world, the network or the UI.

use super::psql::{aligned_table, expanded, Cell};
use super::status::pg_timestamptz;
use super::text::civil_time;

/// One row of `pg_replication_slots`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotStatus {
    pub slot_name: String,
    /// The output plugin of a logical slot (`pgoutput`); `None` for a physical slot.
    pub plugin: Option<String>,
    /// The database a logical slot decodes; `None` for a physical slot.
    pub database: Option<String>,
    pub active: bool,
    /// The oldest transaction whose catalog rows a logical slot still needs.
    pub catalog_xmin: Option<u64>,
    pub restart_lsn: String,
    /// How far a logical slot's consumer confirmed; `None` for a physical slot.
    pub confirmed_flush_lsn: Option<String>,
}

/// The `pg_replication_slots` columns the lab shows, in the view's order.
pub const PG_REPLICATION_SLOTS_COLUMNS: [&str; 10] = [
    "slot_name",
    "plugin",
    "slot_type",
    "database",
    "temporary",
    "active",
    "catalog_xmin",
    "restart_lsn",
    "confirmed_flush_lsn",
    "wal_status",
];

/// The slots as psql's `\x` display of `pg_replication_slots` (`(0 rows)` for none).
pub fn render_pg_replication_slots(slots: &[SlotStatus]) -> Vec<String> {
    let bool_text = |b: bool| if b { "t" } else { "f" }.to_string();
    let records: Vec<Vec<(String, String)>> = slots
        .iter()
        .map(|s| {
            let values = [
                s.slot_name.clone(),
                s.plugin.clone().unwrap_or_default(),
                if s.plugin.is_some() {
                    "logical"
                } else {
                    "physical"
                }
                .to_string(),
                s.database.clone().unwrap_or_default(),
                bool_text(false),
                bool_text(s.active),
                s.catalog_xmin.map(|x| x.to_string()).unwrap_or_default(),
                s.restart_lsn.clone(),
                s.confirmed_flush_lsn.clone().unwrap_or_default(),
                "reserved".to_string(),
            ];
            PG_REPLICATION_SLOTS_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .zip(values)
                .collect()
        })
        .collect();
    let mut out = vec![format!(
        "postgres=# SELECT {} FROM pg_replication_slots;",
        PG_REPLICATION_SLOTS_COLUMNS.join(", ")
    )];
    out.extend(expanded(&records));
    out
}

/// A logical subscription as its subscriber sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionStatus {
    pub subname: String,
    /// The apply worker, while it runs: `None` after it exited on an error (until its next
    /// start), which the view shows as NULLs.
    pub worker: Option<ApplyWorker>,
    /// `pg_stat_subscription_stats.apply_error_count`.
    pub apply_error_count: u64,
    /// `pg_stat_subscription_stats.sync_error_count`.
    pub sync_error_count: u64,
}

/// What a running apply worker reports in `pg_stat_subscription`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyWorker {
    pub received_lsn: String,
    /// When the last message from the publisher arrived (epoch microseconds).
    pub last_msg_receipt_time: i64,
    /// The last position reported back to the publisher.
    pub latest_end_lsn: String,
}

/// The `pg_stat_subscription` columns the lab shows, in the view's order.
pub const PG_STAT_SUBSCRIPTION_COLUMNS: [&str; 4] = [
    "subname",
    "received_lsn",
    "last_msg_receipt_time",
    "latest_end_lsn",
];

/// `pg_stat_subscription` (`\x`) and `pg_stat_subscription_stats` (aligned, the columns the
/// real sample selects) for one subscription.
pub fn render_pg_stat_subscription(sub: &SubscriptionStatus) -> Vec<String> {
    let (received, receipt, end) = sub.worker.as_ref().map_or_else(
        || (String::new(), String::new(), String::new()),
        |w| {
            (
                w.received_lsn.clone(),
                pg_timestamptz(w.last_msg_receipt_time),
                w.latest_end_lsn.clone(),
            )
        },
    );
    let record: Vec<(String, String)> = PG_STAT_SUBSCRIPTION_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .zip([sub.subname.clone(), received, receipt, end])
        .collect();
    let mut out = vec![format!(
        "postgres=# SELECT {} FROM pg_stat_subscription;",
        PG_STAT_SUBSCRIPTION_COLUMNS.join(", ")
    )];
    out.extend(expanded(&[record]));
    out.push(
        "postgres=# SELECT subname, apply_error_count, sync_error_count FROM \
         pg_stat_subscription_stats;"
            .into(),
    );
    out.extend(aligned_table(
        &["subname", "apply_error_count", "sync_error_count"],
        &[vec![
            Cell::left(sub.subname.clone()),
            Cell::right(sub.apply_error_count.to_string()),
            Cell::right(sub.sync_error_count.to_string()),
        ]],
    ));
    out
}

/// A time as `%m` prints it in a log line: `2026-11-28 13:45:52.157 UTC`.
pub fn log_time(micros: i64) -> String {
    let t = civil_time(micros);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} UTC",
        t.year,
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.micros / 1_000
    )
}

/// Where the apply worker was when it failed: its CONTEXT line's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyContext {
    /// `pg_<subscription oid>`.
    pub origin: String,
    /// `INSERT`, `UPDATE`, `DELETE`.
    pub message_type: String,
    /// The target relation, once the worker could open it (`public.orders`); a missing
    /// relation or column fails before, and the CONTEXT line then names none.
    pub relation: Option<String>,
    pub xid: u64,
    pub finished_at: String,
}

/// The apply worker's failure in the subscriber's log: each line of `error` (`ERROR:  …`,
/// `DETAIL:  …`) with the `%m [%p] ` prefix, the CONTEXT line, and the postmaster's line for
/// the worker's exit.
pub fn apply_error_log(
    at: i64,
    pid: u32,
    postmaster_pid: u32,
    error: &str,
    context: Option<&ApplyContext>,
) -> Vec<String> {
    let prefix = |pid: u32| format!("{} [{pid}] ", log_time(at));
    let mut out: Vec<String> = error
        .lines()
        .map(|l| format!("{}{l}", prefix(pid)))
        .collect();
    if let Some(c) = context {
        let relation = c
            .relation
            .as_ref()
            .map(|r| format!(" for replication target relation \"{r}\""))
            .unwrap_or_default();
        out.push(format!(
            "{}CONTEXT:  processing remote data for replication origin \"{}\" during message \
             type \"{}\"{relation} in transaction {}, finished at {}",
            prefix(pid),
            c.origin,
            c.message_type,
            c.xid,
            c.finished_at
        ));
    }
    out.push(format!(
        "{}LOG:  background worker \"logical replication worker\" (PID {pid}) exited with exit \
         code 1",
        prefix(postmaster_pid)
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_logical_slot_prints_as_psql_expands_it() {
        let lines = render_pg_replication_slots(&[SlotStatus {
            slot_name: "sub_follower_1".into(),
            plugin: Some("pgoutput".into()),
            database: Some("postgres".into()),
            active: true,
            catalog_xmin: Some(759),
            restart_lsn: "0/405FE48".into(),
            confirmed_flush_lsn: Some("0/4060E58".into()),
        }]);
        assert_eq!(
            lines[1..],
            [
                "-[ RECORD 1 ]-------+---------------",
                "slot_name           | sub_follower_1",
                "plugin              | pgoutput",
                "slot_type           | logical",
                "database            | postgres",
                "temporary           | f",
                "active              | t",
                "catalog_xmin        | 759",
                "restart_lsn         | 0/405FE48",
                "confirmed_flush_lsn | 0/4060E58",
                "wal_status          | reserved",
            ]
        );
        assert_eq!(render_pg_replication_slots(&[])[1], "(0 rows)");
    }

    #[test]
    fn the_apply_error_is_the_sample_s_log_lines() {
        let at = 1_795_790_752_157_000; // 2026-11-27 14:45:52.157 UTC
        let lines = apply_error_log(
            at,
            9722,
            9659,
            "ERROR:  logical replication target relation \"public.orders\" is missing replicated column: \"note\"",
            Some(&ApplyContext {
                origin: "pg_16394".into(),
                message_type: "INSERT".into(),
                relation: None,
                xid: 769,
                finished_at: "0/4066208".into(),
            }),
        );
        let stamp = log_time(at);
        assert!(stamp.ends_with(":52.157 UTC"), "{stamp}");
        assert_eq!(
            lines,
            [
                format!("{stamp} [9722] ERROR:  logical replication target relation \"public.orders\" is missing replicated column: \"note\""),
                format!("{stamp} [9722] CONTEXT:  processing remote data for replication origin \"pg_16394\" during message type \"INSERT\" in transaction 769, finished at 0/4066208"),
                format!("{stamp} [9659] LOG:  background worker \"logical replication worker\" (PID 9722) exited with exit code 1"),
            ]
        );
    }

    #[test]
    fn a_subscription_whose_worker_exited_shows_nulls_and_its_error_count() {
        let lines = render_pg_stat_subscription(&SubscriptionStatus {
            subname: "sub_follower_1".into(),
            worker: None,
            apply_error_count: 4,
            sync_error_count: 0,
        });
        assert_eq!(lines[2], "subname               | sub_follower_1");
        assert_eq!(lines[3], "received_lsn          | ");
        assert_eq!(
            lines[7..],
            [
                "    subname     | apply_error_count | sync_error_count ",
                "----------------+-------------------+------------------",
                " sub_follower_1 |                 4 |                0",
                "(1 row)",
            ]
        );
    }
}
