//! Property tests: random fault schedules and requests never break the world's invariants.

#[path = "sim_toy.rs"]
mod toy;

use proptest::prelude::*;
use replication_lab::sim::{
    Fault, Input, LinkConfig, MessageId, NodeId, Probability, Time, TraceKind, World,
};
use std::collections::{BTreeMap, BTreeSet};
use toy::{ticking_world, Toy, ToyRequest};

/// One scheduled input, in test-friendly numbers (node indices may name missing nodes).
#[derive(Clone, Debug)]
enum Op {
    Crash(u32),
    Restart(u32),
    Partition(u32, u32, bool),
    Heal(u32, u32),
    Isolate(u32),
    HealAll,
    Loss(u32, u32, u32),
    Delay(u32, u32, u64, u64),
    Send(u32, u32, u64),
    Write(u32, u64),
    Timer(u32, u8, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let node = 0u32..6;
    prop_oneof![
        node.clone().prop_map(Op::Crash),
        node.clone().prop_map(Op::Restart),
        (node.clone(), node.clone(), any::<bool>()).prop_map(|(a, b, t)| Op::Partition(a, b, t)),
        (node.clone(), node.clone()).prop_map(|(a, b)| Op::Heal(a, b)),
        node.clone().prop_map(Op::Isolate),
        Just(Op::HealAll),
        (node.clone(), node.clone(), 0u32..=100).prop_map(|(a, b, p)| Op::Loss(a, b, p)),
        (node.clone(), node.clone(), 0u64..30_000, 0u64..30_000)
            .prop_map(|(a, b, l, j)| Op::Delay(a, b, l, j)),
        (node.clone(), node.clone(), any::<u64>()).prop_map(|(a, b, n)| Op::Send(a, b, n)),
        (node.clone(), any::<u64>()).prop_map(|(a, v)| Op::Write(a, v)),
        (node, 0u8..3, 0u64..50_000).prop_map(|(a, k, after)| Op::Timer(a, k, after)),
    ]
}

fn input(op: &Op) -> Input<Toy> {
    let n = NodeId;
    match *op {
        Op::Crash(a) => Input::Fault(Fault::Crash(n(a))),
        Op::Restart(a) => Input::Fault(Fault::Restart(n(a))),
        Op::Partition(a, b, two_way) => Input::Fault(Fault::Partition {
            a: n(a),
            b: n(b),
            two_way,
        }),
        Op::Heal(a, b) => Input::Fault(Fault::Heal { a: n(a), b: n(b) }),
        Op::Isolate(a) => Input::Fault(Fault::Isolate(n(a))),
        Op::HealAll => Input::Fault(Fault::HealAll),
        Op::Loss(a, b, pct) => Input::Fault(Fault::SetLoss {
            from: n(a),
            to: n(b),
            loss: Probability::percent(pct),
        }),
        Op::Delay(a, b, latency, jitter) => Input::Fault(Fault::SetDelay {
            from: n(a),
            to: n(b),
            latency: Time::micros(latency),
            jitter: Time::micros(jitter),
        }),
        Op::Send(a, b, v) => Input::Request {
            node: n(a),
            req: ToyRequest::Send { to: n(b), n: v },
        },
        Op::Write(a, v) => Input::Request {
            node: n(a),
            req: ToyRequest::Write(v),
        },
        Op::Timer(a, k, after) => Input::Request {
            node: n(a),
            req: ToyRequest::SetTimer {
                k,
                after: Time::micros(after),
            },
        },
    }
}

#[derive(Clone, Debug)]
struct Scenario {
    seed: u64,
    nodes: u32,
    latency_us: u64,
    jitter_us: u64,
    loss_pct: u32,
    ops: Vec<(u64, Op)>,
}

fn scenario() -> impl Strategy<Value = Scenario> {
    (
        any::<u64>(),
        2u32..=5,
        0u64..10_000,
        0u64..20_000,
        0u32..=30,
        prop::collection::vec((0u64..300_000, op()), 0..40),
    )
        .prop_map(
            |(seed, nodes, latency_us, jitter_us, loss_pct, ops)| Scenario {
                seed,
                nodes,
                latency_us,
                jitter_us,
                loss_pct,
                ops,
            },
        )
}

fn run(s: &Scenario) -> World<Toy> {
    let mut world = run_unfinished(s);
    world.run_until(Time::millis(400));
    world
}

/// Checks the trace's invariants; returns a description of the first violation.
fn check_invariants(world: &World<Toy>) -> Result<(), String> {
    let mut up: BTreeSet<NodeId> = BTreeSet::new();
    // id -> (from, to, stream, deliver_at) for messages that entered the network.
    let mut sent: BTreeMap<MessageId, (NodeId, NodeId, u64, Time)> = BTreeMap::new();
    let mut finished: BTreeSet<MessageId> = BTreeSet::new();
    let mut last_on_stream: BTreeMap<(NodeId, NodeId, u64), MessageId> = BTreeMap::new();
    let mut last_at = Time::ZERO;
    for (index, event) in world.trace().iter().enumerate() {
        let at = event.at;
        if at < last_at {
            return Err(format!("event {index} goes back in time"));
        }
        last_at = at;
        match &event.kind {
            TraceKind::NodeAdded { node, .. } | TraceKind::Restarted { node } => {
                up.insert(*node);
            }
            TraceKind::Crashed { node } => {
                up.remove(node);
            }
            TraceKind::Sent {
                id,
                from,
                to,
                stream,
                deliver_at,
                ..
            } => {
                if !up.contains(from) {
                    return Err(format!("{id} sent by crashed {from}"));
                }
                if *deliver_at <= at {
                    return Err(format!("{id} due no later than it was sent"));
                }
                sent.insert(*id, (*from, *to, *stream, *deliver_at));
            }
            TraceKind::Delivered { id, from, to } => {
                let Some(&(f, t, stream, due)) = sent.get(id) else {
                    return Err(format!("{id} delivered but never sent"));
                };
                if (f, t) != (*from, *to) || due != at {
                    return Err(format!("{id} delivered on the wrong link or time"));
                }
                if !up.contains(to) {
                    return Err(format!("{id} delivered to crashed {to}"));
                }
                if !finished.insert(*id) {
                    return Err(format!("{id} delivered twice"));
                }
                if let Some(previous) = last_on_stream.insert((f, t, stream), *id) {
                    if previous > *id {
                        return Err(format!("{id} overtook {previous} on its stream"));
                    }
                }
            }
            TraceKind::Dropped { id, .. } if sent.contains_key(id) && !finished.insert(*id) => {
                return Err(format!("{id} dropped after it finished"));
            }
            TraceKind::TimerFired { node, .. } | TraceKind::RequestReceived { node, .. }
                if !up.contains(node) =>
            {
                return Err(format!("crashed {node} ran a handler"));
            }
            _ => {}
        }
    }
    let flying = world.in_flight().count();
    if finished.len() + flying != sent.len() {
        return Err(format!(
            "{} sent, {} finished, {flying} in flight",
            sent.len(),
            finished.len()
        ));
    }
    for node in world.nodes() {
        let traced_up = up.contains(&node.id);
        if traced_up != (node.status == replication_lab::sim::NodeStatus::Up) {
            return Err(format!("{} status disagrees with the trace", node.id));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn random_fault_schedules_keep_the_invariants(s in scenario()) {
        let world = run(&s);
        if let Err(violation) = check_invariants(&world) {
            prop_assert!(false, "seed {}: {}", s.seed, violation);
        }
        let again = run(&s);
        let difference = world.trace().first_difference(again.trace()).map(|d| d.to_string());
        prop_assert!(difference.is_none(), "seed {}: not deterministic; {}", s.seed, difference.unwrap_or_default());
        prop_assert_eq!(world.trace_hash(), again.trace_hash(), "seed {}: not deterministic", s.seed);
    }

    #[test]
    fn a_checkpoint_replays_to_the_same_hash(s in scenario(), split_ms in 0u64..400) {
        let mut world = run_unfinished(&s);
        world.run_until(Time::millis(split_ms));
        let mut replay = world.clone();
        world.run_until(Time::millis(400));
        replay.run_until(Time::millis(400));
        let difference = world.trace().first_difference(replay.trace()).map(|d| d.to_string());
        prop_assert!(difference.is_none(), "seed {}: the replay parts from the run; {}", s.seed, difference.unwrap_or_default());
        prop_assert_eq!(world.trace_hash(), replay.trace_hash(), "seed {}", s.seed);
    }
}

fn run_unfinished(s: &Scenario) -> World<Toy> {
    let link = LinkConfig::new(Time::micros(s.latency_us))
        .with_jitter(Time::micros(s.jitter_us))
        .with_loss(Probability::percent(s.loss_pct));
    let mut world = ticking_world(s.seed, s.nodes, Time::millis(7), link);
    for (at, op) in &s.ops {
        world
            .schedule(Time::micros(*at), input(op))
            .expect("scheduled at or after time zero");
    }
    world
}
