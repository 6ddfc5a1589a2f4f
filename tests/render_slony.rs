//! Slony-I's sl_log_1: the `log_cmdargs` text array written by capture and read by apply
//! (one definition, round-tripped over hostile values), and the table as psql prints it.

mod support;

use proptest::prelude::*;
use replication_lab::engine::{ColumnSchema, DataType, RowChange, RowOp, TableSchema, Value};
use replication_lab::replication::config::Method;
use replication_lab::replication::log::{LogEntryData, Payload};
use replication_lab::replication::render::slony::{parse_pg_array, pg_array_literal, sl_log_1_row};
use replication_lab::replication::render::{
    parse_slony_cmdargs, render_entry, render_sl_log_1, slony_cmdargs,
};
use support::orders::orders_change_with;

const COLUMNS: [(&str, DataType); 5] = [
    ("id", DataType::Integer),
    ("status", DataType::Text),
    ("note", DataType::Text),
    ("paid", DataType::Boolean),
    ("created_at", DataType::Timestamp),
];

fn schema() -> TableSchema {
    TableSchema {
        name: "orders".into(),
        columns: COLUMNS
            .iter()
            .map(|(name, data_type)| ColumnSchema {
                name: name.to_string(),
                data_type: *data_type,
                not_null: false,
                auto_increment: false,
                default: None,
            })
            .collect(),
        primary_key: 0,
    }
}

fn change(op: RowOp, before: Option<Vec<Value>>, after: Option<Vec<Value>>) -> RowChange {
    let names: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
    orders_change_with(&names, op, before, after)
}

fn row(id: i64, status: &str) -> Vec<Value> {
    vec![
        Value::Integer(id),
        Value::Text(status.into()),
        Value::Null,
        Value::Boolean(false),
        Value::Timestamp(1_795_685_467_104_211),
    ]
}

#[test]
fn capture_writes_slony_shapes() {
    let update = change(
        RowOp::Update,
        Some(row(8, "pending")),
        Some(row(8, "shipped")),
    );
    assert_eq!(
        slony_cmdargs(&update),
        ('U', 1, "{status,shipped,id,8}".to_string())
    );
    let insert = change(RowOp::Insert, None, Some(row(8, "pending")));
    assert_eq!(
        slony_cmdargs(&insert),
        (
            'I',
            0,
            "{id,8,status,pending,note,NULL,paid,f,created_at,\"2026-11-26 09:31:07.104211\"}"
                .to_string()
        )
    );
    let delete = change(RowOp::Delete, Some(row(8, "shipped")), None);
    assert_eq!(slony_cmdargs(&delete), ('D', 0, "{id,8}".to_string()));
    // A key change: the new key is SET, the old key is the WHERE.
    let moved = change(RowOp::Update, Some(row(8, "a")), Some(row(9, "a")));
    assert_eq!(slony_cmdargs(&moved), ('U', 1, "{id,9,id,8}".to_string()));
    // Nothing changed: the key is set to itself.
    let same = change(RowOp::Update, Some(row(8, "a")), Some(row(8, "a")));
    assert_eq!(slony_cmdargs(&same), ('U', 1, "{id,8,id,8}".to_string()));
}

#[test]
fn array_literals_quote_like_postgres() {
    let s = |x: &str| Some(x.to_string());
    assert_eq!(
        pg_array_literal(&[
            s("plain"),
            None,
            s("NULL"),
            s("null"),
            s(""),
            s("a b"),
            s("a,b"),
            s("{x}"),
            s("say \"hi\""),
            s("back\\slash"),
            s("it's"),
            s("ünï"),
            s("two\nlines"),
        ]),
        "{plain,NULL,\"NULL\",\"null\",\"\",\"a b\",\"a,b\",\"{x}\",\"say \\\"hi\\\"\",\"back\\\\slash\",it's,ünï,\"two\nlines\"}"
    );
    assert_eq!(pg_array_literal(&[]), "{}");
}

