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

use history_load::{summary, Load, Mover, STEPS_IN_A_ROW};

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

/// The wasm linear memory in MB (it only grows: the high-water mark), where there is one.
fn memory_mb() -> Option<f64> {
    #[cfg(target_arch = "wasm32")]
    return Some(core::arch::wasm32::memory_size::<0>() as f64 * 65_536.0 / 1_048_576.0);
    #[cfg(not(target_arch = "wasm32"))]
    None
}

/// Prints a result line (the browser's console is where wasm-bindgen-test collects output).
fn report(line: &str) {
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::console_log!("history-browser: {line}");
    #[cfg(not(target_arch = "wasm32"))]
    println!("history-browser: {line}");
}

/// The history sizes measured: those of the host report in an optimized build, a small one
/// otherwise (a debug build computes far more slowly than the page). The wasm memory only
/// grows, so each size's figure is the high-water mark of it and the sizes before.
fn sizes() -> &'static [u64] {
    if cfg!(debug_assertions) {
        &[1_000]
    } else {
        &[10_000, 100_000, 1_000_000]
    }
}

/// Writes between two breaths, and moves between two breaths, in the browser.
const BATCH: u64 = 500;
const MOVES_BATCH: usize = 10;

/// The measurement. `breathe` lets the browser's event loop run between batches: the page
/// must answer ChromeDriver within 30 s, and computing 1M events takes longer than that.
async fn measure<F: core::future::Future<Output = ()>>(breathe: impl Fn() -> F) {
    for &events in sizes() {
        let started = clock::now_ms();
        let mut load = Load::new(events);
        while !load.step(BATCH) {
            breathe().await;
        }
        let mut loaded = load.finish();
        let computed = clock::now_ms() - started;
        let (processed, checkpoints) = (
            loaded.lab.world().events_processed(),
            loaded.lab.checkpoint_count(),
        );
        let count = if cfg!(debug_assertions) { 40 } else { 200 };
        let mut mover = Mover::new(&loaded);
        let (mut seeks, mut backs) = (Vec::new(), Vec::new());
        for i in 0..count {
            seeks.push(mover.seek(&mut loaded.lab, clock::now_ms));
            if i % MOVES_BATCH == 0 {
                breathe().await;
            }
        }
        for i in 0..count {
            backs.push(mover.step_back(&mut loaded.lab, clock::now_ms));
            if i % MOVES_BATCH == 0 {
                breathe().await;
            }
        }
        let mut in_a_row = Vec::new();
        for _ in 0..count.div_ceil(STEPS_IN_A_ROW) {
            in_a_row.extend(mover.step_backs_in_a_row(
                &mut loaded.lab,
                STEPS_IN_A_ROW,
                clock::now_ms,
            ));
            breathe().await;
        }
        let memory = memory_mb().map_or(String::new(), |mb| format!("; wasm memory {mb:.1} MB"));
        report(&format!(
            "{} events ({} writes, {:.1} virtual s): computed in {:.2} s; {} checkpoints{memory}",
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
        report(&format!(
            "  step back {STEPS_IN_A_ROW} times in a row from a random point: {}",
            summary(in_a_row)
        ));
    }
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn seeks_and_step_backs_in_a_long_history() {
    measure(breath::next_task).await;
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn seeks_and_step_backs_in_a_long_history() {
    // Nothing to breathe for on the host: every future here is ready at once.
    let future = core::pin::pin!(measure(|| core::future::ready(())));
    let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    assert!(core::future::Future::poll(future, &mut cx).is_ready());
}

/// Yielding to the browser's event loop: a future that resolves in a `setTimeout(0)` task.
#[cfg(target_arch = "wasm32")]
mod breath {
    use core::cell::Cell;
    use core::future::Future;
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::prelude::wasm_bindgen;
    use wasm_bindgen::JsValue;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = setTimeout)]
        fn set_timeout(callback: &JsValue, ms: i32) -> i32;
    }

    pub struct NextTask {
        done: Rc<Cell<bool>>,
        scheduled: bool,
    }

    pub fn next_task() -> NextTask {
        NextTask {
            done: Rc::new(Cell::new(false)),
            scheduled: false,
        }
    }

    impl Future for NextTask {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.done.get() {
                return Poll::Ready(());
            }
            if !self.scheduled {
                self.scheduled = true;
                let (done, waker) = (Rc::clone(&self.done), cx.waker().clone());
                let callback = Closure::once_into_js(move || {
                    done.set(true);
                    waker.wake();
                });
                set_timeout(&callback, 0);
            }
            Poll::Pending
        }
    }
}
