//! Statement-based replication (MySQL `binlog_format=STATEMENT`): the log carries the SQL
//! text of each committed transaction's writes, with MySQL's context events (`SET
//! TIMESTAMP`, `SET INSERT_ID`, the RAND seeds) when the method logs them; the follower runs
//! the statements again in one session, so whatever they compute is computed again there.
//!
//! Knows the engine and the log's shapes; nothing of servers or the network.

use crate::engine::{Database, Env, ExecOptions, Session, StatementKind, StatementReport};
use crate::replication::log::{
    payload_bytes, LogEntry, LoggedStatement, Payload, StatementContext, BINLOG_FILE, BINLOG_START,
};
use crate::replication::render::{binlog, RenderOptions};

use super::RowImage;

/// The tool whose output the log view shows.
pub const LOG_TOOL: &str = "mysqlbinlog";

// ------------------------------------------------------------------ capture

/// Keeps a statement that changed something (or the schema) in its connection's buffer,
/// with its context events if the method logs them; drops the buffer when the transaction
/// rolled back, or when a statement outside a transaction committed nothing.
pub fn buffer(
    report: &StatementReport,
    context_events: bool,
    in_transaction: bool,
    statements: &mut Vec<LoggedStatement>,
) {
    if (report.kind.writes() && report.rows_affected > 0) || report.ddl.is_some() {
        statements.push(LoggedStatement {
            sql: report.sql.clone(),
            context: context_events.then_some(StatementContext {
                timestamp: report.context.timestamp,
                insert_id: report.context.insert_id,
                rand_seeds: report.context.rand_seeds,
            }),
            unsafe_reasons: report.unsafe_reasons.clone(),
        });
    }
    // Outside a transaction, a statement that changed nothing logs nothing.
    if matches!(report.kind, StatementKind::Rollback)
        || (!in_transaction && report.commit.is_none())
    {
        statements.clear();
    }
}

/// MySQL's note 1592 for a statement unsafe to log as text.
pub fn warning(report: &StatementReport) -> Option<String> {
    report.warning().map(str::to_string)
}

/// A commit's buffered statements as an entry's payload, placed after `log_end` (nothing
/// when no statement changed anything).
pub fn capture(statements: Vec<LoggedStatement>, log_end: u64) -> Option<(Payload, u64, u64)> {
    if statements.is_empty() {
        return None;
    }
    let payload = Payload::Statements(statements);
    let end = log_end + payload_bytes(&payload);
    Some((payload, log_end, end))
}

// ------------------------------------------------------------------ apply

/// The replication SQL thread: one session runs the statements of one transaction (inside
/// `BEGIN`/`COMMIT` when there are several), each with the context events it was logged
/// with. A naive statement log re-evaluates `NOW()` and `RAND()` with the follower's own
/// clock and generator (`env`).
pub fn apply(
    db: &mut Database,
    statements: &[LoggedStatement],
    env: &mut dyn Env,
) -> Result<Vec<crate::engine::RowChange>, String> {
    let mut session = Session::new();
    let multi = statements.len() > 1;
    let mut run = |sql: &str, options: &ExecOptions| {
        db.execute(&mut session, sql, env, options)
            .map(|_| ())
            .map_err(|e| format!("ERROR:  {e}"))
    };
    if multi {
        run("BEGIN", &ExecOptions::default())?;
    }
    for statement in statements {
        let options = statement
            .context
            .as_ref()
            .map(|c| ExecOptions {
                timestamp: c.timestamp,
                insert_id: c.insert_id,
                rand_seeds: c.rand_seeds,
            })
            .unwrap_or_default();
        if let Err(error) = run(&statement.sql, &options) {
            if multi {
                let _ = run("ROLLBACK", &ExecOptions::default());
            }
            return Err(error);
        }
    }
    if multi {
        run("COMMIT", &ExecOptions::default())?;
    }
    Ok(Vec::new())
}

// ------------------------------------------------------------------ position and render

/// Where a binary log starts: after its magic number and format description event.
pub fn log_start() -> u64 {
    BINLOG_START
}

/// A binlog position as MySQL writes it: `binlog.000001:1735`.
pub fn format_position(bytes: u64) -> String {
    format!("{BINLOG_FILE}:{bytes}")
}

/// An entry through `mysqlbinlog` (row entries as its ROW events with the full image).
pub fn render(entry: &LogEntry, options: &RenderOptions) -> Vec<String> {
    binlog::render(entry, RowImage::Full, options)
}
