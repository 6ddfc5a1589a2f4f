//! The app shell: header; the cluster diagram, the transport bar and the live checks; the
//! inspector over the SQL console; the event log; and the clock that plays virtual time
//! (an animation-frame loop that runs only while playing and visible).
//!
//! It wires state to components: each panel gets the shared view and the few callbacks it
//! needs, each of which runs one intent on the lab ([`Driver`]) and dispatches the plain-data
//! outcome to the reducer. It draws nothing itself and knows nothing of the world.

use std::rc::Rc;

use replication_lab::lab::controls::{MethodChoice, Setup, Speed};
use replication_lab::lab::LabAction;
use yew::prelude::*;

use super::checks::ChecksBar;
use super::cluster::ClusterDiagram;
use super::conflicts::ConflictsPanel;
use super::console::SqlConsole;
use super::driver::{Driver, Statement};
use super::embed::{self, Share};
use super::event_log::EventLog;
use super::header::Header;
use super::hooks::{use_animation_frame, use_reduced_motion};
use super::host_api::use_host_api;
use super::inspector::Inspector;
use super::legend::legend;
use super::lesson_keys::{use_presenter_keys, KeysNow};
use super::lesson_panel::LessonPanel;
use super::prompt::Prompt;
use super::state::{Action, UiState};
use super::transport::Transport;

/// A callback that runs `intent` on the lab with the state as rendered, and dispatches what
/// comes back.
fn intent<T: 'static>(
    driver: &Rc<Driver>,
    state: &UseReducerHandle<UiState>,
    intent: impl Fn(&Driver, &UiState, T) -> Option<Action> + 'static,
) -> Callback<T> {
    let (driver, state) = (driver.clone(), state.clone());
    Callback::from(move |input: T| {
        if let Some(action) = intent(&driver, &state, input) {
            state.dispatch(action);
        }
    })
}

