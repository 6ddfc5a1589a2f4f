//! What the lab prints for a multi-leader cluster, as a database engineer would check it:
//! PostgreSQL's view of a leader's changes with their origins (test_decoding's line shapes
//! from the PostgreSQL 15 sample), MySQL's binlog of a ring with each event's originating
//! `server id` (the MariaDB sample's header shape), PostgreSQL 18's conflict reports word for
//! word (`ReportApplyConflict` in PostgreSQL 18.3's `conflict.c`), the origin and
//! subscription views, the event log, the caption and the inspector of a leader.

use replication_lab::engine::{RowChange, RowOp, Value};
use replication_lab::lab::caption::seen;
use replication_lab::lab::inspect::Inspection;
use replication_lab::lab::{Lab, LabAction, LabSettings, MultiLeaderConfig, Resolver, Topology};
use replication_lab::replication::config::ClusterConfig;
use replication_lab::replication::multi_leader::messages::{Change, Logged};
use replication_lab::replication::multi_leader::state::ConflictKind;
use replication_lab::replication::multi_leader::version::{Dot, RowVersion, VersionVector};
use replication_lab::replication::node::LabNode;
use replication_lab::replication::render::decoding::ReplicaIdentity;
use replication_lab::replication::render::multi_leader::{
    conflict_log, pg_replication_origin_status, pg_stat_subscription_stats, ring_binlog_view,
    test_decoding_view, ConflictReport, Leaders, LocalWrite, OriginStatus, SubscriptionStats,
};
use replication_lab::replication::render::slots::ApplyContext;
use replication_lab::sim::NodeId;

const MS: u64 = 1_000;
/// 2026-11-29 09:00:00 UTC.
const T0: i64 = 1_795_942_800_000_000;

