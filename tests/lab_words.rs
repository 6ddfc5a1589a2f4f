//! One source of truth for each state word: over seeded runs with writes, crashes, restarts
//! and cut links, the node's state on the diagram, the live checks' line and the inspector
//! say the same thing about every replica on every sampled frame; a crashed follower is
//! "crashed" everywhere (never "catching up"); and the event log says "caught up" at the very
//! event at which the node's word turns from "catching up" to "streaming".

mod support;

use replication_lab::lab::describe::view;
use replication_lab::lab::inspect::inspect;
use replication_lab::lab::narrate::{typed, EventKind};
use replication_lab::replication::checks;
use replication_lab::replication::config::{ClusterConfig, Method, RowImage};
use replication_lab::replication::node::Note;
use replication_lab::replication::single_leader::progress::{self, progress, ReplicaProgress};
use replication_lab::sim::{NodeId, SimRng, Time};
use replication_lab::view::{NodeKind, NodeStatus};
use support::{ms, Run};

const INSERT: &str = "INSERT INTO orders (status, note) VALUES ('new', 'words')";

/// A run of `method` with seed `seed`: a write every few ms from both clients for 1.5 s,
/// followers crashed and restarted, a link cut and healed, at seeded times.
fn busy_run(method: Method, seed: u64) -> Run {
    let config = ClusterConfig::lab_default(method);
    let mut run = Run::new(&config, seed);
    let mut rng = SimRng::new(seed);
    let mut t = 20;
    while t < 1_500 {
        let client = if rng.below(2) == 0 {
            "client-1"
        } else {
            "client-2"
        };
        run.sql(ms(t), client, INSERT);
        t += 5 + rng.below(40);
    }
    for follower in ["follower-1", "follower-2"] {
        let down = 50 + rng.below(600);
        run.crash(ms(down), follower);
        run.restart(ms(down + 100 + rng.below(500)), follower);
    }
    let cut = 200 + rng.below(800);
    run.partition(ms(cut), "leader", "follower-2");
    run.heal(ms(cut + 50 + rng.below(300)), "leader", "follower-2");
    run
}

/// Which words a run showed, to be sure the checks were not vacuous.
#[derive(Default)]
struct Seen {
    catching_up: usize,
    crashed: usize,
    behind_while_streaming: usize,
    caught_up_notes: usize,
    turned_streaming: usize,
}

/// The node, the checks' line and the inspector agree on every replica now.
fn assert_words_agree(run: &Run, method: Method, seen: &mut Seen) {
    let world = &run.world;
    let view = view(world, method);
    let checks = checks::check(world, method);
    let at = world.now();
    for node in view.nodes.iter().filter(|n| n.kind == NodeKind::Database) {
        let id = NodeId(node.id);
        let Some(progress) = progress(world, id) else {
            continue;
        };
        let context = format!("seed {} at {at}: {}", run.seed, node.name);
        assert_eq!(
            node.state,
            progress.to_string(),
            "the node's words, {context}"
        );
        let listed: Vec<_> = checks
            .replicas
            .iter()
            .filter(|(name, _)| *name == node.name)
            .collect();
        match listed.as_slice() {
            [] => assert!(
                progress.up_to_date() || progress == ReplicaProgress::Spare,
                "a replica that is {} is missing from the checks' line, {context}",
                node.state
            ),
            [(_, listed)] => assert_eq!(
                listed.to_string(),
                node.state,
                "the checks' line, {context}"
            ),
            _ => panic!("listed twice, {context}"),
        }
        let inspected = inspect(world, method, id).and_then(|i| i.progress);
        assert!(
            inspected
                .as_deref()
                .is_some_and(|line| line.starts_with(node.state.as_str())),
            "the inspector says {inspected:?} and the node {}, {context}",
            node.state
        );
        if node.status == NodeStatus::Crashed {
            assert_eq!(node.state, "crashed", "{context}");
            seen.crashed += 1;
        }
        match progress {
            ReplicaProgress::CatchingUp { .. } => seen.catching_up += 1,
            ReplicaProgress::Streaming { behind } if behind > 0 => seen.behind_while_streaming += 1,
            _ => {}
        }
    }
}

