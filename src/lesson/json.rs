//! Reading and writing a lesson's JSON by hand, over `serde_json::Value`: each field is read
//! where its path is known, so an error names it (`steps[3].question.answer: expected a
//! whole number`), and the page carries one JSON parser and one small writer instead of a
//! derived deserializer and serializer per type (they cost it some 40 KB gzipped).
//!
//! The shapes are [`super::format`]'s; the conventions (externally tagged snake_case,
//! unknown fields refused, `null` as absent) are `docs/lesson-format.md`'s.

use serde_json::{Map, Value};

use super::format::{
    Cell, CheckName, Expect, Highlight, Lesson, LogRecord, Question, ScriptAction, Scripted,
    ServerSetup, Settings, Step,
};
use super::LessonError;
use crate::engine::FormatVersion;
use crate::lab::{AckPolicy, Method};
use crate::replication::config::{AckStage, RowImage, StandbySet};
use crate::sim::Time;

type Result<T> = std::result::Result<T, LessonError>;

/// `path.key`, or `key` at the top.
fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn wrong(path: &str, expected: &str, found: &Value) -> LessonError {
    let found = match found {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    };
    LessonError::at(path, format!("expected {expected}, found {found}"))
}

fn text(v: &Value, path: &str) -> Result<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| wrong(path, "a string", v))
}

fn whole(v: &Value, path: &str) -> Result<u64> {
    v.as_u64()
        .ok_or_else(|| wrong(path, "a whole number (0 or more)", v))
}

fn small(v: &Value, path: &str) -> Result<u32> {
    let n = whole(v, path)?;
    u32::try_from(n).map_err(|_| LessonError::at(path, format!("{n} is too large")))
}

fn signed(v: &Value, path: &str) -> Result<i64> {
    v.as_i64().ok_or_else(|| wrong(path, "a whole number", v))
}

fn flag(v: &Value, path: &str) -> Result<bool> {
    v.as_bool().ok_or_else(|| wrong(path, "true or false", v))
}

fn list<T>(v: &Value, path: &str, item: impl Fn(&Value, &str) -> Result<T>) -> Result<Vec<T>> {
    let items = v.as_array().ok_or_else(|| wrong(path, "a list", v))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| item(v, &format!("{path}[{i}]")))
        .collect()
}

fn texts(v: &Value, path: &str) -> Result<Vec<String>> {
    list(v, path, text)
}

/// An object's fields, read by name; unknown names are refused up front.
struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: String,
}

impl<'a> Obj<'a> {
    fn new(v: &'a Value, path: &str, known: &[&str]) -> Result<Obj<'a>> {
        let map = v.as_object().ok_or_else(|| wrong(path, "an object", v))?;
        if let Some(key) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(LessonError::at(
                child(path, key),
                format!("unknown field `{key}`, expected one of {}", quoted(known)),
            ));
        }
        Ok(Obj {
            map,
            path: path.to_string(),
        })
    }

    /// A field, if present and not null, with its path.
    fn opt(&self, key: &str) -> Option<(&'a Value, String)> {
        self.map
            .get(key)
            .filter(|v| !v.is_null())
            .map(|v| (v, child(&self.path, key)))
    }

    fn req(&self, key: &str) -> Result<(&'a Value, String)> {
        self.opt(key)
            .ok_or_else(|| LessonError::at(self.path.clone(), format!("missing field `{key}`")))
    }

    fn get<T>(&self, key: &str, read: impl Fn(&Value, &str) -> Result<T>) -> Result<T> {
        let (v, path) = self.req(key)?;
        read(v, &path)
    }

    fn maybe<T>(&self, key: &str, read: impl Fn(&Value, &str) -> Result<T>) -> Result<Option<T>> {
        self.opt(key).map(|(v, path)| read(v, &path)).transpose()
    }

