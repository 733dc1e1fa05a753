//! The text of a calibrated host profile (everything after `name`/`description`), with the source of every value written next to it.

use super::probes::Level;
use nic_models::host::HostProfile;

/// The profile after `name`/`description`, with `ipc` (and `@IPC_NOTE@`
/// where the IPC's source goes). `msg` = in-process 64 B / 1 KiB and UDP
/// 64 B / 1 KiB one-way latencies, ns.
pub(super) fn profile_body(
    levels: &[Level],
    dram_ns: f64,
    ghz: f64,
    cores: u32,
    ipc: f64,
    template: &HostProfile,
    msg: [f64; 4],
) -> String {
    let src = "measured by calibrate-host";
    let mut t = String::new();
    t.push_str(&format!(
        "sockets = 1               # {src} (one NUMA node)\n"
    ));
    t.push_str(&format!(
        "cores_per_socket = {cores}      # {src} (available parallelism)\n"
    ));
    t.push_str(&format!(
        "core_freq_ghz = {ghz:.3}     # {src} (/proc/cpuinfo cpu MHz)\n\n"
    ));
    t.push_str("# Geometry from /sys/devices/system/cpu/cpu0/cache; latencies from a\n");
    t.push_str("# dependent pointer chase over half of each level (Table 2's method).\n");
    t.push_str("[memory]\n");
    t.push_str(&format!(
        "line_bytes = {}           # {src}\n",
        levels[0].line
    ));
    t.push_str(&format!(
        "dram_latency_ns = {dram_ns:.2}  # {src} (pointer chase, 8x the last level)\n"
    ));
    t.push_str(&format!(
        "stream_overlap = {:.1}      # assumption, as host_e5_2620v4\n",
        template.memory.stream_overlap
    ));
    for l in levels {
        t.push_str("\n[[memory.caches]]\n");
        t.push_str(&format!("name = \"l{}\"\n", l.level));
        t.push_str(&format!(
            "size_kb = {}              # {src} (sysfs)\n",
            l.size_kb
        ));
        t.push_str(&format!("ways = {}\n", l.ways));
        t.push_str(&format!(
            "latency_ns = {:.2}          # {src} (pointer chase)\n",
            l.latency_ns
        ));
        t.push_str(&format!("shared_by_cores = {}\n", l.shared_by));
    }
    t.push_str("\n[compute]\n");
    t.push_str(&format!("ipc = {ipc:.3}   # @IPC_NOTE@\n"));
    t.push_str("\n# Software costs of the accelerated functions: NOT measured (assumption):\n");
    t.push_str("# host_e5_2620v4.toml's cycle costs at this clock.\n");
    let scale = 2.1 / ghz;
    for s in &template.accel.software {
        t.push_str("\n[[accel.software]]\n");
        t.push_str(&format!("kind = \"{}\"\n", s.kind.name()));
        t.push_str(&format!("fixed_ns = {:.3}\n", s.fixed_ns * scale));
        t.push_str(&format!("per_byte_ns = {:.4}\n", s.per_byte_ns * scale));
    }
    let [q64, q1k, u64b, u1k] = msg;
    let per_byte = |a: f64, b: f64| ((b - a) / 960.0).max(0.0);
    t.push_str("\n# Messaging paths of a native run: one-way latency of a message between\n");
    t.push_str("# two threads (half a ping-pong round trip), 64 B and 1024 B, least of 5 runs.\n");
    for (name, what, a, b) in [
        (
            "inproc_queue",
            "crossbeam bounded channel, thread to thread",
            q64,
            q1k,
        ),
        (
            "udp_loopback",
            "UDP datagram on 127.0.0.1, socket to socket",
            u64b,
            u1k,
        ),
    ] {
        let pb = per_byte(a, b);
        t.push_str(&format!(
            "\n[[messaging.paths]]\nname = \"{name}\"    # {what}\n"
        ));
        t.push_str("\n[[messaging.paths.send]]\n");
        t.push_str(&format!(
            "name = \"one_way\"   # {src}: {a:.0} ns at 64 B, {b:.0} ns at 1024 B\n"
        ));
        t.push_str(&format!("fixed_ns = {:.1}\n", (a - 64.0 * pb).max(0.0)));
        t.push_str(&format!("per_byte_ns = {pb:.4}\n"));
        t.push_str("\n[[messaging.paths.recv]]\n");
        t.push_str("name = \"included_in_send\"   # the one-way time covers the receive\n");
        t.push_str("fixed_ns = 0.0\n");
    }
    t
}
