//! Client read routing (DDIA ch. 5, "Problems with Replication Lag"), through the lab's
//! actions as the UI and lessons take them: reads from any follower miss the client's own
//! write on a lagging follower, and go back in time across two followers at different lag;
//! reading from the leader, from the leader for a while after writing, or from a follower
//! that waits for the write's position each restore reading your own writes, and pinning a
//! client to one follower restores monotonic reads.

use replication_lab::lab::{Lab, LabAction, LabSettings, ReadRouting};
use replication_lab::replication::config::{ClusterConfig, Method};
use replication_lab::sim::InputId;

const WRITE: &str = "INSERT INTO orders (status, note) VALUES ('pending', 'mine')";
const READ: &str = "SELECT note FROM orders";

/// A leader and `followers` followers; the client is the node after the servers.
fn lab(followers: u32) -> (Lab, u32) {
    let lab = Lab::new(LabSettings {
        seed: 11,
        cluster: ClusterConfig::standard(Method::Wal, followers),
    });
    (lab, followers + 1)
}

fn act(lab: &mut Lab, at: u64, action: LabAction) -> InputId {
    lab.seek(at);
    lab.perform(action.clone())
        .unwrap_or_else(|e| panic!("{action:?} at {at}: {e}"))
}

fn sql(lab: &mut Lab, at: u64, client: u32, sql: &str) -> InputId {
    act(
        lab,
        at,
        LabAction::Sql {
            client,
            sql: sql.into(),
        },
    )
}

/// The rows a read returned and the server that answered it.
fn read(lab: &Lab, id: InputId) -> (usize, String) {
    let reply = lab.answer(id).expect("the read was answered");
    let ok = reply.outcome.expect("the read succeeded");
    let rows = ok.result.as_ref().map_or(0, |r| r.rows.len());
    let server = lab
        .world()
        .node_name(ok.server)
        .unwrap_or("unknown")
        .to_string();
    (rows, server)
}

/// One follower cut off from the leader before the client writes, healed at 0.7 s: the
/// client reads right after its write. Returns the read's rows, the server that answered,
/// and when the answer came (virtual µs).
fn read_your_write(routing: ReadRouting) -> (usize, String, u64, Vec<String>) {
    let (mut lab, client) = lab(1);
    if routing != ReadRouting::Leader {
        act(
            &mut lab,
            10_000,
            LabAction::SetReadRouting { client, routing },
        );
    }
    act(&mut lab, 50_000, LabAction::Partition { a: 0, b: 1 });
    let write = sql(&mut lab, 100_000, client, WRITE);
    lab.seek(190_000);
    let committed = lab.answer(write).expect("the write was answered");
    assert!(committed.outcome.is_ok(), "{committed:?}");
    let id = sql(&mut lab, 200_000, client, READ);
    act(&mut lab, 700_000, LabAction::Heal { a: 0, b: 1 });
    lab.seek(2_000_000);
    let (rows, server) = read(&lab, id);
    let latency = lab.answer(id).map_or(0, |r| r.latency);
    let events = lab.events(200).into_iter().map(|e| e.text).collect();
    (rows, server, latency, events)
}

#[test]
fn any_follower_misses_your_own_write_on_a_lagging_follower() {
    let (rows, server, _, events) = read_your_write(ReadRouting::AnyFollower);
    assert_eq!((rows, server.as_str()), (0, "follower-1"));
    assert!(
        events
            .iter()
            .any(|e| e == "client-1 reads from follower-1 (reads: any follower)"),
        "{events:?}"
    );
}

#[test]
fn reading_from_the_leader_sees_your_own_write() {
    let (rows, server, _, _) = read_your_write(ReadRouting::Leader);
    assert_eq!((rows, server.as_str()), (1, "leader"));
}

#[test]
fn reading_from_the_leader_for_a_while_after_writing_sees_it() {
    let (rows, server, _, _) = read_your_write(ReadRouting::LeaderAfterWrite);
    assert_eq!((rows, server.as_str()), (1, "leader"));
}

