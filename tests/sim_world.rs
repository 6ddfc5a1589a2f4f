//! Behaviour of the simulated world, driven through the toy process in `sim_toy.rs`.

#[path = "sim_toy.rs"]
mod toy;

use replication_lab::sim::{
    DropReason, Fault, Input, InputError, LinkConfig, NodeId, NodeStatus, Probability,
    ScheduleError, Time, TraceKind, World,
};
use std::collections::BTreeMap;
use toy::{ping_at, quiet_world, request_at, ticking_world, Toy, ToyMsg, ToyRequest, ToyTimer};

const A: NodeId = NodeId(0);
const B: NodeId = NodeId(1);
const C: NodeId = NodeId(2);

fn jittery_lossy() -> LinkConfig {
    LinkConfig::new(Time::millis(2))
        .with_jitter(Time::millis(8))
        .with_loss(Probability::percent(10))
}

/// A busy scenario: ticking nodes, jitter, loss, and a few faults and requests.
fn scenario(seed: u64) -> World<Toy> {
    let mut world = ticking_world(seed, 3, Time::millis(5), jittery_lossy());
    let faults = [
        (
            Time::millis(30),
            Fault::Partition {
                a: A,
                b: B,
                two_way: true,
            },
        ),
        (Time::millis(60), Fault::Crash(C)),
        (Time::millis(80), Fault::Heal { a: A, b: B }),
        (Time::millis(95), Fault::Restart(C)),
    ];
    for (at, fault) in faults {
        world.schedule(at, Input::Fault(fault)).unwrap();
    }
    request_at(&mut world, Time::millis(40), B, ToyRequest::Write(7));
    world.run_until(Time::millis(150));
    world
}

/// The reasons messages were dropped, counted.
fn drop_counts(world: &World<Toy>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for event in world.trace().iter() {
        if let TraceKind::Dropped { reason, .. } = &event.kind {
            *counts.entry(format!("{reason:?}")).or_insert(0) += 1;
        }
    }
    counts
}

/// The reason the message carrying `Ping(n)` was dropped, if it was.
fn drop_reason_of_ping(world: &World<Toy>, n: u64) -> Option<DropReason> {
    world.trace().iter().find_map(|e| match &e.kind {
        TraceKind::Dropped { reason, msg, .. } if **msg == ToyMsg::Ping(n) => Some(*reason),
        _ => None,
    })
}

fn received_pings(world: &World<Toy>, node: NodeId) -> Vec<u64> {
    world
        .node(node)
        .unwrap()
        .received
        .iter()
        .filter_map(|(_, m)| match m {
            ToyMsg::Ping(n) => Some(*n),
            ToyMsg::Pong(_) => None,
        })
        .collect()
}

#[test]
fn same_seed_and_inputs_give_the_same_trace() {
    for seed in [0, 1, 42] {
        let a = scenario(seed);
        let b = scenario(seed);
        if let Some(difference) = a.trace().first_difference(b.trace()) {
            panic!("seed {seed}: not deterministic; {difference}");
        }
        assert_eq!(a.trace_hash(), b.trace_hash(), "seed {seed}");
        assert_eq!(a.trace().len(), b.trace().len(), "seed {seed}");
        let show = |w: &World<Toy>| format!("{:?}", w.trace().iter().collect::<Vec<_>>());
        assert_eq!(show(&a), show(&b), "seed {seed}");
        assert!(
            a.trace().len() > 100,
            "seed {seed}: the scenario should be busy"
        );
    }
}

#[test]
fn a_different_seed_gives_different_jitter() {
    let a = scenario(1);
    let b = scenario(2);
    assert_ne!(a.trace_hash(), b.trace_hash());
    let delivery_times = |w: &World<Toy>| -> Vec<Time> {
        w.trace()
            .iter()
            .filter_map(|e| match &e.kind {
                TraceKind::Sent { deliver_at, .. } => Some(*deliver_at),
                _ => None,
            })
            .collect()
    };
    assert_ne!(delivery_times(&a), delivery_times(&b));
}

