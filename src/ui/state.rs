//! The UI's state as a reducer: the core's lab, the view drawn from it, and what the user
//! has selected. Actions are plain values; every change goes through [`UiState::reduce`].

use std::rc::Rc;

use replication_lab::lab::{Lab, LabSettings};
use replication_lab::view::View;
use yew::Reducible;

/// Everything the UI remembers.
#[derive(Clone, Debug)]
pub struct UiState {
    pub view: View,
    /// The node whose details the inspector shows.
    pub selected: Option<u32>,
}

impl UiState {
    pub fn new(settings: LabSettings) -> UiState {
        let lab = Lab::new(settings);
        let view = lab.view();
        let selected = view.leader().map(|n| n.id);
        UiState { view, selected }
    }
}

impl PartialEq for UiState {
    fn eq(&self, other: &Self) -> bool {
        self.view == other.view && self.selected == other.selected
    }
}

/// What the user can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Show this node in the inspector.
    Select(u32),
}

impl Reducible for UiState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Select(id) if self.selected == Some(id) => self,
            Action::Select(id) => {
                let mut next = Rc::unwrap_or_clone(self);
                next.selected = Some(id);
                Rc::new(next)
            }
        }
    }
}
