//! `mysqlbinlog` output for the lab's binary log: statement events (MySQL
//! `binlog_format=STATEMENT`, with or without the context events) and row events as
//! `mysqlbinlog --base64-output=DECODE-ROWS -v` decodes them (`binlog_format=ROW`, FULL or
//! MINIMAL row image).
//!
//! Positions (`# at`, `end_log_pos`) come from the entry's own `start..end`, split over its
//! events by MySQL-like sizes, so the last event ends exactly where the entry ends. The
//! CRC32 printed is a real CRC-32 of the event's rendered text (MySQL checksums the event's
//! bytes, which the lab does not have). Dates are UTC.
//!
//! Knows log entries and values; nothing of the network, the followers or the UI.

use super::text::{civil_time, crc32, split_range};
use super::RenderOptions;
use crate::engine::{RowChange, RowOp, Value, MYSQL_UNSAFE_WARNING};
use crate::replication::config::RowImage;
use crate::replication::log::{LogEntry, LoggedStatement, Payload};

/// Fixed event sizes in MySQL 8 (19-byte header, post-header, body, 4-byte CRC32).
const INTVAR_EVENT_SIZE: u64 = 19 + 9 + 4;
const RAND_EVENT_SIZE: u64 = 19 + 16 + 4;
const XID_EVENT_SIZE: u64 = 19 + 8 + 4;
/// A Query event besides its SQL text: header, post-header, typical status variables, CRC.
const QUERY_EVENT_OVERHEAD: u64 = 19 + 13 + 52 + 4;

/// One binlog event before positions are known.
struct Event {
    /// The event's timestamp (microseconds since the epoch).
    when: i64,
    /// What follows the tab in the header line: `Query\tthread_id=...`, `Xid = 5742`.
    kind: String,
    /// The lines after the header line.
    body: Vec<String>,
    /// Lab annotations printed after the event (comments, not part of it).
    notes: Vec<String>,
    size: u64,
    fixed_size: bool,
}

/// `#261126  9:31:07`: MySQL's event date, two-digit year, hour padded with a space.
pub fn binlog_date(micros: i64) -> String {
    let t = civil_time(micros);
    format!(
        "#{:02}{:02}{:02} {:2}:{:02}:{:02}",
        t.year.rem_euclid(100),
        t.month,
        t.day,
        t.hour,
        t.minute,
        t.second
    )
}

/// `SET TIMESTAMP=1795685467/*!*/;` or, with microseconds, `SET TIMESTAMP=1795685467.104211/*!*/;`
/// as MySQL 8's mysqlbinlog prints a Query event's start time.
pub fn set_timestamp(micros: i64) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    if fraction == 0 {
        format!("SET TIMESTAMP={seconds}/*!*/;")
    } else {
        format!("SET TIMESTAMP={seconds}.{fraction:06}/*!*/;")
    }
}

/// Gives the events their positions and prints them: `# at`, header line, body, notes.
fn print_events(entry: &LogEntry, events: &[Event], options: &RenderOptions) -> Vec<String> {
    let sizes: Vec<(u64, bool)> = events.iter().map(|e| (e.size, e.fixed_size)).collect();
    let ends = split_range(entry.start, entry.end, &sizes);
    let mut out = Vec::new();
    let mut at = entry.start;
    for (event, end) in events.iter().zip(ends) {
        let date = binlog_date(event.when);
        // The checksum covers what the event says, its position and its time, the way
        // MySQL's covers the event's bytes (which hold all three).
        let checksummed = format!(
            "{date} {} {end} {}\n{}",
            options.server_id,
            event.kind,
            event.body.join("\n")
        );
        out.push(format!("# at {at}"));
        out.push(format!(
            "{date} server id {}  end_log_pos {end} CRC32 0x{:08x} \t{}",
            options.server_id,
            crc32(checksummed.as_bytes()),
            event.kind
        ));
        out.extend(event.body.iter().cloned());
        out.extend(event.notes.iter().cloned());
        at = end;
    }
    out
}

fn query_kind(options: &RenderOptions) -> String {
    format!(
        "Query\tthread_id={}\texec_time=0\terror_code=0",
        options.thread_id
    )
}

fn begin_event(when: i64, with_timestamp: bool, options: &RenderOptions) -> Event {
    let mut body = Vec::new();
    if with_timestamp {
        body.push(set_timestamp(when));
    }
    body.push("BEGIN".into());
    body.push("/*!*/;".into());
    Event {
        when,
        kind: query_kind(options),
        body,
        notes: vec![],
        size: QUERY_EVENT_OVERHEAD + 5,
        fixed_size: false,
    }
}

fn xid_event(entry: &LogEntry) -> Event {
    Event {
        when: entry.committed_at,
        kind: format!("Xid = {}", entry.xid),
        body: vec!["COMMIT/*!*/;".into()],
        notes: vec![],
        size: XID_EVENT_SIZE,
        fixed_size: true,
    }
}

