//! Reading and writing a lesson's JSON field by field over [`crate::json`] (the page's one
//! JSON parser and writer), so that each error names its field path (`steps[3].question.answer:
//! expected a whole number`), with no derived deserializer or serializer per type.
//!
//! The shapes are [`super::format`]'s; the conventions (externally tagged snake_case,
//! unknown fields refused, `null` as absent) are `docs/lesson-format.md`'s.

use super::format::{
    Cell, CheckName, Expect, Highlight, Lesson, LogRecord, MultiLeaderSettings, Question,
    ScriptAction, Scripted, ServerSetup, Settings, Step,
};
use super::LessonError;
use crate::engine::FormatVersion;
use crate::json::{
    child, flag, list, signed, small, tagged, text, texts, whole, Error, Kind, Obj, Value,
};
use crate::lab::json::{
    ack, ack_json, resolver, resolver_name, routing, topology, topology_name, Timeout,
};
use crate::lab::{AckPolicy, Method};
use crate::replication::config::RowImage;

type Result<T> = std::result::Result<T, Error>;

/// A JSON error as a lesson's: a syntax error says "not valid JSON" with its line and column,
/// or that the file ends too soon; the path is the field open where it happened.
impl From<Error> for LessonError {
    fn from(e: Error) -> LessonError {
        let message = match e.kind {
            Kind::Syntax { eof: true, .. } => format!("the file ends too soon: {}", e.message),
            Kind::Syntax { line, column, .. } => {
                format!(
                    "not valid JSON ({}) at line {line} column {column}",
                    e.message
                )
            }
            Kind::Type | Kind::Shape => e.message,
        };
        LessonError::at(e.path, message)
    }
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
            "multi_leader",
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
        multi_leader: o.maybe("multi_leader", multi_leader)?,
    })
}

fn multi_leader(v: &Value, path: &str) -> Result<MultiLeaderSettings> {
    let o = Obj::new(
        v,
        path,
        &[
            "leaders",
            "topology",
            "resolver",
            "version_vectors",
            "auto_increment_offsets",
            "inter_dc_latency_ms",
        ],
    )?;
    Ok(MultiLeaderSettings {
        leaders: o.maybe("leaders", small)?,
        topology: o.maybe("topology", topology)?,
        resolver: o.maybe("resolver", resolver)?,
        version_vectors: o.maybe("version_vectors", flag)?,
        auto_increment_offsets: o.maybe("auto_increment_offsets", flag)?,
        inter_dc_latency_ms: o.maybe("inter_dc_latency_ms", whole)?,
    })
}