#[component]
pub fn App() -> Html {
    // The page's address: a link's state, embed mode, theme, host origins (see `embed`).
    let page = use_memo((), |_| embed::page());
    let opened = use_memo((), |_| {
        embed::apply_theme(&page.params);
        let (lab, notice) = embed::open_lab(&page.params);
        (Rc::new(Driver::with_lab(lab)), notice)
    });
    let driver = opened.0.clone();
    let lessons = use_memo((), |_| Driver::lessons());
    let state = {
        let (driver, notice) = (driver.clone(), opened.1.clone());
        use_reducer(move || {
            let mut first = driver.start(Speed::DEFAULT, false);
            first.notice = notice;
            first
        })
    };
    use_host_api(driver.clone(), state.clone(), page.origins.clone());
    // A link or an embed naming a lesson (`lesson=…&step=…`) opens it once the page is up;
    // a lesson that does not open leaves the lab as it was and says why.
    {
        let (driver, state, params) = (driver.clone(), state.clone(), page.params.clone());
        use_effect_with((), move |_| {
            if let Some(id) = params.lesson.clone() {
                if let Err(why) = super::host_api::open_lesson(&driver, &state, id, params.step) {
                    state.dispatch(Action::LessonError(format!(
                        "The link's lesson did not open: {why}."
                    )));
                }
            }
        });
    }
    let link_state = {
        let driver = driver.clone();
        Callback::from(move |()| driver.link_params())
    };
    let embed = page.params.embed;

    // Playing: every frame turns the real time elapsed into virtual time (see `Driver::frame`).
    use_animation_frame(
        state.playing,
        intent(&driver, &state, |d, ui, ms: f64| d.frame(ui, ms)),
    );

    // Reduced motion: playing jumps instead of gliding (see `controls::Player`).
    let reduced_motion = use_reduced_motion();
    {
        let on_reduced = intent(&driver, &state, |d, _, reduced: bool| {
            Some(d.reduced_motion(reduced))
        });
        use_effect_with(reduced_motion, move |&reduced| on_reduced.emit(reduced));
    }

    let on_method = intent(&driver, &state, |d, ui, method: MethodChoice| {
        let fencing = ui.fencing;
        d.restart(ui, Setup::Single { method, fencing })
    });
    let on_fencing = intent(&driver, &state, |d, ui, fencing: bool| {
        let method = ui.method;
        d.restart(ui, Setup::Single { method, fencing })
    });
    let on_setup = intent(&driver, &state, |d, ui, setup| d.restart(ui, setup));
    let on_topology = intent(&driver, &state, |d, ui, topology| {
        d.set_topology(ui, topology)
    });
    let on_ack = intent(&driver, &state, |d, ui, ack| d.set_ack(ui, ack));
    let on_select = intent(&driver, &state, |d, ui, id: u32| d.select(ui, id));
    let on_link = intent(&driver, &state, |d, ui, (a, b, cut): (u32, u32, bool)| {
        let action = if cut {
            LabAction::Partition { a, b }
        } else {
            LabAction::Heal { a, b }
        };
        d.perform(ui, a, vec![action])
    });
    let on_perform = intent(&driver, &state, |d, ui, actions: Vec<LabAction>| {
        let node = ui.selected?;
        d.perform(ui, node, actions)
    });
    let on_run = intent(&driver, &state, |d, ui, statement: Statement| {
        d.run(ui, statement)
    });
    let on_cancel = intent(&driver, &state, |d, ui, client: u32| {
        d.perform(ui, client, vec![LabAction::Cancel(client)])
    });
    let on_client = intent(&driver, &state, |d, ui, client: u32| {
        d.console_client(ui, client)
    });
    let on_target = {
        let state = state.clone();
        Callback::from(move |target: Option<u32>| state.dispatch(Action::ConsoleTarget(target)))
    };
    let on_control = intent(&driver, &state, |d, ui, control| d.control(ui, control));
    let on_answer = intent(&driver, &state, |d, ui, answer| d.answer(ui, answer));
    let on_lesson = intent(&driver, &state, |d, ui, lesson| d.lesson(ui, lesson));
    use_presenter_keys(
        KeysNow {
            in_lesson: state.lesson.is_some(),
            presenter: state.presenter,
            asking: state.question.is_some(),
        },
        intent(&driver, &state, |d, ui, key| d.presenter_key(ui, key)),
    );

    let refusal = state
        .refusal
        .as_ref()
        .filter(|(node, _)| Some(*node) == state.selected)
        .map(|(_, why)| why.clone());
    let details = &state.details;

    html! {
        <div class={classes!("app", embed.then_some("embed"), page.params.minimal.then_some("controls-min"), state.presenter.then_some("presenter"))}>
            <div class="topbar">
                <Header method={state.method} fencing={state.fencing} ack={state.ack} ack_refusal={state.ack_refusal.clone()}
                    {on_method} {on_fencing} {on_ack} multi={state.multi} {on_setup} {on_topology}
                    topology_refusal={state.topology_refusal.clone()}
                    lessons={(*lessons).clone()} lesson={state.lesson_id.clone()} on_lesson={on_lesson.clone()}
                    lesson_error={state.lesson_error.clone().filter(|_| state.lesson.is_none())} />
                <Share {embed} state={link_state} />
            </div>
            <Prompt question={state.question.clone()} notice={state.notice.clone()} undo={state.undo.clone()} {on_answer} />
            <main class={classes!("workspace", state.lesson.is_some().then_some("with-lesson"))}>
                <LessonPanel lesson={state.lesson.clone()} error={state.lesson_error.clone()}
                    presenter={state.presenter} on_intent={on_lesson} />
                <section class="cluster-pane" aria-label="Cluster">
                    { super::caption::caption(&details.caption) }
                    { legend() }
                    { super::export::export_menu() }
                    <ClusterDiagram view={state.view.clone()} selected={state.selected} {on_select} {on_link}
                        highlight={state.lesson.as_ref().map(|l| l.highlight.clone()).unwrap_or_default()} />
                </section>
                // Right after the diagram in reading order: on a phone the panes stack and the
                // transport stays next to what it moves; on wide screens the stylesheet puts
                // the checks under the diagram and the transport across the bottom.
                <Transport time={state.time()} horizon={state.horizon} playing={state.playing}
                    speed={state.speed} reduced_motion={state.reduced_motion} slowed={state.slowed()} {on_control} marks={details.marks.clone()} />
                <ChecksBar checks={details.checks.clone()} multi={state.multi.is_some()} />
                <div class={classes!("side-pane", state.multi.is_some().then_some("with-conflicts"))}>
                    <aside class="inspector-pane" aria-label="Inspector">
                        <Inspector view={state.view.clone()} selected={state.selected}
                            inspection={details.inspection.clone()} {refusal} {on_perform}
                            highlight={state.lesson.as_ref().map(|l| l.highlight.clone()).unwrap_or_default()} />
                    </aside>
                    if state.multi.is_some() {
                        <ConflictsPanel conflicts={details.conflicts.clone()} />
                    }
                    <SqlConsole view={state.view.clone()} client={state.console_client()}
                        console={state.console.clone()} answers={details.client.clone()}
                        {on_run} {on_cancel} {on_client} {on_target} />
                </div>
            </main>
            <EventLog events={details.events.clone()} announcement={state.announcement.clone()} />
        </div>
    }
}
