//! The lab's values in JSON: a [`LabAction`] as links and the host API carry it, and an
//! [`AckPolicy`], which lesson files write the same way. Externally tagged in snake_case —
//! `{"crash": 2}`, `{"sql": {"client": 4, "sql": "SELECT 1"}}`, `{"set_ack": "async"}` —,
//! nodes by id (a lesson file names them instead: `crate::lesson::format::ScriptAction`),
//! unknown fields refused. Read and written over [`crate::json`]; nothing here knows a link
//! or a message.

use super::{AckPolicy, LabAction, ReadRouting, Resolver, Topology};
use crate::json::{self, small, tagged, text, texts, whole, Error, Obj, Value};
use crate::replication::config::{AckStage, StandbySet};
use crate::sim::Time;

type Result<T> = std::result::Result<T, Error>;

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

/// An action from its JSON at `path`.
pub fn action(v: &Value, path: &str) -> Result<LabAction> {
    let (tag, content, path) = tagged(v, path, ACTIONS)?;
    let node = || small(content, &path);
    let pair = || -> Result<(u32, u32)> {
        let o = Obj::new(content, &path, &["a", "b"])?;
        Ok((o.get("a", small)?, o.get("b", small)?))
    };
    Ok(match tag {
        "sql" => {
            let o = Obj::new(content, &path, &["client", "sql"])?;
            LabAction::Sql {
                client: o.get("client", small)?,
                sql: o.get("sql", text)?,
            }
        }
        "sql_on" => {
            let o = Obj::new(content, &path, &["client", "server", "sql"])?;
            LabAction::SqlOn {
                client: o.get("client", small)?,
                server: o.get("server", small)?,
                sql: o.get("sql", text)?,
            }
        }
        "crash" => LabAction::Crash(node()?),
        "restart" => LabAction::Restart(node()?),
        "promote" => LabAction::Promote(node()?),
        "join" => LabAction::Join(node()?),
        "rejoin" => LabAction::Rejoin(node()?),
        "partition" => {
            let (a, b) = pair()?;
            LabAction::Partition { a, b }
        }
        "heal" => {
            let (a, b) = pair()?;
            LabAction::Heal { a, b }
        }
        "set_ack" => LabAction::SetAck(ack(content, &path)?),
        "checkpoint" => LabAction::Checkpoint(node()?),
        "set_read_routing" => {
            let o = Obj::new(content, &path, &["client", "routing"])?;
            LabAction::SetReadRouting {
                client: o.get("client", small)?,
                routing: o.get("routing", routing)?,
            }
        }
        "set_topology" => LabAction::SetTopology(topology(content, &path)?),
        _ => LabAction::Cancel(node()?),
    })
}

/// A multi-leader topology's name in JSON: `"circular"`, `"star"`, `"all_to_all"`.
pub fn topology_name(t: Topology) -> &'static str {
    match t {
        Topology::Circular => "circular",
        Topology::Star => "star",
        Topology::AllToAll => "all_to_all",
    }
}

/// A conflict resolver's name in JSON: `"last_write_wins"`…
pub fn resolver_name(r: Resolver) -> &'static str {
    match r {
        Resolver::LastWriteWins => "last_write_wins",
        Resolver::HighestReplicaId => "highest_replica_id",
        Resolver::Merge => "merge",
        Resolver::Siblings => "siblings",
        Resolver::HomeLeader => "home_leader",
    }
}

/// A conflict resolver: `"siblings"`.
pub fn resolver(v: &Value, path: &str) -> Result<Resolver> {
    let names = Resolver::ALL.map(resolver_name);
    let name = tagged(v, path, &names)?.0;
    Ok(Resolver::ALL
        .into_iter()
        .find(|r| resolver_name(*r) == name)
        .unwrap_or(Resolver::LastWriteWins))
}

/// A multi-leader topology: `"all_to_all"`.
pub fn topology(v: &Value, path: &str) -> Result<Topology> {
    let names = Topology::ALL.map(topology_name);
    let name = tagged(v, path, &names)?.0;
    Ok(Topology::ALL
        .into_iter()
        .find(|t| topology_name(*t) == name)
        .unwrap_or(Topology::AllToAll))
}

