//! The app shell: header, cluster diagram, inspector, transport bar; and the clock that plays
//! virtual time (an animation-frame loop that runs only while playing and visible).
//!
//! It wires state to components; it draws nothing itself and knows nothing of the world.

use replication_lab::lab::LabSettings;
use yew::prelude::*;

use super::cluster::ClusterDiagram;
use super::header::Header;
use super::hooks::{use_animation_frame, use_reduced_motion};
use super::inspector::Inspector;
use super::state::{Action, UiState};
use super::transport::Transport;

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| UiState::new(LabSettings::default()));
    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };

    // Playing: every frame turns the real time elapsed into virtual time (see `state`).
    use_animation_frame(state.playing, on_action.reform(Action::Tick));

    // Reduced motion: playing jumps instead of gliding (see `state::REDUCED_MOTION_JUMP_MS`).
    let reduced_motion = use_reduced_motion();
    {
        let on_action = on_action.clone();
        use_effect_with(reduced_motion, move |&reduced| {
            on_action.emit(Action::SetReducedMotion(reduced));
        });
    }

    let on_select = on_action.reform(Action::Select);
    let selected = state.selected.and_then(|id| state.view.node(id).cloned());

    html! {
        <div class="app">
            <Header />
            <main class="workspace">
                <section class="cluster-pane" aria-label="Cluster">
                    <ClusterDiagram view={state.view.clone()} selected={state.selected} on_select={on_select} />
                </section>
                <aside class="inspector-pane" aria-label="Inspector">
                    <Inspector node={selected} />
                </aside>
            </main>
            <Transport time={state.time()} horizon={state.horizon} playing={state.playing}
                speed={state.speed} reduced_motion={state.reduced_motion} on_action={on_action} />
        </div>
    }
}
