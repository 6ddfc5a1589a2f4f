//! The page's address: what it asks for at start-up (a link's state, embed mode, the dark
//! theme, the compact controls, the host origins the API takes) and the share bar that writes
//! the address back — "Copy link", "Copy embed snippet", and in an embed "Open full lab".
//!
//! Nothing here touches storage or cookies: in a sandboxed iframe they throw, and several
//! embeds on one page must not share anything. Reading and writing the state itself is the
//! core's (`lab::link`); this module knows the browser's location, clipboard and document.

use std::rc::Rc;

use replication_lab::lab::api::origin_of;
use replication_lab::lab::link::{embed_snippet, replay, LinkState, Params};
use replication_lab::lab::{Lab, LabSettings};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// What the page was opened with.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub params: Params,
    /// The origins whose messages the host API takes (see [`host_origins`]).
    pub origins: Rc<Vec<String>>,
}

/// Reads the page's address.
pub fn page() -> Page {
    let location = web_sys::window().map(|w| w.location());
    let part = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
        location
            .as_ref()
            .and_then(|l| f(l).ok())
            .unwrap_or_default()
    };
    let params = Params::parse(
        &part(web_sys::Location::search),
        &part(web_sys::Location::hash),
    );
    let origins = Rc::new(host_origins(&params));
    Page { params, origins }
}

/// The origins a host may drive the lab from: those given (`origin=`), else the embedding
/// page's (the nearest ancestor's origin, or the referrer's), else none.
fn host_origins(params: &Params) -> Vec<String> {
    if !params.origins.is_empty() {
        return params.origins.clone();
    }
    let Some(window) = web_sys::window() else {
        return Vec::new();
    };
    // `location.ancestorOrigins` (Chromium, Safari; not in web-sys's bindings).
    let ancestor = web_sys::js_sys::Reflect::get(&window.location(), &"ancestorOrigins".into())
        .ok()
        .and_then(|list| list.dyn_into::<web_sys::DomStringList>().ok())
        .and_then(|list| list.item(0))
        .filter(|origin| origin != "null");
    let referrer = || window.document().and_then(|d| origin_of(&d.referrer()));
    ancestor.or_else(referrer).into_iter().collect()
}

/// The lab the page opens: the link's, or the default one with the notice saying what was
/// wrong with the link.
pub fn open_lab(params: &Params) -> (Lab, Option<String>) {
    let Some(state) = params.state.as_deref() else {
        return (Lab::new(LabSettings::default()), None);
    };
    match LinkState::decode(state).and_then(|state| replay(&state)) {
        Ok(lab) => (lab, None),
        Err(why) => (
            Lab::new(LabSettings::default()),
            Some(format!(
                "This link could not be opened ({why}), so the lab starts afresh."
            )),
        ),
    }
}

/// Sets the root's theme (`data-theme="dark"`), whose colours the stylesheet defines.
pub fn apply_theme(params: &Params) {
    if !params.dark {
        return;
    }
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element());
    if let Some(root) = root {
        let _ = root.set_attribute("data-theme", "dark");
    }
}

/// This page's address without query or fragment: where links point.
fn base_url() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_default();
    format!("{origin}{path}")
}

/// The full lab showing what the address parameters `params` name (`state=…`, or
/// `lesson=…&step=…`).
pub fn full_lab_url(params: &str) -> String {
    format!("{}#{params}", base_url())
}

/// An embed showing what `params` name.
fn embed_url(params: &str) -> String {
    format!("{}?embed=1#{params}", base_url())
}

#[derive(Properties, PartialEq)]
pub struct ShareProps {
    pub embed: bool,
    /// The address parameters of what the page shows now (`state=…` or
    /// `lesson=…&step=…`), or why it has none.
    pub state: Callback<(), Result<String, String>>,
}

/// What the share bar last wrote, shown in a field to select when the clipboard says no.
#[derive(Clone, Debug, PartialEq)]
struct Written {
    what: &'static str,
    text: String,
}

/// The share bar: copy this moment as a link or as an embed snippet; in an embed, open it
/// in the full lab.
#[component]
pub fn Share(props: &ShareProps) -> Html {
    let written = use_state(|| None::<Result<Written, String>>);
    let status = use_state(String::new);
    let field = use_node_ref();

    // After the field shows what was written: select it and try the clipboard.
    {
        let (field, status) = (field.clone(), status.clone());
        use_effect_with((*written).clone(), move |written| {
            if let (Some(Ok(written)), Some(input)) =
                (written, field.cast::<web_sys::HtmlInputElement>())
            {
                input.select();
                copy(&written.text, written.what, status);
            }
        });
    }

    let write = |what: &'static str, make: fn(&str) -> String| {
        let (state, written) = (props.state.clone(), written.clone());
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            status.set(String::new());
            written.set(Some(state.emit(()).map(|state| Written {
                what,
                text: make(&state),
            })));
        })
    };
    let open_full = {
        let state = props.state.clone();
        Callback::from(move |event: MouseEvent| {
            // The address of this moment, written when followed.
            let anchor = event
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
            if let (Some(anchor), Ok(state)) = (anchor, state.emit(())) {
                let _ = anchor.set_attribute("href", &full_lab_url(&state));
            }
        })
    };

    html! {
        <div class="share">
            if props.embed {
                <a class="share-open" href={base_url()} target="_blank" rel="noopener"
                    onclick={open_full}>{ "Open full lab ↗" }</a>
            } else {
                <button type="button" class="share-button" onclick={write("link", full_lab_url)}>
                    { "Copy link" }
                </button>
                <button type="button" class="share-button"
                    onclick={write("embed snippet", |state| embed_snippet(&embed_url(state)))}>
                    { "Copy embed snippet" }
                </button>
            }
            {
                match &*written {
                    Some(Ok(written)) => html! {
                        <span class="share-out">
                            <input ref={field} class="share-field" readonly=true value={written.text.clone()}
                                aria-label={format!("The {}", written.what)} />
                            <span class="share-status" role="status">{ (*status).clone() }</span>
                        </span>
                    },
                    Some(Err(why)) => html! {
                        <span class="share-status" role="status">{ why.clone() }</span>
                    },
                    None => html! {},
                }
            }
        </div>
    }
}

/// Puts `text` on the clipboard; says whether it did, or to copy the selected field.
fn copy(text: &str, what: &'static str, status: UseStateHandle<String>) {
    let fallback = format!("The {what} is selected: press Ctrl+C (⌘C) to copy it.");
    let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) else {
        status.set(fallback);
        return;
    };
    let done = status.clone();
    let copied = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        done.set(format!("The {what} is copied."))
    });
    // A refusal (a sandboxed frame, no permission) is answered, never left uncaught.
    let refused =
        Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| status.set(fallback.clone()));
    let _ = clipboard.write_text(text).then2(&copied, &refused);
    // Called once by the promise, after this returns: left to the page (two per click).
    copied.forget();
    refused.forget();
}
