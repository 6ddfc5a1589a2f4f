//! Lessons: a scripted lab a student steps through, forward and back, with captions,
//! highlights, "predict, then reveal" questions and outcomes the lab checks at each step.
//!
//! - [`format`]: the file's shapes (JSON, versioned), read and written by `json`.
//! - this module: reading a file ([`parse`]) into a checked [`Lesson`] — an error names the
//!   field path and what is wrong (`steps[3].expect[0].row.table: unknown table "ordrs"`) —,
//!   writing one ([`to_json`]), and the built-in lessons ([`builtin`], [`load_builtin`]).
//! - [`runner`]: a lesson running on a [`crate::lab::Lab`] — go to any step exactly,
//!   check its outcomes, leave and play freely — and a lesson made from a session.
//!
//! It sits above the lab and knows nothing of how anything is drawn.

pub mod format;
mod json;
pub mod runner;
mod settings;
pub mod ui_support;

pub use format::{
    Cell, CheckName, Expect, Highlight, Lesson, LogRecord, Question, ScriptAction, Scripted,
    Settings, Step, VERSION,
};
pub use runner::{from_session, Outcome, Refused, Runner};

use crate::lab::LabSettings;

/// How long a lesson may run, in virtual milliseconds: a step or action later than this is
/// refused (a hostile file could otherwise ask for hours of simulation).
pub const MAX_TIME_MS: u64 = 120_000;
/// At most this many steps and this many actions.
pub const MAX_STEPS: usize = 200;
pub const MAX_ACTIONS: usize = 1_000;

/// What is wrong with a lesson file, and where: `path` is the field path
/// (`steps[3].expect[0].row.table`), empty for the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    pub path: String,
    pub message: String,
}

