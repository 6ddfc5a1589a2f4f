//! The UI's state as a reducer: the core's lab, the view drawn from it at the current virtual
//! time, the playback speed, whether it plays, and what the user has selected. Actions are
//! plain values; every change goes through [`UiState::reduce`].
//!
//! It drives the lab only through its time API (`time`, `seek`, `step`, `step_back`,
//! `horizon`, `view`). It must not know how anything is drawn, nor the DOM.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use replication_lab::lab::{Lab, LabSettings};
use replication_lab::view::{Micros, View};
use yew::Reducible;

/// How fast virtual time runs compared with real time, as virtual microseconds per real
/// millisecond (1x is 1000). The ladder is slow-motion first: replication happens in
/// milliseconds, so at the default [`Speed::DEFAULT`] a message that travels 5 ms glides for
/// one real second, long enough for a class to follow it with their eyes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Speed {
    micros_per_real_ms: u64,
}

impl Speed {
    /// 1/1000x: one real second shows one virtual millisecond.
    pub const SLOWEST: Speed = Speed::new(1);
    /// 1/200x: a 5 ms message takes one second on screen. The default for teaching.
    pub const DEFAULT: Speed = Speed::new(5);
    /// Every speed the transport offers, slowest first.
    pub const LADDER: [Speed; 5] = [
        Speed::SLOWEST,
        Speed::DEFAULT,
        Speed::new(50),
        Speed::new(1_000),
        Speed::new(10_000),
    ];

    const fn new(micros_per_real_ms: u64) -> Speed {
        Speed { micros_per_real_ms }
    }

    /// Virtual microseconds per real millisecond.
    pub fn micros_per_real_ms(self) -> u64 {
        self.micros_per_real_ms
    }

    /// The factor as people say it: `1/200×`, `1×`, `10×`.
    pub fn label(self) -> String {
        let per = self.micros_per_real_ms;
        if per >= 1_000 {
            format!("{}×", per / 1_000)
        } else {
            format!("1/{}×", 1_000 / per.max(1))
        }
    }

    /// What one real second shows, for the tooltip-free explanation next to the factor:
    /// `1 s shows 5 ms`.
    pub fn explanation(self) -> String {
        let per_second = self.micros_per_real_ms.saturating_mul(1_000);
        let shown = if per_second >= 1_000_000 {
            format!("{} s", per_second / 1_000_000)
        } else {
            format!("{} ms", per_second / 1_000)
        };
        format!("1 s shows {shown}")
    }
}

/// With reduced motion, playing moves time in jumps this far apart in real time instead of
/// gliding: messages appear at a new place once a second, they do not slide.
pub const REDUCED_MOTION_JUMP_MS: f64 = 1_000.0;

/// Everything the UI remembers.
#[derive(Clone, Debug)]
pub struct UiState {
    /// The core. Shared, not cloned, between successive states: cloning a simulated cluster
    /// (its checkpoints included) on every animation frame would be wasteful. Only
    /// [`UiState::reduce`] mutates it, and every field below is re-read from it after each
    /// change, so an older state keeps a consistent (older) picture.
    lab: Rc<RefCell<Lab>>,
    /// The lab at the current virtual time.
    pub view: View,
    /// The end of the timeline slider.
    pub horizon: Micros,
    pub speed: Speed,
    pub playing: bool,
    /// Play in jumps instead of gliding (the reader prefers reduced motion).
    pub reduced_motion: bool,
    /// Real milliseconds played but not yet turned into virtual time (the fraction of a
    /// microsecond left by slow speeds, or the time until the next reduced-motion jump).
    /// A counter, not something drawn: a frame that only adds to it keeps the same state, so
    /// Yew does not re-render.
    unplayed_real_ms: Cell<f64>,
    /// Virtual microseconds counted by the last frame and not yet shown.
    due_micros: Cell<u64>,
    /// The node whose details the inspector shows.
    pub selected: Option<u32>,
}

impl UiState {
    pub fn new(settings: LabSettings) -> UiState {
        let lab = Lab::new(settings);
        let view = lab.view();
        let horizon = lab.horizon();
        let selected = view.leader().map(|n| n.id);
        UiState {
            lab: Rc::new(RefCell::new(lab)),
            view,
            horizon,
            speed: Speed::DEFAULT,
            playing: false,
            reduced_motion: false,
            unplayed_real_ms: Cell::new(0.0),
            due_micros: Cell::new(0),
            selected,
        }
    }

    /// The current virtual time.
    pub fn time(&self) -> Micros {
        self.view.time
    }

