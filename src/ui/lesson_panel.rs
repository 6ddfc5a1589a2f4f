//! The lesson panel: the open lesson's title, its steps (the current one marked, each a
//! button), the step's caption in large plain text, its "predict, then reveal" question (the
//! choices as buttons; Next waits for an answer; then what happened and why, and whether the
//! answer was right), the expected outcomes checked at the step (✓ / ✗ with their text, quiet,
//! for the teacher), Back / Next / Restart / Leave, the presenter keys' help, and the lesson
//! files: import, export, and "save this session as a lesson".
//!
//! It draws a [`LessonShown`] (plain data the driver reads from the lesson's runner) and sends
//! [`LessonIntent`]s; it knows nothing of the lab, the runner or the lesson format.

use std::rc::Rc;

use replication_lab::lab::controls::PRESENTER_HELP;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the panel shows of the open lesson.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LessonShown {
    pub title: String,
    /// Each step's caption, in order (the list shows their first words).
    pub steps: Vec<String>,
    /// The current step's index.
    pub at: usize,
    /// The step's question, if it asks one.
    pub question: Option<Asked>,
    /// The step's expected outcomes as the lab checked them: (held, what was expected).
    pub outcomes: Vec<(bool, String)>,
    /// What the step points at.
    pub highlight: Rc<Highlighted>,
}

impl LessonShown {
    /// The current step's caption.
    pub fn caption(&self) -> &str {
        self.steps.get(self.at).map_or("", String::as_str)
    }

    /// Whether Next must wait: the step asks a question not answered yet.
    pub fn waiting(&self) -> bool {
        self.question.as_ref().is_some_and(|q| q.reveal.is_none())
    }
}

/// What a step points at, as the page finds it: nodes and links by id, a table cell, a log
/// record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Highlighted {
    pub nodes: Vec<u32>,
    /// Links by their two ends, either way round.
    pub links: Vec<(u32, u32)>,
    /// A cell: the node, the table, the row's key (its first column's text), the column.
    pub cell: Option<(u32, String, String, String)>,
    /// A log record: the node, and the record's number from 1 (as the log tab counts lines).
    pub record: Option<(u32, usize)>,
}

impl Highlighted {
    /// Whether the link from `a` to `b` is pointed at.
    pub fn link(&self, a: u32, b: u32) -> bool {
        self.links.iter().any(|&l| l == (a, b) || l == (b, a))
    }
}

/// A "predict, then reveal" question.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Asked {
    pub prompt: String,
    pub choices: Vec<String>,
    /// After the answer: what was chosen, whether it was right, and what happened and why.
    pub reveal: Option<Reveal>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reveal {
    pub chosen: usize,
    pub right: bool,
    pub why: String,
}

/// What the panel asks of the lesson.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonIntent {
    /// Open the built-in lesson with this id (the header's picker).
    Open(String),
    Next,
    Back,
    GoTo(usize),
    Restart,
    /// Leave the lesson and play freely from here.
    Leave,
    /// The student's answer to the step's question.
    Answer(usize),
    /// A lesson file's text, to open instead of what is open (if it reads).
    Import(String),
    /// Download the open lesson as JSON.
    Export,
    /// Download this session's actions as a lesson with captions to fill in.
    SaveSession,
    /// Presenter mode on or off.
    Presenter,
}

#[derive(Properties, PartialEq)]
pub struct LessonPanelProps {
    /// The open lesson, if any (without one only the file controls show, in the header).
    pub lesson: Option<Rc<LessonShown>>,
    /// Why the last import or link failed, naming the field path.
    pub error: Option<String>,
    pub presenter: bool,
    pub on_intent: Callback<LessonIntent>,
}

