//! The host API's messages, as data: what a page embedding the lab may ask of it through
//! `postMessage`, the replies (carrying the request's `id`) and the updates the lab pushes,
//! and which origins a message is taken from. Documented in `docs/embed-api.md`.
//!
//! Every message is an object `{"api": "replication-lab", "v": 1, "id": …, "type": …}`.
//! Messages without that `api` are another script's and are ignored; a wrong version, an
//! unknown type or a malformed field gets an error reply naming it. Parsing never panics on
//! what a page sends. This module must not know the DOM (the UI's `host_api` does).

use serde::Deserialize;
use serde_json::{json, Value};

use super::link::MAX_TIME;
use super::narrate::EventLine;
use super::LabAction;
use crate::view::{Micros, View};

/// The `api` field every message carries.
pub const API: &str = "replication-lab";
/// The version this lab speaks.
pub const VERSION: u64 = 1;

/// What a host asks.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Request {
    Play,
    Pause,
    /// To the next visible moment.
    Step,
    /// Back to the previous visible moment.
    StepBack,
    /// To a virtual time, in microseconds.
    Seek {
        time: Micros,
    },
    /// A link's state (the `state=` value, or a whole link holding one).
    LoadState {
        state: String,
    },
    LoadLesson {
        lesson: String,
        #[serde(default)]
        step: Option<u32>,
    },
    GoToStep {
        step: u32,
    },
    /// An action now, as a lesson writes it (`{"Crash": 0}`); the actions after now are
    /// forgotten, as when a person acts.
    Action {
        action: LabAction,
    },
    GetState,
}

/// A message from a host that is for the lab.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// The request's id, echoed in the reply (`null` when it had none).
    pub id: Value,
    /// The request, or why it could not be read.
    pub request: Result<Request, String>,
}

/// Reads a message's JSON: `None` when it is not for the lab (another script's message).
pub fn parse(message: &Value) -> Option<Incoming> {
    let object = message.as_object()?;
    if object.get("api").and_then(Value::as_str) != Some(API) {
        return None;
    }
    let id = object.get("id").cloned().unwrap_or(Value::Null);
    let request = match object.get("v").and_then(Value::as_u64) {
        Some(VERSION) => read_request(message),
        Some(v) => Err(format!(
            "version {v} is not spoken here: this lab speaks version {VERSION}"
        )),
        None => Err("the message has no version (\"v\": 1)".to_string()),
    };
    Some(Incoming { id, request })
}

fn read_request(message: &Value) -> Result<Request, String> {
    let request = Request::deserialize(message).map_err(|e| e.to_string())?;
    if let Request::Seek { time } = request {
        if time > MAX_TIME {
            return Err(format!(
                "seek to {time} µs is later than the {MAX_TIME} µs the lab computes"
            ));
        }
    }
    Ok(request)
}

/// A success reply to `id`, with `fields` merged in (an object, or nothing).
pub fn reply_ok(id: &Value, fields: Value) -> Value {
    let mut reply = json!({ "api": API, "v": VERSION, "id": id, "ok": true });
    if let (Some(reply), Value::Object(fields)) = (reply.as_object_mut(), fields) {
        reply.extend(fields);
    }
    reply
}

/// An error reply to `id`, saying why.
pub fn reply_error(id: &Value, error: &str) -> Value {
    json!({ "api": API, "v": VERSION, "id": id, "ok": false, "error": error })
}

/// What `get_state` answers and updates carry: the time, whether it plays, the cluster's
/// nodes (ids for actions, names, roles and states) and the link of this moment.
pub fn state(view: &View, playing: bool, link: Option<&str>) -> Value {
    let nodes: Vec<Value> = view
        .nodes
        .iter()
        .map(|n| json!({ "id": n.id, "name": n.name, "role": n.role.text, "state": n.state }))
        .collect();
    json!({ "time": view.time, "playing": playing, "nodes": nodes, "state": link })
}

/// The update pushed to the host when the lab moved or something happened: the time, the
/// lesson step if any, and the events since the last update (their sentences).
pub fn update(time: Micros, playing: bool, step: Option<u32>, events: &[EventLine]) -> Value {
    let events: Vec<Value> = events
        .iter()
        .map(|e| json!({ "time": e.time, "text": e.text, "important": e.important }))
        .collect();
    json!({ "api": API, "v": VERSION, "type": "update", "time": time, "playing": playing,
            "step": step, "events": events })
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
        | LabAction::Cancel(client) => *client,
        LabAction::Crash(n)
        | LabAction::Restart(n)
        | LabAction::Promote(n)
        | LabAction::Join(n)
        | LabAction::Rejoin(n)
        | LabAction::Checkpoint(n) => *n,
        LabAction::Partition { a, .. } | LabAction::Heal { a, .. } => *a,
        LabAction::SetAck(_) => 0,
    }
}
