//! Resume: finished points are skipped, failed points rerun, a torn last line is repaired, foreign logs refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use nicsim::sweep::synthetic::SyntheticRunner;
use nicsim::sweep::{run_sweep, Point, PointRunner, Progress, Shard, SweepOptions};

use super::sweep_support::{comparable, spec, tmpdir, SWEEP48};

/// Counts runs; fails the points whose ids are listed.
#[derive(Default)]
struct Counting {
    inner: SyntheticRunner,
    runs: AtomicUsize,
    fail: Vec<String>,
    ran: Mutex<Vec<String>>,
}

impl PointRunner for Counting {
    fn metric_columns(&self) -> Vec<String> {
        self.inner.metric_columns()
    }
    fn run(&self, p: &Point) -> anyhow::Result<Vec<String>> {
        self.runs.fetch_add(1, Ordering::SeqCst);
        self.ran.lock().unwrap().push(p.id.clone());
        if self.fail.contains(&p.id) {
            if p.id.ends_with('3') {
                panic!("injected panic");
            }
            anyhow::bail!("injected failure");
        }
        self.inner.run(p)
    }
}

fn opts(dir: &std::path::Path, jobs: usize) -> SweepOptions {
    SweepOptions {
        out: dir.to_path_buf(),
        jobs,
        shard: Shard::ALL,
        progress: Progress::Quiet,
    }
}

#[test]
fn a_second_run_skips_every_finished_point() {
    let s = spec(SWEEP48);
    let dir = tmpdir("resume_skip");
    let r = Counting::default();
    let o = run_sweep(&s, &r, &opts(&dir, 2)).unwrap();
    assert_eq!((o.selected, o.already_done, o.ran), (48, 0, 48));
    let first = std::fs::read(dir.join("results.csv")).unwrap();
    let o = run_sweep(&s, &r, &opts(&dir, 2)).unwrap();
    assert_eq!((o.already_done, o.ran), (48, 0));
    assert_eq!(r.runs.load(Ordering::SeqCst), 48, "no point ran twice");
    assert_eq!(
        std::fs::read(dir.join("results.csv")).unwrap(),
        first,
        "finished table unchanged"
    );
}

#[test]
fn failed_and_panicking_points_are_left_out_and_rerun_on_resume() {
    let s = spec(SWEEP48);
    let (dir, reference) = (tmpdir("resume_failed"), tmpdir("resume_failed_ref"));
    run_sweep(&s, &SyntheticRunner::default(), &opts(&reference, 1)).unwrap();
    let bad = Counting {
        fail: vec!["p0003".into(), "p0040".into()],
        ..Default::default()
    };
    let o = run_sweep(&s, &bad, &opts(&dir, 2)).unwrap();
    assert_eq!(
        o.failed.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["p0003", "p0040"]
    );
    assert_eq!(
        o.failed[0].1, "panicked: injected panic",
        "a panic fails its point only"
    );
    assert_eq!(o.ran, 46);
    let good = Counting::default();
    let o = run_sweep(&s, &good, &opts(&dir, 2)).unwrap();
    assert_eq!((o.already_done, o.ran), (46, 2));
    let mut ran = good.ran.lock().unwrap().clone();
    ran.sort();
    assert_eq!(ran, ["p0003", "p0040"]);
    assert_eq!(
        comparable(&dir.join("results.csv")),
        comparable(&reference.join("results.csv"))
    );
}

#[test]
fn a_torn_last_line_is_truncated_and_that_point_rerun() {
    let s = spec(SWEEP48);
    let (dir, reference) = (tmpdir("resume_torn"), tmpdir("resume_torn_ref"));
    run_sweep(&s, &SyntheticRunner::default(), &opts(&reference, 2)).unwrap();
    // A log as a kill would leave it: header, 10 complete rows, half of the 11th.
    let full = std::fs::read_to_string(reference.join("results.csv")).unwrap();
    let lines: Vec<&str> = full.lines().collect();
    let torn = format!(
        "{}\n{}",
        lines[..11].join("\n"),
        &lines[11][..lines[11].len() / 2]
    );
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("results.csv"), torn).unwrap();
    let r = Counting::default();
    let o = run_sweep(&s, &r, &opts(&dir, 2)).unwrap();
    assert_eq!((o.already_done, o.ran), (10, 38));
    assert!(
        r.ran.lock().unwrap().contains(&"p0010".to_string()),
        "the torn point reruns"
    );
    assert_eq!(
        comparable(&dir.join("results.csv")),
        comparable(&reference.join("results.csv"))
    );
}

#[test]
fn a_directory_of_another_sweep_is_refused() {
    let dir = tmpdir("resume_foreign");
    run_sweep(&spec(SWEEP48), &SyntheticRunner::default(), &opts(&dir, 2)).unwrap();
    // Same columns, other values for the same ids: the sweep file changed.
    let changed = SWEEP48.replace("values = [1, 2, 4, 8]", "values = [1, 3, 4, 8]");
    let e = run_sweep(&spec(&changed), &SyntheticRunner::default(), &opts(&dir, 2))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("the sweep changed") && e.contains("fresh --out"),
        "{e}"
    );
    // Other columns.
    let other = SWEEP48.replace("traffic.packet_size", "traffic.size");
    let e = run_sweep(&spec(&other), &SyntheticRunner::default(), &opts(&dir, 2))
        .unwrap_err()
        .to_string();
    assert!(e.contains("fresh --out"), "{e}");
}
