//! Turns the world of a running cluster into the [`View`] the UI draws: each node's role,
//! state, log position and the actions it offers now, the links between them, and the
//! messages in flight with labels.
//!
//! A thin mapping: what a family's nodes are, say and offer is the family's
//! ([`crate::replication::family`] picks it; single-leader's is
//! `replication/single_leader/describe.rs`); this module adds what every node has (crash,
//! restart, a client's wait and cancel, positions, cut links) and translates to the view's
//! types. Reads the world; never changes it.

use crate::replication::config::Method;
use crate::replication::family::{self, Command, Description};
use crate::replication::messages::{ClientMsg, Msg};
use crate::replication::node::LabNode;
use crate::replication::render::format_position;
use crate::replication::server::Server;
use crate::sim::{NodeId, NodeStatus as SimStatus, World};
use crate::view::{
    FamilyWords, LinkKind, LinkView, MessageKind, MessageView, NodeAction, NodeCommand, NodeKind,
    NodeStatus, NodeView, RoleKind, RoleLabel, View,
};

/// The view of `world` now.
pub fn view(world: &World<LabNode>, method: Method) -> View {
    let mut nodes = Vec::new();
    let mut links = Vec::new();
    let cut = |a: NodeId, b: NodeId| {
        let one = world.network().link(a, b).is_some_and(|l| l.cut);
        let other = world.network().link(b, a).is_some_and(|l| l.cut);
        one || other
    };
    for node in world.nodes() {
        let status = match node.status {
            SimStatus::Up => NodeStatus::Up,
            SimStatus::Crashed => NodeStatus::Crashed,
        };
        let id = node.id.0;
        let family = family::describe(world, node.id);
        if let Some(described) = &family {
            links.extend(described.links.iter().map(|link| LinkView {
                from: link.from.0,
                to: link.to.0,
                kind: match link.kind {
                    family::LinkKind::Replication => LinkKind::Replication,
                    family::LinkKind::Coordination => LinkKind::Coordination,
                },
                cut: cut(link.from, link.to),
            }));
        }
        let (kind, position, format) = match node.process {
            LabNode::Server(server) => (
                NodeKind::Database,
                match method {
                    Method::Trigger => String::new(),
                    _ => format_position(method, server.disk.end_of(server.disk.applied)),
                },
                format!("v{}", server.disk.db.format().number()),
            ),
            LabNode::Client(client) => {
                links.push(LinkView {
                    from: id,
                    to: client.router.target().0,
                    kind: LinkKind::Client,
                    cut: cut(node.id, client.router.target()),
                });
                (NodeKind::Client, String::new(), String::new())
            }
            LabNode::Coordinator(_) => (NodeKind::Coordinator, String::new(), String::new()),
            LabNode::Applier(_) => (NodeKind::Applier, String::new(), String::new()),
        };
        let awaiting_answers =
            matches!(node.process, LabNode::Client(client) if !client.outstanding.is_empty());
        let reads = node.process.as_client().map(|c| c.reads.routing.label());
        let home = family
            .as_ref()
            .map_or(RoleKind::None, |d| role_kind(d.home));
        let (role, state, mut actions) = match (family, node.process) {
            (Some(described), _) => family_node(described),
            (None, LabNode::Client(client)) => {
                let wait = client_wait(world, node.name);
                // Cancel is offered only while a statement waits at a server (a row lock, a
                // synchronous standby): a statement merely in flight has nothing to cancel.
                let actions = match (&wait, client.outstanding.is_empty()) {
                    (Some(_), false) => vec![CANCEL],
                    _ => vec![],
                };
                let state = match (client.outstanding.len(), wait) {
                    (0, _) => "idle".to_string(),
                    (_, Some(why)) => format!("waiting for {why}"),
                    (1, None) => "waiting for 1 answer".to_string(),
                    (n, None) => format!("waiting for {n} answers"),
                };
                (RoleLabel::new("client", RoleKind::None), state, actions)
            }
            // A node no family describes and that is no client: nothing to say of it.
            (None, _) => (RoleLabel::new("", RoleKind::None), String::new(), vec![]),
        };
        // Every node can be crashed and restarted; what it offers besides only while up.
        match status {
            NodeStatus::Crashed => actions = vec![RESTART],
            NodeStatus::Up => actions.insert(0, CRASH),
        }
        nodes.push(NodeView {
            id,
            name: node.name.to_string(),
            kind,
            role,
            home,
            status,
            state,
            position,
            format,
            actions,
            awaiting_answers,
            reads,
        });
    }
    let messages: Vec<MessageView> = world
        .in_flight()
        .map(|m| {
            let sender = world.node(m.from).and_then(LabNode::as_server);
            let (kind, label) = describe_message(&m.msg, method, sender);
            MessageView {
                id: m.id.0,
                from: m.from.0,
                to: m.to.0,
                sent: m.sent_at.as_micros(),
                delivers: m.deliver_at.as_micros(),
                kind,
                label,
            }
        })
        .collect();
    transient_links(&mut links, &messages, cut);
    let count = world.node_count() as u32;
    let cut_pairs = (0..count)
        .flat_map(|a| ((a + 1)..count).map(move |b| (a, b)))
        .filter(|&(a, b)| cut(NodeId(a), NodeId(b)))
        .collect();
    let words = family::words(world);
    View {
        time: world.now().as_micros(),
        nodes,
        links,
        messages,
        cut_pairs,
        words: FamilyWords {
            default_target: words.default_target,
            reference: words.reference,
        },
    }
}

