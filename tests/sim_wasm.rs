//! The portability check: the same scenario hashes the same on wasm32 as natively.
//!
//! Natively this runs as a plain test; on wasm32 it runs in headless Chromium
//! (`cargo test --target wasm32-unknown-unknown --test sim_wasm`, as scripts/test.sh does).

#[path = "sim_toy.rs"]
mod toy;

use replication_lab::sim::{Fault, Input, LinkConfig, NodeId, Probability, Time};
use toy::{request_at, ticking_world, ToyRequest};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Computed natively; must match on every platform.
const GOLDEN: u64 = 0x9d02_3579_c9f5_073d;

#[test]
fn the_scenario_hashes_the_same_everywhere() {
    let link = LinkConfig::new(Time::millis(2))
        .with_jitter(Time::millis(8))
        .with_loss(Probability::percent(10));
    let mut world = ticking_world(1, 3, Time::millis(5), link);
    let (a, b, c) = (NodeId(0), NodeId(1), NodeId(2));
    world
        .schedule(
            Time::millis(30),
            Input::Fault(Fault::Partition {
                a,
                b,
                two_way: true,
            }),
        )
        .unwrap();
    world
        .schedule(Time::millis(60), Input::Fault(Fault::Crash(c)))
        .unwrap();
    world
        .schedule(Time::millis(80), Input::Fault(Fault::Heal { a, b }))
        .unwrap();
    request_at(&mut world, Time::millis(40), b, ToyRequest::Write(7));
    world.run_until(Time::millis(150));
    assert_eq!(world.trace_hash(), GOLDEN, "got {:#x}", world.trace_hash());
}
