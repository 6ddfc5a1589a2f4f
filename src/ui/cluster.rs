//! The cluster diagram: links, nodes and messages in flight, drawn as SVG from a view.

use std::rc::Rc;

use replication_lab::view::{
    self, LinkKind, LinkView, MessageKind, MessageView, Point, View, CANVAS_HEIGHT, CANVAS_WIDTH,
};
use yew::prelude::*;

use super::node::NodeShape;

/// How far from a node's centre a message starts and ends (just outside its shape).
const NODE_RIM: f64 = 60.0;

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    /// The lab now, shared with the other panels.
    pub view: Rc<View>,
    pub selected: Option<u32>,
    pub on_select: Callback<u32>,
    /// A link was activated: cut it if it is whole, heal it if it is cut.
    pub on_link: Callback<(u32, u32, bool)>,
}

#[component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let placed = view::layout(&props.view);
    let at = |id: u32| placed.iter().find(|(n, _)| *n == id).map(|(_, p)| *p);
    let view_box = format!("0 0 {CANVAS_WIDTH} {CANVAS_HEIGHT}");
    let name = |id: u32| {
        props
            .view
            .node(id)
            .map_or_else(|| format!("node {id}"), |n| n.name.clone())
    };

    html! {
        <svg class="cluster" viewBox={view_box} role="group"
            aria-label={format!("Cluster of {} nodes", props.view.nodes.len())}>
            <g class="links">
                for link in props.view.links.iter() {
                    if let (Some(a), Some(b)) = (at(link.from), at(link.to)) {
                        <LinkLine link={link.clone()} a={a} b={b}
                            names={(name(link.from), name(link.to))}
                            on_link={props.on_link.clone()} />
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

#[derive(Properties, PartialEq)]
struct LinkLineProps {
    link: LinkView,
    a: Point,
    b: Point,
    names: (String, String),
    on_link: Callback<(u32, u32, bool)>,
}

/// A link: a line, and over it a wider invisible stroke that is a button — click it, or focus
/// it and press Enter or Space, to cut the link (a partition) or heal it.
#[component]
fn LinkLine(props: &LinkLineProps) -> Html {
    let link = &props.link;
    let (from, to, cut) = (link.from, link.to, link.cut);
    let activate = {
        let on_link = props.on_link.clone();
        move || on_link.emit((from, to, !cut))
    };
    let onclick = {
        let activate = activate.clone();
        Callback::from(move |_: MouseEvent| activate())
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            activate();
        }
    });
    let label = format!(
        "link {} – {}, {}: press to {}",
        props.names.0,
        props.names.1,
        if cut { "cut" } else { "connected" },
        if cut {
            "heal it"
        } else {
            "cut it (a partition)"
        }
    );
    let (x1, y1, x2, y2) = (
        props.a.x.to_string(),
        props.a.y.to_string(),
        props.b.x.to_string(),
        props.b.y.to_string(),
    );
    html! {
        <g class="link-control" role="button" tabindex="0" aria-label={label.clone()}
            onclick={onclick} onkeydown={onkeydown}>
            <title>{ label }</title>
            <line class={classes!("link", link_class(link.kind), cut.then_some("cut"))}
                x1={x1.clone()} y1={y1.clone()} x2={x2.clone()} y2={y2.clone()} />
            <line class="link-hit" x1={x1} y1={y1} x2={x2} y2={y2} />
            if cut {
                // Nearer the lower end: the upper node's labels sit just below it.
                <text class="link-cut-mark" x={props.a.lerp(props.b, 0.6).x.to_string()}
                    y={props.a.lerp(props.b, 0.6).y.to_string()} text-anchor="middle">{ "✕" }</text>
            }
        </g>
    }
}

fn link_class(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Replication => "link-replication",
        LinkKind::Client => "link-client",
        LinkKind::Coordination => "link-coordination",
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
