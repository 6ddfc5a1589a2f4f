//! Steps that mean something: Step goes to the next *visible* moment — a statement or an
//! answer sent or delivered, replication data arriving, a commit, a replay, a crash, a role
//! change (what [`caption::seen`] counts) — over the timer ticks and heartbeats in between;
//! Step back goes to the previous one. Visible events less than [`caption::MOMENT`] apart
//! make one moment (a leader's WAL reaching two followers a few hundred microseconds apart
//! is one step). The fine step, one event at a time, stays [`Lab::step`] / [`Lab::step_back`].
//!
//! Exact: the timeline is deterministic, so looking ahead is running the world forward and
//! coming back. The search is bounded by [`SEARCH`] of virtual time: when nothing visible
//! happens within it (an idle cluster only sends heartbeats), Step goes that far and the
//! caption says nothing visible happened on the way.

use super::caption::{self, MOMENT};
use super::Lab;
use crate::sim::Time;
use crate::view::Micros;

/// How far (in virtual time) a Step looks for something visible before it stops anyway.
pub const SEARCH: Micros = 2_000_000;

/// The longest one moment may last: visible events that keep coming less than
/// [`MOMENT`] apart are cut into moments this long.
const LONGEST_MOMENT: Micros = 3 * MOMENT;

/// What a Step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepped {
    /// It moved to the next visible moment.
    Moved,
    /// Nothing visible happens within [`SEARCH`]: it moved that far.
    Quiet,
    /// Nothing at all is left to happen: it stayed.
    AtEnd,
}

impl Lab {
    /// Whether the events the trace gained after index `from` change anything visible.
    fn seen_since(&self, from: u64) -> bool {
        let (world, method) = (self.timeline.world(), self.settings.cluster.method);
        let trace = world.trace();
        (from..trace.len()).any(|index| {
            trace
                .get(index)
                .is_some_and(|event| caption::seen(world, method, index, event).is_some())
        })
    }

    /// Moves to the next visible moment (see the module docs), or [`SEARCH`] on when nothing
    /// visible happens before (and the caption says so).
    pub fn step_visible(&mut self) -> Stepped {
        let start = self.timeline.time();
        let limit = start.as_micros().saturating_add(SEARCH);
        let mut moment: Option<(Micros, Micros)> = None; // (first, last) visible times
        while let Some(next) = self.timeline.next_stop() {
            let next = next.as_micros();
            let go_on = match moment {
                Some((first, last)) => next <= last + MOMENT && next <= first + LONGEST_MOMENT,
                None => next <= limit,
            };
            if !go_on {
                break;
            }
            let before = self.world().trace().len();
            self.timeline.step();
            if self.seen_since(before) {
                let now = self.timeline.time().as_micros();
                moment = Some((moment.map_or(now, |(first, _)| first), now));
            }
        }
        let outcome = match moment {
            Some((_, last)) => {
                self.timeline.seek(Time::micros(last));
                Stepped::Moved
            }
            None if self.timeline.next_stop().is_none() => {
                self.timeline.seek(start);
                Stepped::AtEnd
            }
            None => {
                self.timeline.seek(Time::micros(limit));
                Stepped::Quiet
            }
        };
        self.quiet = (outcome == Stepped::Quiet).then(|| self.quiet_since(start.as_micros()));
        self.catch_up();
        outcome
    }

    /// What the caption remembers of a quiet step that began at `from` and ends now.
    fn quiet_since(&self, from: Micros) -> (u64, Micros, Micros) {
        (self.world().trace().len(), from, self.time())
    }

