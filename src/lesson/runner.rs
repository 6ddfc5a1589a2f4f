//! A lesson running on a [`Lab`]: its scripted actions performed at their times, any step
//! shown exactly (forward, or back: the lab's timeline seeks exactly, and the actions after
//! the step stay in it to happen again), each step's expected outcomes checked against the
//! lab, and the lab handed back to play freely. Also the reverse: a lesson made from a
//! session (the actions the user took, with empty captions to fill in).
//!
//! Knows the lab's public face and the inputs its timeline records; nothing of drawing.

use super::format::{CheckName, Expect, Lesson, ScriptAction, Scripted, Settings, Step, VERSION};
use super::{settings, LessonError};
use crate::lab::{Lab, LabAction, Later};
use crate::replication::messages::Request;
use crate::sim::{Fault, Input, NodeId};
use crate::view::{Micros, NodeStatus};

/// A scripted action the lab refused when its time came (it would have done nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Its index in the lesson's `actions`.
    pub action: usize,
    pub at_ms: u64,
    pub why: String,
}

/// One expectation of a step, checked: whether it held and what the lab showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub expect: Expect,
    pub held: bool,
    /// What the lab shows for it (`"paid"`, `"no row 3"`, `"2 rows"`, `"leader"`).
    pub found: String,
}

/// A lesson on its lab, at one of its steps.
#[derive(Clone, Debug)]
pub struct Runner {
    lesson: Lesson,
    /// The lesson's actions with the lab's node ids, at their times in microseconds.
    script: Vec<(Micros, LabAction)>,
    lab: Lab,
    step: usize,
    /// How many of `script` are in the lab's timeline (they go in in order, never out).
    performed: usize,
    refused: Vec<Refused>,
}

impl Runner {
    /// The lesson's lab at its first step. The lesson is checked again (it may have been
    /// made in code rather than read).
    pub fn new(lesson: Lesson) -> Result<Runner, LessonError> {
        super::validate(&lesson)?;
        let lab = Lab::new(settings::build(&lesson.settings)?);
        let id = |path: String, name: &str| -> Result<u32, LessonError> {
            lab.world()
                .nodes()
                .find(|n| n.name == name)
                .map(|n| n.id.0)
                .ok_or_else(|| LessonError::at(path, format!("unknown node \"{name}\"")))
        };
        let script = lesson
            .actions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let path = format!("actions[{i}].action");
                let at = s.at_ms.saturating_mul(1_000) + u64::from(s.plus_us.min(999));
                Ok((at, resolve(&s.action, &path, &id)?))
            })
            .collect::<Result<Vec<_>, LessonError>>()?;
        let mut runner = Runner {
            lesson,
            script,
            lab,
            step: 0,
            performed: 0,
            refused: Vec::new(),
        };
        runner.go_to(0);
        Ok(runner)
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The step shown (0 is the first).
    pub fn step_index(&self) -> usize {
        self.step
    }

    pub fn step_count(&self) -> usize {
        self.lesson.steps.len()
    }

    /// The step shown: caption, highlight, question.
    pub fn step(&self) -> &Step {
        // `validate` makes sure there is at least one step and `go_to` clamps.
        &self.lesson.steps[self.step.min(self.lesson.steps.len() - 1)]
    }

    /// The lab as the step shows it (draw it, inspect it).
    pub fn lab(&self) -> &Lab {
        &self.lab
    }

    /// Shows step `n` (clamped to the last), forward or back, exactly: the lab at the
    /// step's time after every scripted action up to then.
    pub fn go_to(&mut self, n: usize) {
        self.step = n.min(self.lesson.steps.len().saturating_sub(1));
        let at = self.lesson.steps[self.step].at_ms.saturating_mul(1_000);
        self.show(at);
    }

    /// The next step; false at the last.
    pub fn next_step(&mut self) -> bool {
        if self.step + 1 >= self.step_count() {
            return false;
        }
        self.go_to(self.step + 1);
        true
    }

    /// The step before; false at the first.
    pub fn back(&mut self) -> bool {
        if self.step == 0 {
            return false;
        }
        self.go_to(self.step - 1);
        true
    }

    /// Back to the first step.
    pub fn restart(&mut self) {
        self.go_to(0);
    }

    /// Shows the lesson's lab at time `t` (µs) without changing the step: for playing the
    /// time between two steps. Scripted actions up to `t` are performed first.
    pub fn show(&mut self, t: Micros) {
        // A lesson runs at most MAX_TIME_MS (a UI asking for the end of time would wait).
        let t = t.min(super::MAX_TIME_MS * 1_000);
        while let Some((at, action)) = self.script.get(self.performed).cloned() {
            if at > t {
                break;
            }
            self.lab.seek(at);
            if let Err(why) = self.lab.perform_with(action, Later::Keep) {
                self.refused.push(Refused {
                    action: self.performed,
                    at_ms: at / 1_000,
                    why: why.to_string(),
                });
            }
            self.performed += 1;
        }
        self.lab.seek(t);
    }

    /// The scripted actions the lab refused so far (none, in a lesson that is right).
    pub fn refused(&self) -> &[Refused] {
        &self.refused
    }

    /// The step's expected outcomes, checked against the lab now.
    pub fn outcomes(&self) -> Vec<Outcome> {
        self.step()
            .expect
            .iter()
            .map(|e| check(&self.lab, e))
            .collect()
    }

    /// Leaves the lesson: the lab as it is now, to play freely from here (the lesson's
    /// later actions stay in its timeline as the future, like a step back's).
    pub fn leave(self) -> Lab {
        self.lab
    }
}

