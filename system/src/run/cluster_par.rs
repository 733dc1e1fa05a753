//! The per-server work around a cluster run (building the servers, finishing them, their report rows, dropping them) spread over the run's worker threads, in server order whatever the thread count.
//!
//! Why: this work runs before and after the parallel engine, on one
//! thread unless spread, and it grows with the servers. In the speed
//! example's leaf-spine run, loading, building and reporting were about
//! 5 ms of a 2-thread run's 55 ms, all on one thread (the load still is):
//! the serial part of Amdahl's law, which the 1-thread run pays as well.
//!
//! Architecture Invariant: every helper returns (or applies) the same
//! results in the same order with or without a pool, so outputs do not
//! depend on the thread count; only which thread computes an item changes.

use super::actor_tables::{actors_table, migrations_table, placements_table};
use crate::cluster::world::ServerPart;
use crate::scenario::Scenario;
use rayon::prelude::*;
use rayon::ThreadPool;
use sim_core::{SimTime, Table};

/// `f` of each item, in item order: on `pool`'s threads when given.
pub(super) fn map_in_order<T, R, F>(pool: Option<&ThreadPool>, items: &mut [T], f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(&mut T) -> R + Sync + Send,
{
    match pool {
        // `collect` on an indexed parallel iterator keeps the item order
        Some(pool) => pool.install(|| items.par_iter_mut().map(&f).collect()),
        None => items.iter_mut().map(f).collect(),
    }
}

/// Drops `items`, on `pool`'s threads when given (a server's caches,
/// histograms and queues are thousands of allocations).
pub(super) fn drop_all<T: Send>(pool: Option<&ThreadPool>, items: Vec<T>) {
    match pool {
        Some(pool) => pool.install(|| items.into_par_iter().for_each(drop)),
        None => drop(items),
    }
}

/// One server's rows of the per-server tables (each with its `server`
/// column), and its row of servers.csv.
pub(super) struct ServerTables {
    pub actors: Table,
    pub placements: Table,
    pub migrations: Table,
    pub counters: Table,
    pub server: Table,
}

/// Ends each server's run at `end` (or flushes it, after a drained run)
/// and computes its report rows, in server order.
pub(super) fn finish_servers(
    pool: Option<&ThreadPool>,
    s: &Scenario,
    servers: &mut [ServerPart],
    end: SimTime,
    drained: bool,
) -> Vec<ServerTables> {
    map_in_order(pool, servers, |sp| {
        if drained {
            // everything in flight has finished; nothing is left to count at `end`
            sp.node.0.flush(SimTime::MAX);
        } else {
            sp.node.0.finish(end);
        }
        let node = &sp.node.0;
        let rt = node.driver().runtime();
        ServerTables {
            // the actors table reads the scenario's actor plan only
            actors: with_server(sp.index, actors_table(rt, s)),
            placements: with_server(sp.index, placements_table(rt)),
            migrations: with_server(sp.index, migrations_table(rt)),
            counters: with_server(sp.index, super::counters::table(node)),
            server: super::cluster_servers::server_row(s, sp, end),
        }
    })
}

/// `t` with a first column naming the server.
fn with_server(server: u32, t: Table) -> Table {
    let mut cols = vec!["server".to_string()];
    cols.extend(t.columns.iter().cloned());
    let mut out = Table::new(cols);
    for r in t.rows {
        let mut row = vec![format!("s{server}")];
        row.extend(r);
        out.push(row);
    }
    out
}
