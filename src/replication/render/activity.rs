//! `pg_stat_activity` as psql prints it: one row per client session on a server (its state
//! `idle in transaction (aborted)` after an error inside its transaction block), with what it
//! waits for — `Lock` / `transactionid` for a statement waiting on another transaction's row
//! lock, `IPC` / `SyncRep` for a commit waiting for its synchronous standby — and which
//! processes block it (`pg_blocking_pids`).
//!
//! Plain text from [`Activity`] rows (see `Server::activity`); nothing of the world or the UI.

use super::psql::{aligned_table, Cell};
use crate::replication::server::Activity;

/// The query the rendering answers, as a psql user would type it.
pub const PG_STAT_ACTIVITY_QUERY: &str = "SELECT pid, application_name, wait_event_type, wait_event, state, pg_blocking_pids(pid), query FROM pg_stat_activity WHERE backend_type = 'client backend';";

/// The sessions as psql's aligned table, preceded by the query that selects them.
pub fn render_pg_stat_activity(sessions: &[Activity]) -> Vec<String> {
    let rows: Vec<Vec<Cell>> = sessions
        .iter()
        .map(|a| {
            let blocking: Vec<String> = a.blocking_pids.iter().map(u32::to_string).collect();
            vec![
                Cell::right(a.pid.to_string()),
                Cell::left(a.client.clone()),
                Cell::left(a.wait_event_type.unwrap_or("")),
                Cell::left(a.wait_event.unwrap_or("")),
                Cell::left(a.state),
                Cell::left(format!("{{{}}}", blocking.join(","))),
                Cell::left(a.query.clone()),
            ]
        })
        .collect();
    let mut out = vec![format!("=# {PG_STAT_ACTIVITY_QUERY}")];
    out.extend(aligned_table(
        &[
            "pid",
            "application_name",
            "wait_event_type",
            "wait_event",
            "state",
            "pg_blocking_pids",
            "query",
        ],
        &rows,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiting_session_shows_its_wait_event_and_blocker() {
        let waiting = Activity {
            pid: 9401,
            client: "client-2".into(),
            state: "active",
            wait_event_type: Some("Lock"),
            wait_event: Some("transactionid"),
            query: "UPDATE orders SET status = 'cancelled' WHERE id = 3".into(),
            blocking_pids: vec![9400],
            waiting_since: None,
            state_change: crate::sim::Time::ZERO,
            blocking_xid: Some(750),
        };
        let holder = Activity {
            pid: 9400,
            client: "client-1".into(),
            state: "idle in transaction",
            wait_event_type: None,
            wait_event: None,
            query: "UPDATE orders SET status = 'paid' WHERE id = 3".into(),
            blocking_pids: vec![],
            waiting_since: None,
            state_change: crate::sim::Time::ZERO,
            blocking_xid: None,
        };
        let lines = render_pg_stat_activity(&[holder, waiting]);
        assert_eq!(
            lines[1],
            " pid  | application_name | wait_event_type |  wait_event   |        state        | pg_blocking_pids |                        query                        "
        );
        assert_eq!(
            lines[3],
            " 9400 | client-1         |                 |               | idle in transaction | {}               | UPDATE orders SET status = 'paid' WHERE id = 3"
        );
        assert_eq!(
            lines[4],
            " 9401 | client-2         | Lock            | transactionid | active              | {9400}           | UPDATE orders SET status = 'cancelled' WHERE id = 3"
        );
        assert_eq!(lines[5], "(2 rows)");
    }

    #[test]
    fn an_aborted_transaction_block_shows_as_such() {
        let aborted = Activity {
            pid: 9402,
            client: "client-1".into(),
            state: "idle in transaction (aborted)",
            wait_event_type: None,
            wait_event: None,
            query: "INSERT INTO orders (id, status) VALUES (1, 'dup')".into(),
            blocking_pids: vec![],
            waiting_since: None,
            state_change: crate::sim::Time::ZERO,
            blocking_xid: None,
        };
        let lines = render_pg_stat_activity(&[aborted]);
        assert_eq!(
            lines[1],
            " pid  | application_name | wait_event_type | wait_event |             state             | pg_blocking_pids |                       query                       "
        );
        assert_eq!(
            lines[3],
            " 9402 | client-1         |                 |            | idle in transaction (aborted) | {}               | INSERT INTO orders (id, status) VALUES (1, 'dup')"
        );
    }
}
