//! Turning what a native run's client, server and runtime saw into the `nicsim run` files: summary, classes, actors, placements, migrations and counters.

use super::{NativeOptions, NativeOutput};
use crate::run::actor_tables::{actors_table, classes_table, migrations_table, placements_table};
use crate::run::ClassResult;
use crate::scenario::actors::ActorsPlan;
use crate::scenario::Scenario;
use native::{ClientReport, ServerCounters, Status};
use scheduler::{ActorId, Runtime};
use sim_core::table::fmt_f64;
use sim_core::{LatencyHistogram, SimDuration, Table};
use std::time::Instant;
use system::node::drops::ActorDrops;
use system::report::Summary;

/// The run's load and measurement window.
pub(super) struct Measured {
    pub(super) rate_rps: f64,
    /// Mean request datagram bytes.
    pub(super) bytes: f64,
    /// Requests sent in [start, end) epoch ns count (after warm-up).
    pub(super) window: (u64, u64),
    pub(super) wall: Instant,
    /// Planned requests the generator could not send before the end.
    pub(super) not_sent: u64,
}

pub(super) fn measure(
    s: &Scenario,
    plan: &ActorsPlan,
    m: Measured,
    rt: &Runtime,
    c: ServerCounters,
    seen: &ClientReport,
    o: NativeOptions,
) -> NativeOutput {
    let Measured {
        rate_rps,
        bytes,
        window,
        wall,
        not_sent,
    } = m;
    // what the generator really sent per second (below the asked rate when it could not keep up)
    let sent_rps = seen.sent() as f64 / o.duration.as_secs_f64();
    let measured_s = (window.1 - window.0) as f64 / 1e9;
    let classes: Vec<String> = {
        let mut v: Vec<String> = Vec::new();
        for a in &plan.actors {
            if !v.contains(&a.class) {
                v.push(a.class.clone());
            }
        }
        v
    };
    let class_of = |dst: ActorId| {
        let name = rt
            .actor(dst)
            .map(|a| a.name().to_string())
            .unwrap_or_default();
        let class = plan
            .actors
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.class.clone());
        class
            .and_then(|c| classes.iter().position(|x| *x == c))
            .unwrap_or(0)
    };
    let mut per_class: Vec<(u64, LatencyHistogram)> = classes
        .iter()
        .map(|_| (0, LatencyHistogram::new()))
        .collect();
    let mut all = LatencyHistogram::new();
    for r in &seen.requests {
        if let Some((st, rtt)) = r.answer {
            if st.served() && r.sent_ns >= window.0 && r.sent_ns < window.1 {
                let k = class_of(r.dst);
                per_class[k].0 += 1;
                per_class[k].1.record(SimDuration::from_ns(rtt));
                all.record(SimDuration::from_ns(rtt));
            }
        }
    }
    let answered_measured: u64 = per_class.iter().map(|(n, _)| n).sum();
    let by = seen.dropped_by_reason();
    let get = |st: Status| by.get(st.name()).copied().unwrap_or(0);
    use scheduler::DropReason as R;
    let drops = ActorDrops {
        pcie: 0,
        fcfs_queue: get(Status::Dropped(R::FcfsQueueFull)),
        mailbox: get(Status::Dropped(R::MailboxFull)),
        migration_buffer: get(Status::Dropped(R::MigrationBufferFull)),
        host_queue: get(Status::Dropped(R::HostQueueFull)),
        actor_killed: get(Status::Dropped(R::ActorKilled)),
        actor_deleted: get(Status::Dropped(R::ActorDeleted)),
        unknown_actor: get(Status::Dropped(R::UnknownActor)),
        watchdog: get(Status::Watchdog),
    };
    let inbox = get(Status::InboxFull);
    let rc = rt.counters();
    let busy_ns = (rc.work_ns + rc.overhead_ns) as f64;
    let threads = f64::from(o.nic_threads + o.host_threads);
    let class_rows: Vec<ClassResult> = classes
        .iter()
        .zip(&per_class)
        .map(|(name, (n, h))| ClassResult {
            class: name.clone(),
            completed: *n,
            achieved_mrps: *n as f64 / measured_s / 1e6,
            mean_us: h.mean_us(),
            p99_us: h.quantile_us(0.99),
        })
        .collect();
    let sojourn = {
        let reps = rt.actor_reports();
        let n: u64 = reps.iter().map(|r| r.requests).sum();
        if n == 0 {
            0.0
        } else {
            reps.iter()
                .map(|r| r.mean_us * r.requests as f64)
                .sum::<f64>()
                / n as f64
        }
    };
    let summary = Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        nic: "native".into(),
        cores: o.nic_cores,
        packet_size: bytes,
        offered_gbps: rate_rps * bytes * 8.0 / 1e9,
        achieved_gbps: answered_measured as f64 * bytes * 8.0 / measured_s / 1e9,
        // loopback has no line rate
        line_rate_gbps: 0.0,
        achieved_mpps: answered_measured as f64 / measured_s / 1e6,
        lat_mean_us: all.mean_us(),
        lat_p50_us: all.quantile_us(0.5),
        lat_p99_us: all.quantile_us(0.99),
        lat_p999_us: all.quantile_us(0.999),
        drops: drops.total() + inbox,
        // handler + scheduler time measured by the runtime, over all worker threads
        nic_core_util: busy_ns / (o.duration.as_ns() as f64 * threads),
        sim_time_s: o.duration.as_secs_f64(),
        wall_time_s: wall.elapsed().as_secs_f64(),
        events: c.executions,
        generated: seen.sent(),
        delivered: seen.answered(),
        in_flight: seen.outstanding(),
        steered_host: 0,
        drops_source: 0,
        drops_switch: 0,
        // the server's in-process ingress queue was full
        drops_ingress: inbox,
        drops_tm: 0,
        drops_tx: 0,
        workload: "actors".into(),
        source_gbps: sent_rps * bytes * 8.0 / 1e9,
        offered_capped: not_sent > 0,
        actor_drops: drops,
        to_host_actors: 0,
        peak_in_flight: 0,
        reorders: 0,
        driver_errors: c.runtime_errors,
        model_errors: 0,
        sends_dropped: c.dropped_sends + c.inbox_full_actor_msgs + c.oversize + c.send_errors,
    };
    let mut counters = Table::new(["counter", "value"]);
    for (k, v) in [
        ("client_sent", seen.sent()),
        ("client_answered", seen.answered()),
        ("client_outstanding", seen.outstanding()),
        ("client_unmatched", seen.unmatched),
        ("client_bad_datagrams", seen.bad_datagrams),
        ("client_recv_errors", seen.recv_errors),
        ("client_send_errors", seen.send_errors),
        ("client_refused_over_capacity", seen.refused_over_capacity),
        ("client_messages_not_kept", seen.messages_not_kept),
        ("client_max_lag_ns", seen.max_lag_ns),
        ("client_not_sent_generator_behind", not_sent),
        ("server_received", c.received),
        ("server_bad_datagrams", c.bad_datagrams),
        ("server_unexpected_datagrams", c.unexpected_datagrams),
        ("server_recv_errors", c.recv_errors),
        ("server_inbox_full_requests", c.inbox_full_requests),
        ("server_inbox_full_actor_msgs", c.inbox_full_actor_msgs),
        ("server_responses_sent", c.responses_sent),
        ("server_messages_sent", c.messages_sent),
        ("server_send_errors", c.send_errors),
        ("server_oversize", c.oversize),
        ("server_to_host_app", c.to_host_app),
        ("server_runtime_errors", c.runtime_errors),
        ("server_dropped_sends", c.dropped_sends),
        ("server_executions", c.executions),
        ("server_ticks", c.ticks),
        ("server_left_in_inbox", c.left_in_inbox),
        ("runtime_delivered", rc.delivered),
        ("runtime_completed", rc.completed),
        ("runtime_failed", rc.failed),
        ("runtime_dropped", rc.dropped()),
        ("runtime_aborted_by_watchdog", rc.aborted_by_watchdog),
        ("runtime_queued_at_end", rt.queued_messages() as u64),
        ("runtime_migrations", rc.migrations),
    ] {
        counters.push([k.to_string(), v.to_string()]);
    }
    counters.push(["rate_rps".to_string(), fmt_f64(rate_rps, 3)]);
    NativeOutput {
        tables: vec![
            ("actors.csv".into(), actors_table(rt, s)),
            ("placements.csv".into(), placements_table(rt)),
            ("migrations.csv".into(), migrations_table(rt)),
            ("classes.csv".into(), classes_table(&class_rows)),
            ("counters.csv".into(), counters),
        ],
        summary,
        classes: class_rows,
        rate_rps,
        sent_rps,
        watchdog_kills: rc.watchdog_kills,
        runtime_sojourn_mean_us: sojourn,
    }
}
