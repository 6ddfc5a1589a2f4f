//! Trigger-based replication (Slony-I style), the leader's half: "triggers" that write every
//! change of a replicated table into the changelog table `sl_log_1`, inside the leader's own
//! database and the same transaction — so every write is written twice on the leader — and
//! the query the applier's polls run against it.
//!
//! The applier's half (poll, parse, apply to followers) is in [`super::applier`]. Both use the
//! Slony text-array encoding from [`super::render`], so capture and apply share one definition.

use crate::engine::{Database, StatementReport, Value};
use crate::sim::{NodeId, Time};

use super::render::slony_cmdargs;
use super::server::Server;

/// The changelog table.
pub const CHANGELOG_TABLE: &str = "sl_log_1";

/// Its definition, in Slony-I's column order (`log_actionseq` is the key).
pub const CHANGELOG_DDL: &str = "CREATE TABLE sl_log_1 (log_origin INTEGER, log_txid INTEGER, \
     log_tableid INTEGER, log_actionseq INTEGER PRIMARY KEY AUTO_INCREMENT, \
     log_tablenspname TEXT, log_tablerelname TEXT, log_cmdtype TEXT, log_cmdupdncols INTEGER, \
     log_cmdargs TEXT)";

/// Column positions in a changelog row.
pub const ACTIONSEQ: usize = 3;
pub const RELNAME: usize = 5;
pub const CMDTYPE: usize = 6;
pub const UPDNCOLS: usize = 7;
pub const CMDARGS: usize = 8;

/// The most changelog rows one poll returns (slon's SYNC group size, roughly).
const POLL_BATCH: usize = 50;

/// Runs a client's statement on the leader with the capture triggers: in one transaction
/// (the client's own, or one opened around the statement), the statement, then one
/// `sl_log_1` row per changed row of a replicated table.
pub fn execute_with_triggers(
    server: &mut Server,
    now: Time,
    client: NodeId,
    sql: &str,
) -> Result<StatementReport, String> {
    let in_transaction = server
        .mem
        .connections
        .get(&client)
        .is_some_and(|c| c.session.in_transaction());
    // Transaction control is the client's own: it is never wrapped in a transaction.
    let keyword = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_uppercase();
    let control = matches!(keyword.as_str(), "BEGIN" | "START" | "COMMIT" | "ROLLBACK");
    let wrap = !in_transaction && !control;
    if wrap {
        server.execute(now, client, "BEGIN")?;
    }
    let rollback = |server: &mut Server| {
        if wrap {
            let _ = server.execute(now, client, "ROLLBACK");
        }
    };
    let mut report = match server.execute(now, client, sql) {
        Ok(report) => report,
        Err(error) => {
            rollback(server);
            return Err(error);
        }
    };
    let xid = server.disk.next_xid;
    let mut captured = 0;
    for change in &report.row_changes {
        let Some(table_id) = server
            .config
            .replicated_tables
            .iter()
            .position(|t| t.eq_ignore_ascii_case(&change.table))
        else {
            continue;
        };
        let (cmdtype, updncols, cmdargs) = slony_cmdargs(change);
        let insert = format!(
            "INSERT INTO sl_log_1 (log_origin, log_txid, log_tableid, log_tablenspname, \
             log_tablerelname, log_cmdtype, log_cmdupdncols, log_cmdargs) VALUES \
             (1, {xid}, {}, 'public', {}, '{cmdtype}', {updncols}, {})",
            table_id + 1,
            Value::Text(change.table.clone()).to_sql(),
            Value::Text(cmdargs).to_sql(),
        );
        if let Err(error) = server.execute(now, client, &insert) {
            rollback(server);
            return Err(format!("{error} (in the replication trigger)"));
        }
        captured += 1;
    }
    server.disk.changelog_writes += captured;
    if wrap {
        let commit = server.execute(now, client, "COMMIT")?;
        report.commit = commit.commit;
        server.disk.next_xid += 1;
    } else if report.kind == crate::engine::StatementKind::Commit {
        // The client's own transaction ended: the next one gets its own log_txid.
        server.disk.next_xid += 1;
    }
    Ok(report)
}

/// Changelog rows after `after_seq`, in action-sequence order, at most one batch.
pub fn read_changelog(db: &Database, after_seq: i64) -> Vec<Vec<Value>> {
    let Ok(rows) = db.rows(CHANGELOG_TABLE) else {
        return Vec::new();
    };
    rows.into_iter()
        .filter(|row| matches!(row.get(ACTIONSEQ), Some(Value::Integer(seq)) if *seq > after_seq))
        .take(POLL_BATCH)
        .collect()
}