/// A scripted action with the lab's node ids.
fn resolve(
    action: &ScriptAction,
    path: &str,
    id: &impl Fn(String, &str) -> Result<u32, LessonError>,
) -> Result<LabAction, LessonError> {
    let at = |field: &str, name: &str| id(format!("{path}.{field}"), name);
    Ok(match action {
        ScriptAction::SetTopology(t) => LabAction::SetTopology(*t),
        ScriptAction::Sql { client, sql } => LabAction::Sql {
            client: at("sql.client", client)?,
            sql: sql.clone(),
        },
        ScriptAction::SqlOn {
            client,
            server,
            sql,
        } => LabAction::SqlOn {
            client: at("sql_on.client", client)?,
            server: at("sql_on.server", server)?,
            sql: sql.clone(),
        },
        ScriptAction::Crash(n) => LabAction::Crash(at("crash", n)?),
        ScriptAction::Restart(n) => LabAction::Restart(at("restart", n)?),
        ScriptAction::Promote(n) => LabAction::Promote(at("promote", n)?),
        ScriptAction::Join(n) => LabAction::Join(at("join", n)?),
        ScriptAction::Rejoin(n) => LabAction::Rejoin(at("rejoin", n)?),
        ScriptAction::Partition { a, b } => LabAction::Partition {
            a: at("partition.a", a)?,
            b: at("partition.b", b)?,
        },
        ScriptAction::Heal { a, b } => LabAction::Heal {
            a: at("heal.a", a)?,
            b: at("heal.b", b)?,
        },
        ScriptAction::SetAck(policy) => LabAction::SetAck(policy.clone()),
        ScriptAction::Checkpoint(n) => LabAction::Checkpoint(at("checkpoint", n)?),
        ScriptAction::Cancel(n) => LabAction::Cancel(at("cancel", n)?),
        ScriptAction::SetReadRouting { client, routing } => LabAction::SetReadRouting {
            client: at("set_read_routing.client", client)?,
            routing: *routing,
        },
    })
}

