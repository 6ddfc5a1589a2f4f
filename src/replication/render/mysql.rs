//! MySQL's own status views, as the `mysql` client prints them, for the methods that speak
//! MySQL (statement-based, with its ROW fallback, and semi-sync):
//! - [`show_binary_log_status`]: `SHOW BINARY LOG STATUS` (8.4's name for `SHOW MASTER STATUS`);
//! - [`show_replicas`]: `SHOW REPLICAS` (8.4's name for `SHOW SLAVE HOSTS`);
//! - [`show_semi_sync_status`]: `SHOW STATUS LIKE 'Rpl_semi_sync_source%'`;
//! - [`show_replica_status`]: `SHOW REPLICA STATUS\G`, every field MySQL 8.4 prints, in its
//!   order (MariaDB prints the older `Slave_`/`Master_` names and other fields: see
//!   `real-samples/mariadb-replica-status.txt`);
//! - [`mysql_error`]: an engine error in MySQL's words and number (`ERROR 1062 (23000): ...`).
//!
//! Pure text from plain values: nothing of the world, the network or the UI.

use super::text::{civil_time, width};

/// The binary log file the lab's leader writes (it never rotates).
pub const BINLOG_FILE: &str = "binlog.000001";
/// MySQL's default port.
pub const MYSQL_PORT: u16 = 3306;

/// One cell of a `mysql` client table: numbers are right-aligned, text left-aligned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MyCell {
    Text(String),
    Number(String),
}

impl MyCell {
    fn text(&self) -> &str {
        match self {
            MyCell::Text(t) | MyCell::Number(t) => t,
        }
    }
}

/// A result as the `mysql` client prints it in a terminal (`+---+` borders), with its
/// `N rows in set` footer (`Empty set` for none).
pub fn mysql_table(headers: &[&str], rows: &[Vec<MyCell>]) -> Vec<String> {
    if rows.is_empty() {
        return vec!["Empty set (0.00 sec)".into()];
    }
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(width(cell.text()));
        }
    }
    let rule = format!(
        "+{}+",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+")
    );
    let line = |cells: Vec<(String, bool)>| -> String {
        let inner: Vec<String> = cells
            .into_iter()
            .zip(&widths)
            .map(|((text, right), w)| {
                let fill = " ".repeat(w.saturating_sub(width(&text)));
                if right {
                    format!(" {fill}{text} ")
                } else {
                    format!(" {text}{fill} ")
                }
            })
            .collect();
        format!("|{}|", inner.join("|"))
    };
    let mut out = vec![rule.clone()];
    out.push(line(
        headers.iter().map(|h| (h.to_string(), false)).collect(),
    ));
    out.push(rule.clone());
    for row in rows {
        out.push(line(
            (0..headers.len())
                .map(|j| match row.get(j) {
                    Some(MyCell::Number(t)) => (t.clone(), true),
                    Some(MyCell::Text(t)) => (t.clone(), false),
                    None => (String::new(), false),
                })
                .collect(),
        ));
    }
    out.push(rule);
    out.push(format!(
        "{} {} in set (0.00 sec)",
        rows.len(),
        if rows.len() == 1 { "row" } else { "rows" }
    ));
    out
}

/// A GTID set as MySQL prints it: `uuid:1-14`, sources separated by `,\n`; empty for none.
/// `ranges` are `(server_uuid, first, last)`, in the order they should print.
pub fn gtid_set(ranges: &[(String, u64, u64)]) -> String {
    ranges
        .iter()
        .filter(|(_, first, last)| first <= last && *last > 0)
        .map(|(uuid, first, last)| {
            if first == last {
                format!("{uuid}:{first}")
            } else {
                format!("{uuid}:{first}-{last}")
            }
        })
        .collect::<Vec<_>>()
        .join(",\n")
}

