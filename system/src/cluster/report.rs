//! `links.csv`: one row per link direction with its frames, bytes, utilization, peak queue, drops and fault-delayed frames.

use super::fabric::Fabric;
use sim_core::SimDuration;

/// Column names of `links.csv`.
pub const LINK_COLUMNS: [&str; 12] = [
    "link",
    "from",
    "to",
    "rate_gbps",
    "propagation_ns",
    "frames",
    "bytes",
    "utilization",
    "peak_queue_bytes",
    "drops_buffer_full",
    "drops_link_loss",
    "delayed",
];

/// The rows of `links.csv` for a run of length `elapsed` (link order, a-to-b first).
pub fn link_rows(fabric: &Fabric, elapsed: SimDuration) -> Vec<Vec<String>> {
    let t = fabric.topology();
    let mut rows = Vec::new();
    for (i, l) in t.links.iter().enumerate() {
        for (dir, (from, to)) in [(l.a, l.b), (l.b, l.a)].into_iter().enumerate() {
            // a whole fabric drives every direction; one switch's fabric
            // (`Fabric::of_switch`) reports only the directions leaving it
            let Some(tx) = fabric.link_tx(i, dir) else {
                continue;
            };
            let s = tx.stats;
            rows.push(vec![
                i.to_string(),
                t.name(from),
                t.name(to),
                format!("{}", l.rate_gbps),
                l.propagation.as_ns().to_string(),
                s.frames.to_string(),
                s.bytes.to_string(),
                format!("{:.6}", tx.utilization(elapsed)),
                s.peak_queue_bytes.to_string(),
                s.drops_buffer_full.to_string(),
                s.drops_link_loss.to_string(),
                s.delayed.to_string(),
            ]);
        }
    }
    rows
}

/// `links.csv` as bytes.
pub fn links_csv(fabric: &Fabric, elapsed: SimDuration) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(LINK_COLUMNS)?;
    for row in link_rows(fabric, elapsed) {
        w.write_record(&row)?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::netsim;
    use crate::cluster::probe::uniform_frames;
    use crate::cluster::routing::tests::section;
    use crate::cluster::spec::ClusterShape;
    use crate::cluster::Topology;

    #[test]
    fn links_csv_has_two_rows_per_link_and_counts_every_frame() {
        let mut c = section(ClusterShape::Star);
        c.servers = Some(3);
        c.clients = Some(1);
        let topo = Topology::build(&c).expect("valid");
        let d = SimDuration::from_us(200);
        let frames = uniform_frames(&topo, 0.5, 1024, d, 7).expect("few frames");
        let mut fab = Fabric::new(topo);
        netsim::run(&mut fab, &frames, 100_000, None).expect("runs");
        let text = String::from_utf8(links_csv(&fab, d).expect("csv")).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], LINK_COLUMNS.join(","));
        assert_eq!(lines.len(), 1 + 4 * 2);
        assert!(lines[1].starts_with("0,s0,tor0,100,500,"), "{}", lines[1]);
        // Every frame crosses two link directions in a star.
        let frames_col: u64 = lines[1..]
            .iter()
            .map(|l| {
                l.split(',')
                    .nth(5)
                    .and_then(|n| n.parse::<u64>().ok())
                    .expect("frames")
            })
            .sum();
        assert_eq!(frames_col, 2 * frames.len() as u64);
        for l in &lines[1..] {
            let u: f64 = l
                .split(',')
                .nth(7)
                .and_then(|n| n.parse().ok())
                .expect("utilization");
            assert!((0.0..=1.0).contains(&u), "{l}");
        }
    }
}
