//! The cluster diagram: links, nodes and messages in flight, drawn as SVG from a view.

use replication_lab::view::{
    self, LinkKind, MessageKind, MessageView, Point, View, CANVAS_HEIGHT, CANVAS_WIDTH,
};
use yew::prelude::*;

use super::node::NodeShape;

/// How far from a node's centre a message starts and ends (just outside its shape).
const NODE_RIM: f64 = 60.0;

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    pub view: View,
    pub selected: Option<u32>,
    pub on_select: Callback<u32>,
}

#[component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let placed = view::layout(&props.view);
    let at = |id: u32| placed.iter().find(|(n, _)| *n == id).map(|(_, p)| *p);
    let view_box = format!("0 0 {CANVAS_WIDTH} {CANVAS_HEIGHT}");

    html! {
        <svg class="cluster" viewBox={view_box} role="group"
            aria-label={format!("Cluster of {} nodes", props.view.nodes.len())}>
            <g class="links">
                for link in props.view.links.iter() {
                    if let (Some(a), Some(b)) = (at(link.from), at(link.to)) {
                        <line class={classes!("link", link_class(link.kind), link.cut.then_some("cut"))}
                            x1={a.x.to_string()} y1={a.y.to_string()}
                            x2={b.x.to_string()} y2={b.y.to_string()} />
                    }
                }
            </g>
            <g class="messages" aria-hidden="true">
                for message in props.view.messages.iter() {
                    if let (Some(a), Some(b)) = (at(message.from), at(message.to)) {
                        // From the sender's rim to the receiver's, so a message is never
                        // hidden under a node.
                        <MessageMarker message={message.clone()}
                            at={a.toward(b, NODE_RIM).lerp(b.toward(a, NODE_RIM), message.progress(props.view.time))} />
                    }
                }
            </g>
            <g class="nodes">
                for node in props.view.nodes.iter() {
                    if let Some(centre) = at(node.id) {
                        <NodeShape node={node.clone()} x={centre.x} y={centre.y}
                            selected={props.selected == Some(node.id)}
                            on_select={props.on_select.clone()} />
                    }
                }
            </g>
        </svg>
    }
}

fn link_class(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Replication => "link-replication",
        LinkKind::Client => "link-client",
    }
}

#[derive(Properties, PartialEq)]
struct MessageMarkerProps {
    message: MessageView,
    at: Point,
}

/// A message on its way: replication data filled, acknowledgements hollow, heartbeats a small
/// dot, client traffic a square — the shape carries the meaning, not only the colour.
#[component]
fn MessageMarker(props: &MessageMarkerProps) -> Html {
    let m = &props.message;
    let transform = format!("translate({:.1} {:.1})", props.at.x, props.at.y);
    let marker = match m.kind {
        MessageKind::Data => html! { <circle class="msg msg-data" r="8" /> },
        MessageKind::Ack => html! { <circle class="msg msg-ack" r="7" /> },
        MessageKind::Heartbeat => html! { <circle class="msg msg-heartbeat" r="3.5" /> },
        MessageKind::Client => {
            html! { <rect class="msg msg-client" x="-7" y="-7" width="14" height="14" rx="2" /> }
        }
    };
    let label = match m.kind {
        MessageKind::Heartbeat if m.label.is_empty() => None,
        _ => Some(m.label.clone()),
    };
    html! {
        <g class="message" transform={transform}>
            { marker }
            if let Some(label) = label {
                <text class="msg-label" x="11" y="4">{ label }</text>
            }
        </g>
    }
}
