//! What the browser tells about the reader: whether the page is visible, and whether they
//! asked for reduced motion. Both follow changes live.

use gloo::events::EventListener;
use yew::prelude::*;

const REDUCED_MOTION_QUERY: &str = "(prefers-reduced-motion: reduce)";

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|window| window.document())
}

fn page_visible_now() -> bool {
    document().is_none_or(|document| !document.hidden())
}

/// True while the page is visible (not a background tab, not a minimised window).
#[hook]
pub fn use_page_visible() -> bool {
    let visible = use_state_eq(page_visible_now);
    {
        let visible = visible.setter();
        use_effect_with((), move |_| {
            let listener = document().map(|document| {
                EventListener::new(&document, "visibilitychange", move |_| {
                    visible.set(page_visible_now());
                })
            });
            move || drop(listener)
        });
    }
    *visible
}

fn reduced_motion_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window().and_then(|window| window.match_media(REDUCED_MOTION_QUERY).ok().flatten())
}

/// True when the reader asked the system for reduced motion.
#[hook]
pub fn use_reduced_motion() -> bool {
    let reduced = use_state_eq(|| reduced_motion_query().is_some_and(|query| query.matches()));
    {
        let reduced = reduced.setter();
        use_effect_with((), move |_| {
            let listener = reduced_motion_query().map(|query| {
                let watched = query.clone();
                EventListener::new(&query, "change", move |_| reduced.set(watched.matches()))
            });
            move || drop(listener)
        });
    }
    *reduced
}
