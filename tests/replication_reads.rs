//! Reads from followers see the past: read-your-writes and monotonic reads break under
//! asynchronous replication, and `remote_apply` restores read-your-writes on its standby.

mod support;

use replication_lab::replication::config::{AckPolicy, AckStage, ClusterConfig, Method};
use replication_lab::sim::{LinkConfig, NodeId};
use support::{ms, Run};

const WRITE: &str = "INSERT INTO orders (status, note) VALUES ('pending', 'mine')";
const READ: &str = "SELECT note FROM orders";

fn rows_seen(run: &Run, answer: usize) -> usize {
    run.answers("client-1")[answer]
        .outcome
        .as_ref()
        .ok()
        .and_then(|ok| ok.result.as_ref())
        .map_or(0, |r| r.rows.len())
}

#[test]
fn a_read_from_a_lagging_follower_misses_your_own_write() {
    for (ack, sees_own_write) in [
        (AckPolicy::Async, false),
        (AckPolicy::postgres(AckStage::Apply, "follower-1"), true),
    ] {
        let mut config = ClusterConfig::standard(Method::Wal, 1);
        config.ack = ack;
        let mut run = Run::new(&config, 41);
        run.sql(ms(100), "client-1", WRITE);
        run.run_until(ms(100));
        // Read from the follower as soon as the write is acknowledged.
        while run.answers("client-1").is_empty() {
            run.world.step();
        }
        let now = run.world.now();
        run.sql_on(now, "client-1", "follower-1", READ);
        run.run_until(ms(1_000));
        assert_eq!(rows_seen(&run, 1) == 1, sees_own_write, "seed {}", run.seed);
    }
}

#[test]
fn reads_spread_over_followers_go_back_in_time() {
    let config = ClusterConfig::standard(Method::Wal, 2);
    // follower-2 is far away: it lags.
    let mut network = replication_lab::replication::cluster::default_network();
    network = network.with_link(NodeId(0), NodeId(2), LinkConfig::new(ms(200)));
    let mut run = Run::with_network(&config, 42, network);
    run.sql(ms(300), "client-1", WRITE);
    run.sql_on(ms(340), "client-1", "follower-1", READ);
    run.sql_on(ms(360), "client-1", "follower-2", READ);
    run.run_until(ms(1_000));
    assert_eq!(rows_seen(&run, 1), 1, "the first read sees the write");
    assert_eq!(
        rows_seen(&run, 2),
        0,
        "the second, later read does not: time went backwards"
    );
}
