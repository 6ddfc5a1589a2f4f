//! The Rows tab: each table of a database node as an HTML table. A cell whose value differs
//! from the reference copy's (the family's words for it: "the leader") is outlined and
//! carries a "≠" and that copy's value in words (a tooltip and text for screen readers):
//! colour is never the only signal. Rows the reference lacks are flagged; rows this node
//! lacks are listed under the table.
//!
//! A long table shows one page of rows at a time ([`ROWS_PER_PAGE`]), the last page until the
//! reader turns back, so the page's DOM stays the same size however many rows are written.

use replication_lab::lab::inspect::{CellView, RowView, TableView};
use yew::prelude::*;

/// How many rows a table shows at once.
const ROWS_PER_PAGE: usize = 20;

#[derive(Properties, PartialEq)]
pub struct RowsTabProps {
    pub tables: Vec<TableView>,
    /// The copy the rows are compared with, in words (`the leader`).
    pub reference: &'static str,
    /// A lesson points at this cell: (table, row key, column).
    #[prop_or_default]
    pub cell: Option<(String, String, String)>,
}

#[component]
pub fn RowsTab(props: &RowsTabProps) -> Html {
    if props.tables.is_empty() {
        return html! { <p class="hint">{ "No tables here yet." }</p> };
    }
    html! { <>
        for table in props.tables.iter() {
            <Table table={table.clone()} reference={props.reference}
                cell={props.cell.as_ref().filter(|c| c.0.eq_ignore_ascii_case(&table.name)).map(|c| (c.1.clone(), c.2.clone()))} />
        }
    </> }
}

#[derive(Properties, PartialEq)]
struct TableProps {
    table: TableView,
    reference: &'static str,
    /// A lesson points at this cell: (row key, column).
    cell: Option<(String, String)>,
}

#[component]
fn Table(props: &TableProps) -> Html {
    let t = &props.table;
    let reference = props.reference;
    // `None` follows the last page as rows are written; a page number stays put.
    let chosen = use_state_eq(|| None::<usize>);
    let pages = t.rows.len().div_ceil(ROWS_PER_PAGE).max(1);
    let page = chosen.map_or(pages - 1, |p| p.min(pages - 1));
    let first = page * ROWS_PER_PAGE;
    let shown = &t.rows[first..t.rows.len().min(first + ROWS_PER_PAGE)];
    let turn = |to: usize| {
        let chosen = chosen.clone();
        Callback::from(move |_: MouseEvent| chosen.set((to + 1 < pages).then_some(to)))
    };
    let diverged = t
        .rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.reference_value.is_some())
        .count();
    html! {
        <div class="table-block">
            <div class="table-scroll">
                <table class="rows-table">
                    <caption>
                        <code>{ t.name.clone() }</code>
                        { match t.rows.len() { 1 => " — 1 row".to_string(), n => format!(" — {n} rows") } }
                        if diverged > 0 {
                            <span class="diverged-note">{ format!(" · ≠ {diverged} cells differ from {reference}") }</span>
                        }
                    </caption>
                    <thead>
                        <tr>
                            for column in t.columns.iter() {
                                <th scope="col">{ column.clone() }</th>
                            }
                        </tr>
                    </thead>
                    <tbody>
                        if t.rows.is_empty() {
                            <tr><td class="empty" colspan={t.columns.len().max(1).to_string()}>{ "(0 rows)" }</td></tr>
                        }
                        for row in shown.iter() {
                            { table_row(row, reference, pointed(t, row, props.cell.as_ref())) }
                        }
                    </tbody>
                </table>
            </div>
            if pages > 1 {
                <nav class="pager" aria-label={format!("Pages of {}", t.name)}>
                    <button type="button" class="action-button small" disabled={page == 0}
                        onclick={turn(page.saturating_sub(1))}>{ "◀ Earlier" }</button>
                    <span class="pager-where">
                        { format!("rows {}–{} of {}", first + 1, first + shown.len(), t.rows.len()) }
                    </span>
                    <button type="button" class="action-button small" disabled={page + 1 == pages}
                        onclick={turn(page + 1)}>{ "Later ▶" }</button>
                </nav>
            }
            if !t.missing.is_empty() {
                <p class="missing" role="note">
                    <strong>{ "missing here: " }</strong>
                    { t.missing.iter().map(|key| format!("id {key}")).collect::<Vec<_>>().join(", ") }
                    { format!(" ({reference} has these rows)") }
                </p>
            }
        </div>
    }
}

/// The column of `row` a lesson points at, if it points into this row.
fn pointed(table: &TableView, row: &RowView, cell: Option<&(String, String)>) -> Option<usize> {
    let (key, column) = cell?;
    if row.cells.first().map(|c| c.text.as_str()) != Some(key.as_str()) {
        return None;
    }
    table
        .columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
}

fn table_row(row: &RowView, reference: &str, pointed: Option<usize>) -> Html {
    html! {
        <tr class={classes!(row.extra.then_some("extra-row"))}>
            for (i, cell) in row.cells.iter().enumerate() {
                { table_cell(cell, reference, i == 0 && row.extra, pointed == Some(i)) }
            }
        </tr>
    }
}

/// A cell; `extra` marks the first cell of a row the reference copy lacks, `pointed` the
/// cell a lesson points at (outlined, and said in words).
fn table_cell(cell: &CellView, reference: &str, extra: bool, pointed: bool) -> Html {
    let lesson = pointed
        .then(|| html! { <span class="visually-hidden">{ " (the lesson points here)" }</span> });
    let class = classes!(pointed.then_some("highlighted"));
    match cell.reference_value.as_ref() {
        Some(value) => {
            // The tooltip's short form: "leader has 5".
            let words = format!("{} has {value}", reference.trim_start_matches("the "));
            html! {
                <td class={classes!("diverged", class)} title={words.clone()}>
                    <span class="neq" aria-hidden="true">{ "≠ " }</span>
                    { cell.text.clone() }
                    <span class="visually-hidden">{ format!(" (differs: {words})") }</span>
                    { lesson }
                </td>
            }
        }
        None => html! {
            <td {class}>
                { cell.text.clone() }
                { lesson }
                if extra {
                    <span class="extra-note">{ format!(" (not on {reference})") }</span>
                }
            </td>
        },
    }
}
