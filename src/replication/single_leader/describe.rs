//! How the single-leader family describes its nodes to the lab (see
//! [`crate::replication::family`]): a server's role (`leader`, writable; `follower`, a
//! replica — a spare too), its state from its role's memory, its links (from the leader it
//! follows, to the coordination service), what it offers now (promote, join, rejoin,
//! checkpoint) and why it refuses one; the coordination service and the applier; its
//! messages' labels; its words (`the leader`).
//!
//! Reads the world; never changes it. Knows nothing of the UI or the lab.

use crate::engine::{RowChange, RowOp};
use crate::replication::config::{AckPolicy, AckStage, Method};
use crate::replication::family::{
    Command, Description, Link, LinkKind, MessageKind, Offer, Refusal, Role, RoleKind, Words,
};
use crate::replication::log::{LogEntry, Payload};
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

/// How one of the family's messages is drawn, and its words on the diagram: short, in the
/// method's own terms — what a stream carries (`WAL 0/0100018D`, `binlog INSERT INTO …`,
/// `row INSERT orders`), an acknowledgement by the stage the ack level waits for
/// (`ack: flushed 0/0100018D`), a base backup's pieces. `sender`, the server that sent it
/// (if a server did), turns its log indexes into the positions a DBA reads.
pub fn message(
    msg: &SingleLeaderMsg,
    method: Method,
    sender: Option<&Server>,
) -> (MessageKind, String) {
    use MessageKind::{Ack, Data, Heartbeat};
    let at = |index: u64| match sender {
        Some(server) => short_position(method, server.disk.end_of(index)),
        None => format!("entry {index}"),
    };
    let backup = if method.ships_pages() {
        "base backup"
    } else {
        "snapshot"
    };
    match msg {
        SingleLeaderMsg::Entries { entries, .. } => (Data, entries_label(entries, method)),
        SingleLeaderMsg::Feedback {
            stalled: Some(_), ..
        } => (Ack, "ack: apply error".into()),
        SingleLeaderMsg::Feedback {
            write,
            flush,
            apply,
            ..
        } => {
            // What the leader waits for under this ack level (asynchronous: the flush, as
            // `synchronous_commit = on` would).
            let stage = match sender.map(|s| &s.disk.ack) {
                Some(AckPolicy::Sync { stage, .. }) => *stage,
                _ => AckStage::Flush,
            };
            let (word, index) = match stage {
                AckStage::Write => ("written", write),
                AckStage::Flush => ("flushed", flush),
                AckStage::Apply => ("applied", apply),
            };
            (Ack, format!("ack: {word} {}", at(*index)))
        }
        SingleLeaderMsg::Keepalive { .. } => (Heartbeat, String::new()),
        SingleLeaderMsg::StartStreaming { last_index, .. } => {
            (Heartbeat, format!("start streaming at {}", at(*last_index)))
        }
        SingleLeaderMsg::StreamStart { .. } => (Heartbeat, "streaming starts".into()),
        SingleLeaderMsg::Rewind { snapshot: true, .. } => {
            (Heartbeat, format!("too far behind: {backup}"))
        }
        SingleLeaderMsg::Rewind { common, .. } => {
            (Heartbeat, format!("diverged after {}", at(*common)))
        }
        SingleLeaderMsg::SnapshotRequest => (Heartbeat, format!("{backup}, please")),
        SingleLeaderMsg::SnapshotChunk { chunk, chunks, .. } => {
            (Data, format!("{backup} {}/{}", chunk + 1, chunks))
        }
        SingleLeaderMsg::ElectionQuery { .. } => (Heartbeat, "who is most up to date?".into()),
        SingleLeaderMsg::ElectionInfo { last_index, .. } => {
            (Heartbeat, format!("I have up to {}", at(*last_index)))
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
            (Heartbeat, format!("poll sl_log after {after_seq}"))
        }
        // An empty poll's answer carries nothing: drawn (and stepped over) as a heartbeat.
        SingleLeaderMsg::ChangelogRows { rows, .. } if rows.is_empty() => {
            (Heartbeat, "sl_log: nothing new".into())
        }
        SingleLeaderMsg::ChangelogRows { rows, .. } => {
            (Data, format!("sl_log {} rows", rows.len()))
        }
        SingleLeaderMsg::ApplyChanges { changes, .. } => {
            (Data, format!("apply {}", row_changes(changes)))
        }
        SingleLeaderMsg::ChangesApplied { error: Some(_), .. } => (Ack, "apply error".into()),
        SingleLeaderMsg::ChangesApplied { through_seq, .. } => {
            (Ack, format!("ack: applied {through_seq}"))
        }
    }
}

/// A stream's entries in the method's terms: one commit as what it carries, several as how
/// many (WAL with the position they reach).
fn entries_label(entries: &[LogEntry], method: Method) -> String {
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return "no entries".into();
    };
    let many = entries.len() > 1;
    match &first.payload {
        Payload::Wal(_) if many => format!(
            "WAL {} ({} commits)",
            short_position(method, last.end),
            entries.len()
        ),
        Payload::Wal(_) => format!("WAL {}", short_position(method, last.end)),
        _ if many => format!("{} transactions", entries.len()),
        Payload::Statements(statements) => match statements.first() {
            Some(s) => format!("binlog {}", shorten(&s.sql, 22)),
            None => "binlog".into(),
        },
        Payload::Rows(changes) => format!("row {}", row_changes(changes)),
    }
}

/// Row changes as `INSERT orders`, with how many more (`UPDATE orders +2`).
fn row_changes(changes: &[RowChange]) -> String {
    let Some(first) = changes.first() else {
        return "nothing".into();
    };
    let op = match first.op {
        RowOp::Insert => "INSERT",
        RowOp::Update => "UPDATE",
        RowOp::Delete => "DELETE",
    };
    let more = match changes.len() {
        0 | 1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    format!("{op} {}{more}", first.table)
}

/// A log position, short: an LSN as `pg_waldump` writes it (`0/0100018D`), a binlog offset as
/// `pos 1735` (the file is always the lab's one).
fn short_position(method: Method, bytes: u64) -> String {
    if method.speaks_mysql() && !method.ships_pages() {
        format!("pos {bytes}")
    } else {
        format_position(method, bytes)
    }
}

/// `text` on one line, cut to `max` characters, an ellipsis marking the cut.
fn shorten(text: &str, max: usize) -> String {
    let mut line: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .take(max)
        .collect();
    if text.chars().nth(max).is_some() {
        line.pop();
        line.push('…');
    }
    line
}
