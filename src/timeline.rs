//! The time model: one simulated [`World`] that can be shown at any virtual time, forward or
//! back, exactly — and forked by a user action at any time.
//!
//! A world is a pure function of (settings, seed, inputs). A [`Timeline`] therefore keeps:
//!
//! * the **origin**: the world as built, before anything ran (the first checkpoint, never
//!   dropped);
//! * the **inputs**: user actions, each stamped with the virtual time it happens, sorted by
//!   time. The timeline feeds them to the world itself when the world reaches their time, so
//!   they never wait in the world's queue, and forking is truncating this list;
//! * **checkpoints**: clones of the world taken every [`DEFAULT_CHECKPOINT_EVENTS`] processed
//!   events (counted in events, not in virtual time, so that replaying from the nearest one
//!   costs a bounded amount of work however busy or quiet the simulated cluster is). A clone
//!   costs what changed since the last one, not the whole world: the trace's events, the
//!   servers' logs and the clients' answers are shared in chunks, the engines' pages are
//!   copy-on-write per page and their key indexes per leaf, so the checkpoints together hold
//!   roughly the data written plus a per-checkpoint pointer list that grows with it. When
//!   there are more than [`MAX_CHECKPOINTS`], every other one is dropped and the interval
//!   doubles: that bounds their *number* (and so the pointer lists and a seek's search), not
//!   their size, and a long class pays for it with a longer replay;
//! * **waypoints**: a step back replays from the nearest saved world to the event just before
//!   the present; on the way it also saves the world once, a [`WAYPOINTS`]th of the checkpoint
//!   interval before where it started, and keeps the last [`WAYPOINTS`] of those. The next
//!   step backs then replay from that waypoint — a few dozen events per step instead of up to
//!   a checkpoint interval — until they pass it and the next replay saves another. (Saving
//!   while every seek replays would make random seeks pay for clones they never use.)
//!   Waypoints are clones like checkpoints: each costs what changed and a pointer list;
//! * the **current world**, at the current time `t`.
//!
//! **What "the world at `t`" means.** Every queued event due at or before `t` has been
//! processed, and every input stamped at or before `t` has been applied. The order, which every
//! replay follows identically, is: an input stamped `T` is applied after every event due at or
//! before `T` that is queued when the world gets there (including events caused by earlier
//! inputs at `T`), and inputs with the same stamp are applied in list order. After the last
//! input at or before `t`, the events it caused that are due at or before `t` run too.
//!
//! **Moving.** [`Timeline::seek`] restores the newest checkpoint or waypoint at or before the
//! target and replays from it (inputs included); a forward seek simply continues from the
//! current world unless a saved world further ahead saves work. [`Timeline::step`] goes to the next event's
//! time, [`Timeline::step_back`] to the time of the latest traced event strictly before `t`.
//! [`Timeline::act`] forks: it drops every input and checkpoint after `t`, appends the action
//! at `t` and applies it; the future is recomputed from there when someone looks at it.
//! [`Timeline::act_keeping_future`] forks too, but keeps the later inputs: they happen again
//! at their times in the recomputed future (one that no longer makes sense there is rejected
//! by the world, as any input is).
//!
//! This module must stay pure: no wall clock, no UI crates, no unordered maps. It knows
//! nothing about what the processes do.

use crate::sim::{Input, InputError, InputId, Process, Time, Trace, World};

/// Processed events between two checkpoints, to begin with. Replaying this many toy events
/// takes well under a millisecond natively; a seek back replays at most this many (plus the
/// events at the target time) once the checkpoints are thinned.
pub const DEFAULT_CHECKPOINT_EVENTS: u64 = 512;

/// The most checkpoints kept before every other one is dropped (and the interval doubled).
/// It bounds how many there are, not how much memory they take: that is the data they share
/// (see the module docs).
pub const MAX_CHECKPOINTS: usize = 256;

