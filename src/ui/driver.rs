//! The lab, held outside the reducer: the user's intents run on it here, in event handlers,
//! and what it shows afterwards goes to the reducer as a plain-data [`Action`].
//!
//! The app keeps one [`Driver`] for its whole life (shared by its callbacks): a simulated
//! cluster is too big to copy per state. The lab is borrowed only for the length of one
//! intent, never inside `reduce`. The player's clock (the real time not yet turned into
//! virtual time) lives here too: a frame that moves no whole microsecond changes nothing the
//! page shows, so it dispatches nothing. It must not know how anything is drawn.

use std::cell::RefCell;

use replication_lab::lab::controls::{AckChoice, Focus, Player, Setup, Shown, Speed, TimeControl};
use replication_lab::lab::link::LinkState;
use replication_lab::lab::{api, Lab, LabAction, LabSettings, Later, Topology};
use replication_lab::view::Micros;

use super::prompt::{actions_words, plural, Answer, Question};

#[path = "lesson_driver.rs"]
mod lesson;
use super::state::{Action, Move, Sent, UiState};

/// A statement the console asks to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub client: u32,
    /// A server for a read, or `None` for the family's default target.
    pub server: Option<u32>,
    pub sql: String,
}

/// An intent held while the page asks what becomes of what it would undo.
#[derive(Clone, Debug)]
enum Deferred {
    Perform { node: u32, actions: Vec<LabAction> },
    Run(Statement),
    Ack(AckChoice),
    Topology(Topology),
    Restart(Setup),
}

/// The lab and the player's clock, shared by every callback of the app.
pub struct Driver {
    lab: RefCell<Lab>,
    player: RefCell<Player>,
    /// The intent the open question is about.
    deferred: RefCell<Option<Deferred>>,
    /// The lab before the last restart, and its method's words, for its undo.
    previous: RefCell<Option<(Lab, &'static str)>>,
    /// The open lesson (see `lesson_driver.rs`).
    lesson: RefCell<Option<lesson::Open>>,
}

impl Driver {
    /// A driver for `lab` (the default lab, or a link's).
    pub fn with_lab(lab: Lab) -> Driver {
        Driver {
            lab: RefCell::new(lab),
            player: RefCell::new(Player::default()),
            deferred: RefCell::new(None),
            previous: RefCell::new(None),
            lesson: RefCell::new(None),
        }
    }

    /// Asks first if `intent` would act before actions done later (after a step back), or
    /// restart a lab that has actions: keeps the intent and returns the question.
    fn ask_first(&self, intent: Deferred) -> Option<Action> {
        let lab = self.lab.try_borrow().ok()?;
        let question = match &intent {
            Deferred::Restart(setup) => {
                let actions = lab.actions().len();
                if actions == 0 {
                    return None;
                }
                let to = setup.restart_words(Setup::of(&lab.settings().cluster));
                Question::Restart { to, actions }
            }
            _ => {
                let actions = lab.later_actions();
                if actions.is_empty() {
                    return None;
                }
                Question::Later { actions }
            }
        };
        *self.deferred.try_borrow_mut().ok()? = Some(intent);
        Some(Action::Asked(question))
    }

    /// The answer to the open question: the held intent runs (or not), and the page says what
    /// it did.
    pub fn answer(&self, ui: &UiState, answer: Answer) -> Option<Action> {
        let deferred = self.deferred.try_borrow_mut().ok()?.take();
        let later = match answer {
            Answer::Keep => Later::Keep,
            Answer::Discard | Answer::Restart => Later::Discard,
            Answer::Cancel => {
                return Some(Action::Answered {
                    notice: None,
                    then: None,
                })
            }
            Answer::Dismiss => return Some(Action::Dismissed),
            Answer::Undo => return self.undo(ui),
        };
        let words = self
            .lab
            .try_borrow()
            .ok()
            .map(|lab| actions_words(&lab.later_actions()))
            .unwrap_or_default();
        let then = match deferred? {
            Deferred::Perform { node, actions } => self.perform_with(ui, node, actions, later),
            Deferred::Run(statement) => self.run_with(ui, statement, later),
            Deferred::Ack(ack) => self.set_ack_with(ui, ack, later),
            Deferred::Topology(topology) => self.set_topology_with(ui, topology, later),
            Deferred::Restart(setup) => {
                return self.restart_now(ui, setup).map(|then| Action::Answered {
                    notice: Some(setup.announcement()),
                    then: Some(Box::new(then)),
                })
            }
        };
        let notice = match later {
            Later::Keep => {
                format!("Kept what you did later ({words}): it happens again at its time.")
            }
            Later::Discard => format!("Discarded what you did later ({words})."),
        };
        Some(Action::Answered {
            notice: Some(notice),
            then: then.map(Box::new),
        })
    }