    /// Runs `change` on the lab, then returns the state showing the lab afterwards. If the lab
    /// is busy (it never is: reducers do not nest), nothing changes.
    fn with_lab(mut self, change: impl FnOnce(&mut Lab)) -> UiState {
        if let Ok(mut lab) = self.lab.try_borrow_mut() {
            change(&mut lab);
            self.view = lab.view();
            self.horizon = lab.horizon().max(self.view.time);
        }
        self
    }

    /// How many whole virtual microseconds `real_ms` more of playing makes, keeping what is
    /// left over in the counter. Zero while the time to move has not come yet.
    fn play_for(&self, real_ms: f64) -> u64 {
        let unplayed = self.unplayed_real_ms.get() + real_ms.max(0.0);
        if self.reduced_motion && unplayed < REDUCED_MOTION_JUMP_MS {
            self.unplayed_real_ms.set(unplayed);
            return 0;
        }
        let per_ms = self.speed.micros_per_real_ms().max(1) as f64;
        let virtual_us = (unplayed * per_ms).floor();
        // Keep the fraction for the next frame, so slow speeds still move on average.
        self.unplayed_real_ms.set(unplayed - virtual_us / per_ms);
        let due = self.due_micros.get().saturating_add(virtual_us as u64);
        self.due_micros.set(due);
        due
    }

    /// The virtual microseconds played and not shown yet; resets them.
    fn take_due_micros(&self) -> u64 {
        self.due_micros.replace(0)
    }

    /// Sets playing or paused and starts a fresh count of real time.
    fn restart_clock(self, playing: bool) -> UiState {
        self.unplayed_real_ms.set(0.0);
        self.due_micros.set(0);
        UiState { playing, ..self }
    }
}

impl PartialEq for UiState {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view
            && self.horizon == other.horizon
            && self.speed == other.speed
            && self.playing == other.playing
            && self.reduced_motion == other.reduced_motion
            && self.selected == other.selected
    }
}

/// What the user (or the clock) can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Play,
    Pause,
    /// Play if paused, pause if playing (the Space key).
    Toggle,
    /// Pause and move to the next event's time.
    Step,
    /// Pause and move back to the previous event's time.
    StepBack,
    /// Pause and go back to the beginning.
    ToStart,
    /// Show the lab at this virtual time (the slider); playing goes on from there.
    Seek(Micros),
    SetSpeed(Speed),
    /// The reader's reduced-motion preference, as the browser reports it.
    SetReducedMotion(bool),
    /// Real milliseconds elapsed since the previous animation frame.
    Tick(f64),
    /// Show this node in the inspector.
    Select(u32),
}

impl Reducible for UiState {
    type Action = Action;

    /// Returns the same `Rc` when nothing changes (Yew then skips the re-render) and a new one
    /// otherwise.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let unchanged = match &action {
            Action::Play => self.playing,
            Action::Pause => !self.playing,
            Action::SetSpeed(speed) => self.speed == *speed,
            Action::SetReducedMotion(reduced) => self.reduced_motion == *reduced,
            Action::Select(id) => self.selected == Some(*id),
            // Counts the frame; unchanged until a whole microsecond (or a jump) is due.
            Action::Tick(real_ms) => !self.playing || self.play_for(*real_ms) == 0,
            _ => false,
        };
        if unchanged {
            return self;
        }
        let mut next = Rc::unwrap_or_clone(self);
        next = match action {
            Action::Play => next.restart_clock(true),
            Action::Pause => next.restart_clock(false),
            Action::Toggle => {
                let playing = !next.playing;
                next.restart_clock(playing)
            }
            Action::Step => next.restart_clock(false).with_lab(|lab| {
                lab.step();
            }),
            Action::StepBack => next.restart_clock(false).with_lab(|lab| {
                lab.step_back();
            }),
            Action::ToStart => next.restart_clock(false).with_lab(|lab| lab.seek(0)),
            Action::Seek(t) => next.with_lab(|lab| lab.seek(t)),
            Action::SetSpeed(speed) => {
                next.speed = speed;
                let playing = next.playing;
                next.restart_clock(playing)
            }
            Action::SetReducedMotion(reduced) => {
                next.reduced_motion = reduced;
                let playing = next.playing;
                next.restart_clock(playing)
            }
            Action::Tick(_) => {
                // `play_for` turned this frame into virtual time above; it is due now.
                let target = next.time().saturating_add(next.take_due_micros());
                next.with_lab(|lab| lab.seek(target))
            }
            Action::Select(id) => {
                next.selected = Some(id);
                next
            }
        };
        Rc::new(next)
    }
}
