//! Turns the world of a running cluster into the [`View`] the UI draws: each node's role
//! (a family-neutral [`RoleKind`] with single-leader's words), state, log position and the
//! actions it offers now, the links between them, and the messages in flight with labels.
//!
//! Reads the world; never changes it. What it reads of a server's replication state goes
//! through a few named functions ([`leads`], [`server_state`], [`server_actions`]), so a
//! family that keeps its state differently changes them alone.

use crate::replication::config::Method;
use crate::replication::messages::{ClientMsg, Msg, SingleLeaderMsg};
use crate::replication::node::LabNode;
use crate::replication::render::format_position;
use crate::replication::server::{Server, ServerRole, Stream};
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
    let leaders = world
        .nodes()
        .filter_map(|n| n.process.as_server())
        .filter(|s| leads(s))
        .count();
    for node in world.nodes() {
        let status = match node.status {
            SimStatus::Up => NodeStatus::Up,
            SimStatus::Crashed => NodeStatus::Crashed,
        };
        let id = node.id.0;
        let (kind, role, state, position, format) = match node.process {
            LabNode::Server(server) => {
                let role = if leads(server) {
                    RoleLabel::new("leader", RoleKind::Writable)
                } else {
                    RoleLabel::new("follower", RoleKind::Replica)
                };
                // Every server that may lead talks to the coordination service: a link to cut.
                if let Some(service) = server.directory.coordinator {
                    if server.disk.role != ServerRole::Spare {
                        links.push(LinkView {
                            from: id,
                            to: service.0,
                            kind: LinkKind::Coordination,
                            cut: cut(node.id, service),
                        });
                    }
                }
                if server.disk.role == ServerRole::Follower {
                    if let Some(leader) = server.disk.leader {
                        links.push(LinkView {
                            from: leader.0,
                            to: id,
                            kind: LinkKind::Replication,
                            cut: cut(leader, node.id),
                        });
                    }
                }
                (
                    NodeKind::Database,
                    role,
                    server_state(server, status),
                    match method {
                        Method::Trigger => String::new(),
                        _ => format_position(method, server.disk.end_of(server.disk.applied)),
                    },
                    format!("v{}", server.disk.db.format().number()),
                )
            }
            LabNode::Client(client) => {
                links.push(LinkView {
                    from: id,
                    to: client.router.target().0,
                    kind: LinkKind::Client,
                    cut: cut(node.id, client.router.target()),
                });
                let state = match (client.outstanding.len(), client_wait(world, node.name)) {
                    (0, _) => "idle".to_string(),
                    (_, Some(why)) => format!("waiting for {why}"),
                    (1, None) => "waiting for 1 answer".to_string(),
                    (n, None) => format!("waiting for {n} answers"),
                };
                (
                    NodeKind::Client,
                    RoleLabel::new("client", RoleKind::None),
                    state,
                    String::new(),
                    String::new(),
                )
            }
            LabNode::Coordinator(service) => {
                let state = match (node.status, service.live_key(world.now())) {
                    (SimStatus::Crashed, _) => "crashed".to_string(),
                    // Short: the coordination service sits near the canvas's right edge.
                    (_, Some(key)) => format!(
                        "key: {} ({:.1} s)",
                        service.directory.name(key.holder),
                        key.expires.saturating_sub(world.now()).as_micros() as f64 / 1e6
                    ),
                    (_, None) => "key: free".to_string(),
                };
                (
                    NodeKind::Coordinator,
                    RoleLabel::new("coordinator", RoleKind::None)
                        .with_long("coordination service (leader key)"),
                    state,
                    String::new(),
                    String::new(),
                )
            }
            LabNode::Applier(applier) => {
                links.push(LinkView {
                    from: applier.leader.0,
                    to: id,
                    kind: LinkKind::Replication,
                    cut: cut(applier.leader, node.id),
                });
                for follower in applier.subscribers.keys() {
                    links.push(LinkView {
                        from: id,
                        to: follower.0,
                        kind: LinkKind::Replication,
                        cut: cut(node.id, *follower),
                    });
                }
                (
                    NodeKind::Applier,
                    RoleLabel::new("applier", RoleKind::None),
                    format!("read up to sl_log {}", applier.fetched),
                    String::new(),
                    String::new(),
                )
            }
        };
        let actions = match (status, &node.process) {
            (NodeStatus::Crashed, _) => vec![RESTART],
            (NodeStatus::Up, LabNode::Server(server)) => server_actions(server, leaders),
            (NodeStatus::Up, LabNode::Client(client)) if !client.outstanding.is_empty() => {
                vec![CRASH, CANCEL]
            }
            (NodeStatus::Up, _) => vec![CRASH],
        };
        nodes.push(NodeView {
            id,
            name: node.name.to_string(),
            kind,
            role,
            status,
            state,
            position,
            format,
            actions,
        });
    }
    let messages = world
        .in_flight()
        .map(|m| {
            let (kind, label) = describe_message(&m.msg, method);
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
    let count = world.node_count() as u32;
    let cut_pairs = (0..count)
        .flat_map(|a| ((a + 1)..count).map(move |b| (a, b)))
        .filter(|&(a, b)| cut(NodeId(a), NodeId(b)))
        .collect();
    View {
        time: world.now().as_micros(),
        nodes,
        links,
        messages,
        cut_pairs,
        words: FamilyWords {
            default_target: "the leader",
            reference: "the leader",
        },
    }
}

/// Whether `server` takes the cluster's writes (single-leader: it is a leader, even one that
/// is fenced or about to rejoin).
fn leads(server: &Server) -> bool {
    server.disk.role == ServerRole::Leader
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

/// What a running server offers now, given how many servers lead (`leaders`). Offered when
/// it makes sense from the server's state; the lab still refuses what would do nothing.
fn server_actions(server: &Server, leaders: usize) -> Vec<NodeAction> {
    let mut actions = vec![CRASH];
    let receiving_backup = matches!(server.mem.role.stream(), Stream::Snapshot { .. });
    match server.disk.role {
        ServerRole::Leader => {
            actions.push(NodeAction {
                command: NodeCommand::Checkpoint,
                text: "Checkpoint",
                hint: "flush dirty pages; the next change to each page logs a full page image",
            });
            // Another leader took over, or this one stopped taking writes (fenced, demoted).
            if leaders > 1 || !server.mem.role.accepting_writes() {
                actions.push(NodeAction {
                    command: NodeCommand::Rejoin,
                    text: "Rejoin as follower",
                    hint: "step down, discard what the new leader never had, and follow it",
                });
            }
        }
        // While a base backup arrives there is nothing to do but wait.
        ServerRole::Spare if receiving_backup => {}
        ServerRole::Spare => actions.push(NodeAction {
            command: NodeCommand::Join,
            text: "Join",
            hint: "copy a snapshot of the leader, then stream from where it was taken",
        }),
        ServerRole::Follower if receiving_backup && server.mem.role.stalled().is_none() => {}
        ServerRole::Follower => actions.push(NodeAction {
            command: NodeCommand::Promote,
            text: "Promote",
            hint: "manual failover: this follower becomes the leader",
        }),
    }
    actions
}

/// The short word under a server's name.
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

fn server_state(server: &Server, status: NodeStatus) -> String {
    if status == NodeStatus::Crashed {
        return "crashed".into();
    }
    match server.disk.role {
        ServerRole::Leader if server.mem.role.accepting_writes() => {
            if server.mem.role.waiting().is_empty() {
                "accepting writes".into()
            } else {
                let n = server.mem.role.waiting().len();
                format!(
                    "{n} commit{} waiting (SyncRep)",
                    if n == 1 { "" } else { "s" }
                )
            }
        }
        ServerRole::Leader if server.mem.role.fenced() => "read-only: lost its leader key".into(),
        ServerRole::Leader => "not accepting writes".into(),
        ServerRole::Spare => match &server.mem.role.stream() {
            Stream::Snapshot { of: 0, .. } => "base backup requested".into(),
            Stream::Snapshot { received, of } => format!("base backup {received}/{of}"),
            _ => "empty spare: Join to set it up".into(),
        },
        ServerRole::Follower => {
            if let Some(error) = &server.mem.role.stalled() {
                return format!("stalled: {}", first_line(error));
            }
            match &server.mem.role.stream() {
                Stream::Refused(_) => "refused the stream".into(),
                Stream::Snapshot { of: 0, .. } => "base backup requested".into(),
                Stream::Snapshot { received, of } => format!("base backup {received}/{of}"),
                Stream::Connecting => "connecting".into(),
                Stream::Idle => "waiting for the leader".into(),
                Stream::Streaming if server.mem.role.leader_last() > server.disk.applied => {
                    format!(
                        "catching up ({} behind)",
                        server.mem.role.leader_last() - server.disk.applied
                    )
                }
                Stream::Streaming => "streaming".into(),
            }
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// How a message is drawn and labelled.
fn describe_message(msg: &Msg, method: Method) -> (MessageKind, String) {
    match msg {
        Msg::Client(ClientMsg::Query { sql, .. }) => (MessageKind::Client, truncate(sql, 28)),
        Msg::Client(ClientMsg::ConnectionsReset) => {
            (MessageKind::Client, "connection reset".into())
        }
        Msg::Client(ClientMsg::Cancel { .. }) => (MessageKind::Client, "cancel".into()),
        Msg::Client(ClientMsg::QueryResult { outcome, .. }) => (
            MessageKind::Client,
            match outcome {
                Ok(ok) => ok.tag.clone(),
                Err(e) => truncate(first_line(e), 28),
            },
        ),
        Msg::SingleLeader(SingleLeaderMsg::Entries { entries, .. }) => {
            let label = match (entries.first(), entries.last()) {
                (Some(a), Some(b)) if a.index == b.index => {
                    format!("entry {} → {}", a.index, format_position(method, a.end))
                }
                (Some(a), Some(b)) => format!("entries {}–{}", a.index, b.index),
                _ => "entries".into(),
            };
            (MessageKind::Data, label)
        }
        Msg::SingleLeader(SingleLeaderMsg::Feedback {
            write,
            flush,
            apply,
            ..
        }) => (MessageKind::Ack, format!("ack w{write} f{flush} a{apply}")),
        Msg::SingleLeader(SingleLeaderMsg::Keepalive { .. }) => {
            (MessageKind::Heartbeat, String::new())
        }
        Msg::SingleLeader(SingleLeaderMsg::StartStreaming { last_index, .. }) => (
            MessageKind::Heartbeat,
            format!("START_REPLICATION after {last_index}"),
        ),
        Msg::SingleLeader(SingleLeaderMsg::StreamStart { .. }) => {
            (MessageKind::Heartbeat, "streaming starts".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::Rewind { common, .. }) => {
            (MessageKind::Heartbeat, format!("diverged after {common}"))
        }
        Msg::SingleLeader(SingleLeaderMsg::SnapshotRequest) => {
            (MessageKind::Heartbeat, "BASE_BACKUP".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::SnapshotChunk { chunk, chunks, .. }) => (
            MessageKind::Data,
            format!("backup {}/{}", chunk + 1, chunks),
        ),
        Msg::SingleLeader(SingleLeaderMsg::ElectionQuery { .. }) => {
            (MessageKind::Heartbeat, "who is most up to date?".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::ElectionInfo { last_index, .. }) => {
            (MessageKind::Heartbeat, format!("I have {last_index}"))
        }
        Msg::SingleLeader(SingleLeaderMsg::LeaderIs { .. })
        | Msg::SingleLeader(SingleLeaderMsg::NewLeader { .. }) => {
            (MessageKind::Heartbeat, "new leader".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::WhoLeads) => {
            (MessageKind::Heartbeat, "who leads?".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::AcquireKey { force: true, .. }) => {
            (MessageKind::Heartbeat, "take leader key".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::AcquireKey { .. }) => {
            (MessageKind::Heartbeat, "leader key?".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::KeyAnswer { granted: true, .. }) => {
            (MessageKind::Ack, "key granted".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::KeyAnswer { .. }) => {
            (MessageKind::Ack, "key held".into())
        }
        Msg::SingleLeader(SingleLeaderMsg::PollChangelog { after_seq }) => {
            (MessageKind::Heartbeat, format!("poll sl_log > {after_seq}"))
        }
        Msg::SingleLeader(SingleLeaderMsg::ChangelogRows { rows, .. }) => {
            (MessageKind::Data, format!("{} sl_log rows", rows.len()))
        }
        Msg::SingleLeader(SingleLeaderMsg::ApplyChanges { through_seq, .. }) => {
            (MessageKind::Data, format!("apply through {through_seq}"))
        }
        Msg::SingleLeader(SingleLeaderMsg::ChangesApplied { through_seq, .. }) => {
            (MessageKind::Ack, format!("applied {through_seq}"))
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
