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
//! As MySQL 8.4 (`gtid_mode=ON`) writes it, every transaction opens with a GTID event
//! (`last_committed`/`sequence_number` of a serial workload, `SET @@SESSION.GTID_NEXT=`); the
//! first statement's Query event says `use \`shop\``; `SET TIMESTAMP` is whole seconds unless
//! the statement called a fractional-seconds function (`NOW(6)`). Notes such as 1592 are
//! never in the binlog: the client gets them. Simplifications: the GTID's transaction number
//! is the entry's index in the lab's log, and each term (a promoted leader is another server)
//! has its own `server_uuid`; the session `SET @@session...` lines mysqlbinlog prints before
//! the first Query event are left out.
//!
//! Knows log entries and values; nothing of the network, the followers or the UI.

use super::text::{civil_time, crc32, split_range};
use super::RenderOptions;
use crate::engine::{RowChange, RowOp, Value};
use crate::replication::config::RowImage;
use crate::replication::log::{LogEntry, LoggedStatement, Payload};

/// Fixed event sizes in MySQL 8 (19-byte header, post-header, body, 4-byte CRC32).
const INTVAR_EVENT_SIZE: u64 = 19 + 9 + 4;
const RAND_EVENT_SIZE: u64 = 19 + 16 + 4;
const XID_EVENT_SIZE: u64 = 19 + 8 + 4;
/// A MySQL 8 GTID event with commit timestamps and transaction length (`# at 157` →
/// `end_log_pos 236` in a fresh binlog).
const GTID_EVENT_SIZE: u64 = 79;
/// `@@version` as `original_server_version` / `immediate_server_version` print it (8.4.0).
const MYSQL_SERVER_VERSION: u32 = 80400;
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

/// `SET TIMESTAMP=1795685467/*!*/;` as MySQL 8's mysqlbinlog prints a Query event's start
/// time: whole seconds, unless the statement used a fractional-seconds function (`NOW(6)`),
/// when the event carries microseconds: `SET TIMESTAMP=1795685467.104211/*!*/;`.
pub fn set_timestamp(micros: i64, fractional_seconds: bool) -> String {
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    if fractional_seconds && fraction != 0 {
        format!("SET TIMESTAMP={seconds}.{fraction:06}/*!*/;")
    } else {
        format!("SET TIMESTAMP={seconds}/*!*/;")
    }
}

