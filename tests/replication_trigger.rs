//! Trigger-based replication: triggers on the leader write each change into `sl_log_1` in the
//! leader's own database; a separate applier polls it and applies the chosen tables only.

mod support;

use replication_lab::replication::config::{ClusterConfig, Method};
use support::{ms, Run};

fn trigger_cluster() -> ClusterConfig {
    let mut config = ClusterConfig::standard(Method::Trigger, 2);
    config
        .schema
        .push("CREATE TABLE audit (id INTEGER PRIMARY KEY AUTO_INCREMENT, what TEXT)".into());
    config
}

#[test]
fn only_the_chosen_tables_are_replicated_and_the_leader_writes_twice() {
    let mut run = Run::new(&trigger_cluster(), 21);
    run.sql(
        ms(10),
        "client-1",
        "INSERT INTO orders (status, note) VALUES ('pending', 'a, {b}'), ('pending', 'it''s')",
    )
    .sql(
        ms(50),
        "client-1",
        "UPDATE orders SET status = 'shipped' WHERE id = 1",
    )
    .sql(ms(90), "client-1", "DELETE FROM orders WHERE id = 2")
    .sql(
        ms(120),
        "client-1",
        "INSERT INTO audit (what) VALUES ('not replicated')",
    );
    run.run_until(ms(2_000));
    for follower in ["follower-1", "follower-2"] {
        assert_eq!(
            run.rows("leader", "orders"),
            run.rows(follower, "orders"),
            "{follower}"
        );
        assert!(
            run.rows(follower, "audit").is_empty(),
            "audit is not in the set"
        );
    }
    assert_eq!(run.rows("leader", "audit").len(), 1);
    // Four row changes to orders, four changelog rows written by the triggers.
    assert_eq!(run.server("leader").disk.changelog_writes, 4);
    let changelog = run.rows("leader", "sl_log_1");
    assert_eq!(changelog.len(), 4);
    let cmdtypes: Vec<&str> = changelog.iter().map(|r| r[6].as_str()).collect();
    assert_eq!(cmdtypes, vec!["I", "I", "U", "D"]);
    assert_eq!(changelog[2][8], "{status,shipped,id,1}");
}
