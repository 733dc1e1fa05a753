//! `nicsim calibrate-host --out FILE`: measures this machine (pointer-chase latency per cache level, the actors' handler times, in-process queue and loopback UDP costs) and writes a host profile in the format of configs/nics/host_e5_2620v4.toml.
//!
//! What is measured, and how it enters the profile:
//! - cache geometry: read from /sys/devices/system/cpu/cpu0/cache (size,
//!   ways, line, sharing); clock: /proc/cpuinfo `cpu MHz`;
//! - `latency_ns` of each level and `dram_latency_ns`: a dependent pointer
//!   chase over a random cyclic permutation of lines (Sattolo), with a
//!   working set of half the level (DRAM: 8x the last level), as Table 2 of
//!   iPipe measures them;
//! - `compute.ipc`: FITTED so that the simulated handler time of the
//!   registry's non-synthetic actor kinds on this profile equals their
//!   measured native handler time (summed over kinds); per-kind times are
//!   written as comments;
//! - `[[messaging.paths]]` `inproc_queue` and `udp_loopback`: one-way
//!   latency from thread ping-pong over a crossbeam channel and over UDP on
//!   127.0.0.1 (fixed part and per-byte part from 64 B and 1024 B).
//!
//! The accelerators' software costs are not measured (no engine here): they
//! are carried over from host_e5_2620v4.toml, converted from its cycles at
//! this clock and marked "assumption".

use anyhow::{Context, Result};
use clap::Args;
use nic_models::host::HostProfile;
use rand::SeedableRng;
use sim_core::SimRng;
use std::path::PathBuf;
use workloads::actors::registry::ActorKind;

mod probes;
mod profile;

use probes::{
    cache_levels, cpu_mhz, handler_ns, inproc_one_way_ns, pointer_chase_ns, udp_one_way_ns,
};
use profile::profile_body;

/// Arguments of `nicsim calibrate-host`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Where to write the profile.
    #[arg(long, default_value = "configs/nics/host_local.toml")]
    pub out: PathBuf,
    /// Fewer repetitions (a smoke test; the numbers are noisier).
    #[arg(long)]
    pub quick: bool,
}

/// The non-synthetic actor kinds (their handlers do real work; the
/// synthetic ones only charge cycles, which natively cost nothing).
fn real_kinds() -> Vec<ActorKind> {
    ActorKind::ALL
        .iter()
        .copied()
        .filter(|k| !matches!(k, ActorKind::FixedCost | ActorKind::VariableCost))
        .collect()
}

/// `nicsim calibrate-host`.
pub fn cmd_calibrate(a: CalibrateArgs) -> Result<()> {
    let text = calibrate(a.quick)?;
    // refuse to write a profile the loader would refuse
    HostProfile::from_toml_str(&text, &a.out.display().to_string())
        .context("the measured profile does not load")?;
    if let Some(dir) = a.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("create {}", dir.display()))?;
    }
    system::report::write::write_atomic(&a.out, text.as_bytes())?;
    println!("wrote {}", a.out.display());
    Ok(())
}

