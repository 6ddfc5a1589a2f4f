//! Trigger-based replication (Slony-I style), the leader's half: "triggers" that write every
//! change of a replicated table into the changelog table `sl_log_1`, inside the leader's own
//! database and the same transaction — so every write is written twice on the leader — and
//! the query the applier's polls run against it.
//!
//! The applier's half (poll, parse, apply to followers) is in [`crate::replication::applier`].
//! Both use the Slony text-array encoding from [`crate::replication::render`], so capture and
//! apply share one definition.
//!
//! Knows the engine and the log's shapes; nothing of servers or the network.

use crate::engine::{Database, StatementReport, Value};
use crate::replication::log::LogEntry;
use crate::replication::render::{slony, slony_cmdargs};

/// The tool whose output the log view shows (the log is a table).
pub const LOG_TOOL: &str = "SELECT * FROM sl_log_1";

/// What a leader answers a committing client about its wait: none.
pub const NO_WAIT: &str =
    "nothing: trigger-based replication is asynchronous (the applier polls the changelog)";

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

/// What the capture triggers did besides the statement itself: changelog rows written
/// (kept even when the statement then fails, as the leader's own count of its work) and
/// whether the transaction's `log_txid` was used up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    pub changelog_rows: u64,
    pub txid_used: bool,
}

/// Runs a client's statement on the leader with the capture triggers: in one transaction
/// (the client's own, or one opened around the statement), the statement, then one
/// `sl_log_1` row per changed row of a `replicated` table, stamped with `log_txid` `xid`.
/// `run` runs one statement in the client's session; `in_transaction` says whether the
/// client has a transaction open.
pub fn execute_with_triggers(
    run: &mut dyn FnMut(&str) -> Result<StatementReport, String>,
    sql: &str,
    in_transaction: bool,
    replicated: &[String],
    xid: u64,
    captured: &mut Captured,
) -> Result<StatementReport, String> {
    // Transaction control is the client's own: it is never wrapped in a transaction.
    let keyword = sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .find(|w| !w.is_empty())
        .unwrap_or("")
        .to_ascii_uppercase();
    let control = matches!(keyword.as_str(), "BEGIN" | "START" | "COMMIT" | "ROLLBACK");
    let wrap = !in_transaction && !control;
    if wrap {
        run("BEGIN")?;
    }
    let rollback = |run: &mut dyn FnMut(&str) -> Result<StatementReport, String>| {
        if wrap {
            let _ = run("ROLLBACK");
        }
    };
    let mut report = match run(sql) {
        Ok(report) => report,
        Err(error) => {
            rollback(run);
            return Err(error);
        }
    };
    let mut rows = 0;
    for change in &report.row_changes {
        let Some(table_id) = replicated
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
        if let Err(error) = run(&insert) {
            rollback(run);
            return Err(format!("{error} (in the replication trigger)"));
        }
        rows += 1;
    }
    captured.changelog_rows += rows;
    if wrap {
        let commit = run("COMMIT")?;
        report.commit = commit.commit;
        captured.txid_used = true;
    } else if report.kind == crate::engine::StatementKind::Commit {
        // The client's own transaction ended: the next one gets its own log_txid.
        captured.txid_used = true;
    }
    Ok(report)
}

/// Changelog rows after `after_seq`, in action-sequence order, at most one batch.
pub fn read_changelog(db: &Database, after_seq: i64) -> Vec<Vec<Value>> {
    // The action sequence is the changelog's primary key: read from the next one on.
    let from = Value::Integer(after_seq.saturating_add(1));
    db.rows_from(CHANGELOG_TABLE, &from, POLL_BATCH)
}

/// A row entry as `sl_log_1` rows (the lab's trigger method ships no log entries itself; a
/// row entry shown under it reads as the changelog would hold it).
pub fn render(entry: &LogEntry) -> Vec<String> {
    slony::render_entry(entry, 1)
}
