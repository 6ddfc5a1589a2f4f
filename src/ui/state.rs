//! The UI's state as a reducer over plain data, as in Yew's `function_todomvc`: what the lab
//! shows now (the view, shared; the panels' details), the playback settings, what the user
//! selected and picked, and what a screen reader is told. Every change is an [`Action`] and
//! goes through [`UiState::reduce`], which touches nothing but the state.
//!
//! The lab itself is not here: it lives outside the reducer ([`super::driver`]), which runs
//! the user's intents on it and dispatches what it shows afterwards. This module must not
//! know the lab's insides, how anything is drawn, nor the DOM.

use std::rc::Rc;

use replication_lab::lab::controls::{
    announcement, console_client, paced, time_words, AckChoice, Details, Focus, MethodChoice,
    MultiChoice, Setup, Shown, Speed,
};
use replication_lab::lab::Lab;
use replication_lab::view::{Micros, View};
use yew::Reducible;

use super::lesson_panel::LessonShown;
use super::prompt::Question;

/// A statement the console sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    pub client: u32,
    pub sql: String,
    /// The virtual time it was sent at.
    pub at: Micros,
    /// Where it went, in words (`the leader`, `follower-1`).
    pub to: String,
}

/// The SQL console's settings and last outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Console {
    /// The client that sends; `None` means the first client.
    pub client: Option<u32>,
    /// The server a read goes to; `None` means the family's default target.
    pub target: Option<u32>,
    pub sent: Option<Sent>,
    /// Why the lab refused the last run, in its words.
    pub refusal: Option<String>,
}

/// Everything the UI remembers. Plain data, compared field by field.
#[derive(Clone, Debug, PartialEq)]
pub struct UiState {
    /// The lab at the current virtual time, shared with every component that draws it.
    pub view: Rc<View>,
    /// Checks, events and inspections at the current time (kept while only messages move).
    pub details: Rc<Details>,
    /// The end of the timeline slider.
    pub horizon: Micros,
    pub speed: Speed,
    pub playing: bool,
    /// Play in jumps instead of gliding (the reader prefers reduced motion).
    pub reduced_motion: bool,
    /// The node whose details the inspector shows.
    pub selected: Option<u32>,
    pub method: MethodChoice,
    /// Whether failover is fenced through the coordination service (otherwise split brain is
    /// possible).
    pub fencing: bool,
    pub ack: AckChoice,
    /// Why the lab refused the last ack change.
    pub ack_refusal: Option<String>,
    /// A multi-leader lab's settings (its topology the one in force now); `None` for a
    /// single-leader lab, whose settings are `method`, `fencing` and `ack`.
    pub multi: Option<MultiChoice>,
    /// Why the lab refused the last topology change.
    pub topology_refusal: Option<String>,
    pub console: Console,
    /// Why the lab refused the last node or link action: (node, sentence).
    pub refusal: Option<(u32, String)>,
    /// What a screen reader should say now: the events since the last announcement, read
    /// out when the user steps, pauses or acts, never while playing.
    pub announcement: String,
    /// The time up to which events were announced.
    announced_up_to: Micros,
    /// What the page asks before acting (see `super::prompt`).
    pub question: Option<Question>,
    /// What the page did after the last question, until dismissed or the next action.
    pub notice: Option<String>,
    /// The words of the undo a restart offers, until the next action.
    pub undo: Option<String>,
    /// The open lesson, as its panel shows it.
    pub lesson: Option<Rc<LessonShown>>,
    /// The open lesson's id, when it is a built-in one (the header's picker shows it).
    pub lesson_id: Option<String>,
    /// Why the last lesson file did not open, naming the field path.
    pub lesson_error: Option<String>,
    /// Presenter mode: a larger caption, the side panels hidden.
    pub presenter: bool,
}

/// How the lab came to show a new moment, which decides what is announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// A step forward from this time.
    Step {
        from: Micros,
    },
    StepBack,
    ToStart,
    /// The slider: not narrated event by event.
    Seek,
    /// A frame of playing: never announced.
    Frame,
}

