//! The app shell: header, cluster diagram, inspector, transport bar.

use replication_lab::lab::LabSettings;
use yew::prelude::*;

use super::cluster::ClusterDiagram;
use super::header::Header;
use super::inspector::Inspector;
use super::state::{Action, UiState};
use super::transport::Transport;

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| UiState::new(LabSettings::default()));
    let on_select = {
        let state = state.clone();
        Callback::from(move |id: u32| state.dispatch(Action::Select(id)))
    };
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
            <Transport time={state.view.time} />
        </div>
    }
}
