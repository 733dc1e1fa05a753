//! Tests of the PCIe link: TLP splitting, unloaded latency, per-lane advancing against the whole link, read completions.

use super::*;
use rand::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

#[test]
fn split_cuts_at_the_maximum_and_keeps_the_remainder() {
    assert_eq!(split(600, 256).collect::<Vec<_>>(), vec![256, 256, 88]);
    assert_eq!(split(0, 256).collect::<Vec<_>>(), vec![0]);
    assert_eq!(split(512, 256).collect::<Vec<_>>(), vec![256, 256]);
}

#[test]
fn an_unloaded_write_takes_wire_time_plus_one_way_latency() {
    let mut link = PcieLink::new(PcieLinkProfile::default());
    let w = link.write(SimTime::ZERO, 256);
    let wire = link.profile().wire_time(256 + 24);
    assert_eq!(w.sent, SimTime::ZERO + wire);
    assert_eq!(w.delivered, SimTime::ZERO + wire + link.one_way_latency());
}

/// Advancing only the direction a posted write uses gives every write
/// and read the answers advancing the whole link before each gives,
/// under bursts in both directions and reads in between.
#[test]
fn advancing_one_lane_answers_as_advancing_the_whole_link() {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(0x2545_f491_4f6c_dd1d);
    let mut next = move || rng.next_u64();
    let mut whole = PcieLink::new(PcieLinkProfile::default());
    let mut lanes = whole.clone();
    let mut now = 0u64;
    for step in 0..5_000 {
        // bursts (many at one instant) and gaps
        now += [0, 0, 3, 40, 700][(next() % 5) as usize];
        let t = SimTime::from_ns(now);
        let bytes = next() % 1_200;
        match next() % 7 {
            0 => {
                whole.advance(t);
                lanes.advance(t);
                let (a, b) = (whole.read_request(t, bytes), lanes.read_request(t, bytes));
                assert_eq!(a.done, b.done, "step {step}");
            }
            k => {
                let dir = if k % 2 == 0 {
                    Direction::NicToHost
                } else {
                    Direction::HostToNic
                };
                whole.advance(t);
                lanes.advance_lane(dir, t);
                let a = whole.posted_write(dir, t, bytes);
                let b = lanes.posted_write(dir, t, bytes);
                assert_eq!(
                    (a.start, a.sent, a.delivered),
                    (b.start, b.sent, b.delivered),
                    "step {step}"
                );
            }
        }
    }
}

#[test]
fn a_read_returns_one_completion_per_host_cache_line() {
    let mut link = PcieLink::new(PcieLinkProfile::default());
    let r = link.read_request(SimTime::ZERO, 512);
    assert_eq!(r.completions.len(), 8);
    assert_eq!(r.completions.iter().map(|c| c.bytes).sum::<u64>(), 512);
    // Round trip: two one-way latencies plus eight DRAM lines, fetched
    // `host_read_parallelism` at a time.
    let p = link.profile();
    let steps = 8 / u64::from(p.host_read_parallelism);
    let floor = 2.0 * p.one_way_latency_ns + steps as f64 * p.host_dram_ns;
    assert!(r.done > SimTime::ZERO + SimDuration::from_ns_f64(floor));
}