/// A change to the UI's state, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The lab moved in time.
    Moved {
        shown: Shown,
        how: Move,
    },
    /// Play or pause.
    SetPlaying(bool),
    /// Play if paused, pause if playing (the Space key).
    TogglePlaying,
    SetSpeed(Speed),
    /// The reader's reduced-motion preference, as the browser reports it.
    SetReducedMotion(bool),
    /// The inspector shows `node` now.
    Selected {
        node: u32,
        shown: Shown,
    },
    /// Node or link actions on `node` were done (or the first refused).
    Performed {
        node: u32,
        shown: Shown,
        outcome: Result<(), String>,
    },
    /// The console sent a statement (or the lab refused it).
    Ran {
        sent: Sent,
        shown: Shown,
        outcome: Result<(), String>,
    },
    /// The console's client picker.
    ConsoleClient {
        client: u32,
        shown: Shown,
    },
    /// The console's target picker: a server for reads, or `None` for the default target.
    ConsoleTarget(Option<u32>),
    /// A multi-leader topology was asked for (the lab shows the one in force).
    TopologyAsked {
        shown: Shown,
        outcome: Result<(), String>,
    },
    /// An acknowledgement level was asked for.
    AckAsked {
        ack: AckChoice,
        shown: Shown,
        outcome: Result<(), String>,
    },
    /// A new lab: everything starts over but the playback preferences.
    Restarted(Box<UiState>),
    /// The page asks before acting; playing stops.
    Asked(Question),
    /// The question was answered: `then` is what was done, `notice` says it.
    Answered {
        notice: Option<String>,
        then: Option<Box<Action>>,
    },
    /// The notice and the undo go away.
    Dismissed,
    /// The lesson moved (a step, an answer) or opened or closed, and the lab with it.
    Lesson {
        lesson: Option<Rc<LessonShown>>,
        shown: Option<Shown>,
        /// The node the step points into (a cell's, a log record's), to inspect.
        selected: Option<u32>,
        /// Play on (after a question is answered).
        play: bool,
    },
    /// A lesson file did not open (or a lesson action was refused): why, in words.
    LessonError(String),
    /// Presenter mode on or off.
    SetPresenter(bool),
}

impl UiState {
    /// The state that shows `lab` as it is, with the first writable node selected.
    pub fn start(lab: &Lab, speed: Speed, reduced_motion: bool) -> UiState {
        let settings = lab.settings();
        let view = lab.view();
        let selected = view.first_writable().map(|n| n.id);
        let focus = Focus {
            selected,
            client: console_client(&view, None),
        };
        let shown = Shown::of(lab, None, focus);
        let multi = MultiChoice::of(&settings.cluster).map(|multi| MultiChoice {
            topology: shown.topology.unwrap_or(multi.topology),
            ..multi
        });
        // A multi-leader lab keeps the single-leader pickers at the page's first lab, for a
        // way back.
        let (method, fencing) = match (multi, Setup::single_default()) {
            (Some(_), Setup::Single { method, fencing }) => (method, fencing),
            _ => (
                MethodChoice::of(settings.cluster.method),
                settings.cluster.failover.fencing,
            ),
        };
        UiState {
            details: shown.details.unwrap_or_default(),
            view: shown.view,
            horizon: shown.horizon,
            speed,
            playing: false,
            reduced_motion,
            selected,
            method,
            fencing,
            ack: AckChoice::of(&settings.cluster.ack).unwrap_or(AckChoice::Async),
            ack_refusal: None,
            multi,
            topology_refusal: None,
            console: Console::default(),
            refusal: None,
            announcement: String::new(),
            announced_up_to: 0,
            question: None,
            notice: None,
            undo: None,
            lesson: None,
            lesson_id: None,
            lesson_error: None,
            presenter: false,
        }
    }

