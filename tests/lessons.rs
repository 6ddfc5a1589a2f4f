//! The lessons: every built-in lesson runs to its end with its expected outcomes holding at
//! each step, forward and after going back; files round-trip; malformed files are refused
//! with the field path; and the checker can fail.

use replication_lab::lab::{json, Lab, LabAction, LabSettings};
use replication_lab::lesson::{self, Expect, Lesson, Runner};

/// Every step's outcomes at the step, as (step, expectation, held, found).
fn failures(runner: &Runner) -> Vec<String> {
    runner
        .outcomes()
        .into_iter()
        .filter(|o| !o.held)
        .map(|o| {
            format!(
                "{} step {}: {:?} — the lab shows {:?}",
                runner.lesson().id,
                runner.step_index(),
                o.expect,
                o.found
            )
        })
        .collect()
}

fn load(id: &str) -> Lesson {
    lesson::load_builtin(id).unwrap_or_else(|e| panic!("{id}: {e}"))
}

#[test]
fn every_built_in_lesson_runs_to_its_end_and_its_outcomes_hold() {
    let list = lesson::builtin();
    assert!(!list.is_empty());
    for info in &list {
        let lesson = load(&info.id);
        let mut runner = Runner::new(lesson.clone()).expect("runs");
        let mut bad = failures(&runner);
        // The outcomes seen going forward, for the way back.
        let mut seen = vec![runner.outcomes()];
        // And the world itself at each step: back must be exact, not merely alike.
        let state = |r: &Runner| (r.lab().time(), r.lab().world().trace_hash(), r.lab().view());
        let mut states = vec![state(&runner)];
        while runner.next_step() {
            bad.extend(failures(&runner));
            seen.push(runner.outcomes());
            states.push(state(&runner));
        }
        assert_eq!(runner.step_index(), lesson.steps.len() - 1);
        assert!(
            runner.refused().is_empty(),
            "{}: the lab refused scripted actions: {:?}",
            info.id,
            runner.refused()
        );
        assert!(bad.is_empty(), "{}", bad.join("\n"));
        // Back to each earlier step, then forward again: the same outcomes.
        for back in (0..lesson.steps.len()).rev() {
            runner.go_to(back);
            assert!(
                state(&runner) == states[back],
                "{} back at step {back}: another world",
                info.id
            );
            assert_eq!(
                runner.outcomes(),
                seen[back],
                "{} back at step {back}",
                info.id
            );
        }
        for (forward, outcomes) in seen.iter().enumerate() {
            runner.go_to(forward);
            assert!(
                state(&runner) == states[forward],
                "{} forward again at {forward}: another world",
                info.id
            );
            assert_eq!(
                &runner.outcomes(),
                outcomes,
                "{} forward again at {forward}",
                info.id
            );
        }
    }
}

#[test]
fn every_built_in_lesson_teaches_in_words_and_asks_questions() {
    let list = lesson::builtin();
    let mut with_questions = 0;
    for info in &list {
        let lesson = load(&info.id);
        assert!(
            !info.title.is_empty() && !info.summary.is_empty(),
            "{}",
            info.id
        );
        for (i, step) in lesson.steps.iter().enumerate() {
            assert!(
                !step.caption.trim().is_empty(),
                "{} step {i}: a caption",
                info.id
            );
            assert!(
                !step.caption.contains('<'),
                "{} step {i}: plain text, no HTML",
                info.id
            );
            assert!(
                step.caption.chars().count() <= 200,
                "{} step {i}: a short caption",
                info.id
            );
        }
        if lesson.steps.iter().any(|s| s.question.is_some()) {
            with_questions += 1;
        }
        assert!(
            lesson.steps.last().is_some_and(|s| !s.expect.is_empty()),
            "{}: the last step checks the outcome that teaches it",
            info.id
        );
    }
    assert!(
        with_questions * 4 >= list.len() * 3,
        "most lessons ask a question: {with_questions} of {}",
        list.len()
    );
}

#[test]
fn a_lesson_round_trips_through_json() {
    for info in lesson::builtin() {
        let lesson = load(&info.id);
        let text = lesson::to_json(&lesson);
        let again = lesson::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", info.id));
        assert_eq!(again, lesson);
        assert_eq!(lesson::to_json(&again), text);
    }
}