#[test]
fn a_link_is_fifo_even_with_jitter() {
    let link = LinkConfig::new(Time::millis(1)).with_jitter(Time::millis(40));
    let mut world = quiet_world(5, 2, link);
    for n in 0..500 {
        ping_at(&mut world, Time::micros(n * 100), A, B, n);
    }
    world.run_until(Time::secs(1));
    let pings = received_pings(&world, B);
    assert_eq!(pings, (0..500).collect::<Vec<_>>());
    // Jitter was real: not every message took the base latency.
    let spread: Vec<Time> = world
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::Sent { deliver_at, .. } => Some(*deliver_at - e.at),
            _ => None,
        })
        .collect();
    assert!(spread.iter().any(|d| *d > Time::millis(20)));
}

#[test]
fn loss_is_roughly_as_configured() {
    let seed = 11;
    let link = LinkConfig::new(Time::millis(1)).with_loss(Probability::percent(20));
    let mut world = quiet_world(seed, 2, link);
    for n in 0..10_000 {
        ping_at(&mut world, Time::micros(n * 10), A, B, n);
    }
    world.run_until(Time::secs(1));
    let lost = drop_counts(&world).get("Lost").copied().unwrap_or(0);
    assert!((1_800..=2_200).contains(&lost), "seed {seed}: lost {lost}");
    assert_eq!(
        received_pings(&world, B).len() as u64,
        10_000 - lost,
        "seed {seed}"
    );
}

#[test]
fn a_lost_message_travels_then_vanishes() {
    let link = LinkConfig::new(Time::millis(10)).with_loss(Probability::ALWAYS);
    let mut world = quiet_world(1, 2, link);
    ping_at(&mut world, Time::ZERO, A, B, 1);
    world.run_until(Time::millis(5));
    let flying: Vec<_> = world.in_flight().collect();
    assert_eq!(flying.len(), 1);
    assert!(flying[0].lost);
    world.run_until(Time::millis(20));
    assert_eq!(world.in_flight().count(), 0);
    let dropped_at = world.trace().iter().find_map(|e| match e.kind {
        TraceKind::Dropped {
            reason: DropReason::Lost,
            ..
        } => Some(e.at),
        _ => None,
    });
    assert_eq!(dropped_at, Some(Time::millis(10)));
}

#[test]
fn a_one_way_partition_drops_only_one_direction() {
    let mut world = quiet_world(3, 2, LinkConfig::new(Time::millis(1)));
    world
        .apply(Input::Fault(Fault::Partition {
            a: A,
            b: B,
            two_way: false,
        }))
        .unwrap();
    ping_at(&mut world, Time::millis(1), A, B, 1);
    ping_at(&mut world, Time::millis(1), B, A, 2);
    world.run_until(Time::millis(10));
    assert_eq!(received_pings(&world, B), Vec::<u64>::new());
    assert_eq!(received_pings(&world, A), vec![2]);
    assert_eq!(drop_reason_of_ping(&world, 1), Some(DropReason::LinkCut));
    assert!(world.network().link(A, B).unwrap().cut);
    assert!(!world.network().link(B, A).unwrap().cut);
}

#[test]
fn a_message_in_flight_when_the_link_is_cut_is_dropped_on_arrival() {
    let mut world = quiet_world(3, 2, LinkConfig::new(Time::millis(100)));
    ping_at(&mut world, Time::ZERO, A, B, 1);
    let cut = Fault::Partition {
        a: A,
        b: B,
        two_way: true,
    };
    world.schedule(Time::millis(10), Input::Fault(cut)).unwrap();
    world.run_until(Time::millis(200));
    assert_eq!(drop_reason_of_ping(&world, 1), Some(DropReason::LinkCut));
}

#[test]
fn healing_starts_a_new_stream() {
    let mut world = quiet_world(3, 2, LinkConfig::new(Time::millis(100)));
    ping_at(&mut world, Time::ZERO, A, B, 1);
    let cut = Fault::Partition {
        a: A,
        b: B,
        two_way: true,
    };
    world.schedule(Time::millis(10), Input::Fault(cut)).unwrap();
    let heal = Fault::Heal { a: A, b: B };
    world
        .schedule(Time::millis(20), Input::Fault(heal))
        .unwrap();
    ping_at(&mut world, Time::millis(30), A, B, 2);
    world.run_until(Time::millis(300));
    // The old message arrives after the heal but belongs to the old stream.
    assert_eq!(
        drop_reason_of_ping(&world, 1),
        Some(DropReason::StreamReset)
    );
    assert_eq!(received_pings(&world, B), vec![2]);
    assert_eq!(world.network().link(A, B).unwrap().stream, 1);
}

