//! Document-wide keys, for shortcuts that work wherever focus is — except where the focused
//! element already gives the key a meaning of its own (see [`is_typing_target`]).

use gloo::events::{EventListener, EventListenerOptions, EventListenerPhase};
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `on_key` for every `keydown` on the document while the component is mounted.
#[hook]
pub fn use_document_keydown(on_key: Callback<KeyboardEvent>) {
    use_listen(on_key, EventListenerPhase::Bubble);
}

/// [`use_document_keydown`], called before the other listeners (in the capture phase): the
/// presenter's keys, which take Space from the transport while a lesson is open (their
/// handler stops the keys it takes). Only while the page has focus: an embed's keys belong
/// to the lab only when it is focused.
#[hook]
pub fn use_document_keydown_first(on_key: Callback<KeyboardEvent>) {
    use_listen(on_key, EventListenerPhase::Capture);
}

#[hook]
fn use_listen(on_key: Callback<KeyboardEvent>, phase: EventListenerPhase) {
    let latest = use_mut_ref(|| on_key.clone());
    if let Ok(mut slot) = latest.try_borrow_mut() {
        *slot = on_key;
    }
    use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|window| window.document());
        let listener = document.map(|document| {
            // Not passive: shortcut handlers stop Space from scrolling the page.
            let options = EventListenerOptions {
                phase,
                passive: false,
            };
            let focused = document.clone();
            EventListener::new_with_options(&document, "keydown", options, move |event| {
                let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                    return;
                };
                // Keys go to the lab only while it has focus (in an embed, the host page's
                // shortcuts stay the host's).
                if focused.has_focus() == Ok(false) {
                    return;
                }
                let on_key = latest.borrow().clone();
                on_key.emit(event.clone());
            })
        });
        move || drop(listener)
    });
}

/// Whether `key` pressed in `event`'s target belongs to that element rather than to a page
/// shortcut: any key in a text field, select or editable content; Space and Enter on buttons
/// (they press them); arrows, Home and End on sliders, radio buttons and tabs (they move them).
pub fn is_typing_target(event: &KeyboardEvent) -> bool {
    let Some(element) = event
        .target()
        .and_then(|target| target.dyn_into::<web_sys::Element>().ok())
    else {
        return false;
    };
    let key = event.key();
    let tag = element.tag_name().to_ascii_lowercase();
    let kind = element.get_attribute("type").unwrap_or_default();
    let role = element.get_attribute("role").unwrap_or_default();
    let editable = element
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(|html| html.is_content_editable());
    let activates = key == " " || key == "Enter";
    let moves = matches!(
        key.as_str(),
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End"
    );
    if role == "tab" {
        return moves || activates;
    }
    match tag.as_str() {
        "textarea" | "select" => true,
        "input" => match kind.as_str() {
            "range" | "radio" => moves || activates,
            "checkbox" | "button" | "submit" | "reset" => activates,
            _ => true, // text, number, search...: every key types
        },
        "button" | "summary" | "a" => activates,
        _ if editable => true,
        _ => role == "button" && activates,
    }
}
