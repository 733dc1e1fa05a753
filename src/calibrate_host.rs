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

use anyhow::{bail, Context, Result};
use clap::Args;
use native::{Epoch, NativePlatform};
use nic_models::host::HostProfile;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use scheduler::{CoreId, Message, Placement, PolicyKind, Runtime, SchedulerSettings, Side};
use sim_core::{SimRng, SimTime};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;
use workloads::actors::registry::{build_actor_of, gen_request, ActorKind};
use workloads::sim_platform::SimPlatform;

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

/// Runs of each pointer chase; the least is kept (on a shared machine,
/// noise only ever adds time, and short runs catch quiet moments).
const RUNS: usize = 15;

/// One cache level of this machine.
#[derive(Clone, Debug)]
struct Level {
    level: u32,
    size_kb: u64,
    ways: u32,
    line: u64,
    shared_by: u32,
    latency_ns: f64,
}

fn read(p: &str) -> Result<String> {
    std::fs::read_to_string(p)
        .map(|s| s.trim().to_string())
        .with_context(|| format!("read {p}"))
}

/// Data and unified caches of cpu0, smallest level first.
fn cache_levels(cores: u32) -> Result<Vec<Level>> {
    let mut v = Vec::new();
    for i in 0..8 {
        let d = format!("/sys/devices/system/cpu/cpu0/cache/index{i}");
        if !std::path::Path::new(&d).exists() {
            break;
        }
        if read(&format!("{d}/type"))? == "Instruction" {
            continue;
        }
        let size = read(&format!("{d}/size"))?;
        let size_kb: u64 = match size.strip_suffix('K') {
            Some(k) => k.parse()?,
            None => match size.strip_suffix('M') {
                Some(m) => m.parse::<u64>()? * 1024,
                None => bail!("{d}/size: unexpected {size}"),
            },
        };
        let shared = read(&format!("{d}/shared_cpu_list"))?;
        let shared_by = shared
            .split(',')
            .map(|r| match r.split_once('-') {
                Some((a, b)) => b.parse::<u32>().unwrap_or(0) + 1 - a.parse::<u32>().unwrap_or(0),
                None => 1,
            })
            .sum::<u32>()
            .clamp(1, cores.max(1));
        v.push(Level {
            level: read(&format!("{d}/level"))?.parse()?,
            size_kb,
            ways: read(&format!("{d}/ways_of_associativity"))?.parse()?,
            line: read(&format!("{d}/coherency_line_size"))?.parse()?,
            shared_by,
            latency_ns: 0.0,
        });
    }
    if v.is_empty() {
        bail!("no data cache found under /sys/devices/system/cpu/cpu0/cache");
    }
    Ok(v)
}

fn cpu_mhz() -> Result<f64> {
    let text = read("/proc/cpuinfo")?;
    text.lines()
        .find_map(|l| {
            l.strip_prefix("cpu MHz")?
                .split(':')
                .nth(1)?
                .trim()
                .parse()
                .ok()
        })
        .context("no `cpu MHz` line in /proc/cpuinfo")
}

/// ns per dependent load over `bytes` of lines of `line` bytes (least of `RUNS` runs).
fn pointer_chase_ns(bytes: u64, line: u64, steps: u64, rng: &mut SimRng) -> f64 {
    let stride = (line / 8).max(1) as usize; // u64 slots per line
    let n = (bytes / line).max(2) as usize;
    // Sattolo: one cycle through every line, in random order
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    let mut next = vec![0u64; n * stride];
    for w in 0..n {
        next[order[w] * stride] = (order[(w + 1) % n] * stride) as u64;
    }
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        let mut i = 0usize;
        for _ in 0..n {
            i = next[i] as usize; // warm
        }
        let t = Instant::now();
        for _ in 0..steps {
            i = next[black_box(i)] as usize;
        }
        black_box(i);
        samples.push(t.elapsed().as_nanos() as f64 / steps as f64);
    }
    samples.sort_by(f64::total_cmp);
    // the least of 5: on a shared machine noise only ever adds time
    samples[0]
}

