//! The host API's messages, as data: what a page embedding the lab may ask of it through
//! `postMessage`, the replies (carrying the request's `id`) and the updates the lab pushes,
//! and which origins a message is taken from. Documented in `docs/embed-api.md`.
//!
//! Every message is an object `{"api": "replication-lab", "v": 1, "id": …, "type": …}`.
//! Messages without that `api` are another script's and are ignored; a wrong version, an
//! unknown type or a malformed field gets an error reply naming it. Parsing never panics on
//! what a page sends. This module must not know the DOM (the UI's `host_api` does).

use super::json::action;
use super::link::MAX_TIME;
use super::narrate::EventLine;
use super::LabAction;
use crate::json::{self, small, text, whole, Kind, Obj, Value};
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

impl Id {
    /// The id a message carries: a whole number that fits 64 bits signed, a string, or none
    /// (absent, null, or anything else).
    fn of(message: &Value) -> Id {
        match message.get("id") {
            Some(Value::String(text)) => Id::Text(text.clone()),
            Some(n) => n.as_i64().map_or(Id::None, Id::Number),
            None => Id::None,
        }
    }

    fn json(&self) -> Value {
        match self {
            Id::None => Value::Null,
            Id::Number(n) => Value::int(*n),
            Id::Text(text) => Value::text(text),
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

/// Reads a message's JSON text: `None` when it is not for the lab (another script's).
pub fn parse(json: &str) -> Option<Incoming> {
    let message = json::parse(json).ok()?;
    if message.get("api").and_then(Value::as_str) != Some(API) {
        return None;
    }
    let id = Id::of(&message);
    let request = Message::read(&message)
        .map_err(|e| match e.kind {
            Kind::Type => format!("invalid type: {e}"),
            _ => e.to_string(),
        })
        .and_then(read_request);
    Some(Incoming { id, request })
}

/// Every field a request may have, read with its type; a field no request has is ignored.
struct Message {
    v: Option<u64>,
    kind: Option<String>,
    time: Option<Micros>,
    state: Option<String>,
    lesson: Option<String>,
    step: Option<u32>,
    action: Option<LabAction>,
}

impl Message {
    fn read(message: &Value) -> Result<Message, json::Error> {
        let fields = &[
            "api", "v", "id", "type", "time", "state", "lesson", "step", "action",
        ];
        let o = Obj::open(message, "", fields)?;
        Ok(Message {
            v: o.maybe("v", whole)?,
            kind: o.maybe("type", text)?,
            time: o.maybe("time", whole)?,
            state: o.maybe("state", text)?,
            lesson: o.maybe("lesson", text)?,
            step: o.maybe("step", small)?,
            action: o.maybe("action", action)?,
        })
    }
}

fn read_request(message: Message) -> Result<Request, String> {
    let Message {
        v,
        kind,
        time,
        state,
        lesson,
        step,
        action,
    } = message;
    match v {
        Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "version {v} is not spoken here: this lab speaks version {VERSION}"
            ))
        }
        None => return Err("the message has no version (\"v\": 1)".to_string()),
    }
    let kind = kind.ok_or_else(|| format!("the message has no type (one of {TYPES})"))?;
    let missing = |field: &str| format!("{kind}: missing field `{field}`");
    Ok(match kind.as_str() {
        "play" => Request::Play,
        "pause" => Request::Pause,
        "step" => Request::Step,
        "step_back" => Request::StepBack,
        "get_state" => Request::GetState,
        "seek" => {
            let time = time.ok_or_else(|| missing("time"))?;
            if time > MAX_TIME {
                return Err(format!(
                    "seek to {time} µs is later than the {MAX_TIME} µs the lab computes"
                ));
            }
            Request::Seek(time)
        }
        "load_state" => Request::LoadState(state.ok_or_else(|| missing("state"))?),
        "load_lesson" => Request::LoadLesson {
            lesson: lesson.ok_or_else(|| missing("lesson"))?,
            step,
        },
        "go_to_step" => Request::GoToStep(step.ok_or_else(|| missing("step"))?),
        "action" => Request::Action(action.ok_or_else(|| missing("action"))?),
        other => return Err(format!("unknown type `{other}`: expected one of {TYPES}")),
    })
}

/// A node as a host sees it: its id (for actions), name, role and state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeReport {
    pub id: u32,
    pub name: String,
    pub role: &'static str,
    pub state: String,
}

/// What `get_state` answers and every reply carries: the time, whether it plays, the
/// cluster's nodes and the link state of this moment.
#[derive(Clone, Debug, PartialEq, Eq)]
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

/// The fields every message from the lab starts with.
fn head(id: Option<&Id>, ok: Option<bool>) -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("api", Some(Value::text(API))),
        ("v", Some(Value::Whole(VERSION))),
        ("id", id.map(Id::json)),
        ("ok", ok.map(Value::Bool)),
    ]
}

/// A success reply to `id`, with the lab's report (JSON text).
pub fn reply_ok(id: &Id, report: &Report) -> String {
    let nodes = report.nodes.iter().map(|n| {
        Value::fields(vec![
            ("id", Some(Value::Whole(n.id.into()))),
            ("name", Some(Value::text(&n.name))),
            ("role", Some(Value::text(n.role))),
            ("state", Some(Value::text(&n.state))),
        ])
    });
    let mut fields = head(Some(id), Some(true));
    fields.extend([
        ("time", Some(Value::Whole(report.time))),
        ("playing", Some(Value::Bool(report.playing))),
        ("nodes", Some(Value::Array(nodes.collect()))),
        ("state", report.state.as_deref().map(Value::text)),
    ]);
    Value::fields(fields).to_text()
}

/// An error reply to `id`, saying why (JSON text).
pub fn reply_error(id: &Id, error: &str) -> String {
    let mut fields = head(Some(id), Some(false));
    fields.push(("error", Some(Value::text(error))));
    Value::fields(fields).to_text()
}

/// The update pushed to the host when the lab moved or something happened: the time, the
/// lesson step if any (`null` outside a lesson), and the events since the last update (their
/// sentences). JSON text.
pub fn update(time: Micros, playing: bool, step: Option<u32>, events: &[EventLine]) -> String {
    let events = events.iter().map(|e| {
        Value::fields(vec![
            ("time", Some(Value::Whole(e.time))),
            ("text", Some(Value::text(&e.text))),
            ("important", Some(Value::Bool(e.important))),
        ])
    });
    let mut fields = head(None, None);
    fields.extend([
        ("type", Some(Value::text("update"))),
        ("time", Some(Value::Whole(time))),
        ("playing", Some(Value::Bool(playing))),
        (
            "step",
            Some(step.map_or(Value::Null, |s| Value::Whole(s.into()))),
        ),
        ("events", Some(Value::Array(events.collect()))),
    ]);
    Value::fields(fields).to_text()
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
