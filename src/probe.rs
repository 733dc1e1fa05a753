//! `nicsim topo --probe LOAD`: probe traffic through a scenario's network alone, with optional pcap and trace files.

use crate::cli::TopoArgs;
use crate::input_error::InputError;
use crate::scenario::Scenario;
use anyhow::Result;
use system::cluster::netsim::{self, Fate};
use system::cluster::probe::uniform_frames;
use system::cluster::Fabric;
use system::trace::chrome::{ChromeTrace, DEFAULT_MAX_EVENTS};
use system::trace::pcap::{PcapSet, DEFAULT_MAX_RECORDS};
use system::trace::window::parse_window;

/// Probe frame size, bytes.
const PROBE_BYTES: u32 = 1024;

fn bad(flag: &str, message: String) -> anyhow::Error {
    InputError::new(flag, None, "", message).into()
}

/// Runs the probe; returns the text to print.
pub fn cmd_probe(a: &TopoArgs, s: &Scenario, load: f64) -> Result<String> {
    if !(load > 0.0 && load <= 1.0) {
        return Err(bad(
            "--probe",
            format!("must be in (0, 1], got {load}. Fix: give a fraction of the link rate, e.g. --probe 0.5"),
        ));
    }
    let Some(plan) = &s.cluster else {
        return Err(bad(
            "--probe",
            "the scenario has no [cluster]: there is no network to probe. Fix: add a [cluster] section (see configs/cluster_star.toml)".into(),
        ));
    };
    let window = match &a.trace_window {
        Some(w) => Some(parse_window(w).map_err(|e| {
            bad(
                "--trace-window",
                format!("{e}. Fix: e.g. --trace-window 1ms..1.2ms"),
            )
        })?),
        None => None,
    };
    let topo = plan.topology.clone();
    let frames = uniform_frames(&topo, load, PROBE_BYTES, s.duration, s.seed).map_err(|e| {
        bad(
            "--probe",
            format!("{e}. Fix: lower the load or the scenario's duration_ms"),
        )
    })?;
    let mut fabric = Fabric::new(topo.clone());
    if let Some(dir) = &a.pcap {
        fabric.set_tap(Box::new(PcapSet::create(dir, &topo, DEFAULT_MAX_RECORDS)?));
    }
    let mut trace = a.trace.as_ref().map(|_| {
        let (start, end) = window.map_or((sim_core::SimTime::ZERO, sim_core::SimTime::MAX), |w| {
            (w.start, w.end)
        });
        ChromeTrace::new(start, end, DEFAULT_MAX_EVENTS)
    });
    let run = netsim::run(
        &mut fabric,
        &frames,
        frames.len() * 2 + 1024,
        trace.as_mut(),
    )?;
    let delivered = run
        .fates
        .iter()
        .filter(|f| matches!(f.1, Fate::Delivered(_)))
        .count();
    let (no_route, full) = fabric.drops();
    let mut out = format!(
        "{}: probe at {load} of link rate, {PROBE_BYTES} B frames for {}: {} sent, {delivered} delivered, switch drops: {full} buffer_full, {no_route} no_route; endpoint drops: {}\n",
        s.name,
        s.duration,
        frames.len(),
        fabric.endpoint_drops()
    );
    for (i, l) in topo.links.iter().enumerate() {
        for (dir, (from, to)) in [(l.a, l.b), (l.b, l.a)].into_iter().enumerate() {
            // the probe's fabric is whole: it drives every direction
            let Some(tx) = fabric.link_tx(i, dir) else {
                continue;
            };
            let st = tx.stats;
            if st.drops_buffer_full > 0 || st.peak_queue_bytes > 64 * 1024 {
                out.push_str(&format!(
                    "  {} -> {}: util {:.3}, peak queue {} B, drops {}\n",
                    topo.name(from),
                    topo.name(to),
                    tx.utilization(s.duration),
                    st.peak_queue_bytes,
                    st.drops_buffer_full
                ));
            }
        }
    }
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir)?;
        let path = dir.join("links.csv");
        std::fs::write(
            &path,
            system::cluster::report::links_csv(&fabric, s.duration)?,
        )?;
        out.push_str(&format!("  wrote {}\n", path.display()));
    }
    if let Some(tap) = fabric.take_tap() {
        let n = tap.finish()?;
        if let Some(dir) = &a.pcap {
            out.push_str(&format!(
                "  wrote {} pcap records into {}/ ({} over the bound)\n",
                n.written,
                dir.display(),
                n.over_bound
            ));
        }
    }
    if let (Some(tr), Some(path)) = (trace, &a.trace) {
        std::fs::write(path, tr.to_json())?;
        out.push_str(&format!(
            "  wrote {} trace events to {} ({} outside the window, {} over the {} bound)\n",
            tr.len(),
            path.display(),
            tr.outside_window,
            tr.truncated,
            DEFAULT_MAX_EVENTS
        ));
    }
    Ok(out)
}