/// `SHOW BINARY LOG STATUS` on the source.
pub fn show_binary_log_status(position: u64, executed_gtid_set: &str) -> Vec<String> {
    let mut out = vec!["mysql> SHOW BINARY LOG STATUS;".to_string()];
    out.extend(mysql_table(
        &[
            "File",
            "Position",
            "Binlog_Do_DB",
            "Binlog_Ignore_DB",
            "Executed_Gtid_Set",
        ],
        &[vec![
            MyCell::Text(BINLOG_FILE.into()),
            MyCell::Number(position.to_string()),
            MyCell::Text(String::new()),
            MyCell::Text(String::new()),
            MyCell::Text(executed_gtid_set.replace('\n', "")),
        ]],
    ));
    out
}

/// A replica as the source knows it (`SHOW REPLICAS`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaHost {
    pub server_id: u32,
    /// `report_host`: the lab sets it to the replica's name.
    pub host: String,
    pub server_uuid: String,
}

/// `SHOW REPLICAS` on the source: the replicas connected to it.
pub fn show_replicas(source_id: u32, replicas: &[ReplicaHost]) -> Vec<String> {
    let mut out = vec!["mysql> SHOW REPLICAS;".to_string()];
    let rows: Vec<Vec<MyCell>> = replicas
        .iter()
        .map(|r| {
            vec![
                MyCell::Number(r.server_id.to_string()),
                MyCell::Text(r.host.clone()),
                MyCell::Number(MYSQL_PORT.to_string()),
                MyCell::Number(source_id.to_string()),
                MyCell::Text(r.server_uuid.clone()),
            ]
        })
        .collect();
    out.extend(mysql_table(
        &["Server_Id", "Host", "Port", "Source_Id", "Replica_UUID"],
        &rows,
    ));
    out
}

/// What the source's semi-sync plugin reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SemiSyncStatus {
    /// Replicas connected with semi-sync enabled.
    pub clients: u32,
    /// Whether the source is semi-synchronous now (OFF after a timeout, until a replica
    /// catches up).
    pub on: bool,
    /// Sessions waiting for an acknowledgement.
    pub wait_sessions: u32,
    /// `rpl_semi_sync_source_timeout`, milliseconds.
    pub timeout_ms: u64,
    /// Commits a replica acknowledged.
    pub yes_tx: u64,
    /// Commits that returned without an acknowledgement (timed out, or semi-sync was off).
    pub no_tx: u64,
}

/// `SHOW VARIABLES` and `SHOW STATUS` for semi-sync on the source (MySQL 8.4's
/// `rpl_semi_sync_source` plugin names).
pub fn show_semi_sync_status(status: &SemiSyncStatus) -> Vec<String> {
    let on_off = |b: bool| if b { "ON" } else { "OFF" };
    let row = |name: &str, value: String| vec![MyCell::Text(name.into()), MyCell::Text(value)];
    let mut out = vec!["mysql> SHOW VARIABLES LIKE 'rpl_semi_sync_source_%';".to_string()];
    out.extend(mysql_table(
        &["Variable_name", "Value"],
        &[
            row("rpl_semi_sync_source_enabled", "ON".into()),
            row(
                "rpl_semi_sync_source_timeout",
                status.timeout_ms.to_string(),
            ),
            row("rpl_semi_sync_source_wait_for_replica_count", "1".into()),
            row("rpl_semi_sync_source_wait_point", "AFTER_SYNC".into()),
        ],
    ));
    out.push("mysql> SHOW STATUS LIKE 'Rpl_semi_sync_source_%';".into());
    out.extend(mysql_table(
        &["Variable_name", "Value"],
        &[
            row("Rpl_semi_sync_source_clients", status.clients.to_string()),
            row("Rpl_semi_sync_source_no_tx", status.no_tx.to_string()),
            row("Rpl_semi_sync_source_status", on_off(status.on).into()),
            row(
                "Rpl_semi_sync_source_wait_sessions",
                status.wait_sessions.to_string(),
            ),
            row("Rpl_semi_sync_source_yes_tx", status.yes_tx.to_string()),
        ],
    ));
    out
}

/// The replica's I/O (receiver) thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IoThread {
    /// Receiving: `Replica_IO_Running: Yes`.
    Running,
    /// Trying to connect: `Connecting`.
    Connecting,
    /// Not running (never started, or stopped by an error).
    Stopped,
}

