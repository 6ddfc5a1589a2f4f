//! psql's output formats, for the renderings that show query results: the aligned table
//! (`\pset format aligned`, border 1) and the expanded form (`\x`), including psql's `+`
//! marks for values that span several lines.
//!
//! Knows cells as text only: no database, no replication.

use super::text::width;

/// How a column's values line up: psql right-aligns numbers and left-aligns everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// One cell: its text (NULL prints as the empty string) and alignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub align: Align,
}

impl Cell {
    pub fn left(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            align: Align::Left,
        }
    }

    pub fn right(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            align: Align::Right,
        }
    }
}

fn pad(text: &str, to: usize, align: Align) -> String {
    let fill = " ".repeat(to.saturating_sub(width(text)));
    match align {
        Align::Left => format!("{text}{fill}"),
        Align::Right => format!("{fill}{text}"),
    }
}

/// The rows' footer: `(1 row)`, `(3 rows)`.
fn footer(rows: usize) -> String {
    if rows == 1 {
        "(1 row)".to_string()
    } else {
        format!("({rows} rows)")
    }
}

/// A result as psql prints it by default:
///
/// ```text
///  a | bb
/// ---+----
///  1 | x
/// (1 row)
/// ```
///
/// Headers are centred (with psql's trailing space), the last column is not padded unless a
/// multi-line value needs its `+`, rows shorter than the header get empty cells.
pub fn aligned_table(headers: &[&str], rows: &[Vec<Cell>]) -> Vec<String> {
    let columns = headers.len();
    let cell_lines = |cell: Option<&Cell>| -> Vec<String> {
        cell.map_or_else(
            || vec![String::new()],
            |c| c.text.split('\n').map(str::to_string).collect(),
        )
    };
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (j, w) in widths.iter_mut().enumerate() {
            for line in cell_lines(row.get(j)) {
                *w = (*w).max(width(&line));
            }
        }
    }
    let mut out = Vec::new();
    let mut header = String::new();
    for (j, h) in headers.iter().enumerate() {
        let spare = widths[j].saturating_sub(width(h));
        header.push_str(if j == 0 { " " } else { "| " });
        header.push_str(&" ".repeat(spare / 2));
        header.push_str(h);
        header.push_str(&" ".repeat(spare - spare / 2));
        header.push(' ');
    }
    out.push(header);
    out.push(
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("+"),
    );
    for row in rows {
        let lines: Vec<Vec<String>> = (0..columns).map(|j| cell_lines(row.get(j))).collect();
        let height = lines.iter().map(Vec::len).max().unwrap_or(1);
        for k in 0..height {
            let mut line = String::from(" ");
            for j in 0..columns {
                let align = row.get(j).map_or(Align::Left, |c| c.align);
                let text = lines[j].get(k).map_or("", String::as_str);
                let continues = k + 1 < lines[j].len();
                let last = j + 1 == columns;
                if last && !continues && align == Align::Left {
                    line.push_str(text);
                } else {
                    line.push_str(&pad(text, widths[j], align));
                }
                if !last {
                    line.push_str(if continues { "+| " } else { " | " });
                } else if continues {
                    line.push('+');
                }
            }
            out.push(line);
        }
    }
    out.push(footer(rows.len()));
    out
}

/// Records as psql's expanded display (`\x`) prints them, border 1:
///
/// ```text
/// -[ RECORD 1 ]----+------------
/// application_name | follower-1
/// write_lag        |
/// ```
///
/// The record header's dashes follow psql's rule (name width, `+`, value width); an empty or
/// NULL value keeps the space after `|`; no rows prints `(0 rows)`.
pub fn expanded(records: &[Vec<(String, String)>]) -> Vec<String> {
    if records.is_empty() {
        return vec![footer(0)];
    }
    let name_width = records
        .iter()
        .flatten()
        .map(|(n, _)| width(n))
        .max()
        .unwrap_or(0);
    let value_width = records
        .iter()
        .flatten()
        .flat_map(|(_, v)| v.split('\n'))
        .map(width)
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for (i, record) in records.iter().enumerate() {
        // psql: "-[ RECORD n ]", dashes to the name width, "-+-" unless the label is already
        // longer, then dashes to the value width.
        let mut line = format!("-[ RECORD {} ]", i + 1);
        let label = width(&line);
        line.push_str(&"-".repeat(name_width.saturating_sub(label)));
        let mut overflow = label as i64 - name_width as i64;
        for piece in ["-", "+", "-"] {
            if overflow <= 0 {
                line.push_str(piece);
            }
            overflow -= 1;
        }
        line.push_str(&"-".repeat(value_width.saturating_sub(overflow.max(0) as usize)));
        out.push(line);
        for (name, value) in record {
            let value_lines: Vec<&str> = value.split('\n').collect();
            for (k, text) in value_lines.iter().enumerate() {
                let shown_name = if k == 0 { name.as_str() } else { "" };
                let continues = k + 1 < value_lines.len();
                let shown_value = if continues {
                    format!("{}+", pad(text, value_width, Align::Left))
                } else {
                    text.to_string()
                };
                out.push(format!(
                    "{} | {shown_value}",
                    pad(shown_name, name_width, Align::Left)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_matches_psql() {
        let lines = aligned_table(&["one", "two"], &[vec![Cell::right("1"), Cell::right("2")]]);
        assert_eq!(
            lines,
            vec![" one | two ", "-----+-----", "   1 |   2", "(1 row)"]
        );
        let lines = aligned_table(
            &["?column?", "?column?"],
            &[vec![Cell::left("foo"), Cell::left("bar")]],
        );
        assert_eq!(
            lines,
            vec![
                " ?column? | ?column? ",
                "----------+----------",
                " foo      | bar",
                "(1 row)"
            ]
        );
        assert_eq!(aligned_table(&["a"], &[]), vec![" a ", "---", "(0 rows)"]);
    }

    #[test]
    fn aligned_marks_continued_lines() {
        let lines = aligned_table(&["a", "b"], &[vec![Cell::left("x\nyy"), Cell::left("z")]]);
        assert_eq!(
            lines,
            vec![" a  | b ", "----+---", " x +| z", " yy | ", "(1 row)"]
        );
    }

    #[test]
    fn expanded_matches_psql() {
        let one = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            expanded(&[one(&[("one", "1"), ("two", "2")])]),
            vec!["-[ RECORD 1 ]", "one | 1", "two | 2"]
        );
        assert_eq!(
            expanded(&[one(&[
                ("application_name", "walreceiver"),
                ("write_lag", "")
            ])]),
            vec![
                "-[ RECORD 1 ]----+------------",
                "application_name | walreceiver",
                "write_lag        | "
            ]
        );
        assert_eq!(expanded(&[]), vec!["(0 rows)"]);
    }
}
