//! Expression evaluation with SQL's NULL logic, checked integer arithmetic and the statement's
//! nondeterministic context: one timestamp per statement, a RAND() sequence from two seeds,
//! and UUID() straight from the node's generator. Records every value those functions produce.

use super::catalog::{ColumnSchema, TableSchema};
use super::env::{Env, ExecOptions, MysqlRand};
use super::error::{ErrorKind, Span, SqlError};
use super::format::{format_uuid, parse_timestamp};
use super::report::{ContextValues, FunctionValue};
use super::sql::ast::{BinaryOp, Expr, ExprKind, Function, UnaryOp};
use super::value::{DataType, Value};
use std::cmp::Ordering;

/// The nondeterministic context of one statement. Draws from the [`Env`] lazily, at most once
/// for the timestamp and once for the RAND() seeds, so a statement without NOW()/RAND()/UUID()
/// leaves the node's clock and generator untouched.
pub struct StatementContext<'e> {
    env: &'e mut dyn Env,
    options: ExecOptions,
    rand: Option<MysqlRand>,
    pub values: ContextValues,
    pub rand_calls: u64,
    pub uuid_calls: u64,
    /// MySQL's `auto_increment_increment` and `auto_increment_offset` (None: 1 and 1).
    auto_increment: Option<(i64, i64)>,
}

impl<'e> StatementContext<'e> {
    pub fn new(env: &'e mut dyn Env, options: ExecOptions) -> Self {
        StatementContext {
            env,
            options,
            rand: None,
            values: ContextValues::default(),
            rand_calls: 0,
            uuid_calls: 0,
            auto_increment: None,
        }
    }

    /// The same context, handing out generated ids as `offset + k × increment`.
    pub fn stepping(self, auto_increment: Option<(i64, i64)>) -> Self {
        StatementContext {
            auto_increment,
            ..self
        }
    }

    /// The statement's timestamp (taken once).
    pub fn timestamp(&mut self) -> i64 {
        if let Some(t) = self.values.timestamp {
            return t;
        }
        let t = match self.options.timestamp {
            Some(t) => t,
            None => self.env.now_micros(),
        };
        self.values.timestamp = Some(t);
        t
    }

    fn now(&mut self) -> Value {
        let v = Value::Timestamp(self.timestamp());
        self.record(Function::Now, &v);
        v
    }

    fn rand(&mut self) -> Value {
        if self.rand.is_none() {
            let seeds = match self.options.rand_seeds {
                Some(s) => s,
                None => (self.env.random_u64(), self.env.random_u64()),
            };
            self.values.rand_seeds = Some(seeds);
            self.rand = Some(MysqlRand::new(seeds.0, seeds.1));
        }
        let v = Value::Integer(self.rand.as_mut().map_or(0, MysqlRand::next));
        self.rand_calls += 1;
        self.record(Function::Rand, &v);
        v
    }

    fn uuid(&mut self) -> Value {
        let v = Value::Text(format_uuid(self.env.random_u64(), self.env.random_u64()));
        self.uuid_calls += 1;
        self.record(Function::Uuid, &v);
        v
    }

    fn record(&mut self, function: Function, value: &Value) {
        self.values.function_values.push(FunctionValue {
            function,
            value: value.clone(),
        });
    }

    /// The next auto-increment id: the override for the first one, else the table's counter.
    pub fn next_insert_id(&mut self, counter: i64) -> i64 {
        let id = match (self.values.generated_ids.last(), self.options.insert_id) {
            (None, Some(first)) => first,
            (Some(prev), Some(_)) => prev.saturating_add(1),
            (_, None) => match self.auto_increment {
                Some((increment, offset)) => next_in_step(counter, increment, offset),
                None => counter,
            },
        };
        if self.values.insert_id.is_none() {
            self.values.insert_id = Some(id);
        }
        self.values.generated_ids.push(id);
        id
    }
}

/// The first id at least `counter` that `auto_increment_increment` = `increment` and
/// `auto_increment_offset` = `offset` allow: `offset + k × increment`.
pub fn next_in_step(counter: i64, increment: i64, offset: i64) -> i64 {
    let increment = increment.max(1);
    let offset = offset.clamp(1, increment);
    if counter <= offset {
        return offset;
    }
    let steps = (counter - offset + increment - 1) / increment;
    offset.saturating_add(steps.saturating_mul(increment))
}

