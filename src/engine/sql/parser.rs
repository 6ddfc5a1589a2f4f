//! Recursive-descent parser for the lab's SQL subset.
//!
//! Errors say what was expected and what was found, and point at it. SQL that is recognisable
//! but outside the subset (JOIN, GROUP BY, subqueries, DROP, aggregates, ...) is reported as
//! "<feature> is not supported by the lab engine" rather than as a syntax error. Nesting is
//! capped so hostile input cannot overflow the stack.

use super::ast::*;
use super::lexer::{tokenize, Tok, Token};
use crate::engine::error::{ErrorKind, Span, SqlError};
use crate::engine::value::{DataType, Value};

/// The deepest expression tree accepted (so evaluating and dropping one cannot overflow).
pub const MAX_EXPR_DEPTH: u16 = 64;

/// The deepest nesting of parentheses, argument lists, NOTs and signs accepted. Each level
/// costs a chain of recursive calls; far more than any statement a person writes needs.
pub const MAX_NESTING: u16 = 64;

/// Words that cannot be used as bare table or column names.
const RESERVED: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "TABLE",
    "AND",
    "OR",
    "NOT",
    "NULL",
    "TRUE",
    "FALSE",
    "IS",
    "ORDER",
    "BY",
    "LIMIT",
    "OFFSET",
    "ASC",
    "DESC",
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "OUTER",
    "NATURAL",
    "ON",
    "USING",
    "GROUP",
    "HAVING",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "DISTINCT",
    "AS",
    "PRIMARY",
    "DEFAULT",
    "IN",
    "BETWEEN",
    "LIKE",
    "ILIKE",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "EXISTS",
    "ALL",
    "ANY",
    "WITH",
    "FOR",
    "WINDOW",
    "RETURNING",
];

/// Statements a teacher might try that the lab does not implement.
const UNSUPPORTED_STATEMENTS: &[&str] = &[
    "DROP",
    "TRUNCATE",
    "WITH",
    "EXPLAIN",
    "SET",
    "SHOW",
    "GRANT",
    "REVOKE",
    "REPLACE",
    "MERGE",
    "CALL",
    "LOCK",
    "UNLOCK",
    "SAVEPOINT",
    "RELEASE",
    "USE",
    "DESCRIBE",
    "DESC",
    "ANALYZE",
    "VACUUM",
    "COPY",
    "PREPARE",
    "EXECUTE",
    "DO",
    "LOAD",
    "RENAME",
    "HANDLER",
    "VALUES",
    "TABLE",
    "UPSERT",
    "COMMENT",
    "REINDEX",
    "CLUSTER",
    "LISTEN",
    "NOTIFY",
    "DECLARE",
    "FETCH",
];

const AGGREGATES: &[&str] = &[
    "COUNT",
    "SUM",
    "AVG",
    "MIN",
    "MAX",
    "GROUP_CONCAT",
    "STRING_AGG",
    "ARRAY_AGG",
];

/// Parses exactly one statement (a trailing `;` is allowed).
pub fn parse(sql: &str) -> Result<Statement, SqlError> {
    let tokens = tokenize(sql)?;
    let mut p = Parser {
        sql,
        tokens,
        pos: 0,
        nesting: 0,
    };
    let stmt = p.statement()?;
    p.eat_symbol(";");
    if !matches!(p.peek().tok, Tok::Eof) {
        return Err(p.expected("end of statement (one statement at a time)"));
    }
    Ok(stmt)
}

struct Parser<'a> {
    sql: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    nesting: u16,
}

