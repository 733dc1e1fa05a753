//! Real-time analytics swarm: random RTA clusters (counters and rankers per key partition, keys, skew, batch sizes, filter threshold, top-N, placement, policies), each run drained at 1 and 2 threads: identical outputs and messages, and, when nothing was dropped, the rankers' final lists merged equal to the brute-force top N of the stream the clients sent.
//!
//! Each partition ranker reports its list to a dashboard on another server
//! after every batch, so its last report is in the message record. Keys are
//! split between partitions, so the global top N is the top N of the union
//! of the partitions' last lists.
//!
//! ```sh
//! NICSIM_RTA_SWARM_SEED=1234 cargo test --test it rta_swarm -- --nocapture
//! NICSIM_RTA_SWARM_COUNT=300 cargo test --release --test it rta_swarm
//! ```

use super::{header, load, nothing_dropped, port_of, run_twice_recorded, star, Swarm};
use crate::swarm::draw::Draw;
use nicsim::Scenario;
use scheduler::Endpoint;
use std::collections::BTreeMap;
use system::cluster::record::NetMessage;
use workloads::apps::codec::Dec;
use workloads::apps::rta::{self, brute_force_top, decode_pairs, decode_tuples, top_n};

/// Scenarios per CI run.
const DEFAULT_COUNT: u64 = 10;
/// Default base seed.
const DEFAULT_BASE: u64 = 0x27a_5eed;

