//! MySQL's view of a server's sessions, as the `mysql` client prints it:
//! - [`show_processlist`]: `SHOW PROCESSLIST` (Id, User, Host, db, Command, Time, State, Info),
//!   where a statement waiting for an InnoDB row lock shows State `updating` (an UPDATE or
//!   DELETE) or `update` (an INSERT), a commit held for semi-sync
//!   `Waiting for semi-sync ACK from replica` (MySQL 8.0.26+; MariaDB says `slave`), an idle
//!   connection Command `Sleep` with Info NULL;
//! - [`show_innodb_lock_waits`]: `sys.innodb_lock_waits`, the view over
//!   `performance_schema.data_lock_waits` that names the waiting and blocking connections by
//!   their processlist ids and shows their queries (the blocker's is NULL while it is idle in
//!   its transaction).
//!
//! Pure text from plain rows: nothing of the world or the UI.

use super::mysql::{mysql_table, MyCell};

/// One row of `SHOW PROCESSLIST`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessRow {
    pub id: u64,
    pub user: String,
    pub host: String,
    /// The default database; `None` prints NULL.
    pub db: Option<String>,
    /// `Query`, `Sleep`, `Daemon`, `Binlog Dump GTID`.
    pub command: String,
    /// Seconds in the current state.
    pub time: u64,
    pub state: String,
    /// The statement running; `None` prints NULL (a sleeping connection).
    pub info: Option<String>,
}

/// `SHOW PROCESSLIST` as the `mysql` client prints it, rows in Id order.
pub fn show_processlist(rows: &[ProcessRow]) -> Vec<String> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|r| r.id);
    let null = |v: &Option<String>| MyCell::Text(v.clone().unwrap_or_else(|| "NULL".into()));
    let cells: Vec<Vec<MyCell>> = rows
        .iter()
        .map(|r| {
            vec![
                MyCell::Number(r.id.to_string()),
                MyCell::Text(r.user.clone()),
                MyCell::Text(r.host.clone()),
                null(&r.db),
                MyCell::Text(r.command.clone()),
                MyCell::Number(r.time.to_string()),
                MyCell::Text(r.state.clone()),
                null(&r.info),
            ]
        })
        .collect();
    let mut out = vec!["mysql> SHOW PROCESSLIST;".to_string()];
    out.extend(mysql_table(
        &[
            "Id", "User", "Host", "db", "Command", "Time", "State", "Info",
        ],
        &cells,
    ));
    out
}

/// One row of `sys.innodb_lock_waits`: a statement waiting for a row lock and who holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockWaitRow {
    pub wait_age_secs: u64,
    /// `` `shop`.`orders` ``
    pub locked_table: String,
    /// `PRIMARY`: the lab locks rows by primary key.
    pub locked_index: String,
    pub waiting_pid: u64,
    pub waiting_query: String,
    /// `X,REC_NOT_GAP` for an UPDATE or DELETE of the row, `S,REC_NOT_GAP` for an INSERT's
    /// duplicate-key check.
    pub waiting_lock_mode: String,
    pub blocking_trx_id: u64,
    pub blocking_pid: u64,
    /// `None` (NULL) while the blocking transaction runs no statement.
    pub blocking_query: Option<String>,
    pub blocking_lock_mode: String,
}

/// The columns of `sys.innodb_lock_waits` the lab shows, in the view's order.
pub const INNODB_LOCK_WAITS_COLUMNS: [&str; 11] = [
    "wait_age_secs",
    "locked_table",
    "locked_index",
    "locked_type",
    "waiting_pid",
    "waiting_query",
    "waiting_lock_mode",
    "blocking_trx_id",
    "blocking_pid",
    "blocking_query",
    "blocking_lock_mode",
];

/// `SELECT … FROM sys.innodb_lock_waits;` as the `mysql` client prints it (`Empty set` when
/// nothing waits).
pub fn show_innodb_lock_waits(waits: &[LockWaitRow]) -> Vec<String> {
    let cells: Vec<Vec<MyCell>> = waits
        .iter()
        .map(|w| {
            vec![
                MyCell::Number(w.wait_age_secs.to_string()),
                MyCell::Text(w.locked_table.clone()),
                MyCell::Text(w.locked_index.clone()),
                MyCell::Text("RECORD".into()),
                MyCell::Number(w.waiting_pid.to_string()),
                MyCell::Text(w.waiting_query.clone()),
                MyCell::Text(w.waiting_lock_mode.clone()),
                MyCell::Number(w.blocking_trx_id.to_string()),
                MyCell::Number(w.blocking_pid.to_string()),
                MyCell::Text(w.blocking_query.clone().unwrap_or_else(|| "NULL".into())),
                MyCell::Text(w.blocking_lock_mode.clone()),
            ]
        })
        .collect();
    let mut out = vec![format!(
        "mysql> SELECT {} FROM sys.innodb_lock_waits;",
        INNODB_LOCK_WAITS_COLUMNS.join(", ")
    )];
    out.extend(mysql_table(&INNODB_LOCK_WAITS_COLUMNS, &cells));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processlist_prints_null_and_sorts_by_id() {
        let lines = show_processlist(&[
            ProcessRow {
                id: 9401,
                user: "root".into(),
                host: "10.0.1.16:50001".into(),
                db: Some("shop".into()),
                command: "Query".into(),
                time: 3,
                state: "updating".into(),
                info: Some("UPDATE orders SET status = 'x' WHERE id = 1".into()),
            },
            ProcessRow {
                id: 5,
                user: "event_scheduler".into(),
                host: "localhost".into(),
                db: None,
                command: "Daemon".into(),
                time: 12,
                state: "Waiting on empty queue".into(),
                info: None,
            },
        ]);
        assert_eq!(lines[0], "mysql> SHOW PROCESSLIST;");
        assert_eq!(
            lines[2],
            "| Id   | User            | Host            | db   | Command | Time | State                  | Info                                        |"
        );
        assert_eq!(
            lines[4],
            "|    5 | event_scheduler | localhost       | NULL | Daemon  |   12 | Waiting on empty queue | NULL                                        |"
        );
        assert_eq!(
            lines[5],
            "| 9401 | root            | 10.0.1.16:50001 | shop | Query   |    3 | updating               | UPDATE orders SET status = 'x' WHERE id = 1 |"
        );
        assert_eq!(lines[7], "2 rows in set (0.00 sec)");
    }

    #[test]
    fn no_lock_waits_is_an_empty_set() {
        let lines = show_innodb_lock_waits(&[]);
        assert!(lines[0].ends_with("FROM sys.innodb_lock_waits;"));
        assert_eq!(lines[1], "Empty set (0.00 sec)");
    }
}
