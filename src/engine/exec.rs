//! Runs one parsed statement against a [`Store`] (the durable pages plus the transaction's
//! overlay) and says what it did: rows affected, result set, logical row changes, DDL, and why
//! it may be unsafe for statement-based replication. Transactions and commits are the
//! database's business, not this module's.

use super::catalog::{ColumnDefault, ColumnSchema, RowLocation, TableDef, TableSchema};
use super::error::{ErrorKind, Span, SqlError};
use super::eval::{coerce, eval, resolve, RowScope, StatementContext};
use super::report::{Ddl, ResultSet, RowChange, RowOp, StatementKind, UnsafeReason};
use super::sql::ast::*;
use super::storage::Store;
use super::value::Value;
use std::cmp::Ordering;

/// The longest table or column name (PostgreSQL's limit too).
pub const MAX_NAME_BYTES: usize = 63;

/// What a data statement did (context values live in the [`StatementContext`]).
#[derive(Debug)]
pub struct Outcome {
    pub kind: StatementKind,
    pub rows_affected: u64,
    pub result: Option<ResultSet>,
    pub row_changes: Vec<RowChange>,
    pub ddl: Option<Ddl>,
    pub unsafe_reasons: Vec<UnsafeReason>,
}

impl Outcome {
    fn new(kind: StatementKind) -> Outcome {
        Outcome {
            kind,
            rows_affected: 0,
            result: None,
            row_changes: vec![],
            ddl: None,
            unsafe_reasons: vec![],
        }
    }
}

/// Executes CREATE TABLE, ALTER TABLE, INSERT, UPDATE, DELETE or SELECT.
pub fn execute(
    stmt: &Statement,
    sql: &str,
    store: &mut Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = match stmt {
        Statement::CreateTable(c) => create_table(c, sql, store)?,
        Statement::AlterTable(a) => alter_table(a, sql, store, cx)?,
        Statement::Insert(i) => insert(i, store, cx)?,
        Statement::Update(u) => update(u, store, cx)?,
        Statement::Delete(d) => delete(d, store, cx)?,
        Statement::Select(s) => select(s, store, cx)?,
        Statement::Begin | Statement::Commit | Statement::Rollback => {
            return Err(SqlError::new(
                ErrorKind::Transaction,
                "transaction control is handled by the session",
            ))
        }
    };
    if out.kind.writes() && cx.uuid_calls > 0 {
        out.unsafe_reasons.push(UnsafeReason::Uuid);
    }
    Ok(out)
}

fn find_table(store: &Store<'_>, name: &Ident) -> Result<TableDef, SqlError> {
    store.catalog().find(&name.name).cloned().ok_or_else(|| {
        SqlError::at(
            ErrorKind::UnknownTable,
            format!("unknown table \"{}\"", name.name),
            name.span,
        )
    })
}

fn check_name(name: &Ident) -> Result<(), SqlError> {
    if name.name.len() > MAX_NAME_BYTES {
        return Err(SqlError::at(
            ErrorKind::TooLarge,
            format!(
                "name \"{}...\" is longer than {MAX_NAME_BYTES} bytes",
                name.name.chars().take(20).collect::<String>()
            ),
            name.span,
        ));
    }
    Ok(())
}

