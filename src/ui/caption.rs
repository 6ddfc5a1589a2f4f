//! The caption over the diagram: one large line saying what the last visible moment did
//! (`Lab::caption`'s words). A polite live region, so a screen reader reads it when it
//! changes; its height is fixed, so the diagram under it never moves. A plain function, not a
//! component: it has no state, and a component's machinery costs the page kilobytes.

use yew::prelude::*;

pub fn caption(text: &str) -> Html {
    html! {
        <p class="caption" aria-live="polite">{ text }</p>
    }
}
