//! The timeline's marks and what an action after a step back does with the actions after it
//! (`Lab::marks`, `Lab::later_actions`, `Lab::perform_with`).

#[path = "support/history_load.rs"]
mod history_load;

use replication_lab::lab::marks::{MarkKind, BUCKETS};
use replication_lab::lab::{Lab, LabAction, LabSettings, Later};
use replication_lab::replication::config::{ClusterConfig, Method};
use replication_lab::sim::{NodeId, NodeStatus};

const CLIENT: u32 = 3;
const FOLLOWER: u32 = 1;

fn lab() -> Lab {
    Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    })
}

fn insert(lab: &mut Lab, what: &str) -> LabAction {
    let action = LabAction::Sql {
        client: CLIENT,
        sql: format!("INSERT INTO orders (status) VALUES ('{what}')"),
    };
    lab.perform(action.clone()).expect("a client can send SQL");
    action
}

/// A write at 10 ms, follower-1 crashed at 1 s, then back to 0.5 s.
fn stepped_back() -> Lab {
    let mut lab = lab();
    lab.seek(10_000);
    insert(&mut lab, "first");
    lab.seek(1_000_000);
    lab.perform(LabAction::Crash(FOLLOWER)).expect("it runs");
    lab.seek(2_000_000);
    lab.seek(500_000);
    lab
}

fn status(lab: &Lab, node: u32) -> Option<NodeStatus> {
    lab.world().node_status(NodeId(node))
}

#[test]
fn actions_past_and_still_to_come_and_commits_are_marked() {
    let lab = stepped_back();
    assert_eq!(
        lab.later_actions(),
        vec![(1_000_000, "crash follower-1".to_string())]
    );
    let marks = lab.marks();
    let of = |kind| marks.iter().filter(move |m| m.kind == kind);
    let action: Vec<_> = of(MarkKind::Action).collect();
    assert_eq!(action.len(), 1, "{marks:?}");
    assert_eq!(action[0].time, 10_000);
    assert!(action[0].label.starts_with("client-1: INSERT INTO orders"));
    let queued: Vec<_> = of(MarkKind::Queued).collect();
    assert_eq!(queued.len(), 1, "{marks:?}");
    assert_eq!(
        (queued[0].time, queued[0].label.as_str()),
        (1_000_000, "crash follower-1")
    );
    let commit = of(MarkKind::Commit).next().expect("the insert committed");
    assert!(commit.time > 10_000 && commit.time < 500_000, "{commit:?}");
    assert_eq!(commit.label, "leader committed entry 1");
}

#[test]
fn keeping_the_later_actions_replays_them_at_their_times_and_discarding_drops_them() {
    let mut kept = stepped_back();
    let mut discarded = kept.clone();
    let write = LabAction::Sql {
        client: CLIENT,
        sql: "INSERT INTO orders (status) VALUES ('earlier')".into(),
    };
    kept.perform_with(write.clone(), Later::Keep)
        .expect("the write is taken");
    discarded
        .perform_with(write, Later::Discard)
        .expect("the write is taken");
    assert_eq!(kept.later_actions().len(), 1);
    assert!(discarded.later_actions().is_empty());
    for lab in [&mut kept, &mut discarded] {
        lab.seek(999_000);
        assert_eq!(status(lab, FOLLOWER), Some(NodeStatus::Up));
        lab.seek(1_500_000);
    }
    assert_eq!(status(&kept, FOLLOWER), Some(NodeStatus::Crashed));
    assert_eq!(status(&discarded, FOLLOWER), Some(NodeStatus::Up));
    // Both took the new write, before the old future's crash.
    for lab in [&kept, &discarded] {
        let follower = lab.inspect(FOLLOWER).expect("follower-1");
        let orders = follower
            .tables
            .iter()
            .find(|t| t.name == "orders")
            .expect("orders");
        assert_eq!(orders.rows.len(), 2, "{:?}", orders.rows);
    }
    // Deterministic: the same moves give the same trace.
    let mut again = stepped_back();
    again
        .perform_with(
            LabAction::Sql {
                client: CLIENT,
                sql: "INSERT INTO orders (status) VALUES ('earlier')".into(),
            },
            Later::Keep,
        )
        .expect("the write is taken");
    again.seek(1_500_000);
    assert_eq!(again.world().trace_hash(), kept.world().trace_hash());
}