/// A faint link for each pair of nodes with messages in flight and no link yet (an election's
/// questions, a statement to a server the client does not use): every message travels along
/// a drawn link.
fn transient_links(
    links: &mut Vec<LinkView>,
    messages: &[MessageView],
    cut: impl Fn(NodeId, NodeId) -> bool,
) {
    for m in messages {
        let joined =
            |l: &LinkView| (l.from, l.to) == (m.from, m.to) || (l.to, l.from) == (m.from, m.to);
        if !links.iter().any(joined) {
            links.push(LinkView {
                from: m.from,
                to: m.to,
                kind: LinkKind::Transient,
                cut: cut(NodeId(m.from), NodeId(m.to)),
            });
        }
    }
}

/// The view's role kind for a family's.
fn role_kind(kind: family::RoleKind) -> RoleKind {
    match kind {
        family::RoleKind::Writable => RoleKind::Writable,
        family::RoleKind::Replica => RoleKind::Replica,
        family::RoleKind::None => RoleKind::None,
    }
}

/// A family's description of a node in the view's terms: its role label, state and the
/// actions it offers (without crash and restart, which every node has).
fn family_node(described: Description) -> (RoleLabel, String, Vec<NodeAction>) {
    let kind = role_kind(described.role.kind);
    let role = RoleLabel::new(described.role.text, kind).with_long(described.role.long);
    let actions = described
        .offers
        .iter()
        .map(|offer| NodeAction {
            command: node_command(offer.command),
            text: offer.text,
            hint: offer.hint,
        })
        .collect();
    (role, described.state, actions)
}

/// The view's command for a family's.
fn node_command(command: Command) -> NodeCommand {
    match command {
        Command::Promote => NodeCommand::Promote,
        Command::Join => NodeCommand::Join,
        Command::Rejoin => NodeCommand::Rejoin,
        Command::Checkpoint => NodeCommand::Checkpoint,
    }
}

const CRASH: NodeAction = NodeAction {
    command: NodeCommand::Crash,
    text: "Crash",
    hint: "stop it now: what was only in memory is lost",
};
const RESTART: NodeAction = NodeAction {
    command: NodeCommand::Restart,
    text: "Restart",
    hint: "start it again from what it had on disk",
};
const CANCEL: NodeAction = NodeAction {
    command: NodeCommand::Cancel,
    text: "Cancel the wait",
    hint: "psql's Ctrl+C: a commit held for a synchronous standby returns with a warning",
};

/// What `client`'s session waits for on a running server, if it waits there: another
/// transaction's row lock, or its own commit's synchronous standby (the wait events
/// `pg_stat_activity` shows).
fn client_wait(world: &World<LabNode>, client: &str) -> Option<&'static str> {
    world
        .nodes()
        .filter(|n| n.status == SimStatus::Up)
        .filter_map(|n| n.process.as_server())
        .flat_map(|server| server.activity())
        .filter(|a| a.client == client)
        .find_map(|a| match a.wait_event {
            Some("transactionid") => Some("a row lock"),
            Some("SyncRep") => Some("its standby (SyncRep)"),
            _ => None,
        })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// How a message is drawn and labelled: the client protocol's here, a family's by its family.
pub(super) fn describe_message(
    msg: &Msg,
    method: Method,
    sender: Option<&Server>,
) -> (MessageKind, String) {
    let Msg::Client(client) = msg else {
        // Every message that is not the client protocol's is a family's.
        let (kind, label) = family::message(msg, method, sender).unwrap_or_default();
        let kind = match kind {
            family::MessageKind::Data => MessageKind::Data,
            family::MessageKind::Ack => MessageKind::Ack,
            family::MessageKind::Heartbeat => MessageKind::Heartbeat,
        };
        return (kind, label);
    };
    let label = match client {
        ClientMsg::Query { sql, .. } => truncate(sql, 20),
        ClientMsg::QueryAfter { sql, position, .. } => {
            format!("{} (after {position})", truncate(sql, 14))
        }
        ClientMsg::ConnectionsReset => "connection reset".into(),
        ClientMsg::Cancel { .. } => "cancel".into(),
        ClientMsg::QueryResult { outcome, .. } => match outcome {
            Ok(ok) => ok.tag.clone(),
            Err(e) => truncate(first_line(e), 20),
        },
    };
    (MessageKind::Client, label)
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
