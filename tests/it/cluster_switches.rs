//! One partition per switch: on a leaf-spine, every switch's pcap files, the trace and the record of delivered messages are byte-identical at 1, 2 and 3 threads, each port file holds what links.csv counts, and the record is in delivery order.

use crate::common::{nicsim, repo, scratch};
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::Scenario;
use std::path::Path;

/// Every file under `dir`, by name, with its bytes (sorted by name).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| {
            let e = e.expect("entry");
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).expect("read"))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn leaf_spine_pcaps_and_trace_are_identical_at_any_thread_count() {
    use system::trace::pcap::pcap_file::pcap::PcapReader;
    let dir = scratch("cluster-switches-pcap");
    let cfg = repo().join("configs/cluster_leaf_spine.toml");
    let mut sets = Vec::new();
    for threads in ["1", "2", "3"] {
        let (out, pcap, trace) = (
            format!("o{threads}"),
            format!("p{threads}"),
            format!("t{threads}.json"),
        );
        let run = nicsim(
            &dir,
            &[
                "run",
                cfg.to_str().expect("utf8"),
                "--set",
                "duration_ms=0.5",
                "--threads",
                threads,
                "--out",
                &out,
                "--pcap",
                &pcap,
                "--trace",
                &trace,
            ],
        );
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        // a clean run says nothing on stderr (no stray diagnostics)
        assert!(
            run.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let pcaps = files(&dir.join(&pcap));
        let trace = std::fs::read(dir.join(&trace)).expect("trace");
        let links = std::fs::read(dir.join(&out).join("links.csv")).expect("links.csv");
        sets.push((pcaps, trace, links));
    }
    for (i, s) in sets.iter().enumerate().skip(1) {
        assert!(s.0 == sets[0].0, "pcap files differ at {} threads", i + 1);
        assert!(s.1 == sets[0].1, "trace differs at {} threads", i + 1);
        assert!(s.2 == sets[0].2, "links.csv differs at {} threads", i + 1);
    }
    // every switch port's file (leaves and spines) holds the frames links.csv counts
    let links = String::from_utf8(sets[0].2.clone()).expect("utf8");
    let mut checked = 0;
    for l in links.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        let Some((_, bytes)) = sets[0].0.iter().find(|(name, _)| {
            name.starts_with(&format!("{}-p", f[1])) && name.ends_with(&format!("-{}.pcap", f[2]))
        }) else {
            continue;
        };
        let mut r = PcapReader::new(&bytes[..]).expect("header");
        let mut n = 0u64;
        while let Some(p) = r.next_packet() {
            p.expect("record");
            n += 1;
        }
        assert_eq!(n.to_string(), f[5], "{} -> {}", f[1], f[2]);
        checked += 1;
    }
    // 2 leaves of 8 servers, 2 clients and 2 spines each; 2 spines of 2 leaves
    assert_eq!(checked, 2 * (8 + 2 + 2) + 2 * 2, "a file per switch port");
}

#[test]
fn the_record_of_delivered_messages_is_in_delivery_order_at_any_thread_count() {
    let s = Scenario::load(
        &repo().join("configs/cluster_leaf_spine.toml"),
        &["duration_ms=0.3".to_string()],
    )
    .expect("loads");
    let mut records = Vec::new();
    for threads in [1, 2] {
        let opts = ClusterOptions {
            threads,
            record_messages: true,
            ..ClusterOptions::default()
        };
        let (_, extras) = run_cluster(&s, &opts).expect("runs");
        let rec = extras.messages.expect("recorded");
        assert_eq!(rec.overflow, 0);
        assert!(
            rec.messages.windows(2).all(|m| m[0].at <= m[1].at),
            "delivery order"
        );
        // both racks' switches delivered: servers of rack 1 and clients
        assert!(rec
            .messages
            .iter()
            .any(|m| m.dst_node >= 8 && m.dst_node < 16));
        assert!(rec.messages.iter().any(|m| m.dst_node >= 16));
        records.push(rec.messages);
    }
    assert!(
        records[0] == records[1],
        "the record depends on the thread count"
    );
}
