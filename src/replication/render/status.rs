//! `SELECT ... FROM pg_stat_replication` as psql's expanded display (`\x`) prints it: one
//! record per standby, which fits a narrow inspector panel better than a ten-column table.
//!
//! The caller supplies positions already formatted (an LSN, or a binlog position for the
//! MySQL-flavoured methods) and lags in microseconds; lags print as PostgreSQL intervals,
//! an unknown lag (NULL) as empty.
//!
//! Knows text and numbers; nothing of the world, the network or the UI.

use super::psql::expanded;
use super::text::pg_interval;

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
    /// `async`, `potential`, `sync` or `quorum`.
    pub sync_state: String,
}

/// The view's columns, in the order psql shows them.
pub const PG_STAT_REPLICATION_COLUMNS: [&str; 10] = [
    "application_name",
    "state",
    "sent_lsn",
    "write_lsn",
    "flush_lsn",
    "replay_lsn",
    "write_lag",
    "flush_lag",
    "replay_lag",
    "sync_state",
];

/// The standbys as psql's `\x` display of `pg_stat_replication` (`(0 rows)` for none).
pub fn render_pg_stat_replication(standbys: &[StandbyStatus]) -> Vec<String> {
    let lag = |l: Option<u64>| l.map(pg_interval).unwrap_or_default();
    let records: Vec<Vec<(String, String)>> = standbys
        .iter()
        .map(|s| {
            let values = [
                s.name.clone(),
                s.state.clone(),
                s.sent.clone(),
                s.write.clone(),
                s.flush.clone(),
                s.replay.clone(),
                lag(s.write_lag),
                lag(s.flush_lag),
                lag(s.replay_lag),
                s.sync_state.clone(),
            ];
            PG_STAT_REPLICATION_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .zip(values)
                .collect()
        })
        .collect();
    expanded(&records)
}
