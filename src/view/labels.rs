//! Where the labels of messages in flight go on the diagram, so that a class can read them:
//! the newest few messages get a label beside their glyph (or, when every spot beside it is
//! taken, a little further away with a short leader line); the rest are glyphs only. A label
//! never covers another label, a node's shape or a node's text, and stays on the canvas.
//!
//! Pure geometry on the layout's canvas (its units, not pixels), tested on the host: text is
//! measured by its character count and font size, generously, so that what the browser draws
//! fits inside the boxes placed here. It must not know about yew or the DOM; where the nodes
//! draw their text is mirrored from `src/ui/node.rs` in [`node_boxes`].

use super::Point;

/// A box on the canvas: `left <= right`, `top <= bottom`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Rect {
    /// The box of `width` x `height` centred on `(x, y)`.
    pub fn centred(x: f64, y: f64, width: f64, height: f64) -> Rect {
        Rect {
            left: x - width / 2.0,
            top: y - height / 2.0,
            right: x + width / 2.0,
            bottom: y + height / 2.0,
        }
    }

    /// Whether the two boxes share any area (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    /// Whether `self` lies wholly inside `outer`.
    pub fn inside(&self, outer: &Rect) -> bool {
        self.left >= outer.left
            && self.right <= outer.right
            && self.top >= outer.top
            && self.bottom <= outer.bottom
    }

    /// The point of the box nearest to `p` (`p` itself when inside).
    pub fn nearest(&self, p: Point) -> Point {
        Point {
            // Not `clamp`: its panic message would bring float formatting into the page.
            x: p.x.max(self.left).min(self.right),
            y: p.y.max(self.top).min(self.bottom),
        }
    }
}

/// How wide a character is, in ems, at most for the text the diagram draws: monospace
/// (DejaVu Sans Mono is 0.60), and the proportional faces' lower case and digits (DejaVu Sans
/// digits are 0.64, bold a little wider).
const MONO_EM: f64 = 0.62;
const SANS_EM: f64 = 0.64;
const SANS_BOLD_EM: f64 = 0.7;
/// A line's box from its baseline: the ascent above it and the descent below, in ems.
const ASCENT: f64 = 0.95;
const DESCENT: f64 = 0.27;

/// What a node draws besides its shape, as `src/ui/node.rs` and the stylesheet draw it.
#[derive(Clone, Copy, Debug)]
pub struct NodeText<'a> {
    pub name: &'a str,
    pub role: &'a str,
    /// The state, and how many lines it takes (two when compact and long).
    pub state: &'a str,
    pub state_lines: usize,
    /// The storage format, when its line is drawn (`v16`, drawn as `storage v16`).
    pub format: Option<&'a str>,
}

/// The two boxes a node at `centre` covers: its shape with the role word inside it, and the
/// lines under it (name, state, format), as wide as the widest. Full size: radius 52, role 17
/// (bold) at 6 below the centre, name 19 (bold) at 76, state 15 at 96, format 14 (monospace)
/// at 114; compact, the shape is 31 and the lines move up (role 12, name 13 at 47, state 12 at
/// 61 and 75, format 12 at 75 or 89).
pub fn node_boxes(centre: Point, text: &NodeText, compact: bool) -> [Rect; 2] {
    let (x, y) = (centre.x, centre.y);
    let [radius, role, name_at, name, state_at, state, format, step] = if compact {
        [31.0, 12.0, 47.0, 13.0, 61.0, 12.0, 12.0, 14.0]
    } else {
        [52.0, 17.0, 76.0, 19.0, 96.0, 15.0, 14.0, 18.0]
    };
    let width = |chars: usize, font: f64, em: f64| chars as f64 * font * em;
    let count = |s: &str| s.chars().count();
    let lines = text.state_lines.max(1);
    let mut wide = width(count(text.name), name, SANS_BOLD_EM).max(width(
        count(text.state).div_ceil(lines) + 1,
        state,
        SANS_EM,
    ));
    // The last line's baseline: the state's last line, or the format line under it.
    let mut last = (state_at + step * (lines - 1) as f64, state);
    if let Some(f) = text.format {
        wide = wide.max(width(count(f) + 8, format, MONO_EM));
        last = (last.0 + step, format);
    }
    // The role word may be wider than the shape (`coordinator`, whose tag is as wide as it).
    let shape = (2.0 * radius).max(width(count(text.role), role, SANS_BOLD_EM)) + 6.0;
    [
        Rect::centred(x, y, shape, 2.0 * radius + 6.0),
        Rect {
            left: x - wide / 2.0,
            top: y + name_at - ASCENT * name,
            right: x + wide / 2.0,
            bottom: y + last.0 + DESCENT * last.1,
        },
    ]
}

