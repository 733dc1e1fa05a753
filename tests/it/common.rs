//! Helpers shared by the integration tests: scenarios from text, runs, the built binary.

use nicsim::{run_scenario, RunOutput, Scenario};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh scratch directory under the target dir, unique per test name.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    remove_if_present(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Removes `dir` and everything in it; a missing `dir` is fine, any other
/// failure fails the test (a stale directory would mix old files in).
pub fn remove_if_present(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            panic!("cannot remove {}: {e}", dir.display())
        }
        _ => {}
    }
}

/// The repository root (for configs/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Loads configs/quickstart.toml with overrides.
pub fn quickstart(overrides: &[&str]) -> Scenario {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&repo().join("configs/quickstart.toml"), &o).expect("quickstart loads")
}

/// Runs a scenario, failing the test on error.
pub fn run(s: &Scenario) -> RunOutput {
    run_scenario(s).expect("run succeeds")
}

/// Runs the nicsim binary with `args` in `cwd`.
pub fn nicsim(cwd: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nicsim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("nicsim binary runs")
}

/// A summary.csv with the wall_time_s column removed (the only nondeterministic one).
pub fn without_wall_time(csv_text: &str) -> String {
    let mut lines = csv_text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let wall = header.iter().position(|c| *c == "wall_time_s");
    csv_text
        .lines()
        .map(|l| {
            l.split(',')
                .enumerate()
                .filter(|(i, _)| Some(*i) != wall)
                .map(|(_, c)| c)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `nicsim run CFG --set duration_ms=D --out o -q --threads T` in `dir`,
/// failing the test (with nicsim's stderr) on error.
pub fn run_quiet_into_o(dir: &Path, cfg: &str, duration_ms: &str, threads: &str) {
    let duration = format!("duration_ms={duration_ms}");
    let out = nicsim(
        dir,
        &[
            "run",
            cfg,
            "--set",
            &duration,
            "--out",
            "o",
            "-q",
            "--threads",
            threads,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The bytes of output file `f` of a run into `dir/o`.
pub fn out_file(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join("o").join(f)).expect(f)
}

/// `dir/o/summary.csv` without its wall-time column.
pub fn out_summary(dir: &Path) -> String {
    without_wall_time(&String::from_utf8(out_file(dir, "summary.csv")).expect("utf8"))
}

/// The integer in column 1 of row `row` of the run's extra table `table`
/// (counters.csv by counter name, actors.csv `requests` by actor name).
pub fn table_u64(out: &RunOutput, table: &str, row: &str) -> u64 {
    let (_, t) = out
        .extra_tables
        .iter()
        .find(|(n, _)| n == table)
        .unwrap_or_else(|| panic!("{table} missing"));
    t.rows
        .iter()
        .find(|r| r[0] == row)
        .unwrap_or_else(|| panic!("{table}: no row {row}"))[1]
        .parse()
        .expect("integer")
}
