//! Shards merged with `nicsim merge` equal a single-machine run byte for byte (sorted, without wall_time_s).

use super::sweep_support::{run, tmpdir, write_sweep, SWEEP48};

#[test]
fn merged_shards_equal_a_single_run_and_gaps_are_reported() {
    let dir = tmpdir("merge");
    let sweep = write_sweep(&dir, SWEEP48);
    let s = sweep.to_str().unwrap();
    let d = |n: &str| dir.join(n).to_str().unwrap().to_string();
    for k in 0..3 {
        let (ok, err) = run(&[
            "sweep",
            s,
            "--shard",
            &format!("{k}/3"),
            "--out",
            &d(&format!("shard-{k}")),
            "--synthetic-ms",
            "0",
        ]);
        assert!(ok, "{err}");
    }
    let (ok, err) = run(&[
        "sweep",
        s,
        "--out",
        &d("local"),
        "--jobs",
        "1",
        "--synthetic-ms",
        "0",
    ]);
    assert!(ok, "{err}");

    let (ok, err) = run(&[
        "merge",
        &d("shard-2"),
        &d("shard-0"),
        &d("shard-1"),
        "--sweep",
        s,
        "--drop-column",
        "wall_time_s",
        "--out",
        &d("merged.csv"),
    ]);
    assert!(ok, "{err}");
    let (ok, err) = run(&[
        "merge",
        &d("local"),
        "--drop-column",
        "wall_time_s",
        "--out",
        &d("local.csv"),
    ]);
    assert!(ok, "{err}");
    let merged = std::fs::read(d("merged.csv")).unwrap();
    assert_eq!(
        merged.iter().filter(|&&b| b == b'\n').count(),
        49,
        "header + 48 rows"
    );
    assert!(!String::from_utf8_lossy(&merged).contains("wall_time_s"));
    assert_eq!(
        merged,
        std::fs::read(d("local.csv")).unwrap(),
        "byte for byte"
    );

    // Without shard 2: fails, and lists exactly shard 2's points (positions 2, 5, 8, ...).
    let (ok, err) = run(&[
        "merge",
        &d("shard-0"),
        &d("shard-1"),
        "--sweep",
        s,
        "--out",
        &d("partial.csv"),
    ]);
    assert!(!ok, "an incomplete merge fails");
    let want: Vec<String> = (0..48)
        .filter(|i| i % 3 == 2)
        .map(|i| format!("p{i:04}"))
        .collect();
    assert!(
        err.contains(&format!("16 point(s) missing: {}", want.join(" "))),
        "{err}"
    );
}

#[test]
fn conflicting_duplicates_are_refused() {
    let dir = tmpdir("merge_conflict");
    let a = dir.join("a.csv");
    let b = dir.join("b.csv");
    std::fs::write(&a, "point_id,x,wall_time_s\np0000,1,0.5\n").unwrap();
    std::fs::write(&b, "point_id,x,wall_time_s\np0000,1,0.7\n").unwrap();
    let (ok, err) = run(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(ok, "same point, only wall time differs: {err}");
    std::fs::write(&b, "point_id,x,wall_time_s\np0000,2,0.7\n").unwrap();
    let (ok, err) = run(&["merge", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(
        !ok && err.contains("p0000 appears twice with different results"),
        "{err}"
    );
}