fn names() -> Vec<String> {
    ["leader-a", "leader-b", "leader-c"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn columns() -> Vec<String> {
    vec!["id".into(), "status".into(), "note".into()]
}

fn row(id: i64, status: &str) -> Vec<Value> {
    vec![Value::Integer(id), Value::Text(status.into()), Value::Null]
}

/// A change written at server `origin` (its `seq`-th), at `pos` of the log shown, having
/// passed `path`.
fn logged(pos: u64, origin: u32, seq: u64, path: &[u32], op: RowOp, after: &str) -> Logged {
    let dot = Dot {
        server_id: origin,
        seq,
    };
    let change = RowChange {
        table: "orders".into(),
        op,
        key_column: "id".into(),
        key: Value::Integer(1),
        columns: columns(),
        before: (op != RowOp::Insert).then(|| row(1, "new")),
        after: (op != RowOp::Delete).then(|| row(1, after)),
    };
    let version = RowVersion {
        dot,
        seen: VersionVector::default(),
        commit_ts: T0 + pos as i64 * 100_000,
        columns: columns(),
        image: change.after.clone(),
    };
    Logged {
        pos,
        change: Change {
            dot,
            origin: NodeId(origin - 1),
            path: path.to_vec(),
            commit_ts: T0 + pos as i64 * 100_000,
            deps: VersionVector::default(),
            xid: 740 + pos,
            rows: vec![(change, version)],
        },
    }
}

// ---------------------------------------------------------------- PostgreSQL's view

#[test]
fn test_decoding_marks_what_came_from_another_leader_with_its_origin() {
    let names = names();
    let leaders = Leaders {
        me: 2,
        names: &names,
    };
    let entries = [
        logged(1, 2, 1, &[2], RowOp::Insert, "new"),
        logged(2, 1, 1, &[1, 2], RowOp::Update, "paid"),
    ];
    let lines = test_decoding_view(&entries, leaders, ReplicaIdentity::Default, &[], false);
    assert!(
        lines[0].starts_with("-- lab: leader-b's changes, pg_recvlogical --plugin=test_decoding")
    );
    // The lines as test_decoding prints them (the PostgreSQL 15 sample's third call, with
    // include-xids=0 and include-timestamp=1): BEGIN, the change, COMMIT (at …+00).
    assert_eq!(
        lines[1..],
        [
            "BEGIN",
            "table public.orders: INSERT: id[integer]:1 status[text]:'new' note[unknown]:null",
            "COMMIT (at 2026-11-29 09:00:00.1+00)",
            "-- origin \"pg_16394\" (from leader-a)",
            "BEGIN",
            "table public.orders: UPDATE: id[integer]:1 status[text]:'paid' note[unknown]:null",
            "COMMIT (at 2026-11-29 09:00:00.2+00)",
        ]
    );
}

#[test]
fn in_a_ring_postgresql_names_the_subscription_a_change_came_through_and_says_it_has_no_ring() {
    let names = names();
    let leaders = Leaders {
        me: 3,
        names: &names,
    };
    // leader-a's change, forwarded by leader-b to leader-c.
    let entries = [logged(4, 1, 2, &[1, 2, 3], RowOp::Update, "paid")];
    let lines = test_decoding_view(&entries, leaders, ReplicaIdentity::Default, &[], true);
    assert!(
        lines[1].starts_with("-- lab: PostgreSQL has no ring or star"),
        "{lines:?}"
    );
    assert_eq!(
        lines[2],
        "-- origin \"pg_16395\" (from leader-b, written at leader-a)"
    );
}

// ---------------------------------------------------------------- MySQL's view of a ring

/// The MariaDB sample's event header: `#261128 13:51:27 server id 1  end_log_pos 427 CRC32
/// 0x19a3eab1 \tGTID 0-1-11 trans`, split into its fields (None if the shape differs).
fn header(line: &str) -> Option<(u32, u64, &str)> {
    let rest = line.strip_prefix('#')?;
    let (date, rest) = rest.split_at(6);
    if !date.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix(' ')?;
    let (time, rest) = rest.split_at(8);
    if time.as_bytes()[2] != b':' || time.as_bytes()[5] != b':' {
        return None;
    }
    let rest = rest.strip_prefix(" server id ")?;
    let (id, rest) = rest.split_once("  end_log_pos ")?;
    let (end, rest) = rest.split_once(" CRC32 0x")?;
    let (crc, event) = rest.split_once(" \t")?;
    if crc.len() != 8 || !crc.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some((id.parse().ok()?, end.parse().ok()?, event))
}

#[test]
fn the_real_samples_header_reads_as_the_lab_reads_its_own() {
    let sample =
        "#261128 13:51:27 server id 1  end_log_pos 427 CRC32 0x19a3eab1 \tGTID 0-1-11 trans";
    assert_eq!(header(sample), Some((1, 427, "GTID 0-1-11 trans")));
}

#[test]
fn a_rings_binlog_keeps_each_transactions_originating_server_id() {
    let names = names();
    let leaders = Leaders {
        me: 3,
        names: &names,
    };
    // leader-c's own insert, then leader-a's update forwarded by leader-b.
    let entries = [
        logged(1, 3, 1, &[3], RowOp::Insert, "new"),
        logged(2, 1, 1, &[1, 2, 3], RowOp::Update, "paid"),
    ];
    let lines = ring_binlog_view(&entries, leaders, 157);
    assert!(lines[0].starts_with(
        "# lab: mysqlbinlog -v of leader-c's binlog (server_id=3, log_replica_updates=ON)"
    ));
    let headers: Vec<(u32, u64, &str)> = lines.iter().filter_map(|l| header(l)).collect();
    let ats: Vec<u64> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("# at ")?.parse().ok())
        .collect();
    assert_eq!(headers.len(), ats.len(), "every event has its # at line");
    assert_eq!(ats[0], 157);
    // Each event starts where the one before ended.
    for (i, (_, end, _)) in headers.iter().enumerate().take(headers.len() - 1) {
        assert_eq!(ats[i + 1], *end);
    }
    // The first transaction's events carry server id 3, the forwarded one's server id 1.
    let ids: Vec<u32> = headers.iter().map(|h| h.0).collect();
    let split = headers
        .iter()
        .rposition(|h| h.2.starts_with("GTID"))
        .expect("two GTID events");
    assert!(ids[..split].iter().all(|&id| id == 3), "{ids:?}");
    assert!(ids[split..].iter().all(|&id| id == 1), "{ids:?}");
    assert!(headers[split..]
        .iter()
        .any(|h| h.2 == "Update_rows: table id 7362 flags: STMT_END_F"
            || h.2.starts_with("Update_rows: table id ")));
    // The GTID is the origin's: its server_uuid, its own count.
    let gtids: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("SET @@SESSION.GTID_NEXT= '"))
        .collect();
    assert_eq!(gtids.len(), 2);
    assert!(gtids[1].ends_with(":1'/*!*/;"), "{}", gtids[1]);
    assert_ne!(gtids[0][..40], gtids[1][..40], "two origins, two uuids");
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("# lab:")).count(),
        1,
        "one lab line for the whole binlog"
    );
}

