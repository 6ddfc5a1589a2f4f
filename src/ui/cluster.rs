//! The cluster diagram: links, nodes and messages in flight, drawn as SVG from a view.

use replication_lab::view::{self, LinkKind, View, CANVAS_HEIGHT, CANVAS_WIDTH};
use yew::prelude::*;

use super::node::NodeShape;

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