/// How labels are drawn: their font (canvas units, monospace), the glyphs' radius (a label
/// keeps clear of its glyph) and how many of the newest messages may have one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelStyle {
    pub font: f64,
    pub glyph: f64,
    pub most: usize,
}

/// A message to label: where its glyph is, and its words (empty: a glyph only).
#[derive(Clone, Copy, Debug)]
pub struct Anchor<'a> {
    pub at: Point,
    pub text: &'a str,
}

/// Where a message's label goes, or that it has none.
#[derive(Clone, Debug, PartialEq)]
pub enum Placement {
    /// A glyph only: no words, not among the newest, or no room.
    Glyph,
    /// The label's text starts at `text_at` (its baseline), inside `rect`; `leader` is the
    /// line from the glyph to the label when it is not right beside it.
    Label {
        text_at: Point,
        rect: Rect,
        leader: Option<(Point, Point)>,
    },
}

/// The label boxes a message at `at` may take, best first: right beside it (right, left,
/// above, below, the four diagonals), then further out to the sides, above and below with a
/// leader line.
fn candidates(at: Point, width: f64, height: f64, gap: f64) -> impl Iterator<Item = (Rect, bool)> {
    // (horizontal, vertical): -1 left or above, 0 centred, 1 right or below; the same
    // directions beside the glyph and further out.
    const DIRECTIONS: [(f64, f64); 8] = [
        (1.0, 0.0),
        (-1.0, 0.0),
        (0.0, -1.0),
        (0.0, 1.0),
        (1.0, -1.0),
        (1.0, 1.0),
        (-1.0, -1.0),
        (-1.0, 1.0),
    ];
    let beside = DIRECTIONS.iter().map(|&hv| (hv, 0.0));
    let away = (1..=4).flat_map(|step| DIRECTIONS.iter().map(move |&hv| (hv, f64::from(step))));
    beside.chain(away).map(move |((h, v), step)| {
        // Diagonals come a little nearer, as a circle would.
        let g = if h != 0.0 && v != 0.0 { gap * 0.7 } else { gap };
        // Out to the side (a row of nodes often leaves room there), or above and below.
        let aside = if v == 0.0 { step * 40.0 } else { 0.0 };
        let left = at.x - width / 2.0 + h * (width / 2.0 + g + aside);
        let top = at.y - height / 2.0 + v * (height / 2.0 + g + step * (height + 6.0));
        let rect = Rect {
            left,
            top,
            right: left + width,
            bottom: top + height,
        };
        (rect, step > 0.0)
    })
}

/// Whether the leader line from `from` to `to` runs over a node's box (one the message itself
/// sits in aside): sampled every few units, which is finer than any text line.
fn crosses(from: Point, to: Point, obstacles: &[Rect]) -> bool {
    let inside =
        |r: &Rect, p: Point| p.x > r.left && p.x < r.right && p.y > r.top && p.y < r.bottom;
    let steps = ((to.x - from.x).abs() + (to.y - from.y).abs()) / 4.0;
    (1..=steps as usize).any(|k| {
        let p = from.lerp(to, k as f64 / steps);
        obstacles.iter().any(|r| inside(r, p) && !inside(r, from))
    })
}