fn create_table(c: &CreateTable, sql: &str, store: &mut Store<'_>) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::CreateTable);
    if store.catalog().find(&c.name.name).is_some() {
        if c.if_not_exists {
            return Ok(out);
        }
        return Err(SqlError::at(
            ErrorKind::TableExists,
            format!("table \"{}\" already exists", c.name.name),
            c.name.span,
        ));
    }
    check_name(&c.name)?;
    let mut columns: Vec<ColumnSchema> = Vec::new();
    let mut primary_key: Option<usize> = None;
    let two_keys = |span| {
        SqlError::at(
            ErrorKind::Syntax,
            format!("table \"{}\" has more than one primary key", c.name.name),
            span,
        )
    };
    // Names seen so far, lowercased: a set, so a very wide table is not a quadratic scan.
    let mut seen = std::collections::BTreeSet::new();
    for (i, def) in c.columns.iter().enumerate() {
        check_name(&def.name)?;
        if !seen.insert(def.name.name.to_ascii_lowercase()) {
            return Err(SqlError::at(
                ErrorKind::Syntax,
                format!("column \"{}\" is declared twice", def.name.name),
                def.name.span,
            ));
        }
        if def.primary_key {
            if primary_key.is_some() {
                return Err(two_keys(def.name.span));
            }
            primary_key = Some(i);
        }
        let column = column_schema(def)?;
        columns.push(column);
    }
    if let Some(pk) = &c.primary_key {
        let i = columns
            .iter()
            .position(|col| col.name.eq_ignore_ascii_case(&pk.name))
            .ok_or_else(|| {
                SqlError::at(
                    ErrorKind::UnknownColumn,
                    format!("unknown column \"{}\"", pk.name),
                    pk.span,
                )
            })?;
        if primary_key.is_some_and(|p| p != i) {
            return Err(two_keys(pk.span));
        }
        primary_key = Some(i);
    }
    let autos: Vec<usize> = (0..columns.len())
        .filter(|&i| columns[i].auto_increment)
        .collect();
    if primary_key.is_none() && autos.len() == 1 {
        // `id SERIAL` alone: the serial column is the key.
        primary_key = Some(autos[0]);
    }
    let Some(primary_key) = primary_key else {
        return Err(SqlError::unsupported(
            "a table without a PRIMARY KEY",
            c.name.span,
        ));
    };
    columns[primary_key].not_null = true;
    if let Some(&a) = autos.iter().find(|&&a| a != primary_key) {
        return Err(SqlError::at(
            ErrorKind::Unsupported,
            "an AUTO_INCREMENT column that is not the primary key is not supported by the lab engine",
            c.columns[a].name.span,
        ));
    }
    if columns[primary_key].auto_increment
        && columns[primary_key].data_type != super::value::DataType::Integer
    {
        return Err(SqlError::at(
            ErrorKind::TypeMismatch,
            "type mismatch: an AUTO_INCREMENT column must be INTEGER",
            c.columns[primary_key].name.span,
        ));
    }
    let schema = TableSchema {
        name: c.name.name.clone(),
        columns,
        primary_key,
    };
    store.create_table(schema.clone())?;
    out.ddl = Some(Ddl {
        sql: sql.trim().trim_end_matches(';').trim_end().to_string(),
        schema,
    });
    Ok(out)
}

/// A declared column as the catalog keeps it (its DEFAULT checked and evaluated).
fn column_schema(def: &ColumnDef) -> Result<ColumnSchema, SqlError> {
    let mut column = ColumnSchema {
        name: def.name.name.clone(),
        data_type: def.data_type,
        not_null: def.not_null || def.primary_key,
        auto_increment: def.auto_increment,
        default: None,
    };
    if let Some(d) = &def.default {
        column.default = Some(match &d.kind {
            ExprKind::Call { .. } => {
                if def.data_type != super::value::DataType::Timestamp {
                    return Err(SqlError::at(
                        ErrorKind::TypeMismatch,
                        format!("type mismatch: DEFAULT NOW() needs a TIMESTAMP column but \"{}\" is {}", def.name.name, def.data_type),
                        d.span,
                    ));
                }
                ColumnDefault::Now
            }
            _ => {
                let mut env = NoEnv;
                let mut cx = StatementContext::new(&mut env, Default::default());
                let v = eval(d, None, &mut cx)?;
                ColumnDefault::Literal(coerce(v, &column, d.span)?)
            }
        });
    }
    Ok(column)
}

/// PostgreSQL's name for a column in its errors: `column "c" of relation "t"`.
fn column_of(column: &str, table: &str) -> String {
    format!("column \"{column}\" of relation \"{table}\"")
}

