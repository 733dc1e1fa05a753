//! Actor state lives in DMOs: after the runtime moves an actor's DMOs to the host, the actor carries on with its state.

use crate::common::harness;
use scheduler::{ActorCtx, Side};
use workloads::actors::kinds;
use workloads::actors::kv_cache::encode_request;

#[test]
fn kv_cache_keeps_its_entries_across_a_move_to_host() {
    let mut h = harness("kv_cache", "");
    let r = encode_request(b"user:1", Some(b"alice"));
    h.exec(r.kind, r.payload);
    let state = {
        let mut ctx = ActorCtx::new(&mut h.platform, &mut h.dmos, h.id, &mut h.next_id);
        h.actor.migrate_out(&mut ctx).unwrap()
    };
    let moved = h.dmos.move_actor(h.id, Side::Host).unwrap();
    assert!(moved >= 512 * 1024, "the table moved ({moved} B)");
    // A fresh instance restores from the migration state, as a host-side instance would.
    let mut fresh = workloads::actors::build_actor("kv_cache", &toml::Table::new()).unwrap();
    {
        let mut ctx = ActorCtx::new(&mut h.platform, &mut h.dmos, h.id, &mut h.next_id);
        fresh.migrate_in(&state, &mut ctx).unwrap();
    }
    h.actor = fresh;
    let r = encode_request(b"user:1", None);
    let out = h.exec(r.kind, r.payload);
    assert_eq!(out[0].1.kind, kinds::KV_HIT);
    assert_eq!(out[0].1.payload, b"alice");
}

#[test]
fn another_actor_cannot_touch_the_state() {
    let mut h = harness("top_ranker", "");
    h.id = 2; // same actor code, wrong owner: every DMO access is refused
    let (r, _, out) = h.exec_at(1, [1u32.to_le_bytes(), 5u32.to_le_bytes()].concat(), 10);
    assert!(matches!(r, Err(scheduler::ActorError::Dmo(_))), "{r:?}");
    assert!(out.is_empty());
    assert!(h.dmos.refused_by(2) >= 1);
}
