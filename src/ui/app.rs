//! The app shell: header; the cluster diagram with its live checks; the inspector over the
//! SQL console; the transport bar and the event log; and the clock that plays virtual time
//! (an animation-frame loop that runs only while playing and visible).
//!
//! It wires state to components; it draws nothing itself and knows nothing of the world.

use replication_lab::lab::{LabAction, LabSettings};
use replication_lab::view::NodeKind;
use yew::prelude::*;

use super::checks::ChecksBar;
use super::cluster::ClusterDiagram;
use super::console::SqlConsole;
use super::event_log::EventLog;
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
    let on_link = on_action.reform(|(a, b, cut): (u32, u32, bool)| {
        let action = if cut {
            LabAction::Partition { a, b }
        } else {
            LabAction::Heal { a, b }
        };
        Action::Perform(a, vec![action])
    });
    let selected = state.selected.and_then(|id| state.view.node(id).cloned());
    let refusal = state
        .refusal
        .as_ref()
        .filter(|(node, _)| Some(*node) == state.selected)
        .map(|(_, why)| why.clone());
    let of_kind = |kind: NodeKind| -> Vec<_> {
        state
            .view
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .cloned()
            .collect()
    };
    let details = state.details.clone();

    html! {
        <div class="app">
            <Header method={state.method} fencing={state.fencing} ack={state.ack} ack_refusal={state.ack_refusal.clone()}
                on_action={on_action.clone()} />
            <main class="workspace">
                <section class="cluster-pane" aria-label="Cluster">
                    <ClusterDiagram view={state.view.clone()} selected={state.selected} on_select={on_select}
                        on_link={on_link} />
                    <ChecksBar checks={details.checks.clone()} />
                </section>
                <div class="side-pane">
                    <aside class="inspector-pane" aria-label="Inspector">
                        <Inspector node={selected} inspection={details.inspection.clone()}
                            nodes={state.view.nodes.clone()} cut_pairs={state.view.cut_pairs.clone()}
                            refusal={refusal} on_action={on_action.clone()} />
                    </aside>
                    <SqlConsole clients={of_kind(NodeKind::Client)} servers={of_kind(NodeKind::Database)}
                        client={state.console_client()} console={state.console.clone()}
                        answers={details.client.clone()} time={state.time()} on_action={on_action.clone()} />
                </div>
            </main>
            <Transport time={state.time()} horizon={state.horizon} playing={state.playing}
                speed={state.speed} reduced_motion={state.reduced_motion} on_action={on_action} />
            <EventLog events={details.events.clone()} announcement={state.announcement.clone()} />
        </div>
    }
}
