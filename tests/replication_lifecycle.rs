//! Followers crash and catch up, new followers join from a snapshot, leaders fail over.

mod support;

use replication_lab::engine::FormatVersion;
use replication_lab::replication::config::{ClusterConfig, Method, RowImage, ServerSpec};
use replication_lab::replication::messages::Request;
use replication_lab::replication::server::{ServerRole, Stream};
use support::{ms, Run};

fn insert(n: u64) -> String {
    format!("INSERT INTO orders (status, note) VALUES ('pending', 'order {n}')")
}

#[test]
fn a_crashed_follower_resumes_from_its_last_flushed_position() {
    for method in [
        Method::Wal,
        Method::Logical {
            image: RowImage::Full,
        },
    ] {
        let mut run = Run::new(&ClusterConfig::standard(method, 2), 3);
        for i in 0..10 {
            run.sql(ms(10 + 50 * i), "client-1", &insert(i));
        }
        run.crash(ms(120), "follower-2")
            .restart(ms(400), "follower-2");
        run.run_until(ms(300));
        let during = run.server("follower-2").disk.applied;
        assert!(
            during < 10,
            "crashed follower kept applying (seed {})",
            run.seed
        );
        run.run_until(ms(2_000));
        assert_eq!(
            run.server("follower-2").disk.applied,
            10,
            "{method:?} seed {}",
            run.seed
        );
        assert_eq!(
            run.rows("leader", "orders"),
            run.rows("follower-2", "orders")
        );
    }
}

#[test]
fn a_new_follower_joins_from_a_snapshot_while_writes_go_on() {
    let mut config = ClusterConfig::standard(Method::Wal, 1);
    let mut spare = ServerSpec::new("follower-2");
    spare.starts_streaming = false;
    config.servers.push(spare);
    let mut run = Run::new(&config, 4);
    for i in 0..40 {
        run.sql(ms(10 + 20 * i), "client-1", &insert(i));
    }
    run.request(ms(300), "follower-2", Request::Join);
    run.run_until(ms(330));
    assert!(
        matches!(
            run.server("follower-2").mem.role.stream(),
            Stream::Snapshot { .. }
        ),
        "the spare is copying a base backup: {:?}",
        run.server("follower-2").mem.role.stream()
    );
    run.run_until(ms(3_000));
    assert!(
        run.pages_identical("leader", "follower-2"),
        "seed {}",
        run.seed
    );
    assert_eq!(
        run.server("follower-2").disk.family.role,
        ServerRole::Follower
    );
    // Writes kept being acknowledged quickly while the snapshot was copied.
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 40);
    assert!(answers.iter().all(|a| a.outcome.is_ok()));
    let slowest = answers
        .iter()
        .map(|a| a.answered_at.saturating_sub(a.sent_at).as_micros())
        .max()
        .unwrap_or(0);
    assert!(
        slowest < 20_000,
        "a write waited {slowest} µs during the snapshot"
    );
}

#[test]
fn wal_to_a_follower_on_another_storage_version_is_refused() {
    let mut config = ClusterConfig::standard(Method::Wal, 2);
    config.servers[1].format = FormatVersion::V17;
    let mut run = Run::new(&config, 5);
    run.sql(ms(10), "client-1", &insert(1));
    run.run_until(ms(1_000));
    let follower = run.server("follower-1");
    let Stream::Refused(error) = &follower.mem.role.stream() else {
        panic!(
            "follower-1 should refuse the stream: {:?}",
            follower.mem.role.stream()
        );
    };
    assert!(error.starts_with("FATAL:  database files are incompatible with server"));
    assert!(error.contains(
        "The data directory was initialized by PostgreSQL version 16, which is not compatible with this version 17."
    ));
    assert!(run.rows("follower-1", "orders").is_empty());
    assert_eq!(run.rows("follower-2", "orders").len(), 1);
}

#[test]
fn logical_replication_to_another_storage_version_works() {
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        1,
    );
    config.servers[1].format = FormatVersion::V17;
    let mut run = Run::new(&config, 6);
    for i in 0..6 {
        run.sql(ms(10 + 10 * i), "client-1", &insert(i));
    }
    run.sql(
        ms(100),
        "client-1",
        "UPDATE orders SET status = 'shipped' WHERE id = 3",
    );
    run.run_until(ms(1_000));
    assert_eq!(
        run.rows("leader", "orders"),
        run.rows("follower-1", "orders")
    );
    assert!(
        !run.pages_identical("leader", "follower-1"),
        "different versions, different bytes"
    );
}

#[test]
fn a_logical_follower_missing_a_column_stalls_and_retries() {
    let mut config = ClusterConfig::standard(
        Method::Logical {
            image: RowImage::Full,
        },
        1,
    );
    config.servers[1].schema = Some(vec![
        "CREATE TABLE orders (id INTEGER PRIMARY KEY AUTO_INCREMENT, status TEXT NOT NULL, created_at TIMESTAMP DEFAULT NOW())".into(),
    ]);
    let mut run = Run::new(&config, 7);
    run.sql(ms(10), "client-1", &insert(1));
    run.run_until(ms(12_000));
    let follower = run.server("follower-1");
    assert_eq!(
        follower.mem.role.stalled(),
        Some("ERROR:  logical replication target relation \"public.orders\" is missing replicated column: \"note\"")
    );
    assert_eq!(follower.disk.applied, 0);
    let failures = run
        .world
        .trace()
        .iter()
        .filter(|e| format!("{:?}", e.kind).contains("ApplyFailed"))
        .count();
    assert!(
        failures >= 3,
        "retries every 5 s: {failures} attempts in 12 s"
    );
    let stalled = run
        .checks(Method::Logical {
            image: RowImage::Full,
        })
        .stalled;
    assert_eq!(stalled.len(), 1);
    assert_eq!(stalled[0].follower, "follower-1");
}
