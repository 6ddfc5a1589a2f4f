//! The status tab speaks the database its method names: MySQL's SHOW statements for
//! statement-based replication (with semi-sync's variables), PostgreSQL's views for WAL and
//! logical replication, Slony's `sl_status` for triggers — read from running clusters.

mod support;

use replication_lab::lab::inspect::{inspect, Dialect};
use replication_lab::replication::config::{
    AckPolicy, ClusterConfig, Method, RowImage, ServerSpec,
};
use replication_lab::replication::messages::Request;
use replication_lab::sim::Time;
use support::{ms, Run};

fn status(run: &Run, method: Method, node: &str) -> Vec<String> {
    inspect(&run.world, method, run.id(node))
        .expect("the node exists")
        .status
}

fn write_some(run: &mut Run, n: u64) {
    for i in 0..n {
        run.sql(
            ms(10 + 20 * i),
            "client-1",
            &format!("INSERT INTO orders (status) VALUES ('s{i}')"),
        );
    }
}

/// The value of a `SHOW REPLICA STATUS\G` field.
fn field(lines: &[String], name: &str) -> String {
    lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix(&format!("{name}: ")))
        .or_else(|| {
            lines
                .iter()
                .find(|l| l.trim_start() == format!("{name}:"))
                .map(|_| "")
        })
        .unwrap_or_else(|| panic!("no {name} in {lines:#?}"))
        .to_string()
}

fn statement() -> Method {
    Method::Statement {
        context_events: true,
    }
}

/// The fields of `SHOW REPLICA STATUS\G`, in order.
fn field_names(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .skip_while(|l| !l.starts_with("*****"))
        .skip(1)
        .take_while(|l| !l.ends_with("in set (0.00 sec)"))
        .filter_map(|l| l.split_once(':').map(|(n, _)| n.trim().to_string()))
        .collect()
}

#[test]
fn each_method_speaks_its_database() {
    assert_eq!(Dialect::of(statement()), Dialect::MySql);
    assert_eq!(Dialect::of(Method::Wal), Dialect::Postgres);
    assert_eq!(
        Dialect::of(Method::Logical {
            image: RowImage::Full
        }),
        Dialect::Postgres
    );
    assert_eq!(Dialect::of(Method::Trigger), Dialect::Slony);
}

#[test]
fn a_mysql_source_and_replica_show_mysqls_views() {
    let mut config = ClusterConfig::standard(statement(), 2);
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1", "follower-2"], Time::secs(10));
    let mut run = Run::new(&config, 3);
    write_some(&mut run, 3);
    run.run_until(ms(1_000));
    let source = status(&run, statement(), "leader");
    assert!(
        !source.iter().any(|l| l.contains("pg_stat_replication")),
        "{source:#?}"
    );
    let at = source
        .iter()
        .position(|l| l == "mysql> SHOW BINARY LOG STATUS;")
        .expect("SHOW BINARY LOG STATUS");
    assert_eq!(
        source[at + 2],
        "| File          | Position | Binlog_Do_DB | Binlog_Ignore_DB | Executed_Gtid_Set                        |"
    );
    let row: Vec<String> = source[at + 4]
        .split('|')
        .map(|c| c.trim().to_string())
        .collect();
    assert_eq!(row[1], "binlog.000001");
    let position = row[2].clone();
    let executed = row[5].clone();
    let uuid = replication_lab::replication::render::binlog::server_uuid(1);
    assert_eq!(executed, format!("{uuid}:1-3"), "three transactions");
    assert!(source.contains(&"mysql> SHOW REPLICAS;".to_string()));
    assert!(source
        .iter()
        .any(|l| l.starts_with("|         2 | follower-1 | 3306 |         1 | ")));
    assert!(source
        .iter()
        .any(|l| l.starts_with("|         3 | follower-2 | 3306 |         1 | ")));
    assert!(source.contains(&"| Rpl_semi_sync_source_status        | ON    |".to_string()));
    assert!(source.contains(&"| Rpl_semi_sync_source_clients       | 2     |".to_string()));
    assert!(
        source.contains(&"| Rpl_semi_sync_source_yes_tx        | 3     |".to_string()),
        "{source:#?}"
    );
    assert!(source.contains(&"| Rpl_semi_sync_source_no_tx         | 0     |".to_string()));

    let replica = status(&run, statement(), "follower-1");
    assert_eq!(replica[0], "mysql> SHOW REPLICA STATUS\\G");
    assert_eq!(
        replica[1],
        "*************************** 1. row ***************************"
    );
    assert_eq!(field(&replica, "Replica_IO_Running"), "Yes");
    assert_eq!(field(&replica, "Replica_SQL_Running"), "Yes");
    assert_eq!(field(&replica, "Source_Host"), "leader");
    assert_eq!(field(&replica, "Read_Source_Log_Pos"), position);
    assert_eq!(field(&replica, "Exec_Source_Log_Pos"), position);
    assert_eq!(field(&replica, "Seconds_Behind_Source"), "0");
    assert_eq!(field(&replica, "Last_SQL_Errno"), "0");
    assert_eq!(field(&replica, "Last_SQL_Error"), "");
    assert_eq!(field(&replica, "Retrieved_Gtid_Set"), executed);
    assert_eq!(field(&replica, "Executed_Gtid_Set"), executed);
    // MySQL 8.4's fields, in its order (not MariaDB's Slave_/Master_ names).
    let names = field_names(&replica);
    assert_eq!(names.len(), 60, "{names:?}");
    let order = [
        "Replica_IO_State",
        "Source_Host",
        "Read_Source_Log_Pos",
        "Replica_IO_Running",
        "Replica_SQL_Running",
        "Last_Errno",
        "Exec_Source_Log_Pos",
        "Seconds_Behind_Source",
        "Last_SQL_Errno",
        "Last_SQL_Error",
        "Source_UUID",
        "Replica_SQL_Running_State",
        "Retrieved_Gtid_Set",
        "Executed_Gtid_Set",
        "Auto_Position",
        "Network_Namespace",
    ];
    let places: Vec<usize> = order
        .iter()
        .map(|n| names.iter().position(|m| m == n).expect(n))
        .collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    assert!(!names
        .iter()
        .any(|n| n.contains("Slave") || n.contains("Master")));
    // Names are right-aligned to the longest, Source_SSL_Verify_Server_Cert.
    assert!(replica.contains(&"           Replica_IO_Running: Yes".to_string()));
    assert!(replica.contains(&"Source_SSL_Verify_Server_Cert: No".to_string()));
}