#[test]
fn a_kept_action_that_no_longer_makes_sense_is_refused_at_its_time_and_marked() {
    let mut lab = stepped_back();
    lab.perform_with(LabAction::Crash(FOLLOWER), Later::Keep)
        .expect("follower-1 runs at 0.5 s");
    lab.seek(2_000_000);
    let refused: Vec<_> = lab
        .marks()
        .into_iter()
        .filter(|m| m.kind == MarkKind::Refused)
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].time, 1_000_000);
    assert_eq!(refused[0].label, "refused: follower-1 is already crashed");
    assert!(lab
        .events(20)
        .iter()
        .any(|e| e.text == "refused: follower-1 is already crashed"));
}

#[test]
fn a_split_brain_marks_the_two_leaders_check_when_it_fires() {
    let mut cluster = ClusterConfig::standard(Method::Wal, 2);
    cluster.failover.fencing = false;
    let mut lab = Lab::new(LabSettings { seed: 16, cluster });
    lab.seek(10_000);
    insert(&mut lab, "shared");
    lab.seek(100_000);
    for (a, b) in [(0, 1), (0, 2), (3, 1), (3, 2)] {
        lab.perform(LabAction::Partition { a, b }).expect("cut");
    }
    assert!(lab.marks().iter().all(|m| m.kind != MarkKind::Check));
    // Played forward in small moves, as the page does.
    while lab.time() < 6_000_000 {
        lab.seek(lab.time() + 50_000);
    }
    assert!(!lab.checks().two_leaders.is_empty());
    let marks = lab.marks();
    let checks: Vec<_> = marks.iter().filter(|m| m.kind == MarkKind::Check).collect();
    assert_eq!(checks.len(), 1, "{marks:?}");
    assert_eq!(checks[0].label, "check: two leaders");
    // Dated by the promotion that caused it.
    let promoted = marks
        .iter()
        .find(|m| m.kind == MarkKind::Role && m.label == "follower-1 promoted")
        .expect("follower-1 was promoted");
    assert_eq!(checks[0].time, promoted.time);
    // Going back before it and acting forgets it with the future it was in.
    lab.seek(200_000);
    insert(&mut lab, "again");
    assert!(lab.marks().iter().all(|m| m.kind != MarkKind::Check));
}

#[test]
fn a_long_session_keeps_the_marks_bounded() {
    let mut lab = lab();
    for n in 0..600u64 {
        lab.seek(10_000 + n * 20_000);
        insert(&mut lab, "row");
    }
    lab.seek(13_000_000);
    let marks = lab.marks();
    // One mark per stretch and lane: the DOM does not grow with the session.
    assert!(marks.len() as u64 <= 2 * BUCKETS, "{}", marks.len());
    for kind in [MarkKind::Action, MarkKind::Commit] {
        let of_kind: Vec<_> = marks.iter().filter(|m| m.kind == kind).collect();
        assert!(
            of_kind.len() as u64 <= BUCKETS,
            "{kind:?}: {}",
            of_kind.len()
        );
        assert_eq!(
            of_kind.iter().map(|m| m.count).sum::<u32>(),
            600,
            "{kind:?}"
        );
    }
}

/// The watch for checks firing runs the checks (whole tables compared, every answer read), so
/// it must not run at every write: under the history benchmark's steady load it ran at each
/// one (computing 100k events took 4 s, not 0.6 s) until the throttle survived actions.
#[test]
fn the_check_watch_runs_a_bounded_number_of_times_under_steady_writes() {
    let short = history_load::load(5_000);
    let long = history_load::load(80_000);
    for loaded in [&short, &long] {
        assert!(
            loaded.lab.watch_runs() * 10 <= loaded.writes,
            "the watch ran {} times for {} writes over {} virtual µs",
            loaded.lab.watch_runs(),
            loaded.writes,
            loaded.end
        );
    }
    // Sixteen times the writes, fewer than half as many more watches: past the first
    // seconds its interval grows with the session, so a class's long session does not slow
    // down as it goes.
    assert!(
        long.lab.watch_runs() < short.lab.watch_runs() * 8,
        "{} watches for {} writes, {} for {}",
        short.lab.watch_runs(),
        short.writes,
        long.lab.watch_runs(),
        long.writes
    );
}
