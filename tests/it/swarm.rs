//! Swarm test (after TigerBeetle's simulator): random scenarios drawn from a seed, each run briefly and checked for conservation, determinism, per-actor order and counted drops.
//!
//! Each scenario is drawn from its own 64-bit seed: NIC profile, cores,
//! packet sizes, load (overload included), echo or actors, actor kinds and
//! weights, policy, queue bounds and the watchdog. A failure prints the
//! seed and the scenario; the seed alone reproduces it:
//!
//! ```sh
//! NICSIM_SWARM_SEED=1234 cargo test --test it swarm -- --nocapture
//! NICSIM_SWARM_COUNT=5000 cargo test --release --test it swarm   # a longer swarm
//! ```
//!
//! `NICSIM_SWARM_BASE` moves the whole swarm to other seeds.

use nic_models::{NicKind, NicProfile};
use nicsim::{run_scenario, RunOutput, Scenario};
use std::panic::{catch_unwind, AssertUnwindSafe};
use workloads::actors::registry::ActorKind;

/// Scenarios per CI run (each a few simulated milliseconds, run twice).
const DEFAULT_COUNT: u64 = 200;
/// Default base seed of the swarm.
const DEFAULT_BASE: u64 = 0x5eed_2026;

/// splitmix64: a tiny, stable generator, so a seed means the same scenario
/// whatever version of `rand` the workspace uses.
struct Draw(u64);

impl Draw {
    fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.u64() % (hi - lo + 1)
    }
    /// Uniform in `[lo, hi)`.
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.u64() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.float(0.0, 1.0) < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.int(0, items.len() as u64 - 1) as usize]
    }
}

/// The scenario (TOML text) of one seed.
fn draw_scenario(seed: u64) -> String {
    let mut d = Draw(seed);
    let names = nic_models::profile::builtin_names();
    let nic_name = *d.pick(&names);
    let nic = NicProfile::builtin(nic_name).expect("built-in profile");
    let cores = d.int(1, u64::from(nic.cores));
    let duration_ms = d.float(0.3, 2.0);
    // TOML integers are signed 64-bit: the run's root seed is the swarm seed's top 63 bits
    let run_seed = seed >> 1;
    let mut t = format!(
        "name = \"swarm\"\nseed = {run_seed}\nduration_ms = {duration_ms:.3}\nwarmup_ms = 0\n\n[nic]\nprofile = \"{nic_name}\"\ncores = {cores}\n"
    );
    if d.chance(0.5) {
        draw_echo(&mut d, &mut t, &nic);
    } else {
        draw_actors(&mut d, &mut t, cores);
    }
    t
}

fn draw_echo(d: &mut Draw, t: &mut String, nic: &NicProfile) {
    let off_path = nic.kind == NicKind::OffPath;
    if d.chance(0.3) {
        t.push_str(&format!(
            "tm_queue_packets = {}\n",
            d.pick(&[4, 16, 64, 4096])
        ));
    }
    if off_path && d.chance(0.5) {
        t.push_str("switch_rules = [{ dst_port = 5000, to = \"host\" }, { dst_port = 5001, to = \"drop\" }]\n");
    }
    t.push_str("\n[traffic]\n");
    let mean_bytes = if d.chance(0.7) {
        let size = *d.pick(&[64u32, 128, 256, 512, 1024, 1500, 9000]);
        t.push_str(&format!("packet_size = {size}\n"));
        f64::from(size)
    } else {
        let (w64, w1500) = (d.float(0.1, 5.0), d.float(0.1, 5.0));
        t.push_str(&format!(
            "size_mix = [{{ size = 64, weight = {w64} }}, {{ size = 1500, weight = {w1500} }}]\n"
        ));
        (64.0 * w64 + 1500.0 * w1500) / (w64 + w1500)
    };
    t.push_str(&format!(
        "arrival = \"{}\"\nflows = {}\n",
        d.pick(&["constant", "poisson"]),
        d.int(1, 4096)
    ));
    if d.chance(0.5) {
        t.push_str("rate_gbps = \"line\"\n");
    } else {
        // a fraction of this link's line rate at the mean size
        let overhead = f64::from(nic.mac.wire_overhead_bytes);
        let line_gbps = nic.link_gbps * mean_bytes / (mean_bytes + overhead);
        t.push_str(&format!(
            "rate_gbps = {:.4}\n",
            d.float(0.05, 0.95) * line_gbps
        ));
    }
    t.push_str("\n[workload]\nkind = \"echo\"\n");
    if d.chance(0.4) {
        t.push_str(&format!("processing_us = {:.3}\n", d.float(0.0, 4.0)));
    }
}

