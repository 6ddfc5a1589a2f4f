//! What the UI draws: a plain-data picture of the lab at one virtual time.
//!
//! A [`View`] is built by the core from its world and handed to the UI, which never reaches
//! into the world itself. Everything here is owned data (no borrows, no handles), so the UI can
//! keep it in its state, compare it, and re-render from it. Positions on screen are computed
//! here too ([`layout`]), in an abstract canvas of [`CANVAS_WIDTH`] x [`CANVAS_HEIGHT`] units,
//! so that the geometry is tested on the host like everything else: each node's place by the
//! role its configuration gave it (a failover changes shapes, not places), and each link's
//! path ([`link_path`]: straight, or an arc round the nodes it does not join).
//!
//! Messages in flight carry their send and delivery times: the UI places each one at
//! [`MessageView::progress`] of its link's path ([`message_point`]), which is what makes any
//! speed, a step back or a jump on the timeline exact.
//!
//! This module must not know about yew, the DOM or the wall clock.

pub mod labels;

/// Width of the abstract canvas the layout places nodes in.
pub const CANVAS_WIDTH: f64 = 800.0;
/// Height of the abstract canvas the layout places nodes in.
pub const CANVAS_HEIGHT: f64 = 620.0;

/// Virtual time in microseconds, as the view reports it.
pub type Micros = u64;

/// Formats virtual time the way the transport bar shows it: `10.450 s`.
pub fn format_time(t: Micros) -> String {
    format!("{}.{:03} s", t / 1_000_000, (t / 1_000) % 1_000)
}

/// The lab at one virtual time.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    /// The virtual time this view shows, in microseconds.
    pub time: Micros,
    /// Every node, in a stable order (the order they were created).
    pub nodes: Vec<NodeView>,
    /// The links the diagram draws (replication and client connections).
    pub links: Vec<LinkView>,
    /// Messages in flight at `time`.
    pub messages: Vec<MessageView>,
    /// Every pair of nodes `(a, b)`, `a < b`, that a partition cuts in at least one direction,
    /// whether or not the diagram draws a link between them.
    pub cut_pairs: Vec<(u32, u32)>,
    /// The replication family's words for what the console and the rows tab name.
    pub words: FamilyWords,
}

impl View {
    /// The node with this id, if there is one.
    pub fn node(&self, id: u32) -> Option<&NodeView> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// Whether a partition cuts `a` and `b` apart (in either direction).
    pub fn is_cut(&self, a: u32, b: u32) -> bool {
        self.cut_pairs.contains(&(a.min(b), a.max(b)))
    }

    /// The first node that takes writes, if any: the one a fresh page selects.
    pub fn first_writable(&self) -> Option<&NodeView> {
        self.nodes
            .iter()
            .find(|node| node.role.kind == RoleKind::Writable)
    }

    /// The nodes of one kind, in view order.
    pub fn of_kind(&self, kind: NodeKind) -> impl Iterator<Item = &NodeView> {
        self.nodes.iter().filter(move |node| node.kind == kind)
    }
}

/// The words a replication family uses for what every family has: where a client's statement
/// goes when the person picks no server, and which copy another's rows are compared with.
/// Single-leader says "the leader" for both; multi-leader or leaderless say their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct FamilyWords {
    /// Where a statement goes by default, as the console offers it (`the leader`).
    pub default_target: &'static str,
    /// The copy a node's rows are compared with (`the leader`).
    pub reference: &'static str,
}

/// What kind of process a node runs; decides its shape on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// A database server. Its role (see [`RoleKind`]) can change on failover.
    Database,
    /// An application client that sends SQL to the servers.
    Client,
    /// The trigger-based replication daemon that polls the leader's changelog table.
    Applier,
    /// The coordination service (etcd) that holds the leader key.
    Coordinator,
}