/// The row an expression is evaluated against: the table's schema, names it may be qualified
/// with, and the values.
pub struct RowScope<'r> {
    pub schema: &'r TableSchema,
    pub qualifiers: [Option<&'r str>; 2],
    pub values: &'r [Value],
}

/// Checks every column reference against the schema (or that there are none, without a
/// table), so `unknown column "stauts"` is reported even when no row is visited.
pub fn resolve(
    expr: &Expr,
    schema: Option<&TableSchema>,
    qualifiers: [Option<&str>; 2],
) -> Result<(), SqlError> {
    let mut result = Ok(());
    expr.visit(&mut |e| {
        if result.is_err() {
            return;
        }
        if let ExprKind::Column { qualifier, name } = &e.kind {
            result = column_index(
                schema,
                qualifiers,
                qualifier.as_ref().map(|q| (q.name.as_str(), q.span)),
                &name.name,
                e.span,
            )
            .map(|_| ());
        }
    });
    result
}

fn column_index(
    schema: Option<&TableSchema>,
    qualifiers: [Option<&str>; 2],
    qualifier: Option<(&str, Span)>,
    name: &str,
    span: Span,
) -> Result<usize, SqlError> {
    if let Some((q, qspan)) = qualifier {
        if !qualifiers
            .iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(q))
        {
            return Err(SqlError::at(
                ErrorKind::UnknownTable,
                format!("unknown table \"{q}\" in a column reference"),
                qspan,
            ));
        }
    }
    schema.and_then(|s| s.column_index(name)).ok_or_else(|| {
        SqlError::at(
            ErrorKind::UnknownColumn,
            format!("unknown column \"{name}\""),
            span,
        )
    })
}

fn mismatch(message: String, span: Span) -> SqlError {
    SqlError::at(
        ErrorKind::TypeMismatch,
        format!("type mismatch: {message}"),
        span,
    )
}

fn overflow(span: Span) -> SqlError {
    SqlError::at(ErrorKind::Arithmetic, "integer out of range", span)
}

/// Evaluates an expression.
pub fn eval(
    expr: &Expr,
    row: Option<&RowScope<'_>>,
    cx: &mut StatementContext<'_>,
) -> Result<Value, SqlError> {
    match &expr.kind {
        ExprKind::Literal(v) => Ok(v.clone()),
        ExprKind::Column { qualifier, name } => {
            let i = column_index(
                row.map(|r| r.schema),
                row.map_or([None, None], |r| r.qualifiers),
                qualifier.as_ref().map(|q| (q.name.as_str(), q.span)),
                &name.name,
                expr.span,
            )?;
            Ok(row
                .and_then(|r| r.values.get(i))
                .cloned()
                .unwrap_or(Value::Null))
        }
        ExprKind::Call { function, .. } => Ok(match function {
            Function::Now => cx.now(),
            Function::Rand => cx.rand(),
            Function::Uuid => cx.uuid(),
        }),
        ExprKind::IsNull {
            expr: inner,
            negated,
        } => {
            let v = eval(inner, row, cx)?;
            Ok(Value::Boolean(v.is_null() != *negated))
        }
        ExprKind::Unary(op, inner) => {
            let v = eval(inner, row, cx)?;
            match (op, v) {
                (_, Value::Null) => Ok(Value::Null),
                (UnaryOp::Neg, Value::Integer(i)) => i
                    .checked_neg()
                    .map(Value::Integer)
                    .ok_or_else(|| overflow(expr.span)),
                (UnaryOp::Not, Value::Boolean(b)) => Ok(Value::Boolean(!b)),
                (UnaryOp::Neg, v) => Err(mismatch(
                    format!("cannot negate {}", v.type_name()),
                    expr.span,
                )),
                (UnaryOp::Not, v) => Err(mismatch(
                    format!("NOT needs a BOOLEAN but got {}", v.type_name()),
                    expr.span,
                )),
            }
        }
        ExprKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
            let l = truth(eval(a, row, cx)?, *op, a.span)?;
            // Short-circuit as MySQL and PostgreSQL may: FALSE AND x, TRUE OR x.
            match (op, l) {
                (BinaryOp::And, Some(false)) => return Ok(Value::Boolean(false)),
                (BinaryOp::Or, Some(true)) => return Ok(Value::Boolean(true)),
                _ => {}
            }
            let r = truth(eval(b, row, cx)?, *op, b.span)?;
            Ok(match (op, l, r) {
                (BinaryOp::And, _, Some(false)) => Value::Boolean(false),
                (BinaryOp::And, Some(true), Some(true)) => Value::Boolean(true),
                (BinaryOp::Or, _, Some(true)) => Value::Boolean(true),
                (BinaryOp::Or, Some(false), Some(false)) => Value::Boolean(false),
                _ => Value::Null,
            })
        }
        ExprKind::Binary(op, a, b) => {
            let l = eval(a, row, cx)?;
            let r = eval(b, row, cx)?;
            binary(*op, l, r, expr.span)
        }
    }
}