/// One expectation against the lab now.
fn check(lab: &Lab, expect: &Expect) -> Outcome {
    let (held, found) = match expect {
        Expect::Row {
            node,
            table,
            key,
            column,
            equals,
        } => match cell(lab, node, table, key, column) {
            Ok(value) => (&value == equals, value),
            Err(why) => (false, why),
        },
        Expect::NoRow { node, table, key } => match rows(lab, node, table) {
            Ok(rows) => match rows.iter().find(|r| r.first() == Some(key)) {
                Some(row) => (false, format!("row {key}: {}", row.join(" | "))),
                None => (true, format!("no row {key}")),
            },
            Err(why) => (false, why),
        },
        Expect::Rows { node, table, count } => match rows(lab, node, table) {
            Ok(rows) => (rows.len() as u64 == *count, format!("{} rows", rows.len())),
            Err(why) => (false, why),
        },
        Expect::Check { name, count } => {
            let checks = lab.checks();
            let n = match name {
                CheckName::TwoLeaders => checks.two_leaders.len(),
                CheckName::LostAckedWrites => checks.lost_acked_writes.len(),
                CheckName::DivergedRows => checks.diverged_rows.len(),
                CheckName::Stalled => checks.stalled.len(),
                CheckName::BlockedCommits => checks.blocked_commits,
                CheckName::Conflicts => checks.conflicts,
                CheckName::LostToConflicts => checks.lost_to_conflicts.len(),
                CheckName::Held => checks.held,
            } as u64;
            (n == *count, format!("{n}"))
        }
        Expect::Role { node, is } => match node_view(lab, node) {
            Some(view) => {
                let role = if view.status == NodeStatus::Crashed {
                    "crashed"
                } else {
                    view.role.text
                };
                (role == is, role.to_string())
            }
            None => (false, format!("no node {node}")),
        },
        Expect::State { node, contains } => match node_view(lab, node) {
            Some(view) => (view.state.contains(contains.as_str()), view.state),
            None => (false, format!("no node {node}")),
        },
        Expect::Error { client, contains } => match newest_answer(lab, client) {
            Some(Err(error)) => (error.contains(contains.as_str()), error),
            Some(Ok(ok)) => (false, format!("no error: {ok}")),
            None => (false, "no answer yet".into()),
        },
        Expect::Answer { client, contains } => match newest_answer(lab, client) {
            Some(Ok(ok)) => (ok.contains(contains.as_str()), ok),
            Some(Err(error)) => (false, format!("an error: {error}")),
            None => (false, "no answer yet".into()),
        },
        Expect::Event { contains } => {
            let events = lab.events(usize::MAX);
            match events
                .iter()
                .rev()
                .find(|e| e.text.contains(contains.as_str()))
            {
                Some(line) => (true, line.text.clone()),
                None => (
                    false,
                    format!(
                        "no such event; the last: {}",
                        events.last().map_or("(none)", |e| e.text.as_str())
                    ),
                ),
            }
        }
    };
    Outcome {
        expect: expect.clone(),
        held,
        found,
    }
}

fn node_id(lab: &Lab, name: &str) -> Option<u32> {
    lab.world().nodes().find(|n| n.name == name).map(|n| n.id.0)
}

fn node_view(lab: &Lab, name: &str) -> Option<crate::view::NodeView> {
    lab.view().nodes.into_iter().find(|n| n.name == name)
}

/// `table`'s rows on `node`, each as its cells' text; an error in words.
fn rows(lab: &Lab, node: &str, table: &str) -> Result<Vec<Vec<String>>, String> {
    let (_, rows) = table_view(lab, node, table)?;
    Ok(rows)
}

fn table_view(
    lab: &Lab,
    node: &str,
    table: &str,
) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let inspection = node_id(lab, node)
        .and_then(|id| lab.inspect(id))
        .ok_or_else(|| format!("no node {node}"))?;
    let table_view = inspection
        .tables
        .into_iter()
        .find(|t| t.name.eq_ignore_ascii_case(table))
        .ok_or_else(|| format!("{node} has no table {table}"))?;
    let rows = table_view
        .rows
        .into_iter()
        .map(|r| r.cells.into_iter().map(|c| c.text).collect())
        .collect();
    Ok((table_view.columns, rows))
}

fn cell(lab: &Lab, node: &str, table: &str, key: &str, column: &str) -> Result<String, String> {
    let (columns, rows) = table_view(lab, node, table)?;
    let index = columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(column))
        .ok_or_else(|| format!("{table} has no column {column}"))?;
    let row = rows
        .iter()
        .find(|r| r.first().map(String::as_str) == Some(key))
        .ok_or_else(|| format!("no row {key}"))?;
    Ok(row.get(index).cloned().unwrap_or_default())
}

