//! The browser UI: Yew function components that draw a [`View`](replication_lab::view::View)
//! of the core and send user actions back to it. Compiled only for wasm32.
//!
//! The UI keeps no simulation state of its own: its state is a plain-data reducer
//! ([`state`]); the core's [`Lab`](replication_lab::lab::Lab) is held beside it ([`driver`]),
//! which runs the user's intents and dispatches what the lab shows afterwards. Every
//! component draws from the shared view it is given and sends back only what it is for.
//! The UI names only `replication_lab::lab` and `replication_lab::view`.
//! Browser plumbing that knows nothing of the lab (animation frames, visibility, reduced
//! motion, document keys) lives in [`hooks`].

mod app;
mod caption;
mod checks;
mod cluster;
mod conflicts;
mod console;
mod driver;
mod embed;
mod event_log;
mod export;
mod header;
mod hooks;
mod host_api;
mod inspector;
mod legend;
mod lesson_keys;
mod lesson_panel;
mod message;
mod multi_settings;
mod node;
mod node_actions;
mod prompt;
mod routing;
mod rows;
mod state;
mod timeline_marks;
mod transport;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
