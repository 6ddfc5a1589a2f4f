//! The size an element is drawn at, in CSS pixels, measured after it is mounted and again
//! whenever the window is resized (which is what changes the page's layout).

use gloo::events::EventListener;
use yew::prelude::*;

fn measure(node: &NodeRef) -> Option<(f64, f64)> {
    let element = node.cast::<web_sys::Element>()?;
    let size = (
        element.client_width() as f64,
        element.client_height() as f64,
    );
    (size.0 > 0.0 && size.1 > 0.0).then_some(size)
}

/// `(width, height)` of the element behind `node`; `None` until it is laid out.
#[hook]
pub fn use_element_size(node: NodeRef) -> Option<(f64, f64)> {
    let size = use_state_eq(|| None);
    {
        let size = size.setter();
        use_effect_with(node, move |node| {
            size.set(measure(node));
            let node = node.clone();
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "resize", move |_| size.set(measure(&node)))
            });
            move || drop(listener)
        });
    }
    *size
}
