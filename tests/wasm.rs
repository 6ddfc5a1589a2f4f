//! Tests that run inside headless Chromium (`cargo test --target wasm32-unknown-unknown --test
//! wasm`): the core must behave in wasm exactly as it does on the host.
#![cfg(target_arch = "wasm32")]

use replication_lab::lab::{Lab, LabSettings};
use replication_lab::view::Role;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn the_default_lab_has_a_leader_and_two_followers_in_wasm() {
    let view = Lab::new(LabSettings::default()).view();
    let roles: Vec<Role> = view.nodes.iter().map(|n| n.role).collect();
    assert_eq!(roles, vec![Role::Leader, Role::Follower, Role::Follower]);
}
