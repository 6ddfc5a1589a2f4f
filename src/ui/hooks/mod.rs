//! Reusable Yew hooks that talk to the browser: animation frames, page visibility, the
//! reduced-motion preference, document-wide keys, an element's size on screen.
//!
//! They know the DOM and nothing of the lab: no `Lab`, no `View`, no UI actions. What to do on
//! a frame or a key is the caller's business.

mod animation_frame;
mod element_size;
mod keyboard;
mod preferences;

pub use animation_frame::use_animation_frame;
pub use element_size::use_element_size;
pub use keyboard::{is_typing_target, use_document_keydown, use_document_keydown_first};
pub use preferences::use_reduced_motion;