/// How many waypoints are kept, and how far before the start of a step back one is saved: a
/// `WAYPOINTS`th of the checkpoint interval (see the module docs).
pub const WAYPOINTS: usize = 8;

/// A saved world, and how many of the timeline's inputs it had applied.
#[derive(Clone, Debug)]
struct Checkpoint<P: Process> {
    world: World<P>,
    inputs_applied: usize,
}

impl<P: Process> Checkpoint<P> {
    fn time(&self) -> Time {
        self.world.now()
    }

    fn events(&self) -> u64 {
        self.world.events_processed()
    }
}

/// A world that can be shown at any virtual time and forked by actions (see the module docs).
#[derive(Clone, Debug)]
pub struct Timeline<P: Process> {
    /// The inputs, sorted by time; same-time inputs in the order they were given.
    inputs: Vec<(Time, Input<P>)>,
    /// Saved worlds, oldest first, strictly increasing in events processed. The first is the
    /// origin and is never dropped.
    checkpoints: Vec<Checkpoint<P>>,
    /// Processed events between two checkpoints now (doubles when thinning).
    checkpoint_every: u64,
    /// Worlds saved while replaying, oldest first (at most [`WAYPOINTS`]); none after the
    /// present of an action (see [`Timeline::act`]).
    waypoints: Vec<Checkpoint<P>>,
    /// Events processed by the current world when it was last saved or restored.
    saved_at: u64,
    /// While a step back replays: save a waypoint once the world has processed this many
    /// events (unless one was saved or restored close before).
    waypoint_at: Option<u64>,
    /// The world at the current time.
    current: World<P>,
    /// How many of `inputs` the current world has applied.
    inputs_applied: usize,
    /// The furthest time computed so far.
    horizon: Time,
    /// The trace of the world at `horizon`, kept when the current world moves back from there
    /// (for timeline markers). `None` while the current world is at the horizon.
    furthest_trace: Option<Trace<P>>,
}

impl<P: Process> Timeline<P> {
    /// A timeline starting from `origin` (normally a world just built, at time zero), with no
    /// inputs yet.
    pub fn new(origin: World<P>) -> Timeline<P> {
        Timeline::with_checkpoint_interval(origin, DEFAULT_CHECKPOINT_EVENTS)
    }

    /// [`Timeline::new`] with a checkpoint every `events` processed events (at least 1).
    pub fn with_checkpoint_interval(origin: World<P>, events: u64) -> Timeline<P> {
        let horizon = origin.now();
        Timeline {
            inputs: Vec::new(),
            checkpoints: vec![Checkpoint {
                world: origin.clone(),
                inputs_applied: 0,
            }],
            checkpoint_every: events.max(1),
            waypoints: Vec::new(),
            saved_at: origin.events_processed(),
            waypoint_at: None,
            current: origin,
            inputs_applied: 0,
            horizon,
            furthest_trace: None,
        }
    }

    /// A timeline from `origin` with `inputs` (in any order; same-time inputs keep their
    /// order), shown at its start. This is how a shared or saved scenario is replayed.
    pub fn with_inputs(origin: World<P>, inputs: Vec<(Time, Input<P>)>) -> Timeline<P> {
        let mut timeline = Timeline::new(origin);
        let start = timeline.start();
        let mut inputs = inputs;
        // Stable: same-time inputs stay in the order given. Inputs before the origin's time
        // are applied at the start.
        inputs.sort_by_key(|(at, _)| *at);
        timeline.inputs = inputs
            .into_iter()
            .map(|(at, input)| (at.max(start), input))
            .collect();
        // "The world at the start" has applied the inputs stamped at the start.
        timeline.advance_to(start);
        timeline
    }

    // ----- reading -----

    /// The current virtual time.
    pub fn time(&self) -> Time {
        self.current.now()
    }

    /// The earliest time there is: the origin's time.
    pub fn start(&self) -> Time {
        self.origin().now()
    }

    /// The world at the current time.
    pub fn world(&self) -> &World<P> {
        &self.current
    }