/// What `SHOW REPLICA STATUS` reports, from the lab's replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaStatus {
    pub name: String,
    /// The source's host name (the lab's node name); `None` when not replicating.
    pub source: Option<String>,
    pub source_server_id: u32,
    pub source_uuid: String,
    pub io: IoThread,
    /// The binlog position the I/O thread has read up to (relay log written).
    pub read_pos: u64,
    /// The binlog position the SQL thread has executed up to.
    pub exec_pos: u64,
    /// Seconds behind the source; `None` prints NULL (a thread is not running).
    pub seconds_behind: Option<u64>,
    /// The applier's error: MySQL error number and text (`Last_SQL_Errno`, `Last_SQL_Error`).
    pub sql_error: Option<(u32, String)>,
    /// The receiver's error (`Last_IO_Errno`, `Last_IO_Error`).
    pub io_error: Option<(u32, String)>,
    pub retrieved_gtid_set: String,
    pub executed_gtid_set: String,
}

/// `SHOW REPLICA STATUS\G` as MySQL 8.4 prints it: every field, in MySQL's order, names
/// right-aligned to the longest. The SQL thread is stopped while there is an SQL error, and
/// `Seconds_Behind_Source` is NULL while either thread is.
///
/// Where MariaDB differs (`real-samples/mariadb-replica-status.txt`): it keeps the old names
/// (`Slave_IO_Running`, `Master_Host`, `Read_Master_Log_Pos`, `Seconds_Behind_Master`), shows
/// its GTID position as `Using_Gtid` / `Gtid_IO_Pos` (domain-server-sequence) instead of
/// `Retrieved_Gtid_Set` / `Executed_Gtid_Set` / `Auto_Position`, adds `Parallel_Mode` and the
/// `Slave_*_Groups` counters, and has no `Source_UUID`, `Source_Retry_Count` or TLS fields.
/// MySQL's `Last_SQL_Error` is the applier coordinator's summary (the caller composes it);
/// MariaDB's the failing event's own error. Lab simplifications: the relay log mirrors the
/// source's binlog (`Relay_Log_Pos` = `Exec_Source_Log_Pos`, `Relay_Log_Space` = bytes not yet
/// applied), and the error timestamps stay empty (the lab does not record when a stall began).
pub fn show_replica_status(status: &ReplicaStatus) -> Vec<String> {
    let Some(source) = &status.source else {
        return vec![
            "mysql> SHOW REPLICA STATUS\\G".into(),
            "Empty set (0.00 sec)".into(),
        ];
    };
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_string();
    let sql_running = status.sql_error.is_none();
    let io_running = match status.io {
        IoThread::Running => "Yes",
        IoThread::Connecting => "Connecting",
        IoThread::Stopped => "No",
    };
    let io_state = match status.io {
        IoThread::Running => "Waiting for source to send event",
        IoThread::Connecting => "Connecting to source",
        IoThread::Stopped => "",
    };
    let sql_state = if !sql_running {
        ""
    } else if status.exec_pos < status.read_pos {
        "Waiting for dependent transaction to commit"
    } else {
        "Replica has read all relay log; waiting for more updates"
    };
    let (sql_errno, sql_error) = status
        .sql_error
        .clone()
        .map_or((0, String::new()), |(n, t)| (n, t));
    let (io_errno, io_error) = status
        .io_error
        .clone()
        .map_or((0, String::new()), |(n, t)| (n, t));
    let relay_log = format!("{}-relay-bin.000002", status.name);
    let fields: Vec<(&str, String)> = vec![
        ("Replica_IO_State", io_state.into()),
        ("Source_Host", source.clone()),
        ("Source_User", "repl".into()),
        ("Source_Port", MYSQL_PORT.to_string()),
        ("Connect_Retry", "60".into()),
        ("Source_Log_File", BINLOG_FILE.into()),
        ("Read_Source_Log_Pos", status.read_pos.to_string()),
        ("Relay_Log_File", relay_log),
        // The lab's relay log mirrors the source's binlog: same offsets.
        ("Relay_Log_Pos", status.exec_pos.to_string()),
        ("Relay_Source_Log_File", BINLOG_FILE.into()),
        ("Replica_IO_Running", io_running.into()),
        ("Replica_SQL_Running", yes_no(sql_running)),
        ("Replicate_Do_DB", String::new()),
        ("Replicate_Ignore_DB", String::new()),
        ("Replicate_Do_Table", String::new()),
        ("Replicate_Ignore_Table", String::new()),
        ("Replicate_Wild_Do_Table", String::new()),
        ("Replicate_Wild_Ignore_Table", String::new()),
        ("Last_Errno", sql_errno.to_string()),
        ("Last_Error", sql_error.clone()),
        ("Skip_Counter", "0".into()),
        ("Exec_Source_Log_Pos", status.exec_pos.to_string()),
        (
            "Relay_Log_Space",
            status.read_pos.saturating_sub(status.exec_pos).to_string(),
        ),
        ("Until_Condition", "None".into()),
        ("Until_Log_File", String::new()),
        ("Until_Log_Pos", "0".into()),
        ("Source_SSL_Allowed", "No".into()),
        ("Source_SSL_CA_File", String::new()),
        ("Source_SSL_CA_Path", String::new()),
        ("Source_SSL_Cert", String::new()),
        ("Source_SSL_Cipher", String::new()),
        ("Source_SSL_Key", String::new()),
        (
            "Seconds_Behind_Source",
            status
                .seconds_behind
                .filter(|_| sql_running && status.io == IoThread::Running)
                .map_or("NULL".into(), |s| s.to_string()),
        ),
        ("Source_SSL_Verify_Server_Cert", "No".into()),
        ("Last_IO_Errno", io_errno.to_string()),
        ("Last_IO_Error", io_error),
        ("Last_SQL_Errno", sql_errno.to_string()),
        ("Last_SQL_Error", sql_error),
        ("Replicate_Ignore_Server_Ids", String::new()),
        ("Source_Server_Id", status.source_server_id.to_string()),
        ("Source_UUID", status.source_uuid.clone()),
        ("Source_Info_File", "mysql.slave_master_info".into()),
        ("SQL_Delay", "0".into()),
        ("SQL_Remaining_Delay", "NULL".into()),
        ("Replica_SQL_Running_State", sql_state.into()),
        ("Source_Retry_Count", "10".into()),
        ("Source_Bind", String::new()),
        ("Last_IO_Error_Timestamp", String::new()),
        ("Last_SQL_Error_Timestamp", String::new()),
        ("Source_SSL_Crl", String::new()),
        ("Source_SSL_Crlpath", String::new()),
        ("Retrieved_Gtid_Set", status.retrieved_gtid_set.clone()),
        ("Executed_Gtid_Set", status.executed_gtid_set.clone()),
        ("Auto_Position", "1".into()),
        ("Replicate_Rewrite_DB", String::new()),
        ("Channel_Name", String::new()),
        ("Source_TLS_Version", String::new()),
        ("Source_public_key_path", String::new()),
        ("Get_Source_public_key", "0".into()),
        ("Network_Namespace", String::new()),
    ];
    let name_width = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut out = vec![
        "mysql> SHOW REPLICA STATUS\\G".to_string(),
        "*************************** 1. row ***************************".to_string(),
    ];
    for (name, value) in fields {
        // A multi-line value (a GTID set of several sources) continues on the next lines.
        out.extend(
            format!("{name:>name_width$}: {value}")
                .split('\n')
                .map(str::to_string),
        );
    }
    out.push("1 row in set (0.00 sec)".into());
    out
}