/// The events MySQL writes for one statement: Intvar, Rand, then the Query event.
fn statement_events(
    statement: &LoggedStatement,
    committed_at: i64,
    options: &RenderOptions,
) -> Vec<Event> {
    let mut events = Vec::new();
    let when = statement
        .context
        .as_ref()
        .and_then(|c| c.timestamp)
        .unwrap_or(committed_at);
    if let Some(context) = &statement.context {
        if let Some(id) = context.insert_id {
            events.push(Event {
                when,
                kind: "Intvar".into(),
                body: vec![format!("SET INSERT_ID={id}/*!*/;")],
                notes: vec![],
                size: INTVAR_EVENT_SIZE,
                fixed_size: true,
            });
        }
        if let Some((seed1, seed2)) = context.rand_seeds {
            events.push(Event {
                when,
                kind: "Rand".into(),
                body: vec![format!(
                    "SET @@RAND_SEED1={seed1}, @@RAND_SEED2={seed2}/*!*/;"
                )],
                notes: vec![],
                size: RAND_EVENT_SIZE,
                fixed_size: true,
            });
        }
    }
    let mut body = Vec::new();
    if statement.context.is_some() {
        body.push(set_timestamp(when));
    }
    body.extend(
        statement
            .sql
            .split('\n')
            .map(|l| l.trim_end_matches('\r').to_string()),
    );
    body.push("/*!*/;".into());
    let mut notes = Vec::new();
    if !statement.unsafe_reasons.is_empty() {
        notes.push(format!("# Note (Code 1592): {MYSQL_UNSAFE_WARNING}"));
        for reason in &statement.unsafe_reasons {
            notes.push(format!("# lab: {}", reason.describe()));
        }
    }
    events.push(Event {
        when,
        kind: query_kind(options),
        body,
        notes,
        size: QUERY_EVENT_OVERHEAD + statement.sql.len() as u64,
        fixed_size: false,
    });
    events
}

/// A statement-format transaction as mysqlbinlog prints it: a `BEGIN` Query event, each
/// statement's Intvar / Rand / Query events, the Xid event with `COMMIT`. Unsafe statements
/// carry MySQL's warning 1592 as a comment. A naive log (no context events, a lab mode MySQL
/// does not have) says so in a leading comment and prints no `SET TIMESTAMP`.
pub fn statement_transaction(
    entry: &LogEntry,
    statements: &[LoggedStatement],
    options: &RenderOptions,
) -> Vec<String> {
    let naive = statements.iter().all(|s| s.context.is_none());
    let first_when = statements
        .first()
        .and_then(|s| s.context.as_ref())
        .and_then(|c| c.timestamp)
        .unwrap_or(entry.committed_at);
    let mut events = vec![begin_event(first_when, !naive, options)];
    for statement in statements {
        events.extend(statement_events(statement, entry.committed_at, options));
    }
    events.push(xid_event(entry));
    let mut out = Vec::new();
    if naive {
        out.push(
            "# lab: naive statement log: no SET TIMESTAMP, INSERT_ID or RAND seed events \
             (MySQL always writes them), so a follower evaluates NOW(), RAND() and \
             AUTO_INCREMENT itself"
                .to_string(),
        );
    }
    out.extend(print_events(entry, &events, options));
    out
}

/// A column value as `mysqlbinlog -v` prints it: integers bare, strings in single quotes with
/// control bytes as `\x0a` (mysqlbinlog writes quotes and backslashes as they are), NULL,
/// booleans as the TINYINT(1) they are in MySQL, TIMESTAMP(6) as epoch seconds.
pub fn mysql_row_value(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Boolean(b) => u8::from(*b).to_string(),
        Value::Timestamp(t) => {
            format!("{}.{:06}", t.div_euclid(1_000_000), t.rem_euclid(1_000_000))
        }
        Value::Text(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('\'');
            for c in s.chars() {
                if (c as u32) < 0x20 {
                    out.push_str(&format!("\\x{:02x}", c as u32));
                } else {
                    out.push(c);
                }
            }
            out.push('\'');
            out
        }
    }
}

/// `@3`: a column's 1-based position in the change's column list (`@?` if unknown).
fn column_ref(change: &RowChange, column: &str) -> String {
    change
        .columns
        .iter()
        .position(|c| c == column)
        .map_or_else(|| "@?".to_string(), |i| format!("@{}", i + 1))
}

