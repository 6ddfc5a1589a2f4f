//! How the multi-leader family describes its nodes to the lab: every server a leader (in
//! its own datacenter), drawn in one row, with a link to each leader it sends to by the
//! topology in force; its state says what it holds back or what it met; message labels name
//! the changes they carry by origin and number. No server offers promote, join or rejoin:
//! every one leads already.
//!
//! Knows nothing of the UI.

use crate::sim::{NodeId, NodeStatus, World};

use crate::replication::family::{
    Command, Description, Link, LinkKind, MessageKind, Refusal, Role, RoleKind, Words,
};
use crate::replication::node::LabNode;
use crate::replication::server::Server;

use super::messages::MultiLeaderMsg;

pub const WORDS: Words = Words {
    default_target: "its nearby leader",
    reference: "the other leaders",
};

const LEADER: Role = Role::new("leader", RoleKind::Writable).with_long("leader (multi-leader)");

/// Node `id` as the family describes it (None for a client).
pub fn node(world: &World<LabNode>, id: NodeId) -> Option<Description> {
    let node = world.nodes().find(|n| n.id == id)?;
    let server = node.process.as_server()?;
    let up = node.status == NodeStatus::Up;
    let links = server
        .downstream(id)
        .into_iter()
        .map(|to| Link {
            from: id,
            to,
            kind: LinkKind::Replication,
        })
        .collect();
    Some(Description {
        role: LEADER,
        home: RoleKind::Writable,
        state: if up { state(server) } else { "crashed".into() },
        links,
        offers: Vec::new(),
    })
}

/// A running leader's short state: changes it holds back, conflicts it met.
pub fn state(server: &Server) -> String {
    let held = server.disk.multi.held.len();
    let conflicts = server.disk.multi.conflicts.len();
    let mut parts = vec![format!("sends {}", server.topology().label())];
    if held > 0 {
        parts.push(format!("holding {held}"));
    }
    if conflicts > 0 {
        parts.push(format!(
            "{conflicts} conflict{}",
            if conflicts == 1 { "" } else { "s" }
        ));
    }
    parts.join(" · ")
}

/// Every command a multi-leader server could be offered is refused: it leads already.
pub fn refuse(_world: &World<LabNode>, _id: NodeId, command: Command) -> Result<(), Refusal> {
    Err(match command {
        Command::Promote => Refusal::AlreadyWritable,
        Command::Join | Command::Rejoin => Refusal::NotModelled {
            what: "joining and rejoining in a multi-leader cluster",
        },
        Command::Checkpoint => Refusal::NoCheckpoint,
    })
}

/// How a message between leaders is drawn: changes by origin and number
/// (`leader-a #3`, `3 changes`), acknowledgements by position.
pub fn message(msg: &MultiLeaderMsg, sender: Option<&Server>) -> (MessageKind, String) {
    match msg {
        MultiLeaderMsg::Changes { entries, .. } => match entries.as_slice() {
            [] => (MessageKind::Heartbeat, "nothing new".into()),
            [one] => {
                let name = sender.map_or_else(
                    || format!("#{}", one.change.dot.seq),
                    |s| s.dot_name(one.change.dot),
                );
                (MessageKind::Data, name)
            }
            many => (MessageKind::Data, format!("{} changes", many.len())),
        },
        MultiLeaderMsg::Ack { upto, .. } => (MessageKind::Ack, format!("ack {upto}")),
    }
}
