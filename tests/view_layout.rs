//! The diagram's geometry over real lab runs: nodes keep their places through a failover
//! (only their shapes change), a split brain still reads, and every message in flight travels
//! along a link the view draws, which passes round the nodes it does not join.

use replication_lab::lab::{ClusterConfig, Lab, LabAction, LabSettings, Method};
use replication_lab::view::{
    layout, message_point, Drawing, LinkKind, NodeStatus, NodeView, Point, RoleKind, Room, View,
    CANVAS_HEIGHT,
};

/// The room a node takes on the full-size canvas (the UI's full-size margins).
const ROOM: Room = Room {
    radius: 60.0,
    below: 120.0,
};

fn lab(method: Method, fencing: bool, seed: u64) -> Lab {
    let mut cluster = ClusterConfig::lab_default(method);
    cluster.failover.fencing = fencing;
    Lab::new(LabSettings { seed, cluster })
}

fn node<'v>(view: &'v View, name: &str) -> &'v NodeView {
    view.nodes
        .iter()
        .find(|n| n.name == name)
        .unwrap_or_else(|| panic!("no {name} in {:?}", view.nodes))
}

fn id(lab: &Lab, name: &str) -> u32 {
    node(&lab.view(), name).id
}

fn write(lab: &mut Lab) {
    let client = id(lab, "client-1");
    lab.perform(LabAction::Sql {
        client,
        sql: "INSERT INTO orders (status) VALUES ('new')".into(),
    })
    .expect("the write is sent");
}

fn drawing(view: &View) -> Drawing {
    Drawing::new(view, layout(view), ROOM)
}

/// The views every `every` µs from now until `until`.
fn views(lab: &mut Lab, until: u64, every: u64) -> Vec<View> {
    let mut out = Vec::new();
    while lab.time() < until {
        lab.seek(lab.time() + every);
        out.push(lab.view());
    }
    out
}

/// A writable node up, other than `old`.
fn new_leader(view: &View, old: &str) -> Option<String> {
    view.nodes
        .iter()
        .find(|n| n.name != old && n.role.kind == RoleKind::Writable && n.status == NodeStatus::Up)
        .map(|n| n.name.clone())
}

#[test]
fn a_failover_changes_shapes_not_places() {
    let mut lab = lab(Method::Wal, true, 3);
    lab.seek(100_000);
    // The spare joins first: three followers in the bottom row.
    lab.perform(LabAction::Join(id(&lab, "follower-3")))
        .expect("join");
    lab.seek(3_000_000);
    write(&mut lab);
    lab.seek(3_100_000);
    let before = lab.view();
    assert_eq!(node(&before, "follower-3").role.kind, RoleKind::Replica);
    let placed_before = layout(&before);
    lab.perform(LabAction::Crash(id(&lab, "leader")))
        .expect("crash");
    let after = views(&mut lab, 15_000_000, 250_000)
        .into_iter()
        .find(|v| new_leader(v, "leader").is_some())
        .expect("a follower is promoted within 12 s");
    let promoted = new_leader(&after, "leader").expect("promoted");
    assert_eq!(
        layout(&after),
        placed_before,
        "every node where it was before {promoted} took over"
    );
    // The shapes changed: the promoted follower is drawn writable where it sat, the crashed
    // leader keeps the middle of the diagram.
    let y = |view: &View, name: &str| {
        let id = node(view, name).id;
        layout(view)
            .iter()
            .find(|(n, _)| *n == id)
            .map(|(_, p)| p.y)
    };
    assert_eq!(node(&before, &promoted).role.kind, RoleKind::Replica);
    assert_eq!(node(&after, &promoted).role.kind, RoleKind::Writable);
    assert_eq!(
        y(&after, &promoted),
        y(&after, "follower-3"),
        "still in the replicas' row"
    );
    assert!(y(&after, "leader") < y(&after, &promoted));
    // It streams to its siblings in the same row, round the one between them.
    let d = drawing(&after);
    assert_links_miss_other_nodes(&after, &d);
    // The new leader streams to both its siblings; the one past its neighbour by an arc
    // bowed outwards, under the neighbour's text.
    let arcs: Vec<&str> = after
        .links
        .iter()
        .zip(&d.paths)
        .filter(|(l, _)| l.kind == LinkKind::Replication)
        .filter_map(|(l, p)| {
            let p = p.expect("placed");
            (p.from.y == p.to.y && p.control.y > p.from.y + ROOM.below)
                .then(|| node_name(&after, l.to))
        })
        .collect();
    let far = if promoted == "follower-2" { 0 } else { 1 };
    assert_eq!(
        arcs.len(),
        far,
        "{promoted} streams along its row: arcs to {arcs:?}"
    );
}