    /// The world as built, before anything ran.
    pub fn origin(&self) -> &World<P> {
        // The origin is never dropped; `current` only stands in if that were ever broken.
        self.checkpoints
            .first()
            .map_or(&self.current, |checkpoint| &checkpoint.world)
    }

    /// Every input, sorted by time: with the origin, this is the whole scenario.
    pub fn inputs(&self) -> &[(Time, Input<P>)] {
        &self.inputs
    }

    /// The furthest time computed so far (the end of the slider).
    pub fn horizon(&self) -> Time {
        self.horizon
    }

    /// How many checkpoints are kept (the origin included).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// The trace up to the horizon: everything computed so far, also what lies after the
    /// current time (for timeline markers). Recomputed futures replace it after a fork.
    pub fn known_trace(&self) -> &Trace<P> {
        self.furthest_trace
            .as_ref()
            .unwrap_or_else(|| self.current.trace())
    }

    /// The time `step` would move to: the next queued event or the next input, whichever
    /// comes first. `None` when nothing is left (or only events that never come).
    pub fn next_stop(&self) -> Option<Time> {
        let next_event = self.current.next_event_time();
        let next_input = self.inputs.get(self.inputs_applied).map(|(at, _)| *at);
        let next = match (next_event, next_input) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // Saturated arithmetic parks "never" at the end of time: that is not a stop.
        next.filter(|&at| at < Time::MAX)
    }

    /// The time `step_back` would move to: the latest traced event strictly before the
    /// current time, or the start. `None` at the start.
    pub fn previous_stop(&self) -> Option<Time> {
        let now = self.time();
        if now <= self.start() {
            return None;
        }
        let trace = self.current.trace();
        // Trace times never decrease: find the first event at or after `now`; the one before
        // it is the answer.
        let (mut low, mut high) = (0, trace.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match trace.get(mid) {
                Some(event) if event.at < now => low = mid + 1,
                _ => high = mid,
            }
        }
        let previous = low
            .checked_sub(1)
            .and_then(|index| trace.get(index))
            .map(|event| event.at);
        Some(previous.unwrap_or(self.start()).max(self.start()))
    }

    // ----- moving -----

    /// Shows the world at `t`, forward or back, exactly (see the module docs). A time before
    /// the start shows the start. The cost is the events between the starting world (the
    /// nearest checkpoint, or the current world) and `t`: seeking far past the horizon of a
    /// world that never goes quiet computes all of it.
    pub fn seek(&mut self, t: Time) {
        let t = t.max(self.start());
        let now = self.time();
        if t == now {
            return;
        }
        // The newest saved world at or before `t`. Going forward, it is worth restoring only
        // if it is ahead of the current world.
        let saved = self.nearest_saved(t);
        let restore =
            t < now || saved.is_some_and(|c| c.events() > self.current.events_processed());
        if restore {
            if let Some(Checkpoint {
                world,
                inputs_applied,
            }) = saved.cloned()
            {
                self.saved_at = world.events_processed();
                self.leave_current(world);
                self.inputs_applied = inputs_applied;
            }
        }
        self.advance_to(t);
    }

    /// The checkpoint or waypoint with the most events processed at or before `t`.
    fn nearest_saved(&self, t: Time) -> Option<&Checkpoint<P>> {
        let index = self
            .checkpoints
            .partition_point(|checkpoint| checkpoint.time() <= t)
            .saturating_sub(1);
        let checkpoint = self.checkpoints.get(index);
        let waypoint = self
            .waypoints
            .iter()
            .filter(|waypoint| waypoint.time() <= t)
            .max_by_key(|waypoint| waypoint.events());
        match (checkpoint, waypoint) {
            (Some(c), Some(w)) if w.events() > c.events() => Some(w),
            (Some(c), _) => Some(c),
            (None, w) => w,
        }
    }

    /// Moves to the next event's time (see [`Timeline::next_stop`]); false when nothing is
    /// left to happen.
    pub fn step(&mut self) -> bool {
        match self.next_stop() {
            Some(at) => {
                self.seek(at);
                true
            }
            None => false,
        }
    }

