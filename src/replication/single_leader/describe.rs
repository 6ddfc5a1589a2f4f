//! How the single-leader family describes its nodes to the lab (see
//! [`crate::replication::family`]): a server's role (`leader`, writable; `follower`, a
//! replica — a spare too), its state from its role's memory, its links (from the leader it
//! follows, to the coordination service), what it offers now (promote, join, rejoin,
//! checkpoint) and why it refuses one; the coordination service and the applier; its
//! messages' labels; its words (`the leader`).
//!
//! Reads the world; never changes it. Knows nothing of the UI or the lab.

use crate::replication::config::Method;
use crate::replication::family::{
    Command, Description, Link, LinkKind, MessageKind, Offer, Refusal, Role, RoleKind, Words,
};
use crate::replication::node::LabNode;
use crate::replication::render::format_position;
use crate::replication::server::Server;
use crate::sim::{NodeId, NodeStatus, World};

use super::applier::Applier;
use super::coordinator::Coordinator;
use super::messages::SingleLeaderMsg;
use super::progress::progress;
use super::state::{ServerRole, Stream};

/// Single-leader's words: every statement goes to the leader, every copy is compared with it.
pub const WORDS: Words = Words {
    default_target: "the leader",
    reference: "the leader",
};

const LEADER: Role = Role::new("leader", RoleKind::Writable);
const FOLLOWER: Role = Role::new("follower", RoleKind::Replica);
const COORDINATOR: Role =
    Role::new("coordinator", RoleKind::None).with_long("coordination service (leader key)");
const APPLIER: Role = Role::new("applier", RoleKind::None);

const CHECKPOINT: Offer = Offer {
    command: Command::Checkpoint,
    text: "Checkpoint",
    hint: "flush dirty pages; the next change to each page logs a full page image",
};
const REJOIN: Offer = Offer {
    command: Command::Rejoin,
    text: "Rejoin as follower",
    hint: "step down, discard what the new leader never had, and follow it",
};
const JOIN: Offer = Offer {
    command: Command::Join,
    text: "Join",
    hint: "copy a snapshot of the leader, then stream from where it was taken",
};
const PROMOTE: Offer = Offer {
    command: Command::Promote,
    text: "Promote",
    hint: "manual failover: this follower becomes the leader",
};

/// Node `id` as this family describes it; `None` for a client (or no such node).
pub fn node(world: &World<LabNode>, id: NodeId) -> Option<Description> {
    let node = world.nodes().find(|n| n.id == id)?;
    let up = node.status == NodeStatus::Up;
    match node.process {
        LabNode::Server(server) => Some(server_description(world, id, server, up)),
        LabNode::Coordinator(service) => Some(coordinator(world, service, up)),
        LabNode::Applier(applier) => Some(applier_description(id, applier)),
        LabNode::Client(_) => None,
    }
}

/// Whether `server` takes the cluster's writes (it is a leader, even one that is fenced or
/// about to rejoin).
fn leads(server: &Server) -> bool {
    server.disk.family.role == ServerRole::Leader
}

/// How many servers lead now (running or not).
fn leaders(world: &World<LabNode>) -> usize {
    world
        .nodes()
        .filter_map(|n| n.process.as_server())
        .filter(|s| leads(s))
        .count()
}

fn server_description(
    world: &World<LabNode>,
    id: NodeId,
    server: &Server,
    up: bool,
) -> Description {
    let mut links = Vec::new();
    // Every server that may lead talks to the coordination service: a link to cut.
    if let Some(service) = server.directory.coordinator {
        if server.disk.family.role != ServerRole::Spare {
            links.push(Link {
                from: id,
                to: service,
                kind: LinkKind::Coordination,
            });
        }
    }
    // A follower streams from its leader; a spare receives its base backup from it.
    let receiving_backup = matches!(server.mem.role.stream(), Stream::Snapshot { .. });
    let fed = match server.disk.family.role {
        ServerRole::Follower => true,
        ServerRole::Spare => receiving_backup,
        ServerRole::Leader => false,
    };
    if let (true, Some(leader)) = (fed, server.disk.family.leader) {
        links.push(Link {
            from: leader,
            to: id,
            kind: LinkKind::Replication,
        });
    }
    // The configuration's first server starts as the leader: it keeps the leader's place.
    let first = server.directory.servers.first().map(|(first, _)| *first);
    Description {
        role: if leads(server) { LEADER } else { FOLLOWER },
        home: if first == Some(id) {
            RoleKind::Writable
        } else {
            RoleKind::Replica
        },
        // A replica's words are its progress's, as the checks and the inspector say them.
        state: match progress(world, id) {
            Some(progress) => progress.to_string(),
            None if up => leader_state(server),
            None => "crashed".into(),
        },
        links,
        offers: if up {
            server_offers(server, leaders(world))
        } else {
            Vec::new()
        },
    }
}