fn draw_actors(d: &mut Draw, t: &mut String, cores: u64) {
    // A share of the scenarios overloads one or two host cores with every
    // actor on the host and a short host queue: on an off-path NIC the frames
    // cross PCIe untouched, on an on-path NIC a NIC core forwards each first;
    // either way the host queue must overflow and be counted.
    let host_bound = d.chance(0.15);
    let host_cores = if host_bound { d.int(1, 2) } else { d.int(1, 8) };
    t.push_str(&format!("\n[host]\ncores = {host_cores}\n"));
    let policy = *d.pick(&["hybrid", "fcfs", "drr", "nic_only", "host_only", "static"]);
    let policy = if host_bound { "host_only" } else { policy };
    let n = d.int(1, 4);
    let names: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
    t.push_str(&format!("\n[scheduler]\npolicy = \"{policy}\"\n"));
    if host_bound {
        t.push_str(&format!("host_queue_capacity = {}\n", d.pick(&[8, 16, 64])));
    } else if d.chance(0.5) {
        t.push_str(&format!(
            "fcfs_queue_capacity = {}\nmailbox_capacity = {}\nhost_queue_capacity = {}\nmigration_buffer_capacity = {}\n",
            d.pick(&[8, 64, 4096]),
            d.pick(&[4, 32, 1024]),
            d.pick(&[8, 64, 8192]),
            d.pick(&[4, 64, 4096]),
        ));
    }
    if d.chance(0.2) {
        // short enough that high-dispersion actors trip it
        t.push_str(&format!("watchdog_ns = {}\n", d.int(3_000, 50_000)));
    }
    if policy == "static" {
        let host: Vec<String> = names.iter().filter(|_| d.chance(0.3)).cloned().collect();
        let drr: Vec<String> = names
            .iter()
            .filter(|a| !host.contains(a) && d.chance(0.4))
            .cloned()
            .collect();
        let quote = |v: &[String]| {
            v.iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        t.push_str(&format!(
            "static_host_actors = [{}]\nstatic_drr_actors = [{}]\nstatic_drr_cores = {}\n",
            quote(&host),
            quote(&drr),
            if drr.is_empty() {
                0
            } else {
                d.int(1, cores.saturating_sub(1).max(1)).min(cores - 1)
            }
        ));
    }
    t.push_str("\n[workload]\nkind = \"actors\"\n");
    t.push_str(&format!(
        "arrival = \"{}\"\n",
        d.pick(&["constant", "poisson"])
    ));
    if host_bound {
        t.push_str(&format!("load_fraction = {:.3}\n", d.float(1.0, 3.0)));
    } else if d.chance(0.75) {
        t.push_str(&format!("load_fraction = {:.3}\n", d.float(0.05, 3.0)));
    } else {
        // log-uniform 10 krps .. 100 Mrps: the top is far beyond any link
        t.push_str(&format!(
            "rate_krps = {:.3}\n",
            10f64.powf(d.float(1.0, 5.0))
        ));
    }
    let placements = ["nic_fcfs", "nic_drr", "host"];
    for name in &names {
        // The single-actor tasks only (the first ten table entries, so the draws are
        // unchanged): the distributed applications' kinds (rta_*, dt_*, rkv_*) are
        // built to message configured peers and have their own tests.
        let kind = d.pick(&ActorKind::ALL[..10]).name();
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"{name}\"\nkind = \"{kind}\"\nweight = {:.2}\nclass = \"{}\"\n",
            d.float(0.5, 4.0),
            d.pick(&["low", "high"])
        ));
        if matches!(policy, "hybrid" | "fcfs" | "drr") && d.chance(0.2) {
            t.push_str(&format!("placement = \"{}\"\n", d.pick(&placements)));
        }
    }
}

