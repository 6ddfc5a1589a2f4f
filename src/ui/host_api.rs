//! The host API in the browser: a page embedding the lab drives it with `postMessage` and
//! hears back (docs/embed-api.md). Messages come in on the window's `message` event; those
//! for the lab from an accepted origin run one intent on the [`Driver`] — as a person's click
//! would — and are answered at their source with the request's id; after every change the
//! lab pushes an update (time, playing, new events) to the host.
//!
//! What a message means and how replies read is the core's (`lab::api`); this module knows
//! the window, the message events and the driver, and nothing of how anything is drawn.

use std::cell::RefCell;
use std::rc::Rc;

use gloo::events::EventListener;
use replication_lab::lab::api::{self, Id, Request};
use replication_lab::lab::controls::TimeControl;
use replication_lab::lab::link::{replay, LinkState, Params};
use replication_lab::lab::narrate::EventLine;
use replication_lab::view::Micros;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::js_sys::JSON;
use yew::prelude::*;

use super::driver::Driver;
use super::lesson_panel::LessonIntent;
use super::state::{Action, UiState};

/// Where updates go: the host's window and its origin.
type Host = Rc<RefCell<Option<(web_sys::Window, String)>>>;

/// Listens for a host's messages while the app is mounted, and pushes updates to it.
#[hook]
pub fn use_host_api(
    driver: Rc<Driver>,
    state: UseReducerHandle<UiState>,
    accepted: Rc<Vec<String>>,
) {
    let latest = use_mut_ref(|| state.clone());
    if let Ok(mut slot) = latest.try_borrow_mut() {
        *slot = state.clone();
    }
    let host: Host = (*use_memo((), |_| Rc::new(RefCell::new(default_host(&accepted))))).clone();
    let step = lesson_step(&driver);

    {
        let host = host.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "message", move |event| {
                    let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
                        return;
                    };
                    let origin = event.origin();
                    // Another origin's messages are not answered: it learns nothing.
                    if !api::accepts(&accepted, &origin) {
                        return;
                    }
                    let Some(incoming) = json_of(&event.data()).as_deref().and_then(api::parse)
                    else {
                        return;
                    };
                    // Another origin's window: a proxy that is no `instanceof Window` here,
                    // but takes `postMessage`.
                    let Some(source) = event
                        .source()
                        .map(|s| s.unchecked_into::<web_sys::Window>())
                    else {
                        return;
                    };
                    let ui = latest.borrow().clone();
                    let reply = match incoming.request {
                        Ok(request) => answer(&driver, &ui, request, &incoming.id),
                        Err(why) => api::reply_error(&incoming.id, &why),
                    };
                    post(&source, &reply, &origin);
                    *host.borrow_mut() = Some((source, origin));
                })
            });
            move || drop(listener)
        });
    }

    // Updates: after every change of time, playing or events.
    let told = use_mut_ref(Told::default);
    let time = state.view.time;
    let newest = state
        .details
        .events
        .last()
        .map(|e| (e.time, e.text.clone()));
    let details = state.details.clone();
    use_effect_with(
        (time, state.playing, newest, step),
        move |(time, playing, _, step)| {
            let new = told.borrow_mut().news(*time, &details.events);
            if let Some((window, origin)) = host.borrow().as_ref() {
                post(window, &api::update(*time, *playing, *step, &new), origin);
            }
        },
    );
}

/// The events the host was told of, so each is told once; a move back in time forgets
/// those after it (they may happen again, or not).
#[derive(Default)]
struct Told {
    /// At most the events shown (a list: a `BTreeSet` costs kilobytes of wasm).
    events: Vec<(Micros, String)>,
}

impl Told {
    /// The events at or before `now` not told yet, which now count as told.
    fn news(&mut self, now: Micros, events: &[EventLine]) -> Vec<EventLine> {
        self.events.retain(|(at, _)| *at <= now);
        // Only the events still shown can come again: the rest need not be remembered.
        if let Some(oldest) = events.iter().map(|e| e.time).min() {
            self.events.retain(|(at, _)| *at >= oldest);
        }
        events
            .iter()
            .filter(|e| e.time <= now)
            .filter(|e| {
                let key = (e.time, e.text.clone());
                let new = !self.events.contains(&key);
                if new {
                    self.events.push(key);
                }
                new
            })
            .cloned()
            .collect()
    }
}

/// Before any host spoke: the parent window, if the lab is framed and exactly one origin is
/// accepted (or any, when `*` was given).
fn default_host(accepted: &[String]) -> Option<(web_sys::Window, String)> {
    let window = web_sys::window()?;
    let parent = window.parent().ok().flatten()?;
    if parent == window {
        return None;
    }
    match accepted {
        [origin] => Some((parent, origin.clone())),
        _ => None,
    }
}