#[test]
fn a_split_brain_still_reads_two_writable_nodes_apart() {
    let mut lab = lab(Method::Wal, false, 5);
    lab.seek(200_000);
    let placed_before = layout(&lab.view());
    let leader = id(&lab, "leader");
    for other in ["follower-1", "follower-2", "follower-3"] {
        let b = id(&lab, other);
        lab.perform(LabAction::Partition { a: leader, b })
            .expect("cut");
    }
    let view = views(&mut lab, 12_000_000, 250_000)
        .into_iter()
        .find(|v| new_leader(v, "leader").is_some())
        .expect("the followers elect a leader of their own");
    let writable: Vec<&str> = view
        .nodes
        .iter()
        .filter(|n| n.role.kind == RoleKind::Writable)
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(writable.len(), 2, "two leaders: {writable:?}");
    let placed = layout(&view);
    assert_eq!(placed, placed_before, "nobody moved");
    for (i, (_, a)) in placed.iter().enumerate() {
        for (_, b) in &placed[i + 1..] {
            assert!(
                (a.x - b.x).hypot(a.y - b.y) >= 2.0 * ROOM.radius,
                "nodes apart: {a:?} {b:?}"
            );
        }
    }
    assert_links_miss_other_nodes(&view, &drawing(&view));
}

/// No drawn link passes through a node it does not join.
fn assert_links_miss_other_nodes(view: &View, d: &Drawing) {
    for (link, path) in view.links.iter().zip(&d.paths) {
        let path = path.expect("both ends placed");
        for (other, centre) in &d.placed {
            if *other == link.from || *other == link.to {
                continue;
            }
            for i in 1..64 {
                let p = path.point_at(f64::from(i) / 64.0);
                assert!(
                    !ROOM.holds(*centre, p),
                    "at {} the link {:?} passes through {} at {p:?}",
                    view.time,
                    link,
                    node_name(view, *other)
                );
            }
        }
    }
}

fn node_name(view: &View, id: u32) -> &str {
    view.node(id).map_or("?", |n| n.name.as_str())
}

/// The distance from `p` to the drawn curve, sampled finely.
fn distance_to(path: &replication_lab::view::LinkPath, p: Point) -> f64 {
    (0..=2000)
        .map(|i| path.point_at(f64::from(i) / 2000.0))
        .map(|q| (q.x - p.x).hypot(q.y - p.y))
        .fold(f64::INFINITY, f64::min)
}

/// Every message in flight in `views` lies on a drawn link joining its two nodes; returns the
/// kinds of link the messages travelled along, with how many of each were seen.
fn assert_every_message_on_a_drawn_link(views: &[View]) -> Vec<(LinkKind, usize)> {
    let mut seen: Vec<(LinkKind, usize)> = Vec::new();
    let mut messages = 0;
    for view in views {
        let d = drawing(view);
        assert_links_miss_other_nodes(view, &d);
        for m in &view.messages {
            let at = message_point(view, &d, m, 60.0).unwrap_or_else(|| {
                panic!(
                    "at {}: {m:?} has no drawn link (links {:?})",
                    view.time, view.links
                )
            });
            let on = view
                .links
                .iter()
                .zip(&d.paths)
                .filter(|(l, _)| {
                    (l.from, l.to) == (m.from, m.to) || (l.from, l.to) == (m.to, m.from)
                })
                .find(|(_, path)| path.is_some_and(|path| distance_to(&path, at) < 0.5));
            let Some((link, _)) = on else {
                panic!("at {}: {m:?} drawn at {at:?}, off every link", view.time);
            };
            match seen.iter_mut().find(|(k, _)| *k == link.kind) {
                Some((_, n)) => *n += 1,
                None => seen.push((link.kind, 1)),
            }
            messages += 1;
        }
    }
    assert!(messages > 20, "the run had messages in flight: {messages}");
    seen
}

fn count(seen: &[(LinkKind, usize)], kind: LinkKind) -> usize {
    seen.iter().find(|(k, _)| *k == kind).map_or(0, |(_, n)| *n)
}