/// Steps `run` event by event until `until`: every `sample`-th event the words are compared;
/// at every event, "caught up" is narrated exactly when a replica's word turns from
/// "catching up" to "streaming".
fn step_through(run: &mut Run, method: Method, until: Time, sample: u64, seen: &mut Seen) {
    let replicas: Vec<NodeId> = run
        .world
        .nodes()
        .filter(|n| n.process.as_server().is_some())
        .map(|n| n.id)
        .collect();
    let words = |run: &Run| -> Vec<Option<ReplicaProgress>> {
        replicas
            .iter()
            .map(|id| progress(&run.world, *id))
            .collect()
    };
    let mut before = words(run);
    let mut steps = 0;
    while run.world.next_event_time().is_some_and(|t| t <= until) {
        let read = run.world.trace().len();
        run.world.step();
        let caught_up: Vec<String> = run
            .world
            .trace()
            .iter_from(read)
            .enumerate()
            .filter_map(|(i, event)| typed(&run.world, read + i as u64, event))
            .filter_map(|event| match event.kind {
                EventKind::Note(Note::CaughtUp { node, .. }) => Some(node),
                _ => None,
            })
            .collect();
        let after = words(run);
        for (i, id) in replicas.iter().enumerate() {
            let name = run.world.node_name(*id).unwrap_or("?").to_string();
            let context = format!("seed {} at {}: {name}", run.seed, run.world.now());
            let was_catching_up = matches!(before[i], Some(ReplicaProgress::CatchingUp { .. }));
            let is_catching_up = matches!(after[i], Some(ReplicaProgress::CatchingUp { .. }));
            let turned =
                was_catching_up && matches!(after[i], Some(ReplicaProgress::Streaming { .. }));
            let narrated = caught_up.contains(&name);
            if turned {
                seen.turned_streaming += 1;
                assert!(
                    narrated,
                    "{context}: streaming now, and no 'caught up' said"
                );
            }
            if narrated {
                seen.caught_up_notes += 1;
                assert!(
                    !is_catching_up,
                    "{context}: 'caught up' said while it still catches up"
                );
                if was_catching_up {
                    assert!(
                        turned,
                        "{context}: 'caught up' said, and it is {:?}",
                        after[i]
                    );
                }
            }
        }
        before = after;
        steps += 1;
        if steps % sample == 0 {
            assert_words_agree(run, method, seen);
        }
    }
}

#[test]
fn node_checks_and_inspector_say_the_same_words_and_caught_up_is_said_when_it_happens() {
    let mut seen = Seen::default();
    for method in [
        Method::Wal,
        Method::Logical {
            image: RowImage::Full,
        },
        Method::Statement {
            context_events: true,
        },
        Method::Trigger,
    ] {
        for seed in 1..=6 {
            let mut run = busy_run(method, seed);
            step_through(&mut run, method, ms(2_500), 7, &mut seen);
        }
    }
    assert!(seen.catching_up > 0, "some replica was seen catching up");
    assert!(seen.crashed > 0, "some replica was seen crashed");
    assert!(
        seen.behind_while_streaming > 0,
        "some replica was seen streaming and behind"
    );
    assert!(seen.turned_streaming > 0, "some replica caught up");
    assert!(seen.caught_up_notes >= seen.turned_streaming);
}

#[test]
fn a_crashed_follower_is_crashed_in_the_checks_line_never_catching_up() {
    let config = ClusterConfig::lab_default(Method::Wal);
    let mut run = Run::new(&config, 4);
    run.crash(ms(10), "follower-1");
    for i in 0..5 {
        run.sql(ms(20 + 10 * i), "client-1", INSERT);
    }
    run.run_until(ms(400));
    let checks = run.checks(Method::Wal);
    let listed: Vec<(String, String)> = checks
        .replicas
        .iter()
        .map(|(name, p)| (name.clone(), p.to_string()))
        .collect();
    assert_eq!(listed, [("follower-1".to_string(), "crashed".to_string())]);
    let view = view(&run.world, Method::Wal);
    let follower = view.nodes.iter().find(|n| n.name == "follower-1");
    assert_eq!(follower.map(|n| n.state.as_str()), Some("crashed"));

    // Restarted, it catches up on the five entries it missed, then streams.
    run.restart(ms(400), "follower-1");
    let mut words = Vec::new();
    for t in (400..=700).step_by(1) {
        run.run_until(ms(t));
        let word = progress(&run.world, run.id("follower-1")).map(|p| p.word());
        if words.last() != Some(&word) {
            words.push(word);
        }
    }
    assert!(
        words.contains(&Some("catching up")),
        "it catches up after its restart: {words:?}"
    );
    assert_eq!(words.last(), Some(&Some("streaming")), "{words:?}");
    assert_eq!(
        progress(&run.world, run.id("follower-1")),
        Some(ReplicaProgress::Streaming { behind: 0 })
    );
}

#[test]
fn behind_counts_the_entries_the_leader_logged_that_the_replica_has_not_applied() {
    let config = ClusterConfig::lab_default(Method::Wal);
    let mut run = Run::new(&config, 9);
    run.crash(ms(10), "follower-2");
    for i in 0..3 {
        run.sql(ms(20 + 10 * i), "client-1", INSERT);
    }
    run.run_until(ms(300));
    let leader = run.server("leader").disk.last_index();
    let applied = run.server("follower-2").disk.applied;
    assert_eq!(leader - applied, 3, "three commits missed");
    let behind = progress::behind(&run.world, run.server("follower-2"));
    assert_eq!(behind, Some(3));
    assert_eq!(
        ReplicaProgress::CatchingUp { behind: 3 }.to_string(),
        "catching up, 3 behind"
    );
    assert_eq!(
        ReplicaProgress::Streaming { behind: 0 }.to_string(),
        "streaming"
    );
}
