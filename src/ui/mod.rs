//! The browser UI: Yew function components that draw a [`View`](replication_lab::view::View)
//! of the core and send user actions back to it. Compiled only for wasm32.
//!
//! The UI keeps no simulation state of its own: its state is a reducer ([`state`]) over the
//! core's [`Lab`](replication_lab::lab::Lab); every component draws from the view it is given.
//! Browser plumbing that knows nothing of the lab (animation frames, visibility, reduced
//! motion, document keys) lives in [`hooks`].

mod app;
mod checks;
mod choices;
mod cluster;
mod console;
mod event_log;
mod header;
mod hooks;
mod inspector;
mod node;
mod node_actions;
mod rows;
mod state;
mod transport;

/// Mounts the app on the page's `<body>`.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