    /// Back to the lab before the last restart, with its actions.
    fn undo(&self, ui: &UiState) -> Option<Action> {
        let (lab, _) = self.previous.try_borrow_mut().ok()?.take()?;
        let actions = plural(lab.actions().len());
        let setup = Setup::of(&lab.settings().cluster);
        *self.lab.try_borrow_mut().ok()? = lab;
        self.restart_clock();
        let fresh = self.start(ui.speed, ui.reduced_motion);
        Some(Action::Answered {
            notice: Some(format!(
                "Back to {} replication with your {actions}.",
                setup.label()
            )),
            then: Some(Box::new(Action::Restarted(Box::new(fresh)))),
        })
    }

    /// The first state: the lab as it is now.
    pub fn start(&self, speed: Speed, reduced_motion: bool) -> UiState {
        UiState::start(&self.lab.borrow(), speed, reduced_motion)
    }

    /// Runs `change` on the lab, then reads what it shows for `focus` (details only if
    /// something happened since `before`, or always without one). `None` if the lab is busy,
    /// which it never is: intents do not nest.
    fn change<R>(
        &self,
        focus: Focus,
        before: Option<&UiState>,
        change: impl FnOnce(&mut Lab) -> R,
    ) -> Option<(Shown, R)> {
        let mut lab = self.lab.try_borrow_mut().ok()?;
        let result = change(&mut lab);
        let shown = Shown::of(&lab, before.map(|ui| ui.view.as_ref()), focus);
        Some((shown, result))
    }

    fn restart_clock(&self) {
        if let Ok(mut player) = self.player.try_borrow_mut() {
            player.restart();
        }
    }

    /// The transport's controls. Time is read from the lab, not from `ui`: a key held down
    /// may send several steps before the page renders again.
    pub fn control(&self, ui: &UiState, control: TimeControl) -> Option<Action> {
        // A step reads the details afresh: its caption may change when nothing drawn does.
        let moved = |how: fn(Micros) -> Move, change: &dyn Fn(&mut Lab)| {
            self.restart_clock();
            self.change(ui.focus(), None, |lab| {
                let from = lab.time();
                change(lab);
                from
            })
            .map(|(shown, from)| Action::Moved {
                shown,
                how: how(from),
            })
        };
        match control {
            TimeControl::Play | TimeControl::Pause => {
                self.restart_clock();
                Some(Action::SetPlaying(control == TimeControl::Play))
            }
            TimeControl::Toggle => {
                self.restart_clock();
                Some(Action::TogglePlaying)
            }
            TimeControl::Step | TimeControl::FineStep => {
                moved(|from| Move::Step { from }, &|lab| {
                    if matches!(control, TimeControl::Step) {
                        lab.step_visible();
                    } else {
                        lab.step();
                    }
                })
            }
            TimeControl::StepBack | TimeControl::FineStepBack => {
                moved(|_| Move::StepBack, &|lab| {
                    if matches!(control, TimeControl::StepBack) {
                        lab.step_back_visible();
                    } else {
                        lab.step_back();
                    }
                })
            }
            TimeControl::ToStart => moved(|_| Move::ToStart, &|lab| lab.seek(0)),
            TimeControl::Seek(t) => {
                self.change(ui.focus(), Some(ui), |lab| lab.seek(t))
                    .map(|(shown, ())| Action::Moved {
                        shown,
                        how: Move::Seek,
                    })
            }
            TimeControl::SetSpeed(speed) => {
                self.restart_clock();
                Some(Action::SetSpeed(speed))
            }
        }
    }

