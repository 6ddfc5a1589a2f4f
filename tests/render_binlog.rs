//! mysqlbinlog renderings: statement events with and without context events, unsafe-statement
//! notes, ROW events with FULL and MINIMAL images, and byte positions that chain from the
//! entry's start to its end.

mod support;

use replication_lab::engine::{RowChange, RowOp, UnsafeReason, Value};
use replication_lab::replication::config::{Method, RowImage};
use replication_lab::replication::log::{LogEntry, LoggedStatement, Payload, StatementContext};
use replication_lab::replication::render::binlog::{mysql_row_value, set_timestamp};
use replication_lab::replication::render::{
    binlog_date, format_position, render_entry, render_entry_mysql_row, RenderOptions,
};
use support::orders::orders_change;

/// 2026-11-26 09:31:07.104211 UTC, the reference samples' moment.
const COMMITTED_AT: i64 = 1_795_685_467_104_211;

fn entry(start: u64, end: u64, payload: Payload) -> LogEntry {
    LogEntry {
        index: 1,
        term: 1,
        xid: 5742,
        committed_at: COMMITTED_AT,
        start,
        end,
        payload,
    }
}

fn statement(sql: &str, context: Option<StatementContext>) -> LoggedStatement {
    LoggedStatement {
        sql: sql.into(),
        context,
        unsafe_reasons: vec![],
    }
}

fn insert_with_context() -> LoggedStatement {
    LoggedStatement {
        sql: "INSERT INTO orders (status, created_at, token) VALUES ('pending', NOW(), UUID())"
            .into(),
        context: Some(StatementContext {
            timestamp: Some(COMMITTED_AT),
            insert_id: Some(8),
            rand_seeds: None,
        }),
        unsafe_reasons: vec![UnsafeReason::Uuid],
    }
}

fn row(id: i64, status: &str, note: Value) -> Vec<Value> {
    vec![Value::Integer(id), Value::Text(status.into()), note]
}

/// `(at, end_log_pos)` of every event, read back from the rendering.
fn positions(lines: &[String]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut at = None;
    for line in lines {
        if let Some(p) = line.strip_prefix("# at ") {
            at = Some(p.parse::<u64>().expect("a number after # at"));
        } else if let Some(rest) = line.split("end_log_pos ").nth(1) {
            let end: u64 = rest.split(' ').next().unwrap().parse().unwrap();
            out.push((at.take().expect("an event header follows # at"), end));
        }
    }
    out
}

fn assert_chained(lines: &[String], start: u64, end: u64) {
    let p = positions(lines);
    assert!(!p.is_empty(), "no events in {lines:#?}");
    assert_eq!(p[0].0, start, "first event starts at the entry's start");
    assert_eq!(
        p.last().unwrap().1,
        end,
        "last event ends at the entry's end"
    );
    for w in p.windows(2) {
        assert_eq!(w[0].1, w[1].0, "each event starts where the previous ended");
    }
    for (at, end) in &p {
        assert!(at <= end);
    }
}

