//! The presenter's keys (like RaftScope's): Space or `.` the lesson's next step, `B` back,
//! digits a step, and one-key actions (see `controls::presenter_key`, which says what each
//! key means, and `PRESENTER_HELP`, the list the page shows).
//!
//! They listen before the transport's shortcuts, so that Space steps a lesson rather than
//! playing; never while typing (the SQL console, a picker) or with Ctrl, Alt or Meta held;
//! and only while the page has focus (an embed's keys are the lab's only when it is focused).
//! What a key does to the lab is the driver's business.

use replication_lab::lab::controls::{presenter_key, PresenterKey};
use yew::prelude::*;

use super::hooks::{is_typing_target, use_document_keydown_first};

/// What the page is in, for its keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeysNow {
    pub in_lesson: bool,
    pub presenter: bool,
    /// The page asks a question (a dialog): its keys are its own.
    pub asking: bool,
}

/// Calls `on_key` for each presenter key pressed; the lesson's keys only in a lesson, Escape
/// only in presenter mode (elsewhere it is the page's or a dialog's), none while the page
/// asks a question.
#[hook]
pub fn use_presenter_keys(now: KeysNow, on_key: Callback<PresenterKey>) {
    use_document_keydown_first(Callback::from(move |event: KeyboardEvent| {
        if now.asking
            || event.ctrl_key()
            || event.alt_key()
            || event.meta_key()
            || is_typing_target(&event)
        {
            return;
        }
        let key = presenter_key(&event.key(), now.in_lesson)
            .filter(|key| now.presenter || *key != PresenterKey::LeavePresenter);
        if let Some(key) = key {
            // Taken: Space must not also play (the transport listens after this) nor scroll.
            event.prevent_default();
            event.stop_propagation();
            on_key.emit(key);
        }
    }));
}