/// What a swarm exercised, summed over its scenarios.
#[derive(Debug, Default)]
struct Coverage {
    echo: u64,
    actors: u64,
    capped: u64,
    to_host: u64,
    steered_host: u64,
    /// Scenarios with host-queue drops on an on-path / off-path NIC.
    host_queue_on_path: u64,
    host_queue_off_path: u64,
    /// Scenarios where on-path NIC cores forwarded host-bound frames.
    forwarded: u64,
    /// Scenarios with at least one drop of each reason, by column name.
    drop_reasons: std::collections::BTreeMap<&'static str, u64>,
}

impl Coverage {
    fn add(&mut self, o: &RunOutput) {
        let s = &o.summary;
        if s.workload == "echo" {
            self.echo += 1;
        } else {
            self.actors += 1;
        }
        self.capped += u64::from(s.offered_capped);
        self.to_host += u64::from(s.to_host_actors > 0);
        self.steered_host += u64::from(s.steered_host > 0);
        if s.actor_drops.host_queue > 0 {
            match NicProfile::builtin(&s.nic).map(|p| p.kind) {
                Some(NicKind::OnPath) => self.host_queue_on_path += 1,
                _ => self.host_queue_off_path += 1,
            }
        }
        let forwarded = o
            .extra_tables
            .iter()
            .find(|(n, _)| n == "counters.csv")
            .and_then(|(_, t)| t.rows.iter().find(|r| r[0] == "rt_forwarded"))
            .and_then(|r| r[1].parse::<u64>().ok())
            .unwrap_or(0);
        self.forwarded += u64::from(forwarded > 0);
        for (reason, n) in &o.places.ended {
            if *n > 0 {
                *self.drop_reasons.entry(reason).or_default() += 1;
            }
        }
    }
}