#[test]
fn statement_with_context_events_reads_like_mysqlbinlog() {
    let e = entry(1735, 2000, Payload::Statements(vec![insert_with_context()]));
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &e,
    );
    assert_chained(&lines, 1735, 2000);
    // Shape of each line, CRCs and positions masked.
    let masked: Vec<String> = lines
        .iter()
        .map(|l| {
            if l.starts_with("#261126") {
                let (head, tail) = l.split_once(" end_log_pos ").unwrap();
                let kind = tail.split_once(" \t").unwrap().1;
                let crc = tail.split(' ').nth(2).unwrap();
                assert!(crc.starts_with("0x") && crc.len() == 10, "{crc}");
                assert!(crc[2..]
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
                format!("{head} end_log_pos N CRC32 0xXXXXXXXX \t{kind}")
            } else if l.starts_with("# at ") {
                "# at N".into()
            } else {
                l.clone()
            }
        })
        .collect();
    let header = |kind: &str| {
        format!("#261126  9:31:07 server id 1 end_log_pos N CRC32 0xXXXXXXXX \t{kind}")
    };
    let expected = vec![
        "# at N".to_string(),
        header("Query\tthread_id=8\texec_time=0\terror_code=0"),
        "SET TIMESTAMP=1795685467.104211/*!*/;".into(),
        "BEGIN".into(),
        "/*!*/;".into(),
        "# at N".into(),
        header("Intvar"),
        "SET INSERT_ID=8/*!*/;".into(),
        "# at N".into(),
        header("Query\tthread_id=8\texec_time=0\terror_code=0"),
        "SET TIMESTAMP=1795685467.104211/*!*/;".into(),
        "INSERT INTO orders (status, created_at, token) VALUES ('pending', NOW(), UUID())".into(),
        "/*!*/;".into(),
        "# Note (Code 1592): Unsafe statement written to the binary log using statement format since BINLOG_FORMAT = STATEMENT.".into(),
        "# lab: the statement uses UUID(), whose value differs on every node".into(),
        "# at N".into(),
        header("Xid = 5742"),
        "COMMIT/*!*/;".into(),
    ];
    // The masked header drops one of the two spaces before end_log_pos; check the real one.
    assert!(lines[1].starts_with("#261126  9:31:07 server id 1  end_log_pos "));
    let masked: Vec<String> = masked
        .into_iter()
        .map(|l| l.replace("1  end", "1 end"))
        .collect();
    assert_eq!(masked, expected);
    // Fixed-size events keep MySQL's sizes when the entry has room: Intvar 32, Xid 31.
    let p = positions(&lines);
    assert_eq!(p[1].1 - p[1].0, 32);
    assert_eq!(p[3].1 - p[3].0, 31);
}

#[test]
fn rand_seeds_become_a_rand_event_after_the_intvar() {
    let mut s = insert_with_context();
    s.context.as_mut().unwrap().rand_seeds = Some((773_912_213, 85_329_821));
    s.unsafe_reasons.clear();
    let e = entry(4, 400, Payload::Statements(vec![s]));
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &e,
    );
    let intvar = lines.iter().position(|l| l.ends_with("\tIntvar")).unwrap();
    let rand = lines.iter().position(|l| l.ends_with("\tRand")).unwrap();
    assert!(intvar < rand);
    assert_eq!(
        lines[rand + 1],
        "SET @@RAND_SEED1=773912213, @@RAND_SEED2=85329821/*!*/;"
    );
    assert!(!lines.iter().any(|l| l.contains("Code 1592")));
    assert_chained(&lines, 4, 400);
}

#[test]
fn naive_log_has_no_context_and_says_so() {
    let e = entry(
        124,
        300,
        Payload::Statements(vec![statement("UPDATE orders SET note = NOW()", None)]),
    );
    let lines = render_entry(
        Method::Statement {
            context_events: false,
        },
        &e,
    );
    assert!(lines[0].starts_with("# lab: naive statement log"));
    assert!(!lines.iter().any(|l| l.starts_with("SET ")));
    assert!(lines.contains(&"UPDATE orders SET note = NOW()".to_string()));
    assert_chained(&lines, 124, 300);
}

#[test]
fn set_timestamp_prints_microseconds_only_when_there_are_some() {
    assert_eq!(
        set_timestamp(COMMITTED_AT),
        "SET TIMESTAMP=1795685467.104211/*!*/;"
    );
    assert_eq!(
        set_timestamp(1_795_685_467_000_000),
        "SET TIMESTAMP=1795685467/*!*/;"
    );
    assert_eq!(set_timestamp(1_000_001), "SET TIMESTAMP=1.000001/*!*/;");
}

#[test]
fn event_dates_are_utc_with_a_space_padded_hour() {
    assert_eq!(binlog_date(COMMITTED_AT), "#261126  9:31:07");
    assert_eq!(binlog_date(0), "#700101  0:00:00");
    // 2000-01-01 13:05:09 UTC.
    assert_eq!(binlog_date(946_731_909_000_000), "#000101 13:05:09");
    // 2024-02-29 23:59:59 UTC, a leap day.
    assert_eq!(binlog_date(1_709_251_199_999_999), "#240229 23:59:59");
    let _ = binlog_date(i64::MIN);
    let _ = binlog_date(i64::MAX);
}