#[test]
fn semi_sync_switched_off_shows_in_its_status_variable() {
    let mut config = ClusterConfig::standard(statement(), 2);
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1", "follower-2"], Time::secs(1));
    config.failover.fencing = false;
    config.failover.timeout = None;
    let mut run = Run::new(&config, 4);
    run.crash(ms(50), "follower-1").crash(ms(50), "follower-2");
    run.sql(
        ms(500),
        "client-1",
        "INSERT INTO orders (status) VALUES ('alone')",
    );
    run.run_until(ms(900));
    let waiting = status(&run, statement(), "leader");
    assert!(
        waiting.contains(&"| Rpl_semi_sync_source_wait_sessions | 1     |".to_string()),
        "{waiting:#?}"
    );
    run.run_until(ms(3_000));
    let source = status(&run, statement(), "leader");
    assert!(
        source.contains(&"| Rpl_semi_sync_source_status        | OFF   |".to_string()),
        "{source:#?}"
    );
    assert!(source.contains(&"| Rpl_semi_sync_source_clients       | 0     |".to_string()));
    assert!(source.contains(&"| Rpl_semi_sync_source_no_tx         | 1     |".to_string()));
    assert!(source.contains(&"| Rpl_semi_sync_source_yes_tx        | 0     |".to_string()));
}