/// Whether `sql` calls a temporal function with a fractional-seconds precision (`NOW(6)`,
/// `CURRENT_TIMESTAMP(3)`, `SYSDATE(6)`...): the only case in which MySQL's Query event
/// carries microseconds.
pub fn uses_fractional_seconds(sql: &str) -> bool {
    const FUNCTIONS: [&str; 8] = [
        "NOW",
        "CURRENT_TIMESTAMP",
        "LOCALTIMESTAMP",
        "LOCALTIME",
        "SYSDATE",
        "UTC_TIMESTAMP",
        "CURTIME",
        "UTC_TIME",
    ];
    let upper = sql.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    FUNCTIONS.iter().any(|name| {
        upper.match_indices(name).any(|(at, _)| {
            let before_ok = at == 0 || !is_word_byte(bytes[at - 1]);
            let mut rest = upper[at + name.len()..].trim_start().chars();
            if !before_ok || rest.next() != Some('(') {
                return false;
            }
            let rest: String = rest.collect();
            let rest = rest.trim_start();
            let mut digits = rest.chars();
            matches!(digits.next(), Some('1'..='6'))
                && digits.as_str().trim_start().starts_with(')')
        })
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The `server_uuid` of the server that led in `term`: stable, shaped like MySQL's (a
/// version-1 UUID), different for every term.
pub fn server_uuid(term: u32) -> String {
    let h = crc32(format!("server_uuid of term {term}").as_bytes());
    format!(
        "{:08x}-{:04x}-11f1-{:04x}-0242ac11{:04x}",
        h,
        (h >> 16) & 0xffff,
        0x8000 | (h & 0x0fff),
        (term + 1) & 0xffff
    )
}

/// `2026-11-26 09:31:07.104211 UTC`: a commit timestamp as the GTID event's comments print it.
fn commit_time_comment(micros: i64) -> String {
    let t = civil_time(micros);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06} UTC",
        t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros
    )
}

/// The GTID event that opens every transaction (MySQL 5.7+ with `gtid_mode=ON`): a serial
/// workload's logical clock (`last_committed` is the transaction before), the commit
/// timestamps, and `SET @@SESSION.GTID_NEXT`. Row-only transactions (`rbr_only=yes`) also
/// print the isolation level the applier uses.
fn gtid_event(entry: &LogEntry, when: i64, rbr_only: bool, gtid: &Gtid) -> Event {
    let committed = entry.committed_at;
    let mut body = Vec::new();
    if rbr_only {
        body.push("/*!50718 SET TRANSACTION ISOLATION LEVEL READ COMMITTED*//*!*/;".to_string());
    }
    body.extend([
        format!(
            "# original_commit_timestamp={committed} ({})",
            commit_time_comment(committed)
        ),
        format!(
            "# immediate_commit_timestamp={committed} ({})",
            commit_time_comment(committed)
        ),
        format!("/*!80001 SET @@session.original_commit_timestamp={committed}*//*!*/;"),
        format!("/*!80014 SET @@session.original_server_version={MYSQL_SERVER_VERSION}*//*!*/;"),
        format!("/*!80014 SET @@session.immediate_server_version={MYSQL_SERVER_VERSION}*//*!*/;"),
        format!(
            "SET @@SESSION.GTID_NEXT= '{}:{}'/*!*/;",
            gtid.uuid, gtid.number
        ),
    ]);
    Event {
        when,
        kind: format!(
            "GTID\tlast_committed={}\tsequence_number={}\trbr_only={}\t\
             original_committed_timestamp={committed}\timmediate_commit_timestamp={committed}\t\
             transaction_length={}",
            entry.index.saturating_sub(1),
            entry.index,
            if rbr_only { "yes" } else { "no" },
            entry.bytes()
        ),
        body,
        notes: vec![],
        size: GTID_EVENT_SIZE,
        fixed_size: true,
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
        body.push(set_timestamp(when, false));
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

/// Whether a statement is DDL, which MySQL logs as its own transaction: no `BEGIN`, no Xid.
fn is_ddl(sql: &str) -> bool {
    let word: String = sql
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect::<String>()
        .to_ascii_uppercase();
    matches!(
        word.as_str(),
        "CREATE" | "ALTER" | "DROP" | "TRUNCATE" | "RENAME"
    )
}

/// The events MySQL writes for one statement: Intvar, Rand, then the Query event (with
/// `use` when it is the transaction's first Query event naming the schema).
fn statement_events(
    statement: &LoggedStatement,
    committed_at: i64,
    with_use: bool,
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
    if with_use {
        body.push(format!("use `{}`/*!*/;", options.database));
    }
    if statement.context.is_some() {
        body.push(set_timestamp(when, uses_fractional_seconds(&statement.sql)));
    }
    body.extend(
        statement
            .sql
            .split('\n')
            .map(|l| l.trim_end_matches('\r').to_string()),
    );
    body.push("/*!*/;".into());
    events.push(Event {
        when,
        kind: query_kind(options),
        body,
        notes: vec![],
        size: QUERY_EVENT_OVERHEAD + statement.sql.len() as u64,
        fixed_size: false,
    });
    events
}

/// A statement-format transaction as mysqlbinlog prints it: the GTID event, a `BEGIN` Query
/// event, each statement's Intvar / Rand / Query events (the first with `use`), the Xid event
/// with `COMMIT`. DDL is its own transaction: GTID, then the Query event alone. Unsafe
/// statements are logged like any other (their note 1592 goes to the client, not the log). A
/// naive log (no context events, a lab mode MySQL does not have) says so in a leading comment
/// and prints no `SET TIMESTAMP`.
pub fn statement_transaction(
    entry: &LogEntry,
    statements: &[LoggedStatement],
    options: &RenderOptions,
) -> Vec<String> {
    let naive = statements.iter().all(|s| s.context.is_none());
    let ddl = !statements.is_empty() && statements.iter().all(|s| is_ddl(&s.sql));
    let first_when = statements
        .first()
        .and_then(|s| s.context.as_ref())
        .and_then(|c| c.timestamp)
        .unwrap_or(entry.committed_at);
    let mut events = vec![gtid_event(entry, first_when, false, &Gtid::of(entry))];
    if !ddl {
        events.push(begin_event(first_when, !naive, options));
    }
    for (i, statement) in statements.iter().enumerate() {
        events.extend(statement_events(
            statement,
            entry.committed_at,
            i == 0,
            options,
        ));
    }
    if !ddl {
        events.push(xid_event(entry));
    }
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

/// A negative integer's unsigned reading in a column of `bytes` bytes, as `mysqlbinlog -v`
/// adds it in parentheses (`-3 (4294967293)` for an INT).
fn unsigned_reading(i: i64, bytes: u32) -> u64 {
    if bytes >= 8 {
        i as u64
    } else {
        (i as u64) & ((1u64 << (8 * bytes)) - 1)
    }
}

/// A column value as MySQL 8's `mysqlbinlog -v` prints it: integers bare, negative ones
/// with their unsigned reading (`-3 (4294967293)`: the lab's INTEGER is MySQL's 4-byte INT; a
/// value beyond its range is read as the BIGINT it would have to be); strings in single
/// quotes with `\'`, `\\`, `\n`, `\r`, `\t` and other control bytes as `\x0a`; NULL;
/// booleans as the TINYINT(1) they are in MySQL; TIMESTAMP(6) as epoch seconds.
pub fn mysql_row_value(value: &Value) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Integer(i) if *i < 0 => {
            let bytes = if i32::try_from(*i).is_ok() { 4 } else { 8 };
            format!("{i} ({})", unsigned_reading(*i, bytes))
        }
        Value::Integer(i) => i.to_string(),
        Value::Boolean(b) => u8::from(*b).to_string(),
        Value::Timestamp(t) => {
            format!("{}.{:06}", t.div_euclid(1_000_000), t.rem_euclid(1_000_000))
        }
        Value::Text(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('\'');
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02x}", c as u32)),
                    c => out.push(c),
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
/// the GTID event (`rbr_only=yes`), `BEGIN`, then per run of changes to one table with one operation a `Table_map` and a
/// `Write_rows` / `Update_rows` / `Delete_rows` event (the log does not keep statement
/// boundaries, so each run counts as one statement and ends with `STMT_END_F`), then the
/// Xid event.
pub fn row_transaction(
    entry: &LogEntry,
    changes: &[RowChange],
    image: RowImage,
    options: &RenderOptions,
) -> Vec<String> {
    row_transaction_as(entry, changes, image, options, &Gtid::of(entry))
}

/// A transaction's GTID: its source's `server_uuid` and its number there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gtid {
    pub uuid: String,
    pub number: u64,
}

impl Gtid {
    /// The GTID a single-leader entry has: its term's source, its index.
    fn of(entry: &LogEntry) -> Gtid {
        Gtid {
            uuid: server_uuid(entry.term),
            number: entry.index,
        }
    }
}

/// [`row_transaction`] with the GTID given: a transaction a server applied from another
/// keeps its origin's GTID in its own binlog (`log_replica_updates`).
pub fn row_transaction_as(
    entry: &LogEntry,
    changes: &[RowChange],
    image: RowImage,
    options: &RenderOptions,
    gtid: &Gtid,
) -> Vec<String> {
    let when = entry.committed_at;
    let mut events = vec![
        gtid_event(entry, when, true, gtid),
        begin_event(when, true, options),
    ];
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