/// A node's part in replication, in terms every family shares. It decides the shape a node is
/// drawn with (and, as the node's configured `home`, the row); the words come with it in
/// [`RoleLabel`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleKind {
    /// Takes clients' writes and ships them on: the leader (several of them in multi-leader;
    /// every replica in leaderless). It keeps this kind while it refuses writes (fenced, or
    /// waiting to rejoin), which its state says. Drawn as a filled hexagon; at home in the
    /// middle row.
    Writable,
    /// Holds a copy and applies what writable nodes ship: a follower, a spare. Drawn as a
    /// circle; at home in the bottom row.
    Replica,
    /// Not a database: a client, the applier, a service.
    None,
}

/// A node's role as people read it: the word on its shape (`leader`, `follower`, `client`),
/// the longer name the inspector gives it, and the family-neutral [`RoleKind`] the drawing
/// follows. The family that describes the node chooses the words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleLabel {
    /// The word drawn on the node.
    pub text: &'static str,
    /// What the inspector calls it (`coordination service (leader key)`); often `text`.
    pub long: &'static str,
    pub kind: RoleKind,
}

impl RoleLabel {
    /// A role whose long name is its word.
    pub const fn new(text: &'static str, kind: RoleKind) -> RoleLabel {
        RoleLabel {
            text,
            long: text,
            kind,
        }
    }

    /// The same role with a longer name for the inspector.
    pub const fn with_long(self, long: &'static str) -> RoleLabel {
        RoleLabel { long, ..self }
    }
}

/// Something a person can do to a node, as the node offers it now. The lab turns it into its
/// action (`LabAction::on`); the UI draws a button with `text` and `hint` and never decides
/// what makes sense from the node's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeAction {
    pub command: NodeCommand,
    /// The button's word (`Promote`).
    pub text: &'static str,
    /// What it does, for the tooltip and screen readers.
    pub hint: &'static str,
}

/// The commands a node can offer. Families add theirs here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeCommand {
    /// Stop it now (destructive: drawn as a danger button).
    Crash,
    Restart,
    /// Manual failover: a replica becomes writable.
    Promote,
    /// An empty spare copies a snapshot and starts to follow.
    Join,
    /// A node that took writes steps down and follows again.
    Rejoin,
    Checkpoint,
    /// A client gives up waiting on its statements (psql's Ctrl+C).
    Cancel,
}

impl NodeCommand {
    /// Whether the command loses something (drawn so that it stands out).
    pub fn is_destructive(self) -> bool {
        self == NodeCommand::Crash
    }
}

/// Whether a node is running. Crashed nodes are drawn dashed and labelled "crashed".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeStatus {
    Up,
    Crashed,
}

/// One node as the diagram and the inspector show it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub id: u32,
    /// The name people read: `leader`, `follower-1`, `client-1`.
    pub name: String,
    pub kind: NodeKind,
    pub role: RoleLabel,
    /// The role kind the node's place on the diagram follows: the one the cluster's
    /// configuration gave it, kept through failovers (only the shape follows `role`).
    pub home: RoleKind,
    pub status: NodeStatus,
    /// A short state word under the name (`streaming`, `catching up`, `accepting writes`).
    pub state: String,
    /// The node's log position, rendered the way its replication method prints it
    /// (`0/016B37C8` for WAL, `binlog.000001:1735` for statements), or empty.
    pub position: String,
    /// The storage-format version of the node's database (`v16`), or empty.
    pub format: String,
    /// What can be done to it now, in the order the inspector shows the buttons.
    pub actions: Vec<NodeAction>,
    /// A client with statements whose answers have not arrived (in flight or waiting at a
    /// server); false for every other node.
    pub awaiting_answers: bool,
    /// A client's read-routing setting in words (`any follower`); None for other nodes.
    pub reads: Option<&'static str>,
}

impl NodeView {
    /// Whether the node offers `command` now.
    pub fn offers(&self, command: NodeCommand) -> bool {
        self.actions.iter().any(|a| a.command == command)
    }
}