// ---------------------------------------------------------------- PostgreSQL 18's reports

fn report(
    kind: ConflictKind,
    local: Option<LocalWrite>,
    remote: Option<Vec<Value>>,
) -> ConflictReport {
    ConflictReport {
        kind,
        table: "orders".into(),
        key_column: "id".into(),
        key: Value::Integer(1),
        local,
        remote,
        context: Some(ApplyContext {
            origin: "pg_16394".into(),
            message_type: match kind {
                ConflictKind::InsertExists => "INSERT",
                ConflictKind::UpdateOriginDiffers | ConflictKind::UpdateMissing => "UPDATE",
                _ => "DELETE",
            }
            .into(),
            relation: Some("public.orders".into()),
            xid: 774,
            finished_at: "0/4066690".into(),
        }),
    }
}

fn written(origin: Option<&str>) -> Option<LocalWrite> {
    Some(LocalWrite {
        row: Some(row(1, "paid")),
        origin: origin.map(str::to_string),
        xid: 780,
        committed: T0 + 600_000,
    })
}

const CONTEXT: &str =
    "CONTEXT:  processing remote data for replication origin \"pg_16394\" during message type";

#[test]
fn update_origin_differs_is_logged_as_postgresql_18_logs_it() {
    let lines = conflict_log(&report(
        ConflictKind::UpdateOriginDiffers,
        written(Some("pg_16395")),
        Some(row(1, "cancelled")),
    ));
    assert_eq!(
        lines,
        [
            "LOG:  conflict detected on relation \"public.orders\": conflict=update_origin_differs",
            "DETAIL:  Updating the row that was modified by a different origin \"pg_16395\" in transaction 780 at 2026-11-29 09:00:00.6+00.",
            "\tExisting local row (1, paid, null); remote row (1, cancelled, null); replica identity (id)=(1).",
            &format!("{CONTEXT} \"UPDATE\" for replication target relation \"public.orders\" in transaction 774, finished at 0/4066690"),
        ]
    );
    let local = conflict_log(&report(
        ConflictKind::UpdateOriginDiffers,
        written(None),
        Some(row(1, "cancelled")),
    ));
    assert_eq!(
        local[1],
        "DETAIL:  Updating the row that was modified locally in transaction 780 at 2026-11-29 09:00:00.6+00."
    );
}

#[test]
fn insert_exists_is_an_error_with_the_key_and_both_rows() {
    let lines = conflict_log(&report(
        ConflictKind::InsertExists,
        written(Some("pg_16395")),
        Some(row(1, "new")),
    ));
    assert_eq!(
        lines[..3],
        [
            "ERROR:  conflict detected on relation \"public.orders\": conflict=insert_exists",
            "DETAIL:  Key already exists in unique index \"orders_pkey\", modified by origin \"pg_16395\" in transaction 780 at 2026-11-29 09:00:00.6+00.",
            "\tKey (id)=(1); existing local row (1, paid, null); remote row (1, new, null).",
        ]
    );
    assert!(lines[3].contains("message type \"INSERT\""));
}

#[test]
fn missing_rows_and_deletes_say_what_postgresql_18_says() {
    let update_missing = conflict_log(&report(
        ConflictKind::UpdateMissing,
        None,
        Some(row(1, "paid")),
    ));
    assert_eq!(
        update_missing[1..3],
        [
            "DETAIL:  Could not find the row to be updated.",
            "\tRemote row (1, paid, null); replica identity (id)=(1).",
        ]
    );
    let delete_missing = conflict_log(&report(ConflictKind::DeleteMissing, None, None));
    assert_eq!(
        delete_missing[..3],
        [
            "LOG:  conflict detected on relation \"public.orders\": conflict=delete_missing",
            "DETAIL:  Could not find the row to be deleted.",
            "\tReplica identity (id)=(1).",
        ]
    );
    let delete_differs = conflict_log(&report(
        ConflictKind::DeleteOriginDiffers,
        written(Some("pg_16396")),
        None,
    ));
    assert_eq!(
        delete_differs[1..3],
        [
            "DETAIL:  Deleting the row that was modified by a different origin \"pg_16396\" in transaction 780 at 2026-11-29 09:00:00.6+00.",
            "\tExisting local row (1, paid, null); replica identity (id)=(1).",
        ]
    );
}

