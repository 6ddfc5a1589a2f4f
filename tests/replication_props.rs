//! Properties of replication over many seeded random workloads with random crashes,
//! partitions and failovers. Each case is generated from its seed alone, and every failure
//! message names the seed: `LAB_SEED=<seed> cargo test --test replication_props` replays one.
//! `LAB_CASES=<n>` changes how many seeds each property tries.

mod support;

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use replication_lab::replication::checks::{current_leader, writable_leaders};
use replication_lab::replication::config::{AckPolicy, AckStage, ClusterConfig, Method, RowImage};
use replication_lab::replication::messages::Request;
use replication_lab::replication::node::Note;
use replication_lab::replication::server::ServerRole;
use replication_lab::sim::{NodeStatus, Time, TraceKind};
use support::{ms, Run};

/// The seeds a property runs: `LAB_SEED` alone, or `LAB_CASES` seeds (default `default`).
/// Five properties at 600 seeds each: 3,000 random workloads per run, a few seconds.
fn seeds(default: u64) -> Vec<u64> {
    if let Some(seed) = std::env::var("LAB_SEED").ok().and_then(|s| s.parse().ok()) {
        return vec![seed];
    }
    let cases = std::env::var("LAB_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default);
    (0..cases).collect()
}

/// A property whose runs never produced the case it is about proves nothing: over a full set
/// of seeds (not a single `LAB_SEED`), it must have seen `what` at least once.
fn assert_exercised(seen: usize, what: &str) {
    if seeds(600).len() > 50 {
        assert!(
            seen > 0,
            "no run produced {what}: the property proves nothing"
        );
    }
}

struct Dice(ChaCha8Rng);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_cafe))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A random safe write (deterministic under every method).
fn safe_write(dice: &mut Dice) -> String {
    let id = 1 + dice.below(12);
    match dice.below(5) {
        0 | 1 => format!(
            "INSERT INTO orders (status, note) VALUES ('pending', 'n{}')",
            dice.below(1000)
        ),
        2 => format!("UPDATE orders SET status = 'shipped' WHERE id = {id}"),
        3 => format!(
            "UPDATE orders SET note = 'edited {}' WHERE id = {id}",
            dice.below(100)
        ),
        _ => format!("DELETE FROM orders WHERE id = {id}"),
    }
}

/// A random write that statement-based replication cannot replay faithfully.
fn unsafe_write(dice: &mut Dice) -> String {
    dice.pick(&[
        "INSERT INTO orders (status, note) VALUES ('pending', UUID())",
        "DELETE FROM orders LIMIT 1",
        "UPDATE orders SET note = UUID() WHERE id < 4",
    ])
    .to_string()
}

/// Schedules `count` writes from client-1 over the first `span` of the run.
fn workload(run: &mut Run, dice: &mut Dice, count: u64, span: u64, unsafe_percent: u64) {
    for _ in 0..count {
        let at = ms(10 + dice.below(span));
        let sql = if dice.chance(unsafe_percent) {
            unsafe_write(dice)
        } else {
            safe_write(dice)
        };
        run.sql(at, "client-1", &sql);
    }
}

/// Random follower crashes and partitions, all healed by `heal_by`.
fn follower_faults(run: &mut Run, dice: &mut Dice, heal_by: u64) {
    for _ in 0..dice.below(4) {
        let follower = *dice.pick(&["follower-1", "follower-2"]);
        let start = 20 + dice.below(heal_by / 2);
        let end = start + 10 + dice.below(heal_by / 2);
        if dice.chance(50) {
            run.crash(ms(start), follower).restart(ms(end), follower);
        } else {
            run.partition(ms(start), "leader", follower)
                .heal(ms(end), "leader", follower);
        }
    }
}

/// Runs past the last fault, restarts whatever is down, heals every link, and lets the
/// cluster settle.
fn heal_everything_and_settle(run: &mut Run, at: Time) {
    run.run_until(at);
    let names: Vec<String> = run.world.nodes().map(|n| n.name.to_string()).collect();
    for name in &names {
        if run.world.node_status(run.id(name)) == Some(NodeStatus::Crashed) {
            run.restart(at, name);
        }
    }
    let mut nodes = vec!["leader", "follower-1", "follower-2"];
    if names.iter().any(|n| n == "etcd") {
        nodes.push("etcd");
    }
    for a in &nodes {
        for b in &nodes {
            if a < b {
                run.heal(at, a, b);
            }
        }
    }
    run.run_until(at.saturating_add(Time::secs(30)));
}

