//! The header: the lab's name and the places of its main controls (lesson, replication
//! method, acknowledgement level). Controls whose core is not built yet are shown disabled
//! and say so, rather than pretending to work.

use yew::prelude::*;

const METHODS: [&str; 4] = ["Statement", "WAL", "Logical", "Trigger"];
const ACKS: [&str; 5] = ["async", "semi-sync", "remote_write", "on", "remote_apply"];
const NOT_YET: &str = "Arrives with the replication core";

#[component]
pub fn Header() -> Html {
    html! {
        <header class="header">
            <h1 class="title">{ "Replication Lab" }</h1>
            <label class="control">
                <span class="control-label">{ "Lesson" }</span>
                <select disabled=true title={NOT_YET}>
                    <option>{ "Free play" }</option>
                </select>
            </label>
            <ChoiceGroup legend="Method" choices={&METHODS[..]} chosen="WAL" />
            <ChoiceGroup legend="Ack" choices={&ACKS[..]} chosen="async" />
        </header>
    }
}

#[derive(Properties, PartialEq)]
struct ChoiceGroupProps {
    legend: &'static str,
    choices: &'static [&'static str],
    chosen: &'static str,
}

/// A labelled group of radio buttons, shown but disabled until its setting exists.
#[component]
fn ChoiceGroup(props: &ChoiceGroupProps) -> Html {
    html! {
        <fieldset class="choice-group" disabled=true title={NOT_YET}>
            <legend class="control-label">{ props.legend }</legend>
            for choice in props.choices.iter() {
                <label class="choice">
                    <input type="radio" name={props.legend} value={*choice}
                        checked={*choice == props.chosen} />
                    { *choice }
                </label>
            }
        </fieldset>
    }
}