/// An action as JSON; read back by [`action`].
pub fn action_json(a: &LabAction) -> Value {
    let n = |n: &u32| Value::Whole(u64::from(*n));
    let pair = |a: &u32, b: &u32| Value::fields(vec![("a", Some(n(a))), ("b", Some(n(b)))]);
    let (tag, content) = match a {
        LabAction::Sql { client, sql } => (
            "sql",
            Value::fields(vec![
                ("client", Some(n(client))),
                ("sql", Some(Value::text(sql))),
            ]),
        ),
        LabAction::SqlOn {
            client,
            server,
            sql,
        } => (
            "sql_on",
            Value::fields(vec![
                ("client", Some(n(client))),
                ("server", Some(n(server))),
                ("sql", Some(Value::text(sql))),
            ]),
        ),
        LabAction::Crash(node) => ("crash", n(node)),
        LabAction::Restart(node) => ("restart", n(node)),
        LabAction::Promote(node) => ("promote", n(node)),
        LabAction::Join(node) => ("join", n(node)),
        LabAction::Rejoin(node) => ("rejoin", n(node)),
        LabAction::Partition { a, b } => ("partition", pair(a, b)),
        LabAction::Heal { a, b } => ("heal", pair(a, b)),
        LabAction::SetAck(policy) => ("set_ack", ack_json(policy, Timeout::Null)),
        LabAction::Checkpoint(node) => ("checkpoint", n(node)),
        LabAction::Cancel(node) => ("cancel", n(node)),
        LabAction::SetTopology(t) => ("set_topology", Value::text(topology_name(*t))),
        LabAction::SetReadRouting { client, routing } => (
            "set_read_routing",
            Value::fields(vec![
                ("client", Some(n(client))),
                ("routing", Some(Value::text(routing.name()))),
            ]),
        ),
    };
    Value::tagged(tag, content)
}

/// A read-routing setting: `"any_follower"`.
pub fn routing(v: &Value, path: &str) -> Result<ReadRouting> {
    let names = ReadRouting::ALL.map(ReadRouting::name);
    Ok(ReadRouting::named(tagged(v, path, &names)?.0).unwrap_or_default())
}

/// An acknowledgement policy: `"async"`, or `{"sync": {"stage": "flush", "standbys":
/// {"first": {"count": 1, "names": ["follower-1"]}}, "timeout": 10000000}}` (microseconds;
/// absent or null: no timeout).
pub fn ack(v: &Value, path: &str) -> Result<AckPolicy> {
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

/// How a policy without a timeout writes it: `"timeout": null` (links, as they always have
/// been written) or not at all (lesson files).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    Null,
    Absent,
}

/// An acknowledgement policy as JSON; read back by [`ack`].
pub fn ack_json(a: &AckPolicy, none: Timeout) -> Value {
    match a {
        AckPolicy::Async => Value::text("async"),
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
            let set = Value::fields(vec![
                ("count", Some(Value::Whole(u64::from(*count)))),
                ("names", Some(Value::texts(names))),
            ]);
            let timeout = match (timeout, none) {
                (Some(t), _) => Some(Value::Whole(t.as_micros())),
                (None, Timeout::Null) => Some(Value::Null),
                (None, Timeout::Absent) => None,
            };
            Value::tagged(
                "sync",
                Value::fields(vec![
                    ("stage", Some(Value::text(stage))),
                    ("standbys", Some(Value::tagged(kind, set))),
                    ("timeout", timeout),
                ]),
            )
        }
    }
}

/// Actions as a JSON list: `[{"crash":2},{"set_ack":"async"}]`.
pub fn actions_to_text(actions: &[LabAction]) -> String {
    Value::Array(actions.iter().map(action_json).collect()).to_text()
}

/// Actions from a JSON list, an error naming the path of the first one wrong.
pub fn actions_from_text(text: &str) -> Result<Vec<LabAction>> {
    json::list(&json::parse(text)?, "", action)
}