/// An UPDATE's or DELETE's `WHERE`, `ORDER BY` and `LIMIT`.
type RowSelection = (Option<Expr>, Vec<OrderItem>, Option<Limit>);

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof and `pos` never passes it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if !matches!(t.tok, Tok::Eof) {
            self.pos += 1;
        }
        t
    }

    fn expected(&self, what: &str) -> SqlError {
        let t = self.peek();
        SqlError::at(
            ErrorKind::Syntax,
            format!("expected {what} but found {}", t.describe()),
            t.span,
        )
    }

    fn is_word(&self, kw: &str) -> bool {
        self.peek().is_word(kw)
    }

    fn eat_word(&mut self, kw: &str) -> bool {
        if self.is_word(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, kw: &str) -> Result<Span, SqlError> {
        if self.is_word(kw) {
            Ok(self.advance().span)
        } else {
            Err(self.expected(kw))
        }
    }

    fn is_symbol(&self, s: &str) -> bool {
        matches!(self.peek().tok, Tok::Symbol(x) if x == s)
    }

    fn eat_symbol(&mut self, s: &str) -> bool {
        if self.is_symbol(s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_symbol(&mut self, s: &str) -> Result<Span, SqlError> {
        if self.is_symbol(s) {
            Ok(self.advance().span)
        } else {
            Err(self.expected(&format!("\"{s}\"")))
        }
    }

    fn upper_word(&self) -> Option<String> {
        match &self.peek().tok {
            Tok::Word(w) => Some(w.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn is_reserved(word: &str) -> bool {
        RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
    }

    /// A table or column name.
    fn ident(&mut self, what: &str) -> Result<Ident, SqlError> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Word(w) if !Self::is_reserved(&w) => {
                self.pos += 1;
                Ok(Ident {
                    name: w,
                    span: t.span,
                })
            }
            Tok::QuotedIdent(w) => {
                self.pos += 1;
                Ok(Ident {
                    name: w,
                    span: t.span,
                })
            }
            _ => Err(self.expected(what)),
        }
    }

    fn statement(&mut self) -> Result<Statement, SqlError> {
        let start = self.peek().span;
        let Some(word) = self.upper_word() else {
            if self.is_symbol("(") && self.peek_at(1).is_word("SELECT") {
                return Err(SqlError::unsupported("a parenthesised query", start));
            }
            return Err(self.expected_statement());
        };
        match word.as_str() {
            "SELECT" => self.select().map(Statement::Select),
            "INSERT" => self.insert().map(Statement::Insert),
            "UPDATE" => self.update().map(Statement::Update),
            "DELETE" => self.delete().map(Statement::Delete),
            "CREATE" => self.create().map(Statement::CreateTable),
            "ALTER" => self.alter().map(Statement::AlterTable),
            "BEGIN" => {
                self.pos += 1;
                let _ = self.eat_word("WORK") || self.eat_word("TRANSACTION");
                Ok(Statement::Begin)
            }
            "START" => {
                self.pos += 1;
                self.expect_word("TRANSACTION")?;
                Ok(Statement::Begin)
            }
            "COMMIT" | "END" => {
                self.pos += 1;
                let _ = self.eat_word("WORK") || self.eat_word("TRANSACTION");
                Ok(Statement::Commit)
            }
            "ROLLBACK" | "ABORT" => {
                self.pos += 1;
                let _ = self.eat_word("WORK") || self.eat_word("TRANSACTION");
                if self.is_word("TO") {
                    return Err(SqlError::unsupported(
                        "ROLLBACK TO SAVEPOINT",
                        self.peek().span,
                    ));
                }
                Ok(Statement::Rollback)
            }
            w if UNSUPPORTED_STATEMENTS.contains(&w) => {
                let feature = match w {
                    "WITH" => "WITH (a common table expression)".to_string(),
                    "VALUES" | "TABLE" => format!("a bare {w} statement"),
                    _ => w.to_string(),
                };
                Err(SqlError::unsupported(&feature, start))
            }
            _ => Err(self.expected_statement()),
        }
    }

    fn expected_statement(&self) -> SqlError {
        self.expected(
            "a statement (SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, ALTER TABLE, BEGIN, COMMIT, ROLLBACK)",
        )
    }

    // ---- CREATE TABLE ----

    fn create(&mut self) -> Result<CreateTable, SqlError> {
        self.expect_word("CREATE")?;
        for modifier in ["TEMPORARY", "TEMP", "UNLOGGED", "OR"] {
            if self.is_word(modifier) {
                return Err(SqlError::unsupported(
                    &format!("CREATE {}", modifier.to_ascii_uppercase()),
                    self.peek().span,
                ));
            }
        }
        if !self.is_word("TABLE") {
            if let Some(w) = self.upper_word() {
                let known = [
                    "INDEX",
                    "UNIQUE",
                    "VIEW",
                    "DATABASE",
                    "SCHEMA",
                    "TRIGGER",
                    "FUNCTION",
                    "PROCEDURE",
                    "SEQUENCE",
                    "USER",
                    "ROLE",
                    "TYPE",
                    "EXTENSION",
                    "PUBLICATION",
                    "SUBSCRIPTION",
                    "MATERIALIZED",
                ];
                if known.contains(&w.as_str()) {
                    return Err(SqlError::unsupported(
                        &format!("CREATE {w}"),
                        self.peek().span,
                    ));
                }
            }
            return Err(self.expected("TABLE"));
        }
        self.pos += 1;
        let mut if_not_exists = false;
        if self.eat_word("IF") {
            self.expect_word("NOT")?;
            self.expect_word("EXISTS")?;
            if_not_exists = true;
        }
        let name = self.ident("a table name")?;
        if self.is_word("AS") {
            return Err(SqlError::unsupported(
                "CREATE TABLE ... AS",
                self.peek().span,
            ));
        }
        self.expect_symbol("(")?;
        let mut columns = Vec::new();
        let mut primary_key = None;
        loop {
            if self.is_word("PRIMARY") {
                self.pos += 1;
                self.expect_word("KEY")?;
                self.expect_symbol("(")?;
                let col = self.ident("a column name")?;
                if self.is_symbol(",") {
                    return Err(SqlError::unsupported(
                        "a primary key of several columns",
                        self.peek().span,
                    ));
                }
                self.expect_symbol(")")?;
                primary_key = Some(col);
            } else if let Some(w) = self.upper_word().filter(|w| {
                ["UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT", "INDEX", "KEY"].contains(&w.as_str())
            }) {
                return Err(SqlError::unsupported(
                    &format!("a {w} table constraint"),
                    self.peek().span,
                ));
            } else {
                columns.push(self.column_def()?);
            }
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.expect_symbol(")")?;
        Ok(CreateTable {
            name,
            if_not_exists,
            columns,
            primary_key,
        })
    }

    // ---- ALTER TABLE ----

    /// `ALTER TABLE [IF EXISTS]? t ADD [COLUMN] [IF NOT EXISTS] col type ...` or
    /// `ALTER TABLE t DROP [COLUMN] [IF EXISTS] col [RESTRICT | CASCADE]`, one action.
    fn alter(&mut self) -> Result<AlterTable, SqlError> {
        self.expect_word("ALTER")?;
        if !self.is_word("TABLE") {
            if let Some(w) = self.upper_word() {
                return Err(SqlError::unsupported(
                    &format!("ALTER {w}"),
                    self.peek().span,
                ));
            }
            return Err(self.expected("TABLE"));
        }
        self.pos += 1;
        if self.is_word("IF") {
            return Err(SqlError::unsupported(
                "ALTER TABLE IF EXISTS",
                self.peek().span,
            ));
        }
        // ONLY matters for inherited tables, which the lab does not have.
        self.eat_word("ONLY");
        let name = self.ident("a table name")?;
        let action_span = self.peek().span;
        let action = if self.eat_word("ADD") {
            if let Some(w) = self.upper_word().filter(|w| {
                [
                    "CONSTRAINT",
                    "PRIMARY",
                    "UNIQUE",
                    "FOREIGN",
                    "CHECK",
                    "INDEX",
                    "KEY",
                ]
                .contains(&w.as_str())
            }) {
                return Err(SqlError::unsupported(
                    &format!("ALTER TABLE ... ADD {w}"),
                    self.peek().span,
                ));
            }
            self.eat_word("COLUMN");
            let mut if_not_exists = false;
            if self.is_word("IF") && self.peek_at(1).is_word("NOT") {
                self.pos += 2;
                self.expect_word("EXISTS")?;
                if_not_exists = true;
            }
            let column = self.column_def()?;
            AlterAction::AddColumn {
                column,
                if_not_exists,
            }
        } else if self.eat_word("DROP") {
            if let Some(w) = self.upper_word().filter(|w| {
                ["CONSTRAINT", "PRIMARY", "INDEX", "KEY", "FOREIGN", "CHECK"].contains(&w.as_str())
            }) {
                return Err(SqlError::unsupported(
                    &format!("ALTER TABLE ... DROP {w}"),
                    self.peek().span,
                ));
            }
            self.eat_word("COLUMN");
            let mut if_exists = false;
            if self.is_word("IF") && self.peek_at(1).is_word("EXISTS") {
                self.pos += 2;
                if_exists = true;
            }
            let name = self.ident("a column name")?;
            // Nothing depends on a column in the lab (no views, no foreign keys), so both
            // behave alike.
            let _ = self.eat_word("RESTRICT") || self.eat_word("CASCADE");
            AlterAction::DropColumn { name, if_exists }
        } else {
            if let Some(w) = self.upper_word() {
                if [
                    "RENAME", "ALTER", "MODIFY", "CHANGE", "OWNER", "SET", "ENGINE", "ENABLE",
                    "DISABLE", "REPLICA", "ATTACH", "DETACH", "INHERIT", "CLUSTER", "VALIDATE",
                ]
                .contains(&w.as_str())
                {
                    return Err(SqlError::unsupported(
                        &format!("ALTER TABLE ... {w}"),
                        action_span,
                    ));
                }
            }
            return Err(self.expected("ADD [COLUMN] or DROP [COLUMN]"));
        };
        if self.is_symbol(",") {
            return Err(SqlError::unsupported(
                "several actions in one ALTER TABLE",
                self.peek().span,
            ));
        }
        Ok(AlterTable { name, action })
    }

    fn column_def(&mut self) -> Result<ColumnDef, SqlError> {
        let name = self.ident("a column name or PRIMARY KEY (...)")?;
        let type_token = self.peek().clone();
        let Some(type_word) = self.upper_word() else {
            return Err(self.expected("a column type (INTEGER, TEXT, BOOLEAN, TIMESTAMP)"));
        };
        let mut auto_increment = false;
        let data_type = match type_word.as_str() {
            "INTEGER" | "INT" | "BIGINT" | "SMALLINT" | "TINYINT" | "MEDIUMINT" | "INT8"
            | "INT4" | "INT2" => DataType::Integer,
            "SERIAL" | "BIGSERIAL" | "SMALLSERIAL" => {
                auto_increment = true;
                DataType::Integer
            }
            "TEXT" | "VARCHAR" | "CHAR" | "CHARACTER" | "STRING" => DataType::Text,
            "BOOLEAN" | "BOOL" => DataType::Boolean,
            "TIMESTAMP" | "DATETIME" | "TIMESTAMPTZ" => DataType::Timestamp,
            "FLOAT" | "REAL" | "DOUBLE" | "DECIMAL" | "NUMERIC" | "DATE" | "TIME" | "BLOB"
            | "BYTEA" | "JSON" | "JSONB" | "UUID" | "ENUM" | "INTERVAL" => {
                return Err(SqlError::at(
                    ErrorKind::Unsupported,
                    format!(
                        "type {type_word} is not supported by the lab engine \
                         (use INTEGER, TEXT, BOOLEAN or TIMESTAMP)"
                    ),
                    type_token.span,
                ));
            }
            _ => return Err(self.expected("a column type (INTEGER, TEXT, BOOLEAN, TIMESTAMP)")),
        };
        self.pos += 1;
        if data_type == DataType::Text && type_word == "CHARACTER" {
            self.eat_word("VARYING");
        }
        // Length or precision such as VARCHAR(20) or TIMESTAMP(6) is accepted and ignored.
        if self.eat_symbol("(") {
            match self.advance().tok {
                Tok::Number(_) => {}
                _ => {
                    self.pos -= 1;
                    return Err(self.expected("a length"));
                }
            }
            self.expect_symbol(")")?;
        }
        if data_type == DataType::Integer {
            self.eat_word("UNSIGNED");
        }
        let mut col = ColumnDef {
            name,
            data_type,
            primary_key: false,
            not_null: auto_increment,
            auto_increment,
            default: None,
        };
        loop {
            if self.eat_word("PRIMARY") {
                self.expect_word("KEY")?;
                col.primary_key = true;
            } else if self.eat_word("NOT") {
                self.expect_word("NULL")?;
                col.not_null = true;
            } else if self.eat_word("NULL") {
            } else if self.eat_word("AUTO_INCREMENT") || self.eat_word("AUTOINCREMENT") {
                col.auto_increment = true;
            } else if self.eat_word("DEFAULT") {
                col.default = Some(self.default_value()?);
            } else if let Some(w) = self.upper_word().filter(|w| {
                [
                    "UNIQUE",
                    "REFERENCES",
                    "CHECK",
                    "CONSTRAINT",
                    "GENERATED",
                    "COLLATE",
                ]
                .contains(&w.as_str())
            }) {
                return Err(SqlError::unsupported(
                    &format!("{w} on a column"),
                    self.peek().span,
                ));
            } else {
                break;
            }
        }
        Ok(col)
    }

    /// DEFAULT takes a literal (possibly negative) or NOW() / CURRENT_TIMESTAMP.
    fn default_value(&mut self) -> Result<Expr, SqlError> {
        let start = self.peek().span;
        let e = *self.unary().map_err(|e| *e)?;
        let ok = match &e.kind {
            ExprKind::Literal(_) => true,
            ExprKind::Unary(UnaryOp::Neg, inner) => matches!(inner.kind, ExprKind::Literal(_)),
            ExprKind::Call { function, .. } => *function == Function::Now,
            _ => false,
        };
        if ok {
            Ok(e)
        } else {
            Err(SqlError::unsupported(
                "a DEFAULT other than a literal or NOW()",
                start.to(e.span),
            ))
        }
    }

    // ---- INSERT / UPDATE / DELETE ----

    fn insert(&mut self) -> Result<Insert, SqlError> {
        self.expect_word("INSERT")?;
        if self.is_word("IGNORE") {
            return Err(SqlError::unsupported("INSERT IGNORE", self.peek().span));
        }
        self.expect_word("INTO")?;
        let table = self.ident("a table name")?;
        let mut columns = None;
        if self.eat_symbol("(") {
            let mut cols = vec![self.ident("a column name")?];
            while self.eat_symbol(",") {
                cols.push(self.ident("a column name")?);
            }
            self.expect_symbol(")")?;
            columns = Some(cols);
        }
        if self.is_word("SELECT") {
            return Err(SqlError::unsupported("INSERT ... SELECT", self.peek().span));
        }
        if self.is_word("DEFAULT") {
            return Err(SqlError::unsupported("DEFAULT VALUES", self.peek().span));
        }
        if !self.eat_word("VALUES") && !self.eat_word("VALUE") {
            return Err(self.expected("VALUES"));
        }
        let mut rows = Vec::new();
        loop {
            self.expect_symbol("(")?;
            let mut row = vec![self.expr()?];
            while self.eat_symbol(",") {
                row.push(self.expr()?);
            }
            self.expect_symbol(")")?;
            rows.push(row);
            if !self.eat_symbol(",") {
                break;
            }
        }
        if self.is_word("ON") {
            return Err(SqlError::unsupported(
                "ON DUPLICATE KEY / ON CONFLICT",
                self.peek().span,
            ));
        }
        self.reject_returning()?;
        Ok(Insert {
            table,
            columns,
            rows,
        })
    }

    fn reject_returning(&self) -> Result<(), SqlError> {
        if self.is_word("RETURNING") {
            return Err(SqlError::unsupported("RETURNING", self.peek().span));
        }
        Ok(())
    }

    fn update(&mut self) -> Result<Update, SqlError> {
        self.expect_word("UPDATE")?;
        let table = self.ident("a table name")?;
        self.reject_join()?;
        self.expect_word("SET")?;
        let mut assignments = Vec::new();
        loop {
            let col = self.ident("a column name")?;
            self.expect_symbol("=")?;
            assignments.push((col, self.expr()?));
            if !self.eat_symbol(",") {
                break;
            }
        }
        if self.is_word("FROM") {
            return Err(SqlError::unsupported("UPDATE ... FROM", self.peek().span));
        }
        let (filter, order_by, limit) = self.row_selection()?;
        Ok(Update {
            table,
            assignments,
            filter,
            order_by,
            limit,
        })
    }

    fn delete(&mut self) -> Result<Delete, SqlError> {
        self.expect_word("DELETE")?;
        self.expect_word("FROM")?;
        let table = self.ident("a table name")?;
        self.reject_join()?;
        if self.is_word("USING") {
            return Err(SqlError::unsupported("DELETE ... USING", self.peek().span));
        }
        let (filter, order_by, limit) = self.row_selection()?;
        Ok(Delete {
            table,
            filter,
            order_by,
            limit,
        })
    }

    // ---- SELECT ----

    fn select(&mut self) -> Result<Select, SqlError> {
        self.expect_word("SELECT")?;
        if self.is_word("DISTINCT") {
            return Err(SqlError::unsupported("DISTINCT", self.peek().span));
        }
        self.eat_word("ALL");
        let mut items = Vec::new();
        loop {
            if self.is_symbol("*") {
                items.push(SelectItem::Star(self.advance().span));
            } else {
                let expr = self.expr()?;
                let text = self
                    .sql
                    .get(expr.span.start as usize..expr.span.end as usize)
                    .unwrap_or("?")
                    .to_string();
                let alias = if self.eat_word("AS")
                    || matches!(&self.peek().tok, Tok::Word(w) if !Self::is_reserved(w))
                    || matches!(self.peek().tok, Tok::QuotedIdent(_))
                {
                    Some(self.ident("an alias")?)
                } else {
                    None
                };
                items.push(SelectItem::Expr { expr, alias, text });
            }
            if !self.eat_symbol(",") {
                break;
            }
        }
        if self.is_word("INTO") {
            return Err(SqlError::unsupported("SELECT ... INTO", self.peek().span));
        }
        let mut from = None;
        if self.eat_word("FROM") {
            if self.is_symbol("(") {
                return Err(SqlError::unsupported("a subquery", self.peek().span));
            }
            let name = self.ident("a table name")?;
            let alias = if self.eat_word("AS")
                || matches!(&self.peek().tok, Tok::Word(w) if !Self::is_reserved(w))
            {
                Some(self.ident("an alias")?)
            } else {
                None
            };
            from = Some(TableRef { name, alias });
            self.reject_join()?;
        }
        let filter = self.where_clause()?;
        if self.is_word("GROUP") {
            return Err(SqlError::unsupported("GROUP BY", self.peek().span));
        }
        if self.is_word("HAVING") {
            return Err(SqlError::unsupported("HAVING", self.peek().span));
        }
        if self.is_word("WINDOW") {
            return Err(SqlError::unsupported("WINDOW", self.peek().span));
        }
        self.reject_set_operation()?;
        let order_by = self.order_by()?;
        let limit = self.limit()?;
        let mut offset = None;
        if self.eat_word("OFFSET") {
            offset = Some(self.count("an OFFSET count")?);
        }
        self.reject_set_operation()?;
        if self.is_word("FOR") {
            return Err(SqlError::unsupported(
                "SELECT ... FOR UPDATE",
                self.peek().span,
            ));
        }
        Ok(Select {
            items,
            from,
            filter,
            order_by,
            limit,
            offset,
        })
    }

    fn reject_join(&self) -> Result<(), SqlError> {
        let join_words = [
            "JOIN",
            "INNER",
            "LEFT",
            "RIGHT",
            "FULL",
            "CROSS",
            "NATURAL",
            "STRAIGHT_JOIN",
        ];
        if join_words.iter().any(|w| self.is_word(w)) || self.is_symbol(",") {
            return Err(SqlError::unsupported("JOIN", self.peek().span));
        }
        Ok(())
    }

    fn reject_set_operation(&self) -> Result<(), SqlError> {
        for w in ["UNION", "INTERSECT", "EXCEPT"] {
            if self.is_word(w) {
                return Err(SqlError::unsupported(w, self.peek().span));
            }
        }
        Ok(())
    }

    /// What UPDATE and DELETE share after their table: `[WHERE] [ORDER BY] [LIMIT]`, and no
    /// `RETURNING`.
    fn row_selection(&mut self) -> Result<RowSelection, SqlError> {
        let filter = self.where_clause()?;
        let order_by = self.order_by()?;
        let limit = self.limit()?;
        self.reject_returning()?;
        Ok((filter, order_by, limit))
    }

    fn where_clause(&mut self) -> Result<Option<Expr>, SqlError> {
        if self.eat_word("WHERE") {
            if self.is_word("CURRENT") {
                return Err(SqlError::unsupported("WHERE CURRENT OF", self.peek().span));
            }
            Ok(Some(self.expr()?))
        } else {
            Ok(None)
        }
    }

    fn order_by(&mut self) -> Result<Vec<OrderItem>, SqlError> {
        let mut items = Vec::new();
        if self.eat_word("ORDER") {
            self.expect_word("BY")?;
            loop {
                let expr = self.expr()?;
                let descending = if self.eat_word("DESC") {
                    true
                } else {
                    self.eat_word("ASC");
                    false
                };
                if self.is_word("NULLS") {
                    return Err(SqlError::unsupported("NULLS FIRST/LAST", self.peek().span));
                }
                items.push(OrderItem { expr, descending });
                if !self.eat_symbol(",") {
                    break;
                }
            }
        }
        Ok(items)
    }

    fn limit(&mut self) -> Result<Option<Limit>, SqlError> {
        if self.eat_word("LIMIT") {
            let l = self.count("a LIMIT count")?;
            if self.is_symbol(",") {
                return Err(SqlError::unsupported(
                    "LIMIT offset, count",
                    self.peek().span,
                ));
            }
            Ok(Some(l))
        } else {
            Ok(None)
        }
    }

    fn count(&mut self, what: &str) -> Result<Limit, SqlError> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Number(n) => {
                self.pos += 1;
                let count = n.parse::<u64>().map_err(|_| {
                    SqlError::at(ErrorKind::Syntax, format!("{what} is out of range"), t.span)
                })?;
                Ok(Limit {
                    count,
                    span: t.span,
                })
            }
            _ => Err(self.expected(what)),
        }
    }

    // ---- expressions, lowest precedence first ----
    //
    // Stack use: each level of parentheses passes through every function from `sub_expr` down
    // to `primary`, so those functions hold nothing but the recursion, and what they pass
    // around is two words wide (`Parsed`: a boxed node or a boxed error). Everything else
    // (operator matching, error texts, building nodes) is in helper functions that return
    // before the next level starts. A debug build gives every temporary its own stack slot and
    // inlines nothing, so a fat frame on the recursive path is paid once per function per
    // level. (A release build may inline the helpers back: its frames are small anyway, and
    // forbidding it costs page size.)

    fn expr(&mut self) -> Result<Expr, SqlError> {
        match self.sub_expr() {
            Ok(e) => Ok(*e),
            Err(e) => Err(*e),
        }
    }

    fn sub_expr(&mut self) -> Parsed<Box<Expr>> {
        self.enter(self.peek().span)?;
        let e = self.or()?;
        self.nesting -= 1;
        Ok(e)
    }

    /// One level deeper (a parenthesis, an argument list, a NOT or a sign), refused past
    /// [`MAX_NESTING`].
    fn enter(&mut self, span: Span) -> Parsed<()> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(Box::new(SqlError::at(
                ErrorKind::TooLarge,
                format!(
                    "expression is nested too deeply (at most {MAX_NESTING} levels of \
                     parentheses, NOT or signs)"
                ),
                span,
            )));
        }
        Ok(())
    }

    fn too_deep(&self, span: Span) -> SqlError {
        SqlError::at(
            ErrorKind::TooLarge,
            format!("expression is nested too deeply (at most {MAX_EXPR_DEPTH} levels)"),
            span,
        )
    }

    fn checked(&self, e: Box<Expr>) -> Parsed<Box<Expr>> {
        if e.depth > MAX_EXPR_DEPTH {
            Err(Box::new(self.too_deep(e.span)))
        } else {
            Ok(e)
        }
    }

    fn combine(&self, op: BinaryOp, left: Box<Expr>, right: Box<Expr>) -> Parsed<Box<Expr>> {
        let span = left.span.to(right.span);
        let depth = left.depth.max(right.depth).saturating_add(1);
        self.checked(Box::new(Expr {
            kind: ExprKind::Binary(op, left, right),
            span,
            depth,
        }))
    }

    fn combine_unary(&self, op: UnaryOp, start: Span, inner: Box<Expr>) -> Parsed<Box<Expr>> {
        let span = start.to(inner.span);
        let depth = inner.depth.saturating_add(1);
        self.checked(Box::new(Expr {
            kind: ExprKind::Unary(op, inner),
            span,
            depth,
        }))
    }

    fn or(&mut self) -> Parsed<Box<Expr>> {
        let mut left = self.and()?;
        while self.eat_word("OR") {
            let right = self.and()?;
            left = self.combine(BinaryOp::Or, left, right)?;
        }
        Ok(left)
    }

    fn and(&mut self) -> Parsed<Box<Expr>> {
        let mut left = self.not()?;
        while self.eat_word("AND") {
            let right = self.not()?;
            left = self.combine(BinaryOp::And, left, right)?;
        }
        Ok(left)
    }

    fn not(&mut self) -> Parsed<Box<Expr>> {
        if !self.is_word("NOT") {
            return self.comparison();
        }
        let span = self.not_prefix()?;
        let inner = self.not()?;
        self.nesting -= 1;
        self.combine_unary(UnaryOp::Not, span, inner)
    }

    /// Takes `NOT` and enters a level; its span.
    fn not_prefix(&mut self) -> Parsed<Span> {
        let span = self.advance().span;
        if self.is_word("EXISTS") {
            return Err(Box::new(SqlError::unsupported("EXISTS", self.peek().span)));
        }
        self.enter(span)?;
        Ok(span)
    }

    fn comparison(&mut self) -> Parsed<Box<Expr>> {
        let left = self.additive()?;
        match self.comparison_op()? {
            Some(op) => {
                let right = self.additive()?;
                self.finish_comparison(op, left, right)
            }
            None => self.finish_operand(left),
        }
    }

    /// Takes a comparison operator if one is next.
    fn comparison_op(&mut self) -> Parsed<Option<BinaryOp>> {
        let op = match self.peek().tok {
            Tok::Symbol("=") => BinaryOp::Eq,
            Tok::Symbol("<>") | Tok::Symbol("!=") => BinaryOp::NotEq,
            Tok::Symbol("<") => BinaryOp::Lt,
            Tok::Symbol("<=") => BinaryOp::LtEq,
            Tok::Symbol(">") => BinaryOp::Gt,
            Tok::Symbol(">=") => BinaryOp::GtEq,
            _ => return Ok(None),
        };
        self.pos += 1;
        if self.is_word("ANY") || self.is_word("ALL") || self.is_word("SOME") {
            return Err(Box::new(SqlError::unsupported("ANY/ALL", self.peek().span)));
        }
        Ok(Some(op))
    }

    fn finish_comparison(
        &self,
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    ) -> Parsed<Box<Expr>> {
        let e = self.combine(op, left, right)?;
        self.reject_postfix()?;
        Ok(e)
    }

    /// An operand with no comparison after it: `IS [NOT] NULL`, or nothing.
    fn finish_operand(&mut self, left: Box<Expr>) -> Parsed<Box<Expr>> {
        if self.is_word("IS") {
            self.pos += 1;
            let negated = self.eat_word("NOT");
            let end = self
                .expect_word("NULL")
                .map_err(|_| self.expected("NULL or NOT NULL"))?;
            let span = left.span.to(end);
            let depth = left.depth.saturating_add(1);
            return self.checked(Box::new(Expr {
                kind: ExprKind::IsNull {
                    expr: left,
                    negated,
                },
                span,
                depth,
            }));
        }
        self.reject_postfix()?;
        Ok(left)
    }

    /// Operators that look like comparisons but are outside the subset.
    fn reject_postfix(&self) -> Result<(), SqlError> {
        let mut i = 0;
        if self.is_word("NOT") {
            i = 1;
        }
        let t = self.peek_at(i);
        for w in [
            "IN", "BETWEEN", "LIKE", "ILIKE", "REGEXP", "RLIKE", "SIMILAR",
        ] {
            if t.is_word(w) {
                return Err(SqlError::unsupported(w, t.span));
            }
        }
        if matches!(t.tok, Tok::Symbol("||")) {
            return Err(SqlError::unsupported("string concatenation (||)", t.span));
        }
        Ok(())
    }

    fn additive(&mut self) -> Parsed<Box<Expr>> {
        let mut left = self.multiplicative()?;
        while let Some(op) = self.additive_op()? {
            let right = self.multiplicative()?;
            left = self.combine(op, left, right)?;
        }
        Ok(left)
    }

    /// Takes `+` or `-` if one is next.
    fn additive_op(&mut self) -> Parsed<Option<BinaryOp>> {
        let op = match self.peek().tok {
            Tok::Symbol("+") => BinaryOp::Add,
            Tok::Symbol("-") => BinaryOp::Sub,
            Tok::Symbol("||") => {
                return Err(Box::new(SqlError::unsupported(
                    "string concatenation (||)",
                    self.peek().span,
                )))
            }
            _ => return Ok(None),
        };
        self.pos += 1;
        Ok(Some(op))
    }

    fn multiplicative(&mut self) -> Parsed<Box<Expr>> {
        let mut left = self.unary()?;
        while let Some(op) = self.multiplicative_op() {
            let right = self.unary()?;
            left = self.combine(op, left, right)?;
        }
        Ok(left)
    }

    /// Takes `*`, `/` or `%` if one is next.
    fn multiplicative_op(&mut self) -> Option<BinaryOp> {
        let op = match self.peek().tok {
            Tok::Symbol("*") => BinaryOp::Mul,
            Tok::Symbol("/") => BinaryOp::Div,
            Tok::Symbol("%") => BinaryOp::Mod,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    fn unary(&mut self) -> Parsed<Box<Expr>> {
        if !(self.is_symbol("-") || self.is_symbol("+")) {
            return self.primary();
        }
        let (negative, span) = match self.sign_prefix()? {
            Sign::Literal(e) => return Ok(e),
            Sign::Operator { negative, span } => (negative, span),
        };
        let inner = self.unary()?;
        self.nesting -= 1;
        if !negative {
            return Ok(inner);
        }
        self.combine_unary(UnaryOp::Neg, span, inner)
    }

    /// Takes a sign: a negative integer literal whole, or the sign alone (entering a level).
    fn sign_prefix(&mut self) -> Parsed<Sign> {
        let t = self.advance();
        // `-9223372036854775808` must be read as one literal: its digits alone overflow.
        if let (Tok::Symbol("-"), Tok::Number(n)) = (&t.tok, &self.peek().tok) {
            let span = t.span.to(self.peek().span);
            let n = format!("-{n}");
            if let Ok(v) = n.parse::<i64>() {
                self.pos += 1;
                return Ok(Sign::Literal(Box::new(Expr::leaf(
                    ExprKind::Literal(Value::Integer(v)),
                    span,
                ))));
            }
        }
        self.enter(t.span)?;
        Ok(Sign::Operator {
            negative: matches!(t.tok, Tok::Symbol("-")),
            span: t.span,
        })
    }

    fn primary(&mut self) -> Parsed<Box<Expr>> {
        if self.is_symbol("(") {
            return self.parenthesised();
        }
        match self.leaf()? {
            Some(e) => Ok(e),
            None => self.call(),
        }
    }

    fn parenthesised(&mut self) -> Parsed<Box<Expr>> {
        let open = self.open_parenthesis()?;
        let e = self.sub_expr()?;
        self.close_parenthesis(open, e)
    }

    fn open_parenthesis(&mut self) -> Parsed<Span> {
        let open = self.advance().span;
        if self.is_word("SELECT") {
            return Err(Box::new(SqlError::unsupported(
                "a subquery",
                self.peek().span,
            )));
        }
        Ok(open)
    }

    fn close_parenthesis(&mut self, open: Span, mut e: Box<Expr>) -> Parsed<Box<Expr>> {
        if self.is_symbol(",") {
            return Err(Box::new(SqlError::unsupported(
                "a row value",
                self.peek().span,
            )));
        }
        let end = self.expect_symbol(")")?;
        e.span = open.to(end);
        Ok(e)
    }

    /// A literal, a column or `CURRENT_TIMESTAMP`; `None` when a function call is next.
    fn leaf(&mut self) -> Parsed<Option<Box<Expr>>> {
        let t = self.peek().clone();
        let e = match &t.tok {
            Tok::Number(n) => {
                self.pos += 1;
                let v = n.parse::<i64>().map_err(|_| {
                    SqlError::at(
                        ErrorKind::Arithmetic,
                        format!("integer {n} is out of range"),
                        t.span,
                    )
                })?;
                Expr::leaf(ExprKind::Literal(Value::Integer(v)), t.span)
            }
            Tok::Str(s) => {
                self.pos += 1;
                Expr::leaf(ExprKind::Literal(Value::Text(s.clone())), t.span)
            }
            Tok::QuotedIdent(_) => self.column_ref()?,
            Tok::Word(w) => {
                let upper = w.to_ascii_uppercase();
                match upper.as_str() {
                    "NULL" => {
                        self.pos += 1;
                        Expr::leaf(ExprKind::Literal(Value::Null), t.span)
                    }
                    "TRUE" | "FALSE" => {
                        self.pos += 1;
                        Expr::leaf(ExprKind::Literal(Value::Boolean(upper == "TRUE")), t.span)
                    }
                    "CURRENT_TIMESTAMP" | "LOCALTIMESTAMP"
                        if !self.peek_at(1).tok.eq(&Tok::Symbol("(")) =>
                    {
                        self.pos += 1;
                        Expr::leaf(
                            ExprKind::Call {
                                function: Function::Now,
                                args: vec![],
                            },
                            t.span,
                        )
                    }
                    "CASE" | "EXISTS" | "CAST" | "INTERVAL" | "ARRAY" | "ROW" => {
                        return Err(Box::new(SqlError::unsupported(&upper, t.span)))
                    }
                    "SELECT" => return Err(Box::new(SqlError::unsupported("a subquery", t.span))),
                    _ if self.peek_at(1).tok == Tok::Symbol("(") => return Ok(None),
                    _ if Self::is_reserved(w) => {
                        return Err(Box::new(self.expected("an expression")))
                    }
                    _ => self.column_ref()?,
                }
            }
            _ => return Err(Box::new(self.expected("an expression"))),
        };
        Ok(Some(Box::new(e)))
    }

    fn column_ref(&mut self) -> Result<Expr, SqlError> {
        let first = self.ident("a column name")?;
        if self.eat_symbol(".") {
            if self.is_symbol("*") {
                return Err(SqlError::unsupported("table.*", self.peek().span));
            }
            let name = self.ident("a column name")?;
            let span = first.span.to(name.span);
            return Ok(Expr::leaf(
                ExprKind::Column {
                    qualifier: Some(first),
                    name,
                },
                span,
            ));
        }
        let span = first.span;
        Ok(Expr::leaf(
            ExprKind::Column {
                qualifier: None,
                name: first,
            },
            span,
        ))
    }

    fn call(&mut self) -> Parsed<Box<Expr>> {
        let (function, name_span) = self.call_head()?;
        let mut args = Vec::new();
        if !self.is_symbol(")") {
            args.push(*self.sub_expr()?);
            while self.eat_symbol(",") {
                args.push(*self.sub_expr()?);
            }
        }
        self.finish_call(function, name_span, args)
    }

    /// The function's name and its `(`.
    fn call_head(&mut self) -> Parsed<(Function, Span)> {
        let name_tok = self.advance();
        let Tok::Word(name) = &name_tok.tok else {
            return Err(Box::new(self.expected("a function name")));
        };
        let upper = name.to_ascii_uppercase();
        let function = match upper.as_str() {
            "NOW" | "CURRENT_TIMESTAMP" | "LOCALTIMESTAMP" | "SYSDATE" => Function::Now,
            "RAND" | "RANDOM" => Function::Rand,
            "UUID" | "GEN_RANDOM_UUID" => Function::Uuid,
            a if AGGREGATES.contains(&a) => {
                return Err(Box::new(SqlError::unsupported(
                    &format!("aggregate function {upper}()"),
                    name_tok.span,
                )))
            }
            _ => {
                return Err(Box::new(SqlError::at(
                    ErrorKind::Unsupported,
                    format!(
                        "function {upper}() is not supported by the lab engine \
                         (it knows NOW(), RAND() and UUID())"
                    ),
                    name_tok.span,
                )))
            }
        };
        self.expect_symbol("(")?;
        Ok((function, name_tok.span))
    }

    fn finish_call(
        &mut self,
        function: Function,
        name_span: Span,
        args: Vec<Expr>,
    ) -> Parsed<Box<Expr>> {
        let end = self.expect_symbol(")")?;
        if !args.is_empty() {
            return Err(Box::new(SqlError::at(
                ErrorKind::Syntax,
                format!(
                    "{} takes no arguments but was given {}",
                    function.name(),
                    args.len()
                ),
                name_span.to(end),
            )));
        }
        // No arguments reach here, but the node keeps its shape (and its depth) general.
        let depth = args
            .iter()
            .map(|a| a.depth)
            .max()
            .unwrap_or(0)
            .saturating_add(1);
        self.checked(Box::new(Expr {
            kind: ExprKind::Call { function, args },
            span: name_span.to(end),
            depth,
        }))
    }
}

/// What a leading `+` or `-` turned out to be.
enum Sign {
    /// `-` and an integer: one literal (so `i64::MIN` can be written).
    Literal(Box<Expr>),
    Operator {
        negative: bool,
        span: Span,
    },
}

/// What the expression functions return: two words wide, so the temporaries a debug build
/// keeps in each frame of the recursion stay small.
type Parsed<T> = Result<T, Box<SqlError>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn err(sql: &str) -> String {
        parse(sql).unwrap_err().locate(sql).to_string()
    }

    #[test]
    fn parses_alter_table_add_and_drop_column() {
        for sql in [
            "ALTER TABLE orders ADD COLUMN note TEXT NOT NULL DEFAULT 'x'",
            "alter table orders add note varchar(20)",
            "ALTER TABLE ONLY orders ADD COLUMN IF NOT EXISTS note TEXT",
        ] {
            let Ok(Statement::AlterTable(a)) = parse(sql) else {
                panic!("{sql}")
            };
            assert_eq!(a.name.name, "orders");
            let AlterAction::AddColumn { column, .. } = a.action else {
                panic!("{sql}")
            };
            assert_eq!(column.name.name, "note");
            assert_eq!(column.data_type, DataType::Text);
        }
        for sql in [
            "ALTER TABLE orders DROP COLUMN note",
            "ALTER TABLE orders DROP note CASCADE;",
            "ALTER TABLE orders DROP COLUMN IF EXISTS note",
        ] {
            let Ok(Statement::AlterTable(a)) = parse(sql) else {
                panic!("{sql}")
            };
            let AlterAction::DropColumn { name, if_exists } = a.action else {
                panic!("{sql}")
            };
            assert_eq!(name.name, "note");
            assert_eq!(if_exists, sql.contains("IF EXISTS"));
        }
        assert!(parse("ALTER TABLE orders").is_err());
        assert!(parse("ALTER TABLE orders ADD").is_err());
    }

    #[test]
    fn parses_the_supported_statements() {
        for sql in [
            "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL DEFAULT 'new', at TIMESTAMP DEFAULT NOW())",
            "create table t (id serial, name varchar(20), PRIMARY KEY (id))",
            "CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, b BOOLEAN, d INT DEFAULT -1)",
            "INSERT INTO orders (status) VALUES ('a'), ('b');",
            "INSERT INTO orders VALUES (1, 'it''s', NOW())",
            "UPDATE orders SET status = 'x', qty = qty + 1 WHERE id = 3 ORDER BY id DESC LIMIT 2",
            "DELETE FROM orders WHERE status IS NOT NULL LIMIT 1",
            "SELECT * FROM orders WHERE NOT (a = 1 OR b <> 2) AND c IS NULL ORDER BY a, b DESC LIMIT 10 OFFSET 2",
            "SELECT NOW(), RAND(), UUID(), -5 % 3, 1 + 2 * 3 AS x",
            "SELECT o.id FROM orders o WHERE o.id != -9223372036854775808",
            "begin", "START TRANSACTION", "COMMIT", "rollback;",
        ] {
            parse(sql).unwrap_or_else(|e| panic!("{sql}: {}", e.locate(sql)));
        }
    }

    #[test]
    fn precedence_and_spans() {
        let Statement::Select(s) = parse("SELECT 1 + 2 * 3 = 7 AND NOT x").unwrap() else {
            panic!()
        };
        let SelectItem::Expr { expr, text, .. } = &s.items[0] else {
            panic!()
        };
        assert_eq!(text, "1 + 2 * 3 = 7 AND NOT x");
        let ExprKind::Binary(BinaryOp::And, l, _) = &expr.kind else {
            panic!()
        };
        let ExprKind::Binary(BinaryOp::Eq, sum, _) = &l.kind else {
            panic!()
        };
        let ExprKind::Binary(BinaryOp::Add, _, product) = &sum.kind else {
            panic!()
        };
        assert!(matches!(
            product.kind,
            ExprKind::Binary(BinaryOp::Mul, _, _)
        ));
    }

    #[test]
    fn syntax_errors_say_what_was_expected_and_where() {
        assert_eq!(err("SELEC * FROM t"), "expected a statement (SELECT, INSERT, UPDATE, DELETE, CREATE TABLE, ALTER TABLE, BEGIN, COMMIT, ROLLBACK) but found \"SELEC\" at 1:1");
        assert_eq!(
            err("SELECT * FROM"),
            "expected a table name but found end of input at 1:14"
        );
        assert_eq!(
            err("INSERT INTO t VALUES (1,"),
            "expected an expression but found end of input at 1:25"
        );
        assert_eq!(
            err("UPDATE t SET a 1"),
            "expected \"=\" but found 1 at 1:16"
        );
        assert_eq!(
            err("SELECT 1; SELECT 2"),
            "expected end of statement (one statement at a time) but found \"SELECT\" at 1:11"
        );
        assert_eq!(
            err("SELECT 99999999999999999999"),
            "integer 99999999999999999999 is out of range at 1:8"
        );
        assert_eq!(err("CREATE TABLE t (a FLOAT)"), "type FLOAT is not supported by the lab engine (use INTEGER, TEXT, BOOLEAN or TIMESTAMP) at 1:19");
        assert_eq!(
            err("SELECT *\nFROM t WHERE"),
            "expected an expression but found end of input at 2:13"
        );
    }

    #[test]
    fn unsupported_features_are_named() {
        let cases = [
            ("SELECT * FROM a JOIN b ON a.id = b.id", "JOIN is not supported by the lab engine at 1:17"),
            ("SELECT * FROM a, b", "JOIN is not supported by the lab engine at 1:16"),
            ("SELECT status FROM t GROUP BY status", "GROUP BY is not supported by the lab engine at 1:22"),
            ("SELECT COUNT(*) FROM t", "aggregate function COUNT() is not supported by the lab engine at 1:8"),
            ("SELECT * FROM t WHERE id IN (SELECT 1)", "IN is not supported by the lab engine at 1:26"),
            ("SELECT * FROM (SELECT 1)", "a subquery is not supported by the lab engine at 1:15"),
            ("SELECT (SELECT 1)", "a subquery is not supported by the lab engine at 1:9"),
            ("SELECT 1 UNION SELECT 2", "UNION is not supported by the lab engine at 1:10"),
            ("DROP TABLE t", "DROP is not supported by the lab engine at 1:1"),
            ("ALTER TABLE t RENAME TO u", "ALTER TABLE ... RENAME is not supported by the lab engine at 1:15"),
            ("ALTER INDEX i RENAME TO j", "ALTER INDEX is not supported by the lab engine at 1:7"),
            ("CREATE INDEX i ON t (a)", "CREATE INDEX is not supported by the lab engine at 1:8"),
            ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH (a common table expression) is not supported by the lab engine at 1:1"),
            ("SELECT DISTINCT a FROM t", "DISTINCT is not supported by the lab engine at 1:8"),
            ("SELECT * FROM t HAVING 1", "HAVING is not supported by the lab engine at 1:17"),
            ("SELECT lower(a) FROM t", "function LOWER() is not supported by the lab engine (it knows NOW(), RAND() and UUID()) at 1:8"),
            ("SELECT a FROM t WHERE a LIKE 'x%'", "LIKE is not supported by the lab engine at 1:25"),
        ];
        for (sql, want) in cases {
            let e = parse(sql).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Unsupported, "{sql}");
            assert_eq!(e.locate(sql).to_string(), want, "{sql}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
        assert_eq!(parse(&deep).unwrap_err().kind, ErrorKind::TooLarge);
        let long_chain = format!("SELECT 1{}", " + 1".repeat(5000));
        assert_eq!(parse(&long_chain).unwrap_err().kind, ErrorKind::TooLarge);
        let nots = format!("SELECT {}TRUE", "NOT ".repeat(5000));
        assert_eq!(parse(&nots).unwrap_err().kind, ErrorKind::TooLarge);
        let negs = format!("SELECT {}1", "- ".repeat(5000));
        assert_eq!(parse(&negs).unwrap_err().kind, ErrorKind::TooLarge);
        assert!(parse("SELECT 1 + 1 + 1 + 1").is_ok());
    }

    #[test]
    fn reserved_words_are_not_names_but_quoted_ones_are() {
        assert!(parse("CREATE TABLE select (a INT PRIMARY KEY)").is_err());
        assert!(parse("CREATE TABLE \"select\" (a INT PRIMARY KEY)").is_ok());
        assert!(parse("SELECT status, date, text FROM t").is_ok());
    }
}
