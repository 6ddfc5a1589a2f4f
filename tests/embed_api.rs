//! The host API's messages: what is for the lab, what is refused and why, replies carrying
//! the request's id, and which origins are taken.

use replication_lab::lab::api::{
    accepts, origin_of, parse, reply_error, reply_ok, state, update, Request,
};
use replication_lab::lab::{Lab, LabAction, LabSettings};
use serde_json::{json, Value};

fn request(message: Value) -> Result<Request, String> {
    parse(&message).expect("a message for the lab").request
}

#[test]
fn other_scripts_messages_are_ignored() {
    assert_eq!(parse(&json!("hello")), None);
    assert_eq!(parse(&json!({ "type": "play" })), None);
    assert_eq!(
        parse(&json!({ "api": "other", "v": 1, "type": "play" })),
        None
    );
    assert_eq!(parse(&json!(null)), None);
}

#[test]
fn every_request_type_is_read() {
    let m = |fields: Value| {
        let mut message = json!({ "api": "replication-lab", "v": 1, "id": 7 });
        message
            .as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        request(message)
    };
    assert_eq!(m(json!({ "type": "play" })), Ok(Request::Play));
    assert_eq!(m(json!({ "type": "pause" })), Ok(Request::Pause));
    assert_eq!(m(json!({ "type": "step" })), Ok(Request::Step));
    assert_eq!(m(json!({ "type": "step_back" })), Ok(Request::StepBack));
    assert_eq!(
        m(json!({ "type": "seek", "time": 1500000 })),
        Ok(Request::Seek { time: 1_500_000 })
    );
    assert_eq!(m(json!({ "type": "get_state" })), Ok(Request::GetState));
    assert_eq!(
        m(json!({ "type": "load_state", "state": "abc" })),
        Ok(Request::LoadState {
            state: "abc".into()
        })
    );
    assert_eq!(
        m(json!({ "type": "load_lesson", "lesson": "failover" })),
        Ok(Request::LoadLesson {
            lesson: "failover".into(),
            step: None
        })
    );
    assert_eq!(
        m(json!({ "type": "go_to_step", "step": 2 })),
        Ok(Request::GoToStep { step: 2 })
    );
    assert_eq!(
        m(json!({ "type": "action", "action": { "Crash": 0 } })),
        Ok(Request::Action {
            action: LabAction::Crash(0)
        })
    );
}

#[test]
fn malformed_requests_say_what_was_wrong_and_keep_their_id() {
    let bad =
        parse(&json!({ "api": "replication-lab", "v": 2, "id": "a", "type": "play" })).unwrap();
    assert_eq!(bad.id, json!("a"));
    assert_eq!(
        bad.request,
        Err("version 2 is not spoken here: this lab speaks version 1".into())
    );
    let bad = parse(&json!({ "api": "replication-lab", "id": 1, "type": "play" })).unwrap();
    assert!(bad.request.unwrap_err().contains("no version"));
    let unknown =
        request(json!({ "api": "replication-lab", "v": 1, "type": "dance" })).unwrap_err();
    assert!(unknown.contains("unknown variant `dance`"), "{unknown}");
    let missing = request(json!({ "api": "replication-lab", "v": 1, "type": "seek" })).unwrap_err();
    assert!(missing.contains("missing field `time`"), "{missing}");
    let late =
        request(json!({ "api": "replication-lab", "v": 1, "type": "seek", "time": u64::MAX }))
            .unwrap_err();
    assert!(late.contains("later than"), "{late}");
    let action =
        request(json!({ "api": "replication-lab", "v": 1, "type": "action", "action": "explode" }))
            .unwrap_err();
    assert!(action.contains("unknown variant"), "{action}");
    // No id: replies carry null.
    assert_eq!(
        parse(&json!({ "api": "replication-lab", "v": 1, "type": "play" }))
            .unwrap()
            .id,
        Value::Null
    );
}

#[test]
fn replies_carry_the_id_and_say_ok_or_why_not() {
    assert_eq!(
        reply_ok(&json!(3), json!({ "time": 5 })),
        json!({ "api": "replication-lab", "v": 1, "id": 3, "ok": true, "time": 5 })
    );
    assert_eq!(
        reply_error(&json!("x"), "no"),
        json!({ "api": "replication-lab", "v": 1, "id": "x", "ok": false, "error": "no" })
    );
}

#[test]
fn the_state_names_every_node_with_its_id_and_role() {
    let lab = Lab::new(LabSettings::default());
    let s = state(&lab.view(), false, Some("abc"));
    let leader = s["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "leader")
        .unwrap();
    assert_eq!(leader["role"], "leader");
    assert_eq!(s["nodes"].as_array().unwrap().len(), lab.view().nodes.len());
    assert_eq!(s["state"], "abc");
    let u = update(5, true, Some(2), &lab.events(5));
    assert_eq!(
        (u["type"].clone(), u["time"].clone(), u["step"].clone()),
        (json!("update"), json!(5), json!(2))
    );
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
