//! PostgreSQL logical decoding output for row entries: the `test_decoding` plugin's text
//! (`BEGIN 748`, `table public.orders: INSERT: id[integer]:8 ...`, `COMMIT 748`) and a
//! Debezium-style JSON change event per row.
//!
//! The old row shown for UPDATE and DELETE follows the table's `REPLICA IDENTITY`:
//! - `DEFAULT` (the lab's MINIMAL row image): DELETE shows the key; UPDATE shows
//!   `old-key:` only when the key changed;
//! - `FULL` (the lab's FULL row image): UPDATE shows `old-key:` with the whole old row,
//!   DELETE the whole old row. NULL columns are left out of old rows, as test_decoding does.
//!
//! Column types come from the table schemas the caller passes; without one, from the values
//! (a column NULL in every image then prints as PostgreSQL's `unknown` type).
//!
//! Knows rows and values; nothing of the network or the UI.

use super::text::{pg_quote_ident, pg_text, pg_type_name};
use super::RenderOptions;
use crate::engine::{RowChange, RowOp, TableSchema, Value};
use crate::replication::config::RowImage;
use crate::replication::log::{LogEntry, Payload};

/// Which old row logical decoding writes for UPDATE and DELETE.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaIdentity {
    /// The primary key only.
    Default,
    /// The whole old row.
    Full,
}

impl From<RowImage> for ReplicaIdentity {
    fn from(image: RowImage) -> Self {
        match image {
            RowImage::Full => ReplicaIdentity::Full,
            RowImage::Minimal => ReplicaIdentity::Default,
        }
    }
}

fn schema_for<'a>(schemas: &'a [TableSchema], table: &str) -> Option<&'a TableSchema> {
    schemas.iter().find(|s| s.name.eq_ignore_ascii_case(table))
}

/// The PostgreSQL type name of column `index` of a change.
fn column_type(change: &RowChange, index: usize, schemas: &[TableSchema]) -> &'static str {
    let declared = change.columns.get(index).and_then(|name| {
        let schema = schema_for(schemas, &change.table)?;
        let i = schema.column_index(name)?;
        Some(schema.columns[i].data_type)
    });
    let seen = || {
        [&change.after, &change.before]
            .into_iter()
            .flatten()
            .find_map(|image| image.get(index)?.data_type())
    };
    declared.or_else(seen).map_or("unknown", pg_type_name)
}

/// A value as test_decoding's `print_literal` writes it: numbers bare, booleans
/// `true`/`false`, everything else quoted with `'` doubled, NULL as `null`.
pub fn decoding_literal(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Integer(i) => i.to_string(),
        Value::Boolean(b) => b.to_string(),
        other => {
            let text = pg_text(other).unwrap_or_default();
            format!("'{}'", text.replace('\'', "''"))
        }
    }
}

/// ` id[integer]:8 status[text]:'pending'` for the chosen columns of an image.
fn tuple(
    change: &RowChange,
    image: &[Value],
    keep: impl Fn(usize, &Value) -> bool,
    schemas: &[TableSchema],
) -> String {
    let mut out = String::new();
    for (i, (name, value)) in change.columns.iter().zip(image).enumerate() {
        if !keep(i, value) {
            continue;
        }
        out.push_str(&format!(
            " {}[{}]:{}",
            pg_quote_ident(name),
            column_type(change, i, schemas),
            decoding_literal(value)
        ));
    }
    out
}

/// One change as test_decoding prints it (`table public.orders: UPDATE: ...`). Not inlined:
/// the single-leader and multi-leader logs both call it, and one copy is enough in the page.
#[inline(never)]
pub fn decoding_change(
    change: &RowChange,
    identity: ReplicaIdentity,
    schemas: &[TableSchema],
) -> String {
    let key_index = change.columns.iter().position(|c| c == &change.key_column);
    let is_key = |i: usize, _: &Value| Some(i) == key_index;
    let not_null = |_: usize, v: &Value| !v.is_null();
    let everything = |_: usize, _: &Value| true;
    let mut out = format!(
        "table {}.{}:",
        pg_quote_ident("public"),
        pg_quote_ident(&change.table)
    );
    let no_data = " (no-tuple-data)".to_string();
    match change.op {
        RowOp::Insert => {
            out.push_str(" INSERT:");
            out.push_str(
                &change
                    .after
                    .as_ref()
                    .map_or(no_data, |a| tuple(change, a, everything, schemas)),
            );
        }
        RowOp::Update => {
            out.push_str(" UPDATE:");
            let key_changed = match (key_index, &change.before, &change.after) {
                (Some(k), Some(b), Some(a)) => b.get(k) != a.get(k),
                _ => false,
            };
            if let Some(before) = &change.before {
                match identity {
                    ReplicaIdentity::Full => {
                        out.push_str(" old-key:");
                        out.push_str(&tuple(change, before, not_null, schemas));
                        out.push_str(" new-tuple:");
                    }
                    ReplicaIdentity::Default if key_changed => {
                        out.push_str(" old-key:");
                        out.push_str(&tuple(
                            change,
                            before,
                            |i, v| is_key(i, v) && !v.is_null(),
                            schemas,
                        ));
                        out.push_str(" new-tuple:");
                    }
                    ReplicaIdentity::Default => {}
                }
            }
            out.push_str(
                &change
                    .after
                    .as_ref()
                    .map_or(no_data, |a| tuple(change, a, everything, schemas)),
            );
        }
        RowOp::Delete => {
            out.push_str(" DELETE:");
            let old = change.before.as_ref().map(|b| match identity {
                ReplicaIdentity::Full => tuple(change, b, not_null, schemas),
                ReplicaIdentity::Default => {
                    tuple(change, b, |i, v| is_key(i, v) && !v.is_null(), schemas)
                }
            });
            out.push_str(&old.unwrap_or(no_data));
        }
    }
    out
}