/// The scenario (TOML text) of one seed, with the filter's threshold and N.
fn draw_rta(seed: u64) -> (String, u32, usize) {
    let mut d = Draw(seed);
    // s0: filter; counters and rankers on s1..; the dashboard on s0
    let servers = d.int(2, 5);
    let (counters, rankers) = (d.int(1, 4), d.int(1, 2));
    let (min_value, n) = (*d.pick(&[1u32, 10, 50]), *d.pick(&[1usize, 5, 10, 40]));
    let on = |i: u64| 1 + i % (servers - 1);
    let key_count = *d.pick(&[16u32, 256, 4096]);
    let policies = ["hybrid", "fcfs", "drr", "nic_only", "host_only"];
    let mut t = header(&mut d, "rta_swarm", seed, (0.3, 1.0), &policies);
    t.push_str(&format!(
        "\n[workload]\nkind = \"actors\"\nrate_krps = {:.1}\narrival = \"{}\"\n\n[workload.app]\nkey_count = {key_count}\nkey_distribution = \"{}\"\ntuples_per_batch = {}\n",
        // a quarter overloaded: drops are counted, the ranking is not checked
        if d.chance(0.25) {
            d.float(500.0, 4000.0)
        } else {
            d.float(20.0, 500.0)
        },
        d.pick(&["poisson", "constant"]),
        d.pick(&["uniform", "zipf"]),
        d.pick(&[1, 16, 64])
    ));
    let peers = |prefix: &str, count: u64, on: &dyn Fn(u64) -> u64| {
        (0..count)
            .map(|i| format!("{{ server = \"s{}\", actor = \"{prefix}{i}\" }}", on(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    t.push_str(&format!(
        "\n[[workload.actors]]\nname = \"filter\"\nkind = \"rta_filter\"\nweight = 1.0\nconfig = {{ counters = [{}], min_value = {min_value} }}\n",
        peers("counter", counters, &on)
    ));
    let ranker_peers = peers("ranker", rankers, &on);
    for i in 0..counters {
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"counter{i}\"\nkind = \"rta_counter\"\nweight = 0\nconfig = {{ rankers = [{ranker_peers}], key_count = {key_count} }}\n"
        ));
    }
    for i in 0..rankers {
        t.push_str(&format!(
            "\n[[workload.actors]]\nname = \"ranker{i}\"\nkind = \"rta_ranker\"\nweight = 0\nconfig = {{ n = {n}, key_count = {key_count}, upstream = {{ server = \"s0\", actor = \"dashboard\" }} }}\n"
        ));
    }
    t.push_str(&format!(
        "\n[[workload.actors]]\nname = \"dashboard\"\nkind = \"rta_ranker\"\nweight = 0\nconfig = {{ n = {n}, key_count = {key_count}, sources = [{ranker_peers}] }}\n"
    ));
    t.push_str(&star(&mut d, servers));
    for s in 0..servers {
        let mut actors: Vec<String> = Vec::new();
        if s == 0 {
            actors.extend(["\"filter\"".to_string(), "\"dashboard\"".to_string()]);
        }
        actors.extend(
            (0..counters)
                .filter(|&i| on(i) == s)
                .map(|i| format!("\"counter{i}\"")),
        );
        actors.extend(
            (0..rankers)
                .filter(|&i| on(i) == s)
                .map(|i| format!("\"ranker{i}\"")),
        );
        t.push_str(&format!(
            "\n[[cluster.server]]\nname = \"s{s}\"\nactors = [{}]\n",
            actors.join(", ")
        ));
    }
    (t, min_value, n)
}

/// A ranking: (key, total), highest first.
type Ranking = Vec<(u32, u64)>;

/// The top N of the union of each partition ranker's last report to the
/// dashboard, and the stream the clients sent to the filter.
fn observed(
    s: &Scenario,
    msgs: &[NetMessage],
    n: usize,
) -> Result<(Ranking, Vec<rta::Tuple>), String> {
    let (filter, dashboard) = (port_of(s, "filter")?, port_of(s, "dashboard")?);
    let mut stream = Vec::new();
    for m in msgs
        .iter()
        .filter(|m| m.kind == rta::RTA_TUPLES && m.dst_port == filter)
    {
        stream.extend(decode_tuples(&m.payload).map_err(|e| format!("tuples: {e:?}"))?);
    }
    // per sending ranker (node, port): its highest-sequence list
    let mut last: BTreeMap<(u32, u16), (u64, Ranking)> = BTreeMap::new();
    for m in msgs
        .iter()
        .filter(|m| m.kind == rta::RTA_PARTIAL && m.dst_port == dashboard)
    {
        let Endpoint::Network { node, port } = m.src else {
            return Err(format!("a report from {:?}", m.src));
        };
        let mut d = Dec::new(&m.payload);
        let seq = d.u64().map_err(|e| format!("report: {e:?}"))?;
        let list = decode_pairs(&mut d).map_err(|e| format!("report: {e:?}"))?;
        let entry = last.entry((node, port)).or_insert((0, Vec::new()));
        if seq > entry.0 {
            *entry = (seq, list);
        }
    }
    let union: Ranking = last.into_values().flat_map(|(_, list)| list).collect();
    Ok((top_n(union, n), stream))
}

/// One scenario: both thread counts, conservation, the ranking when lossless;
/// whether the ranking was checked.
fn check_rta(text: &str, min_value: u32, n: usize) -> Result<bool, String> {
    let s = load(text, "rta_swarm.toml")?;
    let (one, msgs) = run_twice_recorded(&s)?;
    // a dropped batch or report leaves the rankers short of the stream
    if !nothing_dropped(&one) || one.places.generated != one.places.delivered {
        return Ok(false);
    }
    let (got, stream) = observed(&s, &msgs, n)?;
    let want = brute_force_top(&stream, min_value, n);
    if got != want {
        return Err(format!(
            "the rankers' top {n} over {} tuples differs from brute force:\n got  {got:?}\n want {want:?}",
            stream.len()
        ));
    }
    Ok(true)
}

#[test]
fn rta_swarm() {
    let swarm = Swarm {
        prefix: "NICSIM_RTA_SWARM",
        test: "rta_swarm",
        base: DEFAULT_BASE,
        count: DEFAULT_COUNT,
    };
    let (mut ranked, mut overloaded) = (0, 0);
    let n = swarm.each_seed(
        draw_rta,
        |(text, _, _)| text.as_str(),
        |(text, min_value, n)| {
            let checked = check_rta(text, *min_value, *n)?;
            ranked += u64::from(checked);
            overloaded += u64::from(!checked);
            Ok(())
        },
    );
    println!(
        "rta swarm: {n} scenarios passed, {ranked} rankings checked against brute force, {overloaded} overloaded"
    );
    assert!(
        ranked > 0,
        "no lossless scenario: nothing ranked was checked"
    );
}