/// Runs `request` on the lab as a click would, dispatches what it shows, and says how it went.
fn answer(driver: &Driver, ui: &UseReducerHandle<UiState>, request: Request, id: &Id) -> String {
    let control = |control: TimeControl| driver.control(ui, control);
    let (action, playing) = match request {
        Request::Play => (control(TimeControl::Play), true),
        Request::Pause => (control(TimeControl::Pause), false),
        Request::Step => (control(TimeControl::Step), false),
        Request::StepBack => (control(TimeControl::StepBack), false),
        Request::Seek(time) => (control(TimeControl::Seek(time)), ui.playing),
        Request::GetState => (None, ui.playing),
        Request::Action(action) => {
            let node = api::subject(&action);
            match driver.perform_now(ui, node, vec![action]) {
                Some(Action::Performed {
                    outcome: Err(why), ..
                }) => return api::reply_error(id, &format!("refused: {why}")),
                other => (other, ui.playing),
            }
        }
        Request::LoadState(state) => {
            let text = state
                .split_once(['#', '?'])
                .map(|(_, params)| Params::parse("", params).state.unwrap_or_default())
                .unwrap_or(state);
            match LinkState::decode(&text).and_then(|state| replay(&state)) {
                Ok(lab) => (driver.load(ui, lab), false),
                Err(why) => return api::reply_error(id, &why.to_string()),
            }
        }
        Request::LoadLesson { lesson, step } => match open_lesson(driver, ui, lesson, step) {
            Ok(()) => (None, false),
            Err(why) => return api::reply_error(id, &why),
        },
        Request::GoToStep(step) => match go_to_step(driver, ui, step) {
            Ok(()) => (None, false),
            Err(why) => return api::reply_error(id, &why),
        },
    };
    if let Some(action) = action {
        ui.dispatch(action);
    }
    match driver.host_state(playing) {
        Some(report) => api::reply_ok(id, &report),
        None => api::reply_error(id, "the lab is busy"),
    }
}

/// Opens the built-in lesson `id` at `step` (numbered from 1, as the panel shows them; the
/// first when `None`), for a host page's `load_lesson` or a link's `lesson=…&step=…`.
pub(super) fn open_lesson(
    driver: &Driver,
    ui: &UseReducerHandle<UiState>,
    id: String,
    step: Option<u32>,
) -> Result<(), String> {
    let known = replication_lab::lesson::builtin();
    if !known.iter().any(|info| info.id == id) {
        let ids: Vec<&str> = known.iter().map(|info| info.id.as_str()).collect();
        return Err(format!(
            "no built-in lesson \"{id}\" (the lessons are: {})",
            ids.join(", ")
        ));
    }
    match driver.lesson(ui, LessonIntent::Open(id)) {
        Some(Action::LessonError(why)) => return Err(why),
        Some(action) => ui.dispatch(action),
        None => return Err("the lab is busy".into()),
    }
    match step {
        Some(step) => go_to_step(driver, ui, step),
        None => Ok(()),
    }
}

/// Goes to step `step` (numbered from 1) of the open lesson.
fn go_to_step(driver: &Driver, ui: &UseReducerHandle<UiState>, step: u32) -> Result<(), String> {
    let (_, count) = driver.lesson_step().ok_or("no lesson is open")?;
    let index = usize::try_from(step)
        .ok()
        .and_then(|step| step.checked_sub(1))
        .filter(|&index| index < count)
        .ok_or_else(|| format!("the lesson's steps are 1 to {count}, not {step}"))?;
    if let Some(action) = driver.jump_to_step(ui, index) {
        ui.dispatch(action);
    }
    Ok(())
}

/// The open lesson's step, numbered from 1, for the host page.
fn lesson_step(driver: &Driver) -> Option<u32> {
    driver
        .lesson_step()
        .and_then(|(index, _)| u32::try_from(index + 1).ok())
}

/// A message's data as JSON text: an object's, or a string holding one.
fn json_of(data: &JsValue) -> Option<String> {
    match data.as_string() {
        Some(text) => Some(text),
        None => JSON::stringify(data).ok()?.as_string(),
    }
}

/// Posts `message` (JSON text) to `window` as an object, for `origin` only.
fn post(window: &web_sys::Window, message: &str, origin: &str) {
    if let Ok(value) = JSON::parse(message) {
        let _ = window.post_message(&value, origin);
    }
}
