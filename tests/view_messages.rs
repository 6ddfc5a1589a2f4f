//! The words on messages in flight, as a student reads them on the diagram: in the method's
//! own terms (`WAL 0/…`, `binlog INSERT …`, `row INSERT orders`, `sl_log …`), an
//! acknowledgement saying which position it reports by the ack level, the client's SQL and
//! its answer.

use std::collections::BTreeSet;

use replication_lab::lab::{Lab, LabAction, LabSettings};
use replication_lab::replication::config::{
    AckPolicy, AckStage, ClusterConfig, Method, RowImage, StandbySet,
};
use replication_lab::view::MessageKind;

/// Every (kind, label) of a message in flight while `sql` goes from the first client to the
/// leader and on to the followers (one event at a time, so no message is missed).
fn labels_of_a_write(cluster: ClusterConfig, sql: &str) -> BTreeSet<(String, String)> {
    let mut lab = Lab::new(LabSettings { seed: 7, cluster });
    lab.seek(2_000_000);
    let client = lab
        .view()
        .nodes
        .iter()
        .find(|n| n.name == "client-1")
        .expect("client-1")
        .id;
    lab.perform(LabAction::Sql {
        client,
        sql: sql.into(),
    })
    .expect("the client sends");
    let mut seen = BTreeSet::new();
    let until = lab.time() + 1_500_000;
    while lab.time() < until && lab.step() {
        for m in lab.view().messages {
            seen.insert((format!("{:?}", m.kind), m.label));
        }
    }
    seen
}

fn has(seen: &BTreeSet<(String, String)>, kind: MessageKind, prefix: &str) -> bool {
    let kind = format!("{kind:?}");
    seen.iter()
        .any(|(k, l)| *k == kind && l.starts_with(prefix))
}

const INSERT: &str = "INSERT INTO orders (status) VALUES ('paid')";

#[test]
fn wal_streaming_says_wal_and_its_lsn_and_acks_say_flushed() {
    let seen = labels_of_a_write(ClusterConfig::standard(Method::Wal, 2), INSERT);
    assert!(has(&seen, MessageKind::Data, "WAL 0/0"), "{seen:?}");
    assert!(has(&seen, MessageKind::Ack, "ack: flushed 0/0"), "{seen:?}");
    assert!(
        has(&seen, MessageKind::Client, "INSERT INTO orders …"),
        "{seen:?}"
    );
    assert!(has(&seen, MessageKind::Client, "INSERT 0 1"), "{seen:?}");
    // The old shorthand is gone.
    assert!(
        !seen
            .iter()
            .any(|(_, l)| l.starts_with("entry ") || l.starts_with("ack w")),
        "{seen:?}"
    );
    // The ack's position is one the data carried: the follower flushed what it was sent.
    let sent: BTreeSet<&str> = seen
        .iter()
        .filter_map(|(_, l)| l.strip_prefix("WAL "))
        .collect();
    assert!(
        seen.iter()
            .filter_map(|(_, l)| l.strip_prefix("ack: flushed "))
            .any(|lsn| sent.contains(lsn)),
        "{seen:?}"
    );
}

#[test]
fn the_ack_says_the_stage_the_ack_level_waits_for() {
    for (stage, word) in [
        (AckStage::Write, "ack: written 0/0"),
        (AckStage::Apply, "ack: applied 0/0"),
    ] {
        let mut cluster = ClusterConfig::standard(Method::Wal, 2);
        cluster.ack = AckPolicy::Sync {
            stage,
            standbys: StandbySet::First {
                count: 1,
                names: vec!["follower-1".into()],
            },
            timeout: None,
        };
        let seen = labels_of_a_write(cluster, INSERT);
        assert!(has(&seen, MessageKind::Ack, word), "{stage:?}: {seen:?}");
        assert!(
            !has(&seen, MessageKind::Ack, "ack: flushed"),
            "{stage:?}: {seen:?}"
        );
    }
}

#[test]
fn statement_and_row_methods_say_what_they_ship() {
    let seen = labels_of_a_write(
        ClusterConfig::standard(
            Method::Statement {
                context_events: true,
            },
            2,
        ),
        INSERT,
    );
    assert!(
        has(&seen, MessageKind::Data, "binlog INSERT INTO orders"),
        "{seen:?}"
    );
    assert!(
        has(&seen, MessageKind::Ack, "ack: flushed pos "),
        "{seen:?}"
    );
    let seen = labels_of_a_write(
        ClusterConfig::standard(
            Method::Logical {
                image: RowImage::Full,
            },
            2,
        ),
        INSERT,
    );
    assert!(
        seen.contains(&("Data".into(), "row INSERT orders".into())),
        "{seen:?}"
    );
}

#[test]
fn trigger_based_replication_says_sl_log() {
    let seen = labels_of_a_write(ClusterConfig::standard(Method::Trigger, 2), INSERT);
    assert!(has(&seen, MessageKind::Data, "sl_log 1 rows"), "{seen:?}");
    assert!(
        seen.contains(&("Data".into(), "apply INSERT orders".into())),
        "{seen:?}"
    );
    assert!(has(&seen, MessageKind::Ack, "ack: applied "), "{seen:?}");
    // The applier polls every 200 ms; an empty answer carries nothing, so it is drawn (and
    // stepped over) as a heartbeat, not as data.
    assert!(
        has(&seen, MessageKind::Heartbeat, "sl_log: nothing new"),
        "{seen:?}"
    );
    assert!(
        !has(&seen, MessageKind::Data, "sl_log: nothing new"),
        "{seen:?}"
    );
}
