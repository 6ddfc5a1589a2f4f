//! Links: the lab's state written into a URL and read back. A link reopened shows the same
//! trace (its hash) and the same view; a malformed or hostile link is refused with a sentence
//! saying what was wrong, never a panic.

use replication_lab::lab::controls::{AckChoice, MethodChoice};
use replication_lab::lab::link::{
    embed_snippet, replay, LinkError, LinkState, Params, MAX_ACTIONS, MAX_STATE_CHARS, MAX_TIME,
};
use replication_lab::lab::{ClusterConfig, Lab, LabAction, LabSettings, Later};

fn default_lab() -> Lab {
    Lab::new(LabSettings::default())
}

fn id(lab: &Lab, name: &str) -> u32 {
    lab.view()
        .nodes
        .iter()
        .find(|n| n.name == name)
        .map(|n| n.id)
        .unwrap_or_else(|| panic!("no node {name}"))
}

fn insert(lab: &Lab, client: &str, status: &str) -> LabAction {
    LabAction::Sql {
        client: id(lab, client),
        sql: format!("INSERT INTO orders (status) VALUES ('{status}')"),
    }
}

/// Writes `lab` into a link, reads it back and replays it: the same trace and view.
fn assert_reopens_the_same(lab: &Lab) -> String {
    let state = LinkState::of(lab).expect("a picker-built lab is linkable");
    let text = state.encode();
    let decoded = LinkState::decode(&text).expect("its own link decodes");
    assert_eq!(decoded, state, "the state round-trips");
    let reopened = replay(&decoded).expect("its own link replays");
    assert_eq!(reopened.time(), lab.time());
    assert_eq!(reopened.settings(), lab.settings());
    assert_eq!(
        reopened.world().trace().hash(),
        lab.world().trace().hash(),
        "the same trace: {:?}",
        reopened
            .world()
            .trace()
            .first_difference(lab.world().trace())
    );
    assert_eq!(reopened.view(), lab.view(), "the same view");
    assert_eq!(
        reopened.taken(),
        lab.taken(),
        "the same actions, to link again"
    );
    text
}

#[test]
fn a_fresh_lab_round_trips_in_a_short_link() {
    let text = assert_reopens_the_same(&default_lab());
    assert!(text.len() < 80, "{} chars: {text}", text.len());
}

#[test]
fn a_session_with_writes_a_crash_and_a_failover_reopens_exactly() {
    let mut lab = default_lab();
    lab.seek(100_000);
    lab.perform(insert(&lab, "client-1", "paid"))
        .expect("write");
    lab.seek(150_000);
    lab.perform(insert(&lab, "client-2", "it's \"quoted\" & <odd>"))
        .expect("write");
    lab.seek(400_000);
    lab.perform(LabAction::Crash(id(&lab, "leader")))
        .expect("crash");
    lab.seek(6_000_000);
    let text = assert_reopens_the_same(&lab);
    // A dozen actions is a few hundred characters.
    assert!(text.len() < 600, "{} chars", text.len());
}

#[test]
fn settings_picked_in_the_header_travel_with_the_link() {
    let mut cluster = ClusterConfig::lab_default(MethodChoice::StatementNaive.method());
    cluster.ack = AckChoice::SemiSync.policy();
    cluster.failover.fencing = false;
    let mut lab = Lab::new(LabSettings { seed: 42, cluster });
    lab.seek(50_000);
    lab.perform(LabAction::Sql {
        client: id(&lab, "client-1"),
        sql: "INSERT INTO orders (status) VALUES (RAND())".into(),
    })
    .expect("write");
    lab.seek(300_000);
    lab.perform(LabAction::SetAck(AckChoice::Async.policy()))
        .expect("ack change");
    lab.seek(900_000);
    assert_reopens_the_same(&lab);
    let state = LinkState::of(&lab).unwrap();
    assert_eq!(
        (state.seed, state.method, state.ack, state.fencing),
        (42, MethodChoice::StatementNaive, AckChoice::SemiSync, false)
    );
}

