//! The marks along the timeline slider: what you did (a filled triangle), what you did that is
//! still to come (a hollow one), inputs refused when their time came (a hollow square), checks firing
//! (a diamond) above the track; commits (a tick) and role changes (a dot) below it. Shape and
//! place say the kind, not colour alone; each mark's title says what and when, and clicking
//! one seeks to it. It wraps the slider so the marks line up with its track.
//!
//! It draws the marks it is given ([`Lab::marks`](replication_lab::lab::Lab::marks), bounded)
//! and sends seeks; it knows nothing of the lab.

use replication_lab::lab::controls::TimeControl;
use replication_lab::lab::marks::{Mark, MarkKind};
use replication_lab::view::{format_time, Micros};
use yew::prelude::*;

/// A mark's class and the words its title starts with.
fn kind(kind: MarkKind) -> (&'static str, &'static str) {
    match kind {
        MarkKind::Commit => ("mark-commit", "commit"),
        MarkKind::Role => ("mark-role", "role change"),
        MarkKind::Action => ("mark-action", "you did"),
        MarkKind::Queued => ("mark-queued", "still to come"),
        MarkKind::Refused => ("mark-refused", "refused"),
        MarkKind::Check => ("mark-check", "check fired"),
    }
}

/// The `slider` (from the start to `horizon`) with `marks` along it; a click on one seeks
/// there. A plain function, not a component: it is redrawn with the transport.
pub fn timeline_marks(
    marks: &[Mark],
    horizon: Micros,
    on_control: &Callback<TimeControl>,
    slider: Html,
) -> Html {
    let end = horizon.max(1);
    html! {
        <div class="timeline-track">
            { slider }
            <div class="marks">
                for mark in marks {
                    { one(mark, end, on_control) }
                }
            </div>
        </div>
    }
}

fn one(mark: &Mark, end: Micros, on_control: &Callback<TimeControl>) -> Html {
    let (class, what) = kind(mark.kind);
    // Hundredths of a percent, in integers (no float formatting in the page).
    let at = mark.time.min(end).saturating_mul(10_000) / end;
    let more = if mark.count > 1 {
        format!(" (and {} more)", mark.count - 1)
    } else {
        String::new()
    };
    let title = format!("{} {what}: {}{more}", format_time(mark.time), mark.label);
    let time = mark.time;
    html! {
        <Placed left={format!("{}.{:02}%", at / 100, at % 100)} class={classes!("mark", class)}
            {title} onclick={on_control.reform(move |_: MouseEvent| TimeControl::Seek(time))} />
    }
}

#[derive(Properties, PartialEq)]
struct PlacedProps {
    left: String,
    class: Classes,
    title: String,
    onclick: Callback<MouseEvent>,
}

/// A mark's button, placed through its style property rather than a `style` attribute: a
/// strict Content Security Policy (no 'unsafe-inline' styles) blocks the attribute.
#[component]
fn Placed(props: &PlacedProps) -> Html {
    let button = use_node_ref();
    {
        let button = button.clone();
        use_effect_with(props.left.clone(), move |left| {
            if let Some(button) = button.cast::<web_sys::HtmlElement>() {
                let _ = button.style().set_property("left", left);
            }
        });
    }
    html! {
        <button ref={button} type="button" tabindex="-1" class={props.class.clone()}
            title={props.title.clone()} onclick={props.onclick.clone()} />
    }
}
