//! nicsim: the command-line entry point (sweep-branch stand-in until the coordinator's cli.rs lands).
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "nicsim",
    about = "Full-system simulator of multicore SmartNICs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run (or resume) a parameter sweep.
    Sweep(nicsim::sweep::SweepArgs),
    /// Write an sbatch job-array script running a sweep's shards on Slurm.
    Slurm(nicsim::slurm::SlurmArgs),
    /// Merge shard results and check completeness.
    Merge(nicsim::merge::MergeArgs),
    /// Plot two columns of a CSV table.
    Plot(nicsim::plot::PlotArgs),
}

fn main() -> std::process::ExitCode {
    let result = match Cli::parse().command {
        Command::Sweep(a) => nicsim::sweep::cmd_sweep(a),
        Command::Slurm(a) => nicsim::slurm::cmd_slurm(a),
        Command::Merge(a) => nicsim::merge::cmd_merge(a),
        Command::Plot(a) => nicsim::plot::cmd_plot(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