/// Places the labels of `anchors` on a canvas of `bounds`, around the `obstacles` (the nodes'
/// boxes): `newest_first` lists the anchors' indexes from the newest message; the first
/// `style.most` of them with words get a label where one fits. Returns one placement per
/// anchor, in the anchors' order. No two labels overlap; none overlaps an obstacle, the glyph
/// of a labelled message, or leaves the bounds; no leader line runs over an obstacle.
pub fn place(
    anchors: &[Anchor],
    newest_first: &[usize],
    obstacles: &[Rect],
    bounds: Rect,
    style: LabelStyle,
) -> Vec<Placement> {
    let mut placements = vec![Placement::Glyph; anchors.len()];
    let chosen: Vec<usize> = newest_first
        .iter()
        .copied()
        .filter(|&i| anchors.get(i).is_some_and(|a| !a.text.is_empty()))
        .take(style.most)
        .collect();
    // The glyphs of the labelled messages stay visible: no label covers them.
    let glyph = |i: usize| {
        let at = anchors[i].at;
        Rect::centred(at.x, at.y, 2.0 * style.glyph, 2.0 * style.glyph)
    };
    let mut taken: Vec<Rect> = obstacles.to_vec();
    taken.extend(chosen.iter().map(|&i| glyph(i)));
    let height = (ASCENT + DESCENT) * style.font;
    let gap = style.glyph + 3.0;
    for &i in &chosen {
        let anchor = anchors[i];
        let width = anchor.text.chars().count() as f64 * style.font * MONO_EM;
        let own = glyph(i);
        let free = candidates(anchor.at, width, height, gap).find(|(rect, displaced)| {
            rect.inside(&bounds)
                && taken.iter().all(|t| *t == own || !rect.overlaps(t))
                && !(*displaced && crosses(anchor.at, rect.nearest(anchor.at), obstacles))
        });
        if let Some((rect, displaced)) = free {
            let leader = displaced.then(|| (anchor.at, rect.nearest(anchor.at)));
            placements[i] = Placement::Label {
                text_at: Point {
                    x: rect.left,
                    y: rect.top + ASCENT * style.font,
                },
                rect,
                leader,
            };
            taken.push(rect);
        }
    }
    placements
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLE: LabelStyle = LabelStyle {
        font: 19.0,
        glyph: 11.0,
        most: 5,
    };
    const CANVAS: Rect = Rect {
        left: 0.0,
        top: 0.0,
        right: 800.0,
        bottom: 620.0,
    };

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    /// A seeded sequence of points on the canvas (a tiny LCG: the test needs no RNG crate).
    fn scattered(seed: u64, count: usize) -> Vec<Point> {
        let mut state = seed;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as f64 / (1u64 << 31) as f64
        };
        (0..count)
            .map(|_| p(next() * 800.0, next() * 620.0))
            .collect()
    }

    fn labelled(placements: &[Placement]) -> Vec<Rect> {
        placements
            .iter()
            .filter_map(|pl| match pl {
                Placement::Label { rect, .. } => Some(*rect),
                Placement::Glyph => None,
            })
            .collect()
    }

    fn the_default_nodes() -> Vec<Rect> {
        let texts = [
            (p(400.0, 80.0), "client-1", "client", "idle", None),
            (
                p(200.0, 260.0),
                "leader",
                "leader",
                "accepting writes",
                Some("v16"),
            ),
            (
                p(200.0, 460.0),
                "follower-1",
                "follower",
                "streaming",
                Some("v16"),
            ),
            (
                p(400.0, 460.0),
                "follower-2",
                "follower",
                "2 behind",
                Some("v16"),
            ),
            (
                p(600.0, 460.0),
                "follower-3",
                "follower",
                "catching up",
                Some("v16"),
            ),
        ];
        texts
            .iter()
            .flat_map(|&(at, name, role, state, format)| {
                let text = NodeText {
                    name,
                    role,
                    state,
                    state_lines: 1,
                    format,
                };
                node_boxes(at, &text, false)
            })
            .collect()
    }

    /// Every promise of [`place`] on one input.
    fn assert_sound(anchors: &[Anchor], placements: &[Placement], obstacles: &[Rect]) {
        assert_eq!(placements.len(), anchors.len());
        for placement in placements {
            if let Placement::Label {
                leader: Some((from, to)),
                ..
            } = placement
            {
                for o in obstacles.iter().filter(|o| o.nearest(*from) != *from) {
                    for k in 0..=100 {
                        let p = from.lerp(*to, k as f64 / 100.0);
                        let inside = p.x > o.left + 1.0
                            && p.x < o.right - 1.0
                            && p.y > o.top + 1.0
                            && p.y < o.bottom - 1.0;
                        assert!(!inside, "the leader line {from:?}-{to:?} runs over {o:?}");
                    }
                }
            }
        }
        let rects = labelled(placements);
        assert!(rects.len() <= STYLE.most, "{} labels", rects.len());
        for (i, a) in rects.iter().enumerate() {
            assert!(a.inside(&CANVAS), "{a:?} leaves the canvas");
            for b in &rects[i + 1..] {
                assert!(!a.overlaps(b), "labels {a:?} and {b:?} overlap");
            }
            for o in obstacles {
                assert!(!a.overlaps(o), "label {a:?} covers node box {o:?}");
            }
        }
        for (anchor, placement) in anchors.iter().zip(placements) {
            if anchor.text.is_empty() {
                assert_eq!(*placement, Placement::Glyph, "no words, no label");
            }
            if let Placement::Label { rect, text_at, .. } = placement {
                let width = anchor.text.chars().count() as f64 * STYLE.font * MONO_EM;
                assert!(
                    (rect.right - rect.left - width).abs() < 1e-9,
                    "the box fits the words"
                );
                assert!(text_at.x == rect.left && text_at.y > rect.top && text_at.y < rect.bottom);
            }
        }
    }

    #[test]
    fn a_lone_message_is_labelled_right_beside_its_glyph() {
        let anchors = [Anchor {
            at: p(300.0, 360.0),
            text: "WAL 0/0100018D",
        }];
        let placed = place(&anchors, &[0], &the_default_nodes(), CANVAS, STYLE);
        let Placement::Label { rect, leader, .. } = &placed[0] else {
            panic!("no label: {placed:?}");
        };
        assert_eq!(*leader, None);
        assert!(
            rect.left >= 300.0 + STYLE.glyph,
            "to the right of the glyph: {rect:?}"
        );
        assert_sound(&anchors, &placed, &the_default_nodes());
    }

    #[test]
    fn many_messages_at_one_spot_get_distinct_labels_or_none() {
        let texts = [
            "WAL 0/0100018D",
            "ack: flushed 0/0100018D",
            "INSERT 0 1",
            "x",
            "WAL 0/01000200",
            "",
            "sl_log 3 rows",
        ];
        let anchors: Vec<Anchor> = texts
            .iter()
            .map(|t| Anchor {
                at: p(300.0, 360.0),
                text: t,
            })
            .collect();
        let order: Vec<usize> = (0..anchors.len()).collect();
        let placed = place(&anchors, &order, &the_default_nodes(), CANVAS, STYLE);
        assert_sound(&anchors, &placed, &the_default_nodes());
        // Some are pushed out along a leader line, which starts at their glyph.
        let leaders: Vec<_> = placed
            .iter()
            .filter_map(|pl| match pl {
                Placement::Label {
                    leader: Some(l), ..
                } => Some(*l),
                _ => None,
            })
            .collect();
        assert!(
            !leaders.is_empty(),
            "a crowd needs leader lines: {placed:?}"
        );
        assert!(leaders.iter().all(|(from, _)| *from == p(300.0, 360.0)));
        assert_eq!(
            labelled(&placed).len(),
            STYLE.most,
            "room for the newest five"
        );
    }

    #[test]
    fn only_the_newest_few_are_labelled_in_their_order() {
        let points = scattered(7, 40);
        let anchors: Vec<Anchor> = points
            .iter()
            .map(|&at| Anchor {
                at,
                text: "ack: flushed 0/01000753",
            })
            .collect();
        // Newest first: the last anchors are the newest.
        let order: Vec<usize> = (0..anchors.len()).rev().collect();
        let placed = place(&anchors, &order, &[], CANVAS, STYLE);
        assert_sound(&anchors, &placed, &[]);
        for (i, pl) in placed.iter().enumerate() {
            if matches!(pl, Placement::Label { .. }) {
                assert!(
                    i >= anchors.len() - STYLE.most,
                    "an old message (#{i}) got a label"
                );
            }
        }
        assert!(
            matches!(placed[39], Placement::Label { .. }),
            "the newest always fits on an empty canvas"
        );
    }

    #[test]
    fn crowded_random_scenes_never_overlap() {
        let nodes = the_default_nodes();
        let words = [
            "WAL 0/0100018D",
            "ack: applied 0/01000753",
            "INSERT 0 1",
            "start streaming at 0/01000000",
            "base backup 2/3",
            "",
        ];
        let mut shown = 0;
        for seed in 0..300 {
            let points = scattered(seed, 12 + (seed as usize % 40));
            let anchors: Vec<Anchor> = points
                .iter()
                .enumerate()
                .map(|(i, &at)| Anchor {
                    at,
                    text: words[(i + seed as usize) % words.len()],
                })
                .collect();
            let order: Vec<usize> = (0..anchors.len()).collect();
            let placed = place(&anchors, &order, &nodes, CANVAS, STYLE);
            assert_sound(&anchors, &placed, &nodes);
            shown += labelled(&placed).len();
        }
        // Not sound by showing nothing: most of the newest five find a spot.
        assert!(shown > 300 * 3, "{shown} labels in 300 scenes");
    }

    #[test]
    fn a_message_inside_a_node_box_still_never_covers_the_node() {
        let nodes = the_default_nodes();
        // Just under the leader's shape, among its text lines.
        let anchors = [Anchor {
            at: p(200.0, 330.0),
            text: "WAL 0/0100018D",
        }];
        let placed = place(&anchors, &[0], &nodes, CANVAS, STYLE);
        assert_sound(&anchors, &placed, &nodes);
    }

    #[test]
    fn node_boxes_cover_the_shape_and_every_line() {
        let text = NodeText {
            name: "follower-1",
            role: "coordinator",
            state: "catching up, 3 behind",
            state_lines: 2,
            format: Some("v16"),
        };
        let [shape, lines] = node_boxes(p(100.0, 100.0), &text, false);
        assert!(
            shape.left <= 48.0 && shape.right >= 152.0,
            "the shape's radius is 52"
        );
        assert!(
            shape.right - shape.left >= 11.0 * 17.0 * 0.6,
            "the role word is wider"
        );
        assert!(lines.top <= 176.0 - 19.0 * 0.75, "the name's capitals");
        // Two state lines of 15 and the format line of 14 under them.
        assert!(lines.bottom >= 100.0 + 96.0 + 18.0 * 2.0);
        assert!(
            lines.right - lines.left >= 11.0 * 15.0 * 0.6,
            "half the state, and more"
        );
        let [_, compact] = node_boxes(p(100.0, 100.0), &text, true);
        assert!(compact.bottom < lines.bottom, "compact nodes are shorter");
        assert!(
            compact.bottom >= 100.0 + 89.0,
            "compact: the format under two state lines"
        );
    }
}
