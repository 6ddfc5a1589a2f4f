//! Property test of the time model: after every move in a random sequence of seeks, steps,
//! steps back and actions (forks), the timeline's world equals a fresh world replayed from
//! scratch with the timeline's inputs up to its time.

#[path = "timeline_support.rs"]
mod support;

use proptest::prelude::*;
use replication_lab::sim::{Fault, Input, NodeId, Time};
use replication_lab::timeline::Timeline;
use support::toy::{Toy, ToyRequest};
use support::{busy_origin, difference, replay};

#[derive(Clone, Debug)]
enum Move {
    Seek(u64),
    Step,
    StepBack,
    Crash(u32),
    Restart(u32),
    Partition(u32, u32),
    HealAll,
    Write(u32, u64),
}

fn a_move() -> impl Strategy<Value = Move> {
    let node = 0u32..4; // node 3 does not exist: rejected inputs must replay too
    prop_oneof![
        4 => (0u64..200_000).prop_map(Move::Seek),
        3 => Just(Move::Step),
        3 => Just(Move::StepBack),
        1 => node.clone().prop_map(Move::Crash),
        1 => node.clone().prop_map(Move::Restart),
        1 => (node.clone(), node.clone()).prop_map(|(a, b)| Move::Partition(a, b)),
        1 => Just(Move::HealAll),
        1 => (node, any::<u64>()).prop_map(|(a, v)| Move::Write(a, v)),
    ]
}

fn action(m: &Move) -> Option<Input<Toy>> {
    let n = NodeId;
    Some(match *m {
        Move::Crash(a) => Input::Fault(Fault::Crash(n(a))),
        Move::Restart(a) => Input::Fault(Fault::Restart(n(a))),
        Move::Partition(a, b) => Input::Fault(Fault::Partition {
            a: n(a),
            b: n(b),
            two_way: true,
        }),
        Move::HealAll => Input::Fault(Fault::HealAll),
        Move::Write(a, v) => Input::Request {
            node: n(a),
            req: ToyRequest::Write(v),
        },
        Move::Seek(_) | Move::Step | Move::StepBack => return None,
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_move_lands_on_the_world_a_fresh_replay_gives(
        seed in any::<u64>(),
        checkpoint_every in 1u64..200,
        moves in prop::collection::vec(a_move(), 1..40),
    ) {
        let origin = busy_origin(seed);
        let mut timeline = Timeline::with_checkpoint_interval(origin.clone(), checkpoint_every);
        for (i, m) in moves.iter().enumerate() {
            let before = timeline.time();
            match m {
                Move::Seek(us) => timeline.seek(Time::micros(*us)),
                Move::Step => {
                    let moved = timeline.step();
                    // Nothing left to happen (every node crashed, say): a step stays put.
                    prop_assert_eq!(moved, timeline.next_stop().is_some() || timeline.time() > before, "seed {}: step {}", seed, i);
                    prop_assert!(!moved || timeline.time() > before, "seed {seed}: step {i} did not move on");
                }
                Move::StepBack => {
                    let moved = timeline.step_back();
                    prop_assert_eq!(moved, before > Time::ZERO, "seed {}: step back {}", seed, i);
                    prop_assert!(!moved || timeline.time() < before, "seed {seed}: step back {i} did not go back");
                }
                other => {
                    if let Some(input) = action(other) {
                        let _ = timeline.act(input);
                        prop_assert_eq!(timeline.horizon(), before, "seed {}: a fork ends the future", seed);
                    }
                }
            }
            let fresh = replay(&origin, timeline.inputs(), timeline.time());
            let parted = difference(timeline.world(), &fresh);
            prop_assert!(
                parted.is_none(),
                "move {} ({:?}) at {}: {}",
                i, m, timeline.time(), parted.unwrap_or_default()
            );
            prop_assert!(timeline.horizon() >= timeline.time(), "seed {seed}: horizon behind time");
        }
    }
}