/// The kind of a link between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// Leader to follower (or applier to follower): the replication stream.
    Replication,
    /// Client to the node it sends requests to.
    Client,
    /// A database server to the coordination service (the leader key).
    Coordination,
    /// A pair with messages in flight and no other link (followers asking each other how far
    /// they got in an election, a statement sent to a server the client does not use): drawn
    /// faint while the messages travel, so that every message follows a drawn link.
    Transient,
}

/// A link the diagram draws between two nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkView {
    pub from: u32,
    pub to: u32,
    pub kind: LinkKind,
    /// True while a partition cuts this link in at least one direction.
    pub cut: bool,
}

/// What a message carries; decides how it is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    /// Replication data (log records, snapshot chunks): a filled marker.
    Data,
    /// Acknowledgements: a hollow marker.
    Ack,
    /// Heartbeats and keep-alives: a small dot.
    Heartbeat,
    /// Client requests and replies.
    Client,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageView {
    pub id: u64,
    pub from: u32,
    pub to: u32,
    pub sent: Micros,
    pub delivers: Micros,
    pub kind: MessageKind,
    /// A short label drawn beside the marker (`INSERT id=8`, `ack 0/016B37C8`).
    pub label: String,
}

impl MessageView {
    /// How far along its link the message is at time `t`: 0 at its send time, 1 at delivery.
    pub fn progress(&self, t: Micros) -> f64 {
        if self.delivers <= self.sent {
            return 1.0;
        }
        let done = t.saturating_sub(self.sent) as f64 / (self.delivers - self.sent) as f64;
        done.clamp(0.0, 1.0)
    }
}

/// A point on the abstract canvas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    /// The point `distance` units from `self` towards `other` (`self` itself when they
    /// coincide).
    pub fn toward(self, other: Point, distance: f64) -> Point {
        let (dx, dy) = (other.x - self.x, other.y - self.y);
        let length = (dx * dx + dy * dy).sqrt();
        if length <= f64::EPSILON {
            return self;
        }
        let f = (distance / length).min(0.5);
        self.lerp(other, f)
    }

    /// The point a fraction `f` of the way from `self` to `other`.
    pub fn lerp(self, other: Point, f: f64) -> Point {
        Point {
            x: self.x + (other.x - self.x) * f,
            y: self.y + (other.y - self.y) * f,
        }
    }
}

/// The rows of the diagram, top to bottom. Family-neutral: a family with several writable
/// nodes puts them all in the middle row; a leaderless one has no replica row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    /// Clients, at the top.
    Clients,
    /// The nodes that take writes, in the middle.
    Writable,
    /// Services beside the writable nodes, at the right end of the middle row: the
    /// coordination service, or the applier (a hub between the leader it polls and the
    /// subscribers below it).
    Services,
    /// Replicas, at the bottom.
    Replicas,
}

impl Row {
    /// The row `node` is drawn in: by its home, not its role now, so that a failover changes
    /// shapes and never places.
    pub fn of(node: &NodeView) -> Row {
        match (node.kind, node.home) {
            (NodeKind::Client, _) => Row::Clients,
            (NodeKind::Coordinator | NodeKind::Applier, _) => Row::Services,
            (NodeKind::Database, RoleKind::Writable) => Row::Writable,
            (NodeKind::Database, _) => Row::Replicas,
        }
    }
}