#[test]
fn a_crash_drops_volatile_state_timers_and_messages_but_keeps_durable_state() {
    let mut world = ticking_world(9, 2, Time::millis(10), LinkConfig::new(Time::millis(3)));
    request_at(&mut world, Time::millis(1), B, ToyRequest::Write(41));
    world.run_until(Time::millis(25));
    let b = world.node(B).unwrap();
    assert!(!b.received.is_empty());
    assert_eq!(b.log, vec![41]);
    assert_eq!(world.timers(B).count(), 1);

    world.apply(Input::Fault(Fault::Crash(B))).unwrap();
    let b = world.node(B).unwrap();
    assert_eq!(world.node_status(B), Some(NodeStatus::Crashed));
    assert!(b.received.is_empty(), "volatile state is dropped");
    assert_eq!(b.log, vec![41], "durable state survives");
    assert_eq!(world.timers(B).count(), 0, "timers are cancelled");

    let write = request_at(&mut world, Time::millis(26), B, ToyRequest::Write(42));
    world.run_until(Time::millis(60));
    assert!(
        world.node(B).unwrap().received.is_empty(),
        "nothing delivered to a crashed node"
    );
    assert!(
        drop_counts(&world)
            .get("ReceiverDown")
            .copied()
            .unwrap_or(0)
            >= 3
    );
    let rejected = world.trace().iter().any(|e| {
        matches!(&e.kind, TraceKind::RequestRejected { request, error: InputError::NodeDown(n), .. }
            if *request == write && *n == B)
    });
    assert!(rejected, "a request to a crashed node is rejected");
    // A crashed node sends nothing: no timer of B fired after the crash.
    let b_fired_late = world.trace().iter().any(|e| {
        e.at > Time::millis(25)
            && matches!(&e.kind, TraceKind::TimerFired { node, .. } if *node == B)
    });
    assert!(!b_fired_late);

    world.apply(Input::Fault(Fault::Restart(B))).unwrap();
    assert_eq!(world.node_status(B), Some(NodeStatus::Up));
    assert_eq!(
        world.node(B).unwrap().starts,
        2,
        "restart runs on_start again"
    );
    assert_eq!(world.timers(B).count(), 1, "on_start set its timer again");
    world.run_until(Time::millis(100));
    assert!(!world.node(B).unwrap().received.is_empty());
    assert_eq!(world.node(B).unwrap().log, vec![41]);
}

#[test]
fn messages_sent_to_a_node_while_it_is_down_never_arrive_after_restart() {
    let mut world = quiet_world(3, 2, LinkConfig::new(Time::millis(50)));
    world.apply(Input::Fault(Fault::Crash(B))).unwrap();
    ping_at(&mut world, Time::millis(1), A, B, 1);
    world
        .schedule(Time::millis(10), Input::Fault(Fault::Restart(B)))
        .unwrap();
    world.run_until(Time::millis(100));
    assert_eq!(
        drop_reason_of_ping(&world, 1),
        Some(DropReason::StreamReset)
    );
    assert!(received_pings(&world, B).is_empty());
}