/// `ALTER TABLE t ADD COLUMN` / `DROP COLUMN`. Every row is rewritten in the new shape (what
/// PostgreSQL does for a volatile default and MySQL's COPY algorithm does always; PostgreSQL
/// 11+ and MySQL 8's INSTANT algorithm avoid the rewrite for a constant default — the lab
/// simplifies). Errors are PostgreSQL's.
fn alter_table(
    a: &AlterTable,
    sql: &str,
    store: &mut Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::AlterTable);
    let def = find_table(store, &a.name)?;
    let table = def.schema.name.clone();
    let mut schema = def.schema.clone();
    let rows = store.scan(def.id)?;
    let new_rows: Vec<(RowLocation, Vec<Value>)> = match &a.action {
        AlterAction::AddColumn {
            column,
            if_not_exists,
        } => {
            check_name(&column.name)?;
            if schema.column_index(&column.name.name).is_some() {
                if *if_not_exists {
                    // PostgreSQL: NOTICE ... already exists, skipping.
                    return Ok(out);
                }
                return Err(SqlError::at(
                    ErrorKind::DuplicateColumn,
                    format!("{} already exists", column_of(&column.name.name, &table)),
                    column.name.span,
                ));
            }
            if column.primary_key || column.auto_increment {
                return Err(SqlError::unsupported(
                    "ADD COLUMN with PRIMARY KEY, SERIAL or AUTO_INCREMENT (a lab table has exactly one key, declared with it)",
                    column.name.span,
                ));
            }
            let col = column_schema(column)?;
            let value = match &col.default {
                Some(ColumnDefault::Now) => Value::Timestamp(cx.timestamp()),
                Some(ColumnDefault::Literal(v)) => v.clone(),
                None => Value::Null,
            };
            if value.is_null() && col.not_null && !rows.is_empty() {
                return Err(SqlError::at(
                    ErrorKind::NotNull,
                    format!("{} contains null values", column_of(&col.name, &table)),
                    column.name.span,
                ));
            }
            schema.columns.push(col);
            rows.into_iter()
                .map(|(loc, mut values)| {
                    values.push(value.clone());
                    (loc, values)
                })
                .collect()
        }
        AlterAction::DropColumn { name, if_exists } => {
            let Some(i) = schema.column_index(&name.name) else {
                if *if_exists {
                    // PostgreSQL: NOTICE ... does not exist, skipping.
                    return Ok(out);
                }
                return Err(SqlError::at(
                    ErrorKind::UnknownColumn,
                    format!("{} does not exist", column_of(&name.name, &table)),
                    name.span,
                ));
            };
            if i == schema.primary_key {
                // PostgreSQL and MySQL drop the key with the column; every lab table needs one.
                return Err(SqlError::unsupported(
                    &format!(
                        "dropping the primary key column \"{}\" (every lab table needs a primary key; PostgreSQL would drop the key with it)",
                        schema.columns[i].name
                    ),
                    name.span,
                ));
            }
            schema.columns.remove(i);
            if schema.primary_key > i {
                schema.primary_key -= 1;
            }
            rows.into_iter()
                .map(|(loc, mut values)| {
                    values.remove(i);
                    (loc, values)
                })
                .collect()
        }
    };
    store.alter_table(def.id, schema.clone(), &new_rows)?;
    out.ddl = Some(Ddl {
        sql: sql.trim().trim_end_matches(';').trim_end().to_string(),
        schema,
    });
    Ok(out)
}

/// An [`Env`](super::env::Env) for contexts that never need one (literal defaults).
struct NoEnv;

impl super::env::Env for NoEnv {
    fn now_micros(&mut self) -> i64 {
        0
    }
    fn random_u64(&mut self) -> u64 {
        0
    }
}

