//! The transport bar: the controls of virtual time. To the start, step back, play/pause, step
//! (to the next visible change; Shift+arrows step one event), the speed (saying so when playing
//! slows down while a statement's messages travel), the clock readout,
//! the timeline slider, and the keyboard shortcuts (listed on screen).
//!
//! It draws what it is given and sends [`TimeControl`]s; it knows nothing of the lab or the
//! world.
//! Every control is a real `<button>` or `<input>` with visible text, reachable by keyboard.

use replication_lab::lab::controls::{shortcut, Speed, TimeControl};
use replication_lab::view::{format_time, Micros};
use yew::prelude::*;

use super::hooks::{is_typing_target, use_document_keydown};
use super::timeline_marks::timeline_marks;

#[derive(Properties, PartialEq)]
pub struct TransportProps {
    pub time: Micros,
    /// The end of the slider.
    pub horizon: Micros,
    pub playing: bool,
    pub speed: Speed,
    /// Playing moves in jumps (the reader prefers reduced motion).
    pub reduced_motion: bool,
    /// Playing is slowed down now, so that a statement's messages are seen.
    pub slowed: bool,
    pub on_control: Callback<TimeControl>,
    /// The slider's marks.
    pub marks: std::rc::Rc<Vec<replication_lab::lab::marks::Mark>>,
}

#[component]
pub fn Transport(props: &TransportProps) -> Html {
    {
        let on_control = props.on_control.clone();
        use_document_keydown(Callback::from(move |event: KeyboardEvent| {
            if event.ctrl_key() || event.alt_key() || event.meta_key() || is_typing_target(&event) {
                return;
            }
            if let Some(control) = shortcut(&event.key(), event.shift_key()) {
                // Space would scroll the page, arrows too.
                event.prevent_default();
                on_control.emit(control);
            }
        }));
    }
    let send = |control: TimeControl| props.on_control.reform(move |_: MouseEvent| control);

    html! {
        <section class="transport" aria-label="Time controls">
            <div class="transport-row">
                <div class="transport-buttons" role="group" aria-label="Playback">
                    <TransportButton icon={Icon::ToStart} text="Start" onclick={send(TimeControl::ToStart)} />
                    <TransportButton icon={Icon::StepBack} text="Step back" onclick={send(TimeControl::StepBack)} />
                    <PlayPauseButton playing={props.playing}
                        onclick={send(if props.playing { TimeControl::Pause } else { TimeControl::Play })} />
                    <TransportButton icon={Icon::Step} text="Step" icon_after=true onclick={send(TimeControl::Step)} />
                </div>
                <SpeedPicker speed={props.speed} slowed={props.slowed} on_control={props.on_control.clone()} />
                <Clock time={props.time} />
            </div>
            <div class="transport-row">
                <TimelineSlider time={props.time} horizon={props.horizon} on_control={props.on_control.clone()} marks={props.marks.clone()} />
                <ShortcutHelp reduced_motion={props.reduced_motion} />
            </div>
        </section>
    }
}

/// The symbols on the buttons, drawn as SVG: symbol fonts for media glyphs are missing on
/// many classroom machines (they show as empty boxes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Icon {
    ToStart,
    StepBack,
    Play,
    Pause,
    Step,
}

impl Icon {
    /// The shapes, on a 16 x 16 grid.
    fn shapes(self) -> Html {
        match self {
            Icon::ToStart => html! { <>
                <rect x="2" y="3" width="2.5" height="10" />
                <polygon points="14,3 14,13 5.5,8" />
            </> },
            Icon::StepBack => html! { <>
                <polygon points="11,3 11,13 3,8" />
                <rect x="12" y="3" width="2" height="10" />
            </> },
            Icon::Play => html! { <polygon points="4,2.5 4,13.5 13.5,8" /> },
            Icon::Pause => html! { <>
                <rect x="3.5" y="3" width="3.2" height="10" />
                <rect x="9.3" y="3" width="3.2" height="10" />
            </> },
            Icon::Step => html! { <>
                <rect x="2" y="3" width="2" height="10" />
                <polygon points="5,3 5,13 13,8" />
            </> },
        }
    }
}

/// A button symbol; hidden from screen readers, which read the button's word.
fn icon(icon: Icon) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            { icon.shapes() }
        </svg>
    }
}

#[derive(Properties, PartialEq)]
struct TransportButtonProps {
    icon: Icon,
    text: &'static str,
    #[prop_or_default]
    icon_after: bool,
    onclick: Callback<MouseEvent>,
}

