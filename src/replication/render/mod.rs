//! The replication log as the real tools print it, rendered from the same [`LogEntry`]s the
//! followers apply, so what the inspector shows is what was shipped:
//! - [`binlog`]: `mysqlbinlog` for statement events and for MySQL ROW events (`-v`);
//! - [`waldump`]: `pg_waldump` for WAL entries;
//! - [`decoding`]: PostgreSQL `test_decoding` and Debezium-style JSON for row entries;
//! - [`slony`]: Slony-I's `sl_log_1` (capture and apply share its `log_cmdargs` definition);
//! - [`status`]: `pg_stat_replication` and `pg_stat_wal_receiver` in psql's expanded form;
//! - [`mysql`]: MySQL's `SHOW BINARY LOG STATUS`, `SHOW REPLICAS`, `SHOW REPLICA STATUS\G`,
//!   the semi-sync status variables, and errors in MySQL's words;
//! - [`psql`]: psql's aligned and expanded output, used by the renderings here;
//! - [`activity`]: `pg_stat_activity` (who waits for a row lock or a standby);
//! - [`processlist`]: MySQL's `SHOW PROCESSLIST` and `sys.innodb_lock_waits`;
//! - [`slots`]: `pg_replication_slots` on a primary, `pg_stat_subscription` and
//!   `pg_stat_subscription_stats` on a logical subscriber;
//! - [`multi_leader`]: a multi-leader cluster's log with origins (test_decoding, a ring's
//!   `mysqlbinlog`), PostgreSQL 18's conflict log lines, `pg_replication_origin_status` and
//!   the conflict counters of `pg_stat_subscription_stats`.
//!
//! Every function is pure and total: deterministic text from data, no clock, no panics on
//! empty or odd input. Where the lab simplifies what a tool would show, the rendering says
//! so in a comment line starting with `# lab:`. Nothing here knows the network, the
//! simulated world or the UI.

pub mod activity;
pub mod binlog;
pub mod decoding;
pub mod multi_leader;
pub mod mysql;
pub mod processlist;
pub mod psql;
pub mod slony;
pub mod slots;
pub mod status;
pub mod text;
pub mod waldump;

pub use binlog::binlog_date;
pub use decoding::{debezium_json, ReplicaIdentity};
pub use slony::{parse_slony_cmdargs, render_sl_log_1, slony_cmdargs, SL_LOG_1_COLUMNS};
pub use status::{
    render_pg_stat_replication, render_pg_stat_wal_receiver, StandbyStatus, WalReceiverStatus,
};
pub use text::crc32;

use crate::engine::TableSchema;
use crate::replication::config::{Method, RowImage};
use crate::replication::log::LogEntry;

/// What the renderings need beyond the entry itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOptions<'a> {
    /// The leader's MySQL `server_id`.
    pub server_id: u32,
    /// The connection id MySQL Query events show (the lab's log does not record which client
    /// session wrote a statement).
    pub thread_id: u64,
    /// The MySQL schema the tables live in (`shop`.`orders`).
    pub database: String,
    /// Table schemas, for the column types test_decoding prints; may be empty.
    pub schemas: &'a [TableSchema],
}

impl Default for RenderOptions<'_> {
    fn default() -> Self {
        RenderOptions {
            server_id: 1,
            thread_id: 8,
            database: "shop".into(),
            schemas: &[],
        }
    }
}

/// An entry as the tool of its method prints it, with default options.
pub fn render_entry(method: Method, entry: &LogEntry) -> Vec<String> {
    render_entry_with(method, entry, &RenderOptions::default())
}

/// An entry as the tool of its method prints it (see [`Method::render`], which picks the
/// renderer).
pub fn render_entry_with(method: Method, entry: &LogEntry, options: &RenderOptions) -> Vec<String> {
    method.render(entry, options)
}

/// A row entry as MySQL `binlog_format=ROW` would log it, through `mysqlbinlog -v`.
pub fn render_entry_mysql_row(
    entry: &LogEntry,
    image: RowImage,
    options: &RenderOptions,
) -> Vec<String> {
    binlog::render(entry, image, options)
}

/// A log position as the method's tool writes it (see [`Method::format_position`]).
pub fn format_position(method: Method, bytes: u64) -> String {
    method.format_position(bytes)
}