fn insert(
    ins: &Insert,
    store: &mut Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::Insert);
    let def = find_table(store, &ins.table)?;
    let schema = &def.schema;
    let targets: Vec<usize> = match &ins.columns {
        None => (0..schema.columns.len()).collect(),
        Some(cols) => {
            let mut t = Vec::new();
            for c in cols {
                let i = schema.column_index(&c.name).ok_or_else(|| {
                    SqlError::at(
                        ErrorKind::UnknownColumn,
                        format!("unknown column \"{}\"", c.name),
                        c.span,
                    )
                })?;
                if t.contains(&i) {
                    return Err(SqlError::at(
                        ErrorKind::Syntax,
                        format!("column \"{}\" is listed twice", c.name),
                        c.span,
                    ));
                }
                t.push(i);
            }
            t
        }
    };
    let mut counter = def.next_auto_increment;
    for row in &ins.rows {
        let row_span = row[0].span.to(row[row.len() - 1].span);
        if row.len() != targets.len() {
            return Err(SqlError::at(
                ErrorKind::Syntax,
                format!(
                    "INSERT has {} values for {} columns",
                    row.len(),
                    targets.len()
                ),
                row_span,
            ));
        }
        let mut given: Vec<Option<(Value, Span)>> = vec![None; schema.columns.len()];
        for (expr, &i) in row.iter().zip(&targets) {
            given[i] = Some((eval(expr, None, cx)?, expr.span));
        }
        let mut values = Vec::with_capacity(schema.columns.len());
        for (i, col) in schema.columns.iter().enumerate() {
            let (value, span) = match given[i].take() {
                // MySQL generates an id for an omitted column, NULL or 0.
                Some((Value::Null | Value::Integer(0), span)) if col.auto_increment => {
                    (Value::Integer(generate_id(cx, &mut counter, span)?), span)
                }
                None if col.auto_increment => (
                    Value::Integer(generate_id(cx, &mut counter, row_span)?),
                    row_span,
                ),
                Some((v, span)) => {
                    let v = coerce(v, col, span)?;
                    if let (true, Value::Integer(n)) = (col.auto_increment, &v) {
                        counter = counter.max(n.saturating_add(1));
                    }
                    (v, span)
                }
                None => match &col.default {
                    Some(ColumnDefault::Now) => (Value::Timestamp(cx.timestamp()), row_span),
                    Some(ColumnDefault::Literal(v)) => (v.clone(), row_span),
                    None => (Value::Null, row_span),
                },
            };
            values.push(coerce(value, col, span)?);
        }
        store
            .insert(def.id, &values)
            .map_err(|e| e.or_at(row_span))?;
        out.rows_affected += 1;
        out.row_changes.push(row_change(
            &def,
            RowOp::Insert,
            values[schema.primary_key].clone(),
            None,
            Some(values),
        ));
    }
    store.set_next_auto_increment(def.id, counter)?;
    // MySQL flags any RAND() in a written statement, whatever the number of rows.
    if cx.rand_calls > 0 {
        out.unsafe_reasons.push(UnsafeReason::Rand {
            rows: out.rows_affected,
        });
    }
    Ok(out)
}

fn generate_id(
    cx: &mut StatementContext<'_>,
    counter: &mut i64,
    span: Span,
) -> Result<i64, SqlError> {
    let id = cx.next_insert_id(*counter);
    *counter = (*counter).max(id.checked_add(1).ok_or_else(|| {
        SqlError::at(
            ErrorKind::Arithmetic,
            "AUTO_INCREMENT ran out of integers",
            span,
        )
    })?);
    Ok(id)
}

fn row_change(
    def: &TableDef,
    op: RowOp,
    key: Value,
    before: Option<Vec<Value>>,
    after: Option<Vec<Value>>,
) -> RowChange {
    RowChange {
        table: def.schema.name.clone(),
        op,
        key_column: def.schema.key_column().name.clone(),
        key,
        columns: def.schema.column_names(),
        before,
        after,
    }
}

fn qualifiers(def: &TableDef) -> [Option<&str>; 2] {
    [Some(def.schema.name.as_str()), None]
}

