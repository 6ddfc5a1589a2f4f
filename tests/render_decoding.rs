//! test_decoding and Debezium-style renderings of row entries: types, quoting, the old row
//! per replica identity, and JSON escaping.

mod support;

use replication_lab::engine::{ColumnSchema, DataType, RowChange, RowOp, TableSchema, Value};
use replication_lab::replication::config::{Method, RowImage};
use replication_lab::replication::log::{LogEntry, LogEntryData, Payload};
use replication_lab::replication::render::decoding::{
    decoding_change, decoding_literal, json_string, test_decoding,
};
use replication_lab::replication::render::{
    debezium_json, render_entry, render_entry_with, RenderOptions, ReplicaIdentity,
};
use support::orders::orders_change;

const COMMITTED_AT: i64 = 1_795_685_467_104_211;

fn orders_schema() -> TableSchema {
    let column = |name: &str, data_type| ColumnSchema {
        name: name.into(),
        data_type,
        not_null: false,
        auto_increment: false,
        default: None,
    };
    TableSchema {
        name: "orders".into(),
        columns: vec![
            column("id", DataType::Integer),
            column("status", DataType::Text),
            column("note", DataType::Text),
        ],
        primary_key: 0,
    }
}

fn row(id: i64, status: &str) -> Vec<Value> {
    vec![Value::Integer(id), Value::Text(status.into()), Value::Null]
}

fn rows_entry(changes: Vec<RowChange>) -> LogEntry {
    LogEntryData {
        index: 3,
        term: 1,
        xid: 748,
        committed_at: COMMITTED_AT,
        start: 0x016B_3748,
        end: 0x016B_3800,
        payload: Payload::Rows(changes),
    }
    .into()
}

fn sample() -> Vec<RowChange> {
    vec![
        orders_change(RowOp::Insert, None, Some(row(8, "pending"))),
        orders_change(
            RowOp::Update,
            Some(row(8, "pending")),
            Some(row(8, "shipped")),
        ),
        orders_change(RowOp::Delete, Some(row(8, "shipped")), None),
    ]
}

#[test]
fn default_identity_reads_like_the_reference_sample() {
    let lines = test_decoding(
        &rows_entry(sample()),
        ReplicaIdentity::Default,
        &[orders_schema()],
    );
    assert_eq!(
        lines,
        vec![
            "BEGIN 748",
            "table public.orders: INSERT: id[integer]:8 status[text]:'pending' note[text]:null",
            "table public.orders: UPDATE: id[integer]:8 status[text]:'shipped' note[text]:null",
            "table public.orders: DELETE: id[integer]:8",
            "COMMIT 748",
        ]
    );
}

/// The MINIMAL row image is MySQL's setting: such an entry reads as `mysqlbinlog -v` ROW
/// events, not as PostgreSQL's logical decoding.
#[test]
fn the_minimal_image_renders_as_mysql_row_events() {
    let schemas = [orders_schema()];
    let options = RenderOptions {
        schemas: &schemas,
        ..RenderOptions::default()
    };
    let lines = render_entry_with(
        Method::Logical {
            image: RowImage::Minimal,
        },
        &rows_entry(sample()),
        &options,
    )
    .join("\n");
    assert!(lines.contains("### UPDATE `shop`.`orders`"), "{lines}");
    assert!(!lines.contains("table public.orders"), "{lines}");
}

#[test]
fn full_identity_shows_the_whole_old_row_without_nulls() {
    let lines = test_decoding(
        &rows_entry(sample()),
        ReplicaIdentity::Full,
        &[orders_schema()],
    );
    assert_eq!(
        lines[2],
        "table public.orders: UPDATE: old-key: id[integer]:8 status[text]:'pending' new-tuple: id[integer]:8 status[text]:'shipped' note[text]:null"
    );
    assert_eq!(
        lines[3],
        "table public.orders: DELETE: id[integer]:8 status[text]:'shipped'"
    );
}

#[test]
fn a_changed_key_shows_old_key_under_default_identity() {
    let moved = orders_change(RowOp::Update, Some(row(8, "a")), Some(row(9, "a")));
    assert_eq!(
        decoding_change(&moved, ReplicaIdentity::Default, &[orders_schema()]),
        "table public.orders: UPDATE: old-key: id[integer]:8 new-tuple: id[integer]:9 status[text]:'a' note[text]:null"
    );
}

