//! ARCHITECTURE.md's code map is checked against the tree: every path it names exists, and
//! every folder of the source (and every top-level file of `src/`) has a row or a mention, so
//! the map cannot drift from the code as files move (a new family or log method included).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The rows of the "## Code map" table: (first cell, second cell).
fn code_map_rows() -> Vec<(String, String)> {
    let text = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = text
        .split("## Code map")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("ARCHITECTURE.md has a \"## Code map\" section");
    section
        .lines()
        .filter(|line| line.starts_with('|') && !line.starts_with("| ---"))
        .skip(1) // the header row
        .filter_map(|line| {
            let mut cells = line.trim_matches('|').splitn(2, '|');
            Some((cells.next()?.to_string(), cells.next()?.to_string()))
        })
        .collect()
}

/// The `backticked` spans of a cell.
fn code_spans(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// A span that names a file or folder: it has a slash or a file extension, and is neither a
/// glob nor something the build makes.
fn names_a_path(span: &str) -> bool {
    let looks_like_path = span.contains('/')
        || [
            ".rs", ".md", ".toml", ".sh", ".html", ".css", ".mjs", ".txt",
        ]
        .iter()
        .any(|ext| span.ends_with(ext));
    looks_like_path
        && !span.contains('*')
        && !span.contains(' ')
        && !span.starts_with("target/")
        && !span.starts_with("dist/")
        && !span.contains("::")
}

/// A row's folder: its first path if that is a folder, else that file's folder.
fn row_folder(first_cell: &str) -> PathBuf {
    let first = code_spans(first_cell)
        .into_iter()
        .next()
        .unwrap_or_default();
    let path = root().join(&first);
    if first.ends_with('/') || path.is_dir() {
        path
    } else {
        path.parent().map(Path::to_path_buf).unwrap_or_else(root)
    }
}

/// Resolves a span from the repository root, else from the row's folder.
fn resolve(span: &str, folder: &Path) -> Option<PathBuf> {
    [root().join(span), folder.join(span)]
        .into_iter()
        .find(|p| p.exists())
}

#[test]
fn every_path_in_the_code_map_exists() {
    let rows = code_map_rows();
    assert!(rows.len() > 10, "the code map has rows: {rows:?}");
    let mut missing = Vec::new();
    for (first, second) in &rows {
        let folder = row_folder(first);
        for span in code_spans(first).iter().chain(&code_spans(second)) {
            if names_a_path(span) && resolve(span, &folder).is_none() {
                missing.push(format!("`{span}` (row {})", first.trim()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md's code map names paths that do not exist:\n{}",
        missing.join("\n")
    );
}

/// Every folder under `src/`, and every `.rs` file directly in `src/`, relative to the root.
fn source_entries() -> BTreeSet<String> {
    fn walk(dir: &Path, out: &mut BTreeSet<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if let Ok(rel) = path.strip_prefix(root()) {
                    out.insert(format!("{}/", rel.display()));
                }
                walk(&path, out);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&root().join("src"), &mut out);
    if let Ok(entries) = fs::read_dir(root().join("src")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "rs") {
                if let Ok(rel) = path.strip_prefix(root()) {
                    out.insert(rel.display().to_string());
                }
            }
        }
    }
    out
}

#[test]
fn every_source_folder_is_in_the_code_map() {
    let rows = code_map_rows();
    let mut mentioned = BTreeSet::new();
    for (first, second) in &rows {
        let folder = row_folder(first);
        for span in code_spans(first).iter().chain(&code_spans(second)) {
            // `sql/` in the engine's row is src/engine/sql/; a bare module name such as
            // `hooks/` counts where the row's folder holds it.
            if let Some(path) = resolve(span, &folder) {
                if let Ok(rel) = path.strip_prefix(root()) {
                    let rel = rel.display().to_string();
                    mentioned.insert(rel.trim_end_matches('/').to_string());
                }
            }
        }
    }
    let unmapped: Vec<_> = source_entries()
        .into_iter()
        .filter(|entry| !mentioned.contains(entry.trim_end_matches('/')))
        .collect();
    assert!(
        !source_entries().is_empty(),
        "the scan found no sources under src/"
    );
    assert!(
        unmapped.is_empty(),
        "ARCHITECTURE.md's code map does not mention these (add a row or name them in one):\n{}",
        unmapped.join("\n")
    );
}

#[test]
fn code_spans_and_paths_are_read_as_a_reader_would() {
    assert_eq!(code_spans("`a` and `b/c.rs`"), ["a", "b/c.rs"]);
    assert!(names_a_path("src/lab/mod.rs"));
    assert!(names_a_path("hooks/"));
    assert!(!names_a_path("Process"));
    assert!(!names_a_path("tests/replication_*.rs"));
    assert!(!names_a_path("target/history-report.txt"));
}
