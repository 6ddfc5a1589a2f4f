//! Statement-based replication: what replays the same and what does not.

mod support;

use replication_lab::engine::{MYSQL_UNSAFE_LIMIT, MYSQL_UNSAFE_SYSTEM_FUNCTION};
use replication_lab::replication::config::{ClusterConfig, Method, ServerSpec};
use replication_lab::replication::messages::Request;
use support::{ms, Run};

fn statement_cluster(context_events: bool) -> ClusterConfig {
    let mut config = ClusterConfig::standard(Method::Statement { context_events }, 1);
    // The follower's clock runs 2 s ahead.
    config.servers[1].clock_skew = 2_000_000;
    config.schema.push(
        "CREATE TABLE players (id INTEGER PRIMARY KEY AUTO_INCREMENT, name TEXT, score INTEGER)"
            .into(),
    );
    config
}

#[test]
fn a_naive_statement_log_diverges_on_now_and_rand_context_events_fix_them() {
    for (context_events, diverges) in [(false, true), (true, false)] {
        let mut run = Run::new(&statement_cluster(context_events), 31);
        run.sql(
            ms(10),
            "client-1",
            "INSERT INTO orders (status) VALUES ('pending')",
        )
        .sql(
            ms(40),
            "client-1",
            "INSERT INTO players (name, score) VALUES ('ada', RAND())",
        );
        run.run_until(ms(1_000));
        let differ = run.differing_keys("leader", "follower-1");
        assert_eq!(
            differ > 0,
            diverges,
            "context events {context_events}: {differ} rows differ"
        );
        if diverges {
            assert_eq!(differ, 2, "created_at (NOW() default) and score (RAND())");
        }
    }
}

#[test]
fn uuid_diverges_even_with_context_events_and_is_flagged_unsafe() {
    let mut run = Run::new(&statement_cluster(true), 32);
    run.sql(
        ms(10),
        "client-1",
        "INSERT INTO orders (status, note) VALUES ('pending', UUID())",
    );
    run.run_until(ms(1_000));
    assert_eq!(run.differing_keys("leader", "follower-1"), 1);
    let diverged = run
        .checks(Method::Statement {
            context_events: true,
        })
        .diverged_rows;
    assert_eq!(diverged.len(), 1, "{diverged:?}");
    assert_eq!(diverged[0].columns.len(), 1);
    assert_eq!(diverged[0].columns[0].0, "note");
    let answer = run.answers("client-1")[0]
        .outcome
        .clone()
        .expect("inserted");
    assert_eq!(
        answer.warning.as_deref(),
        Some(MYSQL_UNSAFE_SYSTEM_FUNCTION)
    );
}

/// A leader whose rows are stored out of key order (an update moved row 1 to the end of the
/// heap), and a follower set up afterwards from a dump (rows inserted in key order).
fn rows_in_another_order() -> Run {
    let mut config = statement_cluster(true);
    config.servers[1].clock_skew = 0;
    let mut spare = ServerSpec::new("follower-2");
    spare.starts_streaming = false;
    config.servers.push(spare);
    let mut run = Run::new(&config, 33);
    // Enough rows to fill the first page, so the grown row no longer fits in it.
    for i in 0..15 {
        run.sql(
            ms(10 + 5 * i),
            "client-1",
            &format!("INSERT INTO players (name, score) VALUES ('p{i}', {i})"),
        );
    }
    run.sql(
        ms(100),
        "client-1",
        "UPDATE players SET name = 'a much longer name that no longer fits where it was stored' WHERE id = 1",
    );
    run.request(ms(200), "follower-2", Request::Join);
    run.run_until(ms(1_500));
    assert_eq!(
        run.differing_keys("leader", "follower-2"),
        0,
        "the dump is faithful"
    );
    run
}

#[test]
fn delete_with_limit_and_no_order_by_deletes_other_rows_on_another_follower() {
    let mut run = rows_in_another_order();
    run.sql(ms(1_500), "client-1", "DELETE FROM players LIMIT 1");
    run.run_until(ms(2_500));
    let answer = run.answers("client-1").last().cloned().expect("answered");
    assert_eq!(
        answer.outcome.expect("deleted").warning.as_deref(),
        Some(MYSQL_UNSAFE_LIMIT)
    );
    let ids = |server: &str| -> Vec<String> {
        run.rows(server, "players")
            .iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(
        ids("leader"),
        ids("follower-1"),
        "same history, same storage order"
    );
    assert_ne!(
        ids("leader"),
        ids("follower-2"),
        "the dump-built follower deleted another row"
    );
}

#[test]
fn rand_over_many_rows_diverges_even_with_the_seeds_logged() {
    let mut run = rows_in_another_order();
    run.sql(ms(1_500), "client-1", "UPDATE players SET score = RAND()");
    run.run_until(ms(2_500));
    assert_eq!(run.differing_keys("leader", "follower-1"), 0);
    assert!(
        run.differing_keys("leader", "follower-2") > 0,
        "rows visited in another order"
    );
}
