//! The page asking before it changes what you did: acting after a step back (discard what you
//! did later, or keep it) and restarting the lab with your actions in it (restart, or not).
//! A small modal dialog: focus moves to its first choice and comes back where it was, Escape
//! cancels, and time's shortcuts stay off while it is open. Afterwards a status line says what
//! was done, with an undo when there is one.
//!
//! It draws the question it is given and sends the [`Answer`]; it knows nothing of the lab.

use replication_lab::view::{format_time, Micros};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the page asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    /// An action at the present, with these actions after it (time, in words).
    Later { actions: Vec<(Micros, String)> },
    /// A new lab (`to`: `with WAL replication`), losing `actions` actions.
    Restart { to: String, actions: usize },
}

/// What the person chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Act, forgetting what was done later.
    Discard,
    /// Act, keeping what was done later: it happens again at its time.
    Keep,
    Restart,
    /// Do nothing (Escape too).
    Cancel,
    /// Back to the lab before the restart.
    Undo,
    /// The status line goes away.
    Dismiss,
}

#[derive(Properties, PartialEq)]
pub struct PromptProps {
    pub question: Option<Question>,
    /// What was done after the last question.
    pub notice: Option<String>,
    /// The undo's words, while one is offered.
    pub undo: Option<String>,
    pub on_answer: Callback<Answer>,
}

/// `N actions: crash leader at 4.000 s, …` (the first two named).
pub fn actions_words(actions: &[(Micros, String)]) -> String {
    let mut words = plural(actions.len());
    for (n, (time, what)) in actions.iter().take(2).enumerate() {
        words.push_str(if n == 0 { ": " } else { ", " });
        words.push_str(&format!("{what} at {}", format_time(*time)));
    }
    if actions.len() > 2 {
        words.push_str(", …");
    }
    words
}

/// `1 action`, `3 actions`.
pub fn plural(n: usize) -> String {
    format!("{n} action{}", if n == 1 { "" } else { "s" })
}

#[component]
pub fn Prompt(props: &PromptProps) -> Html {
    // The element that had the focus when the question came, to give it back.
    let came_from = use_mut_ref(|| None::<web_sys::Element>);
    {
        use_effect_with(props.question.is_some(), move |&open| {
            let document = web_sys::window().and_then(|w| w.document());
            if open {
                let document = document.as_ref();
                *came_from.borrow_mut() = document.and_then(|d| d.active_element());
                // The first choice: the question's own button.
                if let Some(button) = document
                    .and_then(|d| d.query_selector(".prompt-button").ok().flatten())
                    .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = button.focus();
                }
            } else if let Some(element) = came_from.borrow_mut().take() {
                // A picker redrawn since keeps its id: focus the one on the page now.
                let id = element.id();
                let element = document
                    .filter(|_| !id.is_empty())
                    .and_then(|d| d.get_element_by_id(&id))
                    .unwrap_or(element);
                if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }
    let answer = |answer: Answer| props.on_answer.reform(move |_: MouseEvent| answer);

    let Some(question) = props.question.as_ref() else {
        if props.notice.is_none() && props.undo.is_none() {
            return html! {};
        }
        return html! {
            <div class="prompt-notice">
                if let Some(notice) = props.notice.as_ref() { <span>{ notice.clone() }</span> }
                if let Some(undo) = props.undo.as_ref() {
                    <button type="button" class="prompt-button" onclick={answer(Answer::Undo)}>{ undo.clone() }</button>
                }
                <button type="button" class="prompt-close" aria-label="Dismiss" onclick={answer(Answer::Dismiss)}>{ "×" }</button>
            </div>
        };
    };
    let onkeydown = {
        let on_answer = props.on_answer.clone();
        Callback::from(move |event: KeyboardEvent| {
            // Time's shortcuts wait until the question is answered.
            event.stop_propagation();
            if event.key() == "Escape" {
                on_answer.emit(Answer::Cancel);
            }
        })
    };
    let (title, choices) = match question {
        Question::Later { actions } => (
            "You are acting before things you did later.".to_string(),
            html! { <>
                <button type="button" class="prompt-button" onclick={answer(Answer::Discard)}>
                    { format!("Discard what you did later ({})", actions_words(actions)) }
                </button>
                <button type="button" class="prompt-button" onclick={answer(Answer::Keep)}>
                    { "Keep them (they happen again at their times)" }
                </button>
            </> },
        ),
        Question::Restart { to, actions } => (
            format!(
                "Restart the lab {to}? Your {} will be gone.",
                plural(*actions)
            ),
            html! {
                <button type="button" class="prompt-button" onclick={answer(Answer::Restart)}>
                    { "Restart" }
                </button>
            },
        ),
    };
    html! {
        <div class="prompt-backdrop">
            <div class="prompt" role="alertdialog" aria-modal="true" aria-labelledby="prompt-title" {onkeydown}>
                <p id="prompt-title" class="prompt-title">{ title }</p>
                <div class="prompt-choices">
                    { choices }
                    <button type="button" class="prompt-button" onclick={answer(Answer::Cancel)}>{ "Cancel" }</button>
                </div>
            </div>
        </div>
    }
}
