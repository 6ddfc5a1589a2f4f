//! The event log as facts: each narrated event has a typed form (read here, never parsed
//! from sentences), the sentences where a database speaks are its own lines, and a long
//! session keeps its events from the start.

use replication_lab::lab::narrate::{EventKind, LabEvent};
use replication_lab::lab::{Lab, LabAction, LabSettings};
use replication_lab::replication::config::{AckPolicy, ClusterConfig, Method};
use replication_lab::replication::node::{Note, PromotionReason};
use replication_lab::replication::server::Server;
use replication_lab::sim::{NodeId, Time};

fn notes(lab: &Lab) -> Vec<Note> {
    lab.history()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Note(note) => Some(note.clone()),
            _ => None,
        })
        .collect()
}

fn server(lab: &Lab, id: u32) -> &Server {
    lab.world()
        .node(NodeId(id))
        .and_then(|n| n.as_server())
        .expect("a server")
}

/// The event-log sentences of the events for which `pick` holds.
fn sentences(lab: &Lab, pick: impl Fn(&LabEvent) -> bool) -> Vec<String> {
    let picked: Vec<u64> = lab
        .history()
        .iter()
        .filter(|e| pick(e))
        .map(|e| e.time)
        .collect();
    lab.events(usize::MAX)
        .into_iter()
        .filter(|line| picked.contains(&line.time))
        .map(|line| line.text)
        .collect()
}

fn insert(lab: &mut Lab, client: u32, note: &str) {
    lab.perform(LabAction::Sql {
        client,
        sql: format!("INSERT INTO orders (status, note) VALUES ('new', '{note}')"),
    })
    .expect("sent");
}

#[test]
fn a_base_backup_is_a_snapshot_taken_at_a_position() {
    let mut lab = Lab::new(LabSettings::default());
    lab.seek(10_000);
    insert(&mut lab, 4, "before the backup");
    lab.seek(500_000);
    lab.perform(LabAction::Join(3)).expect("the spare joins");
    lab.seek(3_000_000);
    let leader_end = server(&lab, 0).disk.end_of(1);
    let taken: Vec<Note> = notes(&lab)
        .into_iter()
        .filter(|n| matches!(n, Note::SnapshotTaken { .. }))
        .collect();
    assert_eq!(
        taken,
        vec![Note::SnapshotTaken {
            node: "leader".into(),
            follower: "follower-3".into(),
            at: 1,
            position: leader_end,
            chunks: match &taken[0] {
                Note::SnapshotTaken { chunks, .. } => *chunks,
                _ => 0,
            },
        }]
    );
    assert!(notes(&lab).contains(&Note::JoinRequested {
        node: "follower-3".into(),
        leader: "leader".into(),
    }));
    assert!(notes(&lab).contains(&Note::SnapshotInstalled {
        node: "follower-3".into(),
        at: 1,
    }));
}

/// Statement-based replication with MySQL semi-sync (1 s timeout) on follower-1: entry 1 is
/// acknowledged; follower-1 dies; entry 2 times out (semi-sync switches off); follower-1
/// comes back and catches up (semi-sync switches on).
fn semi_sync_session() -> Lab {
    let mut cluster = ClusterConfig::standard(
        Method::Statement {
            context_events: true,
        },
        1,
    );
    cluster.ack = AckPolicy::mysql_semi_sync(&["follower-1"], Time::secs(1));
    cluster.failover.timeout = None;
    let mut lab = Lab::new(LabSettings { seed: 9, cluster });
    lab.seek(10_000);
    insert(&mut lab, 2, "acknowledged");
    lab.seek(200_000);
    lab.perform(LabAction::Crash(1)).expect("crash");
    lab.seek(300_000);
    insert(&mut lab, 2, "times out");
    lab.seek(2_000_000);
    lab.perform(LabAction::Restart(1)).expect("restart");
    lab.seek(4_000_000);
    lab
}

