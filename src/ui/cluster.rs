//! The cluster diagram: links, nodes and messages in flight, drawn as SVG from a view.
//!
//! Its text never renders below [`MIN_TEXT_PX`]: where the diagram is drawn too small for the
//! layout's canvas at that size (a phone, an embed), the canvas takes the drawn shape and the
//! layout is spread over it (a [`Frame`]); the font is not scaled down. Small frames also draw
//! the nodes compact (the stylesheet's `.compact`).
//!
//! Several writable nodes (multi-leader) are drawn as datacenters: each leader under its
//! client, in a faint labelled box, and their replication links directed (an arrowhead at
//! the receiving end), so that a ring reads as a ring.

use std::rc::Rc;

use replication_lab::view::{
    self, svg_number, Drawing, LinkKind, LinkPath, LinkView, NodeKind, Point, Room, Row, View,
    CANVAS_HEIGHT, CANVAS_WIDTH,
};
use yew::prelude::*;

use super::hooks::use_element_size;
use super::lesson_panel::Highlighted;
use super::message::{message_layer, Canvas};
use super::node::NodeShape;

/// How far from a node's centre a message starts and ends (just outside its shape), at full
/// size and compact.
const NODE_RIM: (f64, f64) = (60.0, 36.0);
/// The smallest text on the diagram, in CSS pixels on screen.
const MIN_TEXT_PX: f64 = 12.0;
/// The smallest font the diagram uses, in canvas units, at full size and compact (the
/// stylesheet's `.node-format` and `.msg-label`, and their `.compact` sizes).
const SMALLEST_FONT: (f64, f64) = (13.0, 12.0);
/// Drawn narrower or lower than this (CSS pixels), the nodes are compact.
const COMPACT_BELOW: (f64, f64) = (600.0, 420.0);
/// The room kept around the outermost nodes' centres for their shapes and text: left and
/// right, above, below (name and state), below with the format line; at full size and
/// compact (where the state may take two lines).
const MARGIN: [(f64, f64, f64, f64); 2] = [(116.0, 58.0, 102.0, 122.0), (62.0, 33.0, 78.0, 92.0)];

/// How much lower clients sit in a diagram of datacenters (canvas units).
const CLIENTS_LOWER: f64 = 44.0;

/// The canvas the diagram draws on, in the units of its `viewBox`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Frame {
    width: f64,
    height: f64,
    compact: bool,
}

impl Frame {
    /// The layout's canvas when drawn at `drawn` (CSS pixels) keeps the smallest font at
    /// [`MIN_TEXT_PX`] or more; otherwise a canvas of the drawn shape at the smallest scale
    /// that does. Unknown (not laid out yet): the layout's canvas.
    fn fit(drawn: Option<(f64, f64)>) -> Frame {
        let full = Frame {
            width: CANVAS_WIDTH,
            height: CANVAS_HEIGHT,
            compact: false,
        };
        let Some((w, h)) = drawn else {
            return full;
        };
        let compact = w < COMPACT_BELOW.0 || h < COMPACT_BELOW.1;
        let smallest = if compact {
            SMALLEST_FONT.1
        } else {
            SMALLEST_FONT.0
        };
        let min_scale = MIN_TEXT_PX / smallest;
        if !compact && (w / CANVAS_WIDTH).min(h / CANVAS_HEIGHT) >= min_scale {
            return full;
        }
        Frame {
            width: w / min_scale,
            height: h / min_scale,
            compact,
        }
    }

    /// The layout's places spread over this canvas from margin to margin: the layout scales
    /// with the canvas (shapes and text do not), and the outer nodes' text stays inside.
    fn arrange(&self, placed: Vec<(u32, Point)>, format_line: bool) -> Vec<(u32, Point)> {
        let (side, top, bottom, bottom_with_format) = MARGIN[usize::from(self.compact)];
        let bottom = if format_line {
            bottom_with_format
        } else {
            bottom
        };
        let span = |of: fn(&Point) -> f64| {
            let values = placed.iter().map(|(_, p)| of(p));
            let low = values.clone().fold(f64::INFINITY, f64::min);
            (low, values.fold(f64::NEG_INFINITY, f64::max) - low)
        };
        // One row or column of nodes sits in the middle of the room it has.
        let spread = |v: f64, (low, size): (f64, f64), from: f64, room: f64| {
            if size > 0.0 {
                from + (v - low) / size * room
            } else {
                from + room / 2.0
            }
        };
        let (xs, ys) = (span(|p| p.x), span(|p| p.y));
        let (room_x, room_y) = (self.width - 2.0 * side, self.height - top - bottom);
        placed
            .iter()
            .map(|&(id, p)| {
                let x = spread(p.x, xs, side, room_x);
                (
                    id,
                    Point {
                        x,
                        y: spread(p.y, ys, top, room_y),
                    },
                )
            })
            .collect()
    }