/// `SELECT WORKER_ID, LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE FROM
/// performance_schema.replication_applier_status_by_worker\G`: the failed worker's own
/// error, which `Last_SQL_Error` only points to.
pub fn show_worker_error(code: u32, message: &str) -> Vec<String> {
    vec![
        "mysql> SELECT WORKER_ID, LAST_ERROR_NUMBER, LAST_ERROR_MESSAGE FROM performance_schema.replication_applier_status_by_worker\\G".into(),
        "*************************** 1. row ***************************".into(),
        "         WORKER_ID: 1".into(),
        format!(" LAST_ERROR_NUMBER: {code}"),
        format!("LAST_ERROR_MESSAGE: {message}"),
        "1 row in set (0.00 sec)".into(),
    ]
}

/// `261128 13:51:45`: the time format of MySQL's `Last_*_Error_Timestamp` fields.
pub fn mysql_error_timestamp(micros: i64) -> String {
    let t = civil_time(micros);
    format!(
        "{:02}{:02}{:02} {:02}:{:02}:{:02}",
        t.year.rem_euclid(100),
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second
    )
}

/// An error in MySQL's terms: its number, SQLSTATE and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MysqlError {
    pub code: u32,
    pub sqlstate: &'static str,
    pub message: String,
    /// The storage engine's handler error a row event reports (`HA_ERR_FOUND_DUPP_KEY`).
    pub handler_error: Option<&'static str>,
}