    /// One animation frame of playing, `real_ms` after the previous one.
    pub fn frame(&self, ui: &UiState, real_ms: f64) -> Option<Action> {
        if !ui.playing {
            return None;
        }
        let due = self
            .player
            .try_borrow_mut()
            .ok()?
            .frame(real_ms, ui.pace(), ui.reduced_motion);
        if due == 0 {
            return None;
        }
        self.change(ui.focus(), Some(ui), |lab| {
            lab.seek(lab.time().saturating_add(due))
        })
        .map(|(shown, ())| Action::Moved {
            shown,
            how: Move::Frame,
        })
    }

    /// The reader's reduced-motion preference changed.
    pub fn reduced_motion(&self, reduced: bool) -> Action {
        self.restart_clock();
        Action::SetReducedMotion(reduced)
    }

    /// The inspector shows `node`.
    pub fn select(&self, ui: &UiState, node: u32) -> Option<Action> {
        if ui.selected == Some(node) {
            return None;
        }
        let focus = Focus {
            selected: Some(node),
            ..ui.focus()
        };
        self.change(focus, None, |_| ())
            .map(|(shown, ())| Action::Selected { node, shown })
    }

    /// Node and link actions on `node`, done now in order; the first refusal stops them.
    /// Asks first when there are actions after now.
    pub fn perform(&self, ui: &UiState, node: u32, actions: Vec<LabAction>) -> Option<Action> {
        self.ask_first(Deferred::Perform {
            node,
            actions: actions.clone(),
        })
        .or_else(|| self.perform_with(ui, node, actions, Later::Discard))
    }

    fn perform_with(
        &self,
        ui: &UiState,
        node: u32,
        actions: Vec<LabAction>,
        later: Later,
    ) -> Option<Action> {
        self.change(ui.focus(), None, |lab| {
            for action in actions {
                lab.perform_with(action, later)
                    .map_err(|why| why.to_string())?;
            }
            Ok(())
        })
        .map(|(shown, outcome)| Action::Performed {
            node,
            shown,
            outcome,
        })
    }

    /// The console runs a statement now (asking first when there are actions after now).
    pub fn run(&self, ui: &UiState, statement: Statement) -> Option<Action> {
        self.ask_first(Deferred::Run(statement.clone()))
            .or_else(|| self.run_with(ui, statement, Later::Discard))
    }

    fn run_with(&self, ui: &UiState, statement: Statement, later: Later) -> Option<Action> {
        let Statement {
            client,
            server,
            sql,
        } = statement;
        let to = server.and_then(|id| ui.view.node(id)).map_or_else(
            || ui.view.words.default_target.to_string(),
            |n| n.name.clone(),
        );
        let action = match server {
            Some(server) => LabAction::SqlOn {
                client,
                server,
                sql: sql.clone(),
            },
            None => LabAction::Sql {
                client,
                sql: sql.clone(),
            },
        };
        self.change(ui.focus(), None, |lab| {
            let at = lab.time();
            (
                at,
                lab.perform_with(action, later)
                    .map(|_| ())
                    .map_err(|why| why.to_string()),
            )
        })
        .map(|(shown, (at, outcome))| Action::Ran {
            sent: Sent {
                client,
                sql,
                at,
                to,
            },
            shown,
            outcome,
        })
    }

    /// The console sends from `client` now.
    pub fn console_client(&self, ui: &UiState, client: u32) -> Option<Action> {
        if ui.console.client == Some(client) {
            return None;
        }
        let focus = Focus {
            client: Some(client),
            ..ui.focus()
        };
        self.change(focus, None, |_| ())
            .map(|(shown, ())| Action::ConsoleClient { client, shown })
    }

    /// The leader's acknowledgement level changes now (asking first when there are actions
    /// after now).
    pub fn set_ack(&self, ui: &UiState, ack: AckChoice) -> Option<Action> {
        self.ask_first(Deferred::Ack(ack))
            .or_else(|| self.set_ack_with(ui, ack, Later::Discard))
    }