/// Measures and returns the profile's text.
pub fn calibrate(quick: bool) -> Result<String> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    let mhz = cpu_mhz()?;
    let ghz = mhz / 1e3;
    let mut levels = cache_levels(cores)?;
    let mut rng: SimRng = SimRng::seed_from_u64(1);
    let steps = if quick { 200_000 } else { 1_000_000 };
    // working set: half the level, but at most 4x the level below (a large
    // random working set with 4 KiB pages measures TLB misses, not the cache)
    let mut below_kb = 0;
    for l in &mut levels {
        let ws_kb = if below_kb == 0 {
            l.size_kb / 2
        } else {
            (l.size_kb / 2).min(4 * below_kb)
        };
        below_kb = l.size_kb;
        l.latency_ns = pointer_chase_ns(ws_kb * 1024, l.line, steps, &mut rng);
        println!(
            "  L{} {} KiB (working set {ws_kb} KiB): {:.2} ns",
            l.level, l.size_kb, l.latency_ns
        );
    }
    let last = levels.last().map_or(32 * 1024, |l| l.size_kb);
    let dram_bytes = (last * 1024 * 8).min(1 << 30);
    let line = levels[0].line;
    let dram_ns = pointer_chase_ns(dram_bytes, line, steps / 2, &mut rng);
    println!("  DRAM ({} MiB): {:.2} ns", dram_bytes >> 20, dram_ns);

    let rounds = if quick { 2_000 } else { 20_000 };
    let q64 = inproc_one_way_ns(64, rounds)?;
    let q1k = inproc_one_way_ns(1024, rounds)?;
    let u64b = udp_one_way_ns(64, rounds)?;
    let u1k = udp_one_way_ns(1024, rounds)?;
    println!("  in-process queue one way: {q64:.0} ns (64 B), {q1k:.0} ns (1024 B)");
    println!("  UDP loopback one way: {u64b:.0} ns (64 B), {u1k:.0} ns (1024 B)");

    // the profile before the IPC fit: this machine's memory and clock
    let date = utc_date();
    let mut doc = String::new();
    let template = HostProfile::builtin("host_e5_2620v4").context("built-in host_e5_2620v4")?;
    let body = |ipc: f64| {
        profile_body(
            &levels,
            dram_ns,
            ghz,
            cores,
            ipc,
            &template,
            [q64, q1k, u64b, u1k],
        )
    };
    let model_at = |ipc: f64| -> Result<nic_models::CoreModel> {
        let p = HostProfile::from_toml_str(
            &format!("name = \"host_local\"\n{}", body(ipc)),
            "calibrate-host",
        )?;
        Ok(p.core_model()?)
    };
    let n = if quick { 300 } else { 3_000 };
    // the actors charge compute in cycles (`ActorCtx::compute`), so IPC
    // does not change their simulated time: it stays an assumption, and the
    // handler times are compared, kind by kind, in the comments below
    let ipc = template.compute.ipc;
    let ipc_note =
        "assumption (as host_e5_2620v4): the actors charge cycles, which IPC does not scale";
    let mut model = model_at(ipc)?;
    let (mut meas, mut sim) = (0.0, 0.0);
    let mut rows = Vec::new();
    for k in real_kinds() {
        let native_ns = handler_ns(k, n, None)?;
        let sim_ns = handler_ns(k, n, Some(&mut model))?;
        meas += native_ns;
        sim += sim_ns;
        rows.push((k, native_ns, sim_ns));
    }
    println!(
        "  handler time summed over {} kinds: measured {meas:.0} ns, simulated on this profile {sim:.0} ns",
        rows.len()
    );
    doc.push_str(&format!(
        "# This machine, measured by calibrate-host on {date} (`nicsim calibrate-host`,\n"
    ));
    doc.push_str(&format!(
        "# src/calibrate_host.rs). Same format as host_e5_2620v4.toml. Quick mode: {quick}.\n"
    ));
    doc.push_str("# Measured on a shared VM (2 cores, other jobs running): each value is the least\n# of 5 runs, since noise only adds time; expect tens of percent between runs.\n");
    doc.push_str("name = \"host_local\"\n");
    doc.push_str(&format!(
        "description = \"this machine: {cores} cores at {mhz:.0} MHz (measured by calibrate-host on {date})\"\n"
    ));
    doc.push_str(&body(ipc).replace("@IPC_NOTE@", ipc_note));
    doc.push_str(
        "\n# Handler times per actor kind, ns (measured natively through the runtime on a\n",
    );
    doc.push_str(&format!(
        "# host core, {n} requests of the kind's generator each; simulated on this profile):\n"
    ));
    doc.push_str("# kind, measured_ns, simulated_ns (the native time includes a clock read per\n");
    doc.push_str("# charging call: the runtime's watchdog reads charged_in_exec on each)\n");
    for (k, nat, sim_ns) in rows {
        doc.push_str(&format!("#   {}, {nat:.0}, {sim_ns:.0}\n", k.name()));
    }
    doc.push_str(&format!("#   total, {meas:.0}, {sim:.0}\n"));
    Ok(doc)
}

/// Today's date (UTC), YYYY-MM-DD, from the system clock (civil-from-days).
fn utc_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
