//! The host API's messages: what is for the lab, what is refused and why, replies carrying
//! the request's id, and which origins are taken.

use replication_lab::lab::api::{
    accepts, origin_of, parse, reply_error, reply_ok, update, Id, Report, Request,
};
use replication_lab::lab::{Lab, LabAction, LabSettings};
use serde_json::{json, Value};

fn incoming(message: Value) -> Option<replication_lab::lab::api::Incoming> {
    parse(&message.to_string())
}

fn request(message: Value) -> Result<Request, String> {
    incoming(message).expect("a message for the lab").request
}

/// A request of `type` with `fields`, as a host sends it.
fn m(kind: &str, fields: Value) -> Result<Request, String> {
    let mut message = json!({ "api": "replication-lab", "v": 1, "id": 7, "type": kind });
    let object = message.as_object_mut().unwrap();
    object.extend(fields.as_object().cloned().unwrap_or_default());
    request(message)
}

#[test]
fn other_scripts_messages_are_ignored() {
    assert_eq!(incoming(json!("hello")), None);
    assert_eq!(incoming(json!({ "type": "play" })), None);
    assert_eq!(
        incoming(json!({ "api": "other", "v": 1, "type": "play" })),
        None
    );
    assert_eq!(incoming(json!({ "api": 5, "type": "play" })), None);
    assert_eq!(incoming(json!(null)), None);
    assert_eq!(parse("not json"), None);
}

#[test]
fn every_request_type_is_read() {
    assert_eq!(m("play", json!({})), Ok(Request::Play));
    assert_eq!(m("pause", json!({})), Ok(Request::Pause));
    assert_eq!(m("step", json!({})), Ok(Request::Step));
    assert_eq!(m("step_back", json!({})), Ok(Request::StepBack));
    assert_eq!(
        m("seek", json!({ "time": 1500000 })),
        Ok(Request::Seek(1_500_000))
    );
    assert_eq!(m("get_state", json!({})), Ok(Request::GetState));
    assert_eq!(
        m("load_state", json!({ "state": "abc" })),
        Ok(Request::LoadState("abc".into()))
    );
    assert_eq!(
        m("load_lesson", json!({ "lesson": "failover" })),
        Ok(Request::LoadLesson {
            lesson: "failover".into(),
            step: None
        })
    );
    assert_eq!(
        m("go_to_step", json!({ "step": 2 })),
        Ok(Request::GoToStep(2))
    );
    assert_eq!(
        m("action", json!({ "action": { "crash": 0 } })),
        Ok(Request::Action(LabAction::Crash(0)))
    );
    // Fields a type does not read are ignored.
    assert_eq!(
        m("play", json!({ "time": 5, "extra": [1] })),
        Ok(Request::Play)
    );
}

#[test]
fn malformed_requests_say_what_was_wrong_and_keep_their_id() {
    let bad =
        incoming(json!({ "api": "replication-lab", "v": 2, "id": "a", "type": "play" })).unwrap();
    assert_eq!(bad.id, Id::Text("a".into()));
    assert_eq!(
        bad.request,
        Err("version 2 is not spoken here: this lab speaks version 1".into())
    );
    let bad = incoming(json!({ "api": "replication-lab", "id": 1, "type": "play" })).unwrap();
    assert_eq!(bad.id, Id::Number(1));
    assert!(bad.request.unwrap_err().contains("no version"));
    let unknown = m("dance", json!({})).unwrap_err();
    assert!(
        unknown.starts_with("unknown type `dance`: expected one of play, pause"),
        "{unknown}"
    );
    assert_eq!(
        m("seek", json!({})),
        Err("seek: missing field `time`".into())
    );
    let late = m("seek", json!({ "time": u64::MAX })).unwrap_err();
    assert!(late.contains("later than"), "{late}");
    let action = m("action", json!({ "action": "explode" })).unwrap_err();
    assert!(action.contains("unknown variant `explode`"), "{action}");
    let wrong = m("seek", json!({ "time": "soon" })).unwrap_err();
    assert!(wrong.contains("invalid type"), "{wrong}");
    // A malformed request still answers to its id; none or an odd one is null.
    let odd =
        incoming(json!({ "api": "replication-lab", "v": 1, "id": 9, "type": "seek", "time": -1 }))
            .unwrap();
    assert_eq!(odd.id, Id::Number(9));
    assert!(odd.request.is_err());
    let none = incoming(json!({ "api": "replication-lab", "v": 1, "type": "play" })).unwrap();
    assert_eq!(none.id, Id::None);
    let float =
        incoming(json!({ "api": "replication-lab", "v": 1, "id": 1.5, "type": "play" })).unwrap();
    assert_eq!(float.id, Id::None);
}

#[test]
fn replies_carry_the_id_and_say_ok_or_why_not() {
    let lab = Lab::new(LabSettings::default());
    let report = Report::of(&lab.view(), false, Some("abc".into()));
    let ok: Value = serde_json::from_str(&reply_ok(&Id::Number(3), &report)).unwrap();
    assert_eq!(
        (
            &ok["api"],
            &ok["v"],
            &ok["id"],
            &ok["ok"],
            &ok["time"],
            &ok["state"]
        ),
        (
            &json!("replication-lab"),
            &json!(1),
            &json!(3),
            &json!(true),
            &json!(0),
            &json!("abc")
        )
    );
    let leader = ok["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "leader")
        .unwrap();
    assert_eq!(leader["role"], "leader");
    assert_eq!(
        ok["nodes"].as_array().unwrap().len(),
        lab.view().nodes.len()
    );
    let error: Value = serde_json::from_str(&reply_error(&Id::Text("x".into()), "no")).unwrap();
    assert_eq!(
        error,
        json!({ "api": "replication-lab", "v": 1, "id": "x", "ok": false, "error": "no" })
    );
    let none: Value = serde_json::from_str(&reply_error(&Id::None, "no")).unwrap();
    assert_eq!(none["id"], Value::Null);
}

#[test]
fn updates_carry_the_time_step_and_new_events() {
    let mut lab = Lab::new(LabSettings::default());
    lab.perform(LabAction::Crash(1)).expect("crash follower-1");
    lab.seek(2_000_000);
    let events = lab.events(3);
    assert!(!events.is_empty());
    let u: Value = serde_json::from_str(&update(5, true, Some(2), &events)).unwrap();
    assert_eq!(
        (&u["type"], &u["time"], &u["step"], &u["playing"]),
        (&json!("update"), &json!(5), &json!(2), &json!(true))
    );
    assert_eq!(u["events"][0]["text"], json!(events[0].text));
}

#[test]
fn origins_are_taken_only_when_accepted() {
    let docs = vec!["https://docs.example".to_string()];
    assert!(accepts(&docs, "https://docs.example"));
    assert!(!accepts(&docs, "https://evil.example"));
    assert!(!accepts(&docs, "null"));
    assert!(!accepts(&[], "https://docs.example"));
    assert!(accepts(&["*".to_string()], "null"));
    assert_eq!(
        origin_of("https://Docs.Example:8443/ch5/?q#x").as_deref(),
        Some("https://docs.example:8443")
    );
    assert_eq!(
        origin_of("http://user@127.0.0.1:4000").as_deref(),
        Some("http://127.0.0.1:4000")
    );
    assert_eq!(origin_of(""), None);
    assert_eq!(origin_of("about:blank"), None);
    assert_eq!(origin_of("://x"), None);
}
