//! Helpers shared by the sweep, slurm and plot tests: temp dirs, sweep files, the built binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use nicsim::sweep::results::{drop_column, read_csv, sort_by_point_id, WALL_TIME_COLUMN};
use nicsim::sweep::SweepSpec;
use sim_core::Table;

/// A fresh, empty directory for one test.
pub fn tmpdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it").join(name);
    crate::common::remove_if_present(&d);
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

/// How long a rejected input may take before the test calls it a hang: far
/// above the milliseconds these take, so load on the machine cannot fail it.
const HANG_BOUND: std::time::Duration = std::time::Duration::from_secs(120);

/// Runs nicsim with `args` in `cwd`, killing it (and failing the test) if it
/// has not exited within `HANG_BOUND`. Returns (exit code, stdout, stderr).
pub fn run_bounded(cwd: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    use std::io::Read;
    let mut child = nicsim()
        .args(args)
        .current_dir(cwd)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Drain the pipes on threads so a chatty child cannot block on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > HANG_BOUND {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("nicsim {args:?} hung: still running after {HANG_BOUND:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let stdout = t_out.join().unwrap().unwrap();
    let stderr = t_err.join().unwrap().unwrap();
    (status.code(), stdout, stderr)
}

/// Runs nicsim expecting bad input: exit code 2, one `error:` line containing
/// every fragment in `want`, no panic, no hang. Returns stderr.
pub fn rejects(cwd: &Path, args: &[&str], want: &[&str]) -> String {
    let (code, _, err) = run_bounded(cwd, args);
    assert_eq!(code, Some(2), "nicsim {args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for w in want {
        assert!(err.contains(w), "nicsim {args:?}: missing {w:?} in: {err}");
    }
    err
}
