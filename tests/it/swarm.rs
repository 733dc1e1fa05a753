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

pub(crate) mod draw;

use draw::draw_scenario;

/// Scenarios per CI run (each a few simulated milliseconds, run twice).
const DEFAULT_COUNT: u64 = 200;
/// Default base seed of the swarm.
const DEFAULT_BASE: u64 = 0x5eed_2026;

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

/// A drawn scenario's TOML text, loaded as file `file`.
pub(crate) fn load(text: &str, file: &str) -> Result<Scenario, String> {
    let table: toml::Table = text.parse().map_err(|e| format!("drawn TOML: {e}"))?;
    Scenario::from_table(table, file).map_err(|e| format!("refused: {e}"))
}

/// What a caught panic said.
pub(crate) fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// Runs one scenario twice and checks it; `Err` says what broke.
fn check(text: &str, coverage: &mut Coverage) -> Result<(), String> {
    let scenario = load(text, "swarm.toml")?;
    let run = |s: &Scenario| -> Result<RunOutput, String> {
        catch_unwind(AssertUnwindSafe(|| run_scenario(s)))
            .map_err(|p| format!("panicked: {}", panic_text(&*p)))?
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

#[test]
fn swarm() {
    let seeds = draw::seeds("NICSIM_SWARM", DEFAULT_BASE, DEFAULT_COUNT);
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
