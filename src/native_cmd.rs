//! `nicsim native SCENARIO.toml`: runs an actor scenario for real (the `native` crate: real threads, loopback UDP) and writes the same files as `nicsim run` from measured times.

use crate::run::actor_tables::{actors_table, classes_table, migrations_table, placements_table};
use crate::run::ClassResult;
use crate::scenario::actors::{ActorsPlan, OfferedLoad};
use crate::scenario::{Scenario, ScenarioError};
use anyhow::{Context, Result};
use clap::Args;
use native::{register, Client, ClientReport, Epoch, NativeServer, Planned, ServerConfig};
use native::{ServerCounters, Status};
use scheduler::{ActorId, Runtime};
use sim_core::table::fmt_f64;
use sim_core::{LatencyHistogram, RngStreams, SimDuration, SimRng, Table};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use system::node::drops::ActorDrops;
use system::node::named::Named;
use system::report::write::csv_bytes;
use system::report::Summary;
use workloads::actors::registry::{build_actor_of, gen_request, ActorKind};
use workloads::ArrivalProcess;

/// Most requests one native run may send (each keeps a 32 B record).
pub const MAX_NATIVE_REQUESTS: u64 = 4_000_000;
/// Time given to the threads to start before the first request.
const START_DELAY: Duration = Duration::from_millis(20);
/// How long the run waits for the last responses after the last request.
const DRAIN: Duration = Duration::from_millis(500);