#[test]
fn lab_settings_and_actions_round_trip_through_json() {
    // Settings are written as a lesson's (a link carries the pickers' choices instead:
    // tests/links.rs).
    let settings = LabSettings::default();
    let lesson = lesson::from_session(&Lab::new(settings.clone()), "s", "Settings");
    let text = lesson::to_json(&lesson);
    assert!(text.contains("\"method\": \"wal\""), "{text}");
    assert_eq!(
        lesson::lab_settings(&lesson::parse(&text).unwrap()).unwrap(),
        settings
    );
    // Actions as links and the host API carry them.
    let actions = vec![
        LabAction::Crash(2),
        LabAction::Sql {
            client: 4,
            sql: "SELECT 1".into(),
        },
        LabAction::SetAck(replication_lab::lab::AckPolicy::Async),
    ];
    let text = json::actions_to_text(&actions);
    assert_eq!(
        text,
        r#"[{"crash":2},{"sql":{"client":4,"sql":"SELECT 1"}},{"set_ack":"async"}]"#
    );
    assert_eq!(json::actions_from_text(&text).unwrap(), actions);
}

/// The first built-in lesson's text with `from` replaced by `to` (once).
fn altered(from: &str, to: &str) -> String {
    let text = lesson::builtin_source("leaders-and-followers").unwrap();
    assert!(text.contains(from), "the fixture holds {from}");
    text.replacen(from, to, 1)
}

fn error_of(text: &str) -> lesson::LessonError {
    lesson::parse(text).expect_err("refused")
}

#[test]
fn malformed_files_are_refused_with_the_field_path() {
    // Bad JSON.
    let e = error_of(&altered(
        "\"caption\": \"Now an UPDATE",
        "\"caption\" \"Now an UPDATE",
    ));
    assert_eq!(e.path, "steps[3].caption");
    assert!(e.message.contains("not valid JSON"), "{e}");
    // An unknown node name, in a step's expectation and in an action.
    let e = error_of(&altered(
        "{ \"node\": \"follower-1\", \"table\"",
        "{ \"node\": \"folower-1\", \"table\"",
    ));
    assert_eq!(e.path, "steps[2].expect[1].row.node");
    assert!(e.message.contains("unknown node \"folower-1\""), "{e}");
    let e = error_of(&altered(
        "\"client\": \"client-1\"",
        "\"client\": \"client-9\"",
    ));
    assert_eq!(e.path, "actions[0].action.sql.client");
    // An unknown table.
    let e = error_of(&altered(
        "\"table\": \"orders\", \"key\": \"1\", \"column\": \"status\", \"equals\": \"paid\"",
        "\"table\": \"ordrs\", \"key\": \"1\", \"column\": \"status\", \"equals\": \"paid\"",
    ));
    assert_eq!(e.path, "steps[4].expect[0].row.table");
    assert!(e.message.contains("unknown table \"ordrs\""), "{e}");
    // A missing field.
    let e = error_of(&altered(
        "\"caption\": \"Now an UPDATE of the same row.\",",
        "",
    ));
    assert_eq!(e.path, "steps[3]");
    assert!(e.message.contains("missing field `caption`"), "{e}");
    // A misspelt field.
    let e = error_of(&altered("\"reveal\":", "\"revael\":"));
    assert_eq!(e.path, "steps[3].question.revael");
    assert!(e.message.contains("unknown field `revael`"), "{e}");
    // A wrong type.
    let e = error_of(&altered("\"answer\": 1", "\"answer\": \"1\""));
    assert_eq!(e.path, "steps[3].question.answer");
    // An unknown action.
    let e = error_of(&altered(
        "{ \"sql\": { \"client\"",
        "{ \"sqll\": { \"client\"",
    ));
    assert_eq!(e.path, "actions[0].action.sqll");
    assert!(e.message.contains("unknown variant `sqll`"), "{e}");
    // A newer version, even with fields this lab does not know.
    let e = error_of(&altered(
        "\"version\": 1,",
        "\"version\": 2, \"glossary\": [],",
    ));
    assert_eq!(e.path, "version");
    assert!(e.message.contains("version 2, newer"), "{e}");
    // An answer that is not a choice; steps out of order; a time too far.
    let e = error_of(&altered("\"answer\": 1", "\"answer\": 3"));
    assert_eq!(e.path, "steps[3].question.answer");
    let e = error_of(&altered("\"at_ms\": 2500", "\"at_ms\": 10"));
    assert_eq!(e.path, "steps[4].at_ms");
    let e = error_of(&altered(
        "\"at_ms\": 2500",
        "\"at_ms\": 18446744073709551615",
    ));
    assert_eq!(e.path, "steps[4].at_ms");
    // An action's microseconds past a whole millisecond.
    let e = error_of(&altered(
        "{ \"at_ms\": 500, \"action\"",
        "{ \"at_ms\": 500, \"plus_us\": 1000, \"action\"",
    ));
    assert_eq!(e.path, "actions[0].plus_us");
    // The file ends too soon.
    let text = lesson::builtin_source("leaders-and-followers").unwrap();
    let e = error_of(&text[..text.len() / 2]);
    assert!(e.message.contains("ends too soon"), "{e}");
}

