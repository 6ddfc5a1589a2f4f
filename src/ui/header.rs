//! The header: the lab's name, the lesson picker (the built-in lessons; picking one opens the
//! lesson panel) with the lesson files (import one, save this session as one), the
//! replication family (single-leader or multi-leader), and the family's settings: for a
//! single leader the method and the fencing (each a new lab, asked first when the session
//! has actions: a picker shows what the lab has until the new lab starts) and the
//! acknowledgement level (a live setting on the leader); for several leaders, theirs
//! ([`super::multi_settings`]).

use replication_lab::lab::controls::{AckChoice, MethodChoice, MultiChoice, Setup};
use replication_lab::lab::Topology;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::lesson_panel::{read_file, LessonIntent};
use super::multi_settings::MultiSettings;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub method: MethodChoice,
    /// Failover fenced through the coordination service (etcd), or not at all.
    pub fencing: bool,
    pub ack: AckChoice,
    /// Why the lab refused the last ack change.
    pub ack_refusal: Option<String>,
    /// A new lab with this method.
    pub on_method: Callback<MethodChoice>,
    /// A new lab with (true) or without fencing.
    pub on_fencing: Callback<bool>,
    /// The leader's acknowledgement level changes now.
    pub on_ack: Callback<AckChoice>,
    /// A multi-leader lab's settings; `None` for a single-leader lab.
    pub multi: Option<MultiChoice>,
    /// Why the lab refused the last topology change.
    pub topology_refusal: Option<String>,
    /// A new lab as this setup says.
    pub on_setup: Callback<Setup>,
    /// The leaders send by this topology from now on.
    pub on_topology: Callback<Topology>,
    /// The built-in lessons: (id, title).
    pub lessons: std::rc::Rc<Vec<(String, String)>>,
    /// The open lesson's id, if it is a built-in one.
    pub lesson: Option<String>,
    /// Open, import, save a session.
    pub on_lesson: Callback<LessonIntent>,
    /// Why the last lesson file did not open, when no lesson is open (the panel shows it
    /// otherwise).
    pub lesson_error: Option<String>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let fencing_key = if props.fencing { "etcd" } else { "none" };
    let family_key = family_key(props.multi.is_some());
    // The pickers show the lab's settings: back after a question is cancelled, forward when
    // the new lab starts (a browser stops following `selected` once a person picked).
    use_effect_with(
        [props.method.key(), fencing_key, props.ack.key(), family_key],
        |keys| {
            show_values(
                &[
                    "method-picker",
                    "fencing-picker",
                    "ack-picker",
                    "family-picker",
                ],
                keys,
            )
        },
    );
    let file = use_node_ref();
    let single = Setup::Single {
        method: props.method,
        fencing: props.fencing,
    };
    let on_family = picked(
        &props.on_setup,
        move |key| match key {
            "multi-leader" => Some(Setup::Multi(MultiChoice::default())),
            "single-leader" => Some(single),
            _ => None,
        },
        family_key,
    );
    let multi = props.multi.is_some();
    // Single-leader, the picker comes last and its label is for screen readers: the header
    // keeps the rows it had (the method says "restarts the lab").
    let family = html! {
        <div class="control">
            <label for="family-picker" class={classes!("control-label", (!multi).then_some("visually-hidden"))}>
                { "Replication" }
            </label>
            <select id="family-picker" onchange={on_family}
                aria-describedby={multi.then_some("family-note")}>
                for key in ["single-leader", "multi-leader"] {
                    <option value={key} selected={key == family_key}>{ key }</option>
                }
            </select>
            if multi {
                <span id="family-note" class="control-note">
                    { "restarts the lab · method, fencing, ack: single-leader only" }
                </span>
            }
        </div>
    };
    html! {
        <header class="header">
            <h1 class="title">{ "Replication Lab" }</h1>
            { lesson_controls(props, file) }
            if let Some(multi) = props.multi {
                { family }
                <MultiSettings {multi} on_setup={props.on_setup.clone()}
                    on_topology={props.on_topology.clone()}
                    refusal={props.topology_refusal.clone()} />
            } else {
                { single_leader_controls(props) }
                { family }
            }
        </header>
    }
}

fn family_key(multi: bool) -> &'static str {
    if multi {
        "multi-leader"
    } else {
        "single-leader"
    }
}

/// Sets each `<select>` named by id to its value (those not on the page are skipped).
pub(super) fn show_values(ids: &[&str], values: &[&'static str]) {
    let document = web_sys::window().and_then(|w| w.document());
    for (id, value) in ids.iter().zip(values) {
        if let Some(select) = document
            .as_ref()
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value(value);
        }
    }
}

