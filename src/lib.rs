//! Replication Lab's core: a deterministic simulated world of nodes, a small database engine
//! per node, and (later) the replication protocols between them.
//!
//! Nothing in this crate knows about the browser: it never names yew, web_sys or gloo, never
//! reads the wall clock and never draws OS entropy. The UI in `src/ui/` (a part of the binary,
//! compiled only for wasm32) renders [`view::View`]s built from it.

pub mod engine;
pub mod json;
pub mod lab;
pub mod lesson;
pub mod replication;
pub mod sim;
pub mod small_map;
pub mod timeline;
pub mod view;