/// Where each node sits on the canvas: clients in a row at the top, the nodes configured
/// writable in the middle (services at the right end of that row), replicas in a row at the
/// bottom — each by its home, so places survive a failover. Returns `(node id, centre)` in
/// view order.
pub fn layout(view: &View) -> Vec<(u32, Point)> {
    let row = |which: Row| -> Vec<&NodeView> {
        view.nodes.iter().filter(|n| Row::of(n) == which).collect()
    };
    let side = row(Row::Services);
    let mut placed = Vec::with_capacity(view.nodes.len());
    // The writable nodes share the left of the middle row with the services, if any: the
    // leader sits where it does with or without a coordination service, and not over the
    // middle replica, whose shape its text would meet where rows are drawn close.
    for (nodes, y, width, offset) in [
        (row(Row::Clients), 0.13, 1.0, 0.0),
        (row(Row::Writable), 0.42, 0.8, 0.0),
        (side, 0.42, 0.2, 0.8),
        (row(Row::Replicas), 0.74, 1.0, 0.0),
    ] {
        let count = nodes.len() as f64;
        for (i, node) in nodes.into_iter().enumerate() {
            let x = CANVAS_WIDTH * (offset + width * (i as f64 + 1.0) / (count + 1.0));
            placed.push((
                node.id,
                Point {
                    x,
                    y: CANVAS_HEIGHT * y,
                },
            ));
        }
    }
    // Keep the caller's order: the view's node order.
    placed.sort_by_key(|(id, _)| view.nodes.iter().position(|n| n.id == *id));
    placed
}

/// The length of `(dx, dy)` (`hypot` would bring its own code into the page; a diagram's
/// numbers never overflow).
fn distance(dx: f64, dy: f64) -> f64 {
    (dx * dx + dy * dy).sqrt()
}

/// The room a node takes around its centre, that links go around: its shape's radius on every
/// side, and below the centre its name, state and format lines too.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Room {
    pub radius: f64,
    pub below: f64,
}

impl Room {
    /// Whether `p` lies in the room of the node centred at `centre`: in the circle of its
    /// shape, or in the band under it that its text takes.
    pub fn holds(&self, centre: Point, p: Point) -> bool {
        let (dx, dy) = (p.x - centre.x, p.y - centre.y);
        distance(dx, dy) < self.radius || (dx.abs() < self.radius && dy >= 0.0 && dy < self.below)
    }
}

/// The path a link is drawn along and its messages travel: a quadratic curve from one node's
/// centre to another's, straight when the control point is the middle.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkPath {
    pub from: Point,
    pub control: Point,
    pub to: Point,
}

impl LinkPath {
    /// The straight path from `from` to `to`.
    pub fn straight(from: Point, to: Point) -> LinkPath {
        LinkPath {
            from,
            control: from.lerp(to, 0.5),
            to,
        }
    }

    /// The point a fraction `f` of the way along (0 at `from`, 1 at `to`).
    pub fn point_at(&self, f: f64) -> Point {
        self.from
            .lerp(self.control, f)
            .lerp(self.control.lerp(self.to, f), f)
    }

    /// The same path walked the other way.
    pub fn reversed(self) -> LinkPath {
        LinkPath {
            from: self.to,
            control: self.control,
            to: self.from,
        }
    }

    /// SVG path data: `M x y Q cx cy x y`.
    pub fn svg(&self) -> String {
        let p = |p: Point| format!("{} {}", svg_number(p.x), svg_number(p.y));
        format!("M{}Q{} {}", p(self.from), p(self.control), p(self.to))
    }

    /// Where a message `progress` of its way along is drawn: from `rim` past the start to
    /// `rim` short of the end, so it is never hidden under a node. The distances are taken
    /// along the chord: on an arc the message starts a little further out.
    pub fn between_rims(&self, progress: f64, rim: f64) -> Point {
        let length = distance(self.to.x - self.from.x, self.to.y - self.from.y);
        let start = if length > 2.0 * rim {
            rim / length
        } else {
            0.5
        };
        self.point_at(start + (1.0 - 2.0 * start) * progress.clamp(0.0, 1.0))
    }
}

