//! Helpers shared by the sweep, slurm and plot tests: temp dirs, sweep files, the built binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use nicsim::sweep::results::{drop_column, read_csv, sort_by_point_id, WALL_TIME_COLUMN};
use nicsim::sweep::SweepSpec;
use sim_core::Table;

/// A fresh, empty directory for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it").join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Parses sweep text as if it were a file in `dir`.
pub fn spec(text: &str) -> SweepSpec {
    SweepSpec::parse(text, "test.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

/// Writes a sweep file and returns its path.
pub fn write_sweep(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("sweep.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// A 48-point sweep (4 x 6 x 2 repetitions) with an inline base.
pub const SWEEP48: &str = r#"
[sweep]
name = "t48"
seed = 42
repetitions = 2
[base]
name = "base"
[[axis]]
key = "nic.cores"
values = [1, 2, 4, 8]
[[axis]]
key = "traffic.packet_size"
values = [64, 128, 256, 512, 1024, 1500]
"#;

/// The built nicsim binary.
pub fn nicsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nicsim"))
}

/// Runs nicsim, returns (success, stderr).
pub fn run(args: &[&str]) -> (bool, String) {
    let o = nicsim().args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// A results table as compared across runs: sorted by point id, without wall_time_s.
pub fn comparable(path: &Path) -> Table {
    let mut t = read_csv(path).unwrap();
    sort_by_point_id(&mut t);
    drop_column(&mut t, WALL_TIME_COLUMN);
    t
}
