//! The measurements of `nicsim calibrate-host`: cache geometry and clock from sysfs and /proc, pointer-chase latencies, native and simulated handler times, and in-process queue and loopback UDP one-way latencies.

use anyhow::{bail, Context, Result};
use native::{Epoch, NativePlatform};
use rand::seq::SliceRandom;
use scheduler::{CoreId, Message, Placement, PolicyKind, Runtime, SchedulerSettings, Side};
use sim_core::{SimRng, SimTime};
use std::hint::black_box;
use std::time::Instant;
use workloads::actors::registry::{build_actor_of, gen_request, ActorKind};
use workloads::sim_platform::SimPlatform;

/// Runs of each pointer chase; the least is kept (on a shared machine,
/// noise only ever adds time, and short runs catch quiet moments).
const RUNS: usize = 15;

/// One cache level of this machine.
#[derive(Clone, Debug)]
pub(super) struct Level {
    pub(super) level: u32,
    pub(super) size_kb: u64,
    pub(super) ways: u32,
    pub(super) line: u64,
    pub(super) shared_by: u32,
    pub(super) latency_ns: f64,
}

fn read(p: &str) -> Result<String> {
    std::fs::read_to_string(p)
        .map(|s| s.trim().to_string())
        .with_context(|| format!("read {p}"))
}

/// Data and unified caches of cpu0, smallest level first.
pub(super) fn cache_levels(cores: u32) -> Result<Vec<Level>> {
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

pub(super) fn cpu_mhz() -> Result<f64> {
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
pub(super) fn pointer_chase_ns(bytes: u64, line: u64, steps: u64, rng: &mut SimRng) -> f64 {
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
pub(super) fn handler_ns(
    kind: ActorKind,
    n: u64,
    model: Option<&mut nic_models::CoreModel>,
) -> Result<f64> {
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
pub(super) fn inproc_one_way_ns(bytes: usize, rounds: u32) -> Result<f64> {
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
pub(super) fn udp_one_way_ns(bytes: usize, rounds: u32) -> Result<f64> {
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