#[test]
fn array_parsing_accepts_postgres_input_forms() {
    let s = |x: &str| Some(x.to_string());
    assert_eq!(parse_pg_array("{}"), Ok(vec![]));
    assert_eq!(parse_pg_array(" { } "), Ok(vec![]));
    assert_eq!(
        parse_pg_array("{ a , \"b c\" ,NULL,null,\"NULL\",x\\,y, z\\ }"),
        Ok(vec![
            s("a"),
            s("b c"),
            None,
            None,
            s("NULL"),
            s("x,y"),
            s("z ")
        ])
    );
    for bad in [
        "", "{", "a,b", "{\"open}", "{a,,b}", "{a\"b}", "{a}b", "{\"a\"b}", "{a\\",
    ] {
        assert!(parse_pg_array(bad).is_err(), "{bad:?} should not parse");
    }
}

#[test]
fn apply_side_rejects_bad_log_rows_with_messages() {
    let table = schema();
    let cases = [
        ('I', 0, "{id,8,status}", "odd number"),
        (
            'I',
            0,
            "{id,eight}",
            "invalid input syntax for type INTEGER",
        ),
        ('I', 0, "{nope,1}", "no column \"nope\""),
        ('I', 0, "{status,x}", "no value for key column"),
        ('D', 0, "{id,NULL}", "no value for key column"),
        ('U', 0, "{status,x,id,8}", "log_cmdupdncols 0"),
        ('U', 2, "{status,x,id,8}", "log_cmdupdncols 2"),
        ('T', 0, "{}", "not supported"),
        ('I', 0, "{paid,maybe,id,1}", "BOOLEAN"),
        ('I', 0, "{created_at,yesterday,id,1}", "TIMESTAMP"),
        ('I', 0, "{NULL,1}", "NULL column name"),
        ('I', 0, "not an array", "malformed array literal"),
    ];
    for (cmdtype, updncols, cmdargs, message) in cases {
        let err = parse_slony_cmdargs(&table, cmdtype, updncols, cmdargs).expect_err(cmdargs);
        assert!(err.contains(message), "{cmdargs}: {err}");
    }
}

#[test]
fn apply_side_reads_back_the_reference_row() {
    let parsed = parse_slony_cmdargs(&schema(), 'U', 1, "{status,shipped,id,8}").unwrap();
    assert_eq!(parsed.op, RowOp::Update);
    assert_eq!(parsed.key, Value::Integer(8));
    assert_eq!(parsed.columns, vec!["status", "id"]);
    assert_eq!(
        parsed.after,
        Some(vec![Value::Text("shipped".into()), Value::Integer(8)])
    );
    assert_eq!(parsed.before, Some(vec![Value::Null, Value::Integer(8)]));
}

#[test]
fn sl_log_1_prints_like_psql() {
    let update = change(
        RowOp::Update,
        Some(row(8, "pending")),
        Some(row(8, "shipped")),
    );
    let lines = render_sl_log_1(&[sl_log_1_row(1, 487_231, 3, 90_211, &update)]);
    assert_eq!(
        lines,
        vec![
            " log_origin | log_txid | log_tableid | log_actionseq | log_tablenspname | log_tablerelname | log_cmdtype | log_cmdupdncols |      log_cmdargs      ",
            "------------+----------+-------------+---------------+------------------+------------------+-------------+-----------------+-----------------------",
            "          1 |   487231 |           3 |         90211 | public           | orders           | U           |               1 | {status,shipped,id,8}",
            "(1 row)",
        ]
    );
    assert_eq!(render_sl_log_1(&[]).last().unwrap(), "(0 rows)");
    // Short or odd rows do not panic.
    let odd = render_sl_log_1(&[vec![Value::Null], vec![]]);
    assert_eq!(odd.last().unwrap(), "(2 rows)");
}

#[test]
fn trigger_entries_render_as_their_sl_log_1_rows() {
    let entry = LogEntryData {
        index: 1,
        term: 1,
        xid: 748,
        committed_at: 0,
        start: 0,
        end: 10,
        payload: Payload::Rows(vec![
            change(RowOp::Insert, None, Some(row(8, "pending"))),
            change(RowOp::Delete, Some(row(8, "pending")), None),
        ]),
    }
    .into();
    let lines = render_entry(Method::Trigger, &entry);
    assert!(lines[0].starts_with("# lab: "));
    assert!(lines[3].contains("| I "));
    assert!(lines[4].ends_with("| D           |               0 | {id,8}"));
    assert_eq!(lines.last().unwrap(), "(2 rows)");
}

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("NULL".to_string()),
        Just("null".to_string()),
        Just(" padded ".to_string()),
        Just("{\"a\",b}\\".to_string()),
        "[ ,{}\"'\\\\\n\ta-zA-Z0-9ü😀]{0,12}",
        any::<String>(),
    ]
}

