//! Byte encodings of tuples: table rows (which differ by [`FormatVersion`]) and catalog
//! entries (table definitions). Decoding never trusts its input: every read is bounds-checked.
//!
//! Row tuple, V16: `null bitmap | values`.
//! Row tuple, V17: `attribute count u16 | flags u8 | null bitmap | values`.
//! Values (both): INTEGER and TIMESTAMP as i64 little-endian, BOOLEAN as one byte, TEXT as a
//! u16 length and UTF-8 bytes. NULL columns take no bytes (only their bitmap bit).
//!
//! This module knows the shape of a row and of a table definition, not where they are stored.

use super::catalog::{ColumnDefault, ColumnSchema, RowLocation, TableDef, TableSchema};
use super::page::FormatVersion;
use super::value::{DataType, Value};

/// V17 tuple flag: the tuple has at least one NULL.
const V17_HAS_NULLS: u8 = 1;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or_else(|| format!("tuple ends early at byte {}", self.at))?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn i64(&mut self) -> Result<i64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(i64::from_le_bytes(a))
    }

    fn text(&mut self, len: usize) -> Result<String, String> {
        let b = self.take(len)?;
        String::from_utf8(b.to_vec()).map_err(|_| "text is not UTF-8".to_string())
    }

    fn done(&self) -> Result<(), String> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(format!(
                "{} unexpected trailing bytes",
                self.bytes.len() - self.at
            ))
        }
    }
}

fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => {}
        Value::Integer(i) | Value::Timestamp(i) => out.extend_from_slice(&i.to_le_bytes()),
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Text(s) => {
            // Callers keep text under 64 KiB (a row must fit a 256-byte page anyway).
            let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(&s.as_bytes()[..usize::from(len)]);
        }
    }
}

fn get_value(r: &mut Reader<'_>, t: DataType) -> Result<Value, String> {
    Ok(match t {
        DataType::Integer => Value::Integer(r.i64()?),
        DataType::Timestamp => Value::Timestamp(r.i64()?),
        DataType::Boolean => match r.u8()? {
            0 => Value::Boolean(false),
            1 => Value::Boolean(true),
            b => return Err(format!("bad boolean byte {b}")),
        },
        DataType::Text => {
            let len = usize::from(r.u16()?);
            Value::Text(r.text(len)?)
        }
    })
}

/// Encodes a row (values in column order, already type-checked) for `version`.
pub fn encode_row(version: FormatVersion, values: &[Value]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    let mut bitmap = vec![0u8; values.len().div_ceil(8)];
    for (i, v) in values.iter().enumerate() {
        if v.is_null() {
            bitmap[i / 8] |= 1 << (i % 8);
        }
    }
    if version == FormatVersion::V17 {
        out.extend_from_slice(&(values.len() as u16).to_le_bytes());
        let has_nulls = values.iter().any(Value::is_null);
        out.push(if has_nulls { V17_HAS_NULLS } else { 0 });
    }
    out.extend_from_slice(&bitmap);
    for v in values {
        put_value(&mut out, v);
    }
    out
}

/// Decodes a row of `schema` from a tuple.
pub fn decode_row(
    version: FormatVersion,
    schema: &TableSchema,
    bytes: &[u8],
) -> Result<Vec<Value>, String> {
    let n = schema.columns.len();
    let mut r = Reader::new(bytes);
    if version == FormatVersion::V17 {
        let natts = usize::from(r.u16()?);
        if natts != n {
            return Err(format!("tuple has {natts} attributes, table has {n}"));
        }
        r.u8()?;
    }
    let bitmap = r.take(n.div_ceil(8))?;
    let mut values = Vec::with_capacity(n);
    for (i, c) in schema.columns.iter().enumerate() {
        if bitmap[i / 8] & (1 << (i % 8)) != 0 {
            values.push(Value::Null);
        } else {
            values.push(get_value(&mut r, c.data_type)?);
        }
    }
    r.done()?;
    Ok(values)
}

/// Checks a value's bytes like [`get_value`] does, without building the value.
fn skip_value(r: &mut Reader<'_>, t: DataType) -> Result<(), String> {
    match t {
        DataType::Integer | DataType::Timestamp => {
            r.take(8)?;
        }
        DataType::Boolean => match r.u8()? {
            0 | 1 => {}
            b => return Err(format!("bad boolean byte {b}")),
        },
        DataType::Text => {
            let len = usize::from(r.u16()?);
            std::str::from_utf8(r.take(len)?).map_err(|_| "text is not UTF-8".to_string())?;
        }
    }
    Ok(())
}

