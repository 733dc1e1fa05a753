//! The command line: subcommands, their arguments, and dispatch.

use crate::report::print::summary_text;
use crate::run::{run_scenario, write_outputs};
use crate::scenario::{Scenario, ScenarioError};
use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use nic_models::NicProfile;
use std::path::PathBuf;

/// nicsim: a full-system simulator of multicore SmartNICs and the iPipe actor runtime.
#[derive(Debug, Parser)]
#[command(name = "nicsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one scenario and write summary.csv, timeseries.csv and resolved.toml.
    Run(RunArgs),
    /// Check a scenario without running it.
    Validate(ValidateArgs),
    /// List built-in NIC profiles and workloads.
    List,
    /// Run (or resume) a parameter sweep into DIR/results.csv.
    Sweep(crate::sweep::SweepArgs),
    /// Write an sbatch job-array script running a sweep's shards on Slurm.
    Slurm(crate::slurm::SlurmArgs),
    /// Merge sweep shard results, check completeness.
    Merge(crate::merge::MergeArgs),
    /// Plot two columns of a CSV table as SVG.
    Plot(crate::plot::PlotArgs),
    /// Regenerate the paper's figures and tables beside the published values.
    Repro(crate::repro_cmd::ReproArgs),
    /// Show a scenario's cluster topology (servers, clients, switches, links).
    Topo(TopoArgs),
    /// Run an actor scenario for real (threads, loopback UDP); same files as `run`.
    Native(crate::native_cmd::NativeArgs),
    /// Measure this machine and write a host profile (e.g. configs/nics/host_local.toml).
    CalibrateHost(crate::calibrate_host::CalibrateArgs),
}

/// Arguments of `nicsim topo`.
#[derive(Debug, Args)]
pub struct TopoArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Print Graphviz DOT (pipe into `dot -Tsvg`) instead of a summary.
    #[arg(long)]
    pub dot: bool,
    /// Send probe traffic through the network alone (no server model): every
    /// server and client sends 1024 B frames to random others, Poisson at
    /// LOAD x its link rate (0 < LOAD <= 1), for the scenario's duration.
    #[arg(long, value_name = "LOAD")]
    pub probe: Option<f64>,
    /// With --probe: write DIR/links.csv (per link direction: frames, bytes,
    /// utilization, peak queue bytes, drops).
    #[arg(long, value_name = "DIR", requires = "probe")]
    pub out: Option<PathBuf>,
    /// With --probe: write one pcap file per switch port into DIR.
    #[arg(long, value_name = "DIR", requires = "probe")]
    pub pcap: Option<PathBuf>,
    /// With --probe: write a Chrome/Perfetto trace (ui.perfetto.dev, chrome://tracing).
    #[arg(long, value_name = "FILE.json", requires = "probe")]
    pub trace: Option<PathBuf>,
    /// Bound the trace to simulated time START..END, e.g. 1ms..1.2ms (either side may be empty).
    #[arg(long, value_name = "START..END", requires = "trace")]
    pub trace_window: Option<String>,
    /// Override a scenario key by its dotted path (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
}

/// Arguments of `nicsim run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Output directory (default: results/<scenario name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Root seed, overriding the scenario's `seed`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario key by its dotted path, e.g. --set nic.cores=6 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// [cluster] runs: worker threads, a number or `auto` (all cores); outputs
    /// are byte-identical whatever the count.
    #[arg(long, value_name = "N|auto", default_value = "1")]
    pub threads: String,
    /// [cluster] runs: write one pcap file per switch port into DIR.
    #[arg(long, value_name = "DIR")]
    pub pcap: Option<PathBuf>,
    /// [cluster] runs: write a Chrome/Perfetto trace (ui.perfetto.dev, chrome://tracing)
    /// with one track per core per server and the network's ports.
    #[arg(long, value_name = "FILE.json")]
    pub trace: Option<PathBuf>,
    /// Bound the trace to simulated time START..END, e.g. 1ms..1.2ms (either side may be empty).
    #[arg(long, value_name = "START..END", requires = "trace")]
    pub trace_window: Option<String>,
}

/// Arguments of `nicsim validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override a scenario key by its dotted path (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub overrides: Vec<String>,
}

/// Runs the parsed command.
pub fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(a) => cmd_run(a),
        Command::Validate(a) => cmd_validate(a),
        Command::List => {
            print!("{}", list_text());
            Ok(())
        }
        Command::Sweep(a) => crate::sweep::cmd_sweep(a),
        Command::Slurm(a) => crate::slurm::cmd_slurm(a),
        Command::Merge(a) => crate::merge::cmd_merge(a),
        Command::Plot(a) => crate::plot::cmd_plot(a),
        Command::Repro(a) => crate::repro_cmd::cmd_repro(a),
        Command::Topo(a) => cmd_topo(a),
        Command::Native(a) => crate::native_cmd::cmd_native(a),
        Command::CalibrateHost(a) => crate::calibrate_host::cmd_calibrate(a),
    }
}

fn load(
    path: &std::path::Path,
    overrides: &[String],
    seed: Option<u64>,
) -> Result<Scenario, ScenarioError> {
    let s = Scenario::load(path, overrides)?;
    Ok(match seed {
        Some(seed) => s.with_seed(seed),
        None => s,
    })
}

