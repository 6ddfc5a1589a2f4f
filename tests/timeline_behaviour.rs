//! Behaviour of the time model (`replication_lab::timeline`): seeking, stepping and forking
//! give exactly the world a replay from scratch gives, driven through the toy process.

#[path = "timeline_support.rs"]
mod support;

use replication_lab::sim::{Fault, Input, LinkConfig, NodeId, NodeStatus, Time, TraceKind};
use replication_lab::timeline::Timeline;
use support::toy::{quiet_world, ToyRequest};
use support::{assert_same, busy_origin, replay, snapshot};

const A: NodeId = NodeId(0);
const B: NodeId = NodeId(1);

#[test]
fn seeking_to_t_from_the_start_or_from_later_gives_the_same_world() {
    let mut from_start = Timeline::with_checkpoint_interval(busy_origin(3), 32);
    from_start.seek(Time::micros(123_456));
    let mut from_later = Timeline::with_checkpoint_interval(busy_origin(3), 32);
    from_later.seek(Time::millis(400));
    from_later.seek(Time::micros(123_456));
    assert_same(from_start.world(), from_later.world());
    assert!(!from_start
        .world()
        .in_flight()
        .collect::<Vec<_>>()
        .is_empty());
    let fresh = replay(&busy_origin(3), &[], Time::micros(123_456));
    assert_same(from_start.world(), &fresh);
}

#[test]
fn step_then_step_back_returns_to_the_same_state() {
    let mut timeline = Timeline::with_checkpoint_interval(busy_origin(5), 16);
    // Stand on an event time, then step and come back, many times over.
    for _ in 0..200 {
        assert!(timeline.step());
        let here = snapshot(timeline.world());
        assert!(timeline.step());
        assert!(timeline.step_back());
        assert_eq!(snapshot(timeline.world()), here, "at {}", here.0);
    }
}

#[test]
fn stepping_through_events_one_by_one_equals_run_until() {
    let origin = busy_origin(9);
    let mut timeline = Timeline::with_checkpoint_interval(origin.clone(), 64);
    let mut last = timeline.time();
    for _ in 0..500 {
        let expected = timeline.world().next_event_time();
        assert!(timeline.step());
        assert_eq!(
            Some(timeline.time()),
            expected,
            "step lands on the next event"
        );
        assert!(timeline.time() > last, "time moves on at every step");
        last = timeline.time();
    }
    let mut fresh = origin;
    fresh.run_until(last);
    assert_same(timeline.world(), &fresh);
}

#[test]
fn step_back_goes_to_the_previous_event_time_and_stops_at_the_start() {
    let mut timeline = Timeline::new(busy_origin(2));
    let mut stops = vec![timeline.time()];
    for _ in 0..50 {
        timeline.step();
        stops.push(timeline.time());
    }
    stops.pop();
    while let Some(expected) = stops.pop() {
        assert!(timeline.step_back());
        assert_eq!(timeline.time(), expected);
    }
    assert_eq!(timeline.time(), Time::ZERO);
    assert!(!timeline.step_back(), "nothing before the start");
    assert_eq!(timeline.time(), Time::ZERO);
}

#[test]
fn a_fork_replays_from_scratch_to_the_same_world() {
    let origin = busy_origin(11);
    let mut timeline = Timeline::with_checkpoint_interval(origin.clone(), 32);
    timeline.seek(Time::millis(300));
    timeline.seek(Time::millis(40));
    timeline
        .act(Input::Fault(Fault::Crash(B)))
        .expect("B is up");
    timeline.seek(Time::millis(90));
    timeline
        .act(Input::Fault(Fault::Restart(B)))
        .expect("B is down");
    // An action on a node that is already up is rejected, kept, and replayed as rejected.
    assert!(timeline.act(Input::Fault(Fault::Restart(A))).is_err());
    timeline.seek(Time::millis(200));
    assert_eq!(timeline.inputs().len(), 3);
    assert_eq!(
        timeline.horizon(),
        Time::millis(200),
        "the old future is gone"
    );

    let fresh = replay(&origin, timeline.inputs(), Time::millis(200));
    assert_same(timeline.world(), &fresh);
    let mut rebuilt = Timeline::with_inputs(origin, timeline.inputs().to_vec());
    rebuilt.seek(Time::millis(200));
    assert_same(rebuilt.world(), &fresh);
}