/// The single-leader settings: method, fencing, acknowledgement level.
fn single_leader_controls(props: &HeaderProps) -> Html {
    let fencing_key = if props.fencing { "etcd" } else { "none" };
    let on_method = picked(&props.on_method, MethodChoice::from_key, props.method.key());
    let on_fencing = picked(
        &props.on_fencing,
        |value| Some(value == "etcd"),
        fencing_key,
    );
    let on_ack = picked(&props.on_ack, AckChoice::from_key, props.ack.key());
    html! {
        <>
            <div class="control">
                <label for="method-picker" class="control-label">{ "Method" }</label>
                <select id="method-picker" onchange={on_method} aria-describedby="method-note">
                    for choice in MethodChoice::ALL {
                        <option value={choice.key()} selected={choice == props.method}>
                            { choice.label() }
                        </option>
                    }
                </select>
                <span id="method-note" class="control-note">{ "restarts the lab" }</span>
            </div>
            <div class="control">
                <label for="fencing-picker" class="control-label">{ "Fencing" }</label>
                <select id="fencing-picker" onchange={on_fencing} aria-describedby="fencing-note">
                    <option value="etcd" selected={props.fencing}>{ "etcd leader key" }</option>
                    <option value="none" selected={!props.fencing}>{ "none" }</option>
                </select>
                <span id="fencing-note" class="control-note">
                    if props.fencing {
                        { "a cut-off leader stops writing" }
                    } else {
                        { "split brain possible" }
                    }
                </span>
            </div>
            <div class="control">
                <label for="ack-picker" class="control-label">{ "Ack" }</label>
                <select id="ack-picker" onchange={on_ack} aria-describedby="ack-note">
                    for choice in AckChoice::ALL {
                        <option value={choice.key()} selected={choice == props.ack}>
                            { choice.label() }
                        </option>
                    }
                </select>
                <span id="ack-note" class="control-note">
                    if let Some(why) = props.ack_refusal.as_ref() {
                        <span class="refusal" role="alert">{ format!("not changed: {why}") }</span>
                    } else {
                        { props.ack.explanation() }
                    }
                </span>
            </div>
        </>
    }
}

/// The picker's values for its two commands (a lesson's id is never empty nor starts with `:`).
const IMPORT: &str = ":import";
const SAVE: &str = ":save";

/// The lesson picker, the import of a lesson file and "save this session as a lesson".
fn lesson_controls(props: &HeaderProps, file: NodeRef) -> Html {
    let on_lesson = props.on_lesson.clone();
    let open = props.lesson.clone().unwrap_or_default();
    let chooser = file.clone();
    // The lesson files are commands at the end of the list (no room for buttons on a phone).
    let on_pick = Callback::from(move |event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        let value = select.value();
        match value.as_str() {
            IMPORT | SAVE => {
                select.set_value(&open);
                if value == SAVE {
                    on_lesson.emit(LessonIntent::SaveSession);
                } else if let Some(input) = chooser.cast::<web_sys::HtmlElement>() {
                    input.click();
                }
            }
            "" => {}
            _ => on_lesson.emit(LessonIntent::Open(value)),
        }
    });
    let on_import = {
        let to = props.on_lesson.reform(LessonIntent::Import);
        Callback::from(move |event: Event| read_file(&event, to.clone()))
    };
    let open = props.lesson.as_deref().unwrap_or("");
    html! {
        <div class="control lesson-control">
            <label for="lesson-picker" class="control-label">{ "Lesson" }</label>
            <select id="lesson-picker" onchange={on_pick}>
                <option value="" selected={open.is_empty()}>{ "Play freely (no lesson)" }</option>
                for (id, title) in props.lessons.iter() {
                    <option value={id.clone()} selected={id == open}>{ title.clone() }</option>
                }
                <option value={IMPORT}>{ "Import a lesson file…" }</option>
                <option value={SAVE}>{ "Save this session as a lesson (.json)" }</option>
            </select>
            <input ref={file} type="file" class="visually-hidden" accept=".json,application/json"
                aria-label="Import a lesson file (.json)" tabindex="-1" onchange={on_import} />
            if let Some(error) = props.lesson_error.as_ref() {
                <p class="lesson-error" role="alert">{ error.clone() }</p>
            }
        </div>
    }
}

/// A `<select>`'s change handler: the value it changed to, read by `parse`, goes to `to`
/// (an unreadable value is ignored); the picker shows `now` until the setting changes.
pub(super) fn picked<T: 'static>(
    to: &Callback<T>,
    parse: impl Fn(&str) -> Option<T> + 'static,
    now: &'static str,
) -> Callback<Event> {
    let to = to.clone();
    Callback::from(move |event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        let value = select.value();
        select.set_value(now);
        if let Some(value) = parse(&value) {
            to.emit(value);
        }
    })
}