#[test]
fn positions_chain_over_many_statements_and_tiny_entries() {
    let statements: Vec<LoggedStatement> = (0..7)
        .map(|i| {
            statement(
                &format!("INSERT INTO orders (status) VALUES ('s{i}')"),
                Some(StatementContext {
                    timestamp: Some(COMMITTED_AT + i),
                    insert_id: Some(i + 1),
                    rand_seeds: (i % 2 == 0).then_some((1, 2)),
                }),
            )
        })
        .collect();
    let big = entry(10_000, 12_345, Payload::Statements(statements.clone()));
    assert_chained(
        &render_entry(
            Method::Statement {
                context_events: true,
            },
            &big,
        ),
        10_000,
        12_345,
    );
    // Fewer bytes than events: positions may repeat but never go back, and still end at end.
    let tiny = entry(50, 53, Payload::Statements(statements));
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &tiny,
    );
    let p = positions(&lines);
    assert_eq!(p[0].0, 50);
    assert_eq!(p.last().unwrap().1, 53);
    assert!(p.windows(2).all(|w| w[0].1 == w[1].0));
}

#[test]
fn crcs_are_deterministic_and_differ_between_events() {
    let e = entry(1735, 2000, Payload::Statements(vec![insert_with_context()]));
    let method = Method::Statement {
        context_events: true,
    };
    let a = render_entry(method, &e);
    assert_eq!(a, render_entry(method, &e));
    let crcs: Vec<&str> = a
        .iter()
        .filter_map(|l| l.split("CRC32 ").nth(1))
        .map(|rest| rest.split(' ').next().unwrap())
        .collect();
    assert_eq!(crcs.len(), 4);
    let mut unique = crcs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), crcs.len());
}

#[test]
fn multi_line_sql_and_empty_transactions_do_not_break_lines() {
    let e = entry(
        4,
        200,
        Payload::Statements(vec![statement(
            "UPDATE orders\r\nSET status = 'x'\nWHERE id = 1",
            Some(StatementContext::default()),
        )]),
    );
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &e,
    );
    assert!(lines.iter().all(|l| !l.contains('\n') && !l.contains('\r')));
    assert!(lines.contains(&"SET status = 'x'".to_string()));
    // A statement without a timestamp of its own still replays with the commit time.
    assert!(lines.contains(&"SET TIMESTAMP=1795685467.104211/*!*/;".to_string()));

    let empty = entry(4, 100, Payload::Statements(vec![]));
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &empty,
    );
    assert_chained(&lines, 4, 100);
    assert_eq!(lines.last().unwrap(), "COMMIT/*!*/;");
    let empty_rows = entry(4, 100, Payload::Rows(vec![]));
    let lines = render_entry_mysql_row(&empty_rows, RowImage::Minimal, &RenderOptions::default());
    assert_chained(&lines, 4, 100);
}

fn sample_rows() -> Vec<RowChange> {
    vec![
        orders_change(RowOp::Insert, None, Some(row(8, "pending", Value::Null))),
        orders_change(
            RowOp::Update,
            Some(row(8, "pending", Value::Null)),
            Some(row(8, "shipped", Value::Null)),
        ),
        orders_change(RowOp::Delete, Some(row(8, "shipped", Value::Null)), None),
    ]
}

/// The `###` lines and event kinds of a ROW rendering.
fn row_lines(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter_map(|l| {
            if l.starts_with("###") {
                Some(l.clone())
            } else {
                l.split_once(" \t").map(|(_, kind)| format!("-- {kind}"))
            }
        })
        .collect()
}

