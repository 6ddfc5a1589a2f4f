//! Comparing two nodes' databases: page by page, byte for byte (do they hold the same bytes?)
//! and table by table, row by row by key with columns matched by name (do they hold the same
//! data?). Read-only.

use super::database::Database;
use super::value::Value;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageDifference {
    pub page: u32,
    /// First differing byte (0 when the page exists on one side only).
    pub first_offset: u16,
    pub differing_bytes: u32,
    /// Whether the page exists on both sides.
    pub on_both: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowDifference {
    pub table: String,
    pub key: Value,
    pub left: Option<Vec<(String, Value)>>,
    pub right: Option<Vec<(String, Value)>>,
    /// The columns whose values differ (empty when a side lacks the row).
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

fn named_rows(db: &Database, table: &str) -> Vec<(Value, Vec<(String, Value)>)> {
    let Some(schema) = db.schema(table) else {
        return vec![];
    };
    let names = schema.column_names();
    let pk = schema.primary_key;
    db.rows(table)
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r[pk].clone(), names.iter().cloned().zip(r).collect()))
        .collect()
}

/// Compares rows by key, columns by (case-insensitive) name.
pub fn compare_rows(left: &Database, right: &Database) -> RowComparison {
    let mut out = RowComparison::default();
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
        if right.schema(&t.name).is_none() {
            continue;
        }
        let l = named_rows(left, &t.name);
        let r = named_rows(right, &t.name);
        let (mut i, mut j) = (0, 0);
        while i < l.len() || j < r.len() {
            let order = match (l.get(i), r.get(j)) {
                (Some(a), Some(b)) => a.0.cmp(&b.0),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let diff = |key: &Value, left, right, columns| RowDifference {
                table: t.name.clone(),
                key: key.clone(),
                left,
                right,
                columns,
            };
            match order {
                std::cmp::Ordering::Less => {
                    out.differences
                        .push(diff(&l[i].0, Some(l[i].1.clone()), None, vec![]));
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    out.differences
                        .push(diff(&r[j].0, None, Some(r[j].1.clone()), vec![]));
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    let columns: Vec<String> = l[i]
                        .1
                        .iter()
                        .filter(|(name, v)| {
                            r[j].1
                                .iter()
                                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                                .map(|(_, rv)| rv)
                                != Some(v)
                        })
                        .map(|(n, _)| n.clone())
                        .collect();
                    let extra = r[j].1.len() != l[i].1.len();
                    if !columns.is_empty() || extra {
                        out.differences.push(diff(
                            &l[i].0,
                            Some(l[i].1.clone()),
                            Some(r[j].1.clone()),
                            columns,
                        ));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
    }
    out
}