#[test]
fn hostile_files_are_refused_without_panicking() {
    let long = "x".repeat(100_000);
    for text in [
        String::new(),
        "[]".to_string(),
        "{}".to_string(),
        "{\"version\": 1}".to_string(),
        "{\"version\": -1}".to_string(),
        "{\"version\": 1e400}".to_string(),
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[".repeat(100),
        altered("\"steps\": [", "\"steps\": [], \"x\": ["),
        altered("\"method\": \"wal\" }", "\"method\": \"wal\", \"x\": 1 }"),
        altered("\"method\": \"wal\" }", "\"method\": \"wal\", \"followers\": 4294967295 }"),
        altered("\"method\": \"wal\" }", "\"method\": \"wal\", \"clients\": 0 }"),
        altered("\"seed\": 1,", "\"seed\": 18446744073709551615, \"servers\": [{\"name\": \"leader\", \"clock_skew_ms\": -9223372036854775808}],"),
        altered("\"client\": \"client-1\"", &format!("\"client\": \"{long}\"")),
        altered("\"choices\": [\"From client-1 directly\", \"From the leader's log\", \"From follower-1\"]", "\"choices\": []"),
        altered("\"steps\": [", "\"steps\": [ ] , \"y\": ["),
    ] {
        let result = lesson::parse(&text);
        assert!(result.is_err(), "refused: {}", &text[..text.len().min(200)]);
        let e = result.unwrap_err();
        assert!(e.to_string().len() < 2_000, "a readable message: {e}");
    }
    // A long id is no error: it runs.
    let text = altered("\"leaders-and-followers\"", &format!("\"{long}\""));
    let lesson = lesson::parse(&text).expect("a long id is allowed");
    assert!(Runner::new(lesson).is_ok());
    // Empty steps.
    let mut lesson = load("leaders-and-followers");
    lesson.steps.clear();
    assert_eq!(Runner::new(lesson).unwrap_err().path, "steps");
}

#[test]
fn an_expectation_that_does_not_hold_is_reported_as_failed() {
    let mut lesson = load("leaders-and-followers");
    let last = lesson.steps.len() - 1;
    lesson.steps[last].expect = vec![
        Expect::Row {
            node: "follower-2".into(),
            table: "orders".into(),
            key: "1".into(),
            column: "status".into(),
            equals: "shipped".into(),
        },
        Expect::Role {
            node: "leader".into(),
            is: "follower".into(),
        },
        Expect::NoRow {
            node: "leader".into(),
            table: "orders".into(),
            key: "1".into(),
        },
        Expect::Error {
            client: "client-1".into(),
            contains: "ERROR".into(),
        },
    ];
    let mut runner = Runner::new(lesson).unwrap();
    runner.go_to(last);
    let outcomes = runner.outcomes();
    assert_eq!(outcomes.len(), 4);
    assert!(outcomes.iter().all(|o| !o.held), "{outcomes:?}");
    assert_eq!(outcomes[0].found, "paid");
    assert_eq!(outcomes[1].found, "leader");
}

#[test]
fn going_back_shows_exactly_the_step_seen_going_forward() {
    let mut runner = Runner::new(load("leaders-and-followers")).unwrap();
    let mut views = vec![(runner.lab().time(), runner.lab().view())];
    while runner.next_step() {
        views.push((runner.lab().time(), runner.lab().view()));
    }
    while runner.back() {
        let i = runner.step_index();
        assert_eq!(
            (runner.lab().time(), runner.lab().view()),
            views[i],
            "step {i}"
        );
    }
    runner.go_to(usize::MAX);
    assert_eq!(runner.step_index(), views.len() - 1);
}

#[test]
fn leaving_a_lesson_hands_back_the_lab_to_play_on() {
    let mut runner = Runner::new(load("leaders-and-followers")).unwrap();
    runner.go_to(1);
    let time = runner.lab().time();
    let mut lab: Lab = runner.leave();
    assert_eq!(lab.time(), time);
    lab.perform(LabAction::Crash(1)).expect("the lab plays on");
}

#[test]
fn a_session_becomes_a_lesson_that_replays_it() {
    let mut lab = Lab::new(LabSettings::default());
    // Not on a millisecond: the page acts at whatever time a frame shows.
    lab.seek(300_417);
    lab.perform(LabAction::Sql {
        client: 4,
        sql: "INSERT INTO orders (status) VALUES ('new')".into(),
    })
    .unwrap();
    lab.seek(1_000_999);
    lab.perform(LabAction::Crash(0)).unwrap();
    lab.seek(6_000_000);
    let lesson = lesson::from_session(&lab, "mine", "My session");
    assert_eq!(lesson.actions.len(), 2, "{:?}", lesson.actions);
    assert_eq!(
        (lesson.actions[0].at_ms, lesson.actions[0].plus_us),
        (300, 417)
    );
    assert!(lesson.steps.iter().all(|s| s.caption.is_empty()));
    let text = lesson::to_json(&lesson);
    let again = lesson::parse(&text).unwrap();
    let mut runner = Runner::new(again).unwrap();
    runner.go_to(usize::MAX);
    assert_eq!(runner.lab().time(), lab.time());
    assert_eq!(runner.lab().view(), lab.view());
    assert_eq!(runner.lab().world().trace_hash(), lab.world().trace_hash());
}

#[test]
fn the_built_in_lessons_are_the_chapters_moments_each_once() {
    let ids: Vec<String> = lesson::builtin().into_iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 20, "{ids:?}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are unique: {ids:?}");
    for id in &ids {
        assert_eq!(&load(id).id, id);
    }
    assert!(lesson::load_builtin("no-such-lesson").is_err());
}

