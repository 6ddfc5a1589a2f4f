//! Comparing two nodes' databases: page by page, byte for byte (do they hold the same bytes?)
//! and table by table, row by row by key with columns matched by name (do they hold the same
//! data?). Read-only.

use super::catalog::TableSchema;
use super::database::Database;
use super::value::Value;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageDifference {
    pub page: u32,
    /// First differing byte (0 when the page exists on one side only).
    pub first_offset: u16,
    pub differing_bytes: u32,
    /// Whether the page exists on both sides.
    pub on_both: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageComparison {
    pub left_pages: u32,
    pub right_pages: u32,
    pub differences: Vec<PageDifference>,
}

impl PageComparison {
    pub fn identical(&self) -> bool {
        self.differences.is_empty()
    }
}

pub fn compare_pages(left: &Database, right: &Database) -> PageComparison {
    let (l, r) = (left.page_count(), right.page_count());
    let mut differences = Vec::new();
    for n in 0..l.max(r) {
        match (left.page(n), right.page(n)) {
            (Some(a), Some(b)) => {
                let diffs: Vec<usize> = (0..a.len().min(b.len()))
                    .filter(|&i| a[i] != b[i])
                    .collect();
                if let Some(&first) = diffs.first() {
                    differences.push(PageDifference {
                        page: n,
                        first_offset: first as u16,
                        differing_bytes: diffs.len() as u32,
                        on_both: true,
                    });
                }
            }
            (a, b) => differences.push(PageDifference {
                page: n,
                first_offset: 0,
                differing_bytes: a.or(b).map_or(0, |p| p.len() as u32),
                on_both: false,
            }),
        }
    }
    PageComparison {
        left_pages: l,
        right_pages: r,
        differences,
    }
}

/// A row that differs: `None` on the side that lacks it. Values are `(column, value)` pairs in
/// the left table's column order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowDifference {
    pub table: String,
    pub key: Value,
    pub left: Option<Vec<(String, Value)>>,
    pub right: Option<Vec<(String, Value)>>,
    /// The columns whose values differ (empty when a side lacks the row).
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowComparison {
    pub tables_only_left: Vec<String>,
    pub tables_only_right: Vec<String>,
    pub differences: Vec<RowDifference>,
}

impl RowComparison {
    pub fn identical(&self) -> bool {
        self.tables_only_left.is_empty()
            && self.tables_only_right.is_empty()
            && self.differences.is_empty()
    }
}

/// Compares rows by key, columns by (case-insensitive) name.
pub fn compare_rows(left: &Database, right: &Database) -> RowComparison {
    let mut out = RowComparison::default();
    // A caught-up follower usually holds the leader's pages (under every method, when it
    // replayed the same changes in the same order): nothing to decode. The live checks
    // compare whole tables at every frame the page draws.
    if left.same_pages(right) {
        return out;
    }
    for t in left.tables() {
        if right.schema(&t.name).is_none() {
            out.tables_only_left.push(t.name.clone());
        }
    }
    for t in right.tables() {
        if left.schema(&t.name).is_none() {
            out.tables_only_right.push(t.name.clone());
        }
    }
    for t in left.tables() {
        let (Some(left_schema), Some(right_schema)) = (left.schema(&t.name), right.schema(&t.name))
        else {
            continue;
        };
        let (Some(left_rows), Some(right_rows)) =
            (left.stored_rows(&t.name), right.stored_rows(&t.name))
        else {
            continue;
        };
        // The same bytes under the same format and columns are the same values: a row is
        // decoded only when its bytes differ (the live checks compare whole tables often).
        let same_layout = left.format == right.format && left_schema == right_schema;
        let named = |db: &Database, schema: &TableSchema, bytes: Option<&[u8]>| {
            let values = db.decode_stored(schema, bytes?)?;
            Some(
                schema
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .zip(values)
                    .collect::<Vec<_>>(),
            )
        };
        let diff = |key: &Value, left, right, columns| RowDifference {
            table: t.name.clone(),
            key: key.clone(),
            left,
            right,
            columns,
        };
        let (mut l, mut r) = (left_rows.peekable(), right_rows.peekable());
        loop {
            let order = match (l.peek(), r.peek()) {
                (Some(a), Some(b)) => a.0.cmp(b.0),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match order {
                Ordering::Less => {
                    if let Some((key, bytes)) = l.next() {
                        if let Some(row) = named(left, left_schema, bytes) {
                            out.differences.push(diff(key, Some(row), None, vec![]));
                        }
                    }
                }
                Ordering::Greater => {
                    if let Some((key, bytes)) = r.next() {
                        if let Some(row) = named(right, right_schema, bytes) {
                            out.differences.push(diff(key, None, Some(row), vec![]));
                        }
                    }
                }
                Ordering::Equal => {
                    let (Some((key, lb)), Some((_, rb))) = (l.next(), r.next()) else {
                        break;
                    };
                    if same_layout && lb.is_some() && lb == rb {
                        continue;
                    }
                    match (named(left, left_schema, lb), named(right, right_schema, rb)) {
                        (Some(lv), Some(rv)) => {
                            let columns: Vec<String> = lv
                                .iter()
                                .filter(|(name, v)| {
                                    rv.iter()
                                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                                        .map(|(_, value)| value)
                                        != Some(v)
                                })
                                .map(|(n, _)| n.clone())
                                .collect();
                            if !columns.is_empty() || rv.len() != lv.len() {
                                out.differences.push(diff(key, Some(lv), Some(rv), columns));
                            }
                        }
                        (Some(lv), None) => out.differences.push(diff(key, Some(lv), None, vec![])),
                        (None, Some(rv)) => out.differences.push(diff(key, None, Some(rv), vec![])),
                        (None, None) => {}
                    }
                }
            }
        }
    }
    out
}
