//! Criterion bench of the hold model, comparing candidate future-event lists.
//!
//! The hold model keeps N events pending; each, when popped, pushes one more
//! at now + Exp(mean). We compare, at N = 1,000 and N = 100,000:
//! - `engine`: the real `Engine` and its future-event list (`EventQueue`,
//!   std `BinaryHeap` over a packed u128 `(time << 64 | seq)` key, when the
//!   figures below were taken; since issue 13's second pass the engine uses
//!   `FifoQueue`, the same keys plus a slot, over a slab of events, with a
//!   sorted vector in front while at most 64 are pending);
//! - `heap_tuple`: `BinaryHeap<Reverse<(u64, u64)>>`, the textbook form;
//! - `btree`: `BTreeMap<(u64, u64), ()>` with pop_first.
//!
//! Measured on the 2-core development machine (shared with other builds, so
//! read the ratios, not the absolute numbers), 2026-11-25, `cargo bench -p
//! sim-core --bench hold`, 200,000 events per iteration (setup included):
//! N=1,000:   engine 25.3 M events/s, heap_tuple 20.1 M/s, btree 12.1 M/s;
//! N=100,000: engine  8.5 M events/s, heap_tuple  6.5 M/s, btree  5.1 M/s.
//! The packed key wins by about 1.25x over the tuple heap and 2x over the
//! B-tree at both sizes.
//! The `hold` example (release, N=1,000, 20 M events) reports 27-28 M
//! events/s through the full engine. A calendar or ladder queue wins only
//! at much larger N with well-behaved increment distributions; the packed
//! binary heap is simple, exact and fast enough, so it is the choice.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use sim_core::RngStreams;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

const EVENTS: u64 = 200_000;
const MEAN_PS: f64 = 1_000_000.0;

fn initial_times(n: u64) -> Vec<u64> {
    let mut r = RngStreams::new(1).stream("init");
    (0..n).map(|_| r.gen_range(0..MEAN_PS as u64)).collect()
}

fn engine_hold(n: u64) -> u64 {
    // The shared model of `sim_core::bench::hold`; n + EVENTS handled in all,
    // like the two alternatives below.
    sim_core::bench::hold::run_hold(n, n + EVENTS, (MEAN_PS / 1000.0) as u64, 1).expect("bounded")
}

fn heap_tuple_hold(n: u64) -> u64 {
    let mut rng = RngStreams::new(1).stream("m");
    let mut h = BinaryHeap::new();
    let mut seq = 0u64;
    for t in initial_times(n) {
        h.push(Reverse((t, seq)));
        seq += 1;
    }
    let mut handled = 0;
    while let Some(Reverse((now, _))) = h.pop() {
        handled += 1;
        if handled <= EVENTS {
            let x: f64 = Exp1.sample(&mut rng);
            h.push(Reverse((now + (x * MEAN_PS) as u64, seq)));
            seq += 1;
        }
    }
    handled
}

fn btree_hold(n: u64) -> u64 {
    let mut rng = RngStreams::new(1).stream("m");
    let mut m = BTreeMap::new();
    let mut seq = 0u64;
    for t in initial_times(n) {
        m.insert((t, seq), ());
        seq += 1;
    }
    let mut handled = 0;
    while let Some(((now, _), ())) = m.pop_first() {
        handled += 1;
        if handled <= EVENTS {
            let x: f64 = Exp1.sample(&mut rng);
            m.insert((now + (x * MEAN_PS) as u64, seq), ());
            seq += 1;
        }
    }
    handled
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("hold");
    g.sample_size(10);
    g.throughput(criterion::Throughput::Elements(EVENTS));
    for n in [1_000u64, 100_000] {
        g.bench_with_input(BenchmarkId::new("engine", n), &n, |b, &n| {
            b.iter(|| engine_hold(n))
        });
        g.bench_with_input(BenchmarkId::new("heap_tuple", n), &n, |b, &n| {
            b.iter(|| heap_tuple_hold(n))
        });
        g.bench_with_input(BenchmarkId::new("btree", n), &n, |b, &n| {
            b.iter(|| btree_hold(n))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
