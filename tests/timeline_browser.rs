//! The history benchmark's seeks and step backs in headless Chromium: the same load and moves
//! as `examples/history.rs` (see `tests/support/history_load.rs`), timed with
//! `performance.now()`, printed as `history-browser:` lines.
//!
//! In the browser it needs the release build (a debug wasm build is far slower than the page):
//! `scripts/bench-browser.sh` runs it and writes `target/history-browser-report.txt`. On the
//! host, and in the ordinary wasm test run, a small history keeps it quick; there it checks
//! only that every move lands where it should.

#[path = "support/history_load.rs"]
mod history_load;

use history_load::{load, moves, summary};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg(target_arch = "wasm32")]
mod clock {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        /// `performance.now()`: milliseconds, with sub-millisecond resolution.
        #[wasm_bindgen(js_namespace = performance, js_name = now)]
        fn performance_now() -> f64;
    }

    pub fn now_ms() -> f64 {
        performance_now()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod clock {
    use std::sync::OnceLock;
    use std::time::Instant;

    pub fn now_ms() -> f64 {
        static START: OnceLock<Instant> = OnceLock::new();
        START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1e3
    }
}

/// Prints a result line (the browser's console is where wasm-bindgen-test collects output).
fn report(line: &str) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("history-browser: {line}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("history-browser: {line}");
}

/// The history sizes measured: 100k events (issue 8's goal) in an optimized build, a small
/// one otherwise (a debug build computes far more slowly than the page).
fn sizes() -> &'static [u64] {
    if cfg!(debug_assertions) {
        &[1_000]
    } else {
        &[10_000, 100_000]
    }
}

#[test]
fn seeks_and_step_backs_in_a_long_history() {
    for &events in sizes() {
        let started = clock::now_ms();
        let mut loaded = load(events);
        let computed = clock::now_ms() - started;
        let (processed, checkpoints) = (
            loaded.lab.world().events_processed(),
            loaded.lab.checkpoint_count(),
        );
        let count = if cfg!(debug_assertions) { 40 } else { 200 };
        let (seeks, backs) = moves(&mut loaded, count, clock::now_ms);
        report(&format!(
            "{} events ({} writes, {:.1} virtual s): computed in {:.2} s; {} checkpoints",
            processed,
            loaded.writes,
            loaded.end as f64 / 1e6,
            computed / 1e3,
            checkpoints
        ));
        report(&format!("  seek to a random point: {}", summary(seeks)));
        report(&format!(
            "  step back from a random point: {}",
            summary(backs)
        ));
    }
}
