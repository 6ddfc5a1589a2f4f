//! The caption over the diagram: one large line saying what the last visible moment did
//! (`Lab::caption`'s words). A polite live region, so a screen reader reads it when it
//! changes; its height is fixed, so the diagram under it never moves.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CaptionProps {
    pub text: String,
}

#[component]
pub fn Caption(props: &CaptionProps) -> Html {
    html! {
        <p class="caption" aria-live="polite" title={props.text.clone()}>{ &props.text }</p>
    }
}