/// WHERE's verdict on one row: only TRUE keeps it.
fn keep(
    filter: Option<&Expr>,
    row: &RowScope<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<bool, SqlError> {
    let Some(f) = filter else { return Ok(true) };
    match eval(f, Some(row), cx)? {
        Value::Boolean(b) => Ok(b),
        Value::Null => Ok(false),
        v => Err(SqlError::at(
            ErrorKind::TypeMismatch,
            format!(
                "type mismatch: WHERE needs a BOOLEAN but got {}",
                v.type_name()
            ),
            f.span,
        )),
    }
}

/// The literal `v` when `filter` is `key = v` (either way round, `v` of the key's type), or
/// starts with it in a chain of ANDs (`key = v AND ...`, nested to the left). On any row whose
/// key is not `v` such a filter is FALSE, found before anything else is evaluated (the key is
/// never NULL, and AND stops at a FALSE left side), so visiting only the row with key `v`
/// gives the same result with the same side effects (RAND(), UUID()) and errors.
fn key_literal<'e>(def: &TableDef, filter: &'e Expr) -> Option<&'e Value> {
    let mut leftmost = filter;
    while let ExprKind::Binary(BinaryOp::And, a, _) = &leftmost.kind {
        leftmost = a;
    }
    let ExprKind::Binary(BinaryOp::Eq, a, b) = &leftmost.kind else {
        return None;
    };
    let v = match (&a.kind, &b.kind) {
        (ExprKind::Column { name, .. }, ExprKind::Literal(v))
        | (ExprKind::Literal(v), ExprKind::Column { name, .. }) => {
            (def.schema.column_index(&name.name) == Some(def.schema.primary_key)).then_some(v)
        }
        _ => None,
    }?;
    (v.data_type() == Some(def.schema.key_column().data_type)).then_some(v)
}

/// The rows a filter can match, in physical order: just one via the key index when the filter
/// is `key = literal` or begins with it in an AND chain (see [`key_literal`]; the filter is
/// still evaluated on it), else a full scan.
fn candidates(
    def: &TableDef,
    filter: Option<&Expr>,
    store: &Store<'_>,
) -> Result<Vec<Vec<Value>>, SqlError> {
    if let Some(v) = filter.and_then(|f| key_literal(def, f)) {
        return Ok(match store.lookup(def.id, v) {
            Some(loc) => vec![store.read(def.id, loc)?],
            None => vec![],
        });
    }
    Ok(store.scan(def.id)?.into_iter().map(|(_, v)| v).collect())
}

