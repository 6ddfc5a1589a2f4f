//! The lab, held outside the reducer: the user's intents run on it here, in event handlers,
//! and what it shows afterwards goes to the reducer as a plain-data [`Action`].
//!
//! The app keeps one [`Driver`] for its whole life (shared by its callbacks): a simulated
//! cluster is too big to copy per state. The lab is borrowed only for the length of one
//! intent, never inside `reduce`. The player's clock (the real time not yet turned into
//! virtual time) lives here too: a frame that moves no whole microsecond changes nothing the
//! page shows, so it dispatches nothing. It must not know how anything is drawn.

use std::cell::RefCell;

use replication_lab::lab::controls::{
    restart_announcement, AckChoice, Focus, MethodChoice, Player, Shown, Speed, TimeControl,
};
use replication_lab::lab::{ClusterConfig, Lab, LabAction, LabSettings};
use replication_lab::view::Micros;

use super::state::{Action, Move, Sent, UiState};

/// A statement the console asks to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub client: u32,
    /// A server for a read, or `None` for the family's default target.
    pub server: Option<u32>,
    pub sql: String,
}

/// The lab and the player's clock, shared by every callback of the app.
pub struct Driver {
    lab: RefCell<Lab>,
    player: RefCell<Player>,
}

impl Driver {
    pub fn new(settings: LabSettings) -> Driver {
        Driver {
            lab: RefCell::new(Lab::new(settings)),
            player: RefCell::new(Player::default()),
        }
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
    pub fn perform(&self, ui: &UiState, node: u32, actions: Vec<LabAction>) -> Option<Action> {
        self.change(ui.focus(), None, |lab| {
            for action in actions {
                lab.perform(action).map_err(|why| why.to_string())?;
            }
            Ok(())
        })
        .map(|(shown, outcome)| Action::Performed {
            node,
            shown,
            outcome,
        })
    }

    /// The console runs a statement now.
    pub fn run(&self, ui: &UiState, statement: Statement) -> Option<Action> {
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
                lab.perform(action)
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

    /// The leader's acknowledgement level changes now.
    pub fn set_ack(&self, ui: &UiState, ack: AckChoice) -> Option<Action> {
        self.change(ui.focus(), None, |lab| {
            lab.perform(LabAction::SetAck(ack.policy()))
                .map(|_| ())
                .map_err(|why| why.to_string())
        })
        .map(|(shown, outcome)| Action::AckAsked {
            ack,
            shown,
            outcome,
        })
    }

    /// A fresh lab with `method` and `fencing` (and the current acknowledgement level), at
    /// time zero; nothing if both are what the lab has.
    pub fn restart(&self, ui: &UiState, method: MethodChoice, fencing: bool) -> Option<Action> {
        if (method, fencing) == (ui.method, ui.fencing) {
            return None;
        }
        let mut lab = self.lab.try_borrow_mut().ok()?;
        let mut cluster = ClusterConfig::lab_default(method.method());
        cluster.ack = ui.ack.policy();
        cluster.failover.fencing = fencing;
        let seed = lab.settings().seed;
        *lab = Lab::new(LabSettings { seed, cluster });
        drop(lab);
        self.restart_clock();
        let mut fresh = self.start(ui.speed, ui.reduced_motion);
        fresh.announcement = restart_announcement(method, fencing);
        Some(Action::Restarted(Box::new(fresh)))
    }
}