#[test]
fn after_the_while_reads_go_to_followers_again() {
    let (mut lab, client) = lab(1);
    act(
        &mut lab,
        10_000,
        LabAction::SetReadRouting {
            client,
            routing: ReadRouting::LeaderAfterWrite,
        },
    );
    sql(&mut lab, 100_000, client, WRITE);
    let soon = sql(&mut lab, 600_000, client, READ);
    let later = sql(&mut lab, 1_500_000, client, READ);
    lab.seek(2_000_000);
    assert_eq!(read(&lab, soon), (1, "leader".into()));
    assert_eq!(read(&lab, later), (1, "follower-1".into()));
}

#[test]
fn a_follower_waiting_for_the_writes_position_answers_with_it() {
    let (rows, server, latency, events) = read_your_write(ReadRouting::AtLeastPosition);
    assert_eq!((rows, server.as_str()), (1, "follower-1"));
    // It answered only after the heal (0.7 s) let it replay the write.
    assert!(latency >= 500_000, "answered after {latency} µs");
    assert!(
        events.iter().any(|e| e.starts_with(
            "follower-1 holds client-1's read until it has replayed position 1 (it is at 0)"
        )),
        "{events:?}"
    );
}

#[test]
fn a_held_read_can_be_cancelled() {
    let (mut lab, client) = lab(1);
    act(
        &mut lab,
        10_000,
        LabAction::SetReadRouting {
            client,
            routing: ReadRouting::AtLeastPosition,
        },
    );
    act(&mut lab, 50_000, LabAction::Partition { a: 0, b: 1 });
    sql(&mut lab, 100_000, client, WRITE);
    let id = sql(&mut lab, 200_000, client, READ);
    act(&mut lab, 400_000, LabAction::Cancel(client));
    lab.seek(600_000);
    let reply = lab.answer(id).expect("the cancel answered the read");
    assert_eq!(
        reply.outcome.map(|_| ()),
        Err("ERROR:  canceling statement due to user request".to_string())
    );
}

/// Two followers, follower-2 cut off from the leader: the client writes, then reads twice.
fn two_reads(routing: ReadRouting) -> Vec<(usize, String)> {
    let (mut lab, client) = lab(2);
    act(
        &mut lab,
        10_000,
        LabAction::SetReadRouting { client, routing },
    );
    act(&mut lab, 50_000, LabAction::Partition { a: 0, b: 2 });
    sql(&mut lab, 100_000, client, WRITE);
    let reads: Vec<InputId> = [300_000, 400_000, 500_000]
        .into_iter()
        .map(|at| sql(&mut lab, at, client, READ))
        .collect();
    lab.seek(1_000_000);
    reads.into_iter().map(|id| read(&lab, id)).collect()
}

#[test]
fn reads_from_any_follower_go_back_in_time() {
    assert_eq!(
        two_reads(ReadRouting::AnyFollower),
        vec![
            (1, "follower-1".into()),
            (0, "follower-2".into()),
            (1, "follower-1".into())
        ]
    );
}

#[test]
fn a_pinned_follower_never_goes_back_in_time() {
    let reads = two_reads(ReadRouting::PinnedFollower);
    let servers: Vec<&str> = reads.iter().map(|(_, s)| s.as_str()).collect();
    assert!(servers.iter().all(|s| *s == servers[0] && *s != "leader"));
    assert!(
        reads.windows(2).all(|w| w[0].0 <= w[1].0),
        "rows went down: {reads:?}"
    );
    // client-1's id pins it to follower-1, the follower that keeps up.
    assert_eq!(reads, vec![(1, "follower-1".to_string()); 3]);
}

#[test]
fn setting_the_same_routing_twice_is_refused() {
    let (mut lab, client) = lab(1);
    let same = lab.perform(LabAction::SetReadRouting {
        client,
        routing: ReadRouting::Leader,
    });
    assert_eq!(
        same.map_err(|e| e.to_string()),
        Err("client-1 already reads from: leader".to_string())
    );
    assert_eq!(lab.read_routing(client), Some(ReadRouting::Leader));
    act(
        &mut lab,
        0,
        LabAction::SetReadRouting {
            client,
            routing: ReadRouting::PinnedFollower,
        },
    );
    lab.seek(10_000);
    assert_eq!(lab.read_routing(client), Some(ReadRouting::PinnedFollower));
}

