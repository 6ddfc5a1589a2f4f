//! mysqlbinlog renderings: statement events with and without context events, unsafe-statement
//! notes, ROW events with FULL and MINIMAL images, and byte positions that chain from the
//! entry's start to its end.

mod support;

use replication_lab::engine::{RowChange, RowOp, UnsafeReason, Value};
use replication_lab::replication::config::{Method, RowImage};
use replication_lab::replication::log::{
    LogEntry, LogEntryData, LoggedStatement, Payload, StatementContext,
};
use replication_lab::replication::render::binlog::{
    mysql_row_value, server_uuid, set_timestamp, uses_fractional_seconds,
};
use replication_lab::replication::render::{
    binlog_date, format_position, render_entry, render_entry_mysql_row, RenderOptions,
};
use support::orders::orders_change;

/// 2026-11-26 09:31:07.104211 UTC, the reference samples' moment.
const COMMITTED_AT: i64 = 1_795_685_467_104_211;

fn entry(start: u64, end: u64, payload: Payload) -> LogEntry {
    LogEntryData {
        index: 1,
        term: 1,
        xid: 5742,
        committed_at: COMMITTED_AT,
        start,
        end,
        payload,
    }
    .into()
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
    let uuid = server_uuid(1);
    let expected = vec![
        "# at N".to_string(),
        header(
            "GTID\tlast_committed=0\tsequence_number=1\trbr_only=no\t\
             original_committed_timestamp=1795685467104211\t\
             immediate_commit_timestamp=1795685467104211\ttransaction_length=265",
        ),
        "# original_commit_timestamp=1795685467104211 (2026-11-26 09:31:07.104211 UTC)".into(),
        "# immediate_commit_timestamp=1795685467104211 (2026-11-26 09:31:07.104211 UTC)".into(),
        "/*!80001 SET @@session.original_commit_timestamp=1795685467104211*//*!*/;".into(),
        "/*!80014 SET @@session.original_server_version=80400*//*!*/;".into(),
        "/*!80014 SET @@session.immediate_server_version=80400*//*!*/;".into(),
        format!("SET @@SESSION.GTID_NEXT= '{uuid}:1'/*!*/;"),
        "# at N".to_string(),
        header("Query\tthread_id=8\texec_time=0\terror_code=0"),
        "SET TIMESTAMP=1795685467/*!*/;".into(),
        "BEGIN".into(),
        "/*!*/;".into(),
        "# at N".into(),
        header("Intvar"),
        "SET INSERT_ID=8/*!*/;".into(),
        "# at N".into(),
        header("Query\tthread_id=8\texec_time=0\terror_code=0"),
        "use `shop`/*!*/;".into(),
        // NOW() without a precision: whole seconds, as MySQL writes the event.
        "SET TIMESTAMP=1795685467/*!*/;".into(),
        "INSERT INTO orders (status, created_at, token) VALUES ('pending', NOW(), UUID())".into(),
        "/*!*/;".into(),
        // No warning inside the binlog: note 1592 goes to the client.
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
    // Fixed-size events keep MySQL's sizes when the entry has room: GTID 79, Intvar 32, Xid 31.
    let p = positions(&lines);
    assert_eq!(p[0].1 - p[0].0, 79);
    assert_eq!(p[2].1 - p[2].0, 32);
    assert_eq!(p[4].1 - p[4].0, 31);
    assert!(!lines
        .iter()
        .any(|l| l.contains("1592") || l.contains("Unsafe")));
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
    assert!(!lines.iter().any(|l| l.starts_with("SET TIMESTAMP")
        || l.starts_with("SET INSERT_ID")
        || l.starts_with("SET @@RAND")));
    // The GTID event is there all the same: it is not a context event.
    assert!(lines
        .iter()
        .any(|l| l.starts_with("SET @@SESSION.GTID_NEXT=")));
    assert!(lines.contains(&"UPDATE orders SET note = NOW()".to_string()));
    assert_chained(&lines, 124, 300);
}

#[test]
fn set_timestamp_is_whole_seconds_unless_the_statement_asked_for_fractions() {
    assert_eq!(
        set_timestamp(COMMITTED_AT, false),
        "SET TIMESTAMP=1795685467/*!*/;"
    );
    assert_eq!(
        set_timestamp(COMMITTED_AT, true),
        "SET TIMESTAMP=1795685467.104211/*!*/;"
    );
    assert_eq!(
        set_timestamp(1_795_685_467_000_000, true),
        "SET TIMESTAMP=1795685467/*!*/;"
    );
    assert_eq!(
        set_timestamp(1_000_001, true),
        "SET TIMESTAMP=1.000001/*!*/;"
    );
    assert!(uses_fractional_seconds("INSERT INTO t VALUES (NOW(6))"));
    assert!(uses_fractional_seconds("select current_timestamp( 3 )"));
    assert!(!uses_fractional_seconds("INSERT INTO t VALUES (NOW())"));
    assert!(!uses_fractional_seconds("INSERT INTO t VALUES (KNOW(6))"));
    assert!(!uses_fractional_seconds("SELECT NOW(7)"));
    // A statement that asked for microseconds carries them in its event.
    let mut s = insert_with_context();
    s.sql = "INSERT INTO orders (status, created_at) VALUES ('new', NOW(6))".into();
    let e = entry(4, 400, Payload::Statements(vec![s]));
    let lines = render_entry(
        Method::Statement {
            context_events: true,
        },
        &e,
    );
    let stamps: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("SET TIMESTAMP"))
        .collect();
    assert_eq!(
        stamps,
        vec![
            "SET TIMESTAMP=1795685467/*!*/;",
            "SET TIMESTAMP=1795685467.104211/*!*/;"
        ]
    );
}