/// The path of a link from `a` to `b` among the nodes `placed`, each taking `room`: straight
/// when that misses every other node, else the gentlest arc that does — bowed away from the
/// middle of the diagram if one can (a link along a row passes under its neighbours' text),
/// else towards it. The same curve either way round. `None` if either node is not placed.
pub fn link_path(placed: &[(u32, Point)], a: u32, b: u32, room: Room) -> Option<LinkPath> {
    let at = |id: u32| placed.iter().find(|(n, _)| *n == id).map(|(_, p)| *p);
    let (from, to) = (at(a)?, at(b)?);
    // How much of a path falls in other nodes' rooms: a point on a shape counts as many as a
    // whole path through text.
    let blocked = |path: &LinkPath| -> u32 {
        (1..32)
            .map(|i| {
                let p = path.point_at(f64::from(i) / 32.0);
                let cost = |&(id, c): &(u32, Point)| {
                    if id == a || id == b {
                        0
                    } else if distance(p.x - c.x, p.y - c.y) < room.radius {
                        32
                    } else {
                        u32::from(room.holds(c, p))
                    }
                };
                placed.iter().map(cost).sum::<u32>()
            })
            .sum()
    };
    let straight = LinkPath::straight(from, to);
    let length = distance(to.x - from.x, to.y - from.y);
    let mut best = (blocked(&straight), straight);
    if length == 0.0 || best.0 == 0 {
        return Some(straight);
    }
    // The unit normal pointing away from the middle of the diagram (downwards when the link
    // runs through it), whichever way round the link is asked for.
    let count = placed.len() as f64;
    let (sx, sy) = placed
        .iter()
        .fold((0.0, 0.0), |(x, y), (_, p)| (x + p.x, y + p.y));
    let mid = straight.control;
    let (mut nx, mut ny) = ((from.y - to.y) / length, (to.x - from.x) / length);
    let outwards = nx * (mid.x - sx / count) + ny * (mid.y - sy / count);
    if outwards < 0.0 || (outwards == 0.0 && ny < 0.0) {
        (nx, ny) = (-nx, -ny);
    }
    // Bows in quarter radii, up to six radii, all on the outer side first; where nodes are
    // packed too tight for any to miss them all (a small screen), the one that crosses least.
    for i in 0..48 {
        let bow = room.radius / 4.0 * f64::from(i % 24 + 1) * if i < 24 { 1.0 } else { -1.0 };
        let path = LinkPath {
            from,
            control: Point {
                x: mid.x + nx * bow,
                y: mid.y + ny * bow,
            },
            to,
        };
        let crossed = blocked(&path);
        if crossed < best.0 {
            best = (crossed, path);
            if crossed == 0 {
                break;
            }
        }
    }
    Some(best.1)
}

/// The diagram's geometry at the size it is drawn: where each node sits, and the path of each
/// of the view's links, in the order of `View::links`.
#[derive(Clone, Debug, PartialEq)]
pub struct Drawing {
    pub placed: Vec<(u32, Point)>,
    pub paths: Vec<Option<LinkPath>>,
}

impl Drawing {
    /// The paths of `view`'s links among the nodes `placed`, each taking `room`.
    pub fn new(view: &View, placed: Vec<(u32, Point)>, room: Room) -> Drawing {
        let paths = view
            .links
            .iter()
            .map(|link| link_path(&placed, link.from, link.to, room))
            .collect();
        Drawing { placed, paths }
    }

    /// Where node `id` sits.
    pub fn at(&self, id: u32) -> Option<Point> {
        self.placed.iter().find(|(n, _)| *n == id).map(|(_, p)| *p)
    }

    /// The path of the first link between `a` and `b` (either way round), walked from `a`.
    pub fn path_between(&self, view: &View, a: u32, b: u32) -> Option<LinkPath> {
        view.links.iter().zip(&self.paths).find_map(|(link, path)| {
            let path = (*path)?;
            match (link.from, link.to) {
                (from, to) if (from, to) == (a, b) => Some(path),
                (from, to) if (from, to) == (b, a) => Some(path.reversed()),
                _ => None,
            }
        })
    }
}