/// `client`'s newest answer: its tag and result cells, or its error.
fn newest_answer(lab: &Lab, client: &str) -> Option<Result<String, String>> {
    let inspection = lab.inspect(node_id(lab, client)?)?;
    let answer = inspection.answers.into_iter().next()?;
    Some(answer.outcome.map(|ok| {
        let mut text = ok.tag;
        for extra in [ok.waited_for, ok.warning].into_iter().flatten() {
            text.push_str(" — ");
            text.push_str(&extra);
        }
        if let Some((_, rows)) = ok.result {
            for row in rows {
                text.push_str(" | ");
                text.push_str(&row.join(" | "));
            }
        }
        text
    }))
}

/// A lesson made from a session: the lab's settings, the actions the user took at their
/// times, and one step per action (at its time, caption to fill in) plus one at the end.
pub fn from_session(lab: &Lab, id: &str, title: &str) -> Lesson {
    let world = lab.world();
    let name = |node: &NodeId| world.node_name(*node).unwrap_or("?").to_string();
    let mut actions: Vec<Scripted> = Vec::new();
    for (at, input) in lab.inputs() {
        let action = match input {
            Input::Request { node, req } => match req {
                Request::Sql(sql) => ScriptAction::Sql {
                    client: name(node),
                    sql: sql.clone(),
                },
                Request::SqlOn { server, sql } | Request::Unreachable { server, sql } => {
                    ScriptAction::SqlOn {
                        client: name(node),
                        server: name(server),
                        sql: sql.clone(),
                    }
                }
                Request::Promote => ScriptAction::Promote(name(node)),
                Request::Join => ScriptAction::Join(name(node)),
                Request::Rejoin => ScriptAction::Rejoin(name(node)),
                Request::SetAck(policy) => ScriptAction::SetAck(policy.clone()),
                Request::Checkpoint => ScriptAction::Checkpoint(name(node)),
                Request::Cancel => ScriptAction::Cancel(name(node)),
                Request::SetReadRouting(routing) => ScriptAction::SetReadRouting {
                    client: name(node),
                    routing: *routing,
                },
                // Part of a crash.
                Request::ServerGone { .. } => continue,
                // Sent to every running leader: one action, at its first request.
                Request::SetTopology(topology) => {
                    let repeated = matches!(actions.last(), Some(Scripted { at_ms, action: ScriptAction::SetTopology(t), .. }) if *t == *topology && *at_ms == at.as_millis());
                    if repeated {
                        continue;
                    }
                    ScriptAction::SetTopology(*topology)
                }
            },
            Input::Fault(Fault::Crash(node)) => ScriptAction::Crash(name(node)),
            Input::Fault(Fault::Restart(node)) => ScriptAction::Restart(name(node)),
            Input::Fault(Fault::Partition { a, b, .. }) => ScriptAction::Partition {
                a: name(a),
                b: name(b),
            },
            Input::Fault(Fault::Heal { a, b }) => ScriptAction::Heal {
                a: name(a),
                b: name(b),
            },
            // Faults the lab's actions do not make.
            Input::Fault(_) => continue,
        };
        let scripted = Scripted {
            at_ms: at.as_millis(),
            plus_us: (at.as_micros() % 1_000) as u32,
            action,
        };
        // A change of the acknowledgement level reaches every server, but is one action.
        if actions.last() != Some(&scripted) {
            actions.push(scripted);
        }
    }
    let mut steps: Vec<Step> = actions.iter().map(|a| blank_step(a.at_ms)).collect();
    steps.dedup_by_key(|s| s.at_ms);
    let end = (lab.time() / 1_000).max(steps.last().map_or(0, |s| s.at_ms));
    if steps.last().is_none_or(|s| s.at_ms < end) {
        steps.push(blank_step(end));
    }
    let settings: Settings = settings::from_lab(lab.settings());
    Lesson {
        version: VERSION,
        id: id.to_string(),
        title: title.to_string(),
        summary: String::new(),
        settings,
        actions,
        steps,
    }
}

fn blank_step(at_ms: u64) -> Step {
    Step {
        at_ms,
        caption: String::new(),
        highlight: None,
        question: None,
        expect: Vec::new(),
    }
}