#[test]
fn timers_replace_cancel_and_list() {
    let mut world = quiet_world(3, 1, LinkConfig::default());
    let set = |k, after| ToyRequest::SetTimer { k, after };
    world
        .apply(Input::Request {
            node: A,
            req: set(1, Time::millis(10)),
        })
        .unwrap();
    world
        .apply(Input::Request {
            node: A,
            req: set(1, Time::millis(30)),
        })
        .unwrap();
    world
        .apply(Input::Request {
            node: A,
            req: set(2, Time::millis(20)),
        })
        .unwrap();
    let listed: Vec<_> = world.timers(A).map(|(t, at)| (t.clone(), at)).collect();
    assert_eq!(
        listed,
        vec![
            (ToyTimer::Other(1), Time::millis(30)),
            (ToyTimer::Other(2), Time::millis(20))
        ]
    );
    // The moved timer's old entry does not count as the next event.
    assert_eq!(world.next_event_time(), Some(Time::millis(20)));
    world
        .apply(Input::Request {
            node: A,
            req: ToyRequest::CancelTimer { k: 2 },
        })
        .unwrap();
    assert_eq!(world.next_event_time(), Some(Time::millis(30)));
    world.run_until(Time::secs(1));
    let fired: Vec<_> = world
        .trace()
        .iter()
        .filter_map(|e| match &e.kind {
            TraceKind::TimerFired { timer, .. } => Some((e.at, timer.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(fired, vec![(Time::millis(30), ToyTimer::Other(1))]);
    assert_eq!(world.next_event_time(), None);
}

#[test]
fn requests_replies_and_durable_notes_are_traced() {
    let mut world = quiet_world(3, 2, LinkConfig::default());
    let id = request_at(&mut world, Time::millis(5), B, ToyRequest::Write(9));
    world.run_until(Time::millis(5));
    let kinds: Vec<String> = world
        .trace()
        .iter()
        .filter(|e| e.at == Time::millis(5))
        .map(|e| format!("{:?}", e.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            format!("RequestReceived {{ node: NodeId(1), request: {id:?}, req: Write(9) }}"),
            "DurableWritten { node: NodeId(1), write: 9 }".to_string(),
            "Note { node: NodeId(1), note: Appended { len: 1 } }".to_string(),
            format!("Replied {{ node: NodeId(1), request: {id:?}, reply: 9 }}"),
        ]
    );
}

#[test]
fn in_flight_lists_messages_with_their_times() {
    let mut world = quiet_world(3, 3, LinkConfig::new(Time::millis(10)));
    ping_at(&mut world, Time::millis(1), A, B, 1);
    ping_at(&mut world, Time::millis(2), C, A, 2);
    world.run_until(Time::millis(5));
    let flying: Vec<_> = world
        .in_flight()
        .map(|m| (m.from, m.to, m.sent_at, m.deliver_at, m.msg.clone()))
        .collect();
    assert_eq!(
        flying,
        vec![
            (A, B, Time::millis(1), Time::millis(11), ToyMsg::Ping(1)),
            (C, A, Time::millis(2), Time::millis(12), ToyMsg::Ping(2)),
        ]
    );
    world.run_until(Time::millis(11));
    assert_eq!(world.in_flight().count(), 1);
}

#[test]
fn run_until_equals_stepping() {
    let until = Time::millis(120);
    let mut by_run = scenario_unrun(4);
    let events = by_run.run_until(until);
    let mut by_step = scenario_unrun(4);
    let mut steps = 0;
    while by_step.next_event_time().is_some_and(|t| t <= until) {
        let at = by_step.step().unwrap();
        assert_eq!(at, by_step.now());
        steps += 1;
    }
    assert_eq!(events, steps);
    if let Some(difference) = by_run.trace().first_difference(by_step.trace()) {
        panic!("running and stepping part; {difference}");
    }
    assert_eq!(by_run.trace_hash(), by_step.trace_hash());
    assert_eq!(by_run.now(), until);
    assert!(by_step.now() <= until);
}

fn scenario_unrun(seed: u64) -> World<Toy> {
    let mut world = ticking_world(seed, 3, Time::millis(5), jittery_lossy());
    world
        .schedule(Time::millis(50), Input::Fault(Fault::Crash(B)))
        .unwrap();
    world
        .schedule(Time::millis(70), Input::Fault(Fault::Restart(B)))
        .unwrap();
    world
}

#[test]
fn a_clone_replays_exactly_what_the_original_does() {
    let mut original = scenario_unrun(8);
    original.run_until(Time::millis(60));
    let checkpoint = original.clone();
    let mut replay = checkpoint.clone();
    original.run_until(Time::millis(200));
    replay.run_until(Time::millis(200));
    if let Some(difference) = original.trace().first_difference(replay.trace()) {
        panic!("seed 8: the replay parts from the original; {difference}");
    }
    assert_eq!(original.trace_hash(), replay.trace_hash());
    assert_eq!(original.trace().len(), replay.trace().len());
    let show = |w: &World<Toy>| format!("{:?}", w.trace().iter().collect::<Vec<_>>());
    assert_eq!(show(&original), show(&replay));
    // The checkpoint is untouched by both runs.
    assert_eq!(checkpoint.now(), Time::millis(60));
    assert!(checkpoint.trace().len() < original.trace().len());
    let prefix: Vec<String> = original
        .trace()
        .iter()
        .take(checkpoint.trace().len() as usize)
        .map(|e| format!("{e:?}"))
        .collect();
    let kept: Vec<String> = checkpoint
        .trace()
        .iter()
        .map(|e| format!("{e:?}"))
        .collect();
    assert_eq!(prefix, kept);
}

#[test]
fn many_checkpoints_share_the_trace() {
    let mut world = ticking_world(1, 5, Time::millis(1), LinkConfig::new(Time::micros(300)));
    let mut checkpoints = Vec::new();
    for i in 1..=20 {
        world.run_until(Time::millis(i * 5));
        checkpoints.push(world.clone());
    }
    // Each clone adds at most one chunk boundary; no events were copied.
    assert!(world.trace().chunk_count() <= 20 + (world.trace().len() as usize / 4096) + 1);
    for (i, checkpoint) in checkpoints.iter().enumerate() {
        let mut replay = checkpoint.clone();
        replay.run_until(world.now());
        if let Some(difference) = replay.trace().first_difference(world.trace()) {
            panic!("checkpoint {i}: the replay parts from the run; {difference}");
        }
        assert_eq!(replay.trace_hash(), world.trace_hash(), "checkpoint {i}");
    }
    // Reading from the middle of the trace finds the right event.
    let tenth = world.trace().iter().nth(1_000).map(|e| format!("{e:?}"));
    assert_eq!(world.trace().get(1_000).map(|e| format!("{e:?}")), tenth);
    assert_eq!(world.trace().iter_from(world.trace().len()).count(), 0);
}

#[test]
fn bad_inputs_return_errors_and_change_nothing() {
    let mut world = ticking_world(2, 2, Time::millis(5), LinkConfig::default());
    world.run_until(Time::millis(12));
    let hash_of_state = |w: &World<Toy>| {
        (
            w.nodes()
                .map(|n| (n.status, n.process.starts))
                .collect::<Vec<_>>(),
            w.network().link(A, B),
            w.network().link(B, A),
        )
    };
    let before = hash_of_state(&world);
    let ghost = NodeId(99);
    let cases = [
        (Fault::Crash(ghost), InputError::UnknownNode(ghost)),
        (Fault::Restart(A), InputError::NotCrashed(A)),
        (
            Fault::Partition {
                a: A,
                b: A,
                two_way: true,
            },
            InputError::SameNode(A),
        ),
        (Fault::Heal { a: B, b: B }, InputError::SameNode(B)),
        (
            Fault::Partition {
                a: A,
                b: ghost,
                two_way: false,
            },
            InputError::UnknownNode(ghost),
        ),
        (Fault::Isolate(ghost), InputError::UnknownNode(ghost)),
        (
            Fault::SetLink {
                from: ghost,
                to: A,
                config: LinkConfig::default(),
            },
            InputError::UnknownNode(ghost),
        ),
        (
            Fault::SetLoss {
                from: A,
                to: ghost,
                loss: Probability::ALWAYS,
            },
            InputError::UnknownNode(ghost),
        ),
        (
            Fault::ClearLink {
                from: ghost,
                to: ghost,
            },
            InputError::UnknownNode(ghost),
        ),
    ];
    for (fault, expected) in cases {
        assert_eq!(world.apply(Input::Fault(fault)), Err(expected), "{fault:?}");
    }
    let request = Input::Request {
        node: ghost,
        req: ToyRequest::Write(1),
    };
    assert_eq!(world.apply(request), Err(InputError::UnknownNode(ghost)));
    assert_eq!(hash_of_state(&world), before);

    // Crashing twice is an error the second time.
    world.apply(Input::Fault(Fault::Crash(B))).unwrap();
    assert_eq!(
        world.apply(Input::Fault(Fault::Crash(B))),
        Err(InputError::AlreadyCrashed(B))
    );

    // Scheduled bad faults are traced as rejected, not panics.
    world
        .schedule(Time::millis(20), Input::Fault(Fault::Restart(ghost)))
        .unwrap();
    world.run_until(Time::millis(30));
    let rejected = world
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::FaultRejected { .. }))
        .count();
    assert_eq!(rejected, 11);

    // Scheduling in the past is refused.
    assert_eq!(
        world.schedule(Time::millis(1), Input::Fault(Fault::HealAll)),
        Err(ScheduleError::InThePast {
            at: Time::millis(1),
            now: Time::millis(30)
        })
    );
    // Sending to a node that does not exist is a traced drop.
    world
        .apply(Input::Request {
            node: A,
            req: ToyRequest::Send { to: ghost, n: 5 },
        })
        .unwrap();
    assert_eq!(
        drop_reason_of_ping(&world, 5),
        Some(DropReason::UnknownNode)
    );
}

#[test]
fn absurd_link_settings_do_not_panic() {
    let mut world = quiet_world(2, 2, LinkConfig::default());
    let absurd = LinkConfig::new(Time::MAX).with_jitter(Time::MAX);
    world
        .apply(Input::Fault(Fault::SetLink {
            from: A,
            to: B,
            config: absurd,
        }))
        .unwrap();
    world
        .apply(Input::Fault(Fault::SetDelay {
            from: B,
            to: A,
            latency: Time::ZERO,
            jitter: Time::ZERO,
        }))
        .unwrap();
    ping_at(&mut world, Time::millis(1), A, B, 1);
    ping_at(&mut world, Time::millis(1), B, A, 2);
    world.run_until(Time::secs(10));
    assert_eq!(received_pings(&world, A), vec![2]);
    assert_eq!(world.in_flight().count(), 1);
    // Running to the end of time delivers it without overflowing.
    world.run_until(Time::MAX);
    assert_eq!(received_pings(&world, B), vec![1]);
}

#[test]
fn isolate_and_heal_all() {
    let mut world = quiet_world(2, 3, LinkConfig::new(Time::millis(1)));
    world.apply(Input::Fault(Fault::Isolate(C))).unwrap();
    ping_at(&mut world, Time::millis(1), A, C, 1);
    ping_at(&mut world, Time::millis(1), A, B, 2);
    world
        .schedule(Time::millis(5), Input::Fault(Fault::HealAll))
        .unwrap();
    ping_at(&mut world, Time::millis(6), A, C, 3);
    world.run_until(Time::millis(20));
    assert_eq!(received_pings(&world, C), vec![3]);
    assert_eq!(received_pings(&world, B), vec![2]);
}

#[test]
fn per_link_overrides_and_node_seeds() {
    let config = replication_lab::sim::NetworkConfig::uniform(LinkConfig::new(Time::millis(1)))
        .with_link(A, B, LinkConfig::new(Time::millis(50)));
    let mut world: World<Toy> = World::new(3, config);
    let a = world.add_node_with("a", |id, seed| {
        assert_eq!(id, A);
        assert_ne!(seed, 0);
        Toy::quiet()
    });
    world.add_node("b", Toy::quiet());
    assert_eq!(world.node_seed(a), world.node_seed(A));
    assert_ne!(world.node_seed(A), world.node_seed(B));
    assert_eq!(world.node_name(B), Some("b"));
    ping_at(&mut world, Time::ZERO, A, B, 1);
    ping_at(&mut world, Time::ZERO, B, A, 2);
    world.run_until(Time::millis(10));
    assert_eq!(received_pings(&world, A), vec![2]);
    assert!(received_pings(&world, B).is_empty());
    world.run_until(Time::millis(50));
    assert_eq!(received_pings(&world, B), vec![1]);
}

/// Pins the trace hash of one fixed scenario. It must be the same on every platform (run it on
/// wasm32 too) and only change when the trace format or the simulator's semantics change on
/// purpose — then update the constant in the same commit and say why.
#[test]
fn the_trace_hash_of_a_fixed_scenario_is_pinned() {
    let world = scenario(1);
    assert_eq!(world.trace_hash(), GOLDEN, "got {:#x}", world.trace_hash());
}

const GOLDEN: u64 = 0xeb50_16b9_9bc0_00ca;
