//! Slony-I's change log, `sl_log_1`: how the trigger method captures a row change into the
//! leader's own database and how the applier reads it back, with one definition for both
//! directions ([`slony_cmdargs`] and [`parse_slony_cmdargs`]), plus the table as psql
//! prints it.
//!
//! `log_cmdargs` is a PostgreSQL `text[]` in its text form, `{col,val,col,val}`:
//! - `I` (insert): every column with its new value;
//! - `U` (update): the changed columns with their new values, then the key column with its
//!   OLD value (the applier's WHERE); `log_cmdupdncols` counts the changed columns. When no
//!   column changed, Slony still needs a SET: the key is set to itself (one column);
//! - `D` (delete): the key column with its old value.
//!
//! Column names are stored as `quote_ident` writes them, values in PostgreSQL's text output
//! form (NULL as the unquoted array element `NULL`). Slony's log carries no old values
//! besides the key, so an UPDATE read back has a before image holding the old key and NULL
//! (unknown) for the other columns.
//!
//! Knows rows, values and text; nothing of the network or the UI.

use super::psql::{aligned_table, Cell};
use super::text::{pg_quote_ident, pg_text, pg_unquote_ident};
use crate::engine::format::parse_timestamp;
use crate::engine::{DataType, RowChange, RowOp, TableSchema, Value};
use crate::replication::log::LogEntry;

/// The columns of `sl_log_1`, in table order.
pub const SL_LOG_1_COLUMNS: [&str; 9] = [
    "log_origin",
    "log_txid",
    "log_tableid",
    "log_actionseq",
    "log_tablenspname",
    "log_tablerelname",
    "log_cmdtype",
    "log_cmdupdncols",
    "log_cmdargs",
];

/// Whether an array element must be double-quoted (PostgreSQL's `array_out` rule).
fn needs_quotes(element: &str) -> bool {
    element.is_empty()
        || element.eq_ignore_ascii_case("NULL")
        || element.chars().any(|c| {
            matches!(
                c,
                '"' | '\\' | '{' | '}' | ',' | ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}'
            )
        })
}

/// A one-dimensional `text[]` in PostgreSQL's output form: `{a,"b c",NULL,"",\"NULL\"}`
/// quoted as `array_out` does (double quotes, `"` and `\` escaped with a backslash).
pub fn pg_array_literal(elements: &[Option<String>]) -> String {
    let parts: Vec<String> = elements
        .iter()
        .map(|e| match e {
            None => "NULL".to_string(),
            Some(s) if needs_quotes(s) => {
                let mut quoted = String::with_capacity(s.len() + 2);
                quoted.push('"');
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        quoted.push('\\');
                    }
                    quoted.push(c);
                }
                quoted.push('"');
                quoted
            }
            Some(s) => s.clone(),
        })
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn is_array_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

/// Parses a one-dimensional `text[]` literal as `array_in` does: quoted or bare elements,
/// backslash escapes, whitespace around bare elements ignored, bare `NULL` as NULL.
pub fn parse_pg_array(text: &str) -> Result<Vec<Option<String>>, String> {
    let malformed = |why: &str| format!("malformed array literal: \"{text}\" ({why})");
    let inner = text
        .trim_matches(is_array_space)
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .ok_or_else(|| malformed("must be enclosed in braces"))?;
    let mut elements = Vec::new();
    if inner.trim_matches(is_array_space).is_empty() {
        return Ok(elements);
    }
    let mut chars = inner.chars().peekable();
    loop {
        while chars.peek().copied().is_some_and(is_array_space) {
            chars.next();
        }
        let mut value = String::new();
        let mut quoted = false;
        let mut escaped_any = false;
        if chars.peek() == Some(&'"') {
            quoted = true;
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(malformed("unterminated quoted element")),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(malformed("unexpected end after backslash")),
                    },
                    Some(c) => value.push(c),
                }
            }
            while chars.peek().copied().is_some_and(is_array_space) {
                chars.next();
            }
        } else {
            // A bare element ends at a comma; trailing whitespace is not part of it, but
            // escaped whitespace is.
            let mut kept = 0;
            loop {
                match chars.peek().copied() {
                    None | Some(',') => break,
                    Some('"' | '{' | '}') => return Err(malformed("unexpected character")),
                    Some('\\') => {
                        chars.next();
                        let c = chars
                            .next()
                            .ok_or_else(|| malformed("unexpected end after backslash"))?;
                        value.push(c);
                        escaped_any = true;
                        kept = value.len();
                    }
                    Some(c) => {
                        chars.next();
                        value.push(c);
                        if !is_array_space(c) {
                            kept = value.len();
                        }
                    }
                }
            }
            value.truncate(kept);
            if value.is_empty() && !escaped_any {
                return Err(malformed("empty element"));
            }
        }
        let is_null = !quoted && !escaped_any && value.eq_ignore_ascii_case("NULL");
        elements.push(if is_null { None } else { Some(value) });
        match chars.next() {
            None => return Ok(elements),
            Some(',') => continue,
            Some(_) => return Err(malformed("junk after element")),
        }
    }
}

