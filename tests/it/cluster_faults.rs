//! Cluster faults (`[faults]`): links lose frames at their probability and delay them, a crashed server drops what reaches it and its clients time out, conservation holds, and outputs stay byte-identical for a seed at 1 or 2 threads; bursty (`onoff`) cluster clients.

use crate::common::{out_file, out_summary, repo, run_quiet_into_o, scratch};
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::{RunOutput, Scenario};

/// The star example with `extra` TOML appended, loaded from `name`'s scratch directory.
fn star_with(name: &str, overrides: &[&str], extra: &str) -> Scenario {
    let base = std::fs::read_to_string(repo().join("configs/cluster_star.toml")).expect("star");
    let dir = scratch(name);
    let path = dir.join("s.toml");
    std::fs::write(&path, format!("{base}\n{extra}")).expect("write");
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&path, &o).expect("loads")
}

fn num(out: &RunOutput, key: &str) -> i128 {
    out.summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key}"))
        .1
        .parse()
        .expect("integer")
}

fn drained(s: &Scenario) -> RunOutput {
    let opts = ClusterOptions {
        drain: true,
        ..ClusterOptions::default()
    };
    run_cluster(s, &opts).expect("runs").0
}

/// (frames, drops_link_loss, delayed) of the links.csv row from `from` to `to`.
fn link_row(out: &RunOutput, from: &str, to: &str) -> (u64, u64, u64) {
    let t = &out
        .extra_tables
        .iter()
        .find(|(n, _)| n == "links.csv")
        .expect("links.csv")
        .1;
    let col = |c: &str| t.columns.iter().position(|x| x == c).expect(c);
    let r = t
        .rows
        .iter()
        .find(|r| r[col("from")] == from && r[col("to")] == to)
        .expect("row");
    let n = |c: &str| r[col(c)].parse::<u64>().expect("n");
    (n("frames"), n("drops_link_loss"), n("delayed"))
}

/// Every count balances and nothing is left anywhere after a drained run.
fn assert_conserved(out: &RunOutput) {
    assert!(out.places.conserved(), "{:?}", out.places);
    assert_eq!(out.summary.in_flight, 0, "{:?}", out.places);
    assert_eq!(num(out, "net_in_flight"), 0);
    assert_eq!(
        num(out, "net_frames"),
        num(out, "net_arrived")
            + num(out, "net_drops_buffer_full")
            + num(out, "net_drops_no_route")
            + num(out, "net_drops_link_loss")
    );
    assert_eq!(num(out, "client_outstanding"), 0);
    assert_eq!(
        num(out, "client_sent"),
        num(out, "client_responses") + num(out, "client_one_way") + num(out, "client_timeouts")
    );
    assert_eq!(out.summary.driver_errors, 0, "no misrouted event");
}

#[test]
fn a_lossy_link_drops_its_fraction_and_the_cluster_still_balances() {
    let p = 0.05;
    let s = star_with(
        "faults-loss",
        &["duration_ms=3", "warmup_ms=0.5"],
        &format!("[[faults.link]]\nlink = \"c0\"\ndrop_probability = {p}\n"),
    );
    let out = drained(&s);
    let mut lost_total = 0;
    for (from, to) in [("c0", "tor0"), ("tor0", "c0")] {
        let (frames, lost, delayed) = link_row(&out, from, to);
        assert_eq!(delayed, 0);
        // binomial: within 4.5 standard deviations (a false alarm about 1 in 150,000)
        let f = frames as f64;
        let sd = (f * p * (1.0 - p)).sqrt();
        assert!(frames > 1000, "{from}->{to}: {frames} frames");
        assert!(
            (lost as f64 - f * p).abs() <= 4.5 * sd + 1.0,
            "{from}->{to}: {lost} of {frames} lost, expected {:.0} +- {:.0}",
            f * p,
            4.5 * sd
        );
        lost_total += lost;
    }
    // other links lose nothing
    assert_eq!(link_row(&out, "c1", "tor0").1, 0);
    assert_eq!(num(&out, "net_drops_link_loss"), i128::from(lost_total));
    // a lost request or reply is never answered: the client times out
    assert!(num(&out, "client_timeouts") > 0);
    assert_conserved(&out);
}

#[test]
fn a_delayed_link_adds_its_delay_to_the_latency_of_its_client() {
    let plain = star_with("faults-delay-0", &["duration_ms=2", "warmup_ms=0.5"], "");
    let delayed = star_with(
        "faults-delay-1",
        &["duration_ms=2", "warmup_ms=0.5"],
        "[[faults.link]]\nlink = \"c0\"\ndelay_probability = 1.0\ndelay_us = 20.0\n",
    );
    let a = drained(&plain);
    let b = drained(&delayed);
    let (frames, lost, n_delayed) = link_row(&b, "c0", "tor0");
    assert_eq!((lost, n_delayed), (0, frames), "every frame delayed");
    // c0's requests (half of them) take 20 us more each way
    let more = b.summary.lat_mean_us - a.summary.lat_mean_us;
    assert!(
        (15.0..30.0).contains(&more),
        "mean latency {} -> {} us",
        a.summary.lat_mean_us,
        b.summary.lat_mean_us
    );
    // the smallest latency is still at least the delay (both ways for c0, none for c1)
    assert_conserved(&b);
}