#[test]
fn types_come_from_values_when_no_schema_is_given() {
    let c = RowChange {
        table: "Events".into(),
        op: RowOp::Insert,
        key_column: "id".into(),
        key: Value::Integer(1),
        columns: vec![
            "id".into(),
            "done".into(),
            "at".into(),
            "order".into(),
            "gone".into(),
        ],
        before: None,
        after: Some(vec![
            Value::Integer(1),
            Value::Boolean(true),
            Value::Timestamp(COMMITTED_AT),
            Value::Text("x".into()),
            Value::Null,
        ]),
    };
    let lines = render_entry(
        Method::Logical {
            image: RowImage::Full,
        },
        &rows_entry(vec![c]),
    );
    assert_eq!(
        lines[1],
        "table public.\"Events\": INSERT: id[integer]:1 done[boolean]:true at[timestamp without time zone]:'2026-11-26 09:31:07.104211' \"order\"[text]:'x' gone[unknown]:null"
    );
}

#[test]
fn hostile_text_is_quoted_like_test_decoding() {
    assert_eq!(decoding_literal(&Value::Text("it's".into())), "'it''s'");
    assert_eq!(
        decoding_literal(&Value::Text("a\\b,{\"c\"}".into())),
        "'a\\b,{\"c\"}'"
    );
    assert_eq!(decoding_literal(&Value::Text("ünï😀".into())), "'ünï😀'");
    assert_eq!(decoding_literal(&Value::Null), "null");
    assert_eq!(decoding_literal(&Value::Boolean(false)), "false");
    // A newline in a value continues on the next output line.
    let c = orders_change(RowOp::Insert, None, Some(row(1, "two\nlines")));
    let lines = test_decoding(
        &rows_entry(vec![c]),
        ReplicaIdentity::Default,
        &[orders_schema()],
    );
    assert_eq!(
        lines,
        vec![
            "BEGIN 748",
            "table public.orders: INSERT: id[integer]:1 status[text]:'two",
            "lines' note[text]:null",
            "COMMIT 748",
        ]
    );
}

#[test]
fn odd_changes_do_not_panic() {
    let odd = vec![
        RowChange {
            table: String::new(),
            op: RowOp::Update,
            key_column: "missing".into(),
            key: Value::Null,
            columns: vec![],
            before: None,
            after: None,
        },
        RowChange {
            table: "t".into(),
            op: RowOp::Delete,
            key_column: "id".into(),
            key: Value::Integer(1),
            columns: vec!["id".into(), "x".into()],
            before: Some(vec![Value::Integer(1)]),
            after: None,
        },
    ];
    let entry = rows_entry(odd);
    for identity in [ReplicaIdentity::Default, ReplicaIdentity::Full] {
        let lines = test_decoding(&entry, identity, &[]);
        assert_eq!(lines[1], "table public.\"\": UPDATE: (no-tuple-data)");
        for c in entry.row_changes() {
            let _ = debezium_json(&entry, c, identity);
        }
    }
    assert_eq!(
        render_entry(
            Method::Logical {
                image: RowImage::Full
            },
            &rows_entry(vec![])
        ),
        vec!["BEGIN 748", "COMMIT 748"]
    );
}

#[test]
fn debezium_events_are_json_with_escaped_strings() {
    let entry = rows_entry(vec![
        orders_change(RowOp::Insert, None, Some(row(8, "say \"hi\"\n\\"))),
        orders_change(RowOp::Update, Some(row(8, "a")), Some(row(8, "b"))),
        orders_change(RowOp::Delete, Some(row(8, "b")), None),
    ]);
    let changes = entry.row_changes();
    let source = "\"source\":{\"version\":\"lab\",\"connector\":\"postgresql\",\"name\":\"lab\",\"ts_ms\":1795685467104,\"snapshot\":\"false\",\"db\":\"lab\",\"schema\":\"public\",\"table\":\"orders\",\"txId\":748,\"lsn\":23803904}";
    assert_eq!(
        debezium_json(&entry, &changes[0], ReplicaIdentity::Default),
        format!("{{\"before\":null,\"after\":{{\"id\":8,\"status\":\"say \\\"hi\\\"\\n\\\\\",\"note\":null}},{source},\"op\":\"c\",\"ts_ms\":1795685467104}}")
    );
    assert!(debezium_json(&entry, &changes[1], ReplicaIdentity::Default)
        .starts_with("{\"before\":null,\"after\":{\"id\":8,\"status\":\"b\""));
    assert!(debezium_json(&entry, &changes[1], ReplicaIdentity::Full)
        .starts_with("{\"before\":{\"id\":8,\"status\":\"a\",\"note\":null},"));
    assert!(debezium_json(&entry, &changes[2], ReplicaIdentity::Default)
        .starts_with("{\"before\":{\"id\":8,\"status\":null,\"note\":null},\"after\":null,"));
    assert!(debezium_json(&entry, &changes[2], ReplicaIdentity::Default).contains("\"op\":\"d\""));
}

#[test]
fn json_strings_escape_control_characters() {
    assert_eq!(json_string("a\u{1}b\tc\u{7f}ü"), "\"a\\u0001b\\tc\u{7f}ü\"");
    assert_eq!(json_string(""), "\"\"");
}
