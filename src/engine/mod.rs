//! The lab database engine: one instance runs inside every simulated node.
//!
//! It knows nothing of networks, nodes or replication protocols, but it reports what those
//! protocols need: each statement's text and context values (statement-based), the physical
//! page changes of each commit with their LSNs (WAL shipping), and logical row changes with
//! before/after images (row-based and trigger-based). See [`database`] for the transaction
//! design (effects as data: a commit yields page changes that [`Database::apply`] makes
//! durable, the same function a WAL-shipping follower uses).
//!
//! Everything is deterministic: the clock and randomness come in through [`Env`], and the
//! engine never panics on any SQL text.

pub mod catalog;
pub mod codec;
pub mod compare;
pub mod database;
pub mod env;
pub mod error;
pub mod eval;
pub mod exec;
pub mod format;
pub mod locks;
pub mod logical;
pub mod page;
pub mod page_list;
pub mod report;
pub mod shared_map;
pub use crate::small_map;
pub mod sql;
pub mod storage;
pub mod value;
pub mod wal;

pub use catalog::{ColumnDefault, ColumnSchema, TableSchema};
pub use compare::{
    compare_pages, compare_rows, PageComparison, PageDifference, RowComparison, RowDifference,
};
pub use database::{Database, Isolation, OnError, Session};
pub use env::{Env, ExecOptions, SeededEnv};
pub use error::{ErrorKind, Position, SqlError};
pub use logical::{mysql_key_not_found, pg_missing_row_log, MissingRow, RowApply};
pub use page::{FormatVersion, PageKind, PAGE_SIZE};
pub use report::{
    CommitReport, ContextValues, Ddl, FunctionValue, MinimalRowChange, ResultSet, RowChange, RowOp,
    StatementKind, StatementReport, UnsafeReason, MYSQL_UNSAFE_LIMIT, MYSQL_UNSAFE_SYSTEM_FUNCTION,
    MYSQL_UNSAFE_WARNING,
};
pub use sql::ast::Function;
pub use value::{DataType, Value};
pub use wal::{Lsn, PageChange, PageChanges, WalRecord};
