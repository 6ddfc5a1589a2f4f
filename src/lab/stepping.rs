//! Steps that mean something: Step goes to the next *visible* moment — a statement or an
//! answer sent or delivered, replication data arriving, a commit, a replay, a crash, a role
//! change (what [`caption::seen`] counts) — over the timer ticks and heartbeats in between;
//! Step back goes to the previous one. Visible events less than [`caption::MOMENT`] apart
//! make one moment (a leader's WAL reaching two followers a few hundred microseconds apart
//! is one step). The fine step, one event at a time, stays [`Lab::step`] / [`Lab::step_back`].
//!
//! Exact: the timeline is deterministic, so looking ahead is running the world forward and
//! coming back. The look-ahead is bounded by [`SEARCH`] of virtual time.

use super::caption::{self, MOMENT};
use super::Lab;
use crate::sim::Time;
use crate::view::Micros;

/// How far ahead (in virtual time) Step looks for something visible before giving up.
pub const SEARCH: Micros = 5_000_000;

/// The longest one moment may last: visible events that keep coming less than
/// [`MOMENT`] apart are cut into moments this long.
const LONGEST_MOMENT: Micros = 3 * MOMENT;

/// What a Step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stepped {
    /// It moved to the next visible moment.
    Moved,
    /// Nothing visible happens before this time: the lab stays where it was.
    NothingBefore(Micros),
    /// Nothing at all is left to happen.
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

    /// Whether the events at the current time change anything visible.
    fn seen_now(&self) -> bool {
        let trace = self.world().trace();
        let now = self.timeline.time();
        let mut first = trace.len();
        while first > 0 && trace.get(first - 1).is_some_and(|e| e.at == now) {
            first -= 1;
        }
        first < trace.len() && self.seen_since(first)
    }

    /// Moves to the next visible moment (see the module docs). When nothing visible happens
    /// within [`SEARCH`], the lab stays where it was and says so.
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
            None => {
                let ended = self.timeline.next_stop().is_none();
                self.timeline.seek(start);
                if ended && self.timeline.next_stop().is_none() {
                    Stepped::AtEnd
                } else {
                    Stepped::NothingBefore(limit)
                }
            }
        };
        self.quiet = match outcome {
            Stepped::NothingBefore(until) => Some((self.world().trace().len(), until)),
            _ => None,
        };
        self.catch_up();
        outcome
    }

    /// Moves back to the previous visible moment: the latest visible time before now that
    /// ends a moment (the next visible event comes more than [`MOMENT`] later), or the start.
    /// False at the start.
    pub fn step_back_visible(&mut self) -> bool {
        let now = self.timeline.time();
        if now <= self.timeline.start() {
            return false;
        }
        // The next visible time after a candidate: now, if now is visible; else unknown.
        let mut after: Option<Micros> = self.seen_now().then_some(now.as_micros());
        let mut target = None;
        let floor = now.as_micros().saturating_sub(SEARCH);
        while let Some(previous) = self.timeline.previous_stop() {
            if previous <= self.timeline.start() || previous.as_micros() < floor {
                break;
            }
            self.timeline.step_back();
            if !self.seen_now() {
                continue;
            }
            let at = previous.as_micros();
            let ends_moment = after.is_none_or(|next| next > at + MOMENT);
            if ends_moment {
                target = Some(previous);
                break;
            }
            after = Some(at);
        }
        self.timeline.seek(target.unwrap_or(self.timeline.start()));
        self.quiet = None;
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
    fn an_idle_cluster_says_nothing_visible_happens_and_stays() {
        let mut lab = Lab::new(LabSettings::default());
        lab.seek(100_000);
        let trace = lab.world().trace().len();
        assert_eq!(
            lab.step_visible(),
            Stepped::NothingBefore(100_000 + SEARCH),
            "keepalives and key renewals are not visible changes"
        );
        assert_eq!(lab.time(), 100_000);
        assert_eq!(lab.world().trace().len(), trace);
        assert!(lab.caption().starts_with("Nothing visible happens before"));
        assert!(lab.step(), "a fine step still moves");
        assert!(!lab.caption().starts_with("Nothing visible happens before"));
    }
}
