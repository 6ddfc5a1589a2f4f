//! The values a lab table holds and their SQL types. Knows nothing of pages or SQL text
//! beyond how a value prints.

use super::format::{format_timestamp, quote_text};
use std::cmp::Ordering;
use std::fmt;

/// A column type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataType {
    Integer,
    Text,
    Boolean,
    /// Microseconds since the Unix epoch.
    Timestamp,
}

impl DataType {
    pub fn name(self) -> &'static str {
        match self {
            DataType::Integer => "INTEGER",
            DataType::Text => "TEXT",
            DataType::Boolean => "BOOLEAN",
            DataType::Timestamp => "TIMESTAMP",
        }
    }

    /// The one-byte tag used in encoded catalog entries.
    pub(crate) fn tag(self) -> u8 {
        match self {
            DataType::Integer => 1,
            DataType::Text => 2,
            DataType::Boolean => 3,
            DataType::Timestamp => 4,
        }
    }

    pub(crate) fn from_tag(tag: u8) -> Option<DataType> {
        Some(match tag {
            1 => DataType::Integer,
            2 => DataType::Text,
            3 => DataType::Boolean,
            4 => DataType::Timestamp,
            _ => return None,
        })
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One cell.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Null,
    Integer(i64),
    Text(String),
    Boolean(bool),
    Timestamp(i64),
}

impl Value {
    /// The type of a non-NULL value.
    pub fn data_type(&self) -> Option<DataType> {
        match self {
            Value::Null => None,
            Value::Integer(_) => Some(DataType::Integer),
            Value::Text(_) => Some(DataType::Text),
            Value::Boolean(_) => Some(DataType::Boolean),
            Value::Timestamp(_) => Some(DataType::Timestamp),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The type name used in messages ("NULL" for NULL).
    pub fn type_name(&self) -> &'static str {
        self.data_type().map_or("NULL", DataType::name)
    }

    /// The value written as SQL: `8`, `'shipped'`, `TRUE`, `NULL`, `'2026-11-26 09:31:07.104211'`.
    pub fn to_sql(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Integer(i) => i.to_string(),
            Value::Text(s) => quote_text(s),
            Value::Boolean(true) => "TRUE".into(),
            Value::Boolean(false) => "FALSE".into(),
            Value::Timestamp(t) => quote_text(&format_timestamp(*t)),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Boolean(_) => 1,
            Value::Integer(_) => 2,
            Value::Timestamp(_) => 3,
            Value::Text(_) => 4,
        }
    }
}

/// A total order used for keys and ORDER BY: NULL first, then by type, then by value
/// (text byte-wise, so every node sorts the same way).
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Value::Integer(a), Value::Integer(b)) => a.cmp(b),
            (Value::Timestamp(a), Value::Timestamp(b)) => a.cmp(b),
            (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Value::Boolean(a), Value::Boolean(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// How a value shows in a result grid: text unquoted, timestamps formatted.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(s) => f.write_str(s),
            Value::Timestamp(t) => f.write_str(&format_timestamp(*t)),
            Value::Integer(i) => write!(f, "{i}"),
            other => f.write_str(&other.to_sql()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_null_first_and_text_bytewise() {
        let mut v = vec![
            Value::Text("b".into()),
            Value::Integer(3),
            Value::Null,
            Value::Text("B".into()),
            Value::Integer(-1),
        ];
        v.sort();
        assert_eq!(
            v,
            vec![
                Value::Null,
                Value::Integer(-1),
                Value::Integer(3),
                Value::Text("B".into()),
                Value::Text("b".into())
            ]
        );
    }

    #[test]
    fn prints_as_sql() {
        assert_eq!(Value::Text("it's".into()).to_sql(), "'it''s'");
        assert_eq!(Value::Boolean(true).to_sql(), "TRUE");
        assert_eq!(
            Value::Timestamp(0).to_string(),
            "1970-01-01 00:00:00.000000"
        );
    }

    #[test]
    fn type_tags_round_trip() {
        for t in [
            DataType::Integer,
            DataType::Text,
            DataType::Boolean,
            DataType::Timestamp,
        ] {
            assert_eq!(DataType::from_tag(t.tag()), Some(t));
        }
        assert_eq!(DataType::from_tag(0), None);
    }
}