/// The `###` lines of one row, honouring the row image.
fn row_lines(change: &RowChange, database: &str, image: RowImage) -> Vec<String> {
    let table = format!("`{database}`.`{}`", change.table);
    let numbered = |values: &Option<Vec<Value>>| -> Vec<(String, Value)> {
        values
            .iter()
            .flat_map(|vs| {
                vs.iter()
                    .enumerate()
                    .map(|(i, v)| (format!("@{}", i + 1), v.clone()))
            })
            .collect()
    };
    let (before, after) = match image {
        RowImage::Full => (numbered(&change.before), numbered(&change.after)),
        RowImage::Minimal => {
            let minimal = change.minimal();
            let by_ref = |pairs: Vec<(String, Value)>| -> Vec<(String, Value)> {
                pairs
                    .into_iter()
                    .map(|(c, v)| (column_ref(change, &c), v))
                    .collect()
            };
            (by_ref(minimal.before), by_ref(minimal.after))
        }
    };
    let values = |pairs: Vec<(String, Value)>| -> Vec<String> {
        pairs
            .into_iter()
            .map(|(r, v)| format!("###   {r}={}", mysql_row_value(&v)))
            .collect()
    };
    let mut out = Vec::new();
    match change.op {
        RowOp::Insert => {
            out.push(format!("### INSERT INTO {table}"));
            out.push("### SET".into());
            out.extend(values(after));
        }
        RowOp::Update => {
            out.push(format!("### UPDATE {table}"));
            out.push("### WHERE".into());
            out.extend(values(before));
            out.push("### SET".into());
            out.extend(values(after));
        }
        RowOp::Delete => {
            out.push(format!("### DELETE FROM {table}"));
            out.push("### WHERE".into());
            out.extend(values(before));
        }
    }
    out
}

/// MySQL's table id for a table: a stable number derived from its name (MySQL numbers tables
/// as it opens them; the lab has no table cache, so it uses a checksum of the name).
pub fn mysql_table_id(table: &str) -> u64 {
    100 + u64::from(crc32(table.as_bytes()) % 9_900)
}

/// A value's size in a MySQL row image (for splitting the entry's bytes), roughly.
fn image_size(values: &Option<Vec<Value>>) -> u64 {
    values
        .iter()
        .flatten()
        .map(|v| match v {
            Value::Null => 0,
            Value::Integer(_) => 4,
            Value::Boolean(_) => 1,
            Value::Timestamp(_) => 7,
            Value::Text(s) => 1 + s.len() as u64,
        })
        .sum::<u64>()
        + 1
}

/// A row-format transaction as `mysqlbinlog --base64-output=DECODE-ROWS -v` prints it:
/// `BEGIN`, then per run of changes to one table with one operation a `Table_map` and a
/// `Write_rows` / `Update_rows` / `Delete_rows` event (the log does not keep statement
/// boundaries, so each run counts as one statement and ends with `STMT_END_F`), then the
/// Xid event.
pub fn row_transaction(
    entry: &LogEntry,
    changes: &[RowChange],
    image: RowImage,
    options: &RenderOptions,
) -> Vec<String> {
    let when = entry.committed_at;
    let mut events = vec![begin_event(when, true, options)];
    let mut runs: Vec<&[RowChange]> = Vec::new();
    let mut rest = changes;
    while let Some(first) = rest.first() {
        let len = rest
            .iter()
            .take_while(|c| c.table == first.table && c.op == first.op)
            .count();
        runs.push(&rest[..len]);
        rest = &rest[len..];
    }
    for run in runs {
        let Some(first) = run.first() else { continue };
        let table_id = mysql_table_id(&first.table);
        let columns = first.columns.len() as u64;
        events.push(Event {
            when,
            kind: format!(
                "Table_map: `{}`.`{}` mapped to number {table_id}",
                options.database, first.table
            ),
            body: vec![],
            notes: vec![],
            size: 19
                + 8
                + 4
                + options.database.len() as u64
                + first.table.len() as u64
                + 4 * columns
                + 4,
            fixed_size: false,
        });
        let name = match first.op {
            RowOp::Insert => "Write_rows",
            RowOp::Update => "Update_rows",
            RowOp::Delete => "Delete_rows",
        };
        let body: Vec<String> = run
            .iter()
            .flat_map(|c| row_lines(c, &options.database, image))
            .collect();
        let size = 19
            + 10
            + 4
            + run
                .iter()
                .map(|c| image_size(&c.before) + image_size(&c.after))
                .sum::<u64>();
        events.push(Event {
            when,
            kind: format!("{name}: table id {table_id} flags: STMT_END_F"),
            body,
            notes: vec![],
            size,
            fixed_size: false,
        });
    }
    events.push(xid_event(entry));
    let image_name = match image {
        RowImage::Full => "FULL",
        RowImage::Minimal => "MINIMAL",
    };
    let mut out = vec![format!(
        "# lab: rows as mysqlbinlog --base64-output=DECODE-ROWS -v prints them, binlog_row_image={image_name}"
    )];
    out.extend(print_events(entry, &events, options));
    out
}

/// mysqlbinlog's rendering of any entry: statements as statement events, rows as row events
/// (FULL image); a WAL entry has no binlog form and says so.
pub fn render(entry: &LogEntry, image: RowImage, options: &RenderOptions) -> Vec<String> {
    match &entry.payload {
        Payload::Statements(statements) => statement_transaction(entry, statements, options),
        Payload::Rows(changes) => row_transaction(entry, changes, image, options),
        Payload::Wal(_) => vec!["# lab: a WAL entry has no binary-log form".into()],
    }
}