/// Every server that follows the current leader holds its rows (and, for WAL, its pages).
fn assert_converged(run: &Run, method: Method, what: &str) {
    let seed = run.seed;
    let Some((leader_id, _)) = current_leader(&run.world) else {
        panic!("{what}: no leader after healing (seed {seed})");
    };
    let leader = run.world.node_name(leader_id).unwrap_or("?").to_string();
    for follower in ["leader", "follower-1", "follower-2"] {
        if follower == leader {
            continue;
        }
        let server = run.server(follower);
        assert_eq!(
            server.disk.family.role,
            ServerRole::Follower,
            "{what}: {follower} should follow {leader} after healing (seed {seed})"
        );
        assert_eq!(
            run.rows(&leader, "orders"),
            run.rows(follower, "orders"),
            "{what}: {follower} rows differ from {leader}'s (seed {seed})"
        );
        if method == Method::Wal {
            assert!(
                run.pages_identical(&leader, follower),
                "{what}: {follower} pages differ from {leader}'s (seed {seed})"
            );
        }
    }
}

#[test]
fn wal_and_logical_followers_converge_once_faults_heal() {
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let method = *dice.pick(&[
            Method::Wal,
            Method::Logical {
                image: RowImage::Full,
            },
            Method::Logical {
                image: RowImage::Minimal,
            },
        ]);
        let mut run = Run::new(&ClusterConfig::standard(method, 2), seed);
        let writes = 5 + dice.below(25);
        workload(&mut run, &mut dice, writes, 1_500, 0);
        follower_faults(&mut run, &mut dice, 1_500);
        heal_everything_and_settle(&mut run, ms(2_000));
        assert_converged(&run, method, &format!("{method:?}"));
    }
}

#[test]
fn followers_converge_after_a_leader_failover_and_the_old_leader_rejoins() {
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let method = *dice.pick(&[
            Method::Wal,
            Method::Logical {
                image: RowImage::Full,
            },
        ]);
        let mut config = ClusterConfig::standard(method, 2);
        config.failover.timeout = Some(Time::millis(1_500 + dice.below(1_500)));
        let mut run = Run::new(&config, seed);
        let writes = 10 + dice.below(20);
        workload(&mut run, &mut dice, writes, 3_000, 0);
        let crash_at = 100 + dice.below(1_500);
        run.crash(ms(crash_at), "leader");
        follower_faults(&mut run, &mut dice, 1_000);
        // The old leader comes back after the failover (or not at all until the heal).
        if dice.chance(70) {
            run.restart(ms(crash_at + 2_000 + dice.below(2_000)), "leader");
        }
        heal_everything_and_settle(&mut run, ms(6_000));
        assert_converged(&run, method, &format!("{method:?} failover"));
    }
}

#[test]
fn a_commit_that_waited_for_a_standbys_flush_survives_a_failover_to_that_standby() {
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let stage = *dice.pick(&[AckStage::Flush, AckStage::Apply]);
        let mut config = ClusterConfig::standard(Method::Wal, 2);
        config.ack = AckPolicy::postgres(stage, "follower-1");
        config.failover.timeout = None;
        let mut run = Run::new(&config, seed);
        let writes = 5 + dice.below(25);
        workload(&mut run, &mut dice, writes, 1_000, 0);
        // follower-2 crashes now and then; follower-1, the synchronous one, does not.
        if dice.chance(50) {
            let at = 20 + dice.below(800);
            run.crash(ms(at), "follower-2")
                .restart(ms(at + 100 + dice.below(500)), "follower-2");
        }
        let crash_at = 50 + dice.below(1_200);
        run.crash(ms(crash_at), "leader");
        run.request(
            ms(crash_at + 50 + dice.below(500)),
            "follower-1",
            Request::Promote,
        );
        // The promoted standby waits for the crashed leader's lease (3 s TTL) to run out.
        run.run_until(ms(5_000));
        let checks = run.checks(Method::Wal);
        assert!(
            checks.lost_acked_writes.is_empty(),
            "{stage:?}: acknowledged writes lost after failing over to the sync standby: {:?} (seed {seed})",
            checks.lost_acked_writes
        );
        assert_eq!(
            run.server("follower-1").disk.family.role,
            ServerRole::Leader,
            "seed {seed}"
        );
    }
}