fn multi_leader_json(m: &MultiLeaderSettings) -> Value {
    obj(vec![
        ("leaders", m.leaders.map(|n| Value::Whole(n.into()))),
        ("topology", m.topology.map(|t| s(topology_name(t)))),
        ("resolver", m.resolver.map(|r| s(resolver_name(r)))),
        ("version_vectors", m.version_vectors.map(Value::Bool)),
        (
            "auto_increment_offsets",
            m.auto_increment_offsets.map(Value::Bool),
        ),
        (
            "inter_dc_latency_ms",
            m.inter_dc_latency_ms.map(Value::Whole),
        ),
    ])
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

fn scripted(v: &Value, path: &str) -> Result<Scripted> {
    let o = Obj::new(v, path, &["at_ms", "plus_us", "action"])?;
    let plus_us = o.maybe("plus_us", small)?.unwrap_or(0);
    if plus_us > 999 {
        return Err(Error::at(
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
    "set_read_routing",
    "set_topology",
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
        "set_read_routing" => {
            let o = Obj::new(content, &path, &["client", "routing"])?;
            ScriptAction::SetReadRouting {
                client: o.get("client", text)?,
                routing: o.get("routing", routing)?,
            }
        }
        "set_topology" => ScriptAction::SetTopology(topology(content, &path)?),
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
                Err(ends) => Err(Error::at(
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
    ("conflicts", CheckName::Conflicts),
    ("lost_to_conflicts", CheckName::LostToConflicts),
    ("held", CheckName::Held),
];

fn check_name(v: &Value, path: &str) -> Result<CheckName> {
    let names: Vec<&str> = CHECKS.iter().map(|(n, _)| *n).collect();
    let (tag, _, _) = tagged(v, path, &names)?;
    Ok(CHECKS
        .iter()
        .find(|(n, _)| *n == tag)
        .map_or(CheckName::TwoLeaders, |(_, c)| *c))
}

// Writing: a tree of JSON values in the format's field order, printed with two-space indents.

fn s(text: &str) -> Value {
    Value::text(text)
}

fn tag(name: &str, content: Value) -> Value {
    Value::tagged(name, content)
}

fn strings(items: &[String]) -> Value {
    Value::texts(items)
}

/// An object from fields, the absent ones left out.
fn obj(fields: Vec<(&str, Option<Value>)>) -> Value {
    Value::fields(fields)
}

/// A lesson as pretty-printed JSON.
pub(super) fn write(lesson: &Lesson) -> String {
    let mut out = lesson_json(lesson).to_pretty();
    out.push('\n');
    out
}

fn lesson_json(l: &Lesson) -> Value {
    obj(vec![
        ("version", Some(Value::Whole(l.version.into()))),
        ("id", Some(s(&l.id))),
        ("title", Some(s(&l.title))),
        ("summary", Some(s(&l.summary))),
        ("settings", Some(settings_json(&l.settings))),
        (
            "actions",
            Some(Value::Array(
                l.actions
                    .iter()
                    .map(|a| {
                        obj(vec![
                            ("at_ms", Some(Value::Whole(a.at_ms))),
                            (
                                "plus_us",
                                (a.plus_us > 0).then(|| Value::Whole(a.plus_us.into())),
                            ),
                            ("action", Some(action_json(&a.action))),
                        ])
                    })
                    .collect(),
            )),
        ),
        (
            "steps",
            Some(Value::Array(l.steps.iter().map(step_json).collect())),
        ),
    ])
}

fn settings_json(st: &Settings) -> Value {
    let num = |n: Option<u64>| n.map(Value::Whole);
    obj(vec![
        ("seed", Some(Value::Whole(st.seed))),
        ("method", Some(method_json(st.method))),
        ("ack", Some(ack_json(&st.ack, Timeout::Absent))),
        ("followers", num(st.followers.map(u64::from))),
        ("spare", st.spare.map(Value::Bool)),
        ("clients", num(st.clients.map(u64::from))),
        ("fencing", st.fencing.map(Value::Bool)),
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
                Value::Array(
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
                                ("clock_skew_ms", sv.clock_skew_ms.map(Value::int)),
                                ("schema", sv.schema.as_deref().map(strings)),
                            ])
                        })
                        .collect(),
                )
            }),
        ),
        (
            "multi_leader",
            st.multi_leader.as_ref().map(multi_leader_json),
        ),
    ])
}

fn method_json(m: Method) -> Value {
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
            obj(vec![("context_events", Some(Value::Bool(context_events)))]),
        ),
    }
}

fn action_json(a: &ScriptAction) -> Value {
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
        ScriptAction::SetAck(policy) => tag("set_ack", ack_json(policy, Timeout::Absent)),
        ScriptAction::Checkpoint(n) => tag("checkpoint", s(n)),
        ScriptAction::Cancel(n) => tag("cancel", s(n)),
        ScriptAction::SetTopology(t) => tag("set_topology", s(topology_name(*t))),
        ScriptAction::SetReadRouting { client, routing } => tag(
            "set_read_routing",
            obj(vec![
                ("client", Some(s(client))),
                ("routing", Some(s(routing.name()))),
            ]),
        ),
    }
}

fn step_json(st: &Step) -> Value {
    obj(vec![
        ("at_ms", Some(Value::Whole(st.at_ms))),
        ("caption", Some(s(&st.caption))),
        ("highlight", st.highlight.as_ref().map(highlight_json)),
        (
            "question",
            st.question.as_ref().map(|q| {
                obj(vec![
                    ("prompt", Some(s(&q.prompt))),
                    ("choices", Some(strings(&q.choices))),
                    ("answer", Some(Value::Whole(q.answer.into()))),
                    ("reveal", Some(s(&q.reveal))),
                ])
            }),
        ),
        (
            "expect",
            (!st.expect.is_empty())
                .then(|| Value::Array(st.expect.iter().map(expect_json).collect())),
        ),
    ])
}

fn highlight_json(h: &Highlight) -> Value {
    obj(vec![
        ("nodes", (!h.nodes.is_empty()).then(|| strings(&h.nodes))),
        (
            "links",
            (!h.links.is_empty())
                .then(|| Value::Array(h.links.iter().map(|l| strings(l)).collect())),
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
                    ("index", Some(Value::Whole(r.index.into()))),
                ])
            }),
        ),
    ])
}

fn expect_json(e: &Expect) -> Value {
    let f = |fields: Vec<(&str, Value)>| {
        Value::fields(fields.into_iter().map(|(k, v)| (k, Some(v))).collect())
    };
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
                ("count", Value::Whole(*count)),
            ]),
        ),
        Expect::Check { name, count } => {
            let name = CHECKS
                .iter()
                .find(|(_, c)| c == name)
                .map_or("two_leaders", |(n, _)| n);
            tag(
                "check",
                f(vec![("name", s(name)), ("count", Value::Whole(*count))]),
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