#[test]
fn row_events_full_image() {
    let e = entry(219, 800, Payload::Rows(sample_rows()));
    let lines = render_entry_mysql_row(&e, RowImage::Full, &RenderOptions::default());
    assert_eq!(
        lines[0],
        "# lab: rows as mysqlbinlog --base64-output=DECODE-ROWS -v prints them, binlog_row_image=FULL"
    );
    assert_chained(&lines, 219, 800);
    let id = replication_lab::replication::render::binlog::mysql_table_id("orders");
    let map = format!("-- Table_map: `shop`.`orders` mapped to number {id}");
    let expected: Vec<String> = [
        "-- Query\tthread_id=8\texec_time=0\terror_code=0",
        &map,
        &format!("-- Write_rows: table id {id} flags: STMT_END_F"),
        "### INSERT INTO `shop`.`orders`",
        "### SET",
        "###   @1=8",
        "###   @2='pending'",
        "###   @3=NULL",
        &map,
        &format!("-- Update_rows: table id {id} flags: STMT_END_F"),
        "### UPDATE `shop`.`orders`",
        "### WHERE",
        "###   @1=8",
        "###   @2='pending'",
        "###   @3=NULL",
        "### SET",
        "###   @1=8",
        "###   @2='shipped'",
        "###   @3=NULL",
        &map,
        &format!("-- Delete_rows: table id {id} flags: STMT_END_F"),
        "### DELETE FROM `shop`.`orders`",
        "### WHERE",
        "###   @1=8",
        "###   @2='shipped'",
        "###   @3=NULL",
        "-- Xid = 5742",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(row_lines(&lines), expected);
}

#[test]
fn row_events_minimal_image_keep_the_key_and_changed_columns() {
    let e = entry(219, 800, Payload::Rows(sample_rows()));
    let lines = render_entry_mysql_row(&e, RowImage::Minimal, &RenderOptions::default());
    let rows: Vec<String> = row_lines(&lines)
        .into_iter()
        .filter(|l| l.starts_with("###"))
        .collect();
    assert_eq!(
        rows,
        vec![
            "### INSERT INTO `shop`.`orders`",
            "### SET",
            "###   @1=8",
            "###   @2='pending'",
            "###   @3=NULL",
            "### UPDATE `shop`.`orders`",
            "### WHERE",
            "###   @1=8",
            "### SET",
            "###   @2='shipped'",
            "### DELETE FROM `shop`.`orders`",
            "### WHERE",
            "###   @1=8",
        ]
    );
    assert_chained(&lines, 219, 800);
}

#[test]
fn consecutive_changes_to_one_table_share_a_rows_event() {
    let changes: Vec<RowChange> = (1..=3)
        .map(|i| orders_change(RowOp::Insert, None, Some(row(i, "new", Value::Null))))
        .collect();
    let e = entry(4, 500, Payload::Rows(changes));
    let lines = render_entry_mysql_row(&e, RowImage::Full, &RenderOptions::default());
    assert_eq!(
        lines.iter().filter(|l| l.contains("\tWrite_rows")).count(),
        1
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| *l == "### INSERT INTO `shop`.`orders`")
            .count(),
        3
    );
}

#[test]
fn row_values_print_as_mysqlbinlog_does() {
    assert_eq!(mysql_row_value(&Value::Integer(-3)), "-3");
    assert_eq!(mysql_row_value(&Value::Null), "NULL");
    assert_eq!(mysql_row_value(&Value::Boolean(true)), "1");
    assert_eq!(
        mysql_row_value(&Value::Timestamp(COMMITTED_AT)),
        "1795685467.104211"
    );
    // mysqlbinlog -v writes quotes, backslashes and UTF-8 as they are, control bytes as \xNN.
    assert_eq!(
        mysql_row_value(&Value::Text("it's a \\ \"q\"\n\tü,{}".into())),
        "'it's a \\ \"q\"\\x0a\\x09ü,{}'"
    );
}

#[test]
fn positions_print_per_method() {
    assert_eq!(
        format_position(
            Method::Statement {
                context_events: true
            },
            1735
        ),
        "binlog.000001:1735"
    );
    assert_eq!(format_position(Method::Wal, 0x016B_3748), "0/016B3748");
    assert_eq!(
        format_position(
            Method::Logical {
                image: RowImage::Full
            },
            0x1_0000_0001
        ),
        "1/00000001"
    );
    assert_eq!(format_position(Method::Trigger, 0), "0/00000000");
}