fn truth(v: Value, op: BinaryOp, span: Span) -> Result<Option<bool>, SqlError> {
    match v {
        Value::Null => Ok(None),
        Value::Boolean(b) => Ok(Some(b)),
        v => Err(mismatch(
            format!(
                "{} needs BOOLEAN operands but got {}",
                op.symbol(),
                v.type_name()
            ),
            span,
        )),
    }
}

fn binary(op: BinaryOp, l: Value, r: Value, span: Span) -> Result<Value, SqlError> {
    use BinaryOp::*;
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    match op {
        Eq | NotEq | Lt | LtEq | Gt | GtEq => {
            let ord = compare(&l, &r).ok_or_else(|| {
                mismatch(
                    format!("cannot compare {} with {}", l.type_name(), r.type_name()),
                    span,
                )
            })?;
            Ok(Value::Boolean(match op {
                Eq => ord == Ordering::Equal,
                NotEq => ord != Ordering::Equal,
                Lt => ord == Ordering::Less,
                LtEq => ord != Ordering::Greater,
                Gt => ord == Ordering::Greater,
                _ => ord != Ordering::Less,
            }))
        }
        _ => {
            let bad = || {
                mismatch(
                    format!(
                        "cannot apply {} to {} and {}",
                        op.symbol(),
                        l.type_name(),
                        r.type_name()
                    ),
                    span,
                )
            };
            let result = match (&l, &r) {
                (Value::Integer(a), Value::Integer(b)) => {
                    let (a, b) = (*a, *b);
                    if matches!(op, Div | Mod) && b == 0 {
                        return Err(SqlError::at(
                            ErrorKind::Arithmetic,
                            "division by zero",
                            span,
                        ));
                    }
                    match op {
                        Add => a.checked_add(b),
                        Sub => a.checked_sub(b),
                        Mul => a.checked_mul(b),
                        Div => a.checked_div(b),
                        _ => a.checked_rem(b),
                    }
                    .map(Value::Integer)
                }
                // Timestamp arithmetic in microseconds.
                (Value::Timestamp(t), Value::Integer(d)) if matches!(op, Add | Sub) => if op == Add
                {
                    t.checked_add(*d)
                } else {
                    t.checked_sub(*d)
                }
                .map(Value::Timestamp),
                (Value::Integer(d), Value::Timestamp(t)) if op == Add => {
                    t.checked_add(*d).map(Value::Timestamp)
                }
                (Value::Timestamp(a), Value::Timestamp(b)) if op == Sub => {
                    a.checked_sub(*b).map(Value::Integer)
                }
                _ => return Err(bad()),
            };
            result.ok_or_else(|| overflow(span))
        }
    }
}

/// Compares two non-NULL values of compatible types; text is read as a timestamp when
/// compared with one (`created_at > '2026-01-01'`).
pub fn compare(l: &Value, r: &Value) -> Option<Ordering> {
    match (l, r) {
        (Value::Timestamp(a), Value::Text(s)) => parse_timestamp(s).map(|b| a.cmp(&b)),
        (Value::Text(s), Value::Timestamp(b)) => parse_timestamp(s).map(|a| a.cmp(b)),
        _ if l.data_type() == r.data_type() => Some(l.cmp(r)),
        _ => None,
    }
}