/// What a running server offers now, given how many servers lead (`leaders`). Offered when
/// it makes sense from the server's state; [`refuse`] still refuses what would do nothing.
fn server_offers(server: &Server, leaders: usize) -> Vec<Offer> {
    let receiving_backup = matches!(server.mem.role.stream(), Stream::Snapshot { .. });
    match server.disk.family.role {
        // Another leader took over, or this one stopped taking writes (fenced, demoted).
        ServerRole::Leader if leaders > 1 || !server.mem.role.accepting_writes() => {
            vec![CHECKPOINT, REJOIN]
        }
        ServerRole::Leader => vec![CHECKPOINT],
        // While a base backup arrives there is nothing to do but wait.
        ServerRole::Spare if receiving_backup => vec![],
        ServerRole::Spare => vec![JOIN],
        ServerRole::Follower if receiving_backup && server.mem.role.stalled().is_none() => {
            vec![]
        }
        ServerRole::Follower => vec![PROMOTE],
    }
}

/// A running leader's state in a short phrase (a replica's is its [`progress`]).
fn leader_state(server: &Server) -> String {
    let memory = &server.mem.role;
    if memory.accepting_writes() {
        return match memory.waiting().len() {
            0 => "accepting writes".into(),
            n => format!(
                "{n} commit{} waiting (SyncRep)",
                if n == 1 { "" } else { "s" }
            ),
        };
    }
    if memory.fenced() {
        "read-only: lost its leader key".into()
    } else {
        "not accepting writes".into()
    }
}

fn coordinator(world: &World<LabNode>, service: &Coordinator, up: bool) -> Description {
    let state = match (up, service.live_key(world.now())) {
        (false, _) => "crashed".to_string(),
        // Short: the coordination service sits near the canvas's right edge.
        (true, Some(key)) => {
            // Tenths of a second in integers: the float formatter is kilobytes of the page.
            let tenths = (key.expires.saturating_sub(world.now()).as_micros() + 50_000) / 100_000;
            format!(
                "key: {} ({}.{} s)",
                service.directory.name(key.holder),
                tenths / 10,
                tenths % 10
            )
        }
        (true, None) => "key: free".to_string(),
    };
    Description {
        role: COORDINATOR,
        home: RoleKind::None,
        state,
        links: Vec::new(),
        offers: Vec::new(),
    }
}

fn applier_description(id: NodeId, applier: &Applier) -> Description {
    let mut links = vec![Link {
        from: applier.leader,
        to: id,
        kind: LinkKind::Replication,
    }];
    links.extend(applier.subscribers.keys().map(|follower| Link {
        from: id,
        to: *follower,
        kind: LinkKind::Replication,
    }));
    Description {
        role: APPLIER,
        home: RoleKind::None,
        state: format!("read up to sl_log {}", applier.fetched),
        links,
        offers: Vec::new(),
    }
}

