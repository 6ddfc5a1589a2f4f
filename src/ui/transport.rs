//! The transport bar: the virtual clock (play, step and the timeline arrive with the time model).

use replication_lab::view::{format_time, Micros};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub time: Micros,
}

#[component]
pub fn Transport(props: &TransportProps) -> Html {
    html! {
        <footer class="transport" aria-label="Time">
            <span class="clock">{ "t = " }<output aria-live="off">{ format_time(props.time) }</output></span>
        </footer>
    }
}
