//! `nicsim native`: a real run of actors_mix writes the same files as `nicsim run`, its accounting is conserved, and bad flags exit 2.

use crate::common::{nicsim, repo, scratch};

fn field(csv: &str, name: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let row: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let i = header.iter().position(|c| *c == name).expect("column");
    row[i].to_string()
}

#[test]
fn native_actors_mix_writes_the_run_files_and_conserves_requests() {
    let dir = scratch("native_actors_mix");
    let out = dir.join("out");
    let cfg = repo().join("configs/actors_mix.toml");
    let o = nicsim(
        &dir,
        &[
            "native",
            cfg.to_str().unwrap(),
            "--duration-s",
            "0.3",
            "--rate-krps",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "summary.csv",
        "actors.csv",
        "placements.csv",
        "migrations.csv",
        "counters.csv",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let s = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let n = |k: &str| field(&s, k).parse::<u64>().expect(k);
    assert!(n("generated") > 0);
    // generated = delivered + drops + in_flight, each counted on its own
    assert_eq!(n("generated"), n("delivered") + n("drops") + n("in_flight"));
    assert_eq!(field(&s, "nic"), "native");
    // the runtime's own actor table, one row per scenario actor
    let actors = std::fs::read_to_string(out.join("actors.csv")).unwrap();
    assert_eq!(actors.lines().count(), 1 + 4);
    for name in ["lb", "replication", "ranker", "classifier"] {
        assert!(
            actors.lines().any(|l| l.starts_with(&format!("{name},"))),
            "{name}"
        );
    }
}

#[test]
fn native_refuses_bad_flags_with_exit_2() {
    let dir = scratch("native_bad_flags");
    let cfg = repo().join("configs/actors_mix.toml");
    let c = cfg.to_str().unwrap();
    for args in [
        vec!["native", c, "--nic-threads", "0"],
        vec!["native", c, "--duration-s=-1"],
        vec!["native", c, "--rate-krps", "0"],
        vec!["native", c, "--nic-cores", "13"],
        vec![
            "native",
            c,
            "--set",
            "workload.arrival=onoff",
            "--set",
            "workload.on_us=5",
            "--set",
            "workload.off_us=15",
        ],
    ] {
        let o = nicsim(&dir, &args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("fix"),
            "{args:?}"
        );
    }
    let quick = repo().join("configs/quickstart.toml");
    let o = nicsim(&dir, &["native", quick.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("workload.kind"));
}

#[test]
fn host_local_profile_loads_and_cites_its_measurement() {
    let path = repo().join("configs/nics/host_local.toml");
    let text = std::fs::read_to_string(&path).expect("host_local.toml is committed");
    let p = nic_models::host::HostProfile::resolve(path.to_str().unwrap(), &repo())
        .expect("host_local.toml loads with the host profile loader");
    assert_eq!(p.name, "host_local");
    assert!(p.memory.dram_latency_ns > 0.0 && !p.memory.caches.is_empty());
    // every measured value says so, with the date of the measurement
    assert!(text.contains("measured by calibrate-host on 20"));
    assert!(p.messaging.path("udp_loopback").is_some());
    assert!(p.messaging.path("inproc_queue").is_some());
    // a scenario can run on it (the simulated side of `nicsim repro native`)
    let cfg = repo().join("configs/actors_mix.toml");
    let o = nicsim(
        &repo(),
        &[
            "validate",
            cfg.to_str().unwrap(),
            "--set",
            &format!("host.profile=\"{}\"", path.display()),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
