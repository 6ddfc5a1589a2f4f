//! The host API's messages, as data: what a page embedding the lab may ask of it through
//! `postMessage`, the replies (carrying the request's `id`) and the updates the lab pushes,
//! and which origins a message is taken from. Documented in `docs/embed-api.md`.
//!
//! Every message is an object `{"api": "replication-lab", "v": 1, "id": …, "type": …}`.
//! Messages without that `api` are another script's and are ignored; a wrong version, an
//! unknown type or a malformed field gets an error reply naming it. Parsing never panics on
//! what a page sends. This module must not know the DOM (the UI's `host_api` does).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::link::MAX_TIME;
use super::narrate::EventLine;
use super::LabAction;
use crate::view::{Micros, View};

/// The `api` field every message carries.
pub const API: &str = "replication-lab";
/// The version this lab speaks.
pub const VERSION: u64 = 1;

/// What a host asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    Play,
    Pause,
    /// To the next visible moment.
    Step,
    /// Back to the previous visible moment.
    StepBack,
    /// To a virtual time, in microseconds.
    Seek(Micros),
    /// A link's state (the `state=` value, or a whole link holding one).
    LoadState(String),
    LoadLesson {
        lesson: String,
        step: Option<u32>,
    },
    GoToStep(u32),
    /// An action now, as a lesson writes it (`{"crash": 0}`); the actions after now are
    /// forgotten, as when a person acts.
    Action(LabAction),
    GetState,
}

/// The types a request may have, in the words of the errors.
const TYPES: &str = "play, pause, step, step_back, seek, load_state, load_lesson, go_to_step, \
                     action, get_state";

/// A request's id, echoed in its reply as it came: a number, a string, or none (`null`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Id {
    #[default]
    None,
    Number(i64),
    Text(String),
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Id, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Id;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an integer or a string")
            }
            fn visit_i64<E>(self, n: i64) -> Result<Id, E> {
                Ok(Id::Number(n))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Id, E> {
                i64::try_from(n).map(Id::Number).map_err(E::custom)
            }
            fn visit_str<E>(self, text: &str) -> Result<Id, E> {
                Ok(Id::Text(text.to_string()))
            }
            fn visit_unit<E>(self) -> Result<Id, E> {
                Ok(Id::None)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Id::None => serializer.serialize_none(),
            Id::Number(n) => serializer.serialize_i64(*n),
            Id::Text(text) => serializer.serialize_str(text),
        }
    }
}

/// A message from a host that is for the lab.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// The request's id, echoed in the reply.
    pub id: Id,
    /// The request, or why it could not be read.
    pub request: Result<Request, String>,
}

/// Whose a message is: only its `api`, whatever else it holds.
#[derive(Deserialize)]
struct Whose {
    api: Option<String>,
}

/// Only a message's id, so that a malformed request is still answered to it.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(default)]
    id: Id,
}

/// Every field a request may have.
#[derive(Deserialize)]
struct Message {
    v: Option<u64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    time: Option<Micros>,
    state: Option<String>,
    lesson: Option<String>,
    step: Option<u32>,
    action: Option<LabAction>,
}

/// Reads a message's JSON text: `None` when it is not for the lab (another script's).
pub fn parse(json: &str) -> Option<Incoming> {
    let whose: Whose = serde_json::from_str(json).ok()?;
    if whose.api.as_deref() != Some(API) {
        return None;
    }
    let id = serde_json::from_str::<IdOnly>(json)
        .map(|only| only.id)
        .unwrap_or_default();
    let request = serde_json::from_str::<Message>(json)
        .map_err(|e| e.to_string())
        .and_then(read_request);
    Some(Incoming { id, request })
}

fn read_request(message: Message) -> Result<Request, String> {
    match message.v {
        Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "version {v} is not spoken here: this lab speaks version {VERSION}"
            ))
        }
        None => return Err("the message has no version (\"v\": 1)".to_string()),
    }
    let kind = message
        .kind
        .ok_or_else(|| format!("the message has no type (one of {TYPES})"))?;
    let missing = |field: &str| format!("{kind}: missing field `{field}`");
    Ok(match kind.as_str() {
        "play" => Request::Play,
        "pause" => Request::Pause,
        "step" => Request::Step,
        "step_back" => Request::StepBack,
        "get_state" => Request::GetState,
        "seek" => {
            let time = message.time.ok_or_else(|| missing("time"))?;
            if time > MAX_TIME {
                return Err(format!(
                    "seek to {time} µs is later than the {MAX_TIME} µs the lab computes"
                ));
            }
            Request::Seek(time)
        }
        "load_state" => Request::LoadState(message.state.ok_or_else(|| missing("state"))?),
        "load_lesson" => Request::LoadLesson {
            lesson: message.lesson.ok_or_else(|| missing("lesson"))?,
            step: message.step,
        },
        "go_to_step" => Request::GoToStep(message.step.ok_or_else(|| missing("step"))?),
        "action" => Request::Action(message.action.ok_or_else(|| missing("action"))?),
        other => return Err(format!("unknown type `{other}`: expected one of {TYPES}")),
    })
}

