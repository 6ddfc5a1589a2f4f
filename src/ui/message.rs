//! Messages in flight on the diagram: a glyph for each (data filled, acknowledgement hollow,
//! heartbeat a dot, client traffic a square — the shape carries the meaning, not only the
//! colour), and for the newest few a label in words, placed by [`labels::place`] so that no
//! label covers another or a node's shape or text; a label pushed away from its glyph hangs
//! on a short leader line. Where each message is on its link is the caller's (the anchors).

use replication_lab::view::labels::{self, Anchor, LabelStyle, NodeText, Placement, Rect};
use replication_lab::view::{svg_number, MessageKind, MessageView, NodeStatus, Point, View};
use yew::prelude::*;

/// Labels on a wide canvas and on a narrow one (a phone, an embed): their font in canvas
/// units, as the stylesheet's `.msg-label` and `.msg-small` set it, and how many of the
/// newest messages get one. A canvas is drawn at 12/13 of its units or more (`Frame` in
/// `cluster.rs`; compact ones at 1 or more), so 19 is 17.5 CSS pixels or more on screen — a
/// projector's back row — and 13 is 12 or more.
const LABEL: [LabelStyle; 2] = [
    LabelStyle {
        font: 19.0,
        glyph: GLYPH,
        most: 5,
    },
    LabelStyle {
        font: 13.0,
        glyph: GLYPH,
        most: 3,
    },
];
/// A canvas narrower than this (in its units) is a phone's or an embed's: small labels. Any
/// full-size frame is wider (its units are at most 13/12 of a pixel, and it is drawn 600 px
/// wide or more); a compact one as wide is a wide screen with little height.
const WIDE: f64 = 600.0;
/// The largest glyph's half-size: a label keeps clear of it.
const GLYPH: f64 = 11.0;
/// Compact, a state longer than this goes on two lines (as `node.rs` draws it).
const COMPACT_LINE_CHARS: usize = 16;

/// Where the messages are drawn: where each node's centre is on the canvas, the canvas's
/// size, whether the nodes are compact and show their format line.
pub struct Canvas<'a> {
    pub at: &'a dyn Fn(u32) -> Option<Point>,
    pub width: f64,
    pub height: f64,
    pub compact: bool,
    pub show_format: bool,
}

/// The glyphs of every message in flight, then the labels of the newest few over them.
/// `anchors` says where each of the view's messages is now (in the view's order), `None`
/// when not drawn. A function, not a component: it has no state, and its output changes
/// whenever the diagram's does.
pub fn message_layer(view: &View, anchors: &[Option<Point>], canvas: &Canvas) -> Html {
    let small = canvas.width < WIDE;
    let style = LABEL[usize::from(small)];
    let drawn: Vec<(&MessageView, Point)> = view
        .messages
        .iter()
        .zip(anchors)
        .filter_map(|(m, at)| Some((m, (*at)?)))
        .collect();
    let anchors: Vec<Anchor> = drawn
        .iter()
        .map(|(m, at)| Anchor {
            at: *at,
            text: &m.label,
        })
        .collect();
    let newest_first = newest(&drawn, &anchors, style.most);
    let bounds = Rect {
        left: 0.0,
        top: 0.0,
        right: canvas.width,
        bottom: canvas.height,
    };
    let placements = labels::place(
        &anchors,
        &newest_first,
        &node_obstacles(view, canvas),
        bounds,
        style,
    );
    // The leader lines as one path, the labels over everything else.
    let mut leaders = String::new();
    let mut texts = Vec::new();
    for ((m, _), placement) in drawn.iter().zip(placements) {
        if let Placement::Label {
            text_at, leader, ..
        } = placement
        {
            if let Some((from, to)) = leader {
                let (x1, y1) = (svg_number(from.x), svg_number(from.y));
                let (x2, y2) = (svg_number(to.x), svg_number(to.y));
                leaders.push_str(&format!("M{x1} {y1}L{x2} {y2}"));
            }
            texts.push(html! {
                <text key={m.id} class={classes!("msg-label", small.then_some("msg-small"))} x={svg_number(text_at.x)} y={svg_number(text_at.y)}>
                    { m.label.clone() }
                </text>
            });
        }
    }
    // The glyphs of a kind as one path: a frame with hundreds of messages in flight changes
    // four attributes, not hundreds of elements (the browser's style, layout and paint were
    // most of a frame's cost).
    let mut shapes: [String; 4] = Default::default();
    for (m, at) in &drawn {
        let kind = match m.kind {
            MessageKind::Data => 0,
            MessageKind::Ack => 1,
            MessageKind::Heartbeat => 2,
            MessageKind::Client => 3,
        };
        let (_, half, up, outline) = GLYPHS[kind];
        let (x, y) = (svg_number(at.x - half), svg_number(at.y - up * half));
        shapes[kind].push_str(&format!("M{x} {y}{outline}"));
    }
    html! {
        <>
            for ((class, ..), d) in GLYPHS.iter().zip(shapes) {
                <path class={*class} {d} />
            }
            <path class="msg-leader" d={leaders} />
            { for texts }
        </>
    }
}

/// The indexes of the `most` newest messages with words, newest first (by a small insertion,
/// not a sort: only a few are wanted, and a sort's code is kilobytes of the page).
fn newest(drawn: &[(&MessageView, Point)], anchors: &[Anchor], most: usize) -> Vec<usize> {
    let key = |i: usize| (drawn[i].0.sent, drawn[i].0.id);
    let mut chosen: Vec<usize> = Vec::with_capacity(most + 1);
    for i in (0..drawn.len()).filter(|&i| !anchors[i].text.is_empty()) {
        let at = chosen
            .iter()
            .position(|&c| key(i) > key(c))
            .unwrap_or(chosen.len());
        if at < most {
            chosen.insert(at, i);
            chosen.truncate(most);
        }
    }
    chosen
}

/// What the nodes draw, as boxes a label must keep off.
fn node_obstacles(view: &View, canvas: &Canvas) -> Vec<Rect> {
    let mut boxes = Vec::new();
    for node in view.nodes.iter() {
        let Some(centre) = (canvas.at)(node.id) else {
            continue;
        };
        let role = if node.status == NodeStatus::Crashed {
            "crashed"
        } else {
            node.role.text
        };
        let long = canvas.compact && node.state.chars().count() > COMPACT_LINE_CHARS;
        let text = NodeText {
            name: &node.name,
            role,
            state: &node.state,
            state_lines: if long { 2 } else { 1 },
            format: (canvas.show_format && !node.format.is_empty()).then_some(node.format.as_str()),
        };
        boxes.extend(labels::node_boxes(centre, &text, canvas.compact));
    }
    boxes
}

/// Each kind's glyph: its class, its half-size, how many half-sizes above the centre its
/// outline starts (at its left edge: 0 for a circle, 1 for the square's corner) and the
/// outline from there — data a filled circle, an acknowledgement a hollow one, a heartbeat a
/// small dot, client traffic a square.
const GLYPHS: [(&str, f64, f64, &str); 4] = [
    (
        "msg msg-data",
        10.0,
        0.0,
        "a10 10 0 1 0 20 0a10 10 0 1 0-20 0",
    ),
    ("msg msg-ack", 9.0, 0.0, "a9 9 0 1 0 18 0a9 9 0 1 0-18 0"),
    (
        "msg msg-heartbeat",
        5.0,
        0.0,
        "a5 5 0 1 0 10 0a5 5 0 1 0-10 0",
    ),
    ("msg msg-client", 9.0, 1.0, "h18v18h-18z"),
];