#[test]
fn forgotten_and_kept_actions_after_a_step_back_replay_as_they_were_taken() {
    let mut lab = default_lab();
    lab.seek(200_000);
    lab.perform(insert(&lab, "client-1", "a")).expect("write a");
    lab.seek(800_000);
    lab.perform(insert(&lab, "client-1", "b")).expect("write b");
    lab.seek(1_200_000);
    lab.perform(LabAction::Crash(id(&lab, "follower-1")))
        .expect("crash");
    // Back before b: a write that keeps what came later...
    lab.seek(500_000);
    lab.perform_with(insert(&lab, "client-2", "kept"), Later::Keep)
        .expect("keep");
    assert_eq!(lab.taken().len(), 4);
    lab.seek(2_000_000);
    assert_reopens_the_same(&lab);
    // ...then one before it that forgets everything after its time.
    lab.seek(300_000);
    lab.perform(insert(&lab, "client-2", "forgets"))
        .expect("discard");
    let times: Vec<u64> = lab.taken().iter().map(|t| t.at).collect();
    assert_eq!(times, vec![200_000, 300_000]);
    lab.seek(1_000_000);
    assert_reopens_the_same(&lab);
    // And a link made while looking back at the past shows that moment.
    lab.seek(250_000);
    assert_reopens_the_same(&lab);
}

#[test]
fn a_refused_action_is_not_in_the_link() {
    let mut lab = default_lab();
    lab.seek(100_000);
    let leader = id(&lab, "leader");
    assert!(lab.perform(LabAction::Promote(leader)).is_err());
    assert!(lab.taken().is_empty());
    assert_reopens_the_same(&lab);
}