#[component]
pub fn LessonPanel(props: &LessonPanelProps) -> Html {
    let Some(lesson) = props.lesson.as_ref() else {
        // Presenter mode hides the header: its way out stays on screen.
        return html! {
            if props.presenter {
                <div class="presenter-leave">
                    <button type="button" class="lesson-button"
                        onclick={props.on_intent.reform(|_: MouseEvent| LessonIntent::Presenter)}>
                        { "Leave presenter mode (Esc)" }
                    </button>
                    { key_help() }
                </div>
            }
        };
    };
    let send = |intent: LessonIntent| props.on_intent.reform(move |_: MouseEvent| intent.clone());
    let last = lesson.steps.len().saturating_sub(1);
    let waiting = lesson.waiting();
    html! {
        <section class="lesson-panel" aria-label="Lesson">
            <div class="lesson-head">
                <h2 class="lesson-title">{ lesson.title.clone() }</h2>
                <span class="lesson-where">{ format!("step {} of {}", lesson.at + 1, lesson.steps.len()) }</span>
                <ol class="lesson-steps" aria-label="Steps">
                    for (i, caption) in lesson.steps.iter().enumerate() {
                        <li>
                            <button type="button"
                                class={classes!("lesson-step", (i == lesson.at).then_some("current"), (i < lesson.at).then_some("done"))}
                                aria-current={(i == lesson.at).then_some("step")}
                                aria-label={format!("Step {}: {}", i + 1, caption)} title={caption.clone()}
                                onclick={send(LessonIntent::GoTo(i))}>
                                { i + 1 }
                            </button>
                        </li>
                    }
                </ol>
            </div>
            <p class="lesson-caption" aria-live="polite">{ lesson.caption().to_string() }</p>
            if let Some(question) = lesson.question.as_ref() {
                { question_view(question, &props.on_intent) }
            }
            if !lesson.outcomes.is_empty() {
                <ul class="lesson-outcomes" aria-label="Expected at this step">
                    for (held, text) in lesson.outcomes.iter() {
                        <li class={classes!("outcome", if *held { "held" } else { "failed" })}>
                            <span aria-hidden="true">{ if *held { "✓ " } else { "✗ " } }</span>
                            <span class="visually-hidden">{ if *held { "holds: " } else { "does not hold: " } }</span>
                            { text.clone() }
                        </li>
                    }
                </ul>
            }
            <div class="lesson-buttons">
                <button type="button" class="lesson-button" disabled={lesson.at == 0}
                    onclick={send(LessonIntent::Back)}>{ "◀ Back" }</button>
                <button type="button" class="lesson-button lesson-next" disabled={waiting || lesson.at >= last}
                    title={if waiting { "Answer the question first" } else { "" }}
                    onclick={send(LessonIntent::Next)}>{ "Next ▶" }</button>
                <button type="button" class="lesson-button" onclick={send(LessonIntent::Restart)}>{ "Restart" }</button>
                <button type="button" class="lesson-button" onclick={send(LessonIntent::Presenter)}
                    aria-pressed={props.presenter.to_string()}>{ "Presenter mode" }</button>
                <button type="button" class="lesson-button lesson-leave" onclick={send(LessonIntent::Leave)}>
                    { "Leave" }<span class="long">{ " the lesson and play freely from here" }</span>
                </button>
            </div>
            if let Some(error) = props.error.as_ref() {
                <p class="lesson-error" role="alert">{ error.clone() }</p>
            }
            if props.presenter {
                { key_help() }
            } else {
                <details class="lesson-more">
                    <summary>{ "Keys and files" }</summary>
                    { key_help() }
                    <button type="button" class="lesson-button" onclick={send(LessonIntent::Export)}>
                        { "Export lesson (.json)" }
                    </button>
                </details>
            }
        </section>
    }
}

/// The question, its choices, and after the answer the reveal.
fn question_view(question: &Asked, on_intent: &Callback<LessonIntent>) -> Html {
    let answered = question.reveal.as_ref().map(|r| r.chosen);
    html! {
        <div class="lesson-question" role="group" aria-label="Predict, then reveal">
            <p class="lesson-prompt"><strong>{ "Predict: " }</strong>{ question.prompt.clone() }</p>
            <div class="lesson-choices">
                for (i, choice) in question.choices.iter().enumerate() {
                    <button type="button"
                        class={classes!("lesson-choice", (answered == Some(i)).then_some("chosen"))}
                        disabled={answered.is_some()} aria-pressed={(answered == Some(i)).to_string()}
                        onclick={on_intent.reform(move |_: MouseEvent| LessonIntent::Answer(i))}>
                        { choice.clone() }
                    </button>
                }
            </div>
            if let Some(reveal) = question.reveal.as_ref() {
                <p class={classes!("lesson-reveal", if reveal.right { "right" } else { "wrong" })} role="status">
                    <strong>{ if reveal.right { "✓ Right. " } else { "✗ Not quite. " } }</strong>
                    { reveal.why.clone() }
                </p>
            } else {
                <p class="lesson-waiting">{ "The lab waits for your answer." }</p>
            }
        </div>
    }
}

/// The presenter keys, always listed where the lesson is (no tooltip to discover).
pub fn key_help() -> Html {
    html! {
        <p class="presenter-keys" aria-label="Presenter keys">
            for (keys, what) in PRESENTER_HELP {
                <span><kbd>{ keys }</kbd>{ " " }{ what }</span>
            }
        </p>
    }
}

/// A file input's first file, read as text and sent to `to` (nothing if there is none or it
/// cannot be read: the reader's error event is not listened to, and the lab keeps what it has).
pub fn read_file(event: &Event, to: Callback<String>) {
    let input: web_sys::HtmlInputElement = event.target_unchecked_into();
    let Some(file) = input.files().and_then(|files| files.get(0)) else {
        return;
    };
    // The same file chosen again still fires `change`.
    input.set_value("");
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let read = reader.clone();
    let onload = Closure::once_into_js(move || {
        if let Some(text) = read.result().ok().and_then(|r| r.as_string()) {
            to.emit(text);
        }
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}

/// Offers `text` as a download named `name` (a `data:` link clicked once: no object URL to
/// revoke, nothing kept).
pub fn download(name: &str, text: &str) {
    let document = web_sys::window().and_then(|w| w.document());
    let Some(link) = document
        .as_ref()
        .and_then(|d| d.create_element("a").ok())
        .and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    else {
        return;
    };
    link.set_href(&format!(
        "data:application/json;charset=utf-8,{}",
        percent_encode(text)
    ));
    link.set_download(name);
    link.click();
}

/// `text` with everything but unreserved ASCII percent-encoded (UTF-8 bytes), as a URL needs.
fn percent_encode(text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 15)]));
        }
    }
    out
}
