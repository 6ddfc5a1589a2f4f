//! The browser entry point. The UI exists only on wasm32; on the host this binary just says so.

#[cfg(target_arch = "wasm32")]
mod ui;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    println!("Replication Lab runs in the browser: see README.md (`make serve`).");
}