    /// The room each node's shape and text take, that links go around.
    fn room(&self, format_line: bool) -> Room {
        let (side, _, below, below_with_format) = MARGIN[usize::from(self.compact)];
        Room {
            radius: self.rim().min(side),
            below: if format_line {
                below_with_format
            } else {
                below
            },
        }
    }

    fn rim(&self) -> f64 {
        if self.compact {
            NODE_RIM.1
        } else {
            NODE_RIM.0
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ClusterDiagramProps {
    /// The lab now, shared with the other panels.
    pub view: Rc<View>,
    pub selected: Option<u32>,
    pub on_select: Callback<u32>,
    /// A link was activated: cut it if it is whole, heal it if it is cut.
    pub on_link: Callback<(u32, u32, bool)>,
    /// What a lesson's step points at: nodes, and links by their two ends (either way).
    #[prop_or_default]
    pub highlight: Rc<Highlighted>,
}

#[component]
pub fn ClusterDiagram(props: &ClusterDiagramProps) -> Html {
    let svg = use_node_ref();
    let frame = Frame::fit(use_element_size(svg.clone()));
    let rim = frame.rim();
    // Compact, the format line is drawn only when the nodes' formats differ (an upgrade).
    let mut formats = props
        .view
        .nodes
        .iter()
        .map(|n| &n.format)
        .filter(|f| !f.is_empty());
    let first_format = formats.next();
    let show_format = !frame.compact || formats.any(|f| Some(f) != first_format);
    let leaders = datacenter_leaders(&props.view);
    let mut placed = frame.arrange(
        in_datacenters(&props.view, view::layout(&props.view), &leaders),
        show_format,
    );
    if !leaders.is_empty() {
        // Clear of the Save diagram and Legend buttons over the top right corner, and of
        // the datacenters' names.
        let clients = placed.iter_mut().filter(|(id, _)| {
            props
                .view
                .node(*id)
                .is_some_and(|n| n.kind == NodeKind::Client)
        });
        for (_, at) in clients {
            at.y += CLIENTS_LOWER;
        }
    }
    let boxes = datacenter_boxes(&frame, &placed, &leaders);
    let drawing = Drawing::new(&props.view, placed, frame.room(show_format));
    let at = |id: u32| drawing.at(id);
    let view_box = format!(
        "0 0 {} {}",
        svg_number(frame.width.round()),
        svg_number(frame.height.round())
    );
    let name = |id: u32| {
        props
            .view
            .node(id)
            .map_or_else(|| format!("node {id}"), |n| n.name.clone())
    };

    html! {
        <svg ref={svg} class={classes!("cluster", frame.compact.then_some("compact"))}
            viewBox={view_box} role="group"
            aria-label={format!("Cluster of {} nodes", props.view.nodes.len())}>
            if !boxes.is_empty() {
                <g class="datacenters" aria-hidden="true">{ boxes }</g>
            }
            <g class="links">
                for (link, path) in props.view.links.iter().zip(&drawing.paths) {
                    if let Some(path) = path {
                        <LinkLine link={link.clone()} path={*path}
                            arrow={(!leaders.is_empty() && link.kind == LinkKind::Replication).then_some(rim)}
                            highlighted={props.highlight.link(link.from, link.to)}
                            names={(name(link.from), name(link.to))}
                            on_link={props.on_link.clone()} />
                    }
                }
            </g>
            <g class="messages" aria-hidden="true">
                { message_layer(&props.view, &props.view.messages.iter().map(|message| {
                    // Along its link, from the sender's rim to the receiver's.
                    view::message_point(&props.view, &drawing, message, rim)
                }).collect::<Vec<_>>(), &Canvas { at: &at, width: frame.width,
                    height: frame.height, compact: frame.compact, show_format }) }
            </g>
            <g class="nodes">
                for node in props.view.nodes.iter() {
                    if let Some(centre) = at(node.id) {
                        <NodeShape node={node.clone()} x={centre.x} y={centre.y}
                            selected={props.selected == Some(node.id)}
                            compact={frame.compact} {show_format}
                            highlighted={props.highlight.nodes.contains(&node.id)}
                            on_select={props.on_select.clone()} />
                    }
                }
            </g>
        </svg>
    }
}

/// The writable nodes, when there are several (multi-leader: one per datacenter) and no
/// service beside them; otherwise none, and the diagram is drawn as before.
fn datacenter_leaders(view: &View) -> Vec<u32> {
    let writable: Vec<u32> = view
        .nodes
        .iter()
        .filter(|n| Row::of(n) == Row::Writable)
        .map(|n| n.id)
        .collect();
    let services = view.nodes.iter().any(|n| Row::of(n) == Row::Services);
    if writable.len() < 2 || services {
        return Vec::new();
    }
    writable
}

/// The layout with `leaders` spread evenly over the whole width and each client right above
/// the leader it sends to (its datacenter's).
fn in_datacenters(
    view: &View,
    mut placed: Vec<(u32, Point)>,
    leaders: &[u32],
) -> Vec<(u32, Point)> {
    let columns = leaders.len() as f64;
    let column = |id: u32| -> Option<f64> {
        let i = leaders.iter().position(|l| *l == id)?;
        Some(CANVAS_WIDTH * (i as f64 + 0.5) / columns)
    };
    let target = |client: u32| {
        view.links
            .iter()
            .find(|l| l.from == client && l.kind == LinkKind::Client)
            .map(|l| l.to)
    };
    for (id, at) in placed.iter_mut() {
        let x = match view.node(*id).map(|n| n.kind) {
            Some(NodeKind::Client) => target(*id).and_then(column),
            _ => column(*id),
        };
        if let Some(x) = x {
            at.x = x;
        }
    }
    placed
}

/// A faint box round each datacenter's column (its leader and clients), from halfway to the
/// column on its left to halfway to the one on its right, labelled at its top left corner:
/// `datacenter A`.
fn datacenter_boxes(frame: &Frame, placed: &[(u32, Point)], leaders: &[u32]) -> Vec<Html> {
    let gap = 6.0;
    let xs: Vec<f64> = leaders
        .iter()
        .filter_map(|id| placed.iter().find(|(n, _)| n == id).map(|(_, p)| p.x))
        .collect();
    (0..xs.len())
        .map(|i| {
            let left = if i == 0 { 0.0 } else { (xs[i - 1] + xs[i]) / 2.0 } + gap / 2.0;
            let right = xs.get(i + 1).map_or(frame.width, |next| (xs[i] + next) / 2.0) - gap / 2.0;
            let name = char::from(b'A' + i as u8);
            html! {
                <g class="datacenter">
                    <rect x={svg_number(left)} y={svg_number(gap)} rx="10"
                        width={svg_number(right - left)} height={svg_number(frame.height - 2.0 * gap)} />
                    <text x={svg_number(left + 8.0)} y={svg_number(gap + 17.0)}>{ format!("datacenter {name}") }</text>
                </g>
            }
        })
        .collect()
}

#[derive(Properties, PartialEq)]
struct LinkLineProps {
    link: LinkView,
    path: LinkPath,
    /// Directed: an arrowhead this far short of the receiving node's centre.
    #[prop_or_default]
    arrow: Option<f64>,
    names: (String, String),
    on_link: Callback<(u32, u32, bool)>,
    highlighted: bool,
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
    // A directed link names its direction: `leader-a → leader-b`.
    let label = format!(
        "link {} {} {}, {}: press to {}",
        props.names.0,
        if props.arrow.is_some() { "→" } else { "–" },
        props.names.1,
        if cut { "cut" } else { "connected" },
        if cut {
            "heal it"
        } else {
            "cut it (a partition)"
        }
    );
    let d = props.path.svg();
    // Nearer the lower end: the upper node's labels sit just below it.
    let mark = props.path.point_at(0.6);
    html! {
        <g class={classes!("link-control", props.highlighted.then_some("highlighted"))} role="button" tabindex="0" aria-label={label.clone()}
            onclick={onclick} onkeydown={onkeydown}>
            <title>{ label }</title>
            <path class={classes!("link", link_class(link.kind), cut.then_some("cut"))} d={d.clone()} />
            <path class="link-hit" {d} />
            if let Some(rim) = props.arrow {
                <path class="link-arrow" d={arrowhead(&props.path, rim)} />
            }
            if cut {
                <text class="link-cut-mark" x={svg_number(mark.x)} y={svg_number(mark.y)}
                    text-anchor="middle">{ "✕" }</text>
            }
        </g>
    }
}

/// A small triangle pointing along `path` into its end, `rim` short of it (outside the
/// receiving node's shape).
fn arrowhead(path: &LinkPath, rim: f64) -> String {
    let tip = path.between_rims(1.0, rim);
    let back = path.between_rims(0.97, rim);
    let (dx, dy) = (tip.x - back.x, tip.y - back.y);
    let length = (dx * dx + dy * dy).sqrt().max(0.001);
    let (ux, uy) = (dx / length, dy / length);
    let (size, half) = (16.0, 7.0);
    let base = Point {
        x: tip.x - ux * size,
        y: tip.y - uy * size,
    };
    let p = |x: f64, y: f64| format!("{} {}", svg_number(x), svg_number(y));
    format!(
        "M{}L{}L{}Z",
        p(tip.x, tip.y),
        p(base.x - uy * half, base.y + ux * half),
        p(base.x + uy * half, base.y - ux * half)
    )
}

fn link_class(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Replication => "link-replication",
        LinkKind::Client => "link-client",
        LinkKind::Coordination => "link-coordination",
        LinkKind::Transient => "link-transient",
    }
}