/// Runs one scenario twice and checks it; `Err` says what broke.
fn check(text: &str, coverage: &mut Coverage) -> Result<(), String> {
    let table: toml::Table = text.parse().map_err(|e| format!("drawn TOML: {e}"))?;
    let scenario =
        Scenario::from_table(table, "swarm.toml").map_err(|e| format!("refused: {e}"))?;
    let run = |s: &Scenario| -> Result<RunOutput, String> {
        catch_unwind(AssertUnwindSafe(|| run_scenario(s)))
            .map_err(|p| {
                let msg = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("panicked: {msg}")
            })?
            .map_err(|e| format!("run failed: {e}"))
    };
    let a = run(&scenario)?;
    let b = run(&scenario)?;
    let s = &a.summary;
    let fail = |what: &str| Err(format!("{what}\nsummary: {s:?}\nplaces: {:?}", a.places));

    // Conservation, place by place and in the summary's columns.
    if !a.places.conserved() {
        return fail("conservation: generated != delivered + ended + in flight");
    }
    if s.generated != s.delivered + s.steered_host + s.drops + s.in_flight {
        return fail("summary: generated != delivered + steered_host + drops + in_flight");
    }
    let places_in_flight: u64 = a.places.in_flight.iter().map(|(_, n)| n).sum();
    if (a.places.generated, a.places.delivered, places_in_flight)
        != (s.generated, s.delivered, s.in_flight)
    {
        return fail("summary and places disagree");
    }
    // No drop uncounted: the total is the sum of the reasons, and every drop
    // reached the time series.
    if s.drops != s.drops_by_reason() {
        return fail("drops != sum of the drops_* columns");
    }
    let col = a
        .timeseries
        .columns
        .iter()
        .position(|c| c == "drops")
        .expect("drops column");
    let series_drops: u64 = a
        .timeseries
        .rows
        .iter()
        .map(|r| r[col].parse::<u64>().unwrap_or(u64::MAX))
        .sum();
    if series_drops != s.drops {
        return fail(&format!("time series shows {series_drops} drops"));
    }
    // Per-actor order, and no refused driver call.
    if s.reorders != 0 || s.driver_errors != 0 {
        return fail("messages reordered or driver calls refused");
    }
    if s.peak_in_flight < s.in_flight {
        return fail("peak_in_flight below the final in_flight");
    }
    if let Some(plan) = &scenario.actors {
        // Bounded memory: never more inside than every queue can hold.
        let c = &plan.settings;
        let n = plan.actors.len() as u64;
        let bound = u64::from(c.fcfs_queue_capacity)
            + u64::from(c.host_queue_capacity)
            + n * u64::from(c.mailbox_capacity)
            + n * u64::from(c.migration_buffer_capacity)
            + 2 * nicsim::node::drops::PCIE_QUEUE_MESSAGES
            + u64::from(s.cores + plan.host_cores)
            // an on-path NIC's forward reorder buffer: at most one per NIC core
            + u64::from(s.cores);
        if s.peak_in_flight > bound {
            return fail(&format!("peak_in_flight above the queues' bound {bound}"));
        }
    }
    if !(0.0..=1.0).contains(&s.nic_core_util) {
        return fail("nic_core_util outside [0, 1]");
    }
    // Determinism: the same scenario and seed give the same outputs.
    let mut sb = b.summary.clone();
    sb.wall_time_s = s.wall_time_s;
    if sb != *s
        || a.timeseries != b.timeseries
        || a.extra_tables != b.extra_tables
        || a.places != b.places
    {
        return fail("two runs of the same seed differ");
    }
    coverage.add(&a);
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn swarm() {
    let seeds: Vec<u64> = match env_u64("NICSIM_SWARM_SEED") {
        Some(seed) => vec![seed],
        None => {
            let base = env_u64("NICSIM_SWARM_BASE").unwrap_or(DEFAULT_BASE);
            let count = env_u64("NICSIM_SWARM_COUNT").unwrap_or(DEFAULT_COUNT);
            let mut d = Draw(base);
            (0..count).map(|_| d.u64()).collect()
        }
    };
    let mut coverage = Coverage::default();
    for &seed in &seeds {
        let text = draw_scenario(seed);
        if let Err(why) = check(&text, &mut coverage) {
            panic!(
                "swarm scenario failed: {why}\n--- scenario ---\n{text}--- reproduce with ---\nNICSIM_SWARM_SEED={seed} cargo test --test it swarm -- --nocapture"
            );
        }
    }
    println!("swarm: {} scenarios passed; {coverage:?}", seeds.len());
    if seeds.len() as u64 >= DEFAULT_COUNT {
        // A swarm that never overloads or never crosses PCIe proves little.
        let c = &coverage;
        assert!(
            c.echo > 0 && c.actors > 0 && c.capped > 0 && c.to_host > 0,
            "{c:?}"
        );
        assert!(c.steered_host > 0, "{c:?}");
        // Host overload is reached through both paths to the host: untouched
        // across PCIe (off-path) and forwarded by a NIC core (on-path).
        assert!(
            c.host_queue_on_path > 0 && c.host_queue_off_path > 0 && c.forwarded > 0,
            "{c:?}"
        );
        for reason in [
            "drops_tm",
            "drops_fcfs_queue",
            "drops_mailbox",
            "drops_host_queue",
            "drops_watchdog",
        ] {
            assert!(
                c.drop_reasons.contains_key(reason),
                "no scenario dropped at {reason}: {c:?}"
            );
        }
    }
}

#[test]
fn a_seed_always_draws_the_same_scenario() {
    assert_eq!(draw_scenario(42), draw_scenario(42));
    assert_ne!(draw_scenario(42), draw_scenario(43));
}
