//! pcie-model: the PCIe link between a SmartNIC and its host, the NIC's DMA engines and one-sided RDMA verbs.
//!
//! Layers, bottom up (smoltcp style: each is a passive state machine and time
//! is passed in as a value):
//! - [`pool`]: units (tags, credits, slots) known by their release times;
//! - [`timeline`]: a wire's busy calendar with first-fit reservation;
//! - [`link`]: TLPs, per-direction serialization, credits, tags, one-way latency;
//! - [`dma`]: DMA engines with bounded command queues, scatter-gather and completion words;
//! - [`rdma`]: one-sided RDMA verbs of off-path NICs on top of the same path;
//! - [`system`]: [`PcieSystem`], the API the system assembly calls;
//! - [`measure`] and [`figures`]: the experiments of the paper's Figs. 7 to 10.
//!
//! Profiles ([`PcieLinkProfile`], [`DmaProfile`], [`RdmaProfile`]) are the
//! `[pcie]`, `[dma]` and `[rdma]` tables of a NIC profile. `CALIBRATION.md`
//! derives every default; the per-payload curves are never tabulated, they
//! come out of segmentation, serialization, credits, tags and queues.

pub mod dma;
pub mod figures;
pub mod link;
pub mod measure;
pub mod pool;
pub mod profile;
pub mod rdma;
pub mod system;
pub mod timeline;

pub use dma::{DmaCommand, DmaCompletion, DmaEngines, DmaError, DmaKind, DmaStats};
pub use link::{LinkDirection, LinkStats, PcieLink, PostedWrite};
pub use measure::Op;
pub use profile::{DmaProfile, PcieLinkProfile, PcieProfiles, ProfileError, RdmaProfile};
pub use rdma::{RdmaCompletion, RdmaEngine, RdmaStats, RdmaVerb};
pub use system::{PcieStats, PcieSystem, TransferDirection};
