//! The lab database engine: one instance runs inside every simulated node.
pub mod catalog;
pub mod codec;
pub mod error;
pub mod format;
pub mod page;
pub mod sql;
pub mod value;