fn cmd_run(a: RunArgs) -> Result<()> {
    let scenario = load(&a.scenario, &a.overrides, a.seed)?;
    let opts = crate::run_cluster::options(&a, &scenario)?;
    let out_dir = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results").join(&scenario.name));
    let (out, notes) = match opts {
        Some(opts) => crate::run_cluster::run(&a, &scenario, &opts)?,
        None => (run_scenario(&scenario)?, Vec::new()),
    };
    write_outputs(&out_dir, &out)?;
    if !a.quiet {
        print!("{}", summary_text(&out.summary));
        for line in crate::run_cluster::summary_lines(&out)
            .into_iter()
            .chain(notes)
        {
            println!("{line}");
        }
        let mut files = vec!["summary.csv", "timeseries.csv"];
        files.extend(out.extra_tables.iter().map(|(name, _)| name.as_str()));
        files.push("resolved.toml");
        println!(
            "  wrote         {}/{{{}}}",
            out_dir.display(),
            files.join(",")
        );
    }
    Ok(())
}

fn cmd_validate(a: ValidateArgs) -> Result<()> {
    let s = load(&a.scenario, &a.overrides, None)?;
    println!(
        "ok: {}: scenario `{}`, {} with {} cores, {} for {} (seed {})",
        a.scenario.display(),
        s.name,
        s.nic.name,
        s.cores,
        offered_text(&s),
        s.duration,
        s.seed
    );
    Ok(())
}

/// What the scenario offers: the echo traffic, or the actors and their load
/// (an actor workload's requests are not the echo traffic's packets).
fn offered_text(s: &Scenario) -> String {
    use system::scenario::actors::OfferedLoad;
    use workloads::ArrivalProcess;
    let Some(p) = &s.actors else {
        return format!(
            "{:.0} B packets at {:.3} Gb/s",
            s.traffic.mean_size, s.traffic.offered_gbps
        );
    };
    let load = match p.load {
        OfferedLoad::Fraction(f) => format!("{f} of the NIC's capacity"),
        OfferedLoad::Krps(k) => format!("{k} krps"),
    };
    let arrival = match p.arrival {
        ArrivalProcess::Constant => "constant",
        ArrivalProcess::Poisson => "Poisson",
        ArrivalProcess::OnOff => "bursty (onoff)",
    };
    let clients = match &s.cluster {
        Some(c) => format!(
            " from {} client(s) to {} server(s) (per-server NICs: nicsim topo)",
            c.topology.clients, c.topology.servers
        ),
        None => String::new(),
    };
    format!(
        "{} actor(s), {arrival} requests at {load}{clients}",
        p.actors.len()
    )
}

fn cmd_topo(a: TopoArgs) -> Result<()> {
    let s = load(&a.scenario, &a.overrides, None)?;
    match a.probe {
        None => print!("{}", topo_text(&s, a.dot)),
        Some(load) => print!("{}", crate::probe::cmd_probe(&a, &s, load)?),
    }
    Ok(())
}

/// The text of `nicsim topo`: DOT, or one line per switch and a count of the rest.
pub fn topo_text(s: &Scenario, dot: bool) -> String {
    use system::cluster::dot::to_dot;
    use system::cluster::Topology;
    // Without [cluster] the scenario is one server and no network.
    let one = Topology {
        servers: 1,
        clients: 0,
        switches: Vec::new(),
        links: Vec::new(),
    };
    let (topo, nic_of) = match &s.cluster {
        Some(c) => (
            &c.topology,
            c.servers
                .iter()
                .map(|p| format!("{} x{}", p.nic.name, p.nic_cores))
                .collect::<Vec<_>>(),
        ),
        None => (&one, vec![format!("{} x{}", s.nic.name, s.cores)]),
    };
    if dot {
        let label = |i: u32| nic_of.get(i as usize).cloned().unwrap_or_default();
        return to_dot(topo, &s.name, &label);
    }
    let mut out = format!(
        "{}: {} servers, {} clients, {} switches, {} links\n",
        s.name,
        topo.servers,
        topo.clients,
        topo.switches.len(),
        topo.links.len()
    );
    for sw in &topo.switches {
        out.push_str(&format!(
            "  switch {:<10} {:>4} ports, {} B/port, {} ns, {:?}\n",
            sw.name,
            sw.ports,
            sw.buffer_bytes,
            sw.latency.as_ns(),
            sw.forwarding
        ));
    }
    for (i, n) in nic_of.iter().enumerate() {
        out.push_str(&format!("  server s{i:<8} {n}\n"));
    }
    out
}

/// The text of `nicsim list`.
pub fn list_text() -> String {
    let mut out = String::from(
        "Built-in NIC profiles (nic.profile = \"NAME\", or a path to your own .toml):\n",
    );
    for name in nic_models::profile::builtin_names() {
        if let Some(p) = NicProfile::builtin(name) {
            out.push_str(&format!(
                "  {:<20} {:>2} cores @ {:.1} GHz, {:>4} GbE, {:?}  {}\n",
                name, p.cores, p.core_freq_ghz, p.link_gbps, p.kind, p.description
            ));
        }
    }
    out.push_str("\nBuilt-in host profiles (host.profile = \"NAME\", actor workloads):\n");
    for name in nic_models::host::builtin_host_names() {
        if let Some(h) = nic_models::HostProfile::builtin(name) {
            out.push_str(&format!(
                "  {:<20} {:>2} cores @ {:.1} GHz  {}\n",
                name,
                h.cores(),
                h.core_freq_ghz,
                h.description
            ));
        }
    }
    out.push_str("\nWorkloads ([workload] kind = \"NAME\"):\n");
    out.push_str("  echo                 return every packet to its sender (processing_us adds per-packet work)\n");
    out.push_str("  actors               requests to iPipe actors run by the runtime on NIC and host cores\n");
    out.push_str("\nActor kinds ([[workload.actors]] kind = \"NAME\"):\n  ");
    out.push_str(&workloads::actors::registry::ActorKind::valid_names());
    out.push_str("\n\nScheduling policies ([scheduler] policy = \"NAME\"):\n  hybrid, fcfs, drr, nic_only, host_only, static\n");
    out
}