/// A button with a symbol and a visible word.
#[component]
fn TransportButton(props: &TransportButtonProps) -> Html {
    html! {
        <button type="button" class="transport-button" onclick={props.onclick.clone()}>
            if !props.icon_after { { icon(props.icon) } }
            <span class="button-text">{ props.text }</span>
            if props.icon_after { { icon(props.icon) } }
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct PlayPauseButtonProps {
    playing: bool,
    onclick: Callback<MouseEvent>,
}

/// Play or pause: its word says what pressing it does.
#[component]
fn PlayPauseButton(props: &PlayPauseButtonProps) -> Html {
    let (symbol, text) = if props.playing {
        (Icon::Pause, "Pause")
    } else {
        (Icon::Play, "Play")
    };
    html! {
        <button type="button" class={classes!("transport-button", "play-pause", props.playing.then_some("playing"))}
            onclick={props.onclick.clone()}>
            { icon(symbol) }
            <span class="button-text">{ text }</span>
        </button>
    }
}

#[derive(Properties, PartialEq)]
struct SpeedPickerProps {
    speed: Speed,
    slowed: bool,
    on_control: Callback<TimeControl>,
}

/// The speed ladder as radio buttons (arrow keys move between them), with what one real
/// second shows at the chosen speed, and a note while playing is slowed down for a
/// statement's messages.
#[component]
fn SpeedPicker(props: &SpeedPickerProps) -> Html {
    html! {
        <fieldset class="speed-picker">
            <legend class="control-label">{ "Speed" }</legend>
            for speed in Speed::LADDER {
                <label class={classes!("speed-choice", (speed == props.speed).then_some("chosen"))}>
                    <input type="radio" name="speed" value={speed.label()}
                        checked={speed == props.speed}
                        onchange={props.on_control.reform(move |_: Event| TimeControl::SetSpeed(speed))} />
                    { speed.label() }
                </label>
            }
            <span class="speed-explanation">{ props.speed.explanation() }</span>
            if props.slowed {
                <span class="slowed" role="status">{ "slowed to show messages" }</span>
            }
        </fieldset>
    }
}

#[derive(Properties, PartialEq)]
struct ClockProps {
    time: Micros,
}

/// The virtual time: `t = 10.450 s`. Not announced on every frame (it changes 60 times a
/// second while playing); screen readers read it on demand.
#[component]
fn Clock(props: &ClockProps) -> Html {
    html! {
        <span class="clock">
            { "t = " }
            <output class="clock-time" aria-live="off" aria-label="Virtual time">{ format_time(props.time) }</output>
        </span>
    }
}

#[derive(Properties, PartialEq)]
struct ShortcutHelpProps {
    reduced_motion: bool,
}

/// The keyboard shortcuts, always visible (no tooltip to discover).
#[component]
fn ShortcutHelp(props: &ShortcutHelpProps) -> Html {
    html! {
        <p class="shortcut-help" aria-label="Keyboard shortcuts">
            <span><kbd>{ "Space" }</kbd>{ " play/pause" }</span>
            <span><kbd>{ "←" }</kbd>{ " " }<kbd>{ "→" }</kbd>{ " step to the next change" }</span>
            <span><kbd>{ "Shift+← →" }</kbd>{ " one event" }</span>
            <span><kbd>{ "Home" }</kbd>{ " start" }</span>
            if props.reduced_motion {
                <span class="reduced-motion-note">{ "Reduced motion: playing jumps once a second" }</span>
            }
        </p>
    }
}

#[derive(Properties, PartialEq)]
struct TimelineSliderProps {
    time: Micros,
    horizon: Micros,
    on_control: Callback<TimeControl>,
    marks: std::rc::Rc<Vec<replication_lab::lab::marks::Mark>>,
}

/// The timeline from the start to the furthest time computed; dragging it seeks.
#[component]
fn TimelineSlider(props: &TimelineSliderProps) -> Html {
    let oninput = {
        let on_control = props.on_control.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            // The browser clamps the value to [min, max] and, with integer bounds and step,
            // writes an integer. Parsing it as an integer also keeps the float parser (17 KB of
            // wasm) out of the page. Anything unreadable is ignored.
            if let Ok(t) = input.value().parse::<Micros>() {
                on_control.emit(TimeControl::Seek(t));
            }
        })
    };
    let horizon = props.horizon.max(props.time).max(1);
    html! {
        <div class="timeline">
            <label for="timeline-slider" class="control-label">{ "Timeline" }</label>
            <span class="timeline-end" aria-hidden="true">{ format_time(0) }</span>
            { timeline_marks(&props.marks, horizon, &props.on_control, html! {
            <input id="timeline-slider" class="timeline-slider" type="range"
                min="0" max={horizon.to_string()} step="1"
                value={props.time.to_string()}
                aria-valuetext={format!("t = {}", format_time(props.time))}
                oninput={oninput} />
            }) }
            <span class="timeline-end" aria-hidden="true">{ format_time(horizon) }</span>
        </div>
    }
}