impl LessonError {
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> LessonError {
        LessonError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for LessonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for LessonError {}

/// A built-in lesson as the picker lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonInfo {
    pub id: String,
    pub title: String,
    pub summary: String,
}

/// The built-in lessons' files, in the chapter's order.
const BUILTIN: &[&str] = &[
    include_str!("../../lessons/leaders-and-followers.json"),
    include_str!("../../lessons/sync-vs-async.json"),
    include_str!("../../lessons/first-n-any-n.json"),
    include_str!("../../lessons/semi-sync-fallback.json"),
    include_str!("../../lessons/new-follower.json"),
    include_str!("../../lessons/follower-catch-up.json"),
    include_str!("../../lessons/failover-lost-write.json"),
    include_str!("../../lessons/reused-key.json"),
    include_str!("../../lessons/split-brain.json"),
    include_str!("../../lessons/statement-pitfalls.json"),
    include_str!("../../lessons/statement-unsafe.json"),
    include_str!("../../lessons/wal-storage-versions.json"),
    include_str!("../../lessons/logical-missing-column.json"),
    include_str!("../../lessons/trigger-subset.json"),
    include_str!("../../lessons/read-your-writes.json"),
    include_str!("../../lessons/monotonic-reads.json"),
    include_str!("../../lessons/multi-leader-conflict.json"),
    include_str!("../../lessons/multi-leader-ring.json"),
    include_str!("../../lessons/multi-leader-causality.json"),
    include_str!("../../lessons/version-vectors.json"),
];

/// The built-in lessons: id, title and one-line summary each, in the chapter's order.
pub fn builtin() -> Vec<LessonInfo> {
    BUILTIN
        .iter()
        .filter_map(|text| read(text).ok())
        .map(|l| LessonInfo {
            id: l.id,
            title: l.title,
            summary: l.summary,
        })
        .collect()
}

/// The file of the built-in lesson `id`.
pub fn builtin_source(id: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .copied()
        .find(|text| read(text).is_ok_and(|lesson| lesson.id == id))
}

/// The built-in lesson `id`, read and checked.
pub fn load_builtin(id: &str) -> Result<Lesson, LessonError> {
    let text = builtin_source(id)
        .ok_or_else(|| LessonError::at("id", format!("there is no built-in lesson \"{id}\"")))?;
    parse(text)
}

/// Reads a lesson file and checks it: the JSON, its shape, its version, and that what it
/// names exists (nodes, tables) and its times are in order. An error names the field path.
pub fn parse(text: &str) -> Result<Lesson, LessonError> {
    let lesson = read(text)?;
    validate(&lesson)?;
    Ok(lesson)
}

/// Reads a lesson file's JSON and shape, without checking names and times.
fn read(text: &str) -> Result<Lesson, LessonError> {
    let value = crate::json::parse(text)?;
    // The version first: a newer file may have fields this lab does not know.
    match value.get("version") {
        None | Some(crate::json::Value::Null) => {
            return Err(LessonError::at(
                "version",
                format!("missing (this lab reads version {VERSION})"),
            ))
        }
        Some(v) => match v.as_u64() {
            Some(n) if n > u64::from(VERSION) => {
                return Err(LessonError::at(
                    "version",
                    format!(
                        "this file is version {n}, newer than this lab reads (version {VERSION}): open it in a newer Replication Lab"
                    ),
                ))
            }
            _ => {}
        },
    }
    Ok(json::lesson(&value)?)
}

/// A lesson as a JSON file (pretty-printed, fields in the format's order).
pub fn to_json(lesson: &Lesson) -> String {
    json::write(lesson)
}

/// The lab settings a lesson starts from.
pub fn lab_settings(lesson: &Lesson) -> Result<LabSettings, LessonError> {
    settings::build(&lesson.settings)
}

/// Checks what the JSON's shape cannot: the version, limits, names, tables, order of times, questions.
fn validate(lesson: &Lesson) -> Result<(), LessonError> {
    if lesson.version != VERSION {
        return Err(LessonError::at(
            "version",
            format!(
                "{} is not a version this lab reads (version {VERSION})",
                lesson.version
            ),
        ));
    }
    let settings = settings::build(&lesson.settings)?;
    let names = settings::node_names(&settings.cluster);
    let tables = settings::tables(&settings.cluster, &lesson.actions);
    let node = |path: String, name: &str| -> Result<(), LessonError> {
        if names.iter().any(|n| n == name) {
            Ok(())
        } else {
            Err(LessonError::at(
                path,
                format!(
                    "unknown node \"{}\" (this lesson's nodes: {})",
                    clip(name),
                    names.join(", ")
                ),
            ))
        }
    };
    let table = |path: String, name: &str| -> Result<(), LessonError> {
        if tables.iter().any(|t| t.eq_ignore_ascii_case(name)) {
            Ok(())
        } else {
            Err(LessonError::at(
                path,
                format!(
                    "unknown table \"{}\" (this lesson's tables: {})",
                    clip(name),
                    tables.join(", ")
                ),
            ))
        }
    };
    if lesson.actions.len() > MAX_ACTIONS {
        return Err(LessonError::at(
            "actions",
            format!("{} actions, more than {MAX_ACTIONS}", lesson.actions.len()),
        ));
    }
    let mut last = 0;
    for (i, scripted) in lesson.actions.iter().enumerate() {
        let path = format!("actions[{i}]");
        time(&format!("{path}.at_ms"), scripted.at_ms, last)?;
        last = scripted.at_ms;
        for (field, name) in action_nodes(&scripted.action) {
            node(format!("{path}.action.{field}"), name)?;
        }
    }
    if lesson.steps.is_empty() {
        return Err(LessonError::at("steps", "a lesson needs at least one step"));
    }
    if lesson.steps.len() > MAX_STEPS {
        return Err(LessonError::at(
            "steps",
            format!("{} steps, more than {MAX_STEPS}", lesson.steps.len()),
        ));
    }
    let mut last = 0;
    for (i, step) in lesson.steps.iter().enumerate() {
        let path = format!("steps[{i}]");
        time(&format!("{path}.at_ms"), step.at_ms, last)?;
        last = step.at_ms;
        if let Some(h) = &step.highlight {
            for (j, name) in h.nodes.iter().enumerate() {
                node(format!("{path}.highlight.nodes[{j}]"), name)?;
            }
            for (j, [a, b]) in h.links.iter().enumerate() {
                node(format!("{path}.highlight.links[{j}][0]"), a)?;
                node(format!("{path}.highlight.links[{j}][1]"), b)?;
            }
            if let Some(cell) = &h.cell {
                node(format!("{path}.highlight.cell.node"), &cell.node)?;
                table(format!("{path}.highlight.cell.table"), &cell.table)?;
            }
            if let Some(record) = &h.log_record {
                node(format!("{path}.highlight.log_record.node"), &record.node)?;
            }
        }
        if let Some(q) = &step.question {
            if q.choices.len() < 2 {
                return Err(LessonError::at(
                    format!("{path}.question.choices"),
                    "a question needs at least two choices",
                ));
            }
            if q.answer as usize >= q.choices.len() {
                return Err(LessonError::at(
                    format!("{path}.question.answer"),
                    format!(
                        "{} is not a choice (choices are numbered 0 to {})",
                        q.answer,
                        q.choices.len() - 1
                    ),
                ));
            }
        }
        for (j, expect) in step.expect.iter().enumerate() {
            let path = format!("{path}.expect[{j}]");
            let (tag, names, table_name) = expect_names(expect);
            for (field, name) in names {
                node(format!("{path}.{tag}.{field}"), name)?;
            }
            if let Some(t) = table_name {
                table(format!("{path}.{tag}.table"), t)?;
            }
        }
    }
    Ok(())
}

/// A time in order and within [`MAX_TIME_MS`].
fn time(path: &str, at: u64, previous: u64) -> Result<(), LessonError> {
    if at > MAX_TIME_MS {
        return Err(LessonError::at(
            path,
            format!("{at} ms is later than a lesson may run ({MAX_TIME_MS} ms)"),
        ));
    }
    if at < previous {
        return Err(LessonError::at(
            path,
            format!("{at} ms is before the one above it ({previous} ms): keep them in time order"),
        ));
    }
    Ok(())
}

/// The nodes an action names, with their fields.
pub(crate) fn action_nodes(action: &ScriptAction) -> Vec<(&'static str, &str)> {
    match action {
        ScriptAction::Sql { client, .. } => vec![("sql.client", client)],
        ScriptAction::SqlOn { client, server, .. } => {
            vec![("sql_on.client", client), ("sql_on.server", server)]
        }
        ScriptAction::Crash(n) => vec![("crash", n)],
        ScriptAction::Restart(n) => vec![("restart", n)],
        ScriptAction::Promote(n) => vec![("promote", n)],
        ScriptAction::Join(n) => vec![("join", n)],
        ScriptAction::Rejoin(n) => vec![("rejoin", n)],
        ScriptAction::Partition { a, b } => vec![("partition.a", a), ("partition.b", b)],
        ScriptAction::Heal { a, b } => vec![("heal.a", a), ("heal.b", b)],
        ScriptAction::SetAck(_) | ScriptAction::SetTopology(_) => vec![],
        ScriptAction::Checkpoint(n) => vec![("checkpoint", n)],
        ScriptAction::Cancel(n) => vec![("cancel", n)],
        ScriptAction::SetReadRouting { client, .. } => vec![("set_read_routing.client", client)],
    }
}

/// An expectation's tag, the nodes it names (with fields) and the table it names.
type Named<'a> = (&'static str, Vec<(&'static str, &'a str)>, Option<&'a str>);

fn expect_names(expect: &Expect) -> Named<'_> {
    match expect {
        Expect::Row { node, table, .. } => ("row", vec![("node", node)], Some(table)),
        Expect::NoRow { node, table, .. } => ("no_row", vec![("node", node)], Some(table)),
        Expect::Rows { node, table, .. } => ("rows", vec![("node", node)], Some(table)),
        Expect::Check { .. } => ("check", vec![], None),
        Expect::Role { node, .. } => ("role", vec![("node", node)], None),
        Expect::State { node, .. } => ("state", vec![("node", node)], None),
        Expect::Error { client, .. } => ("error", vec![("client", client)], None),
        Expect::Answer { client, .. } => ("answer", vec![("client", client)], None),
        Expect::Event { .. } => ("event", vec![], None),
    }
}

/// A name from a file, cut short for a message (a hostile file's names can be long).
fn clip(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