fn value_of(data_type: DataType) -> BoxedStrategy<Value> {
    let non_null = match data_type {
        DataType::Integer => any::<i64>().prop_map(Value::Integer).boxed(),
        DataType::Text => hostile_text().prop_map(Value::Text).boxed(),
        DataType::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        // Years 1..=9999, the range PostgreSQL prints with four digits and no era.
        DataType::Timestamp => (-62_135_596_800_000_000i64..253_402_300_799_999_999)
            .prop_map(Value::Timestamp)
            .boxed(),
    };
    prop_oneof![1 => Just(Value::Null), 4 => non_null].boxed()
}

fn full_row() -> impl Strategy<Value = Vec<Value>> {
    (
        any::<i64>(),
        value_of(DataType::Text),
        value_of(DataType::Text),
        value_of(DataType::Boolean),
        value_of(DataType::Timestamp),
    )
        .prop_map(|(id, a, b, c, d)| vec![Value::Integer(id), a, b, c, d])
}

fn any_change() -> impl Strategy<Value = RowChange> {
    (0..3u8, full_row(), full_row(), any::<bool>()).prop_map(|(op, before, mut after, same_key)| {
        if same_key {
            after[0] = before[0].clone();
        }
        match op {
            0 => change(RowOp::Insert, None, Some(after)),
            1 => change(RowOp::Update, Some(before), Some(after)),
            _ => change(RowOp::Delete, Some(before), None),
        }
    })
}

/// `image` laid over `row` column by name, the way the applier updates a row.
fn overlay(columns: &[String], row: &[Value], parsed: &RowChange) -> Vec<Value> {
    let mut out = row.to_vec();
    for (column, value) in parsed.columns.iter().zip(parsed.after.iter().flatten()) {
        let i = columns.iter().position(|c| c == column).unwrap();
        out[i] = value.clone();
    }
    out
}

proptest! {
    #[test]
    fn arrays_round_trip(elements in proptest::collection::vec(proptest::option::of(hostile_text()), 0..8)) {
        let literal = pg_array_literal(&elements);
        prop_assert_eq!(parse_pg_array(&literal), Ok(elements));
    }

    #[test]
    fn array_parsing_never_panics(text in any::<String>()) {
        let _ = parse_pg_array(&text);
        let _ = parse_slony_cmdargs(&schema(), 'U', 1, &text);
        let _ = parse_slony_cmdargs(&schema(), 'I', -5, &format!("{{{text}}}"));
    }

    #[test]
    fn capture_and_apply_agree(c in any_change()) {
        let (cmdtype, updncols, cmdargs) = slony_cmdargs(&c);
        let parsed = parse_slony_cmdargs(&schema(), cmdtype, updncols, &cmdargs)
            .map_err(|e| TestCaseError::fail(format!("{cmdargs}: {e}")))?;
        prop_assert_eq!(parsed.op, c.op);
        prop_assert_eq!(&parsed.table, &c.table);
        prop_assert_eq!(&parsed.key_column, &c.key_column);
        match c.op {
            RowOp::Insert => {
                prop_assert_eq!(&parsed.columns, &c.columns);
                prop_assert_eq!(&parsed.after, &c.after);
                prop_assert_eq!(&parsed.key, &c.after.as_ref().unwrap()[0]);
            }
            RowOp::Update => {
                let before = c.before.as_ref().unwrap();
                // The row the applier finds by the old key, updated, is the leader's new row.
                prop_assert_eq!(&parsed.key, &before[0]);
                prop_assert_eq!(&overlay(&c.columns, before, &parsed), c.after.as_ref().unwrap());
                // Capturing what was read back writes the same SET columns and WHERE key,
                // except columns set to NULL (the read-back before image cannot tell).
                let (_, n, _) = slony_cmdargs(&parsed);
                prop_assert!(n <= updncols);
            }
            RowOp::Delete => {
                prop_assert_eq!(&parsed.key, &c.before.as_ref().unwrap()[0]);
                prop_assert_eq!(parsed.columns, vec!["id".to_string()]);
            }
        }
    }
}