/// Mean handler time, ns, of `n` requests of `kind` run through the
/// runtime on a host core: natively (`None`) or on `model`.
fn handler_ns(kind: ActorKind, n: u64, model: Option<&mut nic_models::CoreModel>) -> Result<f64> {
    let settings = SchedulerSettings {
        policy: PolicyKind::HostOnly,
        watchdog_ns: 10_000_000_000,
        ..SchedulerSettings::default()
    };
    let mut rt = Runtime::new(settings, 1, 1)?;
    let epoch = Epoch::start();
    let actor = build_actor_of(kind, &toml::Table::new())?;
    native::register(&mut rt, actor, Some(Placement::Host), epoch)?;
    let mut rng = sim_core::RngStreams::new(7).stream(&format!("calibrate/{}", kind.name()));
    let core = CoreId::host(0);
    let (mut total_ns, mut done) = (0.0, 0u64);
    let mut model = model;
    let mut t = SimTime::ZERO;
    for id in 0..n {
        let r = gen_request(kind, &mut rng);
        let msg = Message {
            id,
            src: scheduler::Endpoint::Network { node: 0, port: 1 },
            dst: 0,
            kind: r.kind,
            payload: r.payload,
            created_at: t,
        };
        if rt.deliver(msg, t).is_err() {
            continue;
        }
        // messages the handler sends stay in this harness's outbox: nothing
        // receives them in a measurement of one actor
        let outcome = match model.as_deref_mut() {
            None => {
                let mut outbox = Vec::new();
                let mut p = NativePlatform::new(Side::Host, epoch, &mut outbox);
                rt.run_next(core, epoch.now(), &mut p)?
            }
            Some(m) => {
                let mut p = SimPlatform::new(&mut *m, 0, Side::Host)?;
                p.advance_to(t);
                p.begin_exec();
                rt.run_next(core, t, &mut p)?
            }
        };
        let Some(o) = outcome else { continue };
        if o.kind == scheduler::OutcomeKind::Done {
            total_ns += o.exec_time.as_ns_f64();
            done += 1;
        }
        t = o.completes_at().max(t);
        rt.finish(o, t)?;
    }
    if done == 0 {
        bail!("actor kind {} completed no request", kind.name());
    }
    Ok(total_ns / done as f64)
}

/// One-way latency, ns, of a `bytes` message between two threads through a
/// crossbeam channel (half the ping-pong round trip; least of 5 runs).
fn inproc_one_way_ns(bytes: usize, rounds: u32) -> Result<f64> {
    let (a_tx, a_rx) = crossbeam_channel::bounded::<Vec<u8>>(1);
    let (b_tx, b_rx) = crossbeam_channel::bounded::<Vec<u8>>(1);
    let echo = std::thread::spawn(move || {
        while let Ok(m) = a_rx.recv() {
            if b_tx.send(m).is_err() {
                return;
            }
        }
    });
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..rounds {
            a_tx.send(vec![0u8; bytes]).context("channel send")?;
            black_box(b_rx.recv().context("channel recv")?);
        }
        samples.push(t.elapsed().as_nanos() as f64 / f64::from(rounds) / 2.0);
    }
    drop(a_tx);
    echo.join()
        .map_err(|_| anyhow::anyhow!("echo thread panicked"))?;
    samples.sort_by(f64::total_cmp);
    Ok(samples[0])
}

/// One-way latency, ns, of a `bytes` UDP datagram on 127.0.0.1 between two
/// threads (half the ping-pong round trip; least of 5 runs).
fn udp_one_way_ns(bytes: usize, rounds: u32) -> Result<f64> {
    use std::net::UdpSocket;
    let a = UdpSocket::bind("127.0.0.1:0")?;
    let b = UdpSocket::bind("127.0.0.1:0")?;
    let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
    b.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    a.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
    let total = 5 * rounds;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let mut buf = vec![0u8; 65_536];
        for _ in 0..total {
            let (n, _) = b.recv_from(&mut buf)?;
            b.send_to(&buf[..n], a_addr)?;
        }
        Ok(())
    });
    let msg = vec![7u8; bytes];
    let mut buf = vec![0u8; 65_536];
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..rounds {
            a.send_to(&msg, b_addr)?;
            a.recv_from(&mut buf)
                .context("udp ping-pong (a datagram was lost?)")?;
        }
        samples.push(t.elapsed().as_nanos() as f64 / f64::from(rounds) / 2.0);
    }
    echo.join()
        .map_err(|_| anyhow::anyhow!("echo thread panicked"))?
        .context("udp echo")?;
    samples.sort_by(f64::total_cmp);
    Ok(samples[0])
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

