//! kill -9 in the middle of `nicsim sweep` (synthetic and real runner), then resume: equals an uninterrupted run, loses no finished point.

use std::time::{Duration, Instant};

use super::sweep_support::{comparable, nicsim, run, tmpdir, write_sweep, SWEEP48};

fn complete_rows(path: &std::path::Path) -> usize {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        .saturating_sub(1)
}

/// Starts `nicsim sweep` with `args`, waits until `log` holds `min_rows`
/// complete rows (failing after `timeout`), kills it with SIGKILL, and
/// returns how many complete rows survived.
fn sweep_then_kill(
    args: &[&str],
    log: &std::path::Path,
    min_rows: usize,
    timeout: Duration,
) -> usize {
    let mut child = nicsim()
        .args(args)
        .args(["--progress", "quiet"])
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while complete_rows(log) < min_rows {
        assert!(t0.elapsed() < timeout, "sweep made no progress");
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the sweep was killed before finishing");
    complete_rows(log)
}

#[test]
fn kill_9_then_resume_equals_an_uninterrupted_run() {
    let dir = tmpdir("kill9");
    let sweep = write_sweep(&dir, SWEEP48);
    let (killed, whole) = (dir.join("killed"), dir.join("whole"));
    let sweep_s = sweep.to_str().unwrap();

    // 48 points x 40 ms on 2 threads: about a second; kill once some rows are durable.
    let log = killed.join("results.csv");
    let survived = sweep_then_kill(
        &[
            "sweep",
            sweep_s,
            "--out",
            killed.to_str().unwrap(),
            "--jobs",
            "2",
            "--synthetic-ms",
            "40",
        ],
        &log,
        12,
        Duration::from_secs(20),
    );
    assert!(
        (12..48).contains(&survived),
        "{survived} rows survived the kill"
    );
    // What the kill left is a valid CSV of whole rows, readable as is.
    assert!(
        std::fs::read(&log).unwrap().ends_with(b"\n"),
        "no torn last line"
    );
    let left = nicsim::sweep::results::read_csv(&log).unwrap();
    assert_eq!(left.rows.len(), survived);
    assert!(left.rows.iter().all(|r| r.len() == left.columns.len()));

    let (ok, err) = run(&[
        "sweep",
        sweep_s,
        "--out",
        killed.to_str().unwrap(),
        "--jobs",
        "2",
        "--synthetic-ms",
        "1",
    ]);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!("{survived} already done")),
        "finished points are not rerun: {err}"
    );
    let (ok, err) = run(&[
        "sweep",
        sweep_s,
        "--out",
        whole.to_str().unwrap(),
        "--jobs",
        "1",
        "--synthetic-ms",
        "0",
    ]);
    assert!(ok, "{err}");
    let (a, b) = (comparable(&log), comparable(&whole.join("results.csv")));
    assert_eq!(a.rows.len(), 48);
    assert_eq!(a, b);
}

/// 48 short CN2350 echo runs: the real simulator, not the synthetic runner.
const REAL48: &str = r#"
[sweep]
name = "real48"
seed = 5
repetitions = 2
[base]
name = "real48"
duration_ms = 5.0
[base.nic]
profile = "liquidio_cn2350"
[base.traffic]
rate_gbps = "line"
arrival = "poisson"
[[axis]]
key = "nic.cores"
values = [2, 4, 8, 12]
[[axis]]
key = "traffic.packet_size"
values = [64, 128, 256, 512, 1024, 1500]
"#;

#[test]
fn kill_9_of_a_real_sweep_then_resume_equals_an_uninterrupted_run() {
    let dir = tmpdir("kill9_real");
    let sweep = write_sweep(&dir, REAL48);
    let (killed, whole) = (dir.join("killed"), dir.join("whole"));
    let s = sweep.to_str().unwrap();
    let log = killed.join("results.csv");
    let survived = sweep_then_kill(
        &["sweep", s, "--out", killed.to_str().unwrap(), "--jobs", "2"],
        &log,
        4,
        Duration::from_secs(30),
    );
    assert!(survived >= 4, "no progress before the kill");
    assert!(survived < 48, "killed before the end ({survived} rows)");
    let (ok, err) = run(&["sweep", s, "--out", killed.to_str().unwrap(), "--jobs", "2"]);
    assert!(ok, "{err}");
    assert!(err.contains(&format!("{survived} already done")), "{err}");
    let (ok, err) = run(&["sweep", s, "--out", whole.to_str().unwrap(), "--jobs", "2"]);
    assert!(ok, "{err}");
    let a = comparable(&log);
    assert_eq!(a.rows.len(), 48);
    assert_eq!(a, comparable(&whole.join("results.csv")));
}