fn encoded(json: &str) -> String {
    // The same alphabet as the lab's: standard base64 with `-_` and no padding.
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in json.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn refused(text: &str) -> String {
    let err = LinkState::decode(text)
        .and_then(|state| replay(&state).map(|_| state))
        .expect_err("a malformed link is refused");
    err.to_string()
}

#[test]
fn malformed_links_say_what_was_wrong() {
    assert_eq!(refused(""), "the link's state is empty");
    assert_eq!(
        refused("eyJ2Ij<script>"),
        "the link's state has '<' at character 7, which is not base64url"
    );
    assert_eq!(refused("__8"), "the link's state is not UTF-8 text");
    let truncated = LinkState::of(&default_lab()).unwrap().encode();
    let truncated = &truncated[..truncated.len() / 2];
    assert!(refused(truncated).starts_with("the link's state is not a lab state: EOF"));
    assert!(refused(&encoded("[1,2]")).starts_with("the link's state is not a lab state"));
    assert!(refused(&encoded(
        r#"{"v":1,"s":1,"m":"wal","ack":"async","f":true,"t":0,"x":1}"#
    ))
    .contains("unknown field `x`"));
    assert_eq!(
        refused(&encoded(r#"{"v":2,"s":1,"future":true}"#)),
        "the link is from a newer lab (state version 2; this lab reads 1)"
    );
    assert_eq!(
        refused(&encoded(
            r#"{"v":1,"s":1,"m":"paxos","ack":"async","f":true,"t":0}"#
        )),
        "the link names an unknown method \"paxos\""
    );
    assert_eq!(
        refused(&encoded(
            r#"{"v":1,"s":1,"m":"wal","ack":"all","f":true,"t":0}"#
        )),
        "the link names an unknown acknowledgement level \"all\""
    );
    assert_eq!(
        refused(&encoded(&format!(
            r#"{{"v":1,"s":1,"m":"wal","ack":"async","f":true,"t":{}}}"#,
            MAX_TIME + 1
        ))),
        "the link asks for 900.000 s, later than the 900.000 s a link may reach"
    );
}

#[test]
fn hostile_links_are_refused_without_work() {
    // Too long to read.
    let long = "A".repeat(MAX_STATE_CHARS + 1);
    assert!(refused(&long).contains("more than the"));
    // Too many actions.
    let action = r#"{"t":0,"a":{"crash":0}}"#;
    let many = vec![action; MAX_ACTIONS + 1].join(",");
    let json = format!(r#"{{"v":1,"s":1,"m":"wal","ack":"async","f":true,"a":[{many}],"t":0}}"#);
    assert!(refused(&encoded(&json)).contains(&format!("{} actions", MAX_ACTIONS + 1)));
    // An action at the end of time.
    let json = format!(
        r#"{{"v":1,"s":1,"m":"wal","ack":"async","f":true,"a":[{{"t":{},"a":{{"crash":0}}}}],"t":0}}"#,
        u64::MAX
    );
    assert!(refused(&encoded(&json)).starts_with("the link asks for"));
    // Nesting as deep as a parser allows.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(refused(&encoded(&deep)).starts_with("the link's state is not a lab state"));
    // Numbers that do not fit.
    let json = r#"{"v":1,"s":-1,"m":"wal","ack":"async","f":true,"t":0}"#;
    assert!(refused(&encoded(json)).starts_with("the link's state is not a lab state"));
    // A node that does not exist, and an action the lab refuses at its time.
    let json =
        r#"{"v":1,"s":1,"m":"wal","ack":"async","f":true,"a":[{"t":5,"a":{"crash":99}}],"t":0}"#;
    assert_eq!(
        refused(&encoded(json)),
        format!(
            "the link's action 1 (at 0.000 s) was refused: {}",
            unknown_node(99)
        )
    );
    let json =
        r#"{"v":1,"s":1,"m":"wal","ack":"async","f":true,"a":[{"t":5,"a":{"promote":0}}],"t":0}"#;
    assert!(refused(&encoded(json)).starts_with("the link's action 1 (at 0.000 s) was refused: "));
    // Unicode, control characters and markup in the SQL are only SQL.
    let json = r#"{"v":1,"s":1,"m":"wal","ack":"async","f":true,"a":[{"t":5,"a":{"sql":{"client":4,"sql":"\u0000<img src=x onerror=alert(1)>é😀"}}}],"t":100000}"#;
    let state = LinkState::decode(&encoded(json)).expect("well-formed");
    let lab = replay(&state).expect("any SQL is sent; the server answers with an error");
    assert_eq!(lab.time(), 100_000);
}

fn unknown_node(node: u32) -> String {
    replication_lab::lab::LabError::UnknownNode(node).to_string()
}

#[test]
fn the_page_parameters_are_read_from_query_and_fragment() {
    let p = Params::parse(
        "?embed=1&theme=dark&controls=min&lesson=failover&step=3&origin=https%3A%2F%2Fdocs.example,https://b.example",
        "#state=abc-_",
    );
    assert_eq!(
        p,
        Params {
            embed: true,
            dark: true,
            minimal: true,
            lesson: Some("failover".into()),
            step: Some(3),
            origins: vec!["https://docs.example".into(), "https://b.example".into()],
            state: Some("abc-_".into()),
        }
    );
    assert_eq!(Params::parse("", ""), Params::default());
    // The fragment wins; nonsense is ignored.
    let p = Params::parse("?embed=1&step=x&theme=neon&&=&%%", "#embed=0");
    assert!(!p.embed && !p.dark && p.step.is_none());
}

#[test]
fn the_embed_snippet_is_a_sandboxed_titled_iframe_with_the_src_escaped() {
    let snippet = embed_snippet("https://lab.example/?embed=1&x=\"><script>#state=ab");
    assert_eq!(
        snippet,
        "<iframe src=\"https://lab.example/?embed=1&amp;x=&quot;&gt;&lt;script&gt;#state=ab\" \
         title=\"Replication Lab\" sandbox=\"allow-scripts\" width=\"720\" height=\"480\" \
         loading=\"lazy\" style=\"border:0\"></iframe>"
    );
}

#[test]
fn a_lab_with_a_cluster_no_picker_builds_is_not_linkable() {
    let lab = Lab::new(LabSettings {
        seed: 1,
        cluster: ClusterConfig::standard(MethodChoice::Wal.method(), 2),
    });
    assert_eq!(LinkState::of(&lab), Err(LinkError::NotLinkable));
}

#[test]
fn a_state_past_the_bounds_is_refused_by_name() {
    let mut state = LinkState::of(&default_lab()).unwrap();
    state.time = MAX_TIME + 1;
    assert_eq!(
        LinkState::decode(&state.encode()),
        Err(LinkError::TooLate { at: MAX_TIME + 1 })
    );
}

#[test]
fn acting_again_at_the_very_time_of_an_earlier_action_replays_exactly() {
    let mut lab = default_lab();
    lab.seek(200_000);
    lab.perform(insert(&lab, "client-1", "first"))
        .expect("write");
    lab.seek(700_000);
    lab.perform(LabAction::Crash(id(&lab, "follower-2")))
        .expect("crash");
    // Back to the first action's own time, and act there: forgetting, then keeping.
    lab.seek(200_000);
    lab.perform(insert(&lab, "client-2", "same time"))
        .expect("write");
    lab.seek(900_000);
    assert_reopens_the_same(&lab);
    lab.seek(200_000);
    lab.perform_with(
        insert(&lab, "client-1", "kept at the same time"),
        Later::Keep,
    )
    .expect("keep");
    lab.seek(1_500_000);
    assert_reopens_the_same(&lab);
    // Stepping back onto an action's time by events, then acting.
    while lab.time() > 200_000 {
        lab.step_back();
    }
    lab.perform(LabAction::Crash(id(&lab, "follower-1")))
        .expect("crash");
    lab.seek(1_000_000);
    assert_reopens_the_same(&lab);
}

/// A link made by the lab before links were read by hand (main's serde encoder, commit
/// 8d61262): a session of every kind of action a header, a node or the console takes, one
/// kept after a step back, SQL with quotes, a backslash, a tab and non-ASCII characters.
const SESSION_LINK: &str =
    "eyJ2IjoxLCJzIjo3LCJtIjoibG9naWNhbC1mdWxsIiwiYWNrIjoib24iLCJmIjpmYWxzZSwiYSI6W3sidCI6\
MTAwMDAwLCJhIjp7InNxbCI6eyJjbGllbnQiOjQsInNxbCI6IklOU0VSVCBJTlRPIG9yZGVycyAoc3RhdHVz\
KSBWQUxVRVMgKCdpdCcncyBcInFcIiDDqfCfmIBcXCBcdCcpIn19fSx7InQiOjE1MDAwMCwiYSI6eyJzcWxf\
b24iOnsiY2xpZW50Ijo1LCJzZXJ2ZXIiOjEsInNxbCI6IlNFTEVDVCAqIEZST00gb3JkZXJzIn19fSx7InQi\
OjIwMDAwMCwiYSI6eyJzZXRfcmVhZF9yb3V0aW5nIjp7ImNsaWVudCI6NCwicm91dGluZyI6ImFueV9mb2xs\
b3dlciJ9fX0seyJ0IjozMDAwMDAsImEiOnsic2V0X2FjayI6eyJzeW5jIjp7InN0YWdlIjoiZmx1c2giLCJz\
dGFuZGJ5cyI6eyJhbnkiOnsiY291bnQiOjEsIm5hbWVzIjpbImZvbGxvd2VyLTEiLCJmb2xsb3dlci0yIl19\
fSwidGltZW91dCI6MTAwMDAwMDB9fX19LHsidCI6NDAwMDAwLCJhIjp7InBhcnRpdGlvbiI6eyJhIjowLCJi\
IjoyfX19LHsidCI6NTAwMDAwLCJhIjp7ImNoZWNrcG9pbnQiOjB9fSx7InQiOjcwMDAwMCwiYSI6eyJoZWFs\
Ijp7ImEiOjAsImIiOjJ9fX0seyJ0Ijo4MDAwMDAsImEiOnsiY3Jhc2giOjF9fSx7InQiOjEyMDAwMDAsImEi\
OnsicmVzdGFydCI6MX19LHsidCI6MjUwMDAwLCJhIjp7InNxbCI6eyJjbGllbnQiOjUsInNxbCI6IklOU0VS\
VCBJTlRPIG9yZGVycyAoc3RhdHVzKSBWQUxVRVMgKCdrZXB0JykifX0sImsiOnRydWV9XSwidCI6MjAwMDAw\
MH0";

/// A state with every action and every field shape a link can hold (not replayable: it only
/// has to decode to the same values), from the same encoder.
const EVERY_SHAPE_LINK: &str =
    "eyJ2IjoxLCJzIjoxODQ0Njc0NDA3MzcwOTU1MTYxNSwibSI6InN0YXRlbWVudC1jb250ZXh0IiwiYWNrIjoi\
cmVtb3RlX2FwcGx5IiwiZiI6dHJ1ZSwiYSI6W3sidCI6MTcsImEiOnsicHJvbW90ZSI6Mn0sImsiOnRydWV9\
LHsidCI6MTAxNywiYSI6eyJqb2luIjozfX0seyJ0IjoyMDE3LCJhIjp7InJlam9pbiI6MH19LHsidCI6MzAx\
NywiYSI6eyJjYW5jZWwiOjR9LCJrIjp0cnVlfSx7InQiOjQwMTcsImEiOnsic2V0X2FjayI6ImFzeW5jIn19\
LHsidCI6NTAxNywiYSI6eyJzZXRfYWNrIjp7InN5bmMiOnsic3RhZ2UiOiJ3cml0ZSIsInN0YW5kYnlzIjp7\
ImFueSI6eyJjb3VudCI6MiwibmFtZXMiOlsiZm9sbG93ZXItMSIsImZvbGxvd2VyLTIiXX19LCJ0aW1lb3V0\
IjoxMDAwMDAwMH19fX0seyJ0Ijo2MDE3LCJhIjp7InNldF9hY2siOnsic3luYyI6eyJzdGFnZSI6ImFwcGx5\
Iiwic3RhbmRieXMiOnsiZmlyc3QiOnsiY291bnQiOjEsIm5hbWVzIjpbImZvbGxvd2VyLTEiXX19LCJ0aW1l\
b3V0IjpudWxsfX19LCJrIjp0cnVlfSx7InQiOjcwMTcsImEiOnsic2V0X3JlYWRfcm91dGluZyI6eyJjbGll\
bnQiOjUsInJvdXRpbmciOiJhdF9sZWFzdF9wb3NpdGlvbiJ9fX0seyJ0Ijo4MDE3LCJhIjp7InNldF9yZWFk\
X3JvdXRpbmciOnsiY2xpZW50Ijo1LCJyb3V0aW5nIjoicGlubmVkX2ZvbGxvd2VyIn19fSx7InQiOjkwMTcs\
ImEiOnsic2V0X3JlYWRfcm91dGluZyI6eyJjbGllbnQiOjUsInJvdXRpbmciOiJsZWFkZXJfYWZ0ZXJfd3Jp\
dGUifX0sImsiOnRydWV9LHsidCI6MTAwMTcsImEiOnsic2V0X3JlYWRfcm91dGluZyI6eyJjbGllbnQiOjUs\
InJvdXRpbmciOiJsZWFkZXIifX19LHsidCI6MTEwMTcsImEiOnsic3FsIjp7ImNsaWVudCI6NCwic3FsIjoi\
XHUwMDAwXHUwMDFmXCJcXC88PiZcblxyXHQgw6kg8J-YgCJ9fX1dLCJ0Ijo5MDAwMDAwMDB9";

#[test]
fn links_made_before_open_to_the_same_state() {
    use replication_lab::lab::link::Taken;
    use replication_lab::lab::{AckPolicy, ReadRouting};
    use replication_lab::replication::config::{AckStage, StandbySet};
    use replication_lab::sim::Time;

    let state = LinkState::decode(SESSION_LINK).expect("an old link decodes");
    // The same session, taken now.
    let mut cluster = ClusterConfig::lab_default(MethodChoice::LogicalFull.method());
    cluster.ack = AckChoice::On.policy();
    cluster.failover.fencing = false;
    let mut lab = Lab::new(LabSettings { seed: 7, cluster });
    let sql = |client, sql: &str| LabAction::Sql {
        client,
        sql: sql.into(),
    };
    for (at, action) in [
        (
            100_000,
            sql(
                4,
                "INSERT INTO orders (status) VALUES ('it''s \"q\" é😀\\ \t')",
            ),
        ),
        (
            150_000,
            LabAction::SqlOn {
                client: 5,
                server: 1,
                sql: "SELECT * FROM orders".into(),
            },
        ),
        (
            200_000,
            LabAction::SetReadRouting {
                client: 4,
                routing: ReadRouting::AnyFollower,
            },
        ),
        (300_000, LabAction::SetAck(AckChoice::SemiSync.policy())),
        (400_000, LabAction::Partition { a: 0, b: 2 }),
        (500_000, LabAction::Checkpoint(0)),
        (700_000, LabAction::Heal { a: 0, b: 2 }),
        (800_000, LabAction::Crash(1)),
        (1_200_000, LabAction::Restart(1)),
    ] {
        lab.seek(at);
        lab.perform(action).expect("taken");
    }
    lab.seek(250_000);
    lab.perform_with(
        sql(5, "INSERT INTO orders (status) VALUES ('kept')"),
        Later::Keep,
    )
    .expect("kept");
    lab.seek(2_000_000);
    assert_eq!(state, LinkState::of(&lab).unwrap(), "the same state");
    assert_eq!(state.encode(), SESSION_LINK, "written as it was");
    let reopened = replay(&state).expect("it replays");
    assert_eq!(reopened.world().trace().hash(), lab.world().trace().hash());
    assert_eq!(reopened.view(), lab.view());

    let every = LinkState::decode(EVERY_SHAPE_LINK).expect("an old link decodes");
    let names = |n: &[&str]| n.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    let actions = [
        LabAction::Promote(2),
        LabAction::Join(3),
        LabAction::Rejoin(0),
        LabAction::Cancel(4),
        LabAction::SetAck(AckPolicy::Async),
        LabAction::SetAck(AckPolicy::Sync {
            stage: AckStage::Write,
            standbys: StandbySet::Any {
                count: 2,
                names: names(&["follower-1", "follower-2"]),
            },
            timeout: Some(Time(10_000_000)),
        }),
        LabAction::SetAck(AckPolicy::Sync {
            stage: AckStage::Apply,
            standbys: StandbySet::First {
                count: 1,
                names: names(&["follower-1"]),
            },
            timeout: None,
        }),
        LabAction::SetReadRouting {
            client: 5,
            routing: ReadRouting::AtLeastPosition,
        },
        LabAction::SetReadRouting {
            client: 5,
            routing: ReadRouting::PinnedFollower,
        },
        LabAction::SetReadRouting {
            client: 5,
            routing: ReadRouting::LeaderAfterWrite,
        },
        LabAction::SetReadRouting {
            client: 5,
            routing: ReadRouting::Leader,
        },
        sql(4, "\u{0}\u{1f}\"\\/<>&\n\r\t é 😀"),
    ];
    let expected = LinkState {
        seed: u64::MAX,
        method: MethodChoice::StatementContext,
        ack: AckChoice::RemoteApply,
        fencing: true,
        taken: actions
            .into_iter()
            .enumerate()
            .map(|(i, action)| Taken {
                at: 1000 * i as u64 + 17,
                action,
                keep: i % 3 == 0,
            })
            .collect(),
        time: MAX_TIME,
        multi_leader: None,
    };
    assert_eq!(every, expected);
    assert_eq!(every.encode(), EVERY_SHAPE_LINK, "written as it was");
}

#[test]
fn a_multi_leader_session_with_a_conflict_and_a_new_topology_reopens_exactly() {
    use replication_lab::lab::{MultiLeaderConfig, Resolver, Topology};
    let mut cluster = ClusterConfig::multi_leader(
        3,
        MultiLeaderConfig {
            topology: Topology::Circular,
            resolver: Resolver::Siblings,
            version_vectors: true,
            ..MultiLeaderConfig::default()
        },
    );
    cluster.servers[1].clock_skew = -2_000_000;
    let mut lab = Lab::new(LabSettings { seed: 9, cluster });
    let a = id(&lab, "leader-a");
    let b = id(&lab, "leader-b");
    let write = |client: &str, status: &str| LabAction::Sql {
        client: id(&lab, client),
        sql: format!("INSERT INTO orders (id, status) VALUES (1, '{status}')"),
    };
    let (first, second) = (write("client-a", "from a"), write("client-b", "from b"));
    lab.seek(10_000);
    lab.perform(LabAction::Partition { a, b }).unwrap();
    lab.perform(first).unwrap();
    lab.seek(20_000);
    lab.perform(second).unwrap();
    lab.seek(300_000);
    lab.perform(LabAction::SetTopology(Topology::AllToAll))
        .unwrap();
    lab.perform(LabAction::Heal { a, b }).unwrap();
    lab.seek(2_000_000);
    assert!(
        !lab.conflicts().is_empty(),
        "the session made a conflict: {:#?}",
        lab.events(40)
    );
    let text = assert_reopens_the_same(&lab);
    assert!(text.len() < 2_000, "{} characters", text.len());
}

#[test]
fn a_malformed_multi_leader_link_says_what_was_wrong() {
    let base = r#"{"v":1,"s":1,"m":"logical","ack":"async","f":false,"t":0,"a":[],"ml":"#;
    let why = refused(&encoded(&format!(
        r#"{base}{{"n":7,"t":"star","r":"merge","vv":false,"ai":false,"lat":60000,"skew":[]}}}}"#
    )));
    assert!(why.contains("2 or 3 leaders, not 7"), "{why}");
    let why = refused(&encoded(&format!(
        r#"{base}{{"n":2,"t":"mesh","r":"merge","vv":false,"ai":false,"lat":60000,"skew":[]}}}}"#
    )));
    assert!(why.contains("mesh"), "{why}");
}
