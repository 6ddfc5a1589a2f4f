//! Errors the engine returns: a message that names the problem, a kind a caller can match on,
//! and where in the SQL text the problem is (line:column and a byte span).
//!
//! This module knows nothing about how statements run; it only formats and locates errors.

use std::fmt;

/// What went wrong, coarsely, so a caller (the UI, a replication protocol) can react.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The text is not SQL the grammar accepts.
    Syntax,
    /// Recognisable SQL that the lab engine deliberately does not implement.
    Unsupported,
    UnknownTable,
    UnknownColumn,
    UnknownFunction,
    TableExists,
    /// ALTER TABLE ... ADD COLUMN of a column the table has.
    DuplicateColumn,
    /// A replicated UPDATE or DELETE found no row with its key (MySQL's error 1032).
    RowNotFound,
    DuplicateKey,
    NotNull,
    TypeMismatch,
    /// Integer overflow or division by zero.
    Arithmetic,
    /// A value or a row that does not fit the fixed-size storage.
    TooLarge,
    /// BEGIN inside a transaction, or a transaction whose changes no longer fit the pages.
    Transaction,
    /// Applying another node's changes (physical or logical) failed.
    Replication,
    /// The bytes of a page do not make sense (found by replay or invariant checks).
    Corruption,
    /// The statement must wait for another transaction's row lock; it changed nothing and can
    /// be run again once that transaction ends.
    LockWait,
    /// Waiting would close a cycle of waits: the transaction was rolled back.
    Deadlock,
    /// A statement in an aborted transaction block (PostgreSQL, after an error): only COMMIT
    /// or ROLLBACK run.
    TransactionAborted,
}

/// Where an error points in the statement text. Lines and columns count from 1, columns in
/// characters (not bytes); `start..end` is the byte span.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

/// A byte range in the statement text. Kept as fixed-width integers so reports look the same
/// on wasm32 and on the host.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: clamp_u32(start),
            end: clamp_u32(end),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An error from parsing, executing or replaying.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SqlError {
    pub kind: ErrorKind,
    /// The problem in words, without the position (`Display` appends it).
    pub message: String,
    pub position: Option<Position>,
}

impl SqlError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> SqlError {
        SqlError {
            kind,
            message: message.into(),
            position: None,
        }
    }

    /// An error pointing at `span`; line and column are filled in by [`SqlError::locate`].
    pub fn at(kind: ErrorKind, message: impl Into<String>, span: Span) -> SqlError {
        SqlError {
            kind,
            message: message.into(),
            position: Some(Position {
                line: 0,
                column: 0,
                start: span.start,
                end: span.end,
            }),
        }
    }

    /// Turns the byte span into line:column for `source` (the statement the span refers to).
    pub fn locate(mut self, source: &str) -> SqlError {
        if let Some(p) = &mut self.position {
            let (line, column) = line_column(source, p.start as usize);
            p.line = line;
            p.column = column;
        }
        self
    }

    /// Adds a position only when the error has none yet.
    pub fn or_at(mut self, span: Span) -> SqlError {
        if self.position.is_none() {
            self.position = Some(Position {
                line: 0,
                column: 0,
                start: span.start,
                end: span.end,
            });
        }
        self
    }

    pub(crate) fn unsupported(feature: &str, span: Span) -> SqlError {
        SqlError::at(
            ErrorKind::Unsupported,
            format!("{feature} is not supported by the lab engine"),
            span,
        )
    }
}

/// 1-based line and character column of byte offset `at` in `source`.
pub fn line_column(source: &str, at: usize) -> (u32, u32) {
    let mut at = at.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (clamp_u32(line), clamp_u32(column))
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) if p.line > 0 => write!(f, "{} at {}:{}", self.message, p.line, p.column),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SqlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_character_column() {
        let sql = "SELECT *\nFROM é oders";
        let at = sql.find("oders").unwrap();
        let e = SqlError::at(
            ErrorKind::UnknownTable,
            "unknown table \"oders\"",
            Span::new(at, at + 5),
        )
        .locate(sql);
        assert_eq!(e.to_string(), "unknown table \"oders\" at 2:8");
    }

    #[test]
    fn span_past_the_end_is_clamped() {
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