/// A row entry as `pg_recvlogical --plugin=test_decoding` prints it: `BEGIN <xid>`, one line
/// per change (more when a value holds a newline), `COMMIT <xid>`.
pub fn test_decoding(
    entry: &LogEntry,
    identity: ReplicaIdentity,
    schemas: &[TableSchema],
) -> Vec<String> {
    let mut out = vec![format!("BEGIN {}", entry.xid)];
    // A value with a newline prints across lines, as it does on pg_recvlogical's output.
    for change in entry.row_changes() {
        out.extend(
            decoding_change(change, identity, schemas)
                .split('\n')
                .map(str::to_string),
        );
    }
    out.push(format!("COMMIT {}", entry.xid));
    out
}

/// Renders any entry through test_decoding (non-row entries say they have no logical form).
pub fn render(entry: &LogEntry, identity: ReplicaIdentity, options: &RenderOptions) -> Vec<String> {
    match &entry.payload {
        Payload::Rows(_) => test_decoding(entry, identity, options.schemas),
        _ => vec!["# lab: this entry carries no row changes to decode".into()],
    }
}

/// `s` as a JSON string literal: the page's one JSON writer's quoting.
pub fn json_string(s: &str) -> String {
    crate::json::string_literal(s)
}

/// A value as Debezium's PostgreSQL connector encodes it: numbers, strings, booleans,
/// `timestamp` as `MicroTimestamp` (microseconds since the epoch), NULL as `null`.
fn json_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Integer(i) => i.to_string(),
        Value::Timestamp(t) => t.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Text(s) => json_string(s),
    }
}

fn json_row(columns: &[String], image: &[Value], keep: impl Fn(usize) -> bool) -> String {
    let fields: Vec<String> = columns
        .iter()
        .zip(image)
        .enumerate()
        .map(|(i, (c, v))| {
            let value = if keep(i) {
                json_value(v)
            } else {
                "null".into()
            };
            format!("{}:{value}", json_string(c))
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// A Debezium-style change event for one row change of `entry`: `before` (per the replica
/// identity: `null` for an UPDATE under DEFAULT, the key alone for a DELETE), `after`,
/// `source` (with the transaction id and the entry's end LSN as a number) and `op`.
pub fn debezium_json(entry: &LogEntry, change: &RowChange, identity: ReplicaIdentity) -> String {
    let key_index = change.columns.iter().position(|c| c == &change.key_column);
    let before = match (&change.before, change.op, identity) {
        (None, _, _) | (_, RowOp::Insert, _) => "null".to_string(),
        (Some(b), _, ReplicaIdentity::Full) => json_row(&change.columns, b, |_| true),
        (Some(_), RowOp::Update, ReplicaIdentity::Default) => "null".to_string(),
        (Some(b), _, ReplicaIdentity::Default) => {
            json_row(&change.columns, b, |i| Some(i) == key_index)
        }
    };
    let after = change
        .after
        .as_ref()
        .filter(|_| change.op != RowOp::Delete)
        .map_or_else(
            || "null".to_string(),
            |a| json_row(&change.columns, a, |_| true),
        );
    let op = match change.op {
        RowOp::Insert => "c",
        RowOp::Update => "u",
        RowOp::Delete => "d",
    };
    let ts_ms = entry.committed_at.div_euclid(1000);
    format!(
        "{{\"before\":{before},\"after\":{after},\"source\":{{\"version\":\"lab\",\"connector\":\"postgresql\",\
         \"name\":\"lab\",\"ts_ms\":{ts_ms},\"snapshot\":\"false\",\"db\":\"lab\",\"schema\":\"public\",\
         \"table\":{},\"txId\":{},\"lsn\":{}}},\"op\":\"{op}\",\"ts_ms\":{ts_ms}}}",
        json_string(&change.table),
        entry.xid,
        entry.end
    )
}
