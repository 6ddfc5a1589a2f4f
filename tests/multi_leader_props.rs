//! Properties of multi-leader replication over many seeded random workloads: two or three
//! leaders, a random topology, resolver, version vectors on or off, clocks skewed apart;
//! random INSERTs, UPDATEs and DELETEs of a few keys (and transactions changing one twice)
//! from every client; random partitions between leaders (some one way), crashes and
//! restarts, and changes of topology; then every link healed, every leader restarted and set
//! to one topology, and time to settle. Each case comes from its seed alone and every failure
//! names it: `LAB_SEED=<seed> cargo test --test multi_leader_props` replays one;
//! `LAB_CASES=<n>` changes how many seeds run (1,500 by default: about 15 s in debug).
//!
//! What must hold once everything has healed and settled:
//! - every running leader has applied the same changes, holds nothing back, and nothing is
//!   in flight between leaders any more, nor sent in the last two seconds (the world goes
//!   quiet);
//! - in a ring or a star whose topology never changed, no change overtakes what it depends
//!   on (one way into each leader, in causal order), with or without version vectors;
//! - a loop never forms: no leader applies a change twice, or its own;
//! - every leader's rows are what its row versions say (the resolver's pick of them);
//! - the leaders' rows are the same — unless a change was skipped because the row it
//!   changed had not arrived (`update_missing`, `delete_missing`: an UPDATE or DELETE that
//!   overtook the INSERT it depended on), which can happen only without version vectors;
//!   with them, never. (That is the honest property: without version vectors the lab says
//!   the rows may differ, and the skip is counted as a lost write; the diverged check flags
//!   the rows.)
//! - every write committed by a leader (every own change in its log) is accounted for at
//!   every leader: the final version of its row includes it (the winner's version vector
//!   for a resolver that discards; any kept version's for merge and siblings), or it was
//!   overwritten by a later write that saw it and that write is so accounted for, or a write
//!   that saw it (itself included) is counted in the check "writes lost to conflict
//!   resolution".

mod support;

use std::collections::{BTreeMap, BTreeSet};

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use replication_lab::engine::Value;
use replication_lab::replication::config::ClusterConfig;
use replication_lab::replication::messages::{Msg, MultiLeaderMsg, Request};
use replication_lab::replication::multi_leader::cluster::network;
use replication_lab::replication::multi_leader::resolve::{resolve, winner};
use replication_lab::replication::multi_leader::version::{Dot, RowVersion};
use replication_lab::replication::multi_leader::{MultiLeaderConfig, Resolver, Topology};
use replication_lab::replication::node::Note;
use replication_lab::replication::server::Server;
use replication_lab::sim::{Fault, Input, NodeStatus, Time, TraceKind};
use support::{ms, Run};

const LEADERS: [&str; 3] = ["leader-a", "leader-b", "leader-c"];
const CLIENTS: [&str; 3] = ["client-a", "client-b", "client-c"];

/// The seeds a property runs: `LAB_SEED` alone, or `LAB_CASES` seeds (default `default`).
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

struct Dice(ChaCha8Rng);

