//! nicsim: the command-line entry point; maps errors to exit codes (2 for bad input, 1 for failures).

use clap::Parser;
use nicsim::cli::{dispatch, Cli};
use nicsim::input_error::InputError;
use nicsim::scenario::ScenarioError;
use std::process::ExitCode;

fn main() -> ExitCode {
    // speed only: where the kernel refuses, huge pages stay on and the
    // results are the same
    nicsim::use_small_pages();
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(se) = e.downcast_ref::<ScenarioError>() {
                eprintln!("error: {se}");
                ExitCode::from(2)
            } else if let Some(ie) = e.downcast_ref::<InputError>() {
                eprintln!("error: {ie}");
                ExitCode::from(2)
            } else if let Some(re) = e
                .downcast_ref::<nicsim::repro::ReproError>()
                .filter(|re| re.is_bad_input())
            {
                eprintln!("error: {re}");
                ExitCode::from(2)
            } else {
                eprintln!("error: {e:#}");
                ExitCode::from(1)
            }
        }
    }
}