    /// Moves back to the previous event's time (see [`Timeline::previous_stop`]); false at the
    /// start.
    pub fn step_back(&mut self) -> bool {
        match self.previous_stop() {
            Some(at) => {
                let spacing = self.waypoint_spacing();
                self.waypoint_at = Some(self.current.events_processed().saturating_sub(spacing));
                self.seek(at);
                self.waypoint_at = None;
                true
            }
            None => false,
        }
    }

    /// Computes the timeline up to `until` (for the slider and its markers) and comes back to
    /// the current time. Returns nothing: the current world is unchanged.
    pub fn extend_horizon(&mut self, until: Time) {
        if until <= self.horizon {
            return;
        }
        let now = self.time();
        self.seek(until);
        self.seek(now);
    }

    /// A user action at the current time: forgets every input and checkpoint after now,
    /// appends `input` at now and applies it. The future is recomputed from here on (a fork).
    /// Returns what the world said about the input; a rejected input stays in the list (it is
    /// traced as rejected and replays identically).
    pub fn act(&mut self, input: Input<P>) -> Result<InputId, InputError> {
        self.fork(input, Vec::new())
    }

    /// A user action at the current time that keeps what was done later: `input` goes in at
    /// now, before the later inputs, which happen again at their times in the recomputed
    /// future. Otherwise as [`Timeline::act`].
    pub fn act_keeping_future(&mut self, input: Input<P>) -> Result<InputId, InputError> {
        let later = self
            .inputs
            .split_off(self.inputs_applied.min(self.inputs.len()));
        self.fork(input, later)
    }

    /// The inputs after the current time (still to be applied as time moves on).
    pub fn later_inputs(&self) -> &[(Time, Input<P>)] {
        self.inputs.get(self.inputs_applied..).unwrap_or(&[])
    }

    /// Forks at now: applies `input` there, with `later` (inputs after now) as the only
    /// inputs after it; every checkpoint, waypoint and trace after now is forgotten.
    fn fork(
        &mut self,
        input: Input<P>,
        later: Vec<(Time, Input<P>)>,
    ) -> Result<InputId, InputError> {
        let now = self.time();
        // The current world has applied exactly the inputs at or before now.
        self.inputs.truncate(self.inputs_applied);
        let keep = self
            .checkpoints
            .partition_point(|checkpoint| checkpoint.time() <= now)
            .max(1);
        self.checkpoints.truncate(keep);
        self.waypoints.retain(|waypoint| waypoint.time() <= now);
        self.furthest_trace = None;
        self.horizon = now;
        self.inputs.push((now, input.clone()));
        self.inputs_applied += 1;
        let result = self.current.apply(input);
        self.maybe_checkpoint();
        // Whatever the input caused at this very time (a zero-length timer) belongs to `now`.
        self.advance_to(now);
        // Later inputs are strictly after now (the world has applied every one at or before
        // it), so they stay sorted after the new one.
        self.inputs.extend(later);
        result
    }

    // ----- inside -----

    /// Events between a step back's start and the waypoint it saves.
    fn waypoint_spacing(&self) -> u64 {
        (self.checkpoint_every / WAYPOINTS as u64).max(1)
    }

    /// Keeps the current world as a waypoint, forgetting the oldest past [`WAYPOINTS`].
    fn save_waypoint(&mut self) {
        self.saved_at = self.current.events_processed();
        if self.waypoints.len() >= WAYPOINTS {
            self.waypoints.remove(0);
        }
        self.current.shrink_to_fit();
        self.waypoints.push(Checkpoint {
            world: self.current.clone(),
            inputs_applied: self.inputs_applied,
        });
    }

