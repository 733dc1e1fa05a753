//! `[cluster]` from the command line: the example topologies validate, `nicsim topo` prints them, and a scenario without `[cluster]` stays one server.

use crate::common::{nicsim, repo, scratch};

fn stdout_of(test: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let out = nicsim(&scratch(test), args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn config(name: &str) -> String {
    repo().join("configs").join(name).display().to_string()
}

#[test]
fn the_example_clusters_validate() {
    for name in ["cluster_star.toml", "cluster_leaf_spine.toml"] {
        let (code, out, err) = stdout_of("cluster-validate", &["validate", &config(name)]);
        assert_eq!(code, Some(0), "{name}: {err}");
        assert!(out.starts_with("ok: "), "{out}");
    }
}

#[test]
fn topo_lists_the_star_with_each_servers_nic() {
    let (code, out, err) = stdout_of("cluster-topo-star", &["topo", &config("cluster_star.toml")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("cluster_star: 4 servers, 2 clients, 1 switches, 6 links\n"),
        "{out}"
    );
    assert!(
        out.contains("switch tor0          6 ports, 524288 B/port, 450 ns, CutThrough"),
        "{out}"
    );
    assert!(
        out.contains("server s0        liquidio_cn2350 x12"),
        "{out}"
    );
    assert!(out.contains("server s3        stingray_ps225 x8"), "{out}");
}

#[test]
fn topo_dot_draws_the_leaf_spine() {
    let (code, dot, err) = stdout_of(
        "cluster-topo-dot",
        &["topo", &config("cluster_leaf_spine.toml"), "--dot"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(dot.starts_with("graph \"cluster_leaf_spine\" {"), "{dot}");
    // 16 server links, 4 client links, 2 leaves x 2 spines.
    assert_eq!(dot.matches(" -- ").count(), 24, "{dot}");
    assert_eq!(dot.matches("\"leaf1\" -- \"spine").count(), 2);
    assert!(
        dot.contains("\"s15\" -- \"leaf1\" [label=\"25 Gb/s, 500 ns\"]"),
        "{dot}"
    );
    assert!(
        dot.contains("\"leaf0\" -- \"spine1\" [label=\"100 Gb/s, 500 ns\"]"),
        "{dot}"
    );
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn topo_of_a_scenario_without_cluster_is_one_server() {
    let (code, out, err) = stdout_of("cluster-topo-one", &["topo", &config("quickstart.toml")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("1 servers, 0 clients, 0 switches, 0 links"),
        "{out}"
    );
}

#[test]
fn topo_set_overrides_the_shape_counts() {
    let (code, out, err) = stdout_of(
        "cluster-topo-set",
        &[
            "topo",
            &config("cluster_star.toml"),
            "--set",
            "cluster.servers=8",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("8 servers, 2 clients, 1 switches, 10 links"),
        "{out}"
    );
}

#[test]
fn a_scenario_without_cluster_resolves_without_one() {
    let dir = scratch("cluster-absent-resolved");
    let out = nicsim(
        &dir,
        &["run", &config("quickstart.toml"), "--out", "r", "--quiet"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let resolved = std::fs::read_to_string(dir.join("r/resolved.toml")).expect("written");
    assert!(!resolved.contains("cluster"), "{resolved}");
}

/// `topo --probe` into `dir`: (stdout, frames sent).
fn probe(dir: &std::path::Path) -> (String, u64) {
    let out = nicsim(
        dir,
        &[
            "topo",
            &config("cluster_star.toml"),
            "--set",
            "duration_ms=2",
            "--probe",
            "0.6",
            "--pcap",
            "pcap",
            "--trace",
            "trace.json",
            "--trace-window",
            "1ms..1.1ms",
            "--out",
            "out",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = text
        .split(": ")
        .nth(2)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no `N sent` in {text}"));
    (text, sent)
}

#[test]
fn probe_pcap_files_read_back_with_every_frame_once_in_time_order() {
    use system::trace::pcap::pcap_file::pcap::PcapReader;
    use system::trace::pcap::pcap_file::TsResolution;
    let dir = scratch("cluster-probe-pcap");
    let (text, sent) = probe(&dir);
    assert!(
        text.contains(&format!("{sent} sent, {sent} delivered")),
        "{text}"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir.join("pcap"))
        .expect("pcap dir")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6, "one file per tor0 port");
    let mut records = 0u64;
    for f in &files {
        let mut r = PcapReader::new(std::fs::File::open(f).expect("open")).expect("pcap header");
        assert_eq!(r.header().ts_resolution, TsResolution::NanoSecond);
        let mut last = std::time::Duration::ZERO;
        while let Some(p) = r.next_packet() {
            let p = p.expect("valid record");
            assert!(p.timestamp >= last, "{}: time goes back", f.display());
            assert!(p.timestamp < std::time::Duration::from_millis(3));
            assert_eq!(p.orig_len, 1020, "1024 B frames without FCS");
            last = p.timestamp;
            records += 1;
        }
    }
    // In a star every frame crosses tor0 exactly once.
    assert_eq!(records, sent);
    let links = std::fs::read_to_string(dir.join("out/links.csv")).expect("links.csv");
    assert_eq!(links.lines().count(), 1 + 6 * 2, "{links}");
    let tor_out: u64 = links
        .lines()
        .filter(|l| l.contains(",tor0,") && l.split(',').nth(1) == Some("tor0"))
        .map(|l| {
            l.split(',')
                .nth(5)
                .and_then(|n| n.parse::<u64>().ok())
                .expect("frames")
        })
        .sum();
    assert_eq!(tor_out, sent, "links.csv counts what the pcap files hold");
}

#[test]
fn probe_trace_stays_in_its_window_and_repeats_byte_for_byte() {
    let a = scratch("cluster-probe-trace-a");
    let b = scratch("cluster-probe-trace-b");
    probe(&a);
    probe(&b);
    let json = std::fs::read_to_string(a.join("trace.json")).expect("trace written");
    assert!(json.starts_with("{\"traceEvents\":["));
    assert!(
        json.contains("\"ph\":\"X\"")
            && json.contains("\"ph\":\"s\"")
            && json.contains("\"ph\":\"C\"")
    );
    for ts in json.split("\"ts\":").skip(1) {
        let us: f64 = ts
            .split([',', '}'])
            .next()
            .and_then(|n| n.parse().ok())
            .expect("ts number");
        // Slices may start before the window and overlap it; none starts after.
        assert!(us < 1100.0, "event at {us} us after the window");
    }
    assert_eq!(
        json,
        std::fs::read_to_string(b.join("trace.json")).expect("second trace")
    );
    for port in ["tor0-p0-s0.pcap", "tor0-p5-c1.pcap"] {
        assert_eq!(
            std::fs::read(a.join("pcap").join(port)).expect("a"),
            std::fs::read(b.join("pcap").join(port)).expect("b"),
            "{port} differs between two runs"
        );
    }
}

#[test]
fn bad_probe_flags_exit_2_with_a_fix() {
    let star = config("cluster_star.toml");
    let quick = config("quickstart.toml");
    let cases: [(&[&str], &str); 4] = [
        (
            &["topo", &star, "--probe", "1.5"],
            "--probe: must be in (0, 1], got 1.5",
        ),
        (
            &["topo", &star, "--probe", "0"],
            "--probe: must be in (0, 1], got 0",
        ),
        (
            &["topo", &quick, "--probe", "0.5"],
            "--probe: the scenario has no [cluster]",
        ),
        (
            &[
                "topo",
                &star,
                "--probe",
                "0.5",
                "--trace",
                "t.json",
                "--trace-window",
                "2ms..1ms",
            ],
            "--trace-window: `2ms..1ms` is empty",
        ),
    ];
    for (args, expect) in cases {
        let dir = scratch("cluster-probe-bad");
        let out = nicsim(&dir, args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expect) && err.contains("Fix: "),
            "{args:?}: {err}"
        );
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!dir.join("t.json").exists(), "nothing written");
    }
}
