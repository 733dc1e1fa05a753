//! Measures how often this machine pauses a busy thread: N threads spin reading the clock and count the gaps.
//!
//! Why: on a shared VM, a run on every core can lose milliseconds whenever
//! the hypervisor deschedules a vCPU, which no code change removes. Compare
//! `--threads 1` with `--threads 2` (or all cores) before trusting a
//! parallel speed-up measured here.
//!
//! `cargo run --release --example vcpu_pauses -- [--threads N] [--seconds S]`
//! prints, per thread, the gaps over 200 us between two clock reads, the
//! time they lost and the longest one.

use std::time::{Duration, Instant};

/// A gap this long between two clock reads is a pause, not the loop.
const PAUSE: Duration = Duration::from_micros(200);

/// Spins for `seconds`; returns (pauses, lost seconds, longest pause seconds).
fn probe(seconds: f64) -> (u32, f64, f64) {
    let start = Instant::now();
    let mut last = start;
    let (mut pauses, mut lost, mut longest) = (0u32, 0.0f64, 0.0f64);
    while last.duration_since(start).as_secs_f64() < seconds {
        let now = Instant::now();
        let gap = now.duration_since(last);
        if gap > PAUSE {
            pauses += 1;
            lost += gap.as_secs_f64();
            longest = longest.max(gap.as_secs_f64());
        }
        last = now;
    }
    (pauses, lost, longest)
}

/// The value after `flag`, parsed, or `default`; exits 2 on a bad value.
fn arg<T: std::str::FromStr>(args: &[String], flag: &str, default: T) -> T {
    match args.iter().position(|a| a == flag) {
        None => default,
        Some(i) => match args.get(i + 1).and_then(|v| v.parse().ok()) {
            Some(v) => v,
            None => {
                eprintln!("vcpu_pauses: {flag} needs a positive number\nusage: vcpu_pauses [--threads N] [--seconds S]");
                std::process::exit(2);
            }
        },
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads: usize = arg(&args, "--threads", 2);
    let seconds: f64 = arg(&args, "--seconds", 2.0);
    if threads == 0 || threads > 1024 || !(seconds > 0.0 && seconds <= 600.0) {
        eprintln!("vcpu_pauses: --threads must be 1..=1024 and --seconds in (0, 600]");
        std::process::exit(2);
    }
    let handles: Vec<_> = (0..threads)
        .map(|_| std::thread::spawn(move || probe(seconds)))
        .collect();
    println!(
        "{threads} busy thread(s) for {seconds} s: pauses over {} us",
        PAUSE.as_micros()
    );
    for (i, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok((n, lost, longest)) => println!(
                "thread {i}: {n} pauses, {:.1} ms lost, longest {:.2} ms",
                lost * 1e3,
                longest * 1e3
            ),
            Err(_) => {
                eprintln!("vcpu_pauses: thread {i} panicked");
                std::process::exit(1);
            }
        }
    }
}