    /// The lab the header's settings build now.
    pub fn setup(&self) -> Setup {
        match self.multi {
            Some(multi) => Setup::Multi(multi),
            None => Setup::Single {
                method: self.method,
                fencing: self.fencing,
            },
        }
    }

    /// The current virtual time.
    pub fn time(&self) -> Micros {
        self.view.time
    }

    /// The speed playing goes at now: the chosen one, or slower while a statement's
    /// messages travel (see `controls::paced`).
    pub fn pace(&self) -> Speed {
        paced(self.speed, &self.view)
    }

    /// Whether playing is slowed down now to show messages (the transport says so).
    pub fn slowed(&self) -> bool {
        self.playing && self.pace() != self.speed
    }

    /// The client the console sends from: the one picked, or the first.
    pub fn console_client(&self) -> Option<u32> {
        console_client(&self.view, self.console.client)
    }

    /// The nodes the panels look at closely.
    pub fn focus(&self) -> Focus {
        Focus {
            selected: self.selected,
            client: self.console_client(),
        }
    }

    /// Takes what the lab shows now; details and the ack level only when they were read.
    fn show(&mut self, shown: Shown) {
        self.view = shown.view;
        self.horizon = shown.horizon;
        if let Some(details) = shown.details {
            self.details = details;
        }
        if let Some(ack) = shown.ack {
            self.ack = ack;
        }
        if let (Some(topology), Some(multi)) = (shown.topology, self.multi.as_mut()) {
            multi.topology = topology;
        }
    }

    /// Announces `lead` and the events since the last announcement.
    fn announce(&mut self, lead: String) {
        let now = self.time();
        self.announcement = announcement(&lead, &self.details.events, self.announced_up_to, now);
        self.announced_up_to = now;
    }

    fn set_playing(&mut self, playing: bool) {
        self.playing = playing;
        if !playing {
            self.announce(format!("Paused at {}.", time_words(self.time())));
        }
    }

    fn moved(&mut self, shown: Shown, how: Move) {
        self.show(shown);
        let now = time_words(self.time());
        match how {
            Move::Frame => {}
            Move::Seek => self.announced_up_to = self.time(),
            Move::Step { from } => {
                self.announced_up_to = from;
                self.announce(format!("{now}."));
            }
            Move::StepBack => self.announce(format!("Back to {now}.")),
            Move::ToStart => self.announce(format!("At the start, {now}.")),
        }
        if how != Move::Frame && how != Move::Seek {
            self.playing = false;
        }
    }
}

impl Reducible for UiState {
    type Action = Action;

