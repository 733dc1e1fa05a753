//! Cluster traces: messages that cross PCIe inside a server (a NIC core forwarding to a host actor) are flow arrows from the sending slice to the receiving one.

use crate::common::{repo, scratch};
use nicsim::run::cluster::{run_cluster, ClusterOptions};
use nicsim::Scenario;
use std::collections::BTreeMap;

/// The fields of one trace event these checks read.
#[derive(Debug)]
struct Ev {
    ph: String,
    cat: String,
    id: u64,
    pid: u64,
    tid: u64,
    ts: f64,
    dur: f64,
}

impl Ev {
    fn parse(line: &str) -> Option<Ev> {
        let field = |name: &str| -> Option<&str> {
            let key = format!("\"{name}\":");
            let rest = &line[line.find(&key)? + key.len()..];
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            Some(rest[..end].trim_matches('"'))
        };
        let num = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok());
        Some(Ev {
            ph: field("ph")?.to_string(),
            cat: field("cat").unwrap_or_default().to_string(),
            id: field("id").and_then(|v| v.parse().ok()).unwrap_or(0),
            pid: num("pid")? as u64,
            tid: num("tid")? as u64,
            ts: num("ts")?,
            dur: num("dur").unwrap_or(0.0),
        })
    }
}

#[test]
fn pcie_crossings_are_flow_arrows_from_a_nic_core_to_a_host_core() {
    // kv starts on the host: on the on-path LiquidIO a NIC core forwards each
    // of its requests across PCIe to a host core
    let base = std::fs::read_to_string(repo().join("configs/cluster_star.toml")).expect("star");
    let text = base.replacen(
        "name = \"kv\"\n",
        "name = \"kv\"\nplacement = \"host\"\n",
        1,
    );
    assert_ne!(text, base);
    let path = scratch("cluster-trace-pcie").join("s.toml");
    std::fs::write(&path, text).expect("write");
    let o = ["duration_ms=1".to_string(), "warmup_ms=0.2".to_string()];
    let s = Scenario::load(&path, &o).expect("loads");
    let opts = ClusterOptions {
        trace: Some((sim_core::SimTime::ZERO, sim_core::SimTime::MAX)),
        ..ClusterOptions::default()
    };
    let (_, extras) = run_cluster(&s, &opts).expect("runs");
    let json = extras.trace.expect("a trace").to_json();
    // one event per line (`ChromeTrace::to_json`)
    let events: Vec<Ev> = json.lines().filter_map(Ev::parse).collect();
    let mut flows: BTreeMap<u64, Vec<&Ev>> = BTreeMap::new();
    for e in events.iter().filter(|e| e.cat == "pcie") {
        flows.entry(e.id).or_default().push(e);
    }
    assert!(flows.len() > 50, "{} PCIe arrows", flows.len());
    let mut complete = 0;
    for f in flows.values() {
        assert_eq!(f[0].ph, "s", "an arrow starts at its sender: {f:?}");
        assert!(f[0].tid < 1000, "from a NIC core: {f:?}");
        if let Some(end) = f.get(1) {
            assert_eq!(end.ph, "f");
            assert_eq!(end.pid, f[0].pid, "inside one server");
            assert!(end.tid >= 1000, "to a host core: {f:?}");
            assert!(end.ts > f[0].ts, "later: {f:?}");
            complete += 1;
        }
        assert!(f.len() <= 2);
        // each end binds to a slice on its track that encloses its time
        for e in f {
            let bound = events.iter().any(|x| {
                x.ph == "X"
                    && x.pid == e.pid
                    && x.tid == e.tid
                    && x.ts <= e.ts
                    && x.ts + x.dur >= e.ts
            });
            assert!(bound, "{e:?} binds to no slice");
        }
    }
    // all but those still queued at the end arrive
    assert!(
        complete * 10 >= flows.len() * 9,
        "{complete} of {}",
        flows.len()
    );
}