#[test]
fn every_message_travels_along_a_drawn_link_under_each_method() {
    for method in [
        Method::Statement {
            context_events: true,
        },
        Method::Wal,
        Method::Logical {
            image: replication_lab::replication::config::RowImage::Full,
        },
        Method::Trigger,
    ] {
        let mut lab = lab(method, true, 7);
        lab.seek(100_000);
        let mut all = Vec::new();
        for _ in 0..3 {
            write(&mut lab);
            let until = lab.time() + 60_000;
            all.extend(views(&mut lab, until, 1_000));
        }
        let seen = assert_every_message_on_a_drawn_link(&all);
        assert!(count(&seen, LinkKind::Client) > 0, "{method:?}: {seen:?}");
        assert!(
            count(&seen, LinkKind::Replication) > 0,
            "{method:?}: {seen:?}"
        );
    }
}

#[test]
fn the_base_backup_to_a_joining_spare_travels_along_a_replication_link() {
    let mut lab = lab(Method::Wal, true, 9);
    lab.seek(100_000);
    let spare = id(&lab, "follower-3");
    lab.perform(LabAction::Join(spare)).expect("join");
    let all = views(&mut lab, 1_500_000, 1_000);
    assert_every_message_on_a_drawn_link(&all);
    let leader = id(&lab, "leader");
    let backup = all
        .iter()
        .flat_map(|v| v.messages.iter().map(move |m| (v, m)))
        .filter(|(_, m)| m.from == leader && m.to == spare)
        .count();
    assert!(backup > 0, "the backup was seen in flight");
    for (view, m) in all
        .iter()
        .flat_map(|v| v.messages.iter().map(move |m| (v, m)))
        .filter(|(_, m)| m.from == leader && m.to == spare)
    {
        assert!(
            view.links
                .iter()
                .any(|l| l.from == leader && l.to == spare && l.kind == LinkKind::Replication),
            "at {}: {} travels without the replication link",
            view.time,
            m.label
        );
    }
}

#[test]
fn during_a_failover_every_message_has_a_link_the_election_a_transient_one() {
    let mut lab = lab(Method::Wal, true, 3);
    lab.seek(200_000);
    write(&mut lab);
    lab.seek(300_000);
    lab.perform(LabAction::Crash(id(&lab, "leader")))
        .expect("crash");
    let all = views(&mut lab, 6_000_000, 2_000);
    assert!(
        all.iter().any(|v| new_leader(v, "leader").is_some()),
        "a follower took over"
    );
    let seen = assert_every_message_on_a_drawn_link(&all);
    assert!(
        count(&seen, LinkKind::Transient) > 0,
        "followers asked each other how far they got: {seen:?}"
    );
    // The canvas the layout uses holds every node.
    assert!(all.iter().all(|v| layout(v)
        .iter()
        .all(|(_, p)| p.y > 0.0 && p.y < CANVAS_HEIGHT)));
}

#[test]
fn squeezed_into_a_short_frame_links_still_miss_the_other_nodes_shapes() {
    // The diagram at 1280 x 800 spreads the rows closer than the nodes' text needs: a link
    // may cross a neighbour's text there, never its shape.
    let mut lab = lab(Method::Wal, true, 3);
    lab.seek(100_000);
    lab.perform(LabAction::Crash(id(&lab, "leader")))
        .expect("crash");
    let view = views(&mut lab, 15_000_000, 250_000)
        .into_iter()
        .find(|v| new_leader(v, "leader").is_some())
        .expect("a follower is promoted");
    let squeezed: Vec<(u32, Point)> = layout(&view)
        .into_iter()
        .map(|(id, p)| {
            (
                id,
                Point {
                    x: p.x,
                    y: p.y * 0.65,
                },
            )
        })
        .collect();
    let d = Drawing::new(&view, squeezed, ROOM);
    let shape = Room {
        radius: 52.0,
        below: 0.0,
    };
    for (link, path) in view.links.iter().zip(&d.paths) {
        let path = path.expect("placed");
        for (other, centre) in &d.placed {
            if *other == link.from || *other == link.to {
                continue;
            }
            for i in 1..64 {
                let p = path.point_at(f64::from(i) / 64.0);
                assert!(
                    !shape.holds(*centre, p),
                    "{link:?} through the shape of {} at {p:?}",
                    node_name(&view, *other)
                );
            }
        }
    }
}