/// Turns a value's text form back into a typed value of `data_type`.
fn typed_value(text: Option<&str>, data_type: DataType, column: &str) -> Result<Value, String> {
    let Some(text) = text else {
        return Ok(Value::Null);
    };
    let invalid =
        || format!("invalid input syntax for type {data_type} in column \"{column}\": \"{text}\"");
    match data_type {
        DataType::Text => Ok(Value::Text(text.to_string())),
        DataType::Integer => text
            .trim()
            .parse()
            .map(Value::Integer)
            .map_err(|_| invalid()),
        DataType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" => Ok(Value::Boolean(true)),
            "f" | "false" | "no" | "off" | "0" => Ok(Value::Boolean(false)),
            _ => Err(invalid()),
        },
        DataType::Timestamp => parse_timestamp(text)
            .map(Value::Timestamp)
            .ok_or_else(invalid),
    }
}

/// What Slony's log trigger writes for a row change: `(log_cmdtype, log_cmdupdncols,
/// log_cmdargs)`.
pub fn slony_cmdargs(change: &RowChange) -> (char, i64, String) {
    let key_index = change.columns.iter().position(|c| c == &change.key_column);
    let pair = |column: &str, value: &Value| [Some(pg_quote_ident(column)), pg_text(value)];
    let old_key = change
        .before
        .as_ref()
        .and_then(|b| b.get(key_index?).cloned())
        .unwrap_or_else(|| change.key.clone());
    match change.op {
        RowOp::Insert => {
            let elements: Vec<Option<String>> = change
                .columns
                .iter()
                .zip(change.after.iter().flatten())
                .flat_map(|(c, v)| pair(c, v))
                .collect();
            ('I', 0, pg_array_literal(&elements))
        }
        RowOp::Update => {
            let mut elements: Vec<Option<String>> = Vec::new();
            let mut changed = 0;
            if let Some(after) = &change.after {
                for (i, (column, new)) in change.columns.iter().zip(after).enumerate() {
                    let old = change.before.as_ref().and_then(|b| b.get(i));
                    if old != Some(new) {
                        elements.extend(pair(column, new));
                        changed += 1;
                    }
                }
            }
            if changed == 0 {
                // Nothing changed: Slony sets the key to itself so the UPDATE has a SET list.
                elements.extend(pair(&change.key_column, &old_key));
                changed = 1;
            }
            elements.extend(pair(&change.key_column, &old_key));
            ('U', changed, pg_array_literal(&elements))
        }
        RowOp::Delete => (
            'D',
            0,
            pg_array_literal(&pair(&change.key_column, &old_key)),
        ),
    }
}