/// Runs the built-in lesson `id` step by step to its end; every expected outcome holds at
/// its step and the lab refuses none of its actions.
fn run_lesson(id: &str) -> replication_lab::lesson::Runner {
    use replication_lab::lesson::{self, Runner};
    let lesson = lesson::load_builtin(id).unwrap_or_else(|e| panic!("{id}: {e}"));
    let mut runner = Runner::new(lesson.clone()).expect("the lesson runs");
    let mut failed = vec![];
    loop {
        failed.extend(runner.outcomes().into_iter().filter(|o| !o.held).map(|o| {
            format!(
                "step {}: {:?}, found {:?}",
                runner.step_index(),
                o.expect,
                o.found
            )
        }));
        if !runner.next_step() {
            break;
        }
    }
    assert_eq!(
        runner.step_index(),
        lesson.steps.len() - 1,
        "{id} reached its end"
    );
    assert!(runner.refused().is_empty(), "{id}: {:?}", runner.refused());
    assert!(failed.is_empty(), "{id}:\n{}", failed.join("\n"));
    runner
}

#[test]
fn the_read_your_writes_lesson_runs_to_its_end() {
    let runner = run_lesson("read-your-writes");
    let lesson = runner.lesson();
    assert_eq!(lesson.steps.len(), 6);
    let routings: Vec<String> = lesson
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            replication_lab::lesson::ScriptAction::SetReadRouting { routing, .. } => {
                Some(routing.label().to_string())
            }
            _ => None,
        })
        .collect();
    // The anomaly, then its three fixes.
    assert_eq!(
        routings,
        vec![
            "any follower",
            "leader",
            "leader for 1 s after writing",
            "follower at my last write's position"
        ]
    );
}

#[test]
fn the_monotonic_reads_lesson_runs_to_its_end() {
    let runner = run_lesson("monotonic-reads");
    assert_eq!(runner.lesson().steps.len(), 3);
}

#[test]
fn a_session_that_routes_reads_becomes_a_lesson_that_replays_it() {
    use replication_lab::lesson::{self, Runner};
    let (mut lab, client) = lab(2);
    act(
        &mut lab,
        10_000,
        LabAction::SetReadRouting {
            client,
            routing: ReadRouting::AtLeastPosition,
        },
    );
    sql(&mut lab, 100_000, client, WRITE);
    sql(&mut lab, 300_000, client, READ);
    lab.seek(1_000_000);
    let session = lesson::from_session(&lab, "mine", "My session");
    let text = lesson::to_json(&session);
    assert!(
        text.contains("\"routing\": \"at_least_position\"")
            || text.contains("\"routing\":\"at_least_position\""),
        "{text}"
    );
    let mut runner = Runner::new(lesson::parse(&text).expect("it reads back")).expect("it runs");
    runner.go_to(usize::MAX);
    assert_eq!(
        runner.lab().read_routing(client),
        Some(ReadRouting::AtLeastPosition)
    );
    assert_eq!(runner.lab().world().trace_hash(), lab.world().trace_hash());
}

#[test]
fn an_unknown_routing_in_a_lesson_is_refused_with_its_path() {
    use replication_lab::lesson;
    let text = lesson::builtin_source("read-your-writes")
        .expect("built in")
        .replacen("\"any_follower\"", "\"nearest\"", 1);
    let error = lesson::parse(&text).expect_err("refused").to_string();
    assert!(
        error.contains("actions[0].action.set_read_routing.routing")
            && error.contains("any_follower"),
        "{error}"
    );
}

#[test]
fn the_clients_status_says_where_its_reads_go_and_its_last_commit() {
    let (mut lab, client) = lab(1);
    act(
        &mut lab,
        10_000,
        LabAction::SetReadRouting {
            client,
            routing: ReadRouting::AtLeastPosition,
        },
    );
    sql(&mut lab, 100_000, client, WRITE);
    lab.seek(500_000);
    let status = lab.inspect(client).expect("client-1").status;
    assert!(
        status.contains(&"reads go to: follower at my last write's position".to_string())
            && status.contains(&"last commit at position: 1".to_string()),
        "{status:?}"
    );
}
