//! `use_animation_frame`: calls back once per displayed frame with the real milliseconds since
//! the previous frame, only while asked to and only while the page is visible.
//!
//! Nothing runs while inactive or hidden (no timers, no frames), so an idle or backgrounded
//! tab costs nothing — classroom laptops stay cool. The first frame after (re)starting reports
//! zero elapsed time, so returning to the tab never jumps by the time spent away; a stalled
//! frame (a debugger, a busy laptop) reports at most [`MAX_FRAME_MS`].

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

use super::preferences::use_page_visible;

/// The most real time one frame may report, in milliseconds.
pub const MAX_FRAME_MS: f64 = 100.0;

/// Calls `on_frame(elapsed_ms)` every animation frame while `active` and the page is visible.
#[hook]
pub fn use_animation_frame(active: bool, on_frame: Callback<f64>) {
    let visible = use_page_visible();
    let running = active && visible;
    // The loop reads the newest callback, so a new callback does not restart the loop.
    let latest = use_mut_ref(|| on_frame.clone());
    if let Ok(mut slot) = latest.try_borrow_mut() {
        *slot = on_frame;
    }
    use_effect_with(running, move |&running| {
        let frame_loop = FrameLoop {
            pending: Rc::new(RefCell::new(None)),
            alive: Rc::new(Cell::new(running)),
            on_frame: latest,
        };
        if running {
            frame_loop.schedule(None);
        }
        move || frame_loop.stop()
    });
}

/// One run of frames, from start to stop.
#[derive(Clone)]
struct FrameLoop {
    /// The frame requested next; dropping it cancels it.
    pending: Rc<RefCell<Option<AnimationFrame>>>,
    /// False once stopped: a frame that is already running must not request another.
    alive: Rc<Cell<bool>>,
    on_frame: Rc<RefCell<Callback<f64>>>,
}

impl FrameLoop {
    fn schedule(&self, previous: Option<f64>) {
        if !self.alive.get() {
            return;
        }
        let this = self.clone();
        let handle = request_animation_frame(move |now| {
            let elapsed = previous.map_or(0.0, |p| (now - p).clamp(0.0, MAX_FRAME_MS));
            // Clone out first: the callback may re-render and replace the stored callback.
            let on_frame = this.on_frame.borrow().clone();
            on_frame.emit(elapsed);
            this.schedule(Some(now));
        });
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            *pending = Some(handle);
        }
    }

    fn stop(&self) {
        self.alive.set(false);
        // Dropping the handle cancels the frame and breaks the loop's reference cycle.
        if let Ok(mut pending) = self.pending.try_borrow_mut() {
            pending.take();
        }
    }
}
