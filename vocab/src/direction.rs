//! `Direction`: which way data crosses the PCIe link (NIC to host, or host to NIC).
//!
//! One type for what used to be three: the scheduler's `DmaDirection` (which
//! way a migration or cross-PCIe message copies), pcie-model's
//! `TransferDirection` (which way a DMA moves data) and the link's
//! `LinkDirection` (`Upstream`/`Downstream`: which way a TLP travels). All three
//! name the direction of travel across the same link. What stays separate is
//! pcie-model's `DmaKind` (read/write): it names the PCIe transaction type the
//! NIC's engine issues (non-posted read with tags and completions, or posted
//! write), a protocol mechanism rather than a direction. A NIC DMA read moves
//! data `HostToNic` yet sends its requests `NicToHost`.

/// Which way data crosses the PCIe link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// From the NIC to the host (a NIC DMA write; PCIe "upstream").
    NicToHost,
    /// From the host to the NIC (data of a NIC DMA read; PCIe "downstream").
    HostToNic,
}

impl Direction {
    /// Both directions, in a fixed order.
    pub const ALL: [Direction; 2] = [Direction::NicToHost, Direction::HostToNic];

    /// The opposite direction.
    pub const fn reverse(self) -> Direction {
        match self {
            Direction::NicToHost => Direction::HostToNic,
            Direction::HostToNic => Direction::NicToHost,
        }
    }

    /// Name used in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Direction::NicToHost => "nic_to_host",
            Direction::HostToNic => "host_to_nic",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_is_an_involution() {
        for d in Direction::ALL {
            assert_ne!(d.reverse(), d);
            assert_eq!(d.reverse().reverse(), d);
        }
        assert_eq!(Direction::NicToHost.name(), "nic_to_host");
    }
}