    fn set_ack_with(&self, ui: &UiState, ack: AckChoice, later: Later) -> Option<Action> {
        self.change(ui.focus(), None, |lab| {
            lab.perform_with(LabAction::SetAck(ack.policy()), later)
                .map(|_| ())
                .map_err(|why| why.to_string())
        })
        .map(|(shown, outcome)| Action::AckAsked {
            ack,
            shown,
            outcome,
        })
    }

    /// Every multi-leader server sends by `topology` from now on (asking first when there
    /// are actions after now).
    pub fn set_topology(&self, ui: &UiState, topology: Topology) -> Option<Action> {
        self.ask_first(Deferred::Topology(topology))
            .or_else(|| self.set_topology_with(ui, topology, Later::Discard))
    }

    fn set_topology_with(&self, ui: &UiState, topology: Topology, later: Later) -> Option<Action> {
        self.change(ui.focus(), None, |lab| {
            lab.perform_with(LabAction::SetTopology(topology), later)
                .map(|_| ())
                .map_err(|why| why.to_string())
        })
        .map(|(shown, outcome)| Action::TopologyAsked { shown, outcome })
    }

    /// A fresh lab as `setup` says (a single-leader one at the current acknowledgement
    /// level), at time zero; nothing if it is what the lab has. Asks first when the lab has
    /// actions.
    pub fn restart(&self, ui: &UiState, setup: Setup) -> Option<Action> {
        if setup == ui.setup() {
            return None;
        }
        self.ask_first(Deferred::Restart(setup))
            .or_else(|| self.restart_now(ui, setup))
    }

    /// The restart itself; a lab with actions is kept for an undo.
    fn restart_now(&self, ui: &UiState, setup: Setup) -> Option<Action> {
        let mut lab = self.lab.try_borrow_mut().ok()?;
        let cluster = setup.cluster(ui.ack);
        let seed = lab.settings().seed;
        let old = std::mem::replace(&mut *lab, Lab::new(LabSettings { seed, cluster }));
        drop(lab);
        let actions = old.actions().len();
        let undo = (actions > 0).then(|| {
            let back = Setup::of(&old.settings().cluster).label();
            let words = format!("Undo: back to {back} with your {}", plural(actions));
            *self.previous.borrow_mut() = Some((old, back));
            words
        });
        self.restart_clock();
        let mut fresh = self.start(ui.speed, ui.reduced_motion);
        fresh.announcement = setup.announcement();
        fresh.undo = undo;
        Some(Action::Restarted(Box::new(fresh)))
    }

    /// Node and link actions done now, forgetting any actions after now without asking (a
    /// host page's request: no one is there to answer a question).
    pub fn perform_now(&self, ui: &UiState, node: u32, actions: Vec<LabAction>) -> Option<Action> {
        self.perform_with(ui, node, actions, Later::Discard)
    }

    /// Shows `lab` instead (a link's, loaded by a host page), as a restart would.
    pub fn load(&self, ui: &UiState, lab: Lab) -> Option<Action> {
        *self.lab.try_borrow_mut().ok()? = lab;
        self.restart_clock();
        Some(Action::Restarted(Box::new(
            self.start(ui.speed, ui.reduced_motion),
        )))
    }

    /// The link state of this moment (`#state=…`), or why the lab has none.
    pub fn link_state(&self) -> Result<String, String> {
        let lab = self.lab.try_borrow().map_err(|e| e.to_string())?;
        LinkState::of(&lab)
            .map(|state| state.encode())
            .map_err(|why| why.to_string())
    }

    /// The address parameters that reopen what the page shows: the open built-in lesson at
    /// its step, else the lab's link state (`state=…`), or why there is none.
    pub fn link_params(&self) -> Result<String, String> {
        match self.lesson_link() {
            Some(lesson) => Ok(lesson),
            None => self.link_state().map(|state| format!("state={state}")),
        }
    }

    /// What a host page hears of the lab now (see `lab::api::Report`).
    pub fn host_state(&self, playing: bool) -> Option<api::Report> {
        let link = self.link_state().ok();
        let lab = self.lab.try_borrow().ok()?;
        Some(api::Report::of(&lab.view(), playing, link))
    }
}
