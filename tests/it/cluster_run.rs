//! Cluster runs: the examples run end to end, outputs are byte-identical for a seed and for 1, 2 or 4 threads, every frame and message is conserved across the cluster, latency respects the path, and the run's pcap files match links.csv.

use crate::common::{nicsim, out_file, out_summary, repo, run_quiet_into_o, scratch};
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::Scenario;

fn star(overrides: &[&str]) -> Scenario {
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&repo().join("configs/cluster_star.toml"), &o).expect("star loads")
}

fn extra<'a>(out: &'a nicsim::RunOutput, key: &str) -> &'a str {
    out.summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {key} in the cluster totals"))
}

fn num(out: &nicsim::RunOutput, key: &str) -> i128 {
    extra(out, key).parse().expect("integer")
}

fn table<'a>(out: &'a nicsim::RunOutput, name: &str) -> &'a sim_core::Table {
    &out.extra_tables
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .1
}

#[test]
fn the_star_pipeline_crosses_servers_and_conserves_everything_once_drained() {
    // A short run, then everything in flight finishes: nothing may be left
    // anywhere, and every count must balance exactly.
    let s = star(&["duration_ms=2", "warmup_ms=0.5"]);
    let opts = ClusterOptions {
        drain: true,
        ..ClusterOptions::default()
    };
    let (out, _) = run_cluster(&s, &opts).expect("runs");
    // replication on s0/s1 forwarded to the log actors of s2/s3 over the network
    let servers = table(&out, "servers.csv");
    let col = |name: &str| servers.columns.iter().position(|c| c == name).expect(name);
    let frames_in: Vec<u64> = servers
        .rows
        .iter()
        .map(|r| r[col("frames_in")].parse().expect("n"))
        .collect();
    assert_eq!(servers.rows.len(), 4);
    assert!(frames_in[2] > 100 && frames_in[3] > 100, "{frames_in:?}");
    let served_log: u64 = servers.rows[2..]
        .iter()
        .map(|r| r[col("served")].parse::<u64>().expect("n"))
        .sum();
    assert!(served_log > 100, "the log actors ran: {served_log}");
    // no misrouted event, staging overflow or refused network send
    assert_eq!(out.summary.driver_errors, 0);
    assert_eq!(out.summary.sends_dropped, 0);
    // conservation, part by part
    assert!(out.places.conserved(), "{:?}", out.places);
    assert_eq!(out.summary.in_flight, 0, "{:?}", out.places);
    assert_eq!(num(&out, "net_in_flight"), 0);
    assert_eq!(
        num(&out, "net_frames"),
        num(&out, "net_arrived")
            + num(&out, "net_drops_buffer_full")
            + num(&out, "net_drops_no_route")
    );
    assert_eq!(num(&out, "client_outstanding"), 0);
    assert_eq!(
        num(&out, "client_sent"),
        num(&out, "client_responses") + num(&out, "client_one_way") + num(&out, "client_timeouts")
    );
    assert!(num(&out, "client_responses") > 1000);
    // every frame a server received was a message offered to its node
    let generated_frames: u64 =
        frames_in.iter().sum::<u64>() - num(&out, "net_drops_no_actor") as u64;
    let counters = table(&out, "counters.csv");
    let offered: u64 = counters
        .rows
        .iter()
        .filter(|r| r[1] == "frames")
        .map(|r| r[2].parse::<u64>().expect("n"))
        .sum();
    assert_eq!(offered, generated_frames);
}

#[test]
fn a_cut_short_run_counts_what_is_in_flight() {
    let s = star(&["duration_ms=1", "warmup_ms=0.2"]);
    let (out, _) = run_cluster(&s, &ClusterOptions::default()).expect("runs");
    assert!(out.places.conserved(), "{:?}", out.places);
    assert!(num(&out, "net_in_flight") >= 0);
    assert_eq!(
        num(&out, "client_sent"),
        num(&out, "client_responses")
            + num(&out, "client_one_way")
            + num(&out, "client_timeouts")
            + num(&out, "client_outstanding")
    );
}

