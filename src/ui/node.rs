//! One node on the diagram. Its role shows as a shape and a word (a writable node such as
//! the leader = hexagon, a replica such as a follower = circle, client = rounded square,
//! applier = diamond, coordination service = a tag-shaped pentagon), never by colour alone.
//! The word is the family's (the view's role label); the shape follows the family-neutral
//! role kind.
//! It is a button: Enter or Space selects it, like a click.

use replication_lab::view::{svg_number, NodeKind, NodeStatus, NodeView, RoleKind};
use yew::prelude::*;

const RADIUS: f64 = 52.0;
/// Compact, a state longer than this goes on two lines.
const COMPACT_LINE_CHARS: usize = 16;
/// From one line of the state to the next, compact (its font is 12 px).
const COMPACT_LINE_HEIGHT: f64 = 14.0;

#[derive(Properties, PartialEq)]
pub struct NodeShapeProps {
    pub node: NodeView,
    pub x: f64,
    pub y: f64,
    pub selected: bool,
    /// Drawn small (a phone, an embed): the state wraps onto two lines.
    pub compact: bool,
    /// Whether the storage-format line is drawn (it is always in the button's name).
    pub show_format: bool,
    pub on_select: Callback<u32>,
    /// A lesson points at this node: a dashed ring round it (not only a colour).
    #[prop_or_default]
    pub highlighted: bool,
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
    let shown_role = if crashed { "crashed" } else { role_word };
    let format = (!node.format.is_empty()).then(|| format!("storage {}", node.format));
    let label = button_name(node, shown_role, format.as_deref());
    let state_lines = if props.compact {
        two_lines(&node.state, COMPACT_LINE_CHARS)
    } else {
        vec![node.state.clone()]
    };
    let below_state = COMPACT_LINE_HEIGHT * (state_lines.len() as f64 - 1.0);
    let format = format.filter(|_| props.show_format);
    let class = classes!(
        "node",
        style_class(node),
        crashed.then_some("crashed"),
        props.selected.then_some("selected"),
        props.highlighted.then_some("highlighted"),
    );
    let transform = format!("translate({} {})", svg_number(props.x), svg_number(props.y));

    html! {
        <g class={class} transform={transform} role="button" tabindex="0"
            aria-label={label} aria-pressed={props.selected.to_string()}
            onclick={onclick} onkeydown={onkeydown}>
            if props.highlighted {
                <circle class="highlight-ring" r={svg_number(RADIUS + 14.0)} />
            }
            { shape(node.kind, node.role.kind) }
            // The texts in the order the button's name reads them, a space between each, so
            // that the name contains what is on screen, word for word.
            <text class="node-name" y={svg_number(RADIUS + 24.0)} text-anchor="middle">
                { node.name.clone() }
            </text>
            { " " }
            <text class="node-role" y="6" text-anchor="middle">{ shown_role }</text>
            for (i, line) in state_lines.into_iter().enumerate() {
                { " " }
                <text class="node-state" y={svg_number(RADIUS + 44.0 + COMPACT_LINE_HEIGHT * i as f64)}
                    text-anchor="middle">{ line }</text>
            }
            if let Some(format) = format {
                { " " }
                // Under the state, out of the way of links and messages.
                <text class="node-format" y={svg_number(RADIUS + 62.0 + below_state)} text-anchor="middle">
                    { format }
                </text>
            }
        </g>
    }
}

/// The button's name: what is written on the node, in the same order (`follower-1, follower,
/// streaming, storage v16`), so speech input can say what it sees; a crashed node adds its
/// role in parentheses (its shape says "crashed" instead).
fn button_name(node: &NodeView, shown_role: &str, format: Option<&str>) -> String {
    let mut name = format!("{}, {shown_role}, {}", node.name, node.state);
    if let Some(format) = format {
        name.push_str(", ");
        name.push_str(format);
    }
    if node.status == NodeStatus::Crashed {
        name.push_str(&format!(" ({})", node.role.text));
    }
    name
}

/// `text` on one line, or, when longer than `chars`, on two broken at the space nearest the
/// middle, a break after a colon counting as a little nearer (`empty spare:` / `Join to set
/// it up`, `key: leader` / `(3.0 s)`).
fn two_lines(text: &str, chars: usize) -> Vec<String> {
    let middle = text.len() as i64 / 2;
    let score = |&(at, _): &(usize, char)| {
        let colon = text[..at].ends_with(':');
        (at as i64 - middle).abs() - if colon { 2 } else { 0 }
    };
    match text
        .char_indices()
        .filter(|&(_, c)| c == ' ')
        .min_by_key(score)
    {
        Some((at, _)) if text.chars().count() > chars => {
            vec![text[..at].to_string(), text[at + 1..].to_string()]
        }
        _ => vec![text.to_string()],
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
            // The corners at every 60°, from constants: `sin` and `cos` would bring several
            // kilobytes of libm into the page for six points.
            const SIN_60: f64 = 0.866_025_403_784_438_6;
            let (r, half, high) = (RADIUS, RADIUS / 2.0, RADIUS * SIN_60);
            let points = [
                (r, 0.0),
                (half, high),
                (-half, high),
                (-r, 0.0),
                (-half, -high),
                (half, -high),
            ]
            .iter()
            .map(|&(x, y)| format!("{},{}", svg_number(x), svg_number(y)))
            .collect::<Vec<_>>()
            .join(" ");
            html! { <polygon class="shape" points={points} /> }
        }
        (NodeKind::Database, _) => html! { <circle class="shape" r={svg_number(RADIUS)} /> },
        (NodeKind::Client, _) => {
            let side = RADIUS * 1.5;
            html! {
                <rect class="shape" x={svg_number(-side / 2.0)} y={svg_number(-side / 2.0)}
                    width={svg_number(side)} height={svg_number(side)} rx="12" />
            }
        }
        (NodeKind::Applier, _) => {
            let r = RADIUS;
            html! { <polygon class="shape" points={format!("0,-{r} {r},0 0,{r} -{r},0", r = svg_number(r))} /> }
        }
        (NodeKind::Coordinator, _) => {
            // A tag, point up: a lock or key tag, unlike any database's shape, and wide
            // enough for its word ("coordinator") at every size.
            let (w, r) = (svg_number(RADIUS * 1.3), svg_number(RADIUS));
            let (shoulder, foot) = (svg_number(-RADIUS * 0.3), svg_number(RADIUS * 0.75));
            let points = format!("0,-{r} {w},{shoulder} {w},{foot} -{w},{foot} -{w},{shoulder}");
            html! { <polygon class="shape" points={points} /> }
        }
    }
}
