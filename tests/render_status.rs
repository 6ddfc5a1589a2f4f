//! Status views as the databases print them: pg_stat_replication and pg_stat_wal_receiver in
//! psql's expanded form (lags as intervals, unknown values empty), MySQL's SHOW statements in
//! the mysql client's forms, Slony's sl_status, and errors in MySQL's words.

use replication_lab::engine::Lsn;
use replication_lab::replication::render::mysql::{
    mysql_error, row_apply_error, show_replica_status, statement_apply_error, IoThread,
    ReplicaStatus,
};
use replication_lab::replication::render::slony::{render_sl_status, SlStatus};
use replication_lab::replication::render::{
    render_pg_stat_replication, render_pg_stat_wal_receiver, StandbyStatus, WalReceiverStatus,
};

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
        sync_priority: u32::from(sync_state != "async"),
        sync_state: sync_state.into(),
        reply_time: Some(1_795_873_913_696_885),
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
            "postgres=# SELECT application_name, state, sent_lsn, write_lsn, flush_lsn, replay_lsn, write_lag, flush_lag, replay_lag, sync_priority, sync_state, reply_time FROM pg_stat_replication;",
            "-[ RECORD 1 ]----+------------------------------",
            "application_name | follower-1",
            "state            | streaming",
            "sent_lsn         | 0/016B37C8",
            "write_lsn        | 0/016B37C8",
            "flush_lsn        | 0/016B3788",
            "replay_lsn       | 0/016B3748",
            "write_lag        | 00:00:00.004123",
            "flush_lag        | 00:00:00.008246",
            "replay_lag       | 00:00:00.012369",
            "sync_priority    | 1",
            "sync_state       | sync",
            "reply_time       | 2026-11-28 13:51:53.696885+00",
            "-[ RECORD 2 ]----+------------------------------",
            "application_name | follower-2",
            "state            | streaming",
            "sent_lsn         | 0/016B37C8",
            "write_lsn        | 0/016B37C8",
            "flush_lsn        | 0/016B3788",
            "replay_lsn       | 0/016B3748",
            "write_lag        | ",
            "flush_lag        | ",
            "replay_lag       | ",
            "sync_priority    | 0",
            "sync_state       | async",
            "reply_time       | 2026-11-28 13:51:53.696885+00",
        ]
    );
}

#[test]
fn no_standbys_is_zero_rows_and_long_lags_keep_hours() {
    assert_eq!(render_pg_stat_replication(&[])[1..], ["(0 rows)"]);
    let lines = render_pg_stat_replication(&[standby("s", Some(90_061_500_000), "quorum")]);
    assert!(lines.contains(&"write_lag        | 25:01:01.5".to_string()));
    let lines = render_pg_stat_replication(&[standby("s", Some(u64::MAX), "potential")]);
    assert!(lines.iter().any(|l| l.starts_with("replay_lag")));
}

#[test]
fn the_wal_receiver_prints_as_psql_expands_it() {
    let receiver = WalReceiverStatus {
        status: "streaming".into(),
        written_lsn: "0/40086B8".into(),
        flushed_lsn: "0/40086B8".into(),
        received_tli: 1,
        last_msg_receipt_time: Some(1_795_873_934_157_375),
        latest_end_lsn: "0/40086B8".into(),
        sender_host: "leader".into(),
        application_name: "follower-1".into(),
    };
    let lines = render_pg_stat_wal_receiver(Some(&receiver));
    assert_eq!(
        lines[0],
        "postgres=# SELECT status, written_lsn, flushed_lsn, received_tli, last_msg_receipt_time, latest_end_lsn, sender_host, sender_port, conninfo FROM pg_stat_wal_receiver;"
    );
    assert_eq!(&lines[2], "status                | streaming");
    assert_eq!(&lines[5], "received_tli          | 1");
    assert_eq!(
        &lines[6],
        "last_msg_receipt_time | 2026-11-28 13:52:14.157375+00"
    );
    assert!(lines[10].contains("application_name=follower-1"));
    assert_eq!(render_pg_stat_wal_receiver(None)[1..], ["(0 rows)"]);
}

fn replica(sql_error: Option<(u32, String)>) -> ReplicaStatus {
    ReplicaStatus {
        name: "follower-1".into(),
        source: Some("leader".into()),
        source_server_id: 1,
        source_uuid: "u".into(),
        io: IoThread::Running,
        read_pos: 1957,
        exec_pos: 1660,
        seconds_behind: Some(4),
        sql_error,
        io_error: None,
        retrieved_gtid_set: "u:1-15".into(),
        executed_gtid_set: "u:1-14".into(),
    }
}

