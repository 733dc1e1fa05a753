//! Tests of distributed memory objects (`dmo`).

use super::*;

#[test]
fn owner_reads_back_what_it_wrote() {
    let mut t = DmoTable::new(1 << 20, 1 << 20);
    let h = t.alloc(1, Side::Nic, 16).unwrap();
    t.write(1, h, 4, &[1, 2, 3]).unwrap();
    let mut buf = [0u8; 5];
    t.read(1, h, 3, &mut buf).unwrap();
    assert_eq!(buf, [0, 1, 2, 3, 0]);
    assert_eq!(t.refused_total(), 0);
}

#[test]
fn other_actor_is_refused_and_counted() {
    let mut t = DmoTable::new(1 << 20, 1 << 20);
    let h = t.alloc(1, Side::Nic, 16).unwrap();
    let err = t.write(2, h, 0, &[9]).unwrap_err();
    assert_eq!(
        err,
        DmoError::NotOwner {
            actor: 2,
            handle: h
        }
    );
    let mut buf = [0u8; 1];
    assert!(t.read(2, h, 0, &mut buf).is_err());
    assert_eq!(t.refused_total(), 2);
    assert_eq!(t.refused_by(2), 2);
    assert_eq!(t.refused_by(1), 0);
    // the owner's data was not touched
    t.read(1, h, 0, &mut buf).unwrap();
    assert_eq!(buf, [0]);
}

#[test]
fn bounds_and_unknown_handles_are_refused() {
    let mut t = DmoTable::new(1 << 20, 1 << 20);
    let h = t.alloc(1, Side::Nic, 8).unwrap();
    assert!(matches!(
        t.check(1, h, 6, 4),
        Err(DmoError::OutOfBounds { size: 8, .. })
    ));
    assert_eq!(
        t.check(1, DmoHandle(99), 0, 1),
        Err(DmoError::UnknownHandle(DmoHandle(99)))
    );
    assert_eq!(t.refused_total(), 2);
}

#[test]
fn capacity_is_enforced() {
    let mut t = DmoTable::new(100, 1000);
    t.alloc(1, Side::Nic, 60).unwrap();
    assert!(matches!(
        t.alloc(1, Side::Nic, 60),
        Err(DmoError::OutOfMemory { available: 40, .. })
    ));
}

#[test]
fn move_keeps_bytes_and_handles_and_changes_addresses() {
    let mut t = DmoTable::new(1 << 20, 1 << 20);
    let a = t.alloc(1, Side::Nic, 100).unwrap();
    let b = t.alloc(1, Side::Nic, 300).unwrap();
    let other = t.alloc(2, Side::Nic, 50).unwrap();
    t.write(1, b, 0, &[7; 300]).unwrap();
    assert_eq!(t.bytes_owned_by(1), 400);
    let moved = t.move_actor(1, Side::Host).unwrap();
    assert_eq!(moved, 400);
    assert_eq!(t.location(a).unwrap().0, Side::Host);
    assert!(t.location(b).unwrap().1 >= HOST_DMO_BASE);
    assert_eq!(t.location(other).unwrap().0, Side::Nic);
    assert_eq!(t.used_bytes(Side::Nic), 50);
    assert_eq!(t.used_bytes(Side::Host), 400);
    let mut buf = [0u8; 300];
    t.read(1, b, 0, &mut buf).unwrap();
    assert_eq!(buf, [7; 300]);
    // moving again moves nothing
    assert_eq!(t.move_actor(1, Side::Host).unwrap(), 0);
}

#[test]
fn addresses_are_line_aligned_and_disjoint() {
    let mut t = DmoTable::new(1 << 20, 1 << 20);
    let a = t.alloc(1, Side::Nic, 1).unwrap();
    let b = t.alloc(1, Side::Nic, 1).unwrap();
    let (_, aa) = t.location(a).unwrap();
    let (_, ab) = t.location(b).unwrap();
    assert_eq!(aa % DMO_ALIGN_BYTES, 0);
    assert_eq!(ab - aa, DMO_ALIGN_BYTES);
}