/// Arguments of `nicsim native`.
#[derive(Debug, Args)]
pub struct NativeArgs {
    /// The scenario file (TOML); its workload must be `actors`.
    pub scenario: PathBuf,
    /// Seconds of load (default: the scenario's duration_ms).
    #[arg(long, value_name = "S")]
    pub duration_s: Option<f64>,
    /// Output directory (default: results/<scenario name>-native/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Requests per second, thousands (default: the scenario's rate, as `nicsim run` computes it).
    #[arg(long, value_name = "KRPS")]
    pub rate_krps: Option<f64>,
    /// Runtime NIC cores (default: the scenario's nic.cores, at most 2).
    #[arg(long)]
    pub nic_cores: Option<u32>,
    /// Runtime host cores (default: 1).
    #[arg(long, default_value_t = 1)]
    pub host_cores: u32,
    /// Worker threads serving the NIC cores (1..=nic cores). The default
    /// 1 + 1 keeps a native run to 2 worker threads on a 2-core machine.
    #[arg(long, default_value_t = 1)]
    pub nic_threads: u32,
    /// Worker threads serving the host cores (1..=host cores).
    #[arg(long, default_value_t = 1)]
    pub host_threads: u32,
    /// Root seed, overriding the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario key by its dotted path (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// How one native run goes.
#[derive(Clone, Copy, Debug)]
pub struct NativeOptions {
    /// Load duration.
    pub duration: SimDuration,
    /// Runtime NIC cores.
    pub nic_cores: u32,
    /// Runtime host cores.
    pub host_cores: u32,
    /// NIC worker threads.
    pub nic_threads: u32,
    /// Host worker threads.
    pub host_threads: u32,
    /// Requests per second (`None`: the scenario's rate).
    pub rate_rps: Option<f64>,
}

/// What one native run measured.
pub struct NativeOutput {
    /// The `summary.csv` row.
    pub summary: Summary,
    /// Further tables by file name.
    pub tables: Vec<(String, Table)>,
    /// Per-class results (after warm-up).
    pub classes: Vec<ClassResult>,
    /// The rate asked for, requests per second.
    pub rate_rps: f64,
    /// The rate the generator really sent at.
    pub sent_rps: f64,
    /// Actors the watchdog killed.
    pub watchdog_kills: u64,
    /// Mean and p99 of the runtime's own sojourn (deliver to finish, us), over all actors.
    pub runtime_sojourn_mean_us: f64,
}

/// The requests' rate of `s` (as `nicsim run` computes it: a fraction of
/// the simulated NIC's capacity, or an absolute rate).
pub fn scenario_rate_rps(s: &Scenario, plan: &ActorsPlan) -> Result<f64> {
    Ok(match plan.load {
        OfferedLoad::Krps(k) => k * 1e3,
        OfferedLoad::Fraction(f) => f * system::run::estimate_nic_capacity_rps(s, plan)?,
    })
}

fn bad(s: &Path, key: &str, msg: String, fix: &str) -> anyhow::Error {
    let text = std::fs::read_to_string(s).unwrap_or_default();
    let line = system::scenario::error::locate_key(&text, key);
    ScenarioError::key(s.display().to_string(), line, key, msg, fix).into()
}

/// `nicsim native`.
pub fn cmd_native(a: NativeArgs) -> Result<()> {
    let mut s = Scenario::load(&a.scenario, &a.overrides)?;
    if let Some(seed) = a.seed {
        s = s.with_seed(seed);
    }
    let Some(plan) = s.actors.clone() else {
        return Err(bad(
            &a.scenario,
            "workload.kind",
            "a native run needs an actor workload".into(),
            "set workload.kind = \"actors\" (echo runs only in the simulator)",
        ));
    };
    if s.cluster.is_some() {
        return Err(bad(
            &a.scenario,
            "cluster",
            "native cluster runs are not implemented (the multi-server world has not landed)"
                .into(),
            "remove [cluster] to run one server natively",
        ));
    }
    if plan.arrival == ArrivalProcess::OnOff {
        return Err(bad(
            &a.scenario,
            "workload.arrival",
            "bursty (\"onoff\") requests are not built for native runs (the simulator runs them)"
                .into(),
            "set workload.arrival = \"constant\" or \"poisson\"",
        ));
    }
    let duration_s = a.duration_s.unwrap_or(s.duration.as_secs_f64());
    if !(duration_s > 0.0 && duration_s <= 3600.0) {
        return Err(crate::input_error::InputError::new(
            "--duration-s",
            None,
            "duration_s",
            format!("must be above 0 and at most 3600, got {duration_s}; fix: give seconds, e.g. --duration-s 2"),
        )
        .into());
    }
    // two NIC cores by default: the hybrid policy needs a DRR core besides
    // the FCFS one (with one NIC core a downgraded actor waits forever)
    let nic_cores = a.nic_cores.unwrap_or(s.cores.min(2));
    for (flag, n, max, what) in [
        (
            "--nic-cores",
            nic_cores,
            s.cores,
            "the scenario's nic.cores",
        ),
        (
            "--host-cores",
            a.host_cores,
            plan.host_cores,
            "the scenario's host cores",
        ),
        (
            "--nic-threads",
            a.nic_threads,
            nic_cores,
            "the runtime's NIC cores",
        ),
        (
            "--host-threads",
            a.host_threads,
            a.host_cores,
            "the runtime's host cores",
        ),
    ] {
        if n == 0 || n > max {
            return Err(crate::input_error::InputError::new(
                flag,
                None,
                flag.trim_start_matches('-'),
                format!("must be 1..={max} ({what}), got {n}; fix: give {flag} 1"),
            )
            .into());
        }
    }
    let opts = NativeOptions {
        duration: SimDuration::from_secs_f64(duration_s),
        nic_cores,
        host_cores: a.host_cores,
        nic_threads: a.nic_threads,
        host_threads: a.host_threads,
        rate_rps: a.rate_krps.map(|k| k * 1e3),
    };
    if let Some(k) = a.rate_krps {
        if !(k > 0.0 && k.is_finite()) {
            return Err(crate::input_error::InputError::new(
                "--rate-krps",
                None,
                "rate_krps",
                format!("must be a positive number, got {k}; fix: e.g. --rate-krps 20"),
            )
            .into());
        }
    }
    let out_dir = a
        .out
        .unwrap_or_else(|| PathBuf::from("results").join(format!("{}-native", s.name)));
    let out = run_native(&s, &plan, opts)?;
    let mut files = vec![(
        "summary.csv".to_string(),
        csv_bytes(&Summary::columns(), [out.summary.fields()])?,
    )];
    for (name, t) in &out.tables {
        let cols: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        files.push((name.clone(), csv_bytes(&cols, t.rows.iter().cloned())?));
    }
    files.push(("resolved.toml".into(), s.resolved_toml().into_bytes()));
    system::report::set::write_set(&out_dir, &files)?;
    if !a.quiet {
        print!("{}", native_text(&out, opts));
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        println!(
            "  wrote         {}/{{{}}}",
            out_dir.display(),
            names.join(",")
        );
    }
    Ok(())
}

fn native_text(out: &NativeOutput, o: NativeOptions) -> String {
    let s = &out.summary;
    format!(
        "native run {}  (seed {})\n  cores         {} NIC + {} host runtime cores on {} + {} worker threads (plus ingress, generator and client-receiver I/O threads)\n  load          {:.1} krps asked, {:.1} krps sent open loop over UDP on 127.0.0.1 for {:.2} s\n  throughput    {:.1} krps answered after warm-up\n  latency       round trip mean {:.1} us, p50 {:.1} us, p99 {:.1} us, p99.9 {:.1} us; runtime sojourn mean {:.1} us\n  accounting    {} sent = {} answered + {} dropped + {} outstanding\n",
        s.scenario, s.seed, o.nic_cores, o.host_cores, o.nic_threads, o.host_threads, out.rate_rps / 1e3, out.sent_rps / 1e3, o.duration.as_secs_f64(),
        s.achieved_mpps * 1e3, s.lat_mean_us, s.lat_p50_us, s.lat_p99_us, s.lat_p999_us,
        out.runtime_sojourn_mean_us, s.generated, s.delivered, s.drops, s.in_flight
    ) + &if out.watchdog_kills > 0 {
        format!(
            "  watchdog      killed {} actor(s): natively it measures wall time, preemption by other processes included; --set scheduler.watchdog_ns=N allows more\n",
            out.watchdog_kills
        )
    } else {
        String::new()
    }
}

/// Open-loop requests of `plan`'s actors at `rate_rps` for `duration`,
/// starting `start_ns` into the epoch (gaps, picks and payloads from one
/// named RNG stream of the scenario's seed, as the simulator's source draws them).
struct Generator {
    rng: SimRng,
    arrival: ArrivalProcess,
    targets: Vec<(ActorId, ActorKind, f64)>,
    mean_gap_ns: f64,
    next_ns: f64,
    stop_ns: f64,
    /// Payload bytes generated so far (for the mean request size).
    payload_bytes: u64,
    count: u64,
}

impl Iterator for Generator {
    type Item = Planned;
    fn next(&mut self) -> Option<Planned> {
        use rand::Rng;
        use rand_distr::{Distribution, Exp1};
        if self.next_ns >= self.stop_ns || self.targets.is_empty() {
            return None;
        }
        let at_ns = self.next_ns as u64;
        let gap = match self.arrival {
            // on/off is refused before the generator is built
            ArrivalProcess::Constant | ArrivalProcess::OnOff => self.mean_gap_ns,
            ArrivalProcess::Poisson => {
                let x: f64 = Exp1.sample(&mut self.rng);
                x * self.mean_gap_ns
            }
        };
        self.next_ns += gap;
        let u: f64 = self.rng.gen();
        let (dst, kind, _) = *self
            .targets
            .iter()
            .find(|t| u < t.2)
            .unwrap_or(&self.targets[self.targets.len() - 1]);
        let r = gen_request(kind, &mut self.rng);
        self.payload_bytes += r.payload.len() as u64;
        self.count += 1;
        Some(Planned {
            at_ns,
            dst,
            kind: r.kind,
            payload: r.payload,
        })
    }
}

/// Runs `plan` natively and measures it.
pub fn run_native(s: &Scenario, plan: &ActorsPlan, o: NativeOptions) -> Result<NativeOutput> {
    let wall = Instant::now();
    let rate_rps = match o.rate_rps {
        Some(r) => r,
        None => scenario_rate_rps(s, plan)?,
    };
    let expected = rate_rps * o.duration.as_secs_f64();
    if rate_rps.is_nan() || rate_rps <= 0.0 || expected > MAX_NATIVE_REQUESTS as f64 {
        anyhow::bail!(
            "a native run of {:.0} requests/s for {} s would send {expected:.0} requests (limit {MAX_NATIVE_REQUESTS}); lower workload.rate_krps (--set workload.rate_krps=50) or --duration-s",
            rate_rps,
            o.duration.as_secs_f64()
        );
    }
    let epoch = Epoch::start();
    let mut rt =
        Runtime::new(plan.settings.clone(), o.nic_cores, o.host_cores).context("native runtime")?;
    let total_w: f64 = plan.actors.iter().map(|a| a.weight).sum();
    let mut cumulative = 0.0;
    let mut targets = Vec::new();
    for spec in &plan.actors {
        let inner = build_actor_of(spec.kind, &spec.config)?;
        let actor = Box::new(Named::new(spec.name.clone(), inner));
        let id = register(&mut rt, actor, spec.placement, epoch)?;
        cumulative += spec.weight / total_w;
        targets.push((id, spec.kind, cumulative));
    }
    if let Some(last) = targets.last_mut() {
        last.2 = 1.0;
    }
    rt.check_static_names()?;
    let cfg = ServerConfig {
        threads: Some((o.nic_threads as usize, o.host_threads as usize)),
        ..ServerConfig::default()
    };
    let server = NativeServer::start(rt, &cfg, epoch)?;
    let client = Client::bind(server.addr()?, epoch, MAX_NATIVE_REQUESTS as usize)?;
    let start_ns = (epoch.now() + SimDuration::from_ns(START_DELAY.as_nanos() as u64)).as_ns();
    if plan.arrival == ArrivalProcess::OnOff {
        // cmd_native refuses it first; the native client has no burst schedule
        anyhow::bail!("workload.arrival = \"onoff\" is not supported by `nicsim native` (only by simulated runs); set workload.arrival = \"constant\" or \"poisson\"");
    }
    let mut gen = Generator {
        rng: RngStreams::new(s.seed).stream("native/client/0"),
        arrival: plan.arrival,
        targets: targets.clone(),
        mean_gap_ns: 1e9 / rate_rps,
        next_ns: start_ns as f64,
        stop_ns: start_ns as f64 + o.duration.as_ns() as f64,
        payload_bytes: 0,
        count: 0,
    };
    let stop_ns = start_ns + o.duration.as_ns();
    let ol = client.run_open_loop(&mut gen, stop_ns);
    // requests still unanswered after the drain are counted as outstanding
    client.wait_all_answered(DRAIN);
    let report = server.shutdown()?;
    let seen = client.finish(ol.max_lag_ns)?;
    // request datagram bytes: mean payload + the 23 B native header
    let bytes =
        gen.payload_bytes as f64 / gen.count.max(1) as f64 + native::wire::REQUEST_HEADER as f64;
    let warmup = s.warmup.min(o.duration / 2);
    let window = (start_ns + warmup.as_ns(), start_ns + o.duration.as_ns());
    let m = Measured {
        rate_rps,
        bytes,
        window,
        wall,
        not_sent: ol.not_sent,
    };
    Ok(measure(
        s,
        plan,
        m,
        &report.runtime,
        report.counters,
        &seen,
        o,
    ))
}

/// The run's load and measurement window.
struct Measured {
    rate_rps: f64,
    /// Mean request datagram bytes.
    bytes: f64,
    /// Requests sent in [start, end) epoch ns count (after warm-up).
    window: (u64, u64),
    wall: Instant,
    /// Planned requests the generator could not send before the end.
    not_sent: u64,
}

fn measure(
    s: &Scenario,
    plan: &ActorsPlan,
    m: Measured,
    rt: &Runtime,
    c: ServerCounters,
    seen: &ClientReport,
    o: NativeOptions,
) -> NativeOutput {
    let Measured {
        rate_rps,
        bytes,
        window,
        wall,
        not_sent,
    } = m;
    // what the generator really sent per second (below the asked rate when it could not keep up)
    let sent_rps = seen.sent() as f64 / o.duration.as_secs_f64();
    let measured_s = (window.1 - window.0) as f64 / 1e9;
    let classes: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for a in &plan.actors {
            if !v.contains(&a.class) {
                v.push(a.class.clone());
            }
        }
        v
    };
    let class_of = |dst: ActorId| {
        let name = rt
            .actor(dst)
            .map(|a| a.name().to_string())
            .unwrap_or_default();
        let class = plan
            .actors
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.class.clone());
        class
            .and_then(|c| classes.iter().position(|x| *x == c))
            .unwrap_or(0)
    };
    let mut per_class: Vec<(u64, LatencyHistogram)> = classes
        .iter()
        .map(|_| (0, LatencyHistogram::new()))
        .collect();
    let mut all = LatencyHistogram::new();
    for r in &seen.requests {
        if let Some((st, rtt)) = r.answer {
            if st.served() && r.sent_ns >= window.0 && r.sent_ns < window.1 {
                let k = class_of(r.dst);
                per_class[k].0 += 1;
                per_class[k].1.record(SimDuration::from_ns(rtt));
                all.record(SimDuration::from_ns(rtt));
            }
        }
    }
    let answered_measured: u64 = per_class.iter().map(|(n, _)| n).sum();
    let by = seen.dropped_by_reason();
    let get = |st: Status| by.get(st.name()).copied().unwrap_or(0);
    use scheduler::DropReason as R;
    let drops = ActorDrops {
        pcie: 0,
        fcfs_queue: get(Status::Dropped(R::FcfsQueueFull)),
        mailbox: get(Status::Dropped(R::MailboxFull)),
        migration_buffer: get(Status::Dropped(R::MigrationBufferFull)),
        host_queue: get(Status::Dropped(R::HostQueueFull)),
        actor_killed: get(Status::Dropped(R::ActorKilled)),
        actor_deleted: get(Status::Dropped(R::ActorDeleted)),
        unknown_actor: get(Status::Dropped(R::UnknownActor)),
        watchdog: get(Status::Watchdog),
    };
    let inbox = get(Status::InboxFull);
    let rc = rt.counters();
    let busy_ns = (rc.work_ns + rc.overhead_ns) as f64;
    let threads = f64::from(o.nic_threads + o.host_threads);
    let class_rows: Vec<ClassResult> = classes
        .iter()
        .zip(&per_class)
        .map(|(name, (n, h))| ClassResult {
            class: name.clone(),
            completed: *n,
            achieved_mrps: *n as f64 / measured_s / 1e6,
            mean_us: h.mean_us(),
            p99_us: h.quantile_us(0.99),
        })
        .collect();
    let sojourn = {
        let reps = rt.actor_reports();
        let n: u64 = reps.iter().map(|r| r.requests).sum();
        if n == 0 {
            0.0
        } else {
            reps.iter()
                .map(|r| r.mean_us * r.requests as f64)
                .sum::<f64>()
                / n as f64
        }
    };
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        nic: "native".into(),
        cores: o.nic_cores,
        packet_size: bytes,
        offered_gbps: rate_rps * bytes * 8.0 / 1e9,
        achieved_gbps: answered_measured as f64 * bytes * 8.0 / measured_s / 1e9,
        // loopback has no line rate
        line_rate_gbps: 0.0,
        achieved_mpps: answered_measured as f64 / measured_s / 1e6,
        lat_mean_us: all.mean_us(),
        lat_p50_us: all.quantile_us(0.5),
        lat_p99_us: all.quantile_us(0.99),
        lat_p999_us: all.quantile_us(0.999),
        drops: drops.total() + inbox,
        // handler + scheduler time measured by the runtime, over all worker threads
        nic_core_util: busy_ns / (o.duration.as_ns() as f64 * threads),
        sim_time_s: o.duration.as_secs_f64(),
        wall_time_s: wall.elapsed().as_secs_f64(),
        events: c.executions,
        generated: seen.sent(),
        delivered: seen.answered(),
        in_flight: seen.outstanding(),
        steered_host: 0,
        drops_source: 0,
        drops_switch: 0,
        // the server's in-process ingress queue was full
        drops_ingress: inbox,
        drops_tm: 0,
        drops_tx: 0,
        workload: "actors".into(),
        source_gbps: sent_rps * bytes * 8.0 / 1e9,
        offered_capped: not_sent > 0,
        actor_drops: drops,
        to_host_actors: 0,
        peak_in_flight: 0,
        reorders: 0,
        driver_errors: c.runtime_errors,
        model_errors: 0,
        sends_dropped: c.dropped_sends + c.inbox_full_actor_msgs + c.oversize + c.send_errors,
    };
    let mut counters = Table::new(["counter", "value"]);
    for (k, v) in [
        ("client_sent", seen.sent()),
        ("client_answered", seen.answered()),
        ("client_outstanding", seen.outstanding()),
        ("client_unmatched", seen.unmatched),
        ("client_bad_datagrams", seen.bad_datagrams),
        ("client_recv_errors", seen.recv_errors),
        ("client_send_errors", seen.send_errors),
        ("client_refused_over_capacity", seen.refused_over_capacity),
        ("client_messages_not_kept", seen.messages_not_kept),
        ("client_max_lag_ns", seen.max_lag_ns),
        ("client_not_sent_generator_behind", not_sent),
        ("server_received", c.received),
        ("server_bad_datagrams", c.bad_datagrams),
        ("server_unexpected_datagrams", c.unexpected_datagrams),
        ("server_recv_errors", c.recv_errors),
        ("server_inbox_full_requests", c.inbox_full_requests),
        ("server_inbox_full_actor_msgs", c.inbox_full_actor_msgs),
        ("server_responses_sent", c.responses_sent),
        ("server_messages_sent", c.messages_sent),
        ("server_send_errors", c.send_errors),
        ("server_oversize", c.oversize),
        ("server_to_host_app", c.to_host_app),
        ("server_runtime_errors", c.runtime_errors),
        ("server_dropped_sends", c.dropped_sends),
        ("server_executions", c.executions),
        ("server_ticks", c.ticks),
        ("server_left_in_inbox", c.left_in_inbox),
        ("runtime_delivered", rc.delivered),
        ("runtime_completed", rc.completed),
        ("runtime_failed", rc.failed),
        ("runtime_dropped", rc.dropped()),
        ("runtime_aborted_by_watchdog", rc.aborted_by_watchdog),
        ("runtime_queued_at_end", rt.queued_messages() as u64),
        ("runtime_migrations", rc.migrations),
    ] {
        counters.push([k.to_string(), v.to_string()]);
    }
    counters.push(["rate_rps".to_string(), fmt_f64(rate_rps, 3)]);
    NativeOutput {
        tables: vec![
            ("actors.csv".into(), actors_table(rt, s)),
            ("placements.csv".into(), placements_table(rt)),
            ("migrations.csv".into(), migrations_table(rt)),
            ("classes.csv".into(), classes_table(&class_rows)),
            ("counters.csv".into(), counters),
        ],
        summary,
        classes: class_rows,
        rate_rps,
        sent_rps,
        watchdog_kills: rc.watchdog_kills,
        runtime_sojourn_mean_us: sojourn,
    }
}