/// Reads a `sl_log_1` change back into a row change of `table` (the applier's side of
/// [`slony_cmdargs`]), typing the values by the table's columns. Errors are messages.
pub fn parse_slony_cmdargs(
    table: &TableSchema,
    cmdtype: char,
    updncols: i64,
    cmdargs: &str,
) -> Result<RowChange, String> {
    let elements = parse_pg_array(cmdargs)?;
    if elements.len() % 2 != 0 {
        return Err(format!(
            "log_cmdargs has an odd number of elements ({}): {cmdargs}",
            elements.len()
        ));
    }
    let key_column = table
        .columns
        .get(table.primary_key)
        .ok_or_else(|| format!("table \"{}\" has no key column", table.name))?
        .name
        .clone();
    let mut pairs = Vec::with_capacity(elements.len() / 2);
    for chunk in elements.chunks(2) {
        let name = chunk[0]
            .as_deref()
            .map(pg_unquote_ident)
            .ok_or_else(|| format!("log_cmdargs has a NULL column name: {cmdargs}"))?;
        let index = table
            .column_index(&name)
            .ok_or_else(|| format!("table \"{}\" has no column \"{name}\"", table.name))?;
        let column = &table.columns[index];
        let value = typed_value(chunk[1].as_deref(), column.data_type, &column.name)?;
        pairs.push((column.name.clone(), value));
    }
    let key_of = |pairs: &[(String, Value)]| -> Result<Value, String> {
        pairs
            .iter()
            .find(|(c, _)| c == &key_column)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_null())
            .ok_or_else(|| {
                format!("log_cmdargs has no value for key column \"{key_column}\": {cmdargs}")
            })
    };
    let change = |op, key, columns, before, after| RowChange {
        table: table.name.clone(),
        op,
        key_column: key_column.clone(),
        key,
        columns,
        before,
        after,
    };
    match cmdtype {
        'I' => {
            let key = key_of(&pairs)?;
            let (columns, values): (Vec<String>, Vec<Value>) = pairs.into_iter().unzip();
            Ok(change(RowOp::Insert, key, columns, None, Some(values)))
        }
        'U' => {
            let set_len = usize::try_from(updncols)
                .ok()
                .filter(|&n| n >= 1 && n < pairs.len())
                .ok_or_else(|| {
                    format!(
                        "log_cmdupdncols {updncols} does not fit {} column/value pairs",
                        pairs.len()
                    )
                })?;
            let (set, key_part) = pairs.split_at(set_len);
            let old_key = key_of(key_part)?;
            let mut columns: Vec<String> = set.iter().map(|(c, _)| c.clone()).collect();
            let mut after: Vec<Value> = set.iter().map(|(_, v)| v.clone()).collect();
            if !columns.contains(&key_column) {
                columns.push(key_column.clone());
                after.push(old_key.clone());
            }
            let before = columns
                .iter()
                .map(|c| {
                    if c == &key_column {
                        old_key.clone()
                    } else {
                        Value::Null
                    }
                })
                .collect();
            Ok(change(
                RowOp::Update,
                old_key,
                columns,
                Some(before),
                Some(after),
            ))
        }
        'D' => {
            let old_key = key_of(&pairs)?;
            Ok(change(
                RowOp::Delete,
                old_key.clone(),
                vec![key_column.clone()],
                Some(vec![old_key]),
                None,
            ))
        }
        other => Err(format!(
            "log_cmdtype '{other}' is not supported (the lab applies I, U and D)"
        )),
    }
}

/// One `sl_log_1` row for a change, in [`SL_LOG_1_COLUMNS`] order.
pub fn sl_log_1_row(
    origin: i64,
    txid: i64,
    table_id: i64,
    action_seq: i64,
    change: &RowChange,
) -> Vec<Value> {
    let (cmdtype, updncols, cmdargs) = slony_cmdargs(change);
    vec![
        Value::Integer(origin),
        Value::Integer(txid),
        Value::Integer(table_id),
        Value::Integer(action_seq),
        Value::Text("public".into()),
        Value::Text(change.table.clone()),
        Value::Text(cmdtype.to_string()),
        Value::Integer(updncols),
        Value::Text(cmdargs),
    ]
}