#[test]
fn every_transaction_opens_with_its_gtid_and_ddl_has_no_begin() {
    let method = Method::Statement {
        context_events: true,
    };
    let mut gtids = Vec::new();
    for index in 1..=3 {
        let mut e = entry(
            1000 * index,
            1000 * index + 400,
            Payload::Statements(vec![statement(
                "UPDATE orders SET status = 'paid' WHERE id = 1",
                Some(StatementContext::default()),
            )]),
        );
        e.make_mut().index = index;
        let lines = render_entry(method, &e);
        let header = lines.iter().position(|l| l.contains("\tGTID\t")).unwrap();
        assert_eq!(header, 1, "the GTID event is the first event: {lines:#?}");
        assert!(lines[header].contains(&format!(
            "\tGTID\tlast_committed={}\tsequence_number={index}\trbr_only=no\t",
            index - 1
        )));
        let next = lines
            .iter()
            .find(|l| l.starts_with("SET @@SESSION.GTID_NEXT="))
            .unwrap()
            .clone();
        gtids.push(next);
        assert_eq!(lines.iter().filter(|l| l.starts_with("use ")).count(), 1);
    }
    let uuid = server_uuid(1);
    assert_eq!(
        gtids,
        (1..=3)
            .map(|i| format!("SET @@SESSION.GTID_NEXT= '{uuid}:{i}'/*!*/;"))
            .collect::<Vec<_>>()
    );
    assert_ne!(server_uuid(1), server_uuid(2));
    assert_eq!(server_uuid(1).len(), 36);

    let ddl = entry(
        4,
        300,
        Payload::Statements(vec![statement(
            "CREATE TABLE t (id INTEGER PRIMARY KEY)",
            Some(StatementContext::default()),
        )]),
    );
    let lines = render_entry(method, &ddl);
    assert!(!lines.iter().any(|l| l == "BEGIN" || l.contains("Xid =")));
    let kinds: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split_once(" \t").map(|(_, k)| k))
        .map(|k| k.split('\t').next().unwrap())
        .collect();
    assert_eq!(kinds, vec!["GTID", "Query"]);
    assert!(lines.contains(&"use `shop`/*!*/;".to_string()));
    assert_chained(&lines, 4, 300);
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
    assert_eq!(crcs.len(), 5);
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
    assert!(lines.contains(&"SET TIMESTAMP=1795685467/*!*/;".to_string()));

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
    let gtid = row_lines(&lines)[0].clone();
    assert!(gtid.starts_with("-- GTID\tlast_committed=0\tsequence_number=1\trbr_only=yes\t"));
    let expected: Vec<String> = [
        gtid.as_str(),
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
    // Negative integers with their unsigned reading, width of MySQL's INT (4 bytes)...
    assert_eq!(mysql_row_value(&Value::Integer(-3)), "-3 (4294967293)");
    assert_eq!(mysql_row_value(&Value::Integer(-5)), "-5 (4294967291)");
    assert_eq!(
        mysql_row_value(&Value::Integer(i64::from(i32::MIN))),
        "-2147483648 (2147483648)"
    );
    // ...or of a BIGINT when the value needs one.
    assert_eq!(
        mysql_row_value(&Value::Integer(-3_000_000_000)),
        "-3000000000 (18446744070709551616)"
    );
    assert_eq!(mysql_row_value(&Value::Integer(7)), "7");
    assert_eq!(mysql_row_value(&Value::Null), "NULL");
    assert_eq!(mysql_row_value(&Value::Boolean(true)), "1");
    assert_eq!(
        mysql_row_value(&Value::Timestamp(COMMITTED_AT)),
        "1795685467.104211"
    );
    // MySQL 8 escapes quotes and backslashes, names \n \r \t, other control bytes as \xNN,
    // and writes UTF-8 as it is.
    assert_eq!(mysql_row_value(&Value::Text("it's".into())), "'it\\'s'");
    assert_eq!(
        mysql_row_value(&Value::Text("a \\ \"q\"\n\t\r\u{1}ü,{}".into())),
        "'a \\\\ \"q\"\\n\\t\\r\\x01ü,{}'"
    );
}

#[test]
fn row_transactions_open_with_an_rbr_only_gtid_and_print_unsigned_readings() {
    let e = entry(
        219,
        800,
        Payload::Rows(vec![orders_change(
            RowOp::Insert,
            None,
            Some(row(-3, "it's", Value::Null)),
        )]),
    );
    let lines = render_entry_mysql_row(&e, RowImage::Full, &RenderOptions::default());
    let gtid = lines.iter().position(|l| l.contains("\tGTID\t")).unwrap();
    assert!(lines[gtid].contains("\trbr_only=yes\t"));
    assert_eq!(
        lines[gtid + 1],
        "/*!50718 SET TRANSACTION ISOLATION LEVEL READ COMMITTED*//*!*/;"
    );
    assert!(lines.contains(&"###   @1=-3 (4294967293)".to_string()));
    assert!(lines.contains(&"###   @2='it\\'s'".to_string()));
    assert!(!lines.iter().any(|l| l.starts_with("use ")));
    assert!(lines.contains(&"SET TIMESTAMP=1795685467/*!*/;".to_string()));
    assert_chained(&lines, 219, 800);
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