fn value<'a>(lines: &'a [String], name: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| {
            let (n, v) = l.split_once(": ")?;
            (n.trim() == name).then_some(v)
        })
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn show_replica_status_reports_a_stopped_sql_thread_as_mysql_does() {
    let healthy = show_replica_status(&replica(None));
    assert_eq!(value(&healthy, "Replica_SQL_Running"), "Yes");
    assert_eq!(value(&healthy, "Seconds_Behind_Source"), "4");
    assert_eq!(
        value(&healthy, "Replica_SQL_Running_State"),
        "Waiting for dependent transaction to commit"
    );
    let error = mysql_error("ERROR:  duplicate key 3 in table \"orders\"", "shop");
    let text = row_apply_error(&error, "Write_rows", "shop", "orders", 1926);
    assert_eq!(
        text,
        "Could not execute Write_rows event on table shop.orders; Duplicate entry '3' for key \
         'orders.PRIMARY', Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's \
         source log binlog.000001, end_log_pos 1926"
    );
    let stalled = show_replica_status(&replica(Some((1062, text.clone()))));
    assert_eq!(value(&stalled, "Replica_IO_Running"), "Yes");
    assert_eq!(value(&stalled, "Replica_SQL_Running"), "No");
    assert_eq!(value(&stalled, "Seconds_Behind_Source"), "NULL");
    assert_eq!(value(&stalled, "Last_SQL_Errno"), "1062");
    assert_eq!(value(&stalled, "Last_SQL_Error"), text);
    assert_eq!(value(&stalled, "Exec_Source_Log_Pos"), "1660");
    assert_eq!(value(&stalled, "Read_Source_Log_Pos"), "1957");
    assert_eq!(value(&stalled, "Retrieved_Gtid_Set"), "u:1-15");
    assert_eq!(value(&stalled, "Executed_Gtid_Set"), "u:1-14");
    // Not replicating at all: an empty set, as MySQL answers.
    let mut none = replica(None);
    none.source = None;
    assert_eq!(show_replica_status(&none)[1], "Empty set (0.00 sec)");
}

#[test]
fn engine_errors_read_as_mysqls() {
    let e = mysql_error("ERROR:  duplicate key 1 in table \"orders\"", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1062 (23000): Duplicate entry '1' for key 'orders.PRIMARY'"
    );
    assert_eq!(
        statement_apply_error(&e, "shop", "INSERT INTO orders (id) VALUES (1)"),
        "Error 'Duplicate entry '1' for key 'orders.PRIMARY'' on query. Default database: \
         'shop'. Query: 'INSERT INTO orders (id) VALUES (1)'"
    );
    let e = mysql_error("ERROR:  unknown table \"oders\" at 1:13", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1146 (42S02): Table 'shop.oders' doesn't exist"
    );
    let e = mysql_error("ERROR:  unknown column \"nope\"", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1054 (42S22): Unknown column 'nope' in 'field list'"
    );
    let e = mysql_error("ERROR:  column \"status\" cannot be NULL", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1048 (23000): Column 'status' cannot be null"
    );
    let e = mysql_error(
        "ERROR:  logical replication did not find row to be updated in replication target relation \"public.orders\"",
        "shop",
    );
    assert_eq!(e.code, 1032);
    assert_eq!(e.message, "Can't find record in 'orders'");
    assert_eq!(e.handler_error, Some("HA_ERR_KEY_NOT_FOUND"));
    let e = mysql_error(
        "ERROR:  cannot execute INSERT in a read-only transaction",
        "shop",
    );
    assert_eq!(
        e.client_line(),
        "ERROR 1290 (HY000): The MySQL server is running with the --super-read-only option so it cannot execute this statement"
    );
    let e = mysql_error("ERROR:  deadlock detected", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1213 (40001): Deadlock found when trying to get lock; try restarting transaction"
    );
    // Anything the lab cannot place keeps its words under MySQL's generic code.
    let e = mysql_error("ERROR:  something only the lab says", "shop");
    assert_eq!(
        e.client_line(),
        "ERROR 1105 (HY000): something only the lab says"
    );
}

#[test]
fn sl_status_counts_the_events_a_subscriber_lacks() {
    let lines = render_sl_status(&[SlStatus {
        origin: 1,
        received: 2,
        last_event: 9,
        last_event_ts: None,
        last_received: 6,
        last_received_ts: None,
        last_received_event_ts: None,
        lag_time: Some(2_500_000),
    }]);
    assert_eq!(lines[0], "postgres=# SELECT * FROM _cluster.sl_status;");
    assert_eq!(
        &lines[1..],
        [
            "-[ RECORD 1 ]-------------+-----------",
            "st_origin                 | 1",
            "st_received               | 2",
            "st_last_event             | 9",
            "st_last_event_ts          | ",
            "st_last_received          | 6",
            "st_last_received_ts       | ",
            "st_last_received_event_ts | ",
            "st_lag_num_events         | 3",
            "st_lag_time               | 00:00:02.5",
        ]
    );
}
