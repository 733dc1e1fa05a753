//! `counters.csv`: every count a node keeps — frames by place, drops by reason, driver and runtime errors — one `name,value` row each.
//!
//! The summary row has fixed columns shared by every workload; this table is
//! where every other drop and error lands, so none goes unreported.

use crate::node::Node;
use sim_core::Table;

/// The node's counters as a two-column table.
pub(super) fn table(node: &Node) -> Table {
    let a = node.accounting();
    let d = node.driver().counters();
    let r = *node.driver().runtime().counters();
    let rows: &[(&str, u64)] = &[
        ("frames", a.frames),
        ("internal_messages", a.internal),
        ("timer_messages", a.timer),
        ("drops_source", a.drops_source),
        ("drops_switch", a.drops_switch),
        ("drops_pcie", a.drops_pcie),
        ("drops_ingress", a.drops_ingress),
        ("drops_tm_forwarding", a.drops_tm),
        ("drops_tx", a.drops_tx),
        ("steered_host", a.steered_host),
        ("served", a.served),
        ("completed_from_wire", a.completed),
        ("delivered_frames", a.delivered),
        ("egress_host", a.egress_host),
        ("in_pcie_to_host", a.in_pcie_to_host),
        ("in_pcie_to_nic", a.in_pcie_to_nic),
        ("to_host_actors", a.to_host_actors),
        ("in_flight_arriving", a.in_flight_arriving),
        ("peak_in_flight", a.peak_in_flight),
        ("driver_runtime_errors", d.runtime_errors),
        ("driver_platform_errors", d.platform_errors),
        ("driver_model_errors", d.model_errors),
        ("driver_dropped_sends", d.dropped_sends),
        ("driver_out_of_order_dispatches", d.out_of_order_dispatches),
        ("driver_reorders", d.reorders),
        ("rt_delivered", r.delivered),
        ("rt_completed", r.completed),
        ("rt_failed", r.failed),
        ("rt_dropped_unknown_actor", r.dropped_unknown_actor),
        ("rt_dropped_actor_killed", r.dropped_actor_killed),
        ("rt_dropped_actor_deleted", r.dropped_actor_deleted),
        ("rt_dropped_fcfs_queue_full", r.dropped_fcfs_queue_full),
        ("rt_dropped_mailbox_full", r.dropped_mailbox_full),
        (
            "rt_dropped_migration_buffer_full",
            r.dropped_migration_buffer_full,
        ),
        ("rt_dropped_host_queue_full", r.dropped_host_queue_full),
        ("rt_watchdog_kills", r.watchdog_kills),
        ("rt_aborted_by_watchdog", r.aborted_by_watchdog),
        ("rt_policy_actions_rejected", r.policy_actions_rejected),
        ("rt_events_not_recorded", r.events_not_recorded),
        // on-path NICs: host-bound requests a NIC core passed on
        ("rt_forwarded", r.forwarded),
        // actors' DMA writes into host memory (`ActorCtx::dma`)
        ("driver_host_writes", d.host_writes),
        ("driver_host_write_bytes", d.host_write_bytes),
    ];
    let mut t = Table::new(["counter", "value"]);
    for &(name, v) in rows {
        t.push([name.to_string(), v.to_string()]);
    }
    t
}
