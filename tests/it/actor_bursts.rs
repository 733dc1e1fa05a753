//! Bursty (`workload.arrival = "onoff"`) requests on one server: the same mean rate as Poisson, a longer tail from the queues each burst builds, one output per seed.

use crate::common::{run, scratch};
use nicsim::Scenario;

/// One fixed-cost actor at half the NIC's capacity: Poisson keeps the cores'
/// queues short; bursts at 4x that rate (on 4 us, off 12 us) overload the
/// cores for the length of each burst.
const SCENARIO: &str = r#"
name = "actor_bursts"
seed = 7
duration_ms = 50.0
warmup_ms = 1.0
[nic]
profile = "liquidio_cn2350"
[workload]
kind = "actors"
load_fraction = 0.5
arrival = "poisson"
[[workload.actors]]
name = "kv"
kind = "fixed_cost"
"#;

const BURSTS: [&str; 3] = [
    "workload.arrival=onoff",
    "workload.on_us=4",
    "workload.off_us=12",
];

fn scenario(name: &str, overrides: &[&str]) -> Scenario {
    let path = scratch(name).join("s.toml");
    std::fs::write(&path, SCENARIO).expect("write scenario");
    let o: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Scenario::load(&path, &o).expect("loads")
}

#[test]
fn bursts_keep_the_mean_rate_and_lengthen_the_tail() {
    let poisson = run(&scenario("actor-bursts-poisson", &[])).summary;
    let bursty = run(&scenario("actor-bursts-onoff", &BURSTS)).summary;
    // the peak rate is chosen so that the mean is the asked rate: over 50 ms
    // (about 3000 bursts) the request counts agree within a few percent
    let ratio = bursty.generated as f64 / poisson.generated as f64;
    assert!(
        (0.92..1.08).contains(&ratio),
        "generated: {} bursty, {} poisson",
        bursty.generated,
        poisson.generated
    );
    // inside a burst the cores see twice their capacity: requests queue
    assert!(
        bursty.lat_p99_us > 3.0 * poisson.lat_p99_us,
        "p99 {} us bursty, {} us poisson",
        bursty.lat_p99_us,
        poisson.lat_p99_us
    );
    assert!(bursty.lat_mean_us > poisson.lat_mean_us);
    assert_eq!(bursty.drops, 0, "half load overall: no queue overflows");
}

#[test]
fn bursts_come_from_the_seed() {
    let a = run(&scenario("actor-bursts-seed-a", &BURSTS)).summary;
    let b = run(&scenario("actor-bursts-seed-b", &BURSTS)).summary;
    assert_eq!((a.generated, a.lat_p99_us), (b.generated, b.lat_p99_us));
    let mut other = BURSTS.to_vec();
    other.push("seed=8");
    let c = run(&scenario("actor-bursts-seed-c", &other)).summary;
    assert_ne!((a.generated, a.lat_p99_us), (c.generated, c.lat_p99_us));
}
