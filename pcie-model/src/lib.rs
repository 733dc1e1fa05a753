//! pcie-model: the PCIe link between a SmartNIC and its host, the NIC's DMA engines and one-sided RDMA verbs.
//!
//! Layers, bottom up (smoltcp style: each is a passive state machine and time
//! is passed in as a value):
//! - [`profile`], [`engine_profile`]: the `[pcie]`, `[dma]`, `[rdma]` tables;
//! - [`pool`]: tags, credits and slots, each unit with its busy intervals;
//! - [`timeline`]: a wire's busy calendar with first-fit reservation;
//! - [`link`]: TLPs, per-direction serialization, credits, tags, one-way latency;
//! - [`dma`]: DMA engines with bounded command queues, scatter-gather and completion words;
//! - [`rdma`]: one-sided RDMA verbs of off-path NICs on top of the same path;
//! - [`system`]: [`PcieSystem`], the API the system assembly calls;
//! - [`measure`]: unloaded latency and streaming throughput of each operation
//!   (the harness the `repro` crate's Figs. 7 to 10 run on).
//!
//! Profiles ([`PcieLinkProfile`], [`DmaProfile`], [`RdmaProfile`]) are the
//! `[pcie]`, `[dma]` and `[rdma]` tables of a NIC profile. `CALIBRATION.md`
//! derives every default; the per-payload curves are never tabulated, they
//! come out of segmentation, serialization, credits, tags and queues.
//!
//! # Use from the system assembly
//!
//! One [`PcieSystem`] per NIC. Every call takes the current simulated time
//! (calls in nondecreasing time, as an event loop makes them) and returns
//! the instants the caller schedules its events at:
//!
//! ```
//! use pcie_model::{Direction, PcieProfiles, PcieSystem};
//! use sim_core::SimTime;
//!
//! let mut nic = PcieSystem::new(&PcieProfiles::liquidio_cn2350()).unwrap();
//! let now = SimTime::from_us(10);
//! // A NIC core sends a 512 B message to a host actor without waiting:
//! let c = nic.nonblocking_write(now, 3, 512).unwrap();
//! assert!(c.core_free < c.data_done); // core goes on; host sees data later
//! // A core pulls 2 KB of host state and waits for it:
//! let resume = nic.blocking_read(c.core_free, 3, 2048).unwrap();
//! assert!(resume > c.core_free);
//! // Cost of migrating a 64 KB actor to the host, on an idle link:
//! let cost = nic.transfer_cost(64 * 1024, Direction::NicToHost);
//! assert!(cost.as_us_f64() > 9.0);
//! ```

pub mod dma;
pub mod engine_profile;
pub mod link;
pub mod measure;
pub mod pool;
pub mod profile;
pub mod rdma;
pub mod system;
pub mod timeline;
pub mod transfer_costs;

pub use dma::{DmaCommand, DmaCompletion, DmaEngines, DmaError, DmaKind, DmaStats};
pub use link::{Direction, LinkStats, PcieLink, PostedWrite};
pub use measure::Op;
pub use profile::{DmaProfile, PcieLinkProfile, PcieProfiles, ProfileError, RdmaProfile};
pub use rdma::{RdmaCompletion, RdmaEngine, RdmaStats, RdmaVerb};
pub use system::{PcieStats, PcieSystem};
pub use transfer_costs::TransferCosts;