/// A node as a host sees it: its id (for actions), name, role and state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NodeReport {
    pub id: u32,
    pub name: String,
    pub role: &'static str,
    pub state: String,
}

/// What `get_state` answers and every reply carries: the time, whether it plays, the
/// cluster's nodes and the link state of this moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub time: Micros,
    pub playing: bool,
    pub nodes: Vec<NodeReport>,
    pub state: Option<String>,
}

impl Report {
    pub fn of(view: &View, playing: bool, link: Option<String>) -> Report {
        let nodes = view
            .nodes
            .iter()
            .map(|n| NodeReport {
                id: n.id,
                name: n.name.clone(),
                role: n.role.text,
                state: n.state.clone(),
            })
            .collect();
        Report {
            time: view.time,
            playing,
            nodes,
            state: link,
        }
    }
}

#[derive(Serialize)]
struct Reply<'a> {
    api: &'static str,
    v: u64,
    id: &'a Id,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<Micros>,
    #[serde(skip_serializing_if = "Option::is_none")]
    playing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nodes: Option<&'a [NodeReport]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state: Option<&'a str>,
}

/// A success reply to `id`, with the lab's report (JSON text).
pub fn reply_ok(id: &Id, report: &Report) -> String {
    to_json(&Reply {
        api: API,
        v: VERSION,
        id,
        ok: true,
        error: None,
        time: Some(report.time),
        playing: Some(report.playing),
        nodes: Some(&report.nodes),
        state: report.state.as_deref(),
    })
}

/// An error reply to `id`, saying why (JSON text).
pub fn reply_error(id: &Id, error: &str) -> String {
    to_json(&Reply {
        api: API,
        v: VERSION,
        id,
        ok: false,
        error: Some(error),
        time: None,
        playing: None,
        nodes: None,
        state: None,
    })
}

#[derive(Serialize)]
struct Update<'a> {
    api: &'static str,
    v: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    time: Micros,
    playing: bool,
    step: Option<u32>,
    events: Vec<EventReport<'a>>,
}

#[derive(Serialize)]
struct EventReport<'a> {
    time: Micros,
    text: &'a str,
    important: bool,
}

/// The update pushed to the host when the lab moved or something happened: the time, the
/// lesson step if any, and the events since the last update (their sentences). JSON text.
pub fn update(time: Micros, playing: bool, step: Option<u32>, events: &[EventLine]) -> String {
    to_json(&Update {
        api: API,
        v: VERSION,
        kind: "update",
        time,
        playing,
        step,
        events: events
            .iter()
            .map(|e| EventReport {
                time: e.time,
                text: &e.text,
                important: e.important,
            })
            .collect(),
    })
}

/// Structs of strings, integers and booleans always serialize.
fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Whether a message from `origin` is taken, given the origins accepted (`*` takes any).
pub fn accepts(accepted: &[String], origin: &str) -> bool {
    accepted.iter().any(|a| a == "*" || a == origin)
}

/// The origin (`scheme://host[:port]`) of an absolute URL, as a browser writes it; `None`
/// for anything else (an empty referrer, `about:blank`).
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit('@').next()?;
    if host.is_empty() {
        return None;
    }
    Some(format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    ))
}

/// The node an action is about (for the refusal the page shows next to it).
pub fn subject(action: &LabAction) -> u32 {
    match action {
        LabAction::Sql { client, .. }
        | LabAction::SqlOn { client, .. }
        | LabAction::SetReadRouting { client, .. }
        | LabAction::Cancel(client) => *client,
        LabAction::Crash(n)
        | LabAction::Restart(n)
        | LabAction::Promote(n)
        | LabAction::Join(n)
        | LabAction::Rejoin(n)
        | LabAction::Checkpoint(n) => *n,
        LabAction::Partition { a, .. } | LabAction::Heal { a, .. } => *a,
        LabAction::SetAck(_) | LabAction::SetTopology(_) => 0,
    }
}