impl Dice {
    fn new(seed: u64) -> Dice {
        Dice(ChaCha8Rng::seed_from_u64(seed ^ 0x3a17_1ead))
    }
    fn below(&mut self, n: u64) -> u64 {
        self.0.next_u64() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A random write on one of a few keys (or an auto-increment insert).
fn random_write(dice: &mut Dice, n: u64) -> String {
    let id = 1 + dice.below(4);
    match dice.below(9) {
        0..=2 => format!("INSERT INTO orders (id, status) VALUES ({id}, 'new {n}')"),
        3 => format!("INSERT INTO orders (status) VALUES ('auto {n}')"),
        4..=6 => format!("UPDATE orders SET status = 'set {n}' WHERE id = {id}"),
        7 => format!("UPDATE orders SET note = 'note {n}' WHERE id = {id}"),
        _ => format!("DELETE FROM orders WHERE id = {id}"),
    }
}

/// One random case: the cluster it ran and what it met.
struct Case {
    run: Run,
    multi: MultiLeaderConfig,
    leaders: usize,
    /// Whether the leaders ever sent by another topology than the configured one.
    changed_topology: bool,
}

/// Builds and runs the case of `seed`: workload and faults over the first 2.5 s, then
/// everything healed, restarted and set to one topology at 3 s, and settled by 12 s.
fn run_case(seed: u64) -> Case {
    let mut dice = Dice::new(seed);
    let leaders = 2 + dice.below(2) as usize;
    let multi = MultiLeaderConfig {
        topology: dice.pick(&Topology::ALL),
        resolver: dice.pick(&Resolver::ALL),
        version_vectors: dice.chance(50),
        auto_increment_offsets: dice.chance(50),
        inter_dc_latency: ms(20 + dice.below(80)),
    };
    let mut config = ClusterConfig::multi_leader(leaders as u32, multi);
    for server in &mut config.servers {
        // Clocks up to a second and a half off either way (last write wins by them).
        server.clock_skew = dice.below(3_000_001) as i64 - 1_500_000;
    }
    let net = network(&config, &multi);
    let mut run = Run::with_network(&config, seed, net);
    let writes = 6 + dice.below(20);
    for n in 0..writes {
        let client = CLIENTS[dice.below(leaders as u64) as usize];
        let at = ms(10 + dice.below(2_400));
        if multi.resolver != Resolver::HomeLeader && dice.chance(15) {
            // A transaction that changes one row twice (it travels as one change).
            let id = 1 + dice.below(4);
            let first = if dice.chance(50) {
                format!("INSERT INTO orders (id, status) VALUES ({id}, 'tx {n}')")
            } else {
                format!("UPDATE orders SET status = 'tx {n}' WHERE id = {id}")
            };
            let then = if dice.chance(70) {
                format!("UPDATE orders SET note = 'tx note {n}' WHERE id = {id}")
            } else {
                format!("DELETE FROM orders WHERE id = {id}")
            };
            for (i, sql) in ["BEGIN", &first, &then, "COMMIT"].iter().enumerate() {
                run.sql(at + ms(i as u64), client, sql);
            }
            continue;
        }
        let sql = random_write(&mut dice, n);
        run.sql(at, client, &sql);
    }
    for _ in 0..dice.below(4) {
        let a = dice.below(leaders as u64) as usize;
        let b = (a + 1 + dice.below(leaders as u64 - 1) as usize) % leaders;
        let start = 20 + dice.below(2_000);
        let end = start + 50 + dice.below(1_500);
        if dice.chance(20) {
            // One way only: changes flow, acknowledgements do not (or the other way round).
            let (from, to) = (run.id(LEADERS[a]), run.id(LEADERS[b]));
            run.input(
                ms(start),
                Input::Fault(Fault::Partition {
                    a: from,
                    b: to,
                    two_way: false,
                }),
            );
            run.heal(ms(end), LEADERS[a], LEADERS[b]);
        } else if dice.chance(60) {
            run.partition(ms(start), LEADERS[a], LEADERS[b]);
            run.heal(ms(end), LEADERS[a], LEADERS[b]);
        } else {
            run.crash(ms(start), LEADERS[a]);
            run.restart(ms(end), LEADERS[a]);
        }
    }
    let mut changed_topology = false;
    if dice.chance(30) {
        let at = ms(100 + dice.below(2_000));
        let topology = dice.pick(&Topology::ALL);
        changed_topology |= topology != multi.topology;
        for leader in &LEADERS[..leaders] {
            set_topology(&mut run, at, leader, topology);
        }
    }
    let final_topology = dice.pick(&Topology::ALL);
    changed_topology |= final_topology != multi.topology;
    run.run_until(ms(3_000));
    for leader in &LEADERS[..leaders] {
        if run.world.node_status(run.id(leader)) == Some(NodeStatus::Crashed) {
            let at = run.world.now() + ms(1);
            run.restart(at, leader);
        }
    }
    for (i, a) in LEADERS[..leaders].iter().enumerate() {
        for b in &LEADERS[i + 1..leaders] {
            let at = run.world.now() + ms(1);
            run.heal(at, a, b);
        }
    }
    run.run_until(ms(3_010));
    for leader in &LEADERS[..leaders] {
        set_topology(&mut run, ms(3_020), leader, final_topology);
    }
    run.run_until(ms(12_000));
    Case {
        run,
        multi,
        leaders,
        changed_topology,
    }
}

/// Asks `leader` to send by `topology` at `at` (a crashed one refuses; a faulty link never
/// delays an outside request).
fn set_topology(run: &mut Run, at: Time, leader: &str, topology: Topology) {
    let node = run.id(leader);
    let _ = run.world.schedule(
        at,
        Input::Request {
            node,
            req: Request::SetTopology(topology),
        },
    );
}

impl Case {
    fn servers(&self) -> Vec<&Server> {
        LEADERS[..self.leaders]
            .iter()
            .map(|l| self.run.server(l))
            .collect()
    }

    fn seed(&self) -> u64 {
        self.run.seed
    }

    /// The lost writes the live check names (`leader-a #3`).
    fn lost_names(&self) -> BTreeSet<String> {
        let method = self.servers()[0].config.method;
        self.run
            .checks(method)
            .lost_to_conflicts
            .into_iter()
            .map(|l| l.write)
            .collect()
    }

    /// Whether a change was skipped because its row was missing (causality broken).
    fn skipped_for_a_missing_row(&self) -> bool {
        self.servers()
            .iter()
            .flat_map(|s| s.disk.multi.conflicts.iter())
            .any(|c| matches!(c.kind.name(), "update_missing" | "delete_missing"))
    }
}

/// Everything settled: same changes applied everywhere, nothing held, nothing in flight.
fn assert_settled(case: &Case) {
    let seed = case.seed();
    let servers = case.servers();
    for (name, s) in LEADERS.iter().zip(&servers) {
        assert_eq!(
            case.run.world.node_status(case.run.id(name)),
            Some(NodeStatus::Up),
            "{name} is running (seed {seed})"
        );
        assert!(
            s.disk.multi.held.is_empty(),
            "{name} still holds {:?} (seed {seed})",
            s.disk.multi.held.iter().map(|c| c.dot).collect::<Vec<_>>()
        );
        assert_eq!(
            s.disk.multi.applied, servers[0].disk.multi.applied,
            "{name} applied other changes than leader-a (seed {seed}, {:?})",
            case.multi
        );
    }
    let changes_in_flight = case
        .run
        .world
        .in_flight()
        .filter(|m| {
            matches!(
                &m.msg,
                Msg::MultiLeader(MultiLeaderMsg::Changes { entries, .. }) if !entries.is_empty()
            )
        })
        .count();
    assert_eq!(
        changes_in_flight, 0,
        "changes still travel after settling (seed {seed})"
    );
    // Quiet: in the last two seconds no leader sent another anything (no resends, no acks).
    let late = case
        .run
        .world
        .trace()
        .iter()
        .filter(|e| e.at > ms(10_000))
        .filter(|e| {
            matches!(&e.kind, TraceKind::Sent { msg, .. } if matches!(**msg, Msg::MultiLeader(_)))
        })
        .count();
    assert_eq!(late, 0, "leaders still talk after settling (seed {seed})");
}

/// No leader applied a change twice, nor one of its own.
fn assert_no_loop(case: &Case) {
    let seed = case.seed();
    let mut applied: BTreeSet<(String, String, u64)> = BTreeSet::new();
    for event in case.run.world.trace().iter() {
        if let TraceKind::Note { note, .. } = &event.kind {
            if let Note::ChangeApplied {
                node, origin, seq, ..
            } = &**note
            {
                assert_ne!(node, origin, "{node} applied its own #{seq} (seed {seed})");
                assert!(
                    applied.insert((node.clone(), origin.clone(), *seq)),
                    "{node} applied {origin} #{seq} twice (seed {seed})"
                );
            }
        }
    }
}

/// The image the resolver gives a row's kept versions.
fn resolved_image(resolver: Resolver, versions: &[RowVersion]) -> Option<Vec<Value>> {
    match versions {
        [] => None,
        [one] => one.image.clone(),
        many => resolve(resolver, many, many[0].dot).image,
    }
}

/// Every leader's rows are what its versions say.
fn assert_rows_match_versions(case: &Case) {
    let seed = case.seed();
    for (name, s) in LEADERS.iter().zip(case.servers()) {
        for ((table, key), versions) in s.disk.multi.versions.iter() {
            let row = s.disk.db.row(table, key);
            let expected = resolved_image(case.multi.resolver, versions);
            assert_eq!(
                row, expected,
                "{name}: {table} {key} is not what its versions say (seed {seed}, {:?})",
                case.multi
            );
        }
    }
}

/// Every own change of every leader's log, by row: (table, key) → versions written there.
fn committed_writes(case: &Case) -> BTreeMap<(String, String), Vec<RowVersion>> {
    let mut writes: BTreeMap<(String, String), Vec<RowVersion>> = BTreeMap::new();
    for s in case.servers() {
        for logged in s.disk.multi.log.iter() {
            if logged.change.path.len() != 1 {
                continue;
            }
            for (row, version) in &logged.change.rows {
                writes
                    .entry((row.table.clone(), row.key.to_string()))
                    .or_default()
                    .push(version.clone());
            }
        }
    }
    writes
}

/// Every committed write is present at every leader, overwritten by one that is, or lost
/// and counted.
fn assert_every_write_accounted_for(case: &Case) -> usize {
    let seed = case.seed();
    let lost = case.lost_names();
    let writes = committed_writes(case);
    let discards = case.multi.resolver.discards();
    let mut counted = 0;
    for (name, s) in LEADERS.iter().zip(case.servers()) {
        for ((table, key), versions) in &writes {
            let kept: Vec<RowVersion> = s
                .disk
                .multi
                .versions
                .iter()
                .find(|((t, k), _)| t == table && k.to_string() == *key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let present = |dot: Dot| -> bool {
                if discards {
                    winner(case.multi.resolver, &kept).is_some_and(|w| w.seen.includes(dot))
                } else {
                    kept.iter().any(|v| v.seen.includes(dot))
                }
            };
            let counted_lost = |dot: Dot| lost.contains(&s.dot_name(dot));
            for v in versions {
                let accounted = present(v.dot)
                    || versions
                        .iter()
                        .any(|u| u.seen.includes(v.dot) && counted_lost(u.dot));
                if !present(v.dot) && accounted {
                    counted += 1;
                }
                assert!(
                    accounted,
                    "{name}: {} on {table} {key} is neither present nor counted lost \
                     (kept {:?}, lost {lost:?}) (seed {seed}, {:?})",
                    s.dot_name(v.dot),
                    kept.iter().map(|k| k.dot).collect::<Vec<_>>(),
                    case.multi
                );
            }
        }
    }
    counted
}

#[test]
fn leaders_converge_once_healed_and_every_write_is_present_or_counted_lost() {
    let mut conflicts = 0;
    let mut lost = 0;
    let mut skipped = 0;
    let mut held = 0;
    let mut diverged = 0;
    let seeds = seeds(1_500);
    for &seed in &seeds {
        let case = run_case(seed);
        assert_settled(&case);
        assert_no_loop(&case);
        assert_rows_match_versions(&case);
        lost += assert_every_write_accounted_for(&case);
        let servers = case.servers();
        conflicts += servers
            .iter()
            .map(|s| s.disk.multi.conflicts.len())
            .sum::<usize>();
        held += case
            .run
            .world
            .trace()
            .iter()
            .filter(|e| {
                matches!(&e.kind, TraceKind::Note { note, .. } if matches!(**note, Note::ChangeHeld { .. }))
            })
            .count();
        let skips = case.skipped_for_a_missing_row();
        skipped += usize::from(skips);
        // A ring or a star has one way into each leader, in its sender's log order, which
        // is causal: an update cannot overtake its insert there. Only all-to-all (or paths
        // mixed by a change of topology) can reorder.
        if case.multi.topology != Topology::AllToAll && !case.changed_topology {
            assert!(
                !skips,
                "a change overtook its dependency in a {:?} (seed {seed})",
                case.multi.topology
            );
        }
        let rows: Vec<Vec<Vec<Value>>> = servers
            .iter()
            .map(|s| s.disk.db.rows("orders").unwrap_or_default())
            .collect();
        let same = rows.iter().all(|r| *r == rows[0]);
        let method = servers[0].config.method;
        let checks = case.run.checks(method);
        assert_eq!(checks.held, 0, "seed {seed}");
        if same {
            assert!(
                checks.diverged_rows.is_empty(),
                "the check flags rows that are the same (seed {seed})"
            );
        }
        if !same {
            diverged += 1;
            assert!(
                !case.multi.version_vectors && skips,
                "leaders differ with nothing skipped (seed {seed}, {:?}): {rows:?}",
                case.multi
            );
            assert!(
                !checks.diverged_rows.is_empty(),
                "leaders differ and the check does not say so (seed {seed})"
            );
        }
    }
    if seeds.len() > 50 {
        // A property whose runs never met what it is about proves nothing.
        assert!(conflicts > 0, "no conflicts met");
        assert!(lost > 0, "no write lost to a resolver was met");
        assert!(held > 0, "no change was held by version vectors");
        assert!(skipped > 0, "no update overtook its insert");
        assert!(diverged > 0, "no divergence without version vectors");
    }
}
