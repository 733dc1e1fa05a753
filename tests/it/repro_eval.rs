//! `nicsim repro eval --quick`: both CSVs with their exact headers and plausible rows, the plots, and byte-identical eval.csv for the same seed on 1 or 2 threads.

use crate::common::{nicsim, scratch, without_wall_time};
use std::collections::BTreeMap;

const EVAL_HEADER: &str = "app,config,nic,link_gbps,request_size,offered_gbps,achieved_gbps,host_cores_used,lat_mean_us,lat_p99_us";
const SUMMARY_HEADER: &str = "app,nic,link_gbps,matched,request_size,offered_gbps,ipipe_host_cores,host_only_host_cores,host_cores_saved,ipipe_lat_mean_us,host_only_lat_mean_us,latency_reduction_us";

fn rows(csv: &str) -> Vec<Vec<String>> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: `{s}`"))
}

#[test]
fn quick_eval_writes_both_csvs_and_the_plots_with_plausible_rows() {
    let dir = scratch("repro_eval_quick");
    let o = nicsim(&dir, &["repro", "eval", "--quick", "--out", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.join("out");
    let eval = std::fs::read_to_string(out.join("eval.csv")).expect("eval.csv");
    assert_eq!(eval.lines().next(), Some(EVAL_HEADER));
    let eval_rows = rows(&eval);
    // 3 apps x 2 configurations x 2 loads at one size on the CN2350
    assert_eq!(eval_rows.len(), 12, "{eval}");
    let mut cores: BTreeMap<(String, String, String), BTreeMap<String, f64>> = BTreeMap::new();
    for r in &eval_rows {
        let (offered, achieved) = (num(&r[5]), num(&r[6]));
        // constant arrivals: nothing beyond what was offered can be answered
        assert!(
            achieved <= offered * 1.005 && achieved > 0.5 * offered,
            "{r:?}"
        );
        assert!(num(&r[8]) > 0.0 && num(&r[9]) >= num(&r[8]), "{r:?}");
        cores
            .entry((r[0].clone(), r[4].clone(), r[5].clone()))
            .or_default()
            .insert(r[1].clone(), num(&r[7]));
    }
    for (point, by_config) in &cores {
        let (h, i) = (by_config["host_only"], by_config["ipipe"]);
        assert!(h > i, "{point:?}: host_only {h} host cores vs ipipe {i}");
    }
    let summary = std::fs::read_to_string(out.join("eval_summary.csv")).expect("summary");
    assert_eq!(summary.lines().next(), Some(SUMMARY_HEADER));
    let summary_rows = rows(&summary);
    assert_eq!(summary_rows.len(), 3, "{summary}");
    for r in &summary_rows {
        assert_eq!(r[3], "both_sustain", "{r:?}");
        assert!(num(&r[8]) > 0.0, "host cores saved: {r:?}");
        let saved = num(&r[7]) - num(&r[6]);
        assert!((saved - num(&r[8])).abs() < 0.002, "{r:?}");
    }
    for svg in [
        "eval_host_cores_10gbe.svg",
        "eval_latency_dt.svg",
        "eval_latency_rkv.svg",
        "eval_latency_rta.svg",
    ] {
        let text = std::fs::read_to_string(out.join(svg)).expect(svg);
        assert!(text.starts_with("<svg") || text.contains("<svg"), "{svg}");
    }
}

#[test]
fn the_same_seed_gives_a_byte_identical_eval_csv_on_one_or_two_threads() {
    let dir = scratch("repro_eval_determinism");
    let mut texts = Vec::new();
    for threads in ["1", "2"] {
        let out = format!("out{threads}");
        let o = nicsim(
            &dir,
            &[
                "repro",
                "eval",
                "--quick",
                "--threads",
                threads,
                "--out",
                &out,
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(dir.join(out).join("eval.csv")).expect("eval.csv");
        texts.push(without_wall_time(&text));
    }
    assert_eq!(texts[0], texts[1]);
}

/// A one-server cluster whose fixed_cost actor runs on the host under `policy`.
fn kv_on_host(policy: &str, request_bytes: u32) -> nicsim::RunOutput {
    let text = format!(
        r#"name = "host_stack"
duration_ms = 1.0
[nic]
profile = "liquidio_cn2350"
[scheduler]
policy = "{policy}"
static_host_actors = ["kv"]
[workload]
kind = "actors"
rate_krps = 200.0
arrival = "constant"
[[workload.actors]]
name = "kv"
kind = "fixed_cost"
placement = "host"
request_bytes = {request_bytes}
[cluster]
shape = "star"
servers = 1
clients = 1
link_gbps = 10.0
"#
    );
    let table: toml::Table = text.parse().expect("toml");
    let s = nicsim::Scenario::from_table(table, "host_stack test").expect("scenario");
    nicsim::run_scenario(&s).expect("run")
}

fn extra(out: &nicsim::RunOutput, key: &str) -> f64 {
    num(&out
        .summary_extra
        .iter()
        .find(|(k, _)| k == key)
        .expect(key)
        .1)
}

#[test]
fn host_only_pays_the_host_stack_per_request_and_request_bytes_pads_frames() {
    // the same actor on the host: `static` hands it NIC-delivered messages,
    // `host_only` makes the host core run the DPDK-style stack for each
    let (stat, host_only) = (kv_on_host("static", 1024), kv_on_host("host_only", 1024));
    let answered = extra(&host_only, "client_responses");
    assert_eq!(answered, extra(&stat, "client_responses"));
    let extra_ns = (extra(&host_only, "host_cores_used") - extra(&stat, "host_cores_used"))
        * 1e-3 // s of host core time over the 1 ms run
        / answered
        * 1e9;
    // host_e5_2620v4's dpdk CPU steps at 960 B of payload: receive 62.4 + 48 ns,
    // send 50 ns + 0.05 ns per reply byte
    assert!(
        (150.0..260.0).contains(&extra_ns),
        "host stack per request: {extra_ns} ns"
    );
    // the padded requests are 1024 B frames
    assert!(
        (host_only.summary.packet_size - 1024.0).abs() < 64.0,
        "{}",
        host_only.summary.packet_size
    );
}
