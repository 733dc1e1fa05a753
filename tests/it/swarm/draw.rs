//! Drawing a swarm scenario from a seed: a stable splitmix64 generator and the random choice of NIC, cores, load, echo or actor workload, policy and bounds.

use nic_models::{NicKind, NicProfile};
use workloads::actors::registry::ActorKind;

/// splitmix64: a tiny, stable generator, so a seed means the same scenario
/// whatever version of `rand` the workspace uses.
pub(crate) struct Draw(pub(crate) u64);

impl Draw {
    pub(crate) fn u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub(crate) fn int(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.u64() % (hi - lo + 1)
    }
    /// Uniform in `[lo, hi)`.
    pub(crate) fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.u64() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.float(0.0, 1.0) < p
    }
    /// One of `items`, uniformly.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.int(0, items.len() as u64 - 1) as usize]
    }
}

/// The seeds a swarm runs: `{prefix}_SEED` alone when set, else
/// `{prefix}_COUNT` seeds (default `count`) drawn from `{prefix}_BASE`
/// (default `base`).
pub(crate) fn seeds(prefix: &str, base: u64, count: u64) -> Vec<u64> {
    let env = |name: &str| {
        std::env::var(format!("{prefix}_{name}"))
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
    };
    match env("SEED") {
        Some(seed) => vec![seed],
        None => {
            let mut d = Draw(env("BASE").unwrap_or(base));
            (0..env("COUNT").unwrap_or(count))
                .map(|_| d.u64())
                .collect()
        }
    }
}

/// The scenario (TOML text) of one seed.
pub(super) fn draw_scenario(seed: u64) -> String {
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