    /// Replaces the current world with `world` (from a checkpoint), remembering the trace up
    /// to the horizon first if the current world is there.
    fn leave_current(&mut self, world: World<P>) {
        let previous = std::mem::replace(&mut self.current, world);
        if previous.now() >= self.horizon {
            // `previous` is dropped right after, so the kept trace does not split chunks.
            self.furthest_trace = Some(previous.trace().clone());
        }
    }

    /// Runs the current world forward to `t` (not before its own time), applying inputs on
    /// the way, in the documented order.
    fn advance_to(&mut self, t: Time) {
        while let Some((at, _)) = self.inputs.get(self.inputs_applied) {
            let at = *at;
            if at > t {
                break;
            }
            self.run_events_until(at);
            if let Some((_, input)) = self.inputs.get(self.inputs_applied) {
                // A rejected input is traced by the world; replay rejects it the same way.
                let _ = self.current.apply(input.clone());
            }
            self.inputs_applied += 1;
            self.maybe_checkpoint();
        }
        self.run_events_until(t);
        if self.time() >= self.horizon {
            self.horizon = self.time();
            self.furthest_trace = None;
        }
    }

    /// Processes every queued event due at or before `t`, checkpointing on the way, then sets
    /// the clock to `t`.
    fn run_events_until(&mut self, t: Time) {
        while self.current.next_event_time().is_some_and(|at| at <= t) {
            self.current.step();
            self.maybe_checkpoint();
        }
        self.current.run_until(t);
    }

    /// Saves the current world if it is `checkpoint_every` events past the newest checkpoint,
    /// or as the waypoint a step back asked for (see the module docs).
    fn maybe_checkpoint(&mut self) {
        let events = self.current.events_processed();
        let newest = self.checkpoints.last().map_or(0, Checkpoint::events);
        if events < newest.saturating_add(self.checkpoint_every) {
            let wanted = self.waypoint_at.is_some_and(|at| events >= at);
            if wanted && events >= self.saved_at.saturating_add(self.waypoint_spacing()) {
                self.waypoint_at = None;
                self.save_waypoint();
            }
            return;
        }
        self.saved_at = events;
        self.current.shrink_to_fit();
        self.checkpoints.push(Checkpoint {
            world: self.current.clone(),
            inputs_applied: self.inputs_applied,
        });
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the origin and every other one after it.
            let mut index = 0;
            self.checkpoints.retain(|_| {
                let keep = index % 2 == 0;
                index += 1;
                keep
            });
            self.checkpoint_every = self.checkpoint_every.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Context, Fault, LinkConfig, NetworkConfig, NodeId};

    /// Pings its peer every millisecond and echoes what it hears.
    #[derive(Clone, Debug, Default)]
    struct Pinger {
        peer: u32,
        heard: u64,
    }

    impl Process for Pinger {
        type Msg = u64;
        type Timer = ();
        type Request = ();
        type Reply = u64;
        type Durable = ();
        type Note = u64;
        fn on_start(&mut self, cx: &mut Context<Self>) {
            cx.set_timer((), Time::millis(1));
        }
        fn on_timer(&mut self, cx: &mut Context<Self>, _: ()) {
            cx.send(NodeId(self.peer), self.heard);
            cx.set_timer((), Time::millis(1));
        }
        fn on_message(&mut self, cx: &mut Context<Self>, _: NodeId, n: u64) {
            self.heard += 1;
            cx.note(n);
        }
        fn on_request(&mut self, cx: &mut Context<Self>, id: InputId, _: ()) {
            cx.reply(id, self.heard);
        }
        fn apply_durable(&mut self, _: ()) -> Vec<u64> {
            Vec::new()
        }
        fn on_crash(&mut self) {
            self.heard = 0;
        }
    }

    fn pair() -> World<Pinger> {
        let link = LinkConfig::new(Time::micros(700)).with_jitter(Time::micros(500));
        let mut world = World::new(7, NetworkConfig::uniform(link));
        world.add_node("a", Pinger { peer: 1, heard: 0 });
        world.add_node("b", Pinger { peer: 0, heard: 0 });
        world
    }

