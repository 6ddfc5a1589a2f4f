//! A row change of the lab's `orders (id, status, note)` table, for the rendering tests.

use replication_lab::engine::{RowChange, RowOp, Value};

/// `op` on orders with these images; the key is the first value of whichever image exists.
pub fn orders_change(
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
        key_column: "id".into(),
        key,
        columns: vec!["id".into(), "status".into(), "note".into()],
        before,
        after,
    }
}