/// Converts a value for storing in `column`, or says why it cannot be.
pub fn coerce(value: Value, column: &ColumnSchema, span: Span) -> Result<Value, SqlError> {
    match (&value, column.data_type) {
        (Value::Null, _) => {
            if column.not_null {
                Err(SqlError::at(
                    ErrorKind::NotNull,
                    format!("column \"{}\" cannot be NULL", column.name),
                    span,
                ))
            } else {
                Ok(value)
            }
        }
        (Value::Text(s), DataType::Timestamp) => {
            parse_timestamp(s).map(Value::Timestamp).ok_or_else(|| {
                mismatch(
                    format!(
                        "column \"{}\" is TIMESTAMP but {} is not a timestamp",
                        column.name,
                        value.to_sql()
                    ),
                    span,
                )
            })
        }
        (v, t) if v.data_type() == Some(t) => Ok(value),
        (v, t) => Err(mismatch(
            format!(
                "column \"{}\" is {t} but the value {} is {}",
                column.name,
                v.to_sql(),
                v.type_name()
            ),
            span,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_in_a_step_follow_mysqls_increment_and_offset() {
        // auto_increment_increment = 3, auto_increment_offset = 2: 2, 5, 8…
        assert_eq!(next_in_step(1, 3, 2), 2);
        assert_eq!(next_in_step(3, 3, 2), 5);
        assert_eq!(next_in_step(5, 3, 2), 5);
        assert_eq!(next_in_step(6, 3, 2), 8);
        // One and one: every id.
        assert_eq!(next_in_step(7, 1, 1), 7);
    }
    use crate::engine::env::SeededEnv;
    use crate::engine::sql::{ast::SelectItem, ast::Statement, parse};

    fn eval_sql(expr: &str) -> Result<Value, SqlError> {
        let Ok(Statement::Select(s)) = parse(&format!("SELECT {expr}")) else {
            panic!("{expr}")
        };
        let SelectItem::Expr { expr, .. } = &s.items[0] else {
            panic!()
        };
        let mut env = SeededEnv::new(1, 1_000);
        let mut cx = StatementContext::new(&mut env, ExecOptions::default());
        eval(expr, None, &mut cx)
    }

    #[test]
    fn arithmetic_and_logic() {
        assert_eq!(eval_sql("1 + 2 * 3 - 7 % 4"), Ok(Value::Integer(4)));
        assert_eq!(eval_sql("-(3) / 2"), Ok(Value::Integer(-1)));
        assert_eq!(eval_sql("NULL AND FALSE"), Ok(Value::Boolean(false)));
        assert_eq!(eval_sql("NULL OR FALSE"), Ok(Value::Null));
        assert_eq!(eval_sql("NOT (1 <> 1)"), Ok(Value::Boolean(true)));
        assert_eq!(eval_sql("NULL IS NULL"), Ok(Value::Boolean(true)));
        assert_eq!(eval_sql("'b' > 'a'"), Ok(Value::Boolean(true)));
        assert_eq!(eval_sql("NOW() > '1970-01-01'"), Ok(Value::Boolean(true)));
    }

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        for e in [
            "9223372036854775807 + 1",
            "-9223372036854775808 - 1",
            "-(-9223372036854775808)",
            "-9223372036854775808 / -1",
            "1 / 0",
            "1 % 0",
        ] {
            assert_eq!(eval_sql(e).unwrap_err().kind, ErrorKind::Arithmetic, "{e}");
        }
    }

    #[test]
    fn type_mismatches_are_named() {
        assert_eq!(
            eval_sql("1 = 'a'").unwrap_err().message,
            "type mismatch: cannot compare INTEGER with TEXT"
        );
        assert_eq!(
            eval_sql("'a' + 1").unwrap_err().message,
            "type mismatch: cannot apply + to TEXT and INTEGER"
        );
        assert!(eval_sql("1 AND TRUE").is_err());
    }

    #[test]
    fn now_is_constant_within_a_statement_and_rand_is_a_sequence() {
        let mut env = SeededEnv::new(1, 5_000);
        let mut cx = StatementContext::new(&mut env, ExecOptions::default());
        assert_eq!(cx.now(), cx.now());
        let (a, b) = (cx.rand(), cx.rand());
        assert_ne!(a, b);
        assert_eq!(cx.values.function_values.len(), 4);
        assert_eq!(cx.values.timestamp, Some(5_000));
        let seeds = cx.values.rand_seeds;
        let mut env2 = SeededEnv::new(99, 0);
        let opts = ExecOptions {
            rand_seeds: seeds,
            timestamp: Some(5_000),
            insert_id: None,
        };
        let mut cx2 = StatementContext::new(&mut env2, opts);
        assert_eq!(
            (cx2.now(), cx2.rand(), cx2.rand()),
            (Value::Timestamp(5_000), a, b)
        );
    }
}