    #[test]
    fn checkpoints_are_thinned_and_seeks_stay_exact() {
        let mut timeline = Timeline::with_checkpoint_interval(pair(), 4);
        timeline.seek(Time::millis(2_000));
        assert!(timeline.checkpoint_count() <= MAX_CHECKPOINTS);
        let far = timeline.world().trace_hash();
        timeline.seek(Time::millis(3));
        timeline.seek(Time::millis(2_000));
        assert_eq!(timeline.world().trace_hash(), far);
    }

    #[test]
    fn stepping_back_after_a_seek_replays_from_a_waypoint_and_stays_exact() {
        let mut timeline = Timeline::with_checkpoint_interval(pair(), 64);
        timeline.seek(Time::millis(400));
        timeline.seek(Time::millis(201));
        // A plain seek saves none.
        assert!(timeline.waypoints.is_empty());
        for step in 0..60 {
            assert!(timeline.step_back());
            let now = timeline.time();
            let mut fresh = Timeline::new(pair());
            fresh.seek(now);
            assert_eq!(fresh.world().trace_hash(), timeline.world().trace_hash());
            assert!(timeline.waypoints.len() <= WAYPOINTS);
            if step == 0 {
                // The first step back saved one, nearer the next step's target than any
                // checkpoint.
                assert_eq!(timeline.waypoints.len(), 1);
                let next = timeline.previous_stop().expect("not at the start");
                let checkpoint = timeline
                    .checkpoints
                    .iter()
                    .filter(|c| c.time() <= next)
                    .map(Checkpoint::events)
                    .max();
                let nearest = timeline.nearest_saved(next).map(Checkpoint::events);
                assert!(nearest > checkpoint, "{nearest:?} vs {checkpoint:?}");
            }
        }
        // Sixty steps back pass a waypoint's spacing: more were saved on the way.
        assert!(timeline.waypoints.len() > 1);
    }

    #[test]
    fn a_fork_drops_the_waypoints_after_it() {
        let mut timeline = Timeline::with_checkpoint_interval(pair(), 64);
        timeline.seek(Time::millis(400));
        timeline.seek(Time::millis(300));
        assert!(timeline.step_back());
        timeline.seek(Time::millis(100));
        assert!(timeline
            .waypoints
            .iter()
            .any(|w| w.time() > Time::millis(100)));
        assert!(timeline.act(Input::Fault(Fault::Crash(NodeId(1)))).is_ok());
        assert!(timeline
            .waypoints
            .iter()
            .all(|w| w.time() <= Time::millis(100)));
        // The new future is computed from the fork, not from an old waypoint.
        timeline.seek(Time::millis(250));
        let mut fresh = Timeline::new(pair());
        fresh.seek(Time::millis(100));
        assert!(fresh.act(Input::Fault(Fault::Crash(NodeId(1)))).is_ok());
        fresh.seek(Time::millis(250));
        assert_eq!(fresh.world().trace_hash(), timeline.world().trace_hash());
    }

    #[test]
    fn a_fork_forgets_the_old_future() {
        let mut timeline = Timeline::new(pair());
        timeline.seek(Time::millis(50));
        timeline.seek(Time::millis(20));
        assert_eq!(timeline.horizon(), Time::millis(50));
        let result = timeline.act(Input::Fault(Fault::Crash(NodeId(1))));
        assert!(result.is_ok());
        assert_eq!(timeline.horizon(), Time::millis(20));
        assert_eq!(timeline.inputs().len(), 1);
        assert_eq!(timeline.known_trace().hash(), timeline.world().trace_hash());
    }

    #[test]
    fn the_known_trace_reaches_the_horizon_after_going_back() {
        let mut timeline = Timeline::new(pair());
        timeline.seek(Time::millis(30));
        let far = timeline.world().trace_hash();
        timeline.seek(Time::millis(10));
        assert_eq!(timeline.known_trace().hash(), far);
        assert!(timeline.known_trace().len() > timeline.world().trace().len());
    }
}
