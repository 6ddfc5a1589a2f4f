//! The inspector: details of the selected node. (Log and rows tabs arrive with replication.)

use replication_lab::view::{NodeStatus, NodeView};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub node: Option<NodeView>,
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let Some(node) = props.node.as_ref() else {
        return html! { <p class="hint">{ "Select a node to see its state." }</p> };
    };
    let status = match node.status {
        NodeStatus::Up => "up",
        NodeStatus::Crashed => "crashed",
    };
    html! {
        <div class="inspector">
            <h2>{ node.name.clone() }</h2>
            <dl class="facts">
                <dt>{ "role" }</dt><dd>{ node.role.to_string() }</dd>
                <dt>{ "status" }</dt><dd>{ status }</dd>
                <dt>{ "state" }</dt><dd>{ node.state.clone() }</dd>
                if !node.format.is_empty() {
                    <dt>{ "storage format" }</dt><dd>{ node.format.clone() }</dd>
                }
                if !node.position.is_empty() {
                    <dt>{ "log position" }</dt><dd><code>{ node.position.clone() }</code></dd>
                }
            </dl>
        </div>
    }
}