#[test]
fn semi_sync_switching_off_and_on_are_typed_with_binlog_positions() {
    let lab = semi_sync_session();
    let leader = server(&lab, 0);
    let (end_1, end_2) = (leader.disk.end_of(1), leader.disk.end_of(2));
    assert!(end_1 < end_2);
    let semi: Vec<Note> = notes(&lab)
        .into_iter()
        .filter(|n| matches!(n, Note::SemiSyncOff { .. } | Note::SemiSyncOn { .. }))
        .collect();
    assert_eq!(
        semi,
        vec![
            Note::SemiSyncOff {
                node: "leader".into(),
                file: "binlog.000001".into(),
                pos: end_2,
                acked_file: "binlog.000001".into(),
                acked_pos: end_1,
            },
            Note::SemiSyncOn {
                node: "leader".into(),
                file: "binlog.000001".into(),
                pos: end_2,
            },
        ]
    );
}

#[test]
fn semi_sync_is_narrated_as_mysqls_error_log_prints_it() {
    let lab = semi_sync_session();
    let leader = server(&lab, 0);
    let (end_1, end_2) = (leader.disk.end_of(1), leader.disk.end_of(2));
    let off = sentences(&lab, |e| {
        matches!(e.kind, EventKind::Note(Note::SemiSyncOff { .. }))
    });
    let off: Vec<&str> = off[0].lines().collect();
    assert_eq!(
        off[0],
        format!("leader: [Warning] [MY-011153] [Repl] Timeout waiting for reply of binlog (file: binlog.000001, pos: {end_2}), semi-sync up to file binlog.000001, position {end_1}.")
    );
    assert_eq!(
        off[1],
        "leader: [Note] [MY-011155] [Repl] Semi-sync replication switched OFF."
    );
    let on = sentences(&lab, |e| {
        matches!(e.kind, EventKind::Note(Note::SemiSyncOn { .. }))
    });
    assert_eq!(
        on[0].lines().next(),
        Some(
            format!(
                "leader: [Note] [MY-011156] [Repl] Semi-sync replication switched ON at (binlog.000001, {end_2})."
            )
            .as_str()
        )
    );
}

#[test]
fn an_automatic_failover_says_who_was_chosen_why_and_the_new_timeline() {
    let mut lab = Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    });
    lab.seek(10_000);
    insert(&mut lab, 3, "before");
    lab.seek(300_000);
    lab.perform(LabAction::Crash(0)).expect("crash the leader");
    lab.seek(8_000_000);
    let promoted: Vec<Note> = notes(&lab)
        .into_iter()
        .filter(|n| matches!(n, Note::Promoted { .. }))
        .collect();
    assert_eq!(promoted.len(), 1, "{promoted:?}");
    let Note::Promoted {
        node,
        term,
        last_index,
        end,
        why,
    } = &promoted[0]
    else {
        unreachable!()
    };
    let new_leader = lab
        .world()
        .nodes()
        .find(|n| n.name == *node)
        .and_then(|n| n.process.as_server())
        .expect("the promoted server");
    assert_eq!(*term, 2);
    assert_eq!(*last_index, 1);
    assert_eq!(*end, new_leader.disk.end_of(1));
    assert_eq!(
        *why,
        PromotionReason::MostUpToDate {
            answered: 2,
            servers: 3
        }
    );
    // In PostgreSQL's words: the startup process's line and the history file.
    let text = sentences(&lab, |e| {
        matches!(e.kind, EventKind::Note(Note::Promoted { .. }))
    });
    let lines: Vec<&str> = text[0].lines().collect();
    assert_eq!(
        lines[0],
        format!("{node}: LOG:  selected new timeline ID: 2")
    );
    assert_eq!(
        lines[1],
        format!(
            "{node} wrote 00000002.history: 1\t{:X}/{:X}\tno recovery target specified",
            end >> 32,
            end & 0xFFFF_FFFF
        )
    );
}

