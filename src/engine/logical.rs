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

/// What logical apply does with an UPDATE or DELETE whose row is not there (the follower
/// lost it, or a local write removed it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MissingRow<'a> {
    /// Fail with the lab's own error (the trigger-based applier).
    Fail,
    /// Skip the change: PostgreSQL's apply worker does (a conflict, `update_missing` or
    /// `delete_missing`, that PostgreSQL 18 logs; 17 and earlier skip silently).
    Skip,
    /// Stop with MySQL's error 1032, as its row-based applier does; `schema` is the
    /// database name MySQL puts before the table.
    MySqlStop { schema: &'a str },
}

/// What applying row changes did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowApply {
    /// This node's own commit (None if nothing changed).
    pub commit: Option<CommitReport>,
    /// Changes skipped because their row was missing ([`MissingRow::Skip`]), in order.
    pub skipped: Vec<RowChange>,
}

/// A value as PostgreSQL's conflict log prints it (the type's text output, unquoted).
fn pg_text(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Boolean(b) => if *b { "t" } else { "f" }.into(),
        other => other.to_string(),
    }
}

/// What PostgreSQL 18's apply worker logs when it skips an UPDATE or DELETE whose row is
/// missing: the LOG line and its DETAIL (two lines). `full_identity`: the table has
/// `REPLICA IDENTITY FULL` (the whole old row is the search key), else the key column.
pub fn pg_missing_row_log(change: &RowChange, full_identity: bool) -> Vec<String> {
    let (conflict, what) = match change.op {
        RowOp::Delete => ("delete_missing", "deleted"),
        _ => ("update_missing", "updated"),
    };
    let tuple = |values: &[Value]| values.iter().map(pg_text).collect::<Vec<_>>().join(", ");
    let identity = match (&change.before, full_identity) {
        (Some(before), true) => format!("replica identity full ({})", tuple(before)),
        _ => format!(
            "replica identity ({})=({})",
            change.key_column,
            pg_text(&change.key)
        ),
    };
    let values = match (&change.after, change.op) {
        (Some(after), RowOp::Update) => format!("Remote tuple ({}); {identity}.", tuple(after)),
        _ => {
            let mut s = identity;
            s[..1].make_ascii_uppercase();
            format!("{s}.")
        }
    };
    vec![
        format!(
            "LOG:  conflict detected on relation \"public.{}\": conflict={conflict}",
            change.table
        ),
        format!("DETAIL:  Could not find the row to be {what}."),
        values,
    ]
}

/// MySQL's Last_SQL_Error for a row event whose row is missing (error 1032).
pub fn mysql_key_not_found(schema: &str, change: &RowChange) -> String {
    let event = match change.op {
        RowOp::Delete => "Delete_rows",
        _ => "Update_rows",
    };
    format!(
        "Could not execute {event} event on table {schema}.{table}; Can't find record in '{table}', Error_code: 1032; handler error HA_ERR_KEY_NOT_FOUND",
        table = change.table
    )
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
        self.apply_row_changes_with(changes, MissingRow::Fail)
            .map(|applied| applied.commit)
    }

    /// Applies row changes as one transaction, treating an UPDATE or DELETE whose row is
    /// missing as `missing` says. All or nothing otherwise.
    pub fn apply_row_changes_with(
        &mut self,
        changes: &[RowChange],
        missing: MissingRow<'_>,
    ) -> Result<RowApply, SqlError> {
        let mut overlay = Overlay::new(self.pages.len() as u32, &self.derived);
        let mut landed = Vec::new();
        let mut skipped = Vec::new();
        {
            let mut store = Store {
                base: &self.pages,
                format: self.format,
                overlay: &mut overlay,
            };
            for change in changes {
                if missing != MissingRow::Fail && row_is_missing(&store, change) {
                    match missing {
                        MissingRow::MySqlStop { schema } => {
                            return Err(SqlError::new(
                                ErrorKind::RowNotFound,
                                mysql_key_not_found(schema, change),
                            ))
                        }
                        _ => {
                            skipped.push(change.clone());
                            continue;
                        }
                    }
                }
                landed.push(apply_one(&mut store, change)?);
            }
        }
        let commit = self.commit(overlay, landed, vec![])?;
        Ok(RowApply { commit, skipped })
    }
}

/// Whether `change` is an UPDATE or DELETE of a row this node does not have. Only once the
/// table and every replicated column are there: a missing relation or column is found
/// first, when the apply worker opens the relation.
fn row_is_missing(store: &Store<'_>, change: &RowChange) -> bool {
    if change.op == RowOp::Insert {
        return false;
    }
    let Some(def) = store.catalog().find(&change.table) else {
        return false;
    };
    if change
        .columns
        .iter()
        .any(|c| def.schema.column_index(c).is_none())
    {
        return false;
    }
    store.lookup(def.id, &change.key).is_none()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn change(op: RowOp) -> RowChange {
        RowChange {
            table: "orders".into(),
            op,
            key_column: "id".into(),
            key: Value::Integer(4),
            columns: vec!["id".into(), "paid".into(), "note".into()],
            before: Some(vec![Value::Integer(4), Value::Boolean(false), Value::Null]),
            after: (op == RowOp::Update).then(|| {
                vec![
                    Value::Integer(4),
                    Value::Boolean(true),
                    Value::Text("quux".into()),
                ]
            }),
        }
    }

    /// The DETAIL's last line as PostgreSQL 18's subscription tests expect it
    /// (`Remote tuple (null, 4, quux); replica identity (a)=(4)`).
    #[test]
    fn missing_row_log_lines_are_postgresql_18_s() {
        assert_eq!(
            pg_missing_row_log(&change(RowOp::Update), false),
            [
                "LOG:  conflict detected on relation \"public.orders\": conflict=update_missing",
                "DETAIL:  Could not find the row to be updated.",
                "Remote tuple (4, t, quux); replica identity (id)=(4).",
            ]
        );
        assert_eq!(
            pg_missing_row_log(&change(RowOp::Delete), true)[2],
            "Replica identity full (4, f, null)."
        );
        assert_eq!(
            pg_missing_row_log(&change(RowOp::Delete), false)[2],
            "Replica identity (id)=(4)."
        );
        assert_eq!(
            mysql_key_not_found("shop", &change(RowOp::Delete)),
            "Could not execute Delete_rows event on table shop.orders; Can't find record in 'orders', Error_code: 1032; handler error HA_ERR_KEY_NOT_FOUND"
        );
    }
}
