//! The engine's limits stay cheap at their edges: the deepest expression the parser accepts
//! parses on a small stack (even in a debug build, where every temporary has its own stack
//! slot), and a very wide CREATE TABLE is answered without a quadratic scan.

use replication_lab::engine::sql::parse;
use replication_lab::engine::sql::parser::MAX_NESTING;
use replication_lab::engine::{Database, ErrorKind, FormatVersion, SeededEnv};

/// The stack the parse gets. A debug wasm build runs with 512 KiB for everything; the parse
/// must leave most of that to the rest.
const SMALL_STACK: usize = 256 * 1024;

/// Parses `sql` on a thread with [`SMALL_STACK`] and returns the error kind, if any. An
/// overflow aborts the whole test binary ("has overflowed its stack"), which fails the run.
fn parse_on_small_stack(sql: String) -> Result<(), ErrorKind> {
    std::thread::Builder::new()
        .stack_size(SMALL_STACK)
        .spawn(move || parse(&sql).map(|_| ()).map_err(|e| e.kind))
        .expect("spawn")
        .join()
        .expect("the parse panicked")
}

/// `open` repeated `levels` times around `1`, closed by `close`, as a SELECT.
fn nested(open: &str, close: &str, levels: usize) -> String {
    format!("SELECT {}1{}", open.repeat(levels), close.repeat(levels))
}

#[test]
fn the_deepest_accepted_expression_parses_on_a_small_stack() {
    let deepest = usize::from(MAX_NESTING) - 1; // the select item itself is one level
                                                // Each shape takes a different path down the recursive descent: parentheses pass through
                                                // every precedence level; an operand on the right of each operator passes through the
                                                // loops' second calls.
    for (open, close) in [
        ("(", ")"),
        ("1 + (", ")"),
        ("1 * (", ")"),
        ("1 = (", ")"),
        ("TRUE AND (", ")"),
        ("FALSE OR (", ")"),
        ("NOT (", ")"),
    ] {
        let levels = if open.starts_with("NOT") {
            deepest / 2
        } else {
            deepest
        };
        let sql = nested(open, close, levels);
        assert_eq!(parse_on_small_stack(sql), Ok(()), "{open}…{close}");
    }
    // Signs and NOTs nest without parentheses.
    let signs = format!("SELECT {}1", "- +".repeat(deepest / 2));
    assert_eq!(parse_on_small_stack(signs), Ok(()));
    // Function arguments nest too; NOW() takes none, so the answer is an error, not a crash.
    let calls = nested("NOW(", ")", deepest);
    assert_eq!(parse_on_small_stack(calls), Err(ErrorKind::Syntax));
    // One level more is refused in words.
    let too_deep = nested("(", ")", deepest + 1);
    let e = parse(&too_deep).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert_eq!(
        e.message,
        format!(
            "expression is nested too deeply (at most {MAX_NESTING} levels of parentheses, NOT or signs)"
        )
    );
}

/// Column names `x000`…: short enough that 10,000 columns fit the statement length limit.
fn wide_create(columns: usize, last: Option<&str>) -> String {
    const D: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut cols: Vec<String> = (0..columns)
        .map(|i| {
            format!(
                "x{}{}{} INT",
                D[i / 1296 % 36] as char,
                D[i / 36 % 36] as char,
                D[i % 36] as char
            )
        })
        .collect();
    if let Some(last) = last {
        cols.push(last.to_string());
    }
    format!("CREATE TABLE wide (id INT PRIMARY KEY,{})", cols.join(","))
}

#[test]
fn a_ten_thousand_column_create_table_is_answered() {
    // Timing of the first statement (debug build, a shared 2-core machine): 2.25 s while the
    // duplicate-column check compared each column with every earlier one, 72 ms with a set.
    // The assertions are on outcomes; the timing is a note.
    let mut db = Database::new(FormatVersion::V16);
    let e = db
        .run(&wide_create(10_000, None), &mut SeededEnv::new(5, 1))
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(
        e.message
            .starts_with("the definition of table \"wide\" is too large for a catalog page"),
        "{}",
        e.message
    );
    // A duplicate as the 10,001st column is found (case-insensitively), named and pointed at.
    let sql = wide_create(10_000, Some("XAAB TEXT"));
    let e = db.run(&sql, &mut SeededEnv::new(5, 1)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Syntax);
    assert_eq!(e.message, "column \"XAAB\" is declared twice");
    assert_eq!(
        e.position.map(|p| p.start as usize),
        Some(sql.len() - "XAAB TEXT)".len())
    );
    assert!(db.tables().is_empty());
}
