//! A WAL-shipping follower's replay (`Database::apply`) updates the catalog and key index for
//! the pages a commit touched only. These properties check it against the full rebuild
//! (`apply_with_full_reload`), also on damaged WAL: the same verdict, the same pages, and a
//! derived state equal to the rebuild from the pages (`check_invariants`).

use proptest::prelude::*;
use replication_lab::engine::page::Page;
use replication_lab::engine::{
    compare_pages, Database, FormatVersion, PageChange, PageChanges, SeededEnv, WalRecord,
};

/// A leader with some rows in two tables (enough for several heap pages each), its commits,
/// and a follower that replayed them.
fn workload(format: FormatVersion, seed: u64, rows: usize) -> (Database, Database) {
    let mut leader = Database::new(format);
    let mut follower = Database::new(format);
    let mut env = SeededEnv::new(seed, 1_700_000_000_000_000);
    let mut sqls = vec![
        "CREATE TABLE t (id SERIAL PRIMARY KEY, name TEXT, n INTEGER)".to_string(),
        "CREATE TABLE k (code TEXT PRIMARY KEY, v INTEGER)".to_string(),
    ];
    for i in 0..rows {
        sqls.push(format!(
            "INSERT INTO t (name, n) VALUES ('{}', {i})",
            "x".repeat(i * 7 % 40)
        ));
        sqls.push(format!("INSERT INTO k VALUES ('c{i}', {i})"));
        if i % 3 == 0 {
            sqls.push(format!(
                "UPDATE t SET name = 'moved {i}' WHERE id = {}",
                i / 2 + 1
            ));
        }
        if i % 5 == 0 {
            sqls.push(format!("DELETE FROM k WHERE v = {}", i / 2));
        }
    }
    for sql in sqls {
        let report = leader.run(&sql, &mut env).expect("workload statement");
        if let Some(c) = report.commit {
            follower.apply(&c.changes).expect("replay");
        }
    }
    (leader, follower)
}

/// A damaged commit: one page of `db` changed in one of several ways, checksum refreshed so
/// the page itself checks out and only the catalog, chains or rows can object.
fn damage(db: &Database, page: u32, how: u8, arg: u16) -> PageChanges {
    let n = page % db.page_count();
    let bytes = db.page(n).expect("page").to_vec();
    let mut p = Page::from_bytes(db.format(), &bytes).expect("a page");
    let other = u32::from(arg) % (db.page_count() + 2);
    match how % 6 {
        0 => p.set_next_page(Some(other)),
        1 => p.set_next_page(None),
        2 => p.delete(arg % p.slot_count().max(1)),
        3 => {
            // A copy of another page's first row: a duplicate key, or a row of another table.
            let donor = db.page(other % db.page_count()).expect("page").to_vec();
            let donor = Page::from_bytes(db.format(), &donor).expect("a page");
            let first = donor.tuples().next().map(|(_, t)| t.to_vec());
            if let Some(t) = first {
                p.insert(&t);
            }
        }
        4 => {
            // Flip a byte inside a tuple.
            let first = p.tuples().next().map(|(s, _)| s);
            if let Some(at) = first.map(|s| p.slot(s).0) {
                let mut raw = p.bytes().to_vec();
                let i = usize::from(at) + usize::from(arg % 4);
                if let Some(b) = raw.get_mut(i) {
                    *b ^= 0x5A;
                }
                if let Some(q) = Page::from_bytes(db.format(), &raw) {
                    p = q;
                }
            }
        }
        _ => {
            // A brand-new page: an orphan, or a heap page someone may point at.
            let fresh = Page::new(db.format(), replication_lab::engine::PageKind::Heap, 1);
            p = fresh;
        }
    }
    let target = if how % 6 == 5 { db.page_count() } else { n };
    p.set_lsn(db.wal_end().0);
    p.refresh_checksum(target);
    let start = db.wal_end();
    PageChanges {
        format: db.format(),
        start,
        end: start.advance(400),
        commit_lsn: start.advance(384),
        records: vec![WalRecord {
            lsn: start,
            change: PageChange::FullPage {
                page: target,
                image: p.bytes().to_vec(),
            },
        }],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn damaged_replay_gets_the_same_verdict_as_a_full_rebuild(
        v17 in any::<bool>(),
        seed in any::<u64>(),
        rows in 1usize..40,
        page in any::<u32>(),
        how in any::<u8>(),
        arg in any::<u16>(),
    ) {
        let format = if v17 { FormatVersion::V17 } else { FormatVersion::V16 };
        let (_, follower) = workload(format, seed, rows);
        let changes = damage(&follower, page, how, arg);
        let mut incremental = follower.clone();
        let mut full = follower.clone();
        let a = incremental.apply(&changes);
        let b = full.apply_with_full_reload(&changes);
        prop_assert_eq!(&a, &b);
        prop_assert!(compare_pages(&incremental, &full).identical());
        if a.is_err() {
            prop_assert!(compare_pages(&incremental, &follower).identical(), "a failed replay changed pages");
        }
        incremental.check_invariants().map_err(TestCaseError::fail)?;
        full.check_invariants().map_err(TestCaseError::fail)?;
        for t in ["t", "k"] {
            prop_assert_eq!(incremental.rows(t), full.rows(t));
        }
    }
}

#[test]
fn replay_matches_the_leader_row_for_row() {
    for format in [FormatVersion::V16, FormatVersion::V17] {
        let (leader, follower) = workload(format, 11, 150);
        assert!(compare_pages(&leader, &follower).identical());
        follower.check_invariants().expect("follower invariants");
        for t in ["t", "k"] {
            assert_eq!(
                leader.rows(t).expect("rows"),
                follower.rows(t).expect("rows")
            );
        }
        assert!(follower.rows("t").expect("rows").len() >= 150);
    }
}