#[test]
fn a_long_value_is_cut_at_64_bytes_as_postgresql_cuts_it() {
    let long = "x".repeat(70);
    let mut r = report(ConflictKind::UpdateMissing, None, None);
    r.remote = Some(vec![Value::Integer(1), Value::Text(long), Value::Null]);
    let lines = conflict_log(&r);
    assert!(
        lines[2].contains(&format!("(1, {}..., null)", "x".repeat(64))),
        "{}",
        lines[2]
    );
}

#[test]
fn origins_and_subscription_stats_have_postgresql_18s_columns() {
    let origins = pg_replication_origin_status(&[OriginStatus {
        local_id: 1,
        external_id: "pg_16394".into(),
        remote_lsn: "0/30000B8".into(),
        local_lsn: "0/3000170".into(),
    }]);
    assert_eq!(
        origins,
        [
            "postgres=# SELECT * FROM pg_replication_origin_status;",
            " local_id | external_id | remote_lsn | local_lsn ",
            "----------+-------------+------------+-----------",
            "        1 | pg_16394    | 0/30000B8  | 0/3000170",
            "(1 row)",
        ]
    );
    let stats = pg_stat_subscription_stats(&[SubscriptionStats {
        subid: 16394,
        subname: "sub_leader_a".into(),
        conflicts: vec![
            ConflictKind::UpdateOriginDiffers,
            ConflictKind::UpdateOriginDiffers,
            ConflictKind::DeleteMissing,
        ],
    }]);
    let fields: Vec<(&str, &str)> = stats[2..]
        .iter()
        .filter_map(|l| l.split_once(" | "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect();
    assert_eq!(
        fields,
        [
            ("subid", "16394"),
            ("subname", "sub_leader_a"),
            ("apply_error_count", "0"),
            ("sync_error_count", "0"),
            ("confl_insert_exists", "0"),
            ("confl_update_origin_differs", "2"),
            ("confl_update_exists", "0"),
            ("confl_update_missing", "0"),
            ("confl_delete_origin_differs", "0"),
            ("confl_delete_missing", "1"),
            ("confl_multiple_unique_conflicts", "0"),
            ("stats_reset", ""),
        ]
    );
}

// ---------------------------------------------------------------- the lab

fn lab(leaders: u32, topology: Topology, resolver: Resolver) -> Lab {
    Lab::new(LabSettings {
        seed: 5,
        cluster: ClusterConfig::multi_leader(
            leaders,
            MultiLeaderConfig {
                topology,
                resolver,
                ..MultiLeaderConfig::default()
            },
        ),
    })
}

fn act(lab: &mut Lab, at: u64, action: LabAction) {
    lab.seek(at);
    lab.perform(action.clone())
        .unwrap_or_else(|e| panic!("{action:?} at {at}: {e}"));
}

fn sql(lab: &mut Lab, at: u64, client: u32, sql: &str) {
    act(
        lab,
        at,
        LabAction::Sql {
            client,
            sql: sql.into(),
        },
    );
}

/// Two leaders update row 1 while the link between them is cut, then it heals.
fn conflicting(topology: Topology) -> Lab {
    let mut lab = lab(3, topology, Resolver::LastWriteWins);
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    lab.seek(500 * MS);
    act(&mut lab, 500 * MS, LabAction::Partition { a: 0, b: 1 });
    sql(
        &mut lab,
        600 * MS,
        3,
        "UPDATE orders SET status = 'paid' WHERE id = 1",
    );
    sql(
        &mut lab,
        700 * MS,
        4,
        "UPDATE orders SET status = 'cancelled' WHERE id = 1",
    );
    act(&mut lab, 800 * MS, LabAction::Heal { a: 0, b: 1 });
    lab.seek(3_000 * MS);
    lab
}

/// Words of single-leader replication a multi-leader server must never show.
fn single_leader_words(i: &Inspection) -> Vec<String> {
    const WORDS: [&str; 7] = [
        "walsender",
        "follower",
        "standby",
        "pg_stat_replication",
        "pg_current_wal_lsn",
        "timeline",
        "primary",
    ];
    i.log
        .iter()
        .chain(&i.status)
        .filter(|l| WORDS.iter().any(|w| l.contains(w)))
        .cloned()
        .collect()
}

#[test]
fn a_leader_inspected_shows_origins_counters_and_the_conflict_in_postgresql_18s_words() {
    let lab = conflicting(Topology::AllToAll);
    let a = lab.inspect(0).expect("leader-a");
    assert_eq!(a.log_tool, "pg_recvlogical (test_decoding)");
    assert!(
        a.log
            .contains(&"-- origin \"pg_16395\" (from leader-b)".to_string()),
        "{:#?}",
        a.log
    );
    assert!(
        single_leader_words(&a).is_empty(),
        "{:?}",
        single_leader_words(&a)
    );
    let status = a.status.join("\n");
    assert!(
        status.contains(
            "-- all-to-all topology: sends to leader-b, leader-c; receives from leader-b, leader-c"
        ),
        "{status}"
    );
    assert!(status.contains("        1 | pg_16395    | 0/"), "{status}");
    // The conflict counted under the subscription it came through.
    let sub_b = status
        .split("-[ RECORD")
        .find(|r| r.contains("sub_leader_b"))
        .expect("sub_leader_b");
    assert!(
        sub_b.contains("confl_update_origin_differs     | 1"),
        "{sub_b}"
    );
    // leader-a's own update met leader-b's: reported with LOG, DETAIL, CONTEXT.
    let log: Vec<&String> = a
        .status
        .iter()
        .skip_while(|l| !l.starts_with("-- leader-a's server log"))
        .collect();
    assert_eq!(
        log[1],
        "LOG:  conflict detected on relation \"public.orders\": conflict=update_origin_differs"
    );
    assert!(
        log[2].starts_with("DETAIL:  Updating the row that was modified locally in transaction ")
    );
    assert!(
        log[3].starts_with("\tExisting local row (1, paid, null, "),
        "{}",
        log[3]
    );
    assert!(log[3].contains("; remote row (1, cancelled, null, "));
    assert!(log[4].contains("CONTEXT:  processing remote data for replication origin \"pg_16395\" during message type \"UPDATE\""));
    assert!(
        log[5].starts_with("-- lab: PostgreSQL 18 only logs it and applies the remote change; the lab's resolver: last write wins: kept leader-b #1, discarded leader-a #2"),
        "{}",
        log[5]
    );
    // The row as last write wins left it.
    let orders = a
        .tables
        .iter()
        .find(|t| t.name == "orders")
        .expect("orders");
    assert_eq!(orders.rows[0].cells[1].text, "cancelled");
}

#[test]
fn in_a_ring_the_binlog_shows_forwarded_changes_under_their_origin() {
    let mut lab = lab(3, Topology::Circular, Resolver::LastWriteWins);
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (id, status) VALUES (1, 'from a')",
    );
    lab.seek(2_000 * MS);
    // a -> b -> c: leader-c has leader-a's change through leader-b. A ring is MySQL's
    // circular replication: the inspector's Log is leader-c's binlog, the forwarded
    // transaction under its writer's server id.
    let c = lab.inspect(2).expect("leader-c");
    assert_eq!(c.log_tool, "mysqlbinlog -v (a ring's binlog)");
    let shown: Vec<u32> = c
        .log
        .iter()
        .filter_map(|l| header(l))
        .map(|h| h.0)
        .collect();
    assert!(
        !shown.is_empty() && shown.iter().all(|id| *id == 1),
        "{:#?}",
        c.log
    );
    assert!(
        c.log.iter().any(|l| l == "###   @2='from a'"),
        "{:#?}",
        c.log
    );
    // MySQL's view of leader-c's log: leader-a's transaction under server id 1.
    let server = lab
        .world()
        .node(NodeId(2))
        .and_then(LabNode::as_server)
        .expect("leader-c");
    let entries: Vec<Logged> = server.disk.multi.log.iter().cloned().collect();
    let names = names();
    let binlog = ring_binlog_view(
        &entries,
        Leaders {
            me: 3,
            names: &names,
        },
        157,
    );
    assert!(
        binlog.iter().filter_map(|l| header(l)).all(|h| h.0 == 1),
        "{binlog:#?}"
    );
    assert!(
        binlog.iter().any(|l| l == "###   @2='from a'"),
        "{binlog:#?}"
    );
    assert!(
        single_leader_words(&c).is_empty(),
        "{:?}",
        single_leader_words(&c)
    );
    // Back at leader-a, its own change ends the loop, in MySQL's terms.
    let events = lab.events(100);
    assert!(
        events.iter().any(|e| e.text
            == "leader-a skipped its own change #1 coming back round: it carries leader-a's server id (the loop ends here)"),
        "{:?}",
        events.iter().map(|e| &e.text).collect::<Vec<_>>()
    );
}

#[test]
fn the_event_log_tells_a_conflict_with_postgresql_18s_line_and_the_caption_in_words() {
    let lab = conflicting(Topology::AllToAll);
    let events = lab.events(100);
    let conflict = events
        .iter()
        .find(|e| e.text.starts_with("leader-a: LOG:  conflict detected"))
        .expect("leader-a's conflict is narrated");
    assert!(conflict.important);
    assert_eq!(
        conflict.text,
        "leader-a: LOG:  conflict detected on relation \"public.orders\": conflict=update_origin_differs\n\
         leader-a: orders row 1 was changed concurrently at another leader; 1 write lost to conflict resolution"
    );
}

#[test]
fn the_caption_tells_a_change_leaving_and_reaching_another_leader() {
    let mut lab = lab(3, Topology::AllToAll, Resolver::LastWriteWins);
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    lab.seek(500 * MS);
    let world = lab.world();
    let method = lab.settings().cluster.method;
    let phrases: Vec<String> = world
        .trace()
        .iter()
        .enumerate()
        .filter_map(|(i, e)| seen(world, method, i as u64, e))
        .map(|(_, text)| text)
        .collect();
    for expected in [
        "leader-a sent change leader-a #1 to leader-b",
        "leader-c received change leader-a #1 from leader-a",
    ] {
        assert!(
            phrases.iter().any(|p| p == expected),
            "{expected}: {phrases:#?}"
        );
    }
    // Stepping, the apply is told (the event log's words).
    let mut lab = lab_again();
    let mut told = Vec::new();
    for _ in 0..4 {
        lab.step_visible();
        told.push(lab.caption());
    }
    assert!(
        told.iter()
            .any(|t| t == "leader-b applied leader-a's change #1"),
        "{told:?}"
    );
}

fn lab_again() -> Lab {
    let mut lab = lab(3, Topology::AllToAll, Resolver::LastWriteWins);
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (id, status) VALUES (1, 'new')",
    );
    lab
}