/// `SELECT * FROM _cluster.sl_log_1` as psql prints it, from the leader's rows of that table
/// in [`SL_LOG_1_COLUMNS`] order: numbers right-aligned, NULL empty.
pub fn render_sl_log_1(rows: &[Vec<Value>]) -> Vec<String> {
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| match v {
                    Value::Integer(i) => Cell::right(i.to_string()),
                    other => Cell::left(pg_text(other).unwrap_or_default()),
                })
                .collect()
        })
        .collect();
    aligned_table(&SL_LOG_1_COLUMNS, &cells)
}

/// The `sl_log_1` rows the capture triggers would write for one entry's changes: origin 1,
/// `log_txid` the entry's xid, tables numbered by first appearance in the entry, action
/// sequence numbers from `first_action_seq`. Says so in a `# lab:` line above the table.
pub fn render_entry(entry: &LogEntry, first_action_seq: i64) -> Vec<String> {
    let mut tables: Vec<&str> = Vec::new();
    let rows: Vec<Vec<Value>> = entry
        .row_changes()
        .iter()
        .enumerate()
        .map(|(i, change)| {
            let table_id = match tables.iter().position(|t| *t == change.table) {
                Some(p) => p + 1,
                None => {
                    tables.push(&change.table);
                    tables.len()
                }
            };
            sl_log_1_row(
                1,
                i64::try_from(entry.xid).unwrap_or(i64::MAX),
                table_id as i64,
                first_action_seq.saturating_add(i as i64),
                change,
            )
        })
        .collect();
    let mut out = vec![
        "# lab: the rows the capture triggers write into sl_log_1 for this transaction \
         (tables numbered by first appearance)"
            .to_string(),
    ];
    out.extend(render_sl_log_1(&rows));
    out
}

/// One row of Slony-I's `sl_status` view: how far one receiver is behind the origin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlStatus {
    /// `st_origin`: the origin's Slony node id.
    pub origin: i64,
    /// `st_received`: the receiver's Slony node id.
    pub received: i64,
    /// `st_last_event`: the origin's last event number.
    pub last_event: i64,
    /// When the origin generated it (epoch microseconds).
    pub last_event_ts: Option<i64>,
    /// `st_last_received`: the last event the receiver confirmed.
    pub last_received: i64,
    /// When the receiver confirmed it, and when the origin had generated it.
    pub last_received_ts: Option<i64>,
    pub last_received_event_ts: Option<i64>,
    /// `st_lag_time` in microseconds; `None` prints NULL.
    pub lag_time: Option<u64>,
}

/// `sl_status`'s columns, in the view's order.
pub const SL_STATUS_COLUMNS: [&str; 9] = [
    "st_origin",
    "st_received",
    "st_last_event",
    "st_last_event_ts",
    "st_last_received",
    "st_last_received_ts",
    "st_last_received_event_ts",
    "st_lag_num_events",
    "st_lag_time",
];

/// `SELECT * FROM _cluster.sl_status;` as psql's `\x` display prints it: one record per
/// receiver, `st_lag_num_events` the events it has still to confirm.
pub fn render_sl_status(rows: &[SlStatus]) -> Vec<String> {
    let time = |t: Option<i64>| t.map(super::status::pg_timestamptz).unwrap_or_default();
    let records: Vec<Vec<(String, String)>> = rows
        .iter()
        .map(|r| {
            let values = [
                r.origin.to_string(),
                r.received.to_string(),
                r.last_event.to_string(),
                time(r.last_event_ts),
                r.last_received.to_string(),
                time(r.last_received_ts),
                time(r.last_received_event_ts),
                r.last_event
                    .saturating_sub(r.last_received)
                    .max(0)
                    .to_string(),
                r.lag_time.map(super::text::pg_interval).unwrap_or_default(),
            ];
            SL_STATUS_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .zip(values)
                .collect()
        })
        .collect();
    let mut out = vec!["postgres=# SELECT * FROM _cluster.sl_status;".to_string()];
    out.extend(super::psql::expanded(&records));
    out
}