impl MysqlError {
    /// As the `mysql` client prints it: `ERROR 1062 (23000): Duplicate entry '1' for key 'orders.PRIMARY'`.
    pub fn client_line(&self) -> String {
        format!("ERROR {} ({}): {}", self.code, self.sqlstate, self.message)
    }
}

/// Strips a leading `ERROR:  ` / `FATAL:  `, a trailing ` at 1:5` position, and keeps the
/// first line.
fn bare_message(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    let first = first
        .strip_prefix("ERROR:")
        .or_else(|| first.strip_prefix("FATAL:"))
        .unwrap_or(first)
        .trim();
    match first.rsplit_once(" at ") {
        Some((head, tail))
            if tail.split(':').count() == 2
                && tail
                    .split(':')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            head.to_string()
        }
        _ => first.to_string(),
    }
}

/// The text between the first pair of double quotes (`"orders"` → `orders`).
fn quoted(text: &str) -> Option<&str> {
    let start = text.find('"')? + 1;
    let len = text[start..].find('"')?;
    Some(&text[start..start + len])
}

/// An error from the lab's engine (or its replay), as MySQL would number and word it. Known
/// kinds map to MySQL's codes (1062 duplicate entry, 1146 unknown table, 1054 unknown
/// column, 1048 NOT NULL, 1032 missing row); anything else keeps the lab's words under the
/// generic code 1105 (`ER_UNKNOWN_ERROR`).
pub fn mysql_error(text: &str, database: &str) -> MysqlError {
    let message = bare_message(text);
    let lower = message.to_ascii_lowercase();
    if let Some(rest) = message.strip_prefix("duplicate key ") {
        let (key, table) = rest
            .split_once(" in table ")
            .map(|(k, t)| (k, quoted(t).unwrap_or(t)))
            .unwrap_or((rest, "?"));
        let key = key.trim_matches('\'');
        return MysqlError {
            code: 1062,
            sqlstate: "23000",
            message: format!("Duplicate entry '{key}' for key '{table}.PRIMARY'"),
            handler_error: Some("HA_ERR_FOUND_DUPP_KEY"),
        };
    }
    if lower.contains("unknown table")
        || lower.contains("does not exist") && lower.contains("relation")
    {
        let table = quoted(&message).unwrap_or("?");
        let table = table.rsplit('.').next().unwrap_or(table);
        return MysqlError {
            code: 1146,
            sqlstate: "42S02",
            message: format!("Table '{database}.{table}' doesn't exist"),
            handler_error: None,
        };
    }
    if lower.contains("unknown column")
        || lower.contains("column") && lower.contains("does not exist")
    {
        let column = quoted(&message).unwrap_or("?");
        return MysqlError {
            code: 1054,
            sqlstate: "42S22",
            message: format!("Unknown column '{column}' in 'field list'"),
            handler_error: None,
        };
    }
    if lower.contains("cannot be null") || lower.contains("not-null") || lower.contains("not null")
    {
        let column = quoted(&message).unwrap_or("?");
        return MysqlError {
            code: 1048,
            sqlstate: "23000",
            message: format!("Column '{column}' cannot be null"),
            handler_error: None,
        };
    }
    if lower.contains("read-only transaction") {
        return MysqlError {
            code: 1290,
            sqlstate: "HY000",
            message: "The MySQL server is running with the --super-read-only option so it cannot execute this statement".into(),
            handler_error: None,
        };
    }
    if lower.contains("deadlock") {
        return MysqlError {
            code: 1213,
            sqlstate: "40001",
            message: "Deadlock found when trying to get lock; try restarting transaction".into(),
            handler_error: None,
        };
    }
    if lower.contains("can't find record") || lower.contains("did not find row") {
        let table = quoted(&message).unwrap_or("orders");
        let table = table.rsplit('.').next().unwrap_or(table);
        return MysqlError {
            code: 1032,
            sqlstate: "HY000",
            message: format!("Can't find record in '{table}'"),
            handler_error: Some("HA_ERR_KEY_NOT_FOUND"),
        };
    }
    MysqlError {
        code: 1105,
        sqlstate: "HY000",
        message,
        handler_error: None,
    }
}