#[test]
fn a_manual_failover_is_typed_as_manual() {
    let mut lab = Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    });
    lab.seek(10_000);
    lab.perform(LabAction::Crash(0)).expect("crash the leader");
    lab.perform(LabAction::Promote(2))
        .expect("promote follower-2");
    // With fencing the promoted follower first waits out the old leader's lease (3 s).
    lab.seek(4_000_000);
    assert!(notes(&lab).iter().any(|n| matches!(
        n,
        Note::Promoted { node, why: PromotionReason::Manual, term: 2, .. } if node == "follower-2"
    )));
}

/// No fencing: the old leader, cut off with client-1, keeps taking writes while follower-1
/// is promoted; after the heal it is asked to rejoin.
fn split_brain_then_rejoin() -> Lab {
    let mut cluster = ClusterConfig::standard(Method::Wal, 2);
    cluster.failover.fencing = false;
    let mut lab = Lab::new(LabSettings { seed: 16, cluster });
    lab.seek(10_000);
    insert(&mut lab, 3, "shared");
    lab.seek(100_000);
    for (a, b) in [(0, 1), (0, 2), (3, 1), (3, 2)] {
        lab.perform(LabAction::Partition { a, b }).expect("cut");
    }
    lab.seek(6_000_000);
    insert(&mut lab, 3, "old side 1");
    lab.seek(6_100_000);
    insert(&mut lab, 3, "old side 2");
    lab.seek(6_500_000);
    for (a, b) in [(0, 1), (0, 2), (3, 1), (3, 2)] {
        lab.perform(LabAction::Heal { a, b }).expect("heal");
    }
    lab.seek(6_600_000);
    lab.perform(LabAction::Rejoin(0))
        .expect("the old leader rejoins");
    lab.seek(9_000_000);
    lab
}

#[test]
fn a_rejoining_old_leader_is_told_its_history_forked_and_its_tail_is_discarded() {
    let lab = split_brain_then_rejoin();
    let all = notes(&lab);
    let promoted_end = all
        .iter()
        .find_map(|n| match n {
            Note::Promoted { node, end, .. } if node == "follower-1" => Some(*end),
            _ => None,
        })
        .expect("follower-1 was promoted");
    let diverged: Vec<&Note> = all
        .iter()
        .filter(|n| matches!(n, Note::HistoryDiverged { .. }))
        .collect();
    assert_eq!(diverged.len(), 1, "{all:?}");
    let Note::HistoryDiverged {
        node,
        leader,
        requested,
        timeline,
        forked_timeline,
        forked_at,
    } = diverged[0]
    else {
        unreachable!()
    };
    assert_eq!((node.as_str(), leader.as_str()), ("leader", "follower-1"));
    assert_eq!((*timeline, *forked_timeline), (1, 1));
    assert_eq!(
        *forked_at, promoted_end,
        "the fork is where timeline 2 began"
    );
    assert!(requested > forked_at, "its WAL went past the fork");
    assert!(all.contains(&Note::Discarded {
        node: "leader".into(),
        entries: 2,
        after: 1,
    }));
    // PostgreSQL's words, as the standby logs them.
    let text = sentences(&lab, |e| {
        matches!(e.kind, EventKind::Note(Note::HistoryDiverged { .. }))
    });
    let lsn = |b: u64| format!("{:X}/{:X}", b >> 32, b & 0xFFFF_FFFF);
    let lines: Vec<&str> = text[0].lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "leader: FATAL:  could not start WAL streaming: ERROR:  requested starting point {} on timeline 1 is not in this server's history",
            lsn(*requested)
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "\tDETAIL:  This server's history forked from timeline 1 at {}.",
            lsn(*forked_at)
        )
    );
    assert!(lines[2].contains("pg_rewind"), "{lines:?}");
}