/// A leader whose rows are stored out of key order and a replica built from a dump (rows in
/// key order): `DELETE ... LIMIT 1` removes another row on each, and re-inserting the
/// leader's deleted id stops the dump-built replica on a duplicate key.
#[test]
fn a_stalled_replica_shows_mysqls_last_sql_error() {
    let mut config = ClusterConfig::standard(statement(), 1);
    config.schema.push(
        "CREATE TABLE players (id INTEGER PRIMARY KEY AUTO_INCREMENT, name TEXT, score INTEGER)"
            .into(),
    );
    let mut spare = ServerSpec::new("follower-2");
    spare.starts_streaming = false;
    config.servers.push(spare);
    let mut run = Run::new(&config, 33);
    for i in 0..15 {
        run.sql(
            ms(10 + 5 * i),
            "client-1",
            &format!("INSERT INTO players (name, score) VALUES ('p{i}', {i})"),
        );
    }
    run.sql(
        ms(100),
        "client-1",
        "UPDATE players SET name = 'a much longer name that no longer fits where it was stored' WHERE id = 1",
    );
    run.request(ms(200), "follower-2", Request::Join);
    run.sql(ms(1_500), "client-1", "DELETE FROM players LIMIT 1");
    run.run_until(ms(2_000));
    let ids = |run: &Run, server: &str| -> Vec<String> {
        run.rows(server, "players")
            .iter()
            .map(|r| r[0].clone())
            .collect()
    };
    let leader_ids = ids(&run, "leader");
    let deleted = ids(&run, "follower-2")
        .into_iter()
        .find(|id| !leader_ids.contains(id))
        .expect("the leader deleted a row the dump-built replica kept");
    let insert = format!("INSERT INTO players (id, name, score) VALUES ({deleted}, 'again', 0)");
    run.sql(ms(2_100), "client-1", &insert);
    run.run_until(ms(3_000));
    let replica = status(&run, statement(), "follower-2");
    assert_eq!(field(&replica, "Replica_IO_Running"), "Yes");
    assert_eq!(field(&replica, "Replica_SQL_Running"), "No");
    assert_eq!(field(&replica, "Seconds_Behind_Source"), "NULL");
    assert_eq!(field(&replica, "Last_SQL_Errno"), "1062");
    assert_eq!(field(&replica, "Last_Errno"), "1062");
    // MySQL 8.4's coordinator names the failed transaction; the worker's own error is in
    // performance_schema, shown below it.
    let index = run.server("leader").disk.last_index();
    let uuid = replication_lab::replication::render::binlog::server_uuid(1);
    let end = run.server("leader").disk.end_of(index);
    let at = format!(
        "Worker 1 failed executing transaction '{uuid}:{index}' at source log binlog.000001, \
         end_log_pos {end}"
    );
    assert_eq!(
        field(&replica, "Last_SQL_Error"),
        format!(
            "Coordinator stopped because there were error(s) in the worker(s). The most recent \
             failure being: {at}. See error log and/or \
             performance_schema.replication_applier_status_by_worker table for more details \
             about this failure or others, if any."
        )
    );
    assert_eq!(
        field(&replica, "Last_Error"),
        field(&replica, "Last_SQL_Error")
    );
    assert_eq!(field(&replica, "LAST_ERROR_NUMBER"), "1062");
    assert_eq!(
        field(&replica, "LAST_ERROR_MESSAGE"),
        format!(
            "{at}; Error 'Duplicate entry '{deleted}' for key 'players.PRIMARY'' on query. \
             Default database: 'shop'. Query: '{insert}'"
        )
    );
    let read: u64 = field(&replica, "Read_Source_Log_Pos").parse().unwrap();
    let exec: u64 = field(&replica, "Exec_Source_Log_Pos").parse().unwrap();
    assert!(exec < read, "received but not executed: {exec} < {read}");
    assert!(!replica.iter().any(|l| l.starts_with("ERROR:")));
    // The healthy replica has run it.
    let healthy = status(&run, statement(), "follower-1");
    assert_eq!(field(&healthy, "Replica_SQL_Running"), "Yes");
}

