//! What executing a statement tells the world: the data a replication method needs to ship it
//! (statement text and context values, physical page changes, logical row changes, DDL) and
//! what a user sees (rows affected, a result set, warnings).
//!
//! Plain data: the engine fills these in; nothing here decides how they are shipped.

use super::catalog::TableSchema;
use super::sql::ast::Function;
use super::value::Value;
use super::wal::PageChanges;

/// The first sentence of MySQL's note 1592 for a statement that statement-based replication
/// may not reproduce; the full note adds the reason ([`UnsafeReason::mysql_note`]).
pub const MYSQL_UNSAFE_WARNING: &str =
    "Unsafe statement written to the binary log using statement format since BINLOG_FORMAT = STATEMENT.";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatementKind {
    CreateTable,
    AlterTable,
    Insert,
    Update,
    Delete,
    Select,
    Begin,
    Commit,
    Rollback,
}

impl StatementKind {
    /// Whether the statement can change data (and so is shipped by replication).
    pub fn writes(self) -> bool {
        matches!(
            self,
            StatementKind::CreateTable
                | StatementKind::AlterTable
                | StatementKind::Insert
                | StatementKind::Update
                | StatementKind::Delete
        )
    }
}

/// Rows a SELECT returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// One value a nondeterministic function produced, in the order they were produced.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FunctionValue {
    pub function: Function,
    pub value: Value,
}

/// The context a statement ran in: what MySQL's binary log writes before a statement
/// (`SET TIMESTAMP`, `SET INSERT_ID`, `SET @@RAND_SEED1/2`) plus what each function returned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ContextValues {
    /// The one timestamp the statement took (only if it used NOW() or DEFAULT NOW()).
    pub timestamp: Option<i64>,
    /// The RAND() seeds (only if it used RAND()).
    pub rand_seeds: Option<(u64, u64)>,
    /// The first auto-increment id generated (MySQL's LAST_INSERT_ID / INSERT_ID).
    pub insert_id: Option<i64>,
    /// Every auto-increment id generated, in order.
    pub generated_ids: Vec<i64>,
    /// Values NOW(), RAND() and UUID() returned, in evaluation order.
    pub function_values: Vec<FunctionValue>,
}

/// Why statement-based replication may not reproduce a statement on a follower.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnsafeReason {
    /// UUID() is random per node, and no binlog context value carries it.
    Uuid,
    /// UPDATE/DELETE with LIMIT but no ORDER BY: which rows are hit depends on physical order.
    LimitWithoutOrderBy,
    /// RAND() in a writing statement. MySQL flags every RAND() as a system function (even
    /// though the logged seeds replay it faithfully on one row); on several rows the value each
    /// row gets also depends on the order rows are visited in.
    Rand { rows: u64 },
}

/// MySQL's 1592 note for a system function (UUID(), RAND(), ...), in full.
pub const MYSQL_UNSAFE_SYSTEM_FUNCTION: &str = "Unsafe statement written to the binary log using statement format since BINLOG_FORMAT = STATEMENT. Statement is unsafe because it uses a system function that may return a different value on the replica.";
/// MySQL's 1592 note for a LIMIT clause, in full.
pub const MYSQL_UNSAFE_LIMIT: &str = "Unsafe statement written to the binary log using statement format since BINLOG_FORMAT = STATEMENT. The statement is unsafe because it uses a LIMIT clause. This is unsafe because the set of rows included cannot be predicted.";

impl UnsafeReason {
    pub fn describe(&self) -> String {
        match self {
            UnsafeReason::Uuid => {
                "the statement uses UUID(), whose value differs on every node".into()
            }
            UnsafeReason::LimitWithoutOrderBy => {
                "the statement uses a LIMIT clause without ORDER BY: the rows affected depend on \
                 the order rows are stored in"
                    .into()
            }
            UnsafeReason::Rand { rows } if *rows > 1 => format!(
                "the statement uses RAND() on {rows} rows: each row's value depends on the order \
                 rows are visited in"
            ),
            UnsafeReason::Rand { .. } => {
                "the statement uses RAND(), a system function MySQL flags as unsafe".into()
            }
        }
    }