/// The primary-key value of a row tuple: `decode_row(..)?[schema.primary_key]` (NULL if there
/// is no such column), with the same checks and errors, but without building the other values.
pub fn decode_key(
    version: FormatVersion,
    schema: &TableSchema,
    bytes: &[u8],
) -> Result<Value, String> {
    let n = schema.columns.len();
    let mut r = Reader::new(bytes);
    if version == FormatVersion::V17 {
        let natts = usize::from(r.u16()?);
        if natts != n {
            return Err(format!("tuple has {natts} attributes, table has {n}"));
        }
        r.u8()?;
    }
    let bitmap = r.take(n.div_ceil(8))?;
    let mut key = Value::Null;
    for (i, c) in schema.columns.iter().enumerate() {
        if bitmap[i / 8] & (1 << (i % 8)) != 0 {
            continue;
        }
        if i == schema.primary_key {
            key = get_value(&mut r, c.data_type)?;
        } else {
            skip_value(&mut r, c.data_type)?;
        }
    }
    r.done()?;
    Ok(key)
}

const COLUMN_NOT_NULL: u8 = 1;
const COLUMN_AUTO_INCREMENT: u8 = 2;

fn put_name(out: &mut Vec<u8>, name: &str) {
    // Names are capped at 63 bytes by the executor.
    let len = name.len().min(255);
    out.push(len as u8);
    out.extend_from_slice(&name.as_bytes()[..len]);
}

/// Encodes a table definition as a catalog tuple. The fixed-width prefix (id, first and last
/// page, next auto-increment value) means bumping the counter rewrites 8 bytes in place.
pub fn encode_table_def(def: &TableDef) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(&def.id.to_le_bytes());
    out.extend_from_slice(&def.first_page.to_le_bytes());
    out.extend_from_slice(&def.last_page.to_le_bytes());
    out.extend_from_slice(&def.next_auto_increment.to_le_bytes());
    out.extend_from_slice(&(def.schema.primary_key as u16).to_le_bytes());
    out.extend_from_slice(&(def.schema.columns.len() as u16).to_le_bytes());
    put_name(&mut out, &def.schema.name);
    for c in &def.schema.columns {
        put_name(&mut out, &c.name);
        out.push(c.data_type.tag());
        let mut flags = 0;
        if c.not_null {
            flags |= COLUMN_NOT_NULL;
        }
        if c.auto_increment {
            flags |= COLUMN_AUTO_INCREMENT;
        }
        out.push(flags);
        match &c.default {
            None => out.push(0),
            Some(ColumnDefault::Now) => out.push(2),
            Some(ColumnDefault::Literal(v)) => {
                out.push(1);
                out.push(v.data_type().map_or(0, DataType::tag));
                put_value(&mut out, v);
            }
        }
    }
    out
}

/// Bytes of the fixed-width prefix of a catalog tuple: id, first and last page, next
/// auto-increment value.
const TABLE_DEF_PREFIX: usize = 20;

/// `decode_table_def(bytes, old.location)`, given that `old_bytes` decoded to `old` there: when
/// only the fixed-width prefix differs (a counter or last-page bump), only the prefix is read.
pub fn decode_table_def_after(
    bytes: &[u8],
    old_bytes: &[u8],
    old: &TableDef,
) -> Result<TableDef, String> {
    if bytes.len() == old_bytes.len()
        && bytes.len() >= TABLE_DEF_PREFIX
        && bytes[TABLE_DEF_PREFIX..] == old_bytes[TABLE_DEF_PREFIX..]
    {
        let mut r = Reader::new(bytes);
        let mut def = old.clone();
        def.id = r.u32()?;
        def.first_page = r.u32()?;
        def.last_page = r.u32()?;
        def.next_auto_increment = r.i64()?;
        return Ok(def);
    }
    decode_table_def(bytes, old.location)
}

