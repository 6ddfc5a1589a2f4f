//! One node on the diagram. Its role shows as a shape and a word (a writable node such as
//! the leader = hexagon, a replica such as a follower = circle, client = rounded square,
//! applier = diamond, coordination service = a key-shaped pentagon), never by colour alone.
//! The word is the family's (the view's role label); the shape follows the family-neutral
//! role kind.
//! It is a button: Enter or Space selects it, like a click.

use replication_lab::view::{NodeKind, NodeStatus, NodeView, RoleKind};
use yew::prelude::*;

const RADIUS: f64 = 52.0;

#[derive(Properties, PartialEq)]
pub struct NodeShapeProps {
    pub node: NodeView,
    pub x: f64,
    pub y: f64,
    pub selected: bool,
    pub on_select: Callback<u32>,
}

#[component]
pub fn NodeShape(props: &NodeShapeProps) -> Html {
    let node = &props.node;
    let id = node.id;
    let onclick = {
        let on_select = props.on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(id))
    };
    let onkeydown = {
        let on_select = props.on_select.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                on_select.emit(id);
            }
        })
    };
    let crashed = node.status == NodeStatus::Crashed;
    let role_word = node.role.text;
    let label = format!(
        "{}, {}{}, {}",
        node.name,
        role_word,
        if crashed { ", crashed" } else { "" },
        node.state
    );
    let class = classes!(
        "node",
        style_class(node),
        crashed.then_some("crashed"),
        props.selected.then_some("selected"),
    );
    let transform = format!("translate({:.1} {:.1})", props.x, props.y);

    html! {
        <g class={class} transform={transform} role="button" tabindex="0"
            aria-label={label} aria-pressed={props.selected.to_string()}
            onclick={onclick} onkeydown={onkeydown}>
            { shape(node.kind, node.role.kind) }
            <text class="node-role" y="6" text-anchor="middle">
                { if crashed { "crashed" } else { role_word } }
            </text>
            <text class="node-name" y={(RADIUS + 24.0).to_string()} text-anchor="middle">
                { node.name.clone() }
            </text>
            <text class="node-state" y={(RADIUS + 44.0).to_string()} text-anchor="middle">
                { node.state.clone() }
            </text>
            if !node.format.is_empty() {
                // Under the state, out of the way of links and messages.
                <text class="node-format" y={(RADIUS + 62.0).to_string()} text-anchor="middle">
                    { format!("storage {}", node.format) }
                </text>
            }
        </g>
    }
}

/// The class its colours hang on: by role kind for databases, by kind for the rest.
fn style_class(node: &NodeView) -> &'static str {
    match (node.kind, node.role.kind) {
        (NodeKind::Database, RoleKind::Writable) => "node-writable",
        (NodeKind::Database, _) => "node-replica",
        (NodeKind::Client, _) => "node-client",
        (NodeKind::Applier, _) => "node-applier",
        (NodeKind::Coordinator, _) => "node-coordinator",
    }
}

/// The outline for a node's kind and role, centred on the origin.
fn shape(kind: NodeKind, role: RoleKind) -> Html {
    match (kind, role) {
        (NodeKind::Database, RoleKind::Writable) => {
            let points = (0..6)
                .map(|i| {
                    let angle = std::f64::consts::FRAC_PI_3 * i as f64;
                    format!("{:.1},{:.1}", RADIUS * angle.cos(), RADIUS * angle.sin())
                })
                .collect::<Vec<_>>()
                .join(" ");
            html! { <polygon class="shape" points={points} /> }
        }
        (NodeKind::Database, _) => html! { <circle class="shape" r={RADIUS.to_string()} /> },
        (NodeKind::Client, _) => {
            let side = RADIUS * 1.5;
            html! {
                <rect class="shape" x={(-side / 2.0).to_string()} y={(-side / 2.0).to_string()}
                    width={side.to_string()} height={side.to_string()} rx="12" />
            }
        }
        (NodeKind::Applier, _) => {
            let r = RADIUS;
            html! { <polygon class="shape" points={format!("0,{} {r},0 0,{r} {},0", -r, -r)} /> }
        }
        (NodeKind::Coordinator, _) => {
            // A pentagon, point up: a lock or key tag, unlike any database's shape.
            let points = (0..5)
                .map(|i| {
                    let angle =
                        -std::f64::consts::FRAC_PI_2 + 2.0 * std::f64::consts::PI / 5.0 * i as f64;
                    format!("{:.1},{:.1}", RADIUS * angle.cos(), RADIUS * angle.sin())
                })
                .collect::<Vec<_>>()
                .join(" ");
            html! { <polygon class="shape" points={points} /> }
        }
    }
}