#[test]
fn a_postgres_primary_and_standby_show_pg_stat_replication_and_the_wal_receiver() {
    let mut config = ClusterConfig::standard(Method::Wal, 2);
    config.ack = AckPolicy::postgres(
        replication_lab::replication::config::AckStage::Flush,
        "follower-1",
    );
    let mut run = Run::new(&config, 5);
    write_some(&mut run, 2);
    run.run_until(ms(1_000));
    let primary = status(&run, Method::Wal, "leader");
    assert!(primary.contains(
        &"-- synchronous_commit = on, synchronous_standby_names = 'FIRST 1 (\"follower-1\")'"
            .to_string()
    ));
    assert!(primary.contains(
        &"postgres=# SELECT application_name, state, sent_lsn, write_lsn, flush_lsn, replay_lsn, \
          write_lag, flush_lag, replay_lag, sync_priority, sync_state, reply_time FROM \
          pg_stat_replication;"
            .to_string()
    ));
    let current = primary
        .iter()
        .find_map(|l| l.strip_prefix("-- pg_current_wal_lsn: "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    // Record 1 is follower-1, the synchronous one; record 2 the asynchronous one.
    let record = |n: usize| -> Vec<String> {
        primary
            .iter()
            .skip_while(|l| !l.starts_with(&format!("-[ RECORD {n} ]")))
            .skip(1)
            .take(12)
            .cloned()
            .collect()
    };
    let one = record(1);
    assert_eq!(one[0], "application_name | follower-1");
    assert_eq!(one[5], format!("replay_lsn       | {current}"));
    assert_eq!(one[9], "sync_priority    | 1");
    assert_eq!(one[10], "sync_state       | sync");
    assert!(one[11].starts_with("reply_time       | 2026-11-26 ") && one[11].ends_with("+00"));
    let two = record(2);
    assert_eq!(two[9], "sync_priority    | 0");
    assert_eq!(two[10], "sync_state       | async");

    let standby = status(&run, Method::Wal, "follower-1");
    assert!(!standby.iter().any(|l| l.contains("SHOW ")));
    let receiver = standby
        .iter()
        .position(|l| l.contains("FROM pg_stat_wal_receiver;"))
        .expect("pg_stat_wal_receiver");
    assert!(standby[receiver + 1].starts_with("-[ RECORD 1 ]"));
    assert_eq!(standby[receiver + 2], "status                | streaming");
    assert_eq!(
        standby[receiver + 4],
        format!("flushed_lsn           | {current}")
    );
    assert_eq!(standby[receiver + 5], "received_tli          | 1");
    assert_eq!(standby[receiver + 8], "sender_host           | leader");
    let functions = standby
        .iter()
        .position(|l| l.contains("pg_is_in_recovery(),"))
        .unwrap();
    assert!(standby[functions + 3].starts_with(&format!(" t                 | {current}")));
}

#[test]
fn slony_shows_sl_status_with_the_lag_in_events() {
    let config = ClusterConfig::standard(Method::Trigger, 2);
    let mut run = Run::new(&config, 6);
    write_some(&mut run, 2);
    run.run_until(ms(1_000));
    let origin = status(&run, Method::Trigger, "leader");
    assert!(origin.contains(&"postgres=# SELECT * FROM _cluster.sl_status;".to_string()));
    let lags: Vec<&String> = origin
        .iter()
        .filter(|l| l.starts_with("st_lag_num_events"))
        .collect();
    assert_eq!(lags.len(), 2, "one record per subscriber: {origin:#?}");
    assert!(lags.iter().all(|l| l.ends_with("| 0")));
    assert!(origin
        .iter()
        .any(|l| l.starts_with("st_last_event ") && l.ends_with("| 2")));

    // follower-1 is down: three more changes wait for it, none for follower-2.
    run.crash(ms(1_100), "follower-1");
    for i in 0..3 {
        run.sql(
            ms(1_200 + 20 * i),
            "client-1",
            &format!("INSERT INTO orders (status) VALUES ('late{i}')"),
        );
    }
    run.run_until(ms(2_500));
    let origin = status(&run, Method::Trigger, "leader");
    let record = |received: &str| -> Vec<String> {
        let at = origin
            .iter()
            .position(|l| l == &format!("st_received               | {received}"))
            .unwrap_or_else(|| panic!("no record for node {received}: {origin:#?}"));
        origin[at - 2..at + 8].to_vec()
    };
    let one = record("2");
    assert_eq!(one[3], "st_last_event             | 5");
    assert_eq!(one[5], "st_last_received          | 2");
    assert_eq!(one[8], "st_lag_num_events         | 3");
    let two = record("3");
    assert_eq!(two[8], "st_lag_num_events         | 0");
    assert_eq!(two[9], "st_lag_time               | 00:00:00");
}

#[test]
fn a_client_under_a_mysql_method_sees_mysqls_error_lines() {
    for (method, expected) in [
        (
            statement(),
            "ERROR 1062 (23000): Duplicate entry '1' for key 'orders.PRIMARY'",
        ),
        (Method::Wal, "ERROR:  duplicate key 1 in table \"orders\""),
    ] {
        let config = ClusterConfig::standard(method, 1);
        let mut run = Run::new(&config, 8);
        run.sql(
            ms(10),
            "client-1",
            "INSERT INTO orders (id, status) VALUES (1, 'a')",
        )
        .sql(
            ms(60),
            "client-1",
            "INSERT INTO orders (id, status) VALUES (1, 'b')",
        );
        run.run_until(ms(500));
        let client = inspect(&run.world, method, run.id("client-1")).expect("client");
        let error = client
            .answers
            .iter()
            .find_map(|a| a.outcome.clone().err())
            .expect("the second insert failed");
        assert!(error.starts_with(expected), "{method:?}: {error}");
        assert!(
            client.status.iter().any(|l| l.contains(expected)),
            "{:#?}",
            client.status
        );
    }
}

#[test]
fn pg_waldump_in_the_inspector_chains_prev_from_its_first_line_through_a_checkpoint() {
    let config = ClusterConfig::standard(Method::Wal, 1);
    let mut run = Run::new(&config, 9);
    write_some(&mut run, 2);
    run.request(ms(100), "leader", Request::Checkpoint);
    run.sql(
        ms(200),
        "client-1",
        "UPDATE orders SET status = 'x' WHERE id = 1",
    );
    run.run_until(ms(1_000));
    let log = inspect(&run.world, Method::Wal, run.id("leader"))
        .unwrap()
        .log;
    let records: Vec<&String> = log.iter().filter(|l| l.starts_with("rmgr: ")).collect();
    let lsn = |line: &str, name: &str| -> u64 {
        let text = line.split(name).nth(1).unwrap().split(',').next().unwrap();
        let (hi, lo) = text.trim().split_once('/').unwrap();
        (u64::from_str_radix(hi, 16).unwrap() << 32) | u64::from_str_radix(lo, 16).unwrap()
    };
    // The first line's prev is the schema's commit record, just before it.
    let first_prev = lsn(records[0], "prev ");
    assert!(first_prev > 0 && first_prev < lsn(records[0], "lsn: "));
    assert_eq!(first_prev % 8, 0);
    for pair in records.windows(2) {
        assert_eq!(lsn(pair[1], "prev "), lsn(pair[0], "lsn: "));
        assert_eq!(lsn(pair[1], "lsn: ") % 8, 0);
    }
    let checkpoint = records
        .iter()
        .position(|l| l.contains("desc: CHECKPOINT_ONLINE"))
        .expect("the checkpoint between the commits");
    // After a checkpoint, the next change to a page logs its full image.
    assert!(records[checkpoint + 1].contains("desc: FPI , blkref"));
    assert!(records
        .iter()
        .filter(|l| l.contains("desc: COMMIT"))
        .all(|l| l.starts_with("rmgr: Transaction len (rec/tot):     34/    34,")));
}

/// The cells of a `mysql` table row (between the `|`), trimmed.
fn my_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner.split(" | ").map(|c| c.trim().to_string()).collect()
}

/// The rows of the `mysql` table printed after `query`, as cells.
fn my_table(lines: &[String], query: &str) -> Vec<Vec<String>> {
    let at = lines
        .iter()
        .position(|l| l.starts_with(query))
        .unwrap_or_else(|| panic!("no {query} in {lines:#?}"));
    lines[at + 1..]
        .iter()
        .skip(3)
        .take_while(|l| l.starts_with('|'))
        .map(|l| my_cells(l))
        .collect()
}

/// Under a MySQL method the leader's sessions are MySQL's: a second writer of a locked row
/// is `Query` / `updating` in `SHOW PROCESSLIST`, the holder idle in its transaction is a
/// `Sleep` with Info NULL, and `sys.innodb_lock_waits` names both connections and the
/// holder's transaction; no `pg_stat_activity`.
#[test]
fn a_mysql_row_lock_wait_shows_in_show_processlist_and_innodb_lock_waits() {
    let mut config = ClusterConfig::standard(statement(), 1);
    config.clients.push("client-2".into());
    let mut run = Run::new(&config, 41);
    let second = "UPDATE orders SET status = 'cancelled' WHERE id = 1";
    run.sql(
        ms(10),
        "client-1",
        "INSERT INTO orders (status) VALUES ('new')",
    )
    .sql(ms(100), "client-1", "BEGIN")
    .sql(
        ms(200),
        "client-1",
        "UPDATE orders SET status = 'paid' WHERE id = 1",
    )
    .sql(ms(300), "client-2", second);
    run.run_until(ms(2_600));
    let leader = status(&run, statement(), "leader");
    assert!(
        !leader.iter().any(|l| l.contains("pg_stat_activity")),
        "{leader:#?}"
    );
    let header = leader
        .iter()
        .position(|l| l == "mysql> SHOW PROCESSLIST;")
        .expect("SHOW PROCESSLIST");
    assert_eq!(
        my_cells(&leader[header + 2]),
        ["Id", "User", "Host", "db", "Command", "Time", "State", "Info"]
    );
    let processes = my_table(&leader, "mysql> SHOW PROCESSLIST;");
    let sessions = run.server("leader").activity();
    let pid = |client: &str| {
        sessions
            .iter()
            .find(|a| a.client == client)
            .map(|a| a.pid.to_string())
            .unwrap()
    };
    let (holder, waiter) = (pid("client-1"), pid("client-2"));
    let row = |id: &str| {
        processes
            .iter()
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no process {id}: {leader:#?}"))
            .clone()
    };
    let waiting = row(&waiter);
    assert_eq!(waiting[1], "root");
    assert!(waiting[2].starts_with("10.0.1."), "{waiting:?}");
    assert_eq!(waiting[3], "shop");
    assert_eq!(waiting[4], "Query");
    assert_eq!(waiting[5], "2", "waiting since 300 ms, now 2.6 s");
    assert_eq!(waiting[6], "updating");
    assert_eq!(waiting[7], second);
    let sleeping = row(&holder);
    assert_eq!(
        (
            sleeping[4].as_str(),
            sleeping[6].as_str(),
            sleeping[7].as_str()
        ),
        ("Sleep", "", "NULL")
    );
    assert!(processes
        .iter()
        .any(|r| r[1] == "repl" && r[4] == "Binlog Dump GTID"));
    assert!(processes
        .iter()
        .any(|r| r[4] == "Query" && r[6] == "init" && r[7] == "SHOW PROCESSLIST"));

    let query = "mysql> SELECT wait_age_secs, locked_table, locked_index, locked_type, \
                 waiting_pid, waiting_query, waiting_lock_mode, blocking_trx_id, blocking_pid, \
                 blocking_query, blocking_lock_mode FROM sys.innodb_lock_waits;";
    let waits = my_table(&leader, query);
    assert_eq!(waits.len(), 1, "{leader:#?}");
    let holder_xid = run
        .server("leader")
        .mem
        .connections
        .get(&run.id("client-1"))
        .and_then(|c| c.session.xid())
        .expect("client-1's transaction is open");
    assert_eq!(
        waits[0],
        [
            "2".to_string(),
            "`shop`.`orders`".into(),
            "PRIMARY".into(),
            "RECORD".into(),
            waiter.clone(),
            second.into(),
            "X,REC_NOT_GAP".into(),
            holder_xid.to_string(),
            holder.clone(),
            "NULL".into(),
            "X,REC_NOT_GAP".into(),
        ]
    );

    // client-1 commits: nothing waits any more, both connections sleep.
    run.sql(ms(2_700), "client-1", "COMMIT");
    run.run_until(ms(3_500));
    let leader = status(&run, statement(), "leader");
    assert!(!leader.iter().any(|l| l.contains("sys.innodb_lock_waits")));
    let processes = my_table(&leader, "mysql> SHOW PROCESSLIST;");
    for id in [&holder, &waiter] {
        let r = processes.iter().find(|r| &r[0] == id).unwrap();
        assert_eq!(r[4], "Sleep", "{r:?}");
    }
}

/// A commit held for a semi-sync replica's ACK is in `SHOW PROCESSLIST` in MySQL 8.4's words.
#[test]
fn a_semi_sync_wait_shows_in_show_processlist() {
    let mut config = ClusterConfig::standard(statement(), 1);
    config.ack = AckPolicy::mysql_semi_sync(&["follower-1"], Time::secs(10));
    config.failover.fencing = false;
    config.failover.timeout = None;
    let mut run = Run::new(&config, 42);
    let insert = "INSERT INTO orders (status) VALUES ('alone')";
    run.crash(ms(50), "follower-1");
    run.sql(ms(500), "client-1", insert);
    run.run_until(ms(3_700));
    let leader = status(&run, statement(), "leader");
    let processes = my_table(&leader, "mysql> SHOW PROCESSLIST;");
    let waiting = processes
        .iter()
        .find(|r| r[6] == "Waiting for semi-sync ACK from replica")
        .unwrap_or_else(|| panic!("{leader:#?}"));
    assert_eq!(waiting[4], "Query");
    assert_eq!(waiting[5], "3");
    assert_eq!(waiting[7], insert);
}

const PG_LOGICAL: Method = Method::Logical {
    image: RowImage::Full,
};

/// The record of psql's `\x` display that has `field | value`, as (name, value) pairs.
fn record_with(lines: &[String], field: &str, value: &str) -> Vec<(String, String)> {
    let at = lines
        .iter()
        .position(|l| {
            l.split_once(" | ")
                .is_some_and(|(n, v)| n.trim() == field && v == value)
        })
        .unwrap_or_else(|| panic!("no record with {field} = {value}: {lines:#?}"));
    let start = lines[..at]
        .iter()
        .rposition(|l| l.starts_with("-[ RECORD "))
        .unwrap();
    lines[start + 1..]
        .iter()
        .take_while(|l| l.contains(" | ") && !l.starts_with("-[ RECORD "))
        .filter_map(|l| l.split_once(" | "))
        .map(|(n, v)| (n.trim().to_string(), v.to_string()))
        .collect()
}

fn value(record: &[(String, String)], name: &str) -> String {
    record
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {record:?}"))
        .1
        .clone()
}

fn current_wal_lsn(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|l| l.strip_prefix("-- pg_current_wal_lsn: "))
        .and_then(|l| l.split_whitespace().next())
        .expect("pg_current_wal_lsn")
        .to_string()
}

#[test]
fn a_wal_primary_has_no_replication_slots_and_says_why() {
    let mut run = Run::new(&ClusterConfig::standard(Method::Wal, 2), 43);
    write_some(&mut run, 2);
    run.run_until(ms(1_000));
    let primary = status(&run, Method::Wal, "leader");
    let at = primary
        .iter()
        .position(|l| {
            l == "postgres=# SELECT slot_name, plugin, slot_type, database, temporary, active, \
                  catalog_xmin, restart_lsn, confirmed_flush_lsn, wal_status FROM \
                  pg_replication_slots;"
        })
        .unwrap_or_else(|| panic!("{primary:#?}"));
    assert_eq!(primary[at + 1], "(0 rows)");
    assert!(primary[at + 2].starts_with("-- lab: the standbys stream without replication slots"));
}

#[test]
fn a_logical_primary_has_a_pgoutput_slot_per_subscriber() {
    let mut run = Run::new(&ClusterConfig::standard(PG_LOGICAL, 2), 44);
    write_some(&mut run, 3);
    run.run_until(ms(1_000));
    let primary = status(&run, PG_LOGICAL, "leader");
    let current = current_wal_lsn(&primary);
    for follower in ["follower_1", "follower_2"] {
        let slot = record_with(&primary, "slot_name", &format!("sub_{follower}"));
        assert_eq!(value(&slot, "plugin"), "pgoutput");
        assert_eq!(value(&slot, "slot_type"), "logical");
        assert_eq!(value(&slot, "database"), "postgres");
        assert_eq!(value(&slot, "active"), "t");
        assert_eq!(value(&slot, "confirmed_flush_lsn"), current, "caught up");
        assert_eq!(value(&slot, "wal_status"), "reserved");
    }
    // The subscriber follows with pg_stat_subscription, not a standby's views.
    let subscriber = status(&run, PG_LOGICAL, "follower-1");
    assert!(!subscriber
        .iter()
        .any(|l| l.contains("pg_stat_wal_receiver")));
    let sub = record_with(&subscriber, "subname", "sub_follower_1");
    assert_eq!(value(&sub, "received_lsn"), current);
    assert_eq!(value(&sub, "latest_end_lsn"), current);
    assert!(value(&sub, "last_msg_receipt_time").starts_with("2026-11-26 "));
    let stats = subscriber
        .iter()
        .position(|l| l.ends_with("FROM pg_stat_subscription_stats;"))
        .expect("pg_stat_subscription_stats");
    assert_eq!(
        subscriber[stats + 3],
        " sub_follower_1 |                 0 |                0"
    );
}

/// A subscriber stalled on a missing column: its apply worker is gone (NULLs in
/// `pg_stat_subscription`), each failed start counts in `apply_error_count`, and the error is
/// shown as the subscriber's log prints it, with its CONTEXT line. Once the column is added
/// there, the worker runs again and the count stays.
#[test]
fn a_stalled_subscriber_shows_its_apply_errors_as_postgresql_does() {
    let mut run = Run::new(&ClusterConfig::standard(PG_LOGICAL, 1), 45);
    run.sql(
        ms(100),
        "client-1",
        "ALTER TABLE orders ADD COLUMN x INTEGER",
    )
    .sql(
        ms(200),
        "client-1",
        "INSERT INTO orders (status, x) VALUES ('new', 7)",
    );
    run.run_until(ms(12_000));
    let subscriber = status(&run, PG_LOGICAL, "follower-1");
    let sub = record_with(&subscriber, "subname", "sub_follower_1");
    assert_eq!(value(&sub, "received_lsn"), "", "the worker exited: NULL");
    let stats = subscriber
        .iter()
        .position(|l| l.ends_with("FROM pg_stat_subscription_stats;"))
        .unwrap();
    // Failed at about 0.2 s, then at each 5 s retry: 5.2 s and 10.2 s.
    assert_eq!(
        subscriber[stats + 3],
        " sub_follower_1 |                 3 |                0",
        "{subscriber:#?}"
    );
    let leader = run.server("leader");
    let entry = leader.disk.entry(leader.disk.last_index()).unwrap();
    let finished_at = replication_lab::engine::Lsn(entry.end).unpadded();
    let error = subscriber
        .iter()
        .find(|l| l.contains("] ERROR:  "))
        .unwrap_or_else(|| panic!("{subscriber:#?}"));
    assert!(error.starts_with("2026-11-26 09:31:1"), "{error}");
    assert!(error.contains(" UTC [20003] ERROR:  "), "{error}");
    assert!(error.ends_with(
        "ERROR:  logical replication target relation \"public.orders\" is missing replicated \
         column: \"x\""
    ));
    let context = subscriber
        .iter()
        .find(|l| l.contains("] CONTEXT:  "))
        .unwrap();
    assert!(context.ends_with(&format!(
        "CONTEXT:  processing remote data for replication origin \"pg_16394\" during message \
         type \"INSERT\" in transaction {}, finished at {finished_at}",
        entry.xid
    )));
    assert!(subscriber.iter().any(|l| l.ends_with(
        "LOG:  background worker \"logical replication worker\" (PID 20003) exited with exit \
         code 1"
    )));
    // On the publisher, the slot is inactive and holds everything after what was applied.
    let primary = status(&run, PG_LOGICAL, "leader");
    let slot = record_with(&primary, "slot_name", "sub_follower_1");
    assert_eq!(value(&slot, "active"), "f");
    let applied = run.server("follower-1").disk.applied;
    assert_eq!(applied + 1, entry.index, "stalled on the last entry");
    let replayed = replication_lab::engine::Lsn(leader.disk.end_of(applied)).unpadded();
    assert_eq!(value(&slot, "confirmed_flush_lsn"), replayed);
    assert_eq!(value(&slot, "restart_lsn"), replayed);
    assert_eq!(value(&slot, "catalog_xmin"), entry.xid.to_string());

    run.sql_on(
        ms(12_100),
        "client-1",
        "follower-1",
        "ALTER TABLE orders ADD COLUMN x INTEGER",
    );
    run.run_until(ms(16_000));
    let subscriber = status(&run, PG_LOGICAL, "follower-1");
    let sub = record_with(&subscriber, "subname", "sub_follower_1");
    assert_eq!(
        value(&sub, "received_lsn"),
        finished_at,
        "the worker runs again"
    );
    let primary = status(&run, PG_LOGICAL, "leader");
    let slot = record_with(&primary, "slot_name", "sub_follower_1");
    assert_eq!(value(&slot, "active"), "t");
    assert_eq!(value(&slot, "confirmed_flush_lsn"), finished_at);
    assert!(!subscriber.iter().any(|l| l.contains("] ERROR:  ")));
    let stats = subscriber
        .iter()
        .position(|l| l.ends_with("FROM pg_stat_subscription_stats;"))
        .unwrap();
    assert_eq!(
        subscriber[stats + 3],
        " sub_follower_1 |                 3 |                0"
    );
}

/// A read on a MySQL replica: its `SHOW PROCESSLIST` has the replication threads
/// (`system user`) beside the client's connection.
#[test]
fn a_mysql_replica_lists_its_replication_threads_in_show_processlist() {
    let mut run = Run::new(&ClusterConfig::standard(statement(), 1), 46);
    write_some(&mut run, 2);
    run.sql_on(ms(500), "client-1", "follower-1", "SELECT id FROM orders");
    run.run_until(ms(1_000));
    let replica = status(&run, statement(), "follower-1");
    let processes = my_table(&replica, "mysql> SHOW PROCESSLIST;");
    let states: Vec<(&str, &str, &str)> = processes
        .iter()
        .map(|r| (r[1].as_str(), r[4].as_str(), r[6].as_str()))
        .collect();
    assert!(states.contains(&("system user", "Connect", "Waiting for source to send event")));
    assert!(states.contains(&(
        "system user",
        "Query",
        "Replica has read all relay log; waiting for more updates"
    )));
    assert!(states.contains(&("root", "Sleep", "")), "{replica:#?}");
}
