//! Table definitions: the schema a user declared plus where the table lives in the pages
//! (first and last heap page, its catalog tuple) and its next auto-increment value.
//!
//! The catalog is itself stored in catalog pages (see `codec`); the in-memory [`Catalog`] is
//! derived from those pages and never the source of truth.

use super::value::{DataType, Value};
use std::collections::BTreeMap;

/// A column's DEFAULT.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ColumnDefault {
    Literal(Value),
    /// `DEFAULT NOW()` / `DEFAULT CURRENT_TIMESTAMP`: the statement's timestamp.
    Now,
}

/// One declared column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ColumnSchema {
    pub name: String,
    pub data_type: DataType,
    pub not_null: bool,
    pub auto_increment: bool,
    pub default: Option<ColumnDefault>,
}

/// What a user declared for a table. Every table has exactly one primary-key column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableSchema {
    pub name: String,
    pub columns: Vec<ColumnSchema>,
    /// Index into `columns`.
    pub primary_key: usize,
}

impl TableSchema {
    /// Case-insensitive column lookup.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn key_column(&self) -> &ColumnSchema {
        &self.columns[self.primary_key]
    }

    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    /// The table as a `CREATE TABLE` statement.
    pub fn to_sql(&self) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut s = format!("{} {}", c.name, c.data_type);
                if i == self.primary_key {
                    s.push_str(" PRIMARY KEY");
                }
                if c.auto_increment {
                    s.push_str(" AUTO_INCREMENT");
                }
                if c.not_null && i != self.primary_key {
                    s.push_str(" NOT NULL");
                }
                match &c.default {
                    Some(ColumnDefault::Now) => s.push_str(" DEFAULT NOW()"),
                    Some(ColumnDefault::Literal(v)) => {
                        s.push_str(" DEFAULT ");
                        s.push_str(&v.to_sql());
                    }
                    None => {}
                }
                s
            })
            .collect();
        format!("CREATE TABLE {} ({})", self.name, cols.join(", "))
    }
}

/// Where a tuple lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowLocation {
    pub page: u32,
    pub slot: u16,
}

/// A table's schema plus its storage bookkeeping, as stored in its catalog tuple.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableDef {
    pub id: u32,
    pub schema: TableSchema,
    pub first_page: u32,
    pub last_page: u32,
    /// The next value AUTO_INCREMENT hands out.
    pub next_auto_increment: i64,
    /// Where this definition's catalog tuple is.
    pub location: RowLocation,
}

/// All tables, by id (ids are handed out in creation order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Catalog {
    pub tables: BTreeMap<u32, TableDef>,
}

impl Catalog {
    /// Case-insensitive table lookup.
    pub fn find(&self, name: &str) -> Option<&TableDef> {
        self.tables
            .values()
            .find(|t| t.schema.name.eq_ignore_ascii_case(name))
    }

    pub fn next_table_id(&self) -> u32 {
        self.tables.keys().next_back().map_or(1, |id| id + 1)
    }
}