#[test]
fn acting_in_the_past_drops_the_later_inputs() {
    let origin = busy_origin(4);
    let mut timeline = Timeline::new(origin.clone());
    timeline.seek(Time::millis(50));
    timeline
        .act(Input::Fault(Fault::Crash(B)))
        .expect("B is up");
    timeline.seek(Time::millis(20));
    timeline
        .act(Input::Fault(Fault::Crash(A)))
        .expect("A is up");
    assert_eq!(timeline.inputs().len(), 1);
    assert_eq!(timeline.inputs()[0].0, Time::millis(20));
    timeline.seek(Time::millis(80));
    let fresh = replay(&origin, timeline.inputs(), Time::millis(80));
    assert_same(timeline.world(), &fresh);
}

#[test]
fn acting_in_the_past_keeping_the_future_replays_the_later_inputs_at_their_times() {
    let origin = busy_origin(4);
    let mut timeline = Timeline::new(origin.clone());
    timeline.seek(Time::millis(50));
    timeline
        .act(Input::Fault(Fault::Crash(B)))
        .expect("B is up");
    timeline.seek(Time::millis(20));
    assert_eq!(timeline.later_inputs().len(), 1);
    timeline
        .act_keeping_future(Input::Fault(Fault::Crash(A)))
        .expect("A is up");
    // The new input goes in at now, the later crash stays at its time, still to come.
    let times: Vec<Time> = timeline.inputs().iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [Time::millis(20), Time::millis(50)]);
    assert_eq!(timeline.later_inputs().len(), 1);
    assert_eq!(
        timeline.horizon(),
        Time::millis(20),
        "the old future is recomputed"
    );
    timeline.seek(Time::millis(49));
    assert_eq!(timeline.world().node_status(B), Some(NodeStatus::Up));
    timeline.seek(Time::millis(80));
    assert_eq!(timeline.world().node_status(A), Some(NodeStatus::Crashed));
    assert_eq!(timeline.world().node_status(B), Some(NodeStatus::Crashed));
    let fresh = replay(&origin, timeline.inputs(), Time::millis(80));
    assert_same(timeline.world(), &fresh);

    // Discarding instead: the later crash never happens.
    let mut discarding = Timeline::new(origin.clone());
    discarding.seek(Time::millis(50));
    discarding
        .act(Input::Fault(Fault::Crash(B)))
        .expect("B is up");
    discarding.seek(Time::millis(20));
    discarding
        .act(Input::Fault(Fault::Crash(A)))
        .expect("A is up");
    discarding.seek(Time::millis(80));
    assert_eq!(discarding.world().node_status(B), Some(NodeStatus::Up));
}

#[test]
fn a_kept_input_that_no_longer_makes_sense_is_rejected_and_replays_the_same() {
    let origin = busy_origin(6);
    let run = || {
        let mut timeline = Timeline::with_checkpoint_interval(origin.clone(), 16);
        timeline.seek(Time::millis(60));
        timeline
            .act(Input::Fault(Fault::Crash(B)))
            .expect("B is up");
        timeline.seek(Time::millis(200));
        timeline.seek(Time::millis(30));
        // B crashes earlier now: the kept crash at 60 ms finds it crashed already.
        timeline
            .act_keeping_future(Input::Fault(Fault::Crash(B)))
            .expect("B is up at 30 ms");
        timeline.seek(Time::millis(100));
        timeline
    };
    let timeline = run();
    assert_eq!(timeline.inputs().len(), 2);
    let rejected = timeline
        .world()
        .trace()
        .iter()
        .filter(|e| matches!(e.kind, TraceKind::FaultRejected { .. }))
        .map(|e| e.at)
        .collect::<Vec<_>>();
    assert_eq!(rejected, [Time::millis(60)]);
    // Deterministic: the same moves give the same trace, and a replay from scratch too.
    assert_eq!(run().world().trace_hash(), timeline.world().trace_hash());
    let fresh = replay(&origin, timeline.inputs(), Time::millis(100));
    assert_same(timeline.world(), &fresh);
}