    /// Returns the same `Rc` when nothing changes (Yew then skips the re-render) and a new one
    /// otherwise.
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let unchanged = match &action {
            Action::SetPlaying(playing) => self.playing == *playing,
            Action::SetSpeed(speed) => self.speed == *speed,
            Action::SetReducedMotion(reduced) => self.reduced_motion == *reduced,
            Action::SetPresenter(on) => self.presenter == *on,
            Action::ConsoleTarget(target) => self.console.target == *target,
            _ => false,
        };
        if unchanged {
            return self;
        }
        if let Action::Answered { notice, then } = action {
            return self.answered(notice, then);
        }
        let mut next = Rc::unwrap_or_clone(self);
        if matches!(
            action,
            Action::Performed { .. }
                | Action::Ran { .. }
                | Action::AckAsked { .. }
                | Action::TopologyAsked { .. }
        ) {
            // A new action: what the last question did is old news, and no undo is offered
            // over it.
            next.notice = None;
            next.undo = None;
        }
        match action {
            Action::Moved { shown, how } => next.moved(shown, how),
            Action::SetPlaying(playing) => next.set_playing(playing),
            Action::TogglePlaying => {
                let playing = !next.playing;
                next.set_playing(playing);
            }
            Action::SetSpeed(speed) => next.speed = speed,
            Action::SetReducedMotion(reduced) => next.reduced_motion = reduced,
            Action::Selected { node, shown } => {
                next.selected = Some(node);
                next.refusal = None;
                next.show(shown);
            }
            Action::Performed {
                node,
                shown,
                outcome,
            } => {
                next.show(shown);
                let lead = match &outcome {
                    Err(why) => format!("Refused: {why}."),
                    Ok(()) => format!("Done at {}.", time_words(next.time())),
                };
                next.refusal = outcome.err().map(|why| (node, why));
                next.announce(lead);
            }
            Action::Ran {
                sent,
                shown,
                outcome,
            } => {
                next.show(shown);
                match outcome {
                    Ok(()) => {
                        let lead = format!(
                            "Sent to {} at {}. Play or step to let it travel.",
                            sent.to,
                            time_words(sent.at)
                        );
                        next.console.refusal = None;
                        next.console.sent = Some(sent);
                        next.announce(lead);
                    }
                    Err(why) => {
                        next.announce(format!("Refused: {why}."));
                        next.console.refusal = Some(why);
                    }
                }
            }
            Action::ConsoleClient { client, shown } => {
                next.console.client = Some(client);
                next.show(shown);
            }
            Action::ConsoleTarget(target) => next.console.target = target,
            Action::TopologyAsked { shown, outcome } => {
                next.show(shown);
                next.topology_refusal = outcome.err();
            }
            Action::AckAsked {
                ack,
                shown,
                outcome,
            } => {
                next.show(shown);
                match outcome {
                    Ok(()) => {
                        next.ack = ack;
                        next.ack_refusal = None;
                    }
                    Err(why) => next.ack_refusal = Some(why),
                }
            }
            Action::Restarted(fresh) => {
                next = UiState {
                    speed: next.speed,
                    reduced_motion: next.reduced_motion,
                    presenter: next.presenter,
                    ..*fresh
                }
            }
            Action::Lesson {
                lesson,
                shown,
                selected,
                play,
            } => {
                next.selected = selected.or(next.selected);
                next.lesson_moved(lesson, shown);
                next.playing = play;
            }
            Action::LessonError(why) => {
                next.announce(why.clone());
                next.lesson_error = Some(why);
            }
            Action::SetPresenter(on) => next.presenter = on,
            Action::Asked(question) => {
                next.question = Some(question);
                next.playing = false;
            }
            Action::Answered { .. } => {}
            Action::Dismissed => {
                next.notice = None;
                next.undo = None;
            }
        }
        Rc::new(next)
    }
}

impl UiState {
    /// The lesson shows `lesson` now (closed if `None`), the lab `shown`; its caption is
    /// announced. Playing stops: a step is a place to talk from.
    fn lesson_moved(&mut self, lesson: Option<Rc<LessonShown>>, shown: Option<Shown>) {
        if let Some(shown) = shown {
            self.show(shown);
            self.announced_up_to = self.time();
        }
        self.playing = false;
        self.lesson_error = None;
        if lesson.is_none() {
            self.lesson_id = None;
        }
        if let Some(lesson) = lesson.as_ref() {
            let lead = format!(
                "Step {} of {}: {}",
                lesson.at + 1,
                lesson.steps.len(),
                lesson.caption()
            );
            self.announce(lead);
        }
        self.lesson = lesson;
    }

    /// The question is answered: `then` (what was done) goes through the reducer, and
    /// `notice` is shown and said.
    fn answered(self: Rc<Self>, notice: Option<String>, then: Option<Box<Action>>) -> Rc<Self> {
        let mut asked = Rc::unwrap_or_clone(self);
        asked.question = None;
        let done = match then {
            Some(then) => Rc::new(asked).reduce(*then),
            None => Rc::new(asked),
        };
        let Some(notice) = notice else {
            return done;
        };
        let mut next = Rc::unwrap_or_clone(done);
        if !next.announcement.starts_with(&notice) {
            next.announcement = format!("{notice} {}", next.announcement);
        }
        next.notice = Some(notice);
        Rc::new(next)
    }
}
