//! Row changes of an `orders` table keyed by its first column, for the rendering tests.

use replication_lab::engine::{RowChange, RowOp, Value};

/// `op` on `orders (id, status, note)` with these images.
pub fn orders_change(
    op: RowOp,
    before: Option<Vec<Value>>,
    after: Option<Vec<Value>>,
) -> RowChange {
    orders_change_with(&["id", "status", "note"], op, before, after)
}

/// `op` on `orders` with `columns` (the first is the key) and these images; the key is the
/// first value of whichever image exists.
pub fn orders_change_with(
    columns: &[&str],
    op: RowOp,
    before: Option<Vec<Value>>,
    after: Option<Vec<Value>>,
) -> RowChange {
    let key = before
        .as_ref()
        .or(after.as_ref())
        .map_or(Value::Null, |v| v[0].clone());
    RowChange {
        table: "orders".into(),
        op,
        key_column: columns.first().map_or("id", |c| c).into(),
        key,
        columns: columns.iter().map(|c| c.to_string()).collect(),
        before,
        after,
    }
}