#[test]
fn end_to_end_latency_is_at_least_the_path_and_actor_tables_name_their_server() {
    let s = star(&["duration_ms=1", "warmup_ms=0.2"]);
    let (out, _) = run_cluster(&s, &ClusterOptions::default()).expect("runs");
    // client -> tor0 -> server -> tor0 -> client: 4 links of 100 ns, 2 switch
    // traversals of 450 ns, and at least one 64 B frame time each way at 25 Gb/s.
    let min_us = (4.0 * 100.0 + 2.0 * 450.0 + 2.0 * (84.0 * 8.0 / 25.0)) / 1e3;
    let p0 = out.summary.lat_p50_us.min(out.summary.lat_mean_us);
    assert!(p0 >= min_us, "{p0} us < {min_us} us");
    let actors = table(&out, "actors.csv");
    assert_eq!(actors.columns[0], "server");
    let on: Vec<(&str, &str)> = actors
        .rows
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert!(
        on.contains(&("s2", "log")) && on.contains(&("s0", "kv")),
        "{on:?}"
    );
    assert!(
        !on.contains(&("s2", "kv")),
        "kv does not start on s2: {on:?}"
    );
}

#[test]
fn same_seed_and_any_thread_count_give_byte_identical_outputs() {
    let dirs: Vec<_> = ["a", "b", "c"]
        .iter()
        .map(|n| scratch(&format!("cluster-run-identical-{n}")))
        .collect();
    let cfg = repo().join("configs/cluster_leaf_spine.toml");
    let cfg = cfg.to_str().expect("utf8");
    // the first directory twice: a cluster run replaces its own earlier set
    // (servers.csv, links.csv); 4 threads on any machine: more threads than
    // cores must not change a result either (the build, the engine and the
    // report's per-server rows share the run's pool)
    let runs = [
        (&dirs[0], "1"),
        (&dirs[0], "1"),
        (&dirs[1], "2"),
        (&dirs[2], "4"),
    ];
    for (dir, threads) in runs {
        run_quiet_into_o(dir, cfg, "1", threads);
    }
    let files = [
        "timeseries.csv",
        "actors.csv",
        "placements.csv",
        "migrations.csv",
        "counters.csv",
        "classes.csv",
        "servers.csv",
        "links.csv",
        "resolved.toml",
    ];
    for d in &dirs[1..] {
        for f in files {
            assert!(out_file(&dirs[0], f) == out_file(d, f), "{f} differs");
        }
        assert_eq!(out_summary(&dirs[0]), out_summary(d), "summary.csv differs");
    }
    let servers = String::from_utf8(out_file(&dirs[0], "servers.csv")).expect("utf8");
    assert_eq!(servers.lines().count(), 1 + 16, "one row per server");
}

#[test]
fn run_pcap_files_hold_what_links_csv_counts_and_the_trace_has_core_tracks() {
    use system::trace::pcap::pcap_file::pcap::PcapReader;
    let dir = scratch("cluster-run-pcap");
    let cfg = repo().join("configs/cluster_star.toml");
    let out = nicsim(
        &dir,
        &[
            "run",
            cfg.to_str().expect("utf8"),
            "--set",
            "duration_ms=0.5",
            "--out",
            "o",
            "--pcap",
            "pcap",
            "--trace",
            "t.json",
            "--trace-window",
            "0.2ms..0.3ms",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("pcap ") && text.contains("trace "), "{text}");
    let links = std::fs::read_to_string(dir.join("o/links.csv")).expect("links.csv");
    for l in links
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(1) == Some("tor0"))
    {
        let f: Vec<&str> = l.split(',').collect();
        let link: usize = f[0].parse().expect("link");
        let path = dir.join("pcap").join(format!("tor0-p{link}-{}.pcap", f[2]));
        let mut r = PcapReader::new(std::fs::File::open(&path).expect("open")).expect("header");
        let mut n = 0u64;
        while let Some(p) = r.next_packet() {
            p.expect("record");
            n += 1;
        }
        assert_eq!(n.to_string(), f[5], "{}", path.display());
    }
    let trace = std::fs::read_to_string(dir.join("t.json")).expect("trace");
    assert!(trace.contains("\"nic core 0\""), "core tracks named");
    assert!(trace.contains("\"name\":\"kv\""), "actor slices named");
    assert!(
        trace.contains("\"queued messages\""),
        "queue counter tracks"
    );
}