#[test]
fn seeking_before_the_first_checkpoint_past_the_end_and_twice() {
    let mut world = quiet_world(1, 2, LinkConfig::new(Time::millis(5)));
    world
        .schedule(
            Time::millis(10),
            Input::Request {
                node: A,
                req: ToyRequest::Send { to: B, n: 1 },
            },
        )
        .expect("in the future");
    let origin = world;
    let mut timeline = Timeline::with_checkpoint_interval(origin.clone(), 1);
    // Past the end: everything has happened; nothing is left to step to.
    timeline.seek(Time::secs(60));
    assert_eq!(timeline.time(), Time::secs(60));
    assert!(!timeline.step());
    assert_eq!(timeline.time(), Time::secs(60));
    let end = snapshot(timeline.world());
    // The same time twice changes nothing.
    timeline.seek(Time::secs(60));
    assert_eq!(snapshot(timeline.world()), end);
    // Before the first checkpoint after the origin (the request at 10 ms is the first event).
    timeline.seek(Time::millis(3));
    assert_same(timeline.world(), &replay(&origin, &[], Time::millis(3)));
    timeline.seek(Time::millis(3));
    assert_same(timeline.world(), &replay(&origin, &[], Time::millis(3)));
    // Step back from past the end lands on the last event (the delivery at 15 ms).
    timeline.seek(Time::secs(60));
    assert!(timeline.step_back());
    assert_eq!(timeline.time(), Time::millis(15));
}

#[test]
fn the_horizon_is_the_furthest_time_computed_and_can_be_extended() {
    let mut timeline = Timeline::new(busy_origin(1));
    assert_eq!(timeline.horizon(), Time::ZERO);
    timeline.seek(Time::millis(30));
    timeline.seek(Time::millis(10));
    assert_eq!(timeline.horizon(), Time::millis(30));
    let here = snapshot(timeline.world());
    timeline.extend_horizon(Time::millis(100));
    assert_eq!(timeline.horizon(), Time::millis(100));
    assert_eq!(
        snapshot(timeline.world()),
        here,
        "extending does not move the current time"
    );
    let last_known = timeline.known_trace().last().map(|e| e.at);
    assert!(last_known.is_some_and(|at| at > Time::millis(90)));
}

#[test]
fn inputs_given_up_front_are_applied_at_their_times() {
    let origin = busy_origin(8);
    let inputs = vec![
        (Time::millis(25), Input::Fault(Fault::Crash(A))),
        (
            Time::ZERO,
            Input::Fault(Fault::Partition {
                a: A,
                b: B,
                two_way: true,
            }),
        ),
        (Time::millis(25), Input::Fault(Fault::Restart(A))),
    ];
    let mut timeline = Timeline::with_inputs(origin.clone(), inputs);
    assert_eq!(timeline.inputs()[0].0, Time::ZERO, "sorted by time");
    assert!(
        matches!(timeline.inputs()[1].1, Input::Fault(Fault::Crash(_))),
        "stable"
    );
    // Inputs at the start are applied at the start.
    assert_same(
        timeline.world(),
        &replay(&origin, timeline.inputs(), Time::ZERO),
    );
    timeline.seek(Time::millis(60));
    let fresh = replay(&origin, timeline.inputs(), Time::millis(60));
    assert_same(timeline.world(), &fresh);
}