#[test]
fn an_insert_on_two_leaders_is_insert_exists_where_postgresql_18_would_stop() {
    let mut lab = lab(2, Topology::AllToAll, Resolver::LastWriteWins);
    sql(
        &mut lab,
        10 * MS,
        2,
        "INSERT INTO orders (status) VALUES ('a')",
    );
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (status) VALUES ('b')",
    );
    lab.seek(2_000 * MS);
    let b = lab.inspect(1).expect("leader-b");
    assert!(
        b.status.iter().any(|l| l.ends_with(
            "ERROR:  conflict detected on relation \"public.orders\": conflict=insert_exists"
        )),
        "{:#?}",
        b.status
    );
    assert!(b.status.iter().any(|l| l.contains("DETAIL:  Key already exists in unique index \"orders_pkey\", modified locally in transaction ")));
    assert!(b
        .status
        .iter()
        .any(|l| l.starts_with("-- lab: PostgreSQL 18 stops here")));
    let events = lab.events(100);
    assert!(events.iter().any(|e| e.text.contains(
        "was inserted at another leader too (PostgreSQL 18 stops here; the lab's resolver settles it)"
    )));
}

#[test]
fn every_node_inspects_without_panicking_through_a_crash_and_a_topology_change() {
    let mut lab = lab(3, Topology::Circular, Resolver::Siblings);
    sql(
        &mut lab,
        10 * MS,
        3,
        "INSERT INTO orders (id, status) VALUES (1, 'a')",
    );
    act(&mut lab, 20 * MS, LabAction::Crash(1));
    sql(
        &mut lab,
        30 * MS,
        5,
        "UPDATE orders SET status = 'c' WHERE id = 1",
    );
    for t in [40, 200, 600] {
        lab.seek(t * MS);
        for n in 0..6 {
            let i = lab.inspect(n).expect("every node");
            if n < 3 {
                assert!(
                    single_leader_words(&i).is_empty(),
                    "{:?}",
                    single_leader_words(&i)
                );
            }
        }
    }
    act(
        &mut lab,
        700 * MS,
        LabAction::SetTopology(Topology::AllToAll),
    );
    lab.seek(2_000 * MS);
    let a = lab.inspect(0).expect("leader-a");
    assert!(
        a.status[0].starts_with("-- all-to-all topology"),
        "{}",
        a.status[0]
    );
}
