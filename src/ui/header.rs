//! The header: the lab's name, the lesson picker (lessons are not written yet, and it says
//! so), the replication method and the fencing (each a new lab) and the acknowledgement level
//! (a live setting on the leader).

use replication_lab::lab::controls::{AckChoice, MethodChoice};
use yew::prelude::*;

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
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let on_method = picked(&props.on_method, MethodChoice::from_key);
    let on_fencing = picked(&props.on_fencing, |value| Some(value == "etcd"));
    let on_ack = picked(&props.on_ack, AckChoice::from_key);
    html! {
        <header class="header">
            <h1 class="title">{ "Replication Lab" }</h1>
            <div class="control">
                <label for="lesson-picker" class="control-label">{ "Lesson" }</label>
                <select id="lesson-picker" disabled=true>
                    <option>{ "Lessons: coming" }</option>
                </select>
            </div>
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
        </header>
    }
}

/// A `<select>`'s change handler: the value it changed to, read by `parse`, goes to `to`
/// (an unreadable value is ignored).
fn picked<T: 'static>(to: &Callback<T>, parse: fn(&str) -> Option<T>) -> Callback<Event> {
    let to = to.clone();
    Callback::from(move |event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        if let Some(value) = parse(&select.value()) {
            to.emit(value);
        }
    })
}