/// Whether server `id` (known to be a running database server) takes `command` now.
pub fn refuse(world: &World<LabNode>, id: NodeId, command: Command) -> Result<(), Refusal> {
    let Some(server) = world.node(id).and_then(LabNode::as_server) else {
        return Ok(());
    };
    let method = server.method();
    let down = |node: NodeId| world.node_status(node) == Some(NodeStatus::Crashed);
    match command {
        Command::Promote => {
            match server.disk.family.role {
                ServerRole::Leader => return Err(Refusal::AlreadyWritable),
                ServerRole::Spare => return Err(Refusal::EmptySpare),
                ServerRole::Follower => {}
            }
            if !method.failover_modelled() {
                return Err(Refusal::NotModelled {
                    what: "moving a Slony origin (FAILOVER)",
                });
            }
            if let Some(error) = server.mem.role.stalled() {
                return Err(Refusal::ReplayStopped {
                    applied: server.disk.applied,
                    error: first_line(error).to_string(),
                });
            }
        }
        Command::Join => {
            match (server.disk.family.role, server.mem.role.stream()) {
                (ServerRole::Leader, _) => return Err(Refusal::NotASpare { role: "the leader" }),
                (ServerRole::Follower, _) => {
                    return Err(Refusal::NotASpare {
                        role: "already a follower",
                    })
                }
                (ServerRole::Spare, Stream::Snapshot { .. }) => {
                    return Err(Refusal::AlreadyJoining)
                }
                (ServerRole::Spare, _) => {}
            }
            if !method.join_modelled() {
                return Err(Refusal::NotModelled {
                    what: "subscribing a new Slony node",
                });
            }
            match server.disk.family.leader {
                None => return Err(Refusal::NoSource),
                Some(leader) if down(leader) => return Err(Refusal::SourceDown { source: leader }),
                Some(_) => {}
            }
        }
        Command::Rejoin => {
            if server.disk.family.role != ServerRole::Leader {
                return Err(Refusal::NotWritable);
            }
            let other_leader = world.nodes().any(|other| {
                other.id != id
                    && other.status == NodeStatus::Up
                    && other.process.as_server().is_some_and(leads)
            });
            if !other_leader {
                return Err(Refusal::OnlyWritable);
            }
        }
        Command::Checkpoint => {
            if server.disk.family.role != ServerRole::Leader {
                return Err(Refusal::NoCheckpoint);
            }
        }
    }
    Ok(())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// How one of the family's messages is drawn and labelled.
pub fn message(msg: &SingleLeaderMsg, method: Method) -> (MessageKind, String) {
    use MessageKind::{Ack, Data, Heartbeat};
    match msg {
        SingleLeaderMsg::Entries { entries, .. } => {
            let label = match (entries.first(), entries.last()) {
                (Some(a), Some(b)) if a.index == b.index => {
                    format!("entry {} → {}", a.index, format_position(method, a.end))
                }
                (Some(a), Some(b)) => format!("entries {}–{}", a.index, b.index),
                _ => "entries".into(),
            };
            (Data, label)
        }
        SingleLeaderMsg::Feedback {
            write,
            flush,
            apply,
            ..
        } => (Ack, format!("ack w{write} f{flush} a{apply}")),
        SingleLeaderMsg::Keepalive { .. } => (Heartbeat, String::new()),
        SingleLeaderMsg::StartStreaming { last_index, .. } => {
            (Heartbeat, format!("START_REPLICATION after {last_index}"))
        }
        SingleLeaderMsg::StreamStart { .. } => (Heartbeat, "streaming starts".into()),
        SingleLeaderMsg::Rewind { common, .. } => (Heartbeat, format!("diverged after {common}")),
        SingleLeaderMsg::SnapshotRequest => (Heartbeat, "BASE_BACKUP".into()),
        SingleLeaderMsg::SnapshotChunk { chunk, chunks, .. } => {
            (Data, format!("backup {}/{}", chunk + 1, chunks))
        }
        SingleLeaderMsg::ElectionQuery { .. } => (Heartbeat, "who is most up to date?".into()),
        SingleLeaderMsg::ElectionInfo { last_index, .. } => {
            (Heartbeat, format!("I have {last_index}"))
        }
        SingleLeaderMsg::LeaderIs { .. } | SingleLeaderMsg::NewLeader { .. } => {
            (Heartbeat, "new leader".into())
        }
        SingleLeaderMsg::WhoLeads => (Heartbeat, "who leads?".into()),
        SingleLeaderMsg::AcquireKey { force: true, .. } => (Heartbeat, "take leader key".into()),
        SingleLeaderMsg::AcquireKey { .. } => (Heartbeat, "leader key?".into()),
        SingleLeaderMsg::KeyAnswer { granted: true, .. } => (Ack, "key granted".into()),
        SingleLeaderMsg::KeyAnswer { .. } => (Ack, "key held".into()),
        SingleLeaderMsg::PollChangelog { after_seq } => {
            (Heartbeat, format!("poll sl_log > {after_seq}"))
        }
        SingleLeaderMsg::ChangelogRows { rows, .. } => {
            (Data, format!("{} sl_log rows", rows.len()))
        }
        SingleLeaderMsg::ApplyChanges { through_seq, .. } => {
            (Data, format!("apply through {through_seq}"))
        }
        SingleLeaderMsg::ChangesApplied { through_seq, .. } => {
            (Ack, format!("applied {through_seq}"))
        }
    }
}