#[test]
fn a_crashed_server_drops_what_reaches_it_and_its_clients_time_out() {
    let s = star_with(
        "faults-crash",
        &["duration_ms=4", "warmup_ms=0.5"],
        "[[faults.crash]]\nserver = \"s0\"\nat_ms = 1.0\nrestart_ms = 2.5\n\n\
         [[faults.crash]]\nserver = \"s3\"\nat_ms = 1.5\n",
    );
    let out = drained(&s);
    assert_eq!(num(&out, "server_crashes"), 2);
    assert_eq!(num(&out, "server_restarts"), 1);
    assert!(
        num(&out, "net_drops_server_down") > 100,
        "frames to s0 and s3 dropped"
    );
    assert!(num(&out, "client_timeouts") > 100, "clients of s0 time out");
    let servers = &out
        .extra_tables
        .iter()
        .find(|(n, _)| n == "servers.csv")
        .expect("servers.csv")
        .1;
    let col = |c: &str| servers.columns.iter().position(|x| x == c).expect(c);
    let cell = |row: usize, c: &str| servers.rows[row][col(c)].parse::<u64>().expect("n");
    assert_eq!((cell(0, "crashes"), cell(3, "crashes")), (1, 1));
    assert!(cell(0, "drops_server_down") > 0 && cell(3, "drops_server_down") > 0);
    assert_eq!(cell(1, "crashes"), 0);
    // s0 came back fresh and served again; s3 never did
    assert!(cell(0, "served") > 100, "s0 serves after its restart");
    assert_eq!(cell(3, "served"), 0, "s3's last life never started");
    // what was inside the nodes at the crash is counted as lost, and everything balances
    let lost = out
        .places
        .ended
        .iter()
        .find(|(k, _)| *k == "lost_server_crash")
        .map_or(0, |e| e.1);
    assert_eq!(i128::from(lost), num(&out, "lost_server_crash"));
    assert_conserved(&out);
}

#[test]
fn faults_give_byte_identical_outputs_for_a_seed_at_one_or_two_threads() {
    let dirs: Vec<_> = ["a", "b"]
        .iter()
        .map(|n| scratch(&format!("faults-identical-{n}")))
        .collect();
    let base = std::fs::read_to_string(repo().join("configs/cluster_star.toml")).expect("star");
    let text = format!(
        "{base}\n[[faults.crash]]\nserver = \"s1\"\nat_ms = 0.6\nrestart_ms = 1.2\n\n\
         [[faults.link]]\nlink = \"s2\"\ndrop_probability = 0.1\ndelay_probability = 0.2\ndelay_us = 3.0\n\n\
         [[faults.link]]\nlink = \"c1\"\ndrop_probability = 0.02\n"
    );
    for (dir, threads) in dirs.iter().zip(["1", "2"]) {
        std::fs::write(dir.join("s.toml"), &text).expect("write");
        run_quiet_into_o(dir, "s.toml", "2", threads);
    }
    for f in [
        "timeseries.csv",
        "actors.csv",
        "counters.csv",
        "servers.csv",
        "links.csv",
    ] {
        assert!(
            out_file(&dirs[0], f) == out_file(&dirs[1], f),
            "{f} differs"
        );
    }
    assert_eq!(
        out_summary(&dirs[0]),
        out_summary(&dirs[1]),
        "summary.csv differs"
    );
    let links = String::from_utf8(out_file(&dirs[0], "links.csv")).expect("utf8");
    assert!(
        links
            .lines()
            .any(|l| l.starts_with("2,tor0,s2,") && !l.ends_with(",0,0")),
        "the link to s2 lost and delayed frames:\n{links}"
    );
}

#[test]
fn bursty_cluster_clients_send_the_asked_rate_in_bursts() {
    let on_off = star_with(
        "onoff-clients",
        &[
            "duration_ms=4",
            "warmup_ms=0.5",
            "workload.arrival=\"onoff\"",
            "workload.on_us=20.0",
            "workload.off_us=60.0",
        ],
        "",
    );
    let poisson = star_with("onoff-poisson", &["duration_ms=4", "warmup_ms=0.5"], "");
    let (b, _) = run_cluster(&on_off, &ClusterOptions::default()).expect("runs");
    let (p, _) = run_cluster(&poisson, &ClusterOptions::default()).expect("runs");
    let (sb, sp) = (num(&b, "client_sent"), num(&p, "client_sent"));
    // same mean rate (about 200 bursts of mean 20 us: a few percent apart)
    let ratio = sb as f64 / sp as f64;
    assert!((0.8..1.2).contains(&ratio), "sent {sb} vs {sp}");
    // bursts at 4x the rate queue up: a longer tail
    assert!(
        b.summary.lat_p99_us > p.summary.lat_p99_us,
        "p99 {} (onoff) vs {} (poisson)",
        b.summary.lat_p99_us,
        p.summary.lat_p99_us
    );
}