/// `Last_SQL_Error` for a statement the replica's applier could not run (single-threaded
/// applier): `Error 'Duplicate entry '1' for key 'orders.PRIMARY'' on query. Default
/// database: 'shop'. Query: 'INSERT ...'`.
pub fn statement_apply_error(error: &MysqlError, database: &str, query: &str) -> String {
    format!(
        "Error '{}' on query. Default database: '{database}'. Query: '{}'",
        error.message,
        query.replace('\n', " ")
    )
}

/// `Last_SQL_Error` for a row event the applier could not apply: `Could not execute
/// Write_rows event on table shop.orders; Duplicate entry ... , Error_code: 1062; handler
/// error HA_ERR_FOUND_DUPP_KEY; the event's source log binlog.000001, end_log_pos 1234`.
pub fn row_apply_error(
    error: &MysqlError,
    event: &str,
    database: &str,
    table: &str,
    end_log_pos: u64,
) -> String {
    let handler = error
        .handler_error
        .map(|h| format!(" handler error {h};"))
        .unwrap_or_default();
    format!(
        "Could not execute {event} event on table {database}.{table}; {}, Error_code: {};{handler} the event's source log {BINLOG_FILE}, end_log_pos {end_log_pos}",
        error.message, error.code
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_tables_have_borders_and_a_footer() {
        let lines = mysql_table(
            &["File", "Position"],
            &[vec![
                MyCell::Text("binlog.000001".into()),
                MyCell::Number("157".into()),
            ]],
        );
        assert_eq!(
            lines,
            vec![
                "+---------------+----------+",
                "| File          | Position |",
                "+---------------+----------+",
                "| binlog.000001 |      157 |",
                "+---------------+----------+",
                "1 row in set (0.00 sec)",
            ]
        );
        assert_eq!(mysql_table(&["a"], &[]), vec!["Empty set (0.00 sec)"]);
    }

    #[test]
    fn engine_errors_in_mysql_words() {
        let e = mysql_error("ERROR:  duplicate key 1 in table \"orders\"", "shop");
        assert_eq!(
            e.client_line(),
            "ERROR 1062 (23000): Duplicate entry '1' for key 'orders.PRIMARY'"
        );
        let e = mysql_error("ERROR:  duplicate key 'a' in table \"t\" at 1:8", "shop");
        assert_eq!(e.message, "Duplicate entry 'a' for key 't.PRIMARY'");
        assert_eq!(mysql_error("weird", "shop").code, 1105);
        assert_eq!(mysql_error("", "shop").code, 1105);
        assert_eq!(bare_message("ERROR:  x at 2:10"), "x");
        assert_eq!(bare_message("look at this"), "look at this");
    }

    #[test]
    fn gtid_sets_join_sources() {
        assert_eq!(gtid_set(&[("u".into(), 1, 14)]), "u:1-14");
        assert_eq!(gtid_set(&[("u".into(), 1, 1)]), "u:1");
        assert_eq!(gtid_set(&[("u".into(), 1, 0)]), "");
        assert_eq!(
            gtid_set(&[("a".into(), 1, 3), ("b".into(), 4, 5)]),
            "a:1-3,\nb:4-5"
        );
    }
}
