//! Logical (row-based) replication: the log carries each commit's row images keyed by
//! primary key — MySQL's `binlog_format=ROW` with the MINIMAL image, PostgreSQL's logical
//! decoding with `REPLICA IDENTITY FULL` for the FULL image. A subscriber applies them by
//! key, so it may have tables, columns and writes of its own; DDL does not travel. A base
//! backup is the schema and a copy of every row (logical replication's initial table copy),
//! which the statement and trigger methods use too.
//!
//! Knows the engine and the log's shapes; nothing of servers or the network.

use crate::engine::{CommitReport, Database, Env, ErrorKind, MissingRow, RowChange, RowOp, Value};
use crate::replication::log::{LogEntry, Payload};
use crate::replication::messages::SnapshotData;
use crate::replication::render::{binlog, decoding, RenderOptions};

use super::{trigger, Capture, RowImage, SNAPSHOT_CHUNK};

/// The tool whose output the log view shows, by row image.
pub fn log_tool(image: RowImage) -> &'static str {
    match image {
        RowImage::Minimal => "mysqlbinlog -v (binlog_format=ROW, binlog_row_image=MINIMAL)",
        RowImage::Full => "pg_recvlogical (test_decoding)",
    }
}

// ------------------------------------------------------------------ capture and apply

/// A commit's row changes as an entry's payload, at the commit's LSNs; a schema change is
/// reported as dropped (row images cannot carry it).
pub fn capture(commit: &CommitReport) -> Capture {
    let ddl_dropped = !commit.ddl.is_empty();
    if commit.row_changes.is_empty() {
        return Capture {
            shipped: None,
            ddl_dropped,
        };
    }
    let (start, end) = (commit.changes.start.0, commit.changes.end.0);
    Capture {
        shipped: Some((Payload::Rows(commit.row_changes.clone()), start, end)),
        ddl_dropped,
    }
}

/// Applies row changes by key, cut down to the method's row image first. A missing row is
/// skipped (PostgreSQL, returned) or stops apply with MySQL's error (`mysql`).
pub fn apply(
    db: &mut Database,
    changes: &[RowChange],
    image: RowImage,
    mysql: bool,
) -> Result<Vec<RowChange>, String> {
    let changes: Vec<RowChange> = match image {
        RowImage::Minimal => changes.iter().map(minimal_row_change).collect(),
        RowImage::Full => changes.to_vec(),
    };
    let schema = RenderOptions::default().database;
    let missing = if mysql {
        MissingRow::MySqlStop { schema: &schema }
    } else {
        MissingRow::Skip
    };
    match db.apply_row_changes_with(&changes, missing) {
        Ok(applied) => Ok(applied.skipped),
        // MySQL's Last_SQL_Error, as SHOW REPLICA STATUS prints it.
        Err(e) if e.kind == ErrorKind::RowNotFound => Err(e.message),
        Err(e) => Err(format!("ERROR:  {e}")),
    }
}

/// A logical change cut down to MySQL's MINIMAL row image: the key, and for updates only
/// the changed columns.
fn minimal_row_change(change: &RowChange) -> RowChange {
    let minimal = change.minimal();
    let mut columns: Vec<String> = Vec::new();
    let mut values = Vec::new();
    if change.op != crate::engine::RowOp::Delete {
        if !minimal
            .after
            .iter()
            .any(|(c, _)| c.eq_ignore_ascii_case(&change.key_column))
        {
            columns.push(change.key_column.clone());
            values.push(change.key.clone());
        }
        for (c, v) in minimal.after {
            columns.push(c);
            values.push(v);
        }
        // The before image is the key alone (MINIMAL), aligned with the columns shipped.
        let before = (change.op == crate::engine::RowOp::Update).then(|| {
            columns
                .iter()
                .map(|c| {
                    if c.eq_ignore_ascii_case(&change.key_column) {
                        change.key.clone()
                    } else {
                        crate::engine::Value::Null
                    }
                })
                .collect()
        });
        RowChange {
            columns,
            before,
            after: Some(values),
            ..change.clone()
        }
    } else {
        RowChange {
            columns: vec![change.key_column.clone()],
            before: Some(vec![change.key.clone()]),
            after: None,
            ..change.clone()
        }
    }
}

// ------------------------------------------------------------------ snapshot

/// The schema (one chunk) and every row as inserts (chunks of `3 ×` [`SNAPSHOT_CHUNK`]
/// rows), the trigger changelog aside.
pub fn row_copy(db: &Database) -> Vec<SnapshotData> {
    let mut ddl = Vec::new();
    let mut rows = Vec::new();
    for schema in db.tables() {
        if schema.name == trigger::CHANGELOG_TABLE {
            continue;
        }
        ddl.push(schema.to_sql());
        if let Ok(table_rows) = db.rows(&schema.name) {
            let columns = schema.column_names();
            let key_column = schema.key_column().name.clone();
            for row in table_rows {
                let key = row.get(schema.primary_key).cloned().unwrap_or(Value::Null);
                rows.push(RowChange {
                    table: schema.name.clone(),
                    op: RowOp::Insert,
                    key_column: key_column.clone(),
                    key,
                    columns: columns.clone(),
                    before: None,
                    after: Some(row),
                });
            }
        }
    }
    let mut chunks = vec![SnapshotData::Rows {
        ddl,
        rows: Vec::new(),
    }];
    for part in rows.chunks(SNAPSHOT_CHUNK * 3) {
        chunks.push(SnapshotData::Rows {
            ddl: Vec::new(),
            rows: part.to_vec(),
        });
    }
    chunks
}

/// Runs a row copy's schema (or the follower's `own_schema`, when it keeps its own tables)
/// and inserts its rows. Every schema statement runs; the last failure is the answer.
pub fn install(
    db: &mut Database,
    ddl: Vec<String>,
    rows: &[RowChange],
    own_schema: Option<&Vec<String>>,
    env: &mut dyn Env,
) -> Result<(), String> {
    let schema_sql = match own_schema {
        Some(own) if !ddl.is_empty() => own.clone(),
        _ => ddl,
    };
    let mut result = Ok(());
    for sql in schema_sql {
        if let Err(e) = db.run(&sql, env) {
            result = Err(format!("ERROR:  {e}"));
        }
    }
    if result.is_ok() && !rows.is_empty() {
        result = db
            .apply_row_changes(rows)
            .map(|_| ())
            .map_err(|e| format!("ERROR:  {e}"));
    }
    result
}

// ------------------------------------------------------------------ render

/// A row entry: MINIMAL through `mysqlbinlog -v` (MySQL's `binlog_row_image`), FULL through
/// PostgreSQL's `test_decoding` (`REPLICA IDENTITY FULL`).
pub fn render(entry: &LogEntry, image: RowImage, options: &RenderOptions) -> Vec<String> {
    match image {
        RowImage::Minimal => binlog::render(entry, RowImage::Minimal, options),
        RowImage::Full => decoding::render(entry, image.into(), options),
    }
}
