//! Applying logical row changes on a follower (row-based or trigger-based replication). Rows
//! are matched by primary key and columns by NAME, so a follower on another storage format,
//! or with its columns in another order, receives the same rows in its own bytes.
//!
//! Errors use PostgreSQL's wording where it has one.

use super::catalog::ColumnDefault;
use super::database::Database;
use super::error::{ErrorKind, SqlError};
use super::report::{CommitReport, RowChange, RowOp};
use super::storage::{Overlay, Store};
use super::value::Value;

fn replication_error(message: String) -> SqlError {
    SqlError::new(ErrorKind::Replication, message)
}

impl Database {
    /// Applies one row change in a transaction of its own.
    pub fn apply_row_change(
        &mut self,
        change: &RowChange,
    ) -> Result<Option<CommitReport>, SqlError> {
        self.apply_row_changes(std::slice::from_ref(change))
    }

    /// Applies row changes as one transaction (all or nothing). Returns this node's own commit
    /// (its page changes and the row changes as they landed here).
    pub fn apply_row_changes(
        &mut self,
        changes: &[RowChange],
    ) -> Result<Option<CommitReport>, SqlError> {
        let mut overlay = Overlay::new(self.pages.len() as u32, &self.derived);
        let mut landed = Vec::new();
        {
            let mut store = Store {
                base: &self.pages,
                format: self.format,
                overlay: &mut overlay,
            };
            for change in changes {
                landed.push(apply_one(&mut store, change)?);
            }
        }
        self.commit(overlay, landed, vec![])
    }
}

pub(super) fn apply_one(store: &mut Store<'_>, change: &RowChange) -> Result<RowChange, SqlError> {
    let relation = format!("\"public.{}\"", change.table);
    let def = store
        .catalog()
        .find(&change.table)
        .cloned()
        .ok_or_else(|| {
            replication_error(format!(
                "logical replication target relation {relation} does not exist"
            ))
        })?;
    let schema = &def.schema;
    // Where each replicated column lands locally.
    let mut targets = Vec::with_capacity(change.columns.len());
    for c in &change.columns {
        let i = schema.column_index(c).ok_or_else(|| {
            replication_error(format!(
                "logical replication target relation {relation} is missing replicated column: \"{c}\""
            ))
        })?;
        targets.push(i);
    }
    let pk = schema.primary_key;
    let key_of = |image: &Option<Vec<Value>>| -> Result<Value, SqlError> {
        let pos = targets.iter().position(|&t| t == pk);
        pos.and_then(|p| image.as_ref()?.get(p).cloned()).ok_or_else(|| {
            replication_error(format!(
                "logical replication target relation {relation} has no replica identity value for key column \"{}\"",
                schema.key_column().name
            ))
        })
    };
    let overlay_image =
        |base: Vec<Value>, image: &Option<Vec<Value>>| -> Result<Vec<Value>, SqlError> {
            let mut row = base;
            let values = image
                .as_ref()
                .ok_or_else(|| replication_error("row change without an after image".into()))?;
            for (&i, v) in targets.iter().zip(values) {
                let col = &schema.columns[i];
                if v.data_type().is_some_and(|t| t != col.data_type) {
                    return Err(SqlError::new(
                        ErrorKind::TypeMismatch,
                        format!(
                        "type mismatch: replicated column \"{}\" is {} but the local column is {}",
                        col.name,
                        v.type_name(),
                        col.data_type
                    ),
                    ));
                }
                if v.is_null() && col.not_null {
                    return Err(SqlError::new(
                        ErrorKind::NotNull,
                        format!("column \"{}\" cannot be NULL", col.name),
                    ));
                }
                row[i] = v.clone();
            }
            Ok(row)
        };
    let landed = |op, key: Value, before, after| RowChange {
        table: schema.name.clone(),
        op,
        key_column: schema.key_column().name.clone(),
        key,
        columns: schema.column_names(),
        before,
        after,
    };
    match change.op {
        RowOp::Insert => {
            let defaults = schema
                .columns
                .iter()
                .map(|c| match &c.default {
                    Some(ColumnDefault::Literal(v)) => v.clone(),
                    _ => Value::Null,
                })
                .collect();
            let row = overlay_image(defaults, &change.after)?;
            for (c, v) in schema.columns.iter().zip(&row) {
                if v.is_null() && c.not_null {
                    return Err(SqlError::new(
                        ErrorKind::NotNull,
                        format!("column \"{}\" cannot be NULL", c.name),
                    ));
                }
            }
            store.insert(def.id, &row)?;
            if let (true, Value::Integer(n)) = (schema.columns[pk].auto_increment, &row[pk]) {
                let next = def.next_auto_increment.max(n.saturating_add(1));
                store.set_next_auto_increment(def.id, next)?;
            }
            Ok(landed(RowOp::Insert, row[pk].clone(), None, Some(row)))
        }
        RowOp::Update => {
            let key = key_of(&change.before)?;
            let loc = store.lookup(def.id, &key).ok_or_else(|| {
                replication_error(format!(
                    "logical replication did not find row to be updated in replication target relation {relation}"
                ))
            })?;
            let old = store.read(def.id, loc)?;
            let new = overlay_image(old.clone(), &change.after)?;
            store.update(def.id, &key, &new)?;
            Ok(landed(RowOp::Update, key, Some(old), Some(new)))
        }
        RowOp::Delete => {
            let key = key_of(&change.before)?;
            if store.lookup(def.id, &key).is_none() {
                return Err(replication_error(format!(
                    "logical replication did not find row to be deleted in replication target relation {relation}"
                )));
            }
            let old = store.delete(def.id, &key)?;
            Ok(landed(RowOp::Delete, key, Some(old), None))
        }
    }
}
