//! The header: the lab's name, the lesson picker (lessons are not written yet, and it says
//! so), the replication method and the fencing (each a new lab) and the acknowledgement level
//! (a live setting on the leader).

use yew::prelude::*;

use super::choices::{AckChoice, MethodChoice};
use super::state::Action;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub method: MethodChoice,
    /// Failover fenced through the coordination service (etcd), or not at all.
    pub fencing: bool,
    pub ack: AckChoice,
    /// Why the lab refused the last ack change.
    pub ack_refusal: Option<String>,
    pub on_action: Callback<Action>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let on_method = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(method) = MethodChoice::from_key(&select.value()) {
                on_action.emit(Action::SetMethod(method));
            }
        })
    };
    let on_fencing = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_action.emit(Action::SetFencing(select.value() == "etcd"));
        })
    };
    let on_ack = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            if let Some(ack) = AckChoice::from_key(&select.value()) {
                on_action.emit(Action::SetAck(ack));
            }
        })
    };
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