/// Orders by precomputed sort keys, stable so ties keep the visiting order.
fn sort_by_keys<T>(rows: &mut [(Vec<Value>, T)], order: &[OrderItem]) {
    rows.sort_by(|(a, _), (b, _)| {
        for (i, item) in order.iter().enumerate() {
            let o = a[i].cmp(&b[i]);
            let o = if item.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

/// The rows an UPDATE or DELETE hits, in the order it hits them: physical order, then ORDER
/// BY, then LIMIT. Returns the rows and how many rows expressions were evaluated on.
fn target_rows(
    def: &TableDef,
    filter: Option<&Expr>,
    order_by: &[OrderItem],
    limit: Option<Limit>,
    store: &Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Vec<Vec<Value>>, SqlError> {
    let q = qualifiers(def);
    if let Some(f) = filter {
        resolve(f, Some(&def.schema), q)?;
    }
    for o in order_by {
        resolve(&o.expr, Some(&def.schema), q)?;
    }
    let mut hits: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for values in candidates(def, filter, store)? {
        let scope = RowScope {
            schema: &def.schema,
            qualifiers: q,
            values: &values,
        };
        if keep(filter, &scope, cx)? {
            let mut keys = Vec::with_capacity(order_by.len());
            for o in order_by {
                keys.push(eval(&o.expr, Some(&scope), cx)?);
            }
            hits.push((keys, values));
        }
    }
    sort_by_keys(&mut hits, order_by);
    if let Some(l) = limit {
        hits.truncate(usize::try_from(l.count).unwrap_or(usize::MAX));
    }
    Ok(hits.into_iter().map(|(_, v)| v).collect())
}

fn flag_update_delete(
    out: &mut Outcome,
    order_by: &[OrderItem],
    limit: Option<Limit>,
    cx: &StatementContext<'_>,
) {
    if limit.is_some() && order_by.is_empty() {
        out.unsafe_reasons.push(UnsafeReason::LimitWithoutOrderBy);
    }
    // MySQL flags any RAND() in a written statement, whatever the number of rows.
    if cx.rand_calls > 0 {
        out.unsafe_reasons.push(UnsafeReason::Rand {
            rows: out.rows_affected,
        });
    }
}

fn update(
    u: &Update,
    store: &mut Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::Update);
    let def = find_table(store, &u.table)?;
    let q = qualifiers(&def);
    let mut sets = Vec::new();
    for (col, expr) in &u.assignments {
        let i = def.schema.column_index(&col.name).ok_or_else(|| {
            SqlError::at(
                ErrorKind::UnknownColumn,
                format!("unknown column \"{}\"", col.name),
                col.span,
            )
        })?;
        resolve(expr, Some(&def.schema), q)?;
        sets.push((i, expr));
    }
    let rows = target_rows(&def, u.filter.as_ref(), &u.order_by, u.limit, store, cx)?;
    for old in rows {
        let scope = RowScope {
            schema: &def.schema,
            qualifiers: q,
            values: &old,
        };
        let mut new = old.clone();
        for (i, expr) in &sets {
            // Every SET sees the old row, as in PostgreSQL.
            new[*i] = coerce(
                eval(expr, Some(&scope), cx)?,
                &def.schema.columns[*i],
                expr.span,
            )?;
        }
        let key = old[def.schema.primary_key].clone();
        let span = u
            .assignments
            .first()
            .map_or(u.table.span, |(c, e)| c.span.to(e.span));
        store
            .update(def.id, &key, &new)
            .map_err(|e| e.or_at(span))?;
        let pk = def.schema.primary_key;
        if def.schema.columns[pk].auto_increment {
            if let Value::Integer(n) = new[pk] {
                let next = store
                    .table(def.id)?
                    .next_auto_increment
                    .max(n.saturating_add(1));
                store.set_next_auto_increment(def.id, next)?;
            }
        }
        out.rows_affected += 1;
        out.row_changes
            .push(row_change(&def, RowOp::Update, key, Some(old), Some(new)));
    }
    flag_update_delete(&mut out, &u.order_by, u.limit, cx);
    Ok(out)
}

fn delete(
    d: &Delete,
    store: &mut Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::Delete);
    let def = find_table(store, &d.table)?;
    let rows = target_rows(&def, d.filter.as_ref(), &d.order_by, d.limit, store, cx)?;
    for old in rows {
        let key = old[def.schema.primary_key].clone();
        store.delete(def.id, &key)?;
        out.rows_affected += 1;
        out.row_changes
            .push(row_change(&def, RowOp::Delete, key, Some(old), None));
    }
    flag_update_delete(&mut out, &d.order_by, d.limit, cx);
    Ok(out)
}

/// How one ORDER BY item of a SELECT is computed.
enum SortKey<'a> {
    /// The n-th output column (by alias or position).
    Output(usize),
    Expr(&'a Expr),
}

fn select(
    s: &Select,
    store: &Store<'_>,
    cx: &mut StatementContext<'_>,
) -> Result<Outcome, SqlError> {
    let mut out = Outcome::new(StatementKind::Select);
    let def = match &s.from {
        Some(t) => Some(find_table(store, &t.name)?),
        None => None,
    };
    let schema = def.as_ref().map(|d| &d.schema);
    let q = match (&def, &s.from) {
        (Some(d), Some(t)) => [
            Some(d.schema.name.as_str()),
            t.alias.as_ref().map(|a| a.name.as_str()),
        ],
        _ => [None, None],
    };
    // Output columns: names and how to compute them.
    let mut columns = Vec::new();
    let mut outputs: Vec<Option<&Expr>> = Vec::new(); // None = a column of `*`, by index below
    let mut star_cols = Vec::new();
    for item in &s.items {
        match item {
            SelectItem::Star(span) => {
                let Some(schema) = schema else {
                    return Err(SqlError::at(
                        ErrorKind::Syntax,
                        "SELECT * needs a FROM clause",
                        *span,
                    ));
                };
                for (i, c) in schema.columns.iter().enumerate() {
                    columns.push(c.name.clone());
                    outputs.push(None);
                    star_cols.push(Some(i));
                }
            }
            SelectItem::Expr { expr, alias, text } => {
                resolve(expr, schema, q)?;
                columns.push(
                    alias
                        .as_ref()
                        .map_or_else(|| text.clone(), |a| a.name.clone()),
                );
                outputs.push(Some(expr));
                star_cols.push(None);
            }
        }
    }
    let mut sort_keys = Vec::new();
    for o in &s.order_by {
        let key = match &o.expr.kind {
            ExprKind::Literal(Value::Integer(n)) => {
                let i = usize::try_from(*n)
                    .ok()
                    .filter(|&i| i >= 1 && i <= columns.len())
                    .ok_or_else(|| {
                        SqlError::at(
                            ErrorKind::Syntax,
                            format!("ORDER BY position {n} is not in the select list"),
                            o.expr.span,
                        )
                    })?;
                SortKey::Output(i - 1)
            }
            ExprKind::Column {
                qualifier: None,
                name,
            } if schema.and_then(|sc| sc.column_index(&name.name)).is_none() => {
                let i = s.items.iter().position(|it| matches!(it, SelectItem::Expr { alias: Some(a), .. } if a.name.eq_ignore_ascii_case(&name.name)));
                match i {
                    Some(_) => SortKey::Output(
                        columns
                            .iter()
                            .position(|c| c.eq_ignore_ascii_case(&name.name))
                            .unwrap_or(0),
                    ),
                    None => {
                        resolve(&o.expr, schema, q)?;
                        SortKey::Expr(&o.expr)
                    }
                }
            }
            _ => {
                resolve(&o.expr, schema, q)?;
                SortKey::Expr(&o.expr)
            }
        };
        sort_keys.push(key);
    }
    if let Some(f) = &s.filter {
        resolve(f, schema, q)?;
    }
    let source: Vec<Vec<Value>> = match &def {
        Some(d) => candidates(d, s.filter.as_ref(), store)?,
        None => vec![vec![]],
    };
    let empty = TableSchema {
        name: String::new(),
        columns: vec![],
        primary_key: 0,
    };
    let mut rows: Vec<(Vec<Value>, Vec<Value>)> = Vec::new();
    for values in &source {
        let scope = RowScope {
            schema: schema.unwrap_or(&empty),
            qualifiers: q,
            values,
        };
        let scope_ref = schema.map(|_| &scope);
        if let Some(f) = &s.filter {
            let keep_row = match eval(f, scope_ref, cx)? {
                Value::Boolean(b) => b,
                Value::Null => false,
                v => {
                    return Err(SqlError::at(
                        ErrorKind::TypeMismatch,
                        format!(
                            "type mismatch: WHERE needs a BOOLEAN but got {}",
                            v.type_name()
                        ),
                        f.span,
                    ))
                }
            };
            if !keep_row {
                continue;
            }
        }
        let mut projected = Vec::with_capacity(outputs.len());
        for (o, star) in outputs.iter().zip(&star_cols) {
            projected.push(match (o, star) {
                (Some(e), _) => eval(e, scope_ref, cx)?,
                (None, Some(i)) => values.get(*i).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            });
        }
        let mut keys = Vec::with_capacity(sort_keys.len());
        for k in &sort_keys {
            keys.push(match k {
                SortKey::Output(i) => projected.get(*i).cloned().unwrap_or(Value::Null),
                SortKey::Expr(e) => eval(e, scope_ref, cx)?,
            });
        }
        rows.push((keys, projected));
    }
    sort_by_keys(&mut rows, &s.order_by);
    let offset = s
        .offset
        .map_or(0, |o| usize::try_from(o.count).unwrap_or(usize::MAX));
    let limit = s.limit.map_or(usize::MAX, |l| {
        usize::try_from(l.count).unwrap_or(usize::MAX)
    });
    let rows: Vec<Vec<Value>> = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, r)| r)
        .collect();
    out.rows_affected = rows.len() as u64;
    out.result = Some(ResultSet { columns, rows });
    Ok(out)
}