#[test]
fn odd_but_valid_files_run_to_their_end_without_panicking() {
    let base = lesson::builtin_source("sync-vs-async").unwrap();
    let odd = [
        // Standbys that do not exist, and more of them than there are.
        base.replacen(
            "{ \"count\": 1, \"names\": [\"follower-1\"] }",
            "{ \"count\": 4294967295, \"names\": [] }",
            1,
        ),
        // A semi-sync timeout as long as time itself.
        base.replacen(
            "{ \"first\": { \"count\": 1, \"names\": [\"follower-1\"] } } }",
            "{ \"first\": { \"count\": 1, \"names\": [\"follower-1\"] } }, \"timeout\": 18446744073709551615 }",
            1,
        ),
        // No followers at all, one client, SQL that is not SQL.
        base.replacen(
            "\"failover_timeout_ms\": 0",
            "\"failover_timeout_ms\": 0, \"followers\": 0, \"spare\": false, \"clients\": 1",
            1,
        )
        .replace("INSERT INTO orders (status) VALUES ('sync')", "\\u0000 DROP EVERYTHING;;"),
    ];
    for text in odd {
        assert_ne!(text, base, "the fixture changed");
        let lesson = match lesson::parse(&text) {
            Ok(lesson) => lesson,
            Err(e) => {
                // Refusing is fine too, as long as it says where.
                assert!(!e.path.is_empty(), "{e}");
                continue;
            }
        };
        let mut runner = Runner::new(lesson).expect("runs");
        runner.go_to(usize::MAX);
        let _ = runner.outcomes();
        runner.go_to(0);
    }
}

