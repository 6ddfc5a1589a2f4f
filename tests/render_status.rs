//! pg_stat_replication in psql's expanded form: one record per standby, lags as intervals,
//! unknown lags empty.

use replication_lab::engine::Lsn;
use replication_lab::replication::render::{render_pg_stat_replication, StandbyStatus};

fn standby(name: &str, lag: Option<u64>, sync_state: &str) -> StandbyStatus {
    StandbyStatus {
        name: name.into(),
        state: "streaming".into(),
        sent: Lsn(0x016B_37C8).to_string(),
        write: Lsn(0x016B_37C8).to_string(),
        flush: Lsn(0x016B_3788).to_string(),
        replay: Lsn(0x016B_3748).to_string(),
        write_lag: lag,
        flush_lag: lag.map(|l| l.saturating_mul(2)),
        replay_lag: lag.map(|l| l.saturating_mul(3)),
        sync_state: sync_state.into(),
    }
}

#[test]
fn standbys_print_as_expanded_records() {
    let lines = render_pg_stat_replication(&[
        standby("follower-1", Some(4_123), "sync"),
        standby("follower-2", None, "async"),
    ]);
    assert_eq!(
        lines,
        vec![
            "-[ RECORD 1 ]----+----------------",
            "application_name | follower-1",
            "state            | streaming",
            "sent_lsn         | 0/016B37C8",
            "write_lsn        | 0/016B37C8",
            "flush_lsn        | 0/016B3788",
            "replay_lsn       | 0/016B3748",
            "write_lag        | 00:00:00.004123",
            "flush_lag        | 00:00:00.008246",
            "replay_lag       | 00:00:00.012369",
            "sync_state       | sync",
            "-[ RECORD 2 ]----+----------------",
            "application_name | follower-2",
            "state            | streaming",
            "sent_lsn         | 0/016B37C8",
            "write_lsn        | 0/016B37C8",
            "flush_lsn        | 0/016B3788",
            "replay_lsn       | 0/016B3748",
            "write_lag        | ",
            "flush_lag        | ",
            "replay_lag       | ",
            "sync_state       | async",
        ]
    );
}

#[test]
fn no_standbys_is_zero_rows_and_long_lags_keep_hours() {
    assert_eq!(render_pg_stat_replication(&[]), vec!["(0 rows)"]);
    let lines = render_pg_stat_replication(&[standby("s", Some(90_061_500_000), "quorum")]);
    assert!(lines.contains(&"write_lag        | 25:01:01.5".to_string()));
    let lines = render_pg_stat_replication(&[standby("s", Some(u64::MAX), "potential")]);
    assert!(lines.iter().any(|l| l.starts_with("replay_lag")));
}
