//! The four log methods carry the same writes to the followers, each in its own way.

mod support;

use replication_lab::replication::config::{ClusterConfig, Method, RowImage};
use support::{ms, Run};

const WRITES: [&str; 4] = [
    "INSERT INTO orders (status, note) VALUES ('pending', 'first'), ('pending', 'second')",
    "UPDATE orders SET status = 'shipped' WHERE id = 1",
    "INSERT INTO orders (status) VALUES ('pending')",
    "DELETE FROM orders WHERE id = 2",
];

fn run_writes(method: Method, seed: u64) -> Run {
    let mut run = Run::new(&ClusterConfig::standard(method, 2), seed);
    for (i, sql) in WRITES.iter().enumerate() {
        run.sql(ms(10 + 20 * i as u64), "client-1", sql);
    }
    run.run_until(ms(2_000));
    run
}

#[test]
fn wal_shipping_gives_followers_byte_identical_pages() {
    let run = run_writes(Method::Wal, 1);
    assert_eq!(run.rows("leader", "orders").len(), 2, "seed {}", run.seed);
    for follower in ["follower-1", "follower-2"] {
        assert!(
            run.pages_identical("leader", follower),
            "{follower}, seed {}",
            run.seed
        );
        assert_eq!(run.server(follower).disk.applied, 4);
    }
    let answers = run.answers("client-1");
    assert_eq!(answers.len(), 4);
    assert!(answers.iter().all(|a| a.outcome.is_ok()), "{answers:?}");
}

#[test]
fn logical_and_statement_methods_converge_on_deterministic_writes() {
    for method in [
        Method::Logical {
            image: RowImage::Full,
        },
        Method::Logical {
            image: RowImage::Minimal,
        },
        Method::Statement {
            context_events: true,
        },
    ] {
        let run = run_writes(method, 2);
        for follower in ["follower-1", "follower-2"] {
            assert_eq!(
                run.rows("leader", "orders"),
                run.rows(follower, "orders"),
                "{method:?} {follower}, seed {}",
                run.seed
            );
        }
    }
}