/// The profile after `name`/`description`, with `ipc` (and `@IPC_NOTE@`
/// where the IPC's source goes). `msg` = in-process 64 B / 1 KiB and UDP
/// 64 B / 1 KiB one-way latencies, ns.
fn profile_body(
    levels: &[Level],
    dram_ns: f64,
    ghz: f64,
    cores: u32,
    ipc: f64,
    template: &HostProfile,
    msg: [f64; 4],
) -> String {
    let src = "measured by calibrate-host";
    let mut t = String::new();
    t.push_str(&format!(
        "sockets = 1               # {src} (one NUMA node)\n"
    ));
    t.push_str(&format!(
        "cores_per_socket = {cores}      # {src} (available parallelism)\n"
    ));
    t.push_str(&format!(
        "core_freq_ghz = {ghz:.3}     # {src} (/proc/cpuinfo cpu MHz)\n\n"
    ));
    t.push_str("# Geometry from /sys/devices/system/cpu/cpu0/cache; latencies from a\n");
    t.push_str("# dependent pointer chase over half of each level (Table 2's method).\n");
    t.push_str("[memory]\n");
    t.push_str(&format!(
        "line_bytes = {}           # {src}\n",
        levels[0].line
    ));
    t.push_str(&format!(
        "dram_latency_ns = {dram_ns:.2}  # {src} (pointer chase, 8x the last level)\n"
    ));
    t.push_str(&format!(
        "stream_overlap = {:.1}      # assumption, as host_e5_2620v4\n",
        template.memory.stream_overlap
    ));
    for l in levels {
        t.push_str("\n[[memory.caches]]\n");
        t.push_str(&format!("name = \"l{}\"\n", l.level));
        t.push_str(&format!(
            "size_kb = {}              # {src} (sysfs)\n",
            l.size_kb
        ));
        t.push_str(&format!("ways = {}\n", l.ways));
        t.push_str(&format!(
            "latency_ns = {:.2}          # {src} (pointer chase)\n",
            l.latency_ns
        ));
        t.push_str(&format!("shared_by_cores = {}\n", l.shared_by));
    }
    t.push_str("\n[compute]\n");
    t.push_str(&format!("ipc = {ipc:.3}   # @IPC_NOTE@\n"));
    t.push_str("\n# Software costs of the accelerated functions: NOT measured (assumption):\n");
    t.push_str("# host_e5_2620v4.toml's cycle costs at this clock.\n");
    let scale = 2.1 / ghz;
    for s in &template.accel.software {
        t.push_str("\n[[accel.software]]\n");
        t.push_str(&format!("kind = \"{}\"\n", s.kind.name()));
        t.push_str(&format!("fixed_ns = {:.3}\n", s.fixed_ns * scale));
        t.push_str(&format!("per_byte_ns = {:.4}\n", s.per_byte_ns * scale));
    }
    let [q64, q1k, u64b, u1k] = msg;
    let per_byte = |a: f64, b: f64| ((b - a) / 960.0).max(0.0);
    t.push_str("\n# Messaging paths of a native run: one-way latency of a message between\n");
    t.push_str("# two threads (half a ping-pong round trip), 64 B and 1024 B, least of 5 runs.\n");
    for (name, what, a, b) in [
        (
            "inproc_queue",
            "crossbeam bounded channel, thread to thread",
            q64,
            q1k,
        ),
        (
            "udp_loopback",
            "UDP datagram on 127.0.0.1, socket to socket",
            u64b,
            u1k,
        ),
    ] {
        let pb = per_byte(a, b);
        t.push_str(&format!(
            "\n[[messaging.paths]]\nname = \"{name}\"    # {what}\n"
        ));
        t.push_str("\n[[messaging.paths.send]]\n");
        t.push_str(&format!(
            "name = \"one_way\"   # {src}: {a:.0} ns at 64 B, {b:.0} ns at 1024 B\n"
        ));
        t.push_str(&format!("fixed_ns = {:.1}\n", (a - 64.0 * pb).max(0.0)));
        t.push_str(&format!("per_byte_ns = {pb:.4}\n"));
        t.push_str("\n[[messaging.paths.recv]]\n");
        t.push_str("name = \"included_in_send\"   # the one-way time covers the receive\n");
        t.push_str("fixed_ns = 0.0\n");
    }
    t
}
