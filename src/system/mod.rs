//! System assembly: the simulated systems a scenario can describe, built from model crates and driven by the engine.

pub mod actor_parts;
pub mod actors;
pub mod echo;
pub mod named_actor;

use pcie_model::PcieProfiles;

/// The PCIe link and DMA profiles for a NIC: the LiquidIO CN2350's DMA
/// engines for on-path NICs, BlueField's DMA plus RDMA verbs for off-path
/// NICs (the two the paper measured, Figs. 7 to 10).
pub fn pcie_profiles_for(kind: nic_models::NicKind) -> PcieProfiles {
    match kind {
        nic_models::NicKind::OnPath => PcieProfiles::liquidio_cn2350(),
        nic_models::NicKind::OffPath => PcieProfiles::bluefield_1m332a(),
    }
}