/// Where `message` is drawn at the view's time: along the drawn link between its two nodes,
/// from the sender's `rim` to the receiver's. `None` when no drawn link joins them.
pub fn message_point(
    view: &View,
    drawing: &Drawing,
    message: &MessageView,
    rim: f64,
) -> Option<Point> {
    let path = drawing.path_between(view, message.from, message.to)?;
    Some(path.between_rims(message.progress(view.time), rim))
}

/// A coordinate for SVG, to a tenth (`-26.5`, `76`), written with integer arithmetic: the
/// float formatter is kilobytes of code in the page, and a diagram needs no more precision.
pub fn svg_number(value: f64) -> String {
    let tenths = (value * 10.0).round();
    // Saturates for the absurd; a coordinate is never near i64's range.
    let tenths = tenths as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let (whole, tenth) = (tenths.unsigned_abs() / 10, tenths.unsigned_abs() % 10);
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn svg_numbers_are_tenths_without_the_float_formatter() {
        assert_eq!(super::svg_number(76.0), "76");
        assert_eq!(super::svg_number(-26.04), "-26");
        assert_eq!(super::svg_number(45.033), "45");
        assert_eq!(super::svg_number(49.45), "49.5");
        assert_eq!(super::svg_number(-0.04), "0");
        assert_eq!(super::svg_number(-16.1), "-16.1");
        assert_eq!(super::svg_number(0.5), "0.5");
    }

    use super::*;

    fn node(id: u32, kind: NodeKind, role: RoleKind) -> NodeView {
        NodeView {
            id,
            name: format!("n{id}"),
            kind,
            role: RoleLabel::new("", role),
            home: role,
            status: NodeStatus::Up,
            state: String::new(),
            position: String::new(),
            format: String::new(),
            actions: vec![],
            awaiting_answers: false,
            reads: None,
        }
    }

    fn view_of(nodes: Vec<NodeView>) -> View {
        View {
            time: 0,
            nodes,
            links: vec![],
            messages: vec![],
            cut_pairs: vec![],
            words: FamilyWords::default(),
        }
    }

    fn message(sent: Micros, delivers: Micros) -> MessageView {
        MessageView {
            id: 1,
            from: 0,
            to: 1,
            sent,
            delivers,
            kind: MessageKind::Data,
            label: String::new(),
        }
    }

    #[test]
    fn progress_interpolates_between_send_and_delivery() {
        let m = message(1_000, 3_000);
        assert_eq!(m.progress(0), 0.0);
        assert_eq!(m.progress(1_000), 0.0);
        assert_eq!(m.progress(2_000), 0.5);
        assert_eq!(m.progress(3_000), 1.0);
        assert_eq!(m.progress(9_000), 1.0);
        assert_eq!(message(5, 5).progress(0), 1.0);
    }

    #[test]
    fn layout_puts_clients_above_writable_nodes_above_replicas() {
        let view = view_of(vec![
            node(0, NodeKind::Database, RoleKind::Writable),
            node(1, NodeKind::Database, RoleKind::Replica),
            node(2, NodeKind::Database, RoleKind::Replica),
            node(3, NodeKind::Client, RoleKind::None),
        ]);
        let placed = layout(&view);
        let ids: Vec<u32> = placed.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![0, 1, 2, 3], "layout keeps the view's order");
        let y = |id: u32| placed.iter().find(|(n, _)| *n == id).map(|(_, p)| p.y);
        assert!(y(3) < y(0) && y(0) < y(1));
        assert_eq!(y(1), y(2));
        let x1 = placed[1].1.x;
        let x2 = placed[2].1.x;
        assert!(x1 < x2, "followers spread left to right");
        for (_, p) in &placed {
            assert!(p.x > 0.0 && p.x < CANVAS_WIDTH && p.y > 0.0 && p.y < CANVAS_HEIGHT);
        }
    }

    #[test]
    fn the_coordination_service_sits_right_of_the_leader_in_its_row() {
        let view = view_of(vec![
            node(0, NodeKind::Database, RoleKind::Writable),
            node(1, NodeKind::Database, RoleKind::Replica),
            node(2, NodeKind::Client, RoleKind::None),
            node(3, NodeKind::Coordinator, RoleKind::None),
        ]);
        let placed = layout(&view);
        let at = |id: u32| {
            placed
                .iter()
                .find(|(n, _)| *n == id)
                .map(|(_, p)| *p)
                .unwrap()
        };
        assert_eq!(at(3).y, at(0).y, "same row as the leader");
        assert!(at(3).x > at(0).x + 200.0, "well to its right: {:?}", at(3));
        assert!(at(3).x < CANVAS_WIDTH);
    }

    #[test]
    fn several_writable_nodes_share_the_middle_row() {
        // Multi-leader: two writable nodes side by side, their replicas below, no leader
        // singled out.
        let view = view_of(vec![
            node(0, NodeKind::Database, RoleKind::Writable),
            node(1, NodeKind::Database, RoleKind::Writable),
            node(2, NodeKind::Database, RoleKind::Replica),
            node(3, NodeKind::Client, RoleKind::None),
        ]);
        let placed = layout(&view);
        let at = |id: u32| placed[id as usize].1;
        assert_eq!(at(0).y, at(1).y);
        assert!(at(0).x < at(1).x);
        assert!(at(3).y < at(0).y && at(0).y < at(2).y);
        assert_eq!(view.first_writable().map(|n| n.id), Some(0));
    }

    const ROOM: Room = Room {
        radius: 60.0,
        below: 120.0,
    };

    fn p(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn a_link_along_a_row_arcs_outwards_under_its_neighbour_the_same_either_way() {
        // Three replicas in the bottom row, a writable node above them.
        let placed = vec![
            (0, p(400.0, 200.0)),
            (1, p(200.0, 450.0)),
            (2, p(400.0, 450.0)),
            (3, p(600.0, 450.0)),
        ];
        let next = link_path(&placed, 1, 2, ROOM).unwrap();
        assert_eq!(next, LinkPath::straight(p(200.0, 450.0), p(400.0, 450.0)));
        let past = link_path(&placed, 1, 3, ROOM).unwrap();
        let under = past.point_at(0.5);
        assert!(
            under.y > 450.0 + ROOM.below,
            "below the neighbour's text: {under:?}"
        );
        assert_eq!(link_path(&placed, 3, 1, ROOM), Some(past.reversed()));
        assert!((1..20).all(|i| !ROOM.holds(p(400.0, 450.0), past.point_at(f64::from(i) / 20.0))));
        assert_eq!(link_path(&placed, 1, 9, ROOM), None, "no such node");
    }

    #[test]
    fn a_message_goes_from_rim_to_rim_along_its_path() {
        let path = LinkPath::straight(p(0.0, 0.0), p(200.0, 0.0));
        assert_eq!(path.between_rims(0.0, 50.0), p(50.0, 0.0));
        assert_eq!(path.between_rims(1.0, 50.0), p(150.0, 0.0));
        assert_eq!(path.between_rims(0.5, 50.0), p(100.0, 0.0));
        assert_eq!(path.svg(), "M0 0Q100 0 200 0");
        let arc = LinkPath {
            control: p(100.0, 100.0),
            ..path
        };
        assert_eq!(arc.point_at(0.5), p(100.0, 50.0));
    }

    #[test]
    fn toward_stops_at_the_distance_and_never_past_the_middle() {
        let (a, b) = (Point { x: 0.0, y: 0.0 }, Point { x: 100.0, y: 0.0 });
        assert_eq!(a.toward(b, 10.0), Point { x: 10.0, y: 0.0 });
        assert_eq!(a.toward(b, 80.0), Point { x: 50.0, y: 0.0 });
        assert_eq!(a.toward(a, 10.0), a);
    }

    #[test]
    fn time_formats_as_seconds_with_milliseconds() {
        assert_eq!(format_time(10_450_123), "10.450 s");
        assert_eq!(format_time(0), "0.000 s");
    }
}