/// Decodes a catalog tuple found at `location`.
pub fn decode_table_def(bytes: &[u8], location: RowLocation) -> Result<TableDef, String> {
    let mut r = Reader::new(bytes);
    let id = r.u32()?;
    let first_page = r.u32()?;
    let last_page = r.u32()?;
    let next_auto_increment = r.i64()?;
    let primary_key = usize::from(r.u16()?);
    let ncols = usize::from(r.u16()?);
    let name_len = usize::from(r.u8()?);
    let name = r.text(name_len)?;
    let mut columns = Vec::new();
    for _ in 0..ncols {
        let len = usize::from(r.u8()?);
        let cname = r.text(len)?;
        let tag = r.u8()?;
        let data_type = DataType::from_tag(tag).ok_or_else(|| format!("bad type tag {tag}"))?;
        let flags = r.u8()?;
        let default = match r.u8()? {
            0 => None,
            2 => Some(ColumnDefault::Now),
            1 => {
                let vtag = r.u8()?;
                Some(ColumnDefault::Literal(match DataType::from_tag(vtag) {
                    None => Value::Null,
                    Some(t) => get_value(&mut r, t)?,
                }))
            }
            d => return Err(format!("bad default tag {d}")),
        };
        columns.push(ColumnSchema {
            name: cname,
            data_type,
            not_null: flags & COLUMN_NOT_NULL != 0,
            auto_increment: flags & COLUMN_AUTO_INCREMENT != 0,
            default,
        });
    }
    r.done()?;
    if primary_key >= columns.len() {
        return Err(format!(
            "table {name}: primary key column {primary_key} out of range"
        ));
    }
    Ok(TableDef {
        id,
        schema: TableSchema {
            name,
            columns,
            primary_key,
        },
        first_page,
        last_page,
        next_auto_increment,
        location,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> TableSchema {
        let col = |name: &str, data_type| ColumnSchema {
            name: name.into(),
            data_type,
            not_null: false,
            auto_increment: false,
            default: None,
        };
        TableSchema {
            name: "orders".into(),
            columns: vec![
                col("id", DataType::Integer),
                col("status", DataType::Text),
                col("paid", DataType::Boolean),
                col("at", DataType::Timestamp),
            ],
            primary_key: 0,
        }
    }

    fn row() -> Vec<Value> {
        vec![
            Value::Integer(8),
            Value::Text("shipped ✓".into()),
            Value::Null,
            Value::Timestamp(-5),
        ]
    }

    #[test]
    fn rows_round_trip_in_both_versions_with_different_bytes() {
        let a = encode_row(FormatVersion::V16, &row());
        let b = encode_row(FormatVersion::V17, &row());
        assert_ne!(a, b);
        assert_eq!(
            decode_row(FormatVersion::V16, &schema(), &a).unwrap(),
            row()
        );
        assert_eq!(
            decode_row(FormatVersion::V17, &schema(), &b).unwrap(),
            row()
        );
    }

    #[test]
    fn truncated_or_garbage_tuples_are_errors() {
        let a = encode_row(FormatVersion::V16, &row());
        for cut in 0..a.len() {
            assert!(decode_row(FormatVersion::V16, &schema(), &a[..cut]).is_err());
        }
        assert!(decode_row(FormatVersion::V17, &schema(), &[0xFF; 40]).is_err());
    }

    #[test]
    fn decode_key_agrees_with_decode_row_on_good_and_bad_tuples() {
        let rows = [
            row(),
            vec![Value::Null, Value::Null, Value::Boolean(true), Value::Null],
            vec![
                Value::Integer(-1),
                Value::Text(String::new()),
                Value::Boolean(false),
                Value::Timestamp(7),
            ],
        ];
        for version in [FormatVersion::V16, FormatVersion::V17] {
            for pk in 0..4 {
                let mut schema = schema();
                schema.primary_key = pk;
                for values in &rows {
                    let good = encode_row(version, values);
                    let mut tuples = vec![good.clone()];
                    tuples.extend((0..good.len()).map(|cut| good[..cut].to_vec()));
                    for at in 0..good.len() {
                        for flip in [0x01, 0x80, 0xFF] {
                            let mut bad = good.clone();
                            bad[at] ^= flip;
                            tuples.push(bad);
                        }
                    }
                    tuples.push([good.clone(), vec![0]].concat());
                    for t in &tuples {
                        let want = decode_row(version, &schema, t).map(|v| v[pk].clone());
                        assert_eq!(decode_key(version, &schema, t), want, "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn table_defs_round_trip() {
        let mut s = schema();
        s.columns[1].default = Some(ColumnDefault::Literal(Value::Text("new".into())));
        s.columns[3].default = Some(ColumnDefault::Now);
        s.columns[0].auto_increment = true;
        s.columns[0].not_null = true;
        let def = TableDef {
            id: 2,
            schema: s,
            first_page: 1,
            last_page: 4,
            next_auto_increment: 9,
            location: RowLocation { page: 0, slot: 1 },
        };
        let bytes = encode_table_def(&def);
        assert_eq!(decode_table_def(&bytes, def.location).unwrap(), def);
        // Decoding after a known tuple: the same result for any change to any byte.
        for at in 0..bytes.len() {
            for flip in [0x01, 0x40, 0xFF] {
                let mut changed = bytes.clone();
                changed[at] ^= flip;
                assert_eq!(
                    decode_table_def_after(&changed, &bytes, &def),
                    decode_table_def(&changed, def.location),
                    "byte {at}"
                );
            }
        }
        assert_eq!(
            decode_table_def_after(&bytes, &bytes, &def),
            Ok(def.clone())
        );
        for cut in 0..bytes.len() {
            assert!(decode_table_def(&bytes[..cut], def.location).is_err());
        }
    }
}
