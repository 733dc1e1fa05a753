//! Benchmark: the network layer alone (links, switches, ECMP) of a cluster scenario, in events per second and simulated over wall time.
//!
//! Run: `cargo run -p system --release --example cluster_fabric [SCENARIO.toml] [LOAD]`
//! (default configs/cluster_leaf_spine.toml, LOAD 0.5). Every server and
//! client sends 1024 B frames to uniformly drawn other endpoints, Poisson at
//! LOAD x its link rate, for the scenario's duration (`cluster::probe`); the
//! frames cross the fabric hop by hop (`cluster::netsim`). No server model
//! runs: this measures the fabric's share of a cluster run, not a cluster run.

use std::path::PathBuf;
use std::time::Instant;
use system::cluster::netsim::{self, Fate};
use system::cluster::probe::uniform_frames;
use system::cluster::Fabric;
use system::Scenario;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/cluster_leaf_spine.toml")
    });
    let load: f64 = args.next().map_or(Ok(0.5), |s| s.parse())?;
    let scenario = Scenario::load(&path, &[])?;
    let plan = scenario
        .cluster
        .as_ref()
        .ok_or("the scenario has no [cluster]")?;
    let topo = plan.topology.clone();
    let endpoints = topo.servers + topo.clients;
    let frames = uniform_frames(&topo, load, 1024, scenario.duration, scenario.seed)?;
    let mut fabric = Fabric::new(topo);
    let wall = Instant::now();
    let run = netsim::run(&mut fabric, &frames, frames.len() * 2 + 1024, None)?;
    let wall_s = wall.elapsed().as_secs_f64();
    let delivered = run
        .fates
        .iter()
        .filter(|f| matches!(f.1, Fate::Delivered(_)))
        .count();
    let sim_s = scenario.duration.as_secs_f64();
    println!(
        "{}: {} endpoints, {} frames, {} delivered, {} dropped; {} events in {:.3} s wall: {:.2} M events/s, sim_time_s / wall_time_s = {:.5}",
        scenario.name,
        endpoints,
        frames.len(),
        delivered,
        frames.len() - delivered,
        run.events,
        wall_s,
        run.events as f64 / wall_s / 1e6,
        sim_s / wall_s
    );
    Ok(())
}