#[test]
fn the_documented_example_is_a_lesson_that_runs_and_holds() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/lesson-format.md"
    ))
    .expect("docs/lesson-format.md");
    let start = doc.find("```json\n").expect("an example") + "```json\n".len();
    let end = start + doc[start..].find("```").expect("its end");
    let lesson = lesson::parse(&doc[start..end]).unwrap_or_else(|e| panic!("{e}"));
    let mut runner = Runner::new(lesson).unwrap();
    while runner.next_step() {}
    assert!(runner.refused().is_empty());
    let outcomes = runner.outcomes();
    assert_eq!(outcomes.len(), 3);
    assert!(outcomes.iter().all(|o| o.held), "{outcomes:?}");
}

#[test]
fn a_session_saved_as_a_lesson_keeps_its_labs_settings() {
    for info in lesson::builtin() {
        let lab = Runner::new(load(&info.id)).unwrap().leave();
        let saved = lesson::from_session(&lab, "saved", "Saved");
        assert_eq!(
            &lesson::lab_settings(&saved).unwrap(),
            lab.settings(),
            "{}",
            info.id
        );
    }
    // And the page's own default lab, under every method.
    for method in [
        replication_lab::lab::Method::Wal,
        replication_lab::lab::Method::Trigger,
        replication_lab::lab::Method::Statement {
            context_events: false,
        },
    ] {
        let settings = LabSettings {
            seed: 9,
            cluster: replication_lab::lab::ClusterConfig::lab_default(method),
        };
        let saved = lesson::from_session(&Lab::new(settings.clone()), "saved", "Saved");
        assert_eq!(
            lesson::lab_settings(&saved).unwrap(),
            settings,
            "{method:?}"
        );
    }
}

#[test]
fn a_multi_leader_session_becomes_a_lesson_that_replays_it() {
    use replication_lab::lab::{ClusterConfig, MultiLeaderConfig, Resolver, Topology};
    let mut cluster = ClusterConfig::multi_leader(
        3,
        MultiLeaderConfig {
            topology: Topology::Circular,
            resolver: Resolver::Merge,
            ..MultiLeaderConfig::default()
        },
    );
    cluster.servers[2].clock_skew = 1_500_000;
    let mut lab = Lab::new(LabSettings { seed: 4, cluster });
    lab.seek(200_000);
    lab.perform(LabAction::Sql {
        client: 3,
        sql: "INSERT INTO orders (id, status) VALUES (1, 'new')".into(),
    })
    .unwrap();
    lab.seek(700_000);
    lab.perform(LabAction::SetTopology(Topology::Star)).unwrap();
    lab.seek(1_500_000);
    let lesson = lesson::from_session(&lab, "mine", "My multi-leader session");
    // The topology change went to three leaders: one action in the lesson.
    assert_eq!(lesson.actions.len(), 2, "{:?}", lesson.actions);
    let again = lesson::parse(&lesson::to_json(&lesson)).unwrap();
    assert_eq!(again, lesson);
    let mut runner = Runner::new(again).unwrap();
    runner.go_to(usize::MAX);
    assert_eq!(runner.lab().settings(), lab.settings());
    assert_eq!(runner.lab().world().trace_hash(), lab.world().trace_hash());
}

#[test]
fn a_multi_leader_lesson_refuses_followers_and_other_methods_with_the_field_path() {
    let file = |settings: &str| {
        format!(
            r#"{{"version": 1, "id": "x", "title": "x", "summary": "x", "settings": {settings},
            "actions": [], "steps": [{{"at_ms": 0, "caption": "x"}}]}}"#
        )
    };
    let err = |settings: &str| lesson::parse(&file(settings)).unwrap_err().to_string();
    assert!(
        err(r#"{"method": "wal", "multi_leader": {}}"#).starts_with("settings.method"),
        "{}",
        err(r#"{"method": "wal", "multi_leader": {}}"#)
    );
    let full = r#""method": {"logical": {"image": "full"}}"#;
    assert!(err(&format!(
        r#"{{{full}, "followers": 1, "multi_leader": {{}}}}"#
    ))
    .starts_with("settings.followers"));
    assert!(
        err(&format!(r#"{{{full}, "multi_leader": {{"leaders": 5}}}}"#))
            .starts_with("settings.multi_leader.leaders")
    );
    assert!(err(&format!(
        r#"{{{full}, "multi_leader": {{"topology": "mesh"}}}}"#
    ))
    .contains("mesh"));
    assert!(lesson::parse(&file(&format!(r#"{{{full}, "multi_leader": {{}}}}"#))).is_ok());
}