    /// Moves back to the previous visible moment: the latest visible time before now that
    /// ends a moment (the next visible event comes more than [`MOMENT`] later); or
    /// [`SEARCH`] back, or to the start, when nothing visible happened before. False at the
    /// start.
    pub fn step_back_visible(&mut self) -> bool {
        let now = self.timeline.time();
        if now <= self.timeline.start() {
            return false;
        }
        let (world, method) = (self.timeline.world(), self.settings.cluster.method);
        let trace = world.trace();
        let (start, now) = (self.timeline.start().as_micros(), now.as_micros());
        let floor = now.saturating_sub(SEARCH);
        // Going back through the trace: the visible time after the one looked at (unknown
        // past the present), and the answer.
        let mut after: Option<Micros> = None;
        let mut target = None;
        let mut index = trace.len();
        while let Some(event) = index.checked_sub(1).and_then(|i| trace.get(i)) {
            index -= 1;
            let at = event.at.as_micros();
            if at < floor || at <= start {
                break;
            }
            if after == Some(at) || caption::seen(world, method, index, event).is_none() {
                continue;
            }
            if at < now && after.is_none_or(|next| next > at + MOMENT) {
                target = Some(Time::micros(at));
                break;
            }
            after = Some(at);
        }
        let floor = Time::micros(floor).max(self.timeline.start());
        self.timeline.seek(target.unwrap_or(floor));
        self.quiet = target
            .is_none()
            .then(|| (self.world().trace().len(), self.time(), now));
        self.catch_up();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::{LabAction, LabSettings};

    fn client_1(lab: &Lab) -> u32 {
        lab.view()
            .nodes
            .iter()
            .find(|n| n.name == "client-1")
            .map(|n| n.id)
            .expect("client-1")
    }

    fn follower_1_has_a_row(lab: &Lab) -> bool {
        let id = lab
            .view()
            .nodes
            .iter()
            .find(|n| n.name == "follower-1")
            .map(|n| n.id)
            .expect("follower-1");
        lab.inspect(id)
            .is_some_and(|i| i.tables.iter().any(|t| !t.rows.is_empty()))
    }

    /// Steps from a fresh INSERT at `at` until follower-1's rows show it; the number of
    /// steps, each of which changed what is drawn.
    fn steps_to_the_row(at: Micros) -> usize {
        let mut lab = Lab::new(LabSettings::default());
        lab.seek(at);
        lab.perform(LabAction::Sql {
            client: client_1(&lab),
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
        let mut steps = 0;
        while !follower_1_has_a_row(&lab) {
            let (view, caption) = (lab.view(), lab.caption());
            assert_eq!(lab.step_visible(), Stepped::Moved);
            steps += 1;
            let after = lab.view();
            let drawn = |v: &crate::view::View| {
                (
                    v.nodes.clone(),
                    v.links.clone(),
                    v.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
                )
            };
            assert_ne!(
                drawn(&view),
                drawn(&after),
                "step {steps} changed nothing drawn"
            );
            assert_ne!(
                caption,
                lab.caption(),
                "step {steps} left the caption as it was"
            );
            assert!(steps <= 20, "never reached the row");
        }
        steps
    }

    #[test]
    fn step_from_a_fresh_insert_reaches_the_followers_row_in_at_most_six_steps() {
        for at in [0, 1_000_000, 2_345_678] {
            let steps = steps_to_the_row(at);
            assert!(steps <= 6, "{steps} steps from an INSERT at {at} µs");
        }
    }

    #[test]
    fn step_back_retraces_the_steps_forward() {
        let mut lab = Lab::new(LabSettings::default());
        lab.seek(1_000_000);
        lab.perform(LabAction::Sql {
            client: client_1(&lab),
            sql: "INSERT INTO orders (status) VALUES ('new')".into(),
        })
        .expect("sent");
        let mut stops = vec![lab.time()];
        for _ in 0..4 {
            assert_eq!(lab.step_visible(), Stepped::Moved);
            stops.push(lab.time());
        }
        for expected in stops.iter().rev().skip(1) {
            assert!(lab.step_back_visible());
            assert_eq!(lab.time(), *expected);
        }
    }

    #[test]
    fn in_an_idle_cluster_a_step_goes_as_far_as_it_looks_and_says_nothing_happened() {
        let mut lab = Lab::new(LabSettings::default());
        lab.seek(100_000);
        assert_eq!(
            lab.step_visible(),
            Stepped::Quiet,
            "keepalives and key renewals are not visible changes"
        );
        assert_eq!(lab.time(), 100_000 + SEARCH);
        assert_eq!(
            lab.caption(),
            "Nothing visible happened from t = 0.100 s to t = 2.100 s (heartbeats and timers only): Shift+→ steps one event"
        );
        assert!(lab.step(), "a fine step still moves");
        assert!(!lab.caption().starts_with("Nothing visible"));
        lab.seek(100_000 + 2 * SEARCH);
        assert!(lab.step_back_visible());
        assert_eq!(lab.time(), 100_000 + SEARCH, "back as far as it looks");
        assert!(lab.step_back_visible());
        assert!(lab.step_back_visible());
        assert_eq!(lab.time(), 0, "then to the start");
        assert!(!lab.step_back_visible());
    }
}
