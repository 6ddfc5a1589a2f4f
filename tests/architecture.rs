//! The architecture's invariants, checked on the source itself (see ARCHITECTURE.md):
//! the core never names the UI crates, never reads the wall clock, never draws OS entropy,
//! never iterates a hash map (whose order would make traces differ between runs), and each
//! module names only the layers beneath it.

use std::fs;
use std::path::{Path, PathBuf};

/// Everything under `src/` that is the core: not `src/ui/`, not `src/main.rs`.
fn core_sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if path.ends_with("src/ui") {
                    continue;
                }
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("src/main.rs")
            {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    files.sort();
    files
}

/// Lines of core code that contain any of `needles`, as `path:line: text`.
fn offending_lines(needles: &[&str]) -> Vec<String> {
    let mut hits = Vec::new();
    for path in core_sources() {
        let text = fs::read_to_string(&path).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if needles.iter().any(|n| code.contains(n)) {
                hits.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
            }
        }
    }
    hits
}

#[test]
fn the_scan_sees_the_core() {
    let files = core_sources();
    assert!(
        files.iter().any(|p| p.ends_with("src/lib.rs")),
        "the architecture scan found no core files: {files:?}"
    );
    // Relative to src/: the checkout itself may live under a folder called "ui".
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert!(
        !files
            .iter()
            .filter_map(|p| p.strip_prefix(&src).ok())
            .any(|p| p.starts_with("ui") || p == Path::new("main.rs")),
        "the scan must skip src/ui and src/main.rs"
    );
}

#[test]
fn the_core_never_names_the_ui_crates() {
    let hits = offending_lines(&["yew", "web_sys", "gloo", "wasm_bindgen", "js_sys"]);
    assert!(
        hits.is_empty(),
        "the core must stay pure:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_core_never_reads_the_wall_clock_or_os_entropy() {
    let hits = offending_lines(&[
        "std::time",
        "SystemTime",
        "Instant",
        "getrandom",
        "thread_rng",
        "from_entropy",
        "from_os_rng",
        "OsRng",
        "StdRng",
    ]);
    assert!(
        hits.is_empty(),
        "the core must be deterministic:\n{}",
        hits.join("\n")
    );
}

#[test]
fn the_core_uses_ordered_maps() {
    let hits = offending_lines(&["HashMap", "HashSet"]);
    assert!(
        hits.is_empty(),
        "use BTreeMap/BTreeSet so iteration order is deterministic:\n{}",
        hits.join("\n")
    );
}

/// The core's modules, each with the sibling modules it may name (`crate::…`). The simulator
/// and the engine stand alone (either could be a crate of its own); replication runs engines
/// inside simulated nodes; the timeline drives any simulated world; the view is plain data.
/// Only the lab, which the UI holds, puts them all together.
const LAYERS: &[(&str, &[&str])] = &[
    // A sorted-list map both use (a `BTreeMap` per key and value type costs the page
    // kilobytes); it names nothing.
    ("small_map", &[]),
    // The page's one JSON parser and writer; it knows no format.
    ("json", &[]),
    ("sim", &["small_map"]),
    ("engine", &["small_map"]),
    // Replication's renderings print JSON (Debezium's) with the page's one writer.
    ("replication", &["engine", "json", "sim"]),
    ("timeline", &["sim"]),
    ("view", &[]),
    (
        "lab",
        &["engine", "json", "replication", "sim", "timeline", "view"],
    ),
    // Lessons script a lab: they sit above it.
    (
        "lesson",
        &[
            "engine",
            "json",
            "lab",
            "replication",
            "sim",
            "timeline",
            "view",
        ],
    ),
];

/// The top-level modules a piece of code names through `crate::x` or `crate::{x, y::z}`.
fn crate_modules_named(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut named = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Names at the group's first level: `crate::{sim::Time, engine}`.
            let mut depth = 0;
            let mut start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if c.is_whitespace() => {}
                    _ if start && depth == 0 => {
                        named.push(ident(&group[i..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            named.push(ident(rest));
        }
    }
    named.retain(|n| !n.is_empty());
    named
}

#[test]
fn crate_module_names_are_read_from_paths_and_groups() {
    assert_eq!(crate_modules_named("use crate::sim::Time;"), ["sim"]);
    assert_eq!(
        crate_modules_named("use crate::{\n    engine::Database,\n    sim::{Time, NodeId},\n};"),
        ["engine", "sim"]
    );
    assert_eq!(crate_modules_named("let x = 1;"), Vec::<String>::new());
}

#[test]
fn each_core_module_names_only_the_layers_beneath_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut breaches = Vec::new();
    let mut seen = Vec::new();
    for path in core_sources() {
        let Ok(relative) = path.strip_prefix(&src) else {
            continue;
        };
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs")
            .to_string();
        let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == top) else {
            continue;
        };
        seen.push(top.clone());
        let text = fs::read_to_string(&path).unwrap_or_default();
        let code: String = text
            .lines()
            .map(|line| line.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for module in crate_modules_named(&code) {
            if module != top && !allowed.contains(&module.as_str()) {
                breaches.push(format!("{} names crate::{module}", relative.display()));
            }
        }
    }
    for (layer, _) in LAYERS {
        assert!(
            seen.iter().any(|s| s == layer),
            "the layering check found no sources for `{layer}`"
        );
    }
    breaches.sort();
    breaches.dedup();
    assert!(
        breaches.is_empty(),
        "a module names a layer it must not know (see LAYERS in tests/architecture.rs):\n{}",
        breaches.join("\n")
    );
}

#[test]
fn ui_crates_are_wasm32_only_dependencies() {
    let manifest = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("Cargo.toml is readable");
    let core_deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .expect("Cargo.toml has a [dependencies] table");
    for ui_crate in [
        "yew",
        "web-sys",
        "gloo",
        "console_error_panic_hook",
        "wasm-bindgen",
    ] {
        assert!(
            !core_deps.contains(ui_crate),
            "{ui_crate} must be a wasm32-only target dependency, not a core one"
        );
    }
}

/// The UI (`src/ui/**`, `src/main.rs`) names only the lab and the view of the core: the lab
/// is the one object it drives, the view what it draws. Everything else it needs (the
/// pickers' settings, the checks it lists) the lab re-exports, so the core's insides can move
/// without touching the UI.
#[test]
fn the_ui_names_only_lab_and_view() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src.join("main.rs")];
    walk(&src.join("ui"), &mut files);
    assert!(
        files.iter().any(|p| p.ends_with("ui/app.rs")),
        "the scan must see the UI: {files:?}"
    );
    let allowed = [
        "replication_lab::lab",
        "replication_lab::lesson",
        "replication_lab::view",
    ];
    let mut hits = Vec::new();
    let mut seen = 0;
    for path in &files {
        let text = fs::read_to_string(path).unwrap_or_default();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for (at, _) in code.match_indices("replication_lab::") {
                seen += 1;
                let rest = &code[at..];
                // `replication_lab::lab` but not `replication_lab::labels`; `{lab, view}` groups
                // are written out one path per `use` in the UI.
                let named = allowed.iter().any(|a| {
                    rest.strip_prefix(a).is_some_and(|after| {
                        !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                    })
                });
                if !named {
                    hits.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(seen > 0, "the UI names the core somewhere");
    assert!(
        hits.is_empty(),
        "the UI may name only replication_lab::lab, replication_lab::lesson and replication_lab::view:\n{}",
        hits.join("\n")
    );
}