#[test]
fn a_long_session_keeps_its_events_from_the_start() {
    let mut lab = Lab::new(LabSettings {
        seed: 3,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    });
    lab.seek(10_000);
    insert(&mut lab, 3, "first");
    let mut t = 10_000;
    while lab.world().trace().len() < 12_000 {
        t += 1_000_000;
        lab.seek(t);
    }
    let first_commit = |lab: &Lab| {
        notes(lab)
            .iter()
            .filter(|n| matches!(n, Note::Committed { index: 1, .. }))
            .count()
    };
    assert_eq!(first_commit(&lab), 1, "the first commit is still there");
    let trace_len = lab.world().trace().len();
    let first = lab
        .history()
        .iter()
        .find(|e| matches!(e.kind, EventKind::Note(Note::Committed { index: 1, .. })))
        .expect("kept");
    assert!(
        trace_len - first.trace_index > 10_000,
        "more than 10,000 trace events later"
    );
    assert!(lab
        .events(usize::MAX)
        .iter()
        .any(|l| l.text == "leader committed entry 1 (1 row changes)"));

    // Back in time the later events are hidden; forward again they are back, once.
    lab.seek(5_000);
    assert_eq!(first_commit(&lab), 0);
    lab.seek(t);
    assert_eq!(first_commit(&lab), 1);

    // An action forks the future: what came after it is forgotten, then recomputed.
    lab.seek(2_000_000);
    let kept = lab.history().len();
    insert(&mut lab, 3, "second");
    assert!(lab.history().len() >= kept);
    lab.seek(t);
    assert_eq!(first_commit(&lab), 1);
    let second = notes(&lab)
        .iter()
        .filter(|n| matches!(n, Note::Committed { index: 2, .. }))
        .count();
    assert_eq!(second, 1, "the new future has the second commit once");
}

#[test]
fn a_client_following_a_new_leader_is_typed() {
    let mut lab = Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    });
    lab.seek(10_000);
    lab.perform(LabAction::Crash(0)).expect("crash");
    lab.perform(LabAction::Promote(1)).expect("promote");
    // With fencing the promoted follower first waits out the old leader's lease (3 s).
    lab.seek(4_000_000);
    assert!(notes(&lab).contains(&Note::ClientFollows {
        client: "client-1".into(),
        leader: "follower-1".into(),
    }));
}

#[test]
fn a_refused_stream_is_typed_with_the_servers_error() {
    use replication_lab::engine::FormatVersion;
    let mut cluster = ClusterConfig::standard(Method::Wal, 2);
    cluster.servers[1].format = FormatVersion::V17;
    let mut lab = Lab::new(LabSettings { seed: 5, cluster });
    lab.seek(1_000_000);
    let refused: Vec<(String, String)> = notes(&lab)
        .into_iter()
        .filter_map(|n| match n {
            Note::StreamRefused { node, error } => Some((node, error)),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, "follower-1");
    assert!(refused[0]
        .1
        .starts_with("FATAL:  database files are incompatible with server"));
}

#[test]
fn a_requested_checkpoint_is_typed_as_requested_and_the_periodic_one_is_not() {
    let mut lab = Lab::new(LabSettings {
        seed: 7,
        cluster: ClusterConfig::standard(Method::Wal, 2),
    });
    lab.seek(10_000);
    lab.perform(LabAction::Checkpoint(0)).expect("checkpoint");
    let requested: Vec<(bool, u64)> = notes(&lab)
        .into_iter()
        .filter_map(|n| match n {
            Note::Checkpoint {
                node,
                lsn,
                requested,
            } if node == "leader" => Some((requested, lsn)),
            _ => None,
        })
        .collect();
    assert_eq!(requested.len(), 1);
    assert!(requested[0].0, "asked for by the user");
    assert!(requested[0].1 > 0);
    assert_eq!(
        lab.events(1)[0].text,
        format!(
            "leader: requested checkpoint at {}",
            replication_lab::engine::Lsn(requested[0].1)
        )
    );
}
