//! The event log: what happened, in sentences, newest first; the important ones (a crash, a
//! failover, an error) marked with a sign and bold text. A polite live region next to it reads
//! out what the reducer announces — the events since the last announcement, when the user
//! steps, pauses or acts; never while playing, where it would be a flood.

use std::rc::Rc;

use replication_lab::lab::narrate::EventLine;
use replication_lab::view::format_time;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    pub events: Rc<Vec<EventLine>>,
    pub announcement: String,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    html! {
        <section class="event-log" aria-label="Event log">
            <p class="visually-hidden" role="status" aria-live="polite">{ props.announcement.clone() }</p>
            <details open=true>
                <summary>
                    <span class="control-label">{ "Event log" }</span>
                    <span class="event-count">{ format!(" newest first · {} shown", props.events.len()) }</span>
                </summary>
                if props.events.is_empty() {
                    <p class="hint">{ "Nothing has happened yet: run a statement, then press Play or Step." }</p>
                } else {
                    // Scrolls: focusable, so the keyboard can scroll it too.
                    <ol class="events" reversed=true tabindex="0" aria-label="Events, newest first">
                        for event in props.events.iter().rev() {
                            <li class={classes!("event", event.important.then_some("important"))}>
                                <time class="event-time">{ format_time(event.time) }</time>
                                if event.important {
                                    <strong class="event-text"><span class="event-mark" aria-hidden="true">{ "! " }</span>{ event.text.clone() }</strong>
                                } else {
                                    <span class="event-text">{ event.text.clone() }</span>
                                }
                            </li>
                        }
                    </ol>
                }
            </details>
        </section>
    }
}