#[test]
fn with_async_every_reported_loss_was_acknowledged_and_never_replicated() {
    let mut losses_seen = 0;
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let mut config = ClusterConfig::standard(Method::Wal, 2);
        config.failover.timeout = Some(Time::millis(1_500));
        let network = support::far_followers(&config, ms(5 + dice.below(40)));
        let mut run = Run::with_network(&config, seed, network);
        let writes = 10 + dice.below(30);
        workload(&mut run, &mut dice, writes, 1_000, 0);
        let crash_at = 100 + dice.below(900);
        run.crash(ms(crash_at), "leader");
        // The crashed leader's key lives up to its TTL (3 s) after its last renewal.
        run.run_until(ms(5_000));
        let checks = run.checks(Method::Wal);
        let Some((_, leader)) = current_leader(&run.world) else {
            panic!("no leader after failover (seed {seed})");
        };
        let old = run.server("leader");
        for lost in &checks.lost_acked_writes {
            let acknowledged = run.answers(&lost.client).iter().any(|a| {
                a.outcome
                    .as_ref()
                    .is_ok_and(|ok| ok.committed == Some((lost.term, lost.index)))
            });
            assert!(
                acknowledged,
                "reported lost but never acknowledged: {lost:?} (seed {seed})"
            );
            let on_old_leader = old
                .disk
                .entry(lost.index)
                .is_some_and(|e| e.term == lost.term);
            assert!(
                on_old_leader,
                "the old leader should hold {lost:?} (seed {seed})"
            );
            let replicated = leader
                .disk
                .entry(lost.index)
                .is_some_and(|e| e.term == lost.term);
            assert!(
                !replicated,
                "reported lost but the new leader has it: {lost:?} (seed {seed})"
            );
        }
        // And every acknowledged write the new leader lacks is reported.
        let acked: Vec<(u32, u64)> = run
            .answers("client-1")
            .iter()
            .filter_map(|a| a.outcome.as_ref().ok().and_then(|ok| ok.committed))
            .collect();
        let missing = acked
            .iter()
            .filter(|(term, index)| leader.disk.entry(*index).is_none_or(|e| e.term != *term))
            .count();
        assert_eq!(missing, checks.lost_acked_writes.len(), "seed {seed}");
        losses_seen += missing;
    }
    assert_exercised(losses_seen, "an acknowledged write lost");
}

#[test]
fn statement_replication_diverges_only_where_an_unsafe_statement_ran() {
    let mut divergences_seen = 0;
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let mut config = ClusterConfig::standard(
            Method::Statement {
                context_events: true,
            },
            2,
        );
        config.servers[1].clock_skew = dice.below(3_000_000) as i64;
        let mut run = Run::new(&config, seed);
        let unsafe_percent = *dice.pick(&[0, 0, 10, 30]);
        let writes = 5 + dice.below(25);
        workload(&mut run, &mut dice, writes, 1_500, unsafe_percent);
        follower_faults(&mut run, &mut dice, 1_500);
        heal_everything_and_settle(&mut run, ms(2_000));
        let method = Method::Statement {
            context_events: true,
        };
        let diverged = run.checks(method).diverged_rows;
        let unsafe_ran = run.answers("client-1").iter().any(|a| {
            a.outcome
                .as_ref()
                .is_ok_and(|ok| ok.warning.is_some() && ok.committed.is_some())
        });
        if !unsafe_ran {
            assert!(
                diverged.is_empty(),
                "diverged without an unsafe statement: {diverged:?} (seed {seed})"
            );
        }
        divergences_seen += usize::from(!diverged.is_empty());
    }
    assert_exercised(divergences_seen, "a divergence");
}

#[test]
fn with_fencing_two_servers_never_take_writes_at_once_and_one_leads_once_healed() {
    let (mut failovers, mut demotions) = (0, 0);
    for seed in seeds(600) {
        let mut dice = Dice::new(seed);
        let config = ClusterConfig::standard(Method::Wal, 2);
        let mut run = Run::new(&config, seed);
        let writes = 5 + dice.below(15);
        workload(&mut run, &mut dice, writes, 6_000, 0);
        // Crashes and cut links anywhere, the coordination service included.
        let nodes = ["leader", "follower-1", "follower-2", "etcd"];
        for _ in 0..1 + dice.below(4) {
            let start = 50 + dice.below(5_000);
            let end = start + 100 + dice.below(5_000);
            let a = *dice.pick(&nodes);
            let b = *dice.pick(&nodes);
            if dice.chance(40) {
                run.crash(ms(start), a).restart(ms(end), a);
            } else if a != b {
                run.partition(ms(start), a, b).heal(ms(end), a, b);
            }
        }
        if dice.chance(30) {
            let who = *dice.pick(&["follower-1", "follower-2"]);
            run.request(ms(100 + dice.below(5_000)), who, Request::Promote);
        }
        let until = ms(12_000);
        while run.world.next_event_time().is_some_and(|t| t <= until) {
            run.world.step();
            let writable: Vec<&str> = writable_leaders(&run.world)
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            assert!(
                writable.len() <= 1,
                "two servers take writes: {writable:?} at {} (seed {seed})",
                run.world.now()
            );
        }
        failovers += usize::from(run.server("leader").disk.family.role != ServerRole::Leader);
        demotions += run
            .world
            .trace()
            .iter()
            .filter(|e| {
                matches!(&e.kind, TraceKind::Note { note, .. } if matches!(**note, Note::Fenced { .. }))
            })
            .count();
        heal_everything_and_settle(&mut run, until);
        let writable: Vec<&str> = writable_leaders(&run.world)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            writable.len(),
            1,
            "once healed, one leader: {writable:?} (seed {seed})"
        );
    }
    assert_exercised(failovers, "a failover under fencing");
    assert_exercised(demotions, "a leader demoting itself when it lost its key");
}