#[test]
fn cluster_flags_are_refused_where_they_do_not_apply() {
    let dir = scratch("cluster-run-flags");
    let quick = repo().join("configs/quickstart.toml");
    let star_cfg = repo().join("configs/cluster_star.toml");
    for (cfg, args, flag) in [
        (&quick, vec!["--pcap", "p"], "--pcap"),
        (&quick, vec!["--threads", "2"], "--threads"),
        (&star_cfg, vec!["--threads", "0"], "--threads"),
        (&star_cfg, vec!["--threads", "many"], "--threads"),
    ] {
        let mut a = vec!["run", cfg.to_str().expect("utf8"), "--out", "o"];
        a.extend(args);
        let out = nicsim(&dir, &a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(flag) && err.contains("Fix:"), "{err}");
        assert!(!dir.join("o").exists(), "nothing written");
    }
}

#[test]
fn the_dt_application_runs_on_a_cluster_and_answers_its_clients() {
    // below the rate at which the 2-core s3 overloads (the config's own 500
    // k/s queues there until the policy moves p2 to the host)
    let o: Vec<String> = ["duration_ms=2", "warmup_ms=0.2", "workload.rate_krps=300"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let s = Scenario::load(&repo().join("configs/cluster_dt.toml"), &o).expect("loads");
    let (out, _) = run_cluster(&s, &ClusterOptions::default()).expect("runs");
    let (sent, answered) = (num(&out, "client_sent"), num(&out, "client_responses"));
    assert!(sent > 500, "{sent}");
    // DT_RESULT comes back after 2PC and the log record: nearly every transaction is answered
    assert!(answered * 100 >= sent * 95, "{answered} of {sent}");
    assert!(out.places.conserved(), "{:?}", out.places);
    // a transaction costs more than a network round trip: reads, prepare, log, commit
    assert!(out.summary.lat_p50_us > 2.0, "{}", out.summary.lat_p50_us);
}

#[test]
fn closed_loop_clients_keep_their_window_in_flight_and_go_faster_with_more_of_it() {
    // Two servers answering a kv actor; each client keeps K requests in flight.
    let dir = scratch("cluster-closed-loop");
    let path = dir.join("closed.toml");
    let run = |k: u32| {
        std::fs::write(
            &path,
            format!(
                "name = \"closed\"\nduration_ms = 2.0\n[nic]\nprofile = \"liquidio_cn2350\"\n\
                 [workload]\nkind = \"actors\"\n[[workload.actors]]\nname = \"kv\"\nkind = \"fixed_cost\"\n\
                 [cluster]\nshape = \"star\"\nservers = 2\nclients = 2\nclient_outstanding = {k}\nclient_think_us = 1.0\n"
            ),
        )
        .expect("write");
        let s = Scenario::load(&path, &[]).expect("closed loop loads");
        let (out, _) = run_cluster(&s, &ClusterOptions::default()).expect("runs");
        out
    };
    let one = run(1);
    let eight = run(8);
    for out in [&one, &eight] {
        assert_eq!(num(out, "client_timeouts"), 0);
        assert_eq!(num(out, "client_refused"), 0);
        assert_eq!(num(out, "client_one_way"), 0);
        // a closed loop never has more in flight than its window
        assert!(num(out, "client_outstanding") <= 2 * 8);
        assert_eq!(
            num(out, "client_sent"),
            num(out, "client_responses") + num(out, "client_outstanding")
        );
    }
    assert!(num(&one, "client_outstanding") <= 2);
    // a wider window answers more requests in the same time (latency-bound loop)
    assert!(
        num(&eight, "client_responses") > 3 * num(&one, "client_responses"),
        "K=1: {}, K=8: {}",
        num(&one, "client_responses"),
        num(&eight, "client_responses")
    );
}
