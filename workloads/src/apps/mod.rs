//! The paper's three distributed applications as real actors on the `scheduler` API:
//! RTA (real-time analytics), DT (distributed transactions, OCC + two-phase commit)
//! and RKV (a Multi-Paxos replicated key-value store with an LSM memtable/SSTables).
//!
//! One module per application, one file per actor kind. Every actor names its
//! peers only through its configuration (actor ids in its config), never by a
//! hard-wired id, so a cluster layer that places actors on several servers only
//! changes how those ids map to places. Each kind has a `KIND` descriptor in the
//! actor registry (`crate::actors::registry`), re-exported through [`kinds`].
//!
//! Cost constants (cycles per tuple, per key, per message) are assumptions unless
//! cited next to them: the paper reports application-level results, not per-actor
//! costs, and configs/calibration/ipipe-sigcomm19.toml holds none for these actors.

pub mod codec;
pub mod dt;
pub mod peer;
pub mod requests;
pub mod rkv;
pub mod rta;
pub mod workload;

/// The application actor files under the names the registry table uses.
pub mod kinds {
    pub use super::dt::coordinator as dt_coordinator;
    pub use super::dt::log as dt_log;
    pub use super::dt::participant as dt_participant;
    pub use super::rkv::memtable as rkv_memtable;
    pub use super::rkv::replica as rkv_replica;
    pub use super::rkv::sstable as rkv_sstable;
    pub use super::rta::counter as rta_counter;
    pub use super::rta::filter as rta_filter;
    pub use super::rta::ranker as rta_ranker;
}
