//! Acceptance test of the one server model: an actor run whose only actor echoes matches the echo workload's throughput.
//!
//! Both runs use the same node; they differ only in how the work enters it
//! (the echo workload's packet source and FCFS echo actor, versus an actor
//! workload's request source, registration through the actor path, host cost
//! model, request series and policy ticks). Sizes 256 B and 1500 B; core
//! counts where the NIC is core-bound and where it reaches line rate.

use super::actors::{run_actor_world, Load};
use super::assemble::{actor_world_of, Entry};
use super::{run_scenario, RunOutput};
use crate::frame::Frame;
use crate::node::echo_actor::EchoActor;
use crate::scenario::Scenario;
use crate::world::{RequestArrivals, RequestGen};
use scheduler::{PolicyKind, SchedulerSettings};
use std::path::PathBuf;
use std::time::Instant;

fn quickstart(cores: u32, size: u32) -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../configs/quickstart.toml");
    let o = vec![
        format!("nic.cores={cores}"),
        format!("traffic.packet_size={size}"),
        "duration_ms=2".to_string(),
        "warmup_ms=0.5".to_string(),
    ];
    Scenario::load(&path, &o).expect("quickstart loads")
}

/// The actor run: one echo actor placed by an FCFS runtime, requests of the
/// echo workload's frame size at the echo workload's offered frame rate.
fn echo_actor_run(s: &Scenario, size: u32) -> RunOutput {
    let t = &s.traffic;
    let frame_rate = t.offered_gbps * 1e9 / (f64::from(size) * 8.0);
    let settings = SchedulerSettings {
        policy: PolicyKind::Fcfs,
        ..SchedulerSettings::default()
    };
    let host = workloads::sim_platform::host_e5_2620v4_model().expect("host model");
    let entries = vec![Entry {
        actor: Box::new(EchoActor::new(0)),
        placement: None,
        class: "echo".into(),
        weight: 1.0,
        request: RequestGen::Fixed {
            kind: 0,
            payload_bytes: Frame::payload_bytes_for(size),
        },
        timer: None,
    }];
    let arrivals = RequestArrivals {
        process: t.arrival,
        onoff: t.onoff,
        rate_rps: frame_rate,
    };
    let built =
        actor_world_of(s, settings, 1, (host, None), entries, arrivals).expect("actor world");
    run_actor_world(
        s,
        built,
        Load {
            asked_rps: frame_rate,
            rate_rps: frame_rate,
            capped: false,
        },
        Instant::now(),
    )
    .expect("actor run")
}

fn assert_within_2pct(cores: u32, size: u32) {
    let s = quickstart(cores, size);
    let echo = run_scenario(&s).expect("echo run").summary;
    let actor = echo_actor_run(&s, size).summary;
    let (e, a) = (echo.achieved_gbps, actor.achieved_gbps);
    assert!(e > 0.0, "{echo:?}");
    assert!(
        (a / e - 1.0).abs() < 0.02,
        "{cores} cores, {size} B: echo workload {e} Gb/s, echo actor {a} Gb/s"
    );
    assert_eq!(actor.packet_size, f64::from(size));
}

#[test]
fn an_echo_actor_matches_the_echo_workload_at_256_bytes() {
    assert_within_2pct(4, 256); // core-bound
    assert_within_2pct(12, 256); // line rate
}

#[test]
fn an_echo_actor_matches_the_echo_workload_at_1500_bytes() {
    assert_within_2pct(2, 1500); // core-bound
    assert_within_2pct(4, 1500); // line rate
}