    /// MySQL's note 1592 for this reason, the whole sentence a client sees in `SHOW WARNINGS`.
    pub fn mysql_note(&self) -> &'static str {
        match self {
            UnsafeReason::Uuid | UnsafeReason::Rand { .. } => MYSQL_UNSAFE_SYSTEM_FUNCTION,
            UnsafeReason::LimitWithoutOrderBy => MYSQL_UNSAFE_LIMIT,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowOp {
    Insert,
    Update,
    Delete,
}

/// A logical change to one row, full images (MySQL's `binlog_row_image=FULL`, PostgreSQL's
/// `REPLICA IDENTITY FULL`). Images list values in `columns` order; a follower matches
/// columns by name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RowChange {
    pub table: String,
    pub op: RowOp,
    pub key_column: String,
    /// The key the row had before the change (for an insert: its new key).
    pub key: Value,
    pub columns: Vec<String>,
    pub before: Option<Vec<Value>>,
    pub after: Option<Vec<Value>>,
}

/// A row change cut down as MySQL's `binlog_row_image=MINIMAL` does: the before image keeps
/// only the key, the after image only the columns that changed (all of them for an insert).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MinimalRowChange {
    pub table: String,
    pub op: RowOp,
    pub before: Vec<(String, Value)>,
    pub after: Vec<(String, Value)>,
}

impl RowChange {
    pub fn minimal(&self) -> MinimalRowChange {
        let key = vec![(self.key_column.clone(), self.key.clone())];
        let pairs = |img: &Option<Vec<Value>>| -> Vec<(String, Value)> {
            img.iter()
                .flat_map(|vals| self.columns.iter().cloned().zip(vals.iter().cloned()))
                .collect()
        };
        let (before, after) = match self.op {
            RowOp::Insert => (vec![], pairs(&self.after)),
            RowOp::Delete => (key, vec![]),
            RowOp::Update => {
                let changed = match (&self.before, &self.after) {
                    (Some(b), Some(a)) => self
                        .columns
                        .iter()
                        .zip(b.iter().zip(a))
                        .filter(|(_, (old, new))| old != new)
                        .map(|(c, (_, new))| (c.clone(), new.clone()))
                        .collect(),
                    _ => pairs(&self.after),
                };
                (key, changed)
            }
        };
        MinimalRowChange {
            table: self.table.clone(),
            op: self.op,
            before,
            after,
        }
    }

    /// The value of `column` in the after image (or before, for a delete).
    pub fn value(&self, column: &str) -> Option<&Value> {
        let i = self
            .columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))?;
        self.after.as_ref().or(self.before.as_ref())?.get(i)
    }
}

/// A schema change. Logical and trigger-based replication do not carry these.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ddl {
    pub sql: String,
    pub schema: TableSchema,
}

/// What a commit made durable.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CommitReport {
    /// The physical changes, already applied to this node with `Database::apply`.
    pub changes: PageChanges,
    /// Every row change of the transaction, in order.
    pub row_changes: Vec<RowChange>,
    /// Every DDL statement of the transaction.
    pub ddl: Vec<Ddl>,
}

/// Everything one executed statement reports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatementReport {
    pub sql: String,
    pub kind: StatementKind,
    /// Rows inserted, matched by UPDATE, deleted, or returned by SELECT.
    pub rows_affected: u64,
    pub result: Option<ResultSet>,
    pub context: ContextValues,
    /// Why statement-based replication may not reproduce this statement (empty if safe).
    pub unsafe_reasons: Vec<UnsafeReason>,
    /// This statement's logical row changes (durable only once committed).
    pub row_changes: Vec<RowChange>,
    pub ddl: Option<Ddl>,
    /// Set when this statement committed: autocommit, or COMMIT.
    pub commit: Option<CommitReport>,
    /// Whether a transaction is open after this statement.
    pub in_transaction: bool,
}

impl StatementReport {
    pub fn is_unsafe_for_statement_replication(&self) -> bool {
        !self.unsafe_reasons.is_empty()
    }

    /// MySQL's note 1592 as the client sees it, with the reason of the first unsafe
    /// construct (MySQL raises one note per kind; the lab's answer carries one).
    pub fn warning(&self) -> Option<&'static str> {
        self.unsafe_reasons.first().map(UnsafeReason::mysql_note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_image_keeps_key_and_changed_columns() {
        let rc = RowChange {
            table: "t".into(),
            op: RowOp::Update,
            key_column: "id".into(),
            key: Value::Integer(1),
            columns: vec!["id".into(), "a".into(), "b".into()],
            before: Some(vec![Value::Integer(1), Value::Integer(5), Value::Null]),
            after: Some(vec![Value::Integer(1), Value::Integer(6), Value::Null]),
        };
        let m = rc.minimal();
        assert_eq!(m.before, vec![("id".into(), Value::Integer(1))]);
        assert_eq!(m.after, vec![("a".into(), Value::Integer(6))]);
        assert_eq!(rc.value("A"), Some(&Value::Integer(6)));
    }
}
