//! Property tests over random workloads, including garbage: the engine never panics, its
//! invariants hold after every statement, and a follower replaying the physical changes holds
//! the same bytes, with a catalog and key index (updated incrementally by `apply`) equal to a
//! rebuild from its pages after every replayed commit.

use proptest::prelude::*;
use replication_lab::engine::{
    compare_pages, Database, ExecOptions, FormatVersion, SeededEnv, Session,
};

const TABLES: &[&str] = &[
    "CREATE TABLE t (id SERIAL PRIMARY KEY, name TEXT, n INTEGER NOT NULL DEFAULT 0, ok BOOLEAN, at TIMESTAMP DEFAULT NOW())",
    "CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER)",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        (-1000i64..1000).prop_map(|n| n.to_string()),
        Just("NULL".to_string()),
        Just("RAND()".to_string()),
        Just("9223372036854775807".to_string()),
        "[a-z' ]{0,12}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        "[a-zé☃]{0,60}".prop_map(|s| format!("'{s}'")),
    ]
}

fn predicate() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..40).prop_map(|n| format!("id = {n}")),
        (0i64..40).prop_map(|n| format!("id = {n} AND (n % 2 = 0 OR RAND() > 500000)")),
        (0i64..40).prop_map(|n| format!("id > {n} AND n IS NOT NULL")),
        (-5i64..5).prop_map(|n| format!("n % 3 = {n} OR ok")),
        Just("name IS NULL".to_string()),
        Just("RAND() > 500000".to_string()),
    ]
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (prop::collection::vec((value(), value()), 1..5)).prop_map(|rows| {
            let vals: Vec<String> = rows.iter().map(|(a, b)| format!("({a}, {b})")).collect();
            format!("INSERT INTO t (name, n) VALUES {}", vals.join(", "))
        }),
        1 => ("[a-c]{1,2}", value()).prop_map(|(c, v)| format!("INSERT INTO k VALUES ('{c}', {v})")),
        2 => (value(), predicate(), prop::option::of(0u8..4)).prop_map(|(v, p, l)| {
            let limit = l.map(|l| format!(" LIMIT {l}")).unwrap_or_default();
            format!("UPDATE t SET n = n + 1, name = {v} WHERE {p}{limit}")
        }),
        1 => (0i64..40).prop_map(|n| format!("UPDATE t SET id = id + {n} WHERE id < 5")),
        2 => (predicate(), any::<bool>()).prop_map(|(p, order)| {
            let order = if order { " ORDER BY id DESC" } else { "" };
            format!("DELETE FROM t WHERE {p}{order} LIMIT 2")
        }),
        1 => predicate().prop_map(|p| format!("SELECT * FROM t WHERE {p} ORDER BY n, id LIMIT 5")),
        1 => prop_oneof![Just("BEGIN"), Just("COMMIT"), Just("ROLLBACK")].prop_map(str::to_string),
        // Schema changes rewrite every row (some move pages) and the catalog tuple.
        1 => prop_oneof![
            Just("ALTER TABLE t ADD COLUMN extra TEXT DEFAULT 'a default that makes rows grow'"),
            Just("ALTER TABLE t ADD COLUMN flag BOOLEAN NOT NULL"),
            Just("ALTER TABLE t DROP COLUMN extra"),
            Just("ALTER TABLE t DROP COLUMN name"),
            Just("ALTER TABLE k ADD seen TIMESTAMP DEFAULT NOW()"),
        ]
        .prop_map(str::to_string),
        1 => any::<String>(),
        1 => (statement_prefix(), 0usize..80).prop_map(|(s, cut)| s.chars().take(cut).collect()),
    ]
}

fn statement_prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("INSERT INTO t (name, n) VALUES ('a''b', (1 + (2 * 3)) - -4)".to_string()),
        Just(
            "UPDATE t SET name = 'x' WHERE NOT (id = 1 OR n <> 2) ORDER BY id LIMIT 1".to_string()
        ),
        Just("SELECT id, n * 2 AS d FROM t WHERE at > '2020-01-01' ORDER BY d DESC".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn random_workloads_keep_invariants_and_replay_byte_for_byte(
        v17 in any::<bool>(),
        seed in any::<u64>(),
        checkpoint_every in 3usize..20,
        statements in prop::collection::vec(statement(), 1..40),
    ) {
        let format = if v17 { FormatVersion::V17 } else { FormatVersion::V16 };
        let mut leader = Database::new(format);
        let mut follower = Database::new(format);
        let mut env = SeededEnv::new(seed, 1_700_000_000_000_000);
        let mut session = Session::new();
        let opts = ExecOptions::default();
        let all = TABLES.iter().map(|s| s.to_string()).chain(statements);
        for (i, sql) in all.enumerate() {
            if i % checkpoint_every == 0 {
                leader.checkpoint();
            }
            let before: Vec<Vec<u8>> = (0..leader.page_count()).map(|n| leader.page(n).unwrap().to_vec()).collect();
            match leader.execute(&mut session, &sql, &mut env, &opts) {
                Ok(report) => {
                    if let Some(c) = report.commit {
                        follower.apply(&c.changes).map_err(|e| TestCaseError::fail(format!("{sql}: {e}")))?;
                        // check_invariants compares the incremental catalog and index with a
                        // rebuild from the pages.
                        follower.check_invariants().map_err(|e| TestCaseError::fail(format!("follower after {sql:?}: {e}")))?;
                    }
                }
                Err(e) => {
                    let after: Vec<Vec<u8>> = (0..leader.page_count()).map(|n| leader.page(n).unwrap().to_vec()).collect();
                    prop_assert_eq!(&before, &after, "failed statement changed pages: {} ({})", sql, e);
                }
            }
            leader.check_invariants().map_err(|e| TestCaseError::fail(format!("after {sql:?}: {e}")))?;
            if !session.in_transaction() {
                prop_assert!(compare_pages(&leader, &follower).identical(), "after {:?}", sql);
            }
        }
        follower.check_invariants().map_err(TestCaseError::fail)?;
    }

    #[test]
    fn arbitrary_text_never_panics(sql in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut db = Database::new(FormatVersion::V16);
        let mut env = SeededEnv::new(1, 0);
        let _ = db.run(&sql, &mut env);
        let _ = db.run(&String::from_utf8_lossy(&bytes), &mut env);
        db.check_invariants().map_err(TestCaseError::fail)?;
    }
}