    /// A list that may be left out (empty).
    fn many<T>(&self, key: &str, item: impl Fn(&Value, &str) -> Result<T>) -> Result<Vec<T>> {
        Ok(self
            .maybe(key, |v, p| list(v, p, &item))?
            .unwrap_or_default())
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An externally tagged value: a bare string (`"async"`) or a one-key object
/// (`{"crash": "leader"}`). Returns the tag, its content (null for a bare string) and the
/// content's path.
fn tagged<'a>(v: &'a Value, path: &str, tags: &[&str]) -> Result<(&'a str, &'a Value, String)> {
    let (tag, content) = match v {
        Value::String(s) => (s.as_str(), &Value::Null),
        Value::Object(map) if map.len() == 1 => match map.iter().next() {
            Some((k, v)) => (k.as_str(), v),
            None => unreachable_empty(path)?,
        },
        _ => return Err(wrong(path, &format!("one of {}", quoted(tags)), v)),
    };
    let content_path = child(path, tag);
    if !tags.contains(&tag) {
        return Err(LessonError::at(
            content_path,
            format!("unknown variant `{tag}`, expected one of {}", quoted(tags)),
        ));
    }
    Ok((tag, content, content_path))
}

fn unreachable_empty<T>(path: &str) -> Result<T> {
    Err(LessonError::at(path, "expected a one-key object"))
}

/// A lesson from its parsed JSON.
pub(super) fn lesson(v: &Value) -> Result<Lesson> {
    let o = Obj::new(
        v,
        "",
        &[
            "version", "id", "title", "summary", "settings", "actions", "steps",
        ],
    )?;
    Ok(Lesson {
        version: o.get("version", small)?,
        id: o.get("id", text)?,
        title: o.get("title", text)?,
        summary: o.get("summary", text)?,
        settings: o.get("settings", settings)?,
        actions: o.many("actions", scripted)?,
        steps: o.get("steps", |v, p| list(v, p, step))?,
    })
}

fn settings(v: &Value, path: &str) -> Result<Settings> {
    let o = Obj::new(
        v,
        path,
        &[
            "seed",
            "method",
            "ack",
            "followers",
            "spare",
            "clients",
            "fencing",
            "failover_timeout_ms",
            "lock_wait_timeout_ms",
            "schema",
            "replicated_tables",
            "servers",
        ],
    )?;
    Ok(Settings {
        seed: o.maybe("seed", whole)?.unwrap_or(1),
        method: o.get("method", method)?,
        ack: o.maybe("ack", ack)?.unwrap_or(AckPolicy::Async),
        followers: o.maybe("followers", small)?,
        spare: o.maybe("spare", flag)?,
        clients: o.maybe("clients", small)?,
        fencing: o.maybe("fencing", flag)?,
        failover_timeout_ms: o.maybe("failover_timeout_ms", whole)?,
        lock_wait_timeout_ms: o.maybe("lock_wait_timeout_ms", whole)?,
        schema: o.maybe("schema", texts)?,
        replicated_tables: o.maybe("replicated_tables", texts)?,
        servers: o.many("servers", server)?,
    })
}

fn server(v: &Value, path: &str) -> Result<ServerSetup> {
    let o = Obj::new(v, path, &["name", "format", "clock_skew_ms", "schema"])?;
    Ok(ServerSetup {
        name: o.get("name", text)?,
        format: o.maybe("format", format_version)?,
        clock_skew_ms: o.maybe("clock_skew_ms", signed)?,
        schema: o.maybe("schema", texts)?,
    })
}

fn format_version(v: &Value, path: &str) -> Result<FormatVersion> {
    match tagged(v, path, &["v16", "v17"])?.0 {
        "v16" => Ok(FormatVersion::V16),
        _ => Ok(FormatVersion::V17),
    }
}

fn method(v: &Value, path: &str) -> Result<Method> {
    let (tag, content, path) = tagged(v, path, &["wal", "logical", "statement", "trigger"])?;
    Ok(match tag {
        "wal" => Method::Wal,
        "trigger" => Method::Trigger,
        "logical" => {
            let o = Obj::new(content, &path, &["image"])?;
            let image = o.get("image", |v, p| {
                Ok(match tagged(v, p, &["full", "minimal"])?.0 {
                    "full" => RowImage::Full,
                    _ => RowImage::Minimal,
                })
            })?;
            Method::Logical { image }
        }
        _ => {
            let o = Obj::new(content, &path, &["context_events"])?;
            Method::Statement {
                context_events: o.get("context_events", flag)?,
            }
        }
    })
}

fn ack(v: &Value, path: &str) -> Result<AckPolicy> {
    let (tag, content, path) = tagged(v, path, &["async", "sync"])?;
    if tag == "async" {
        return Ok(AckPolicy::Async);
    }
    let o = Obj::new(content, &path, &["stage", "standbys", "timeout"])?;
    let stage = o.get("stage", |v, p| {
        Ok(match tagged(v, p, &["write", "flush", "apply"])?.0 {
            "write" => AckStage::Write,
            "flush" => AckStage::Flush,
            _ => AckStage::Apply,
        })
    })?;
    let standbys = o.get("standbys", |v, p| {
        let (tag, content, path) = tagged(v, p, &["first", "any"])?;
        let o = Obj::new(content, &path, &["count", "names"])?;
        let (count, names) = (o.get("count", small)?, o.get("names", texts)?);
        Ok(if tag == "first" {
            StandbySet::First { count, names }
        } else {
            StandbySet::Any { count, names }
        })
    })?;
    Ok(AckPolicy::Sync {
        stage,
        standbys,
        timeout: o.maybe("timeout", whole)?.map(Time::micros),
    })
}

fn scripted(v: &Value, path: &str) -> Result<Scripted> {
    let o = Obj::new(v, path, &["at_ms", "plus_us", "action"])?;
    let plus_us = o.maybe("plus_us", small)?.unwrap_or(0);
    if plus_us > 999 {
        return Err(LessonError::at(
            child(path, "plus_us"),
            format!("{plus_us} µs: at most 999 (more is a later at_ms)"),
        ));
    }
    Ok(Scripted {
        at_ms: o.get("at_ms", whole)?,
        plus_us,
        action: o.get("action", action)?,
    })
}

const ACTIONS: &[&str] = &[
    "sql",
    "sql_on",
    "crash",
    "restart",
    "promote",
    "join",
    "rejoin",
    "partition",
    "heal",
    "set_ack",
    "checkpoint",
    "cancel",
];

fn action(v: &Value, path: &str) -> Result<ScriptAction> {
    let (tag, content, path) = tagged(v, path, ACTIONS)?;
    let node = || text(content, &path);
    let pair = || -> Result<(String, String)> {
        let o = Obj::new(content, &path, &["a", "b"])?;
        Ok((o.get("a", text)?, o.get("b", text)?))
    };
    Ok(match tag {
        "sql" => {
            let o = Obj::new(content, &path, &["client", "sql"])?;
            ScriptAction::Sql {
                client: o.get("client", text)?,
                sql: o.get("sql", text)?,
            }
        }
        "sql_on" => {
            let o = Obj::new(content, &path, &["client", "server", "sql"])?;
            ScriptAction::SqlOn {
                client: o.get("client", text)?,
                server: o.get("server", text)?,
                sql: o.get("sql", text)?,
            }
        }
        "crash" => ScriptAction::Crash(node()?),
        "restart" => ScriptAction::Restart(node()?),
        "promote" => ScriptAction::Promote(node()?),
        "join" => ScriptAction::Join(node()?),
        "rejoin" => ScriptAction::Rejoin(node()?),
        "partition" => {
            let (a, b) = pair()?;
            ScriptAction::Partition { a, b }
        }
        "heal" => {
            let (a, b) = pair()?;
            ScriptAction::Heal { a, b }
        }
        "set_ack" => ScriptAction::SetAck(ack(content, &path)?),
        "checkpoint" => ScriptAction::Checkpoint(node()?),
        _ => ScriptAction::Cancel(node()?),
    })
}

fn step(v: &Value, path: &str) -> Result<Step> {
    let o = Obj::new(
        v,
        path,
        &["at_ms", "caption", "highlight", "question", "expect"],
    )?;
    Ok(Step {
        at_ms: o.get("at_ms", whole)?,
        caption: o.get("caption", text)?,
        highlight: o.maybe("highlight", highlight)?,
        question: o.maybe("question", question)?,
        expect: o.many("expect", expect)?,
    })
}

fn highlight(v: &Value, path: &str) -> Result<Highlight> {
    let o = Obj::new(v, path, &["nodes", "links", "cell", "log_record"])?;
    Ok(Highlight {
        nodes: o.many("nodes", text)?,
        links: o.many("links", |v, p| {
            let ends = texts(v, p)?;
            match <[String; 2]>::try_from(ends) {
                Ok(pair) => Ok(pair),
                Err(ends) => Err(LessonError::at(
                    p,
                    format!("a link is two node names, not {}", ends.len()),
                )),
            }
        })?,
        cell: o.maybe("cell", |v, p| {
            let o = Obj::new(v, p, &["node", "table", "key", "column"])?;
            Ok(Cell {
                node: o.get("node", text)?,
                table: o.get("table", text)?,
                key: o.get("key", text)?,
                column: o.get("column", text)?,
            })
        })?,
        log_record: o.maybe("log_record", |v, p| {
            let o = Obj::new(v, p, &["node", "index"])?;
            Ok(LogRecord {
                node: o.get("node", text)?,
                index: o.get("index", small)?,
            })
        })?,
    })
}

fn question(v: &Value, path: &str) -> Result<Question> {
    let o = Obj::new(v, path, &["prompt", "choices", "answer", "reveal"])?;
    Ok(Question {
        prompt: o.get("prompt", text)?,
        choices: o.get("choices", texts)?,
        answer: o.get("answer", small)?,
        reveal: o.get("reveal", text)?,
    })
}

const EXPECTS: &[&str] = &[
    "row", "no_row", "rows", "check", "role", "state", "error", "answer", "event",
];

fn expect(v: &Value, path: &str) -> Result<Expect> {
    let (tag, content, path) = tagged(v, path, EXPECTS)?;
    let fields: &[&str] = match tag {
        "row" => &["node", "table", "key", "column", "equals"],
        "no_row" => &["node", "table", "key"],
        "rows" => &["node", "table", "count"],
        "check" => &["name", "count"],
        "role" => &["node", "is"],
        "state" => &["node", "contains"],
        "error" | "answer" => &["client", "contains"],
        _ => &["contains"],
    };
    let o = Obj::new(content, &path, fields)?;
    let s = |key: &str| o.get(key, text);
    Ok(match tag {
        "row" => Expect::Row {
            node: s("node")?,
            table: s("table")?,
            key: s("key")?,
            column: s("column")?,
            equals: s("equals")?,
        },
        "no_row" => Expect::NoRow {
            node: s("node")?,
            table: s("table")?,
            key: s("key")?,
        },
        "rows" => Expect::Rows {
            node: s("node")?,
            table: s("table")?,
            count: o.get("count", whole)?,
        },
        "check" => Expect::Check {
            name: o.get("name", check_name)?,
            count: o.get("count", whole)?,
        },
        "role" => Expect::Role {
            node: s("node")?,
            is: s("is")?,
        },
        "state" => Expect::State {
            node: s("node")?,
            contains: s("contains")?,
        },
        "error" => Expect::Error {
            client: s("client")?,
            contains: s("contains")?,
        },
        "answer" => Expect::Answer {
            client: s("client")?,
            contains: s("contains")?,
        },
        _ => Expect::Event {
            contains: s("contains")?,
        },
    })
}

const CHECKS: &[(&str, CheckName)] = &[
    ("two_leaders", CheckName::TwoLeaders),
    ("lost_acked_writes", CheckName::LostAckedWrites),
    ("diverged_rows", CheckName::DivergedRows),
    ("stalled", CheckName::Stalled),
    ("blocked_commits", CheckName::BlockedCommits),
];

fn check_name(v: &Value, path: &str) -> Result<CheckName> {
    let names: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
    let (tag, _, _) = tagged(v, path, &names)?;
    Ok(CHECKS
        .iter()
        .find(|(n, _)| *n == tag)
        .map_or(CheckName::TwoLeaders, |(_, c)| *c))
}

// Writing: a small tree of JSON values in field order, printed with two-space indents.

/// A JSON value to write, objects keeping their fields' order.
enum J {
    Bool(bool),
    Num(u64),
    Int(i64),
    Str(String),
    List(Vec<J>),
    Obj(Vec<(&'static str, J)>),
}

fn s(text: &str) -> J {
    J::Str(text.to_string())
}

fn tag(name: &'static str, content: J) -> J {
    J::Obj(vec![(name, content)])
}

fn strings(items: &[String]) -> J {
    J::List(items.iter().map(|i| s(i)).collect())
}

/// An object from fields, the absent ones left out.
fn obj(fields: Vec<(&'static str, Option<J>)>) -> J {
    J::Obj(
        fields
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect(),
    )
}

/// A lesson as pretty-printed JSON.
pub(super) fn write(lesson: &Lesson) -> String {
    let mut out = String::new();
    print(&lesson_json(lesson), 0, &mut out);
    out.push('\n');
    out
}

fn lesson_json(l: &Lesson) -> J {
    obj(vec![
        ("version", Some(J::Num(l.version.into()))),
        ("id", Some(s(&l.id))),
        ("title", Some(s(&l.title))),
        ("summary", Some(s(&l.summary))),
        ("settings", Some(settings_json(&l.settings))),
        (
            "actions",
            Some(J::List(
                l.actions
                    .iter()
                    .map(|a| {
                        obj(vec![
                            ("at_ms", Some(J::Num(a.at_ms))),
                            ("plus_us", (a.plus_us > 0).then(|| J::Num(a.plus_us.into()))),
                            ("action", Some(action_json(&a.action))),
                        ])
                    })
                    .collect(),
            )),
        ),
        (
            "steps",
            Some(J::List(l.steps.iter().map(step_json).collect())),
        ),
    ])
}

fn settings_json(st: &Settings) -> J {
    let num = |n: Option<u64>| n.map(J::Num);
    obj(vec![
        ("seed", Some(J::Num(st.seed))),
        ("method", Some(method_json(st.method))),
        ("ack", Some(ack_json(&st.ack))),
        ("followers", num(st.followers.map(u64::from))),
        ("spare", st.spare.map(J::Bool)),
        ("clients", num(st.clients.map(u64::from))),
        ("fencing", st.fencing.map(J::Bool)),
        ("failover_timeout_ms", num(st.failover_timeout_ms)),
        ("lock_wait_timeout_ms", num(st.lock_wait_timeout_ms)),
        ("schema", st.schema.as_deref().map(strings)),
        (
            "replicated_tables",
            st.replicated_tables.as_deref().map(strings),
        ),
        (
            "servers",
            (!st.servers.is_empty()).then(|| {
                J::List(
                    st.servers
                        .iter()
                        .map(|sv| {
                            obj(vec![
                                ("name", Some(s(&sv.name))),
                                (
                                    "format",
                                    sv.format.map(|f| {
                                        s(if f == FormatVersion::V16 {
                                            "v16"
                                        } else {
                                            "v17"
                                        })
                                    }),
                                ),
                                ("clock_skew_ms", sv.clock_skew_ms.map(J::Int)),
                                ("schema", sv.schema.as_deref().map(strings)),
                            ])
                        })
                        .collect(),
                )
            }),
        ),
    ])
}

fn method_json(m: Method) -> J {
    match m {
        Method::Wal => s("wal"),
        Method::Trigger => s("trigger"),
        Method::Logical { image } => tag(
            "logical",
            obj(vec![(
                "image",
                Some(s(if image == RowImage::Full {
                    "full"
                } else {
                    "minimal"
                })),
            )]),
        ),
        Method::Statement { context_events } => tag(
            "statement",
            obj(vec![("context_events", Some(J::Bool(context_events)))]),
        ),
    }
}

fn ack_json(a: &AckPolicy) -> J {
    match a {
        AckPolicy::Async => s("async"),
        AckPolicy::Sync {
            stage,
            standbys,
            timeout,
        } => {
            let stage = match stage {
                AckStage::Write => "write",
                AckStage::Flush => "flush",
                AckStage::Apply => "apply",
            };
            let (kind, count, names) = match standbys {
                StandbySet::First { count, names } => ("first", count, names),
                StandbySet::Any { count, names } => ("any", count, names),
            };
            let set = obj(vec![
                ("count", Some(J::Num((*count).into()))),
                ("names", Some(strings(names))),
            ]);
            tag(
                "sync",
                obj(vec![
                    ("stage", Some(s(stage))),
                    ("standbys", Some(tag(kind, set))),
                    ("timeout", timeout.map(|t| J::Num(t.as_micros()))),
                ]),
            )
        }
    }
}

fn action_json(a: &ScriptAction) -> J {
    let pair = |a: &str, b: &str| obj(vec![("a", Some(s(a))), ("b", Some(s(b)))]);
    match a {
        ScriptAction::Sql { client, sql } => tag(
            "sql",
            obj(vec![("client", Some(s(client))), ("sql", Some(s(sql)))]),
        ),
        ScriptAction::SqlOn {
            client,
            server,
            sql,
        } => tag(
            "sql_on",
            obj(vec![
                ("client", Some(s(client))),
                ("server", Some(s(server))),
                ("sql", Some(s(sql))),
            ]),
        ),
        ScriptAction::Crash(n) => tag("crash", s(n)),
        ScriptAction::Restart(n) => tag("restart", s(n)),
        ScriptAction::Promote(n) => tag("promote", s(n)),
        ScriptAction::Join(n) => tag("join", s(n)),
        ScriptAction::Rejoin(n) => tag("rejoin", s(n)),
        ScriptAction::Partition { a, b } => tag("partition", pair(a, b)),
        ScriptAction::Heal { a, b } => tag("heal", pair(a, b)),
        ScriptAction::SetAck(policy) => tag("set_ack", ack_json(policy)),
        ScriptAction::Checkpoint(n) => tag("checkpoint", s(n)),
        ScriptAction::Cancel(n) => tag("cancel", s(n)),
    }
}

fn step_json(st: &Step) -> J {
    obj(vec![
        ("at_ms", Some(J::Num(st.at_ms))),
        ("caption", Some(s(&st.caption))),
        ("highlight", st.highlight.as_ref().map(highlight_json)),
        (
            "question",
            st.question.as_ref().map(|q| {
                obj(vec![
                    ("prompt", Some(s(&q.prompt))),
                    ("choices", Some(strings(&q.choices))),
                    ("answer", Some(J::Num(q.answer.into()))),
                    ("reveal", Some(s(&q.reveal))),
                ])
            }),
        ),
        (
            "expect",
            (!st.expect.is_empty()).then(|| J::List(st.expect.iter().map(expect_json).collect())),
        ),
    ])
}

fn highlight_json(h: &Highlight) -> J {
    obj(vec![
        ("nodes", (!h.nodes.is_empty()).then(|| strings(&h.nodes))),
        (
            "links",
            (!h.links.is_empty()).then(|| J::List(h.links.iter().map(|l| strings(l)).collect())),
        ),
        (
            "cell",
            h.cell.as_ref().map(|c| {
                obj(vec![
                    ("node", Some(s(&c.node))),
                    ("table", Some(s(&c.table))),
                    ("key", Some(s(&c.key))),
                    ("column", Some(s(&c.column))),
                ])
            }),
        ),
        (
            "log_record",
            h.log_record.as_ref().map(|r| {
                obj(vec![
                    ("node", Some(s(&r.node))),
                    ("index", Some(J::Num(r.index.into()))),
                ])
            }),
        ),
    ])
}

fn expect_json(e: &Expect) -> J {
    let f = |fields: Vec<(&'static str, J)>| J::Obj(fields);
    match e {
        Expect::Row {
            node,
            table,
            key,
            column,
            equals,
        } => tag(
            "row",
            f(vec![
                ("node", s(node)),
                ("table", s(table)),
                ("key", s(key)),
                ("column", s(column)),
                ("equals", s(equals)),
            ]),
        ),
        Expect::NoRow { node, table, key } => tag(
            "no_row",
            f(vec![
                ("node", s(node)),
                ("table", s(table)),
                ("key", s(key)),
            ]),
        ),
        Expect::Rows { node, table, count } => tag(
            "rows",
            f(vec![
                ("node", s(node)),
                ("table", s(table)),
                ("count", J::Num(*count)),
            ]),
        ),
        Expect::Check { name, count } => {
            let name = CHECKS
                .iter()
                .find(|(_, c)| c == name)
                .map_or("two_leaders", |(n, _)| n);
            tag(
                "check",
                f(vec![("name", s(name)), ("count", J::Num(*count))]),
            )
        }
        Expect::Role { node, is } => tag("role", f(vec![("node", s(node)), ("is", s(is))])),
        Expect::State { node, contains } => tag(
            "state",
            f(vec![("node", s(node)), ("contains", s(contains))]),
        ),
        Expect::Error { client, contains } => tag(
            "error",
            f(vec![("client", s(client)), ("contains", s(contains))]),
        ),
        Expect::Answer { client, contains } => tag(
            "answer",
            f(vec![("client", s(client)), ("contains", s(contains))]),
        ),
        Expect::Event { contains } => tag("event", f(vec![("contains", s(contains))])),
    }
}

/// Prints `j` at `depth` (two spaces each).
fn print(j: &J, depth: usize, out: &mut String) {
    let indent = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    };
    match j {
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Num(n) => out.push_str(&n.to_string()),
        J::Int(n) => out.push_str(&n.to_string()),
        J::Str(text) => quote(text, out),
        J::List(items) if items.is_empty() => out.push_str("[]"),
        J::Obj(fields) if fields.is_empty() => out.push_str("{}"),
        J::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                print(item, depth + 1, out);
            }
            indent(out, depth);
            out.push(']');
        }
        J::Obj(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                indent(out, depth + 1);
                quote(key, out);
                out.push_str(": ");
                print(value, depth + 1, out);
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

/// `text` as a JSON string.
fn quote(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
